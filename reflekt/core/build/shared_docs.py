"""Descriptions of Segment's common columns written once, as dbt `{% docs %}` blocks.

Every model has the same twenty-odd Segment columns; repeating their descriptions made
each docs file 70 lines longer (a 1,000-event package carried 72,000 copies). The docs files
name them with `{{ doc('reflekt_segment_received_at') }}` instead, and one generated
Markdown file in the models folder holds the blocks. Property descriptions, which differ per
event, stay inline.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping

from reflekt.core import escape
from reflekt.core.build import segment

DOCS_FILE = "_reflekt_segment_columns.md"
_CALLS = ("track", "identify", "page", "screen", "group", "users")
_LITERALS = (
    ("call_type", segment.CALL_TYPE_DESCRIPTION),
    ("source_schema", segment.SOURCE_SCHEMA_DESCRIPTION),
    ("source_table", segment.SOURCE_TABLE_DESCRIPTION),
    ("schema_metadata", segment.SCHEMA_METADATA_DESCRIPTION),
)


class DocRef(str):
    """A description that is a `doc()` call: dbt renders it on purpose (never escaped)."""

    __slots__ = ()


def _named_descriptions() -> Iterator[tuple[str, str]]:
    for call in _CALLS:
        for column in segment.common_columns(call):
            yield column.source, column.description
    yield from _LITERALS


@functools.cache
def block_names() -> Mapping[str, str]:
    """Each shared description -> its docs block name (`reflekt_segment_<column>`, then
    `_2`... for a column whose description differs per call)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for column, description in _named_descriptions():
        if description in names:
            continue
        base = f"reflekt_segment_{segment.snake_case(column)}"
        name, index = base, 2
        while name in taken:
            name, index = f"{base}_{index}", index + 1
        taken.add(name)
        names[description] = name
    return names


def description_for(text: str) -> str:
    """`text`, or a reference to its docs block when it is a shared description."""
    name = block_names().get(text)
    return DocRef(f"{{{{ doc('{name}') }}}}") if name else text


def docs_file(header: str) -> str:
    """The Markdown file of the docs blocks, after the generated `header`."""
    lines = [header, ""]
    for description, name in block_names().items():
        lines += [f"{{% docs {name} %}}", escape.jinja_text(description), "{% enddocs %}", ""]
    return "\n".join(lines)
