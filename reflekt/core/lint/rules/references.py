"""Shared definitions (`$ref` to `schemas/.reflekt/common/`): RF104 every reference
resolves; RF701 (advice, off by default) a property defined the same way in many events
could be one shared definition.

Why: a reference that names nothing leaves a property without a definition; diff, build and
push refuse such a schema, so lint says which reference, where, and why first. A property
copied into twenty events drifts apart the day one copy is edited.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from reflekt.core.lint.base import (
    Issue,
    ProjectContext,
    SchemaContext,
    project_rule,
    property_path,
    schema_rule,
)
from reflekt.core.lint.examples import bad, good
from reflekt.core.schemas import SchemaDocument, object_at

_CURRENCY = {"type": "string", "description": "The ISO 4217 code.", "enum": ["EUR", "USD"]}


@schema_rule(
    "RF104",
    "ref-resolves",
    summary="Every `$ref` names a shared definition under schemas/.reflekt/common/ "
    "(`common/<name>/<M-m>.json#/pointer`) or a place in the same file (`#/pointer`).",
    examples=(
        bad({"properties": {"currency": {"$ref": "common/money/1-0.json#/definitions/currency"}}}),
        bad({"properties": {"currency": {"$ref": "../../../../../etc/passwd"}}}),
        bad({"properties": {"currency": {"$ref": "#/definitions/currency"}}}),
        good(
            {
                "definitions": {"currency": _CURRENCY},
                "properties": {"currency": {"$ref": "#/definitions/currency"}},
            }
        ),
    ),
)
def ref_resolves(ctx: SchemaContext) -> Iterator[Issue]:
    """A `$ref` must name a file under `schemas/.reflekt/common/` and a place in it that
    exists, without a cycle; it is never read from anywhere else (another scheme such as
    `http://`, an absolute path, `..`, a symlink out of `common/` are refused, not read)."""
    resolution = ctx.doc.refs
    if resolution is None:
        return
    for problem in resolution.problems:
        shown = f"`{problem.ref}` " if problem.ref else ""
        yield Issue(
            f"the reference {shown}does not resolve: {problem.message}",
            at=problem.at,
            property=property_path(problem.at[:-1]) if problem.at else None,
        )


_PRICE = {"type": "number", "description": "The unit price.", "minimum": 0}
_SHARED = {"price": {"$ref": "#/definitions/price"}}


def _shared_price(name: str) -> dict:
    return {"self": {"name": name}, "definitions": {"price": _PRICE}, "properties": _SHARED}


@project_rule(
    "RF701",
    "shared-definition-suggested",
    summary="A property defined the same way in N events or more (`schemas.conventions."
    "shared_definitions.min_events`, default 3) is a shared definition (off by default).",
    examples=(
        bad(
            files={
                f"{event}/1-0.json": {
                    "self": {"name": event.replace("_", " ")},
                    "properties": {"price": _PRICE},
                }
                for event in ("Cart_Viewed", "Order_Completed", "Product_Added")
            }
        ),
        good(
            files={
                f"{event}/1-0.json": {
                    "self": {"name": event.replace("_", " ")},
                    "properties": {"price": _PRICE},
                }
                for event in ("Cart_Viewed", "Order_Completed")
            }
        ),
        good(
            files={
                f"{event}/1-0.json": _shared_price(event.replace("_", " "))
                for event in ("Cart_Viewed", "Order_Completed", "Product_Added")
            }
        ),
    ),
)
def shared_definition_suggested(ctx: ProjectContext) -> Iterator[Issue]:
    """The same property definition (same name, same JSON) written out in the newest version
    of N events or more could live once in `schemas/.reflekt/common/` and be referenced with
    `$ref`: one edit then changes every event, and `reflekt diff` names it. Properties that
    already are a `$ref` are not counted. Reads every event's newest file on each run."""
    least = ctx.project.conventions.shared_min_events
    by_definition: dict[tuple[str, str], list[SchemaDocument]] = {}
    for doc in ctx.documents:
        written = doc.written
        if not isinstance(written, dict):
            continue
        for name, spec in object_at(written, "properties").items():
            if not isinstance(spec, dict) or not spec or "$ref" in spec:
                continue
            key = (name, json.dumps(spec, sort_keys=True, ensure_ascii=False))
            by_definition.setdefault(key, []).append(doc)
    for (name, _), docs in by_definition.items():
        if len(docs) < least:
            continue
        for doc in docs:
            yield Issue(
                f'property "{name}" is defined the same way in {len(docs)} events: make it '
                f"a shared definition in schemas/.reflekt/common/ and reference it with "
                f'"$ref": "common/<name>/1-0.json"',
                at=("properties", name),
                property=name,
                document=doc,
            )
