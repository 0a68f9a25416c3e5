"""Segment's common columns, described once for the whole package (dbt `{% docs %}` blocks).

Every model of a call type selects the same Segment columns (`event_id`, the timestamps, the
`context_*` fields, `call_type`...). Repeating their descriptions in each model's docs YAML
made a 1,000-event package twice as slow to parse (dbt validates and Jinja-parses every
column entry) and 2 MB bigger. Instead the package holds one docs block per call type, and
each model's description ends with it: the dbt docs site shows the table on every model page,
and the text lives in one file.
"""

from __future__ import annotations

from reflekt.core.build import segment

# Package-level, not per source: docs block names are unique in a package, and a package may
# model several sources (one folder each). One file (and block names) per SDK.
DOCS_PATH = "models/_reflekt_segment_columns.md"

# The call types with a docs block, and how the table's first line names them.
CALLS = ("track", "page", "screen", "identify", "group", "users")


def docs_path(sdk: str = "segment") -> str:
    """The package's docs file of `sdk`'s common columns."""
    return DOCS_PATH.replace("segment", sdk)


def _calls(sdk: str) -> tuple[str, ...]:
    return (*segment.layout_for(sdk).calls, "users")


_CALL_LABELS = {
    "track": "`track()` calls",
    "page": "`page()` calls",
    "screen": "`screen()` calls",
    "identify": "`identify()` calls",
    "group": "`group()` calls",
    "alias": "`alias()` calls",
    "users": "users (the latest traits of their `identify()` calls)",
}


def doc_name(call: str, sdk: str = "segment") -> str:
    """The docs block of one call type's common columns."""
    return f"reflekt_{sdk}_{call}_columns"


def doc_reference(call: str, sdk: str = "segment") -> str:
    """The Jinja a model description ends with to show its call type's block."""
    return f'{{{{ doc("{doc_name(call, sdk)}") }}}}'


def referenced_block(description: str) -> tuple[str, str] | None:
    """(sdk, call) of the docs block a generated model's description ends with
    (`doc_reference`): what the build that wrote the model was told the rows are. None
    when it ends with none of them (a hand-written or edited description)."""
    for sdk in segment.SDKS:
        for call in _calls(sdk):
            if description.endswith(doc_reference(call, sdk)):
                return sdk, call
    return None


# The constant columns every model has (name, description), described with Segment's.
SHARED_LITERALS = (
    ("call_type", segment.CALL_TYPE_DESCRIPTION),
    ("source_schema", segment.SOURCE_SCHEMA_DESCRIPTION),
    ("source_table", segment.SOURCE_TABLE_DESCRIPTION),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _block(call: str, sdk: str) -> str:
    layout = segment.layout_for(sdk)
    rows = [
        f"| `{column.alias}` | `{column.source}` | {_cell(column.description)} |"
        for column in segment.common_columns(call, sdk)
    ]
    rows += [
        f"| `{name}` | (set by the model) | {_cell(layout.say(description))} |"
        for name, description in SHARED_LITERALS
    ]
    return "\n".join(
        [
            f"{{% docs {doc_name(call, sdk)} %}}",
            f"**{layout.label}'s columns.** Besides its own columns, each model of "
            f"{_CALL_LABELS[call]} has these (as far as its table holds them). They are "
            "described here once for all such models; their types are in the catalog "
            "(`dbt docs generate`).",
            "",
            "| column | raw column | description |",
            "|---|---|---|",
            *rows,
            "{% enddocs %}",
        ]
    )


def docs_blocks(sdk: str = "segment") -> str:
    """The docs file's blocks, one per call type of `sdk` (constant text: no schema content
    reaches it); the caller adds the generated-file header."""
    return "\n\n".join(_block(call, sdk) for call in _calls(sdk)) + "\n"
