"""A lint rule's Bad and Good examples, as data a test lints (as sqlfluff and ruff do).

Why: an example written in a docstring rots unseen; one that a test runs stays true. Every
rule carries at least one `bad(...)` example, which must yield the rule's finding, and one
`good(...)`, which must yield no finding at all (a good example is good by every rule)::

    @schema_rule(
        "RF401",
        "event-description",
        summary="The event has a non-empty description.",
        examples=(
            bad({"description": ""}),
            good({"description": "The user viewed their shopping cart."}),
        ),
    )

An example is a tiny project: schema files under `schemas/segment/ecommerce/` and the
project's conventions.
- A schema given as a dict is a fragment, merged (object by object, recursively) over a
  well-formed schema for its file: an example shows only what matters. A str is the file's
  exact text (for files that are not plain JSON).
- One schema goes to `Cart_Viewed/1-0.json`, or to the folder of its `self.name` when the
  fragment names the event (`{"self": {"name": "Order Completed"}}` lands in
  `Order_Completed/1-0.json`). `files=` gives several, by path under `segment/ecommerce/`
  (`{"Cart_Viewed/1-0.json": {...}, "Cart_Viewed/1-1.json": {...}}`).
- `conventions=` is merged over `schemas.conventions` of the default reflekt_project.yml
  (`{"event": {"casing": "title"}}`, `{"data_types": ["string"]}`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from reflekt.core.schemas import dump_schema, event_folder_name, new_schema_body

Verdict = Literal["bad", "good"]
SchemaSource = Mapping[str, Any] | str  # a fragment over a well-formed schema, or exact text

EXAMPLE_PLAN = "segment/ecommerce"
EXAMPLE_FILE = "Cart_Viewed/1-0.json"
EXAMPLE_VENDOR = "com.example"


@dataclass(frozen=True)
class Example:
    """One Bad or Good example of a rule: schema files (path under `segment/ecommerce/` ->
    fragment or text) and the conventions they are linted with."""

    verdict: Verdict
    files: Mapping[str, SchemaSource]
    conventions: Mapping[str, Any] = field(default_factory=dict)

    def schema_files(self) -> dict[str, str]:
        """{schema id: file text}: what to write under `schemas/` to lint the example."""
        written: dict[str, str] = {}
        for path, source in self.files.items():
            schema_id = f"{EXAMPLE_PLAN}/{path}"
            if isinstance(source, str):
                written[schema_id] = source
            else:
                written[schema_id] = dump_schema(_merged(_well_formed(schema_id), source))
        return written

    def text(self) -> str:
        """The example as documentation shows it: conventions, then each file's fragment."""
        lines = [f"{key}: {json.dumps(value)}" for key, value in _dotted(self.conventions)]
        for path, source in self.files.items():
            shown = source if isinstance(source, str) else json.dumps(source, ensure_ascii=False)
            lines.append(f"{path}:\n{shown}" if "\n" in shown else f"{path}: {shown}")
        return "\n".join(lines)


def bad(
    schema: SchemaSource | None = None,
    *,
    files: Mapping[str, SchemaSource] | None = None,
    conventions: Mapping[str, Any] | None = None,
) -> Example:
    """An example the rule reports: linting it yields the rule's finding."""
    return Example("bad", _files(schema, files), dict(conventions or {}))


def good(
    schema: SchemaSource | None = None,
    *,
    files: Mapping[str, SchemaSource] | None = None,
    conventions: Mapping[str, Any] | None = None,
) -> Example:
    """An example that passes: linting it yields no finding of any rule."""
    return Example("good", _files(schema, files), dict(conventions or {}))


def _files(
    schema: SchemaSource | None, files: Mapping[str, SchemaSource] | None
) -> dict[str, SchemaSource]:
    if (schema is None) == (files is None):
        raise ValueError("a lint example gives either one schema or `files=`")
    if files is not None:
        return dict(files)
    assert schema is not None
    return {_default_path(schema): schema}


def _default_path(schema: SchemaSource) -> str:
    """`Cart_Viewed/1-0.json`, or the folder of the event the fragment names."""
    block = schema.get("self") if isinstance(schema, Mapping) else None
    name = block.get("name") if isinstance(block, Mapping) else None
    return f"{event_folder_name(name)}/1-0.json" if isinstance(name, str) else EXAMPLE_FILE


def _well_formed(schema_id: str) -> dict[str, Any]:
    """A schema every rule passes, for the file `schema_id`."""
    folder, version = schema_id.split("/")[-2:]
    return new_schema_body(
        schema_id,
        vendor=EXAMPLE_VENDOR,
        name=folder.replace("_", " "),
        version=version.removesuffix(".json"),
        description="An example event.",
    )


def _merged(base: Mapping[str, Any], fragment: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `fragment` laid over it: objects merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in fragment.items():
        under = merged.get(key)
        if isinstance(value, Mapping) and isinstance(under, Mapping) and under:
            merged[key] = _merged(under, value)
        else:
            merged[key] = value
    return merged


def _dotted(tree: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Leaves of nested conventions as (`event.casing`, "title") pairs."""
    pairs: list[tuple[str, Any]] = []
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            pairs.extend(_dotted(value, f"{dotted}."))
        else:
            pairs.append((dotted, value))
    return pairs
