"""RF104: every `$ref` resolves (shared definitions in `schemas/.reflekt/common/`).

Why: a reference that names nothing leaves a property without a definition; diff, build and
push refuse such a schema, so lint says which reference, where, and why first.
"""

from __future__ import annotations

from collections.abc import Iterator

from reflekt.core.lint.base import Issue, SchemaContext, property_path, schema_rule
from reflekt.core.lint.examples import bad, good

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
