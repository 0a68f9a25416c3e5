"""RF1xx: the file is JSON, a valid draft-07 JSON Schema, and fits the project meta-schema."""

from __future__ import annotations

from collections.abc import Iterator

from reflekt.core.lint.base import Issue, SchemaContext, property_path, schema_rule
from reflekt.core.lint.examples import bad, good

_CART_ID = {"type": "string", "description": "The cart's id."}


@schema_rule(
    "RF101",
    "json-syntax",
    summary="The file is one plain JSON object: a readable regular file (at most 5 MiB), "
    "not empty, not truncated, no comments or trailing commas, no duplicate keys, NaN or "
    "Infinity, nesting at most 64 deep.",
    needs_body=False,
    examples=(
        bad(
            """{
  "$id": "segment/ecommerce/Cart_Viewed/1-0.json",
  "type": "object",  // a comment
  "maxLength": NaN,
  "properties": {},
}
"""
        ),
        bad('{"$id": "segment/ecommerce/Cart_Viewed/1-0.json", "type": "object", "type": "array"}'),
        bad('{"$id": "segment/ecommerce/Cart_Viewed/1-0.json", "type": "obj'),
        good({"type": "object", "properties": {}}),
    ),
)
def json_syntax(ctx: SchemaContext) -> Iterator[Issue]:
    """A schema file must be plain JSON holding one object.

    Files with only comments or trailing commas (as in the seed's examples) are still
    linted with what they would mean without them. Anything else that is not strict JSON
    makes the file unusable (other rules skip it; diff, build and push refuse it): a key
    given twice in one object (readers disagree on which one counts), `NaN`/`Infinity` or
    a number too large to be finite, a lone UTF-16 surrogate (`"\\ud800"`), a number of
    thousands of digits, objects and arrays nested more than 64 deep, a file name that is
    not UTF-8, and a path that is not a regular file (a FIFO, a device, a directory) or is
    larger than `REFLEKT_MAX_SCHEMA_BYTES` (5 MiB by default).
    """
    for problem in ctx.doc.problems:
        yield Issue(problem.message, line=problem.line, column=problem.column)


@schema_rule(
    "RF102",
    "jsonschema-draft7",
    summary="The schema is a valid draft-07 JSON Schema.",
    examples=(
        bad({"type": "object", "properties": [{"cart_id": {"type": "string"}}]}),
        bad({"properties": {"cart_id": {"type": "text", "description": "The cart's id."}}}),
        good({"type": "object", "properties": {"cart_id": _CART_ID}}),
    ),
)
def jsonschema_draft7(ctx: SchemaContext) -> Iterator[Issue]:
    """The schema must be valid against the draft-07 meta-schema (types, keywords)."""
    draft7 = ctx.meta.draft7 if ctx.meta else None
    if draft7 is None or draft7.is_valid(ctx.body):
        return
    for error in draft7.errors(ctx.body):
        yield Issue(
            f"not a valid draft-07 JSON Schema: {error.message}",
            at=error.path,
            property=property_path(error.path),
        )


@schema_rule(
    "RF103",
    "meta-schema",
    summary="The schema validates against the project's meta-schema "
    "(schemas/.reflekt/event-meta/1-0.json).",
    examples=(
        bad({"self": {"format": "yaml"}}),
        bad({"self": {"owner": "growth"}}),
        good({"self": {"format": "jsonschema"}, "metadata": {"code_owner": "growth"}}),
    ),
)
def meta_schema(ctx: SchemaContext) -> Iterator[Issue]:
    """Teams edit the project's meta-schema to require metadata (e.g. a code owner); the
    default one requires `self` with a vendor, a name, the format `jsonschema` and a version,
    and nothing else in it."""
    meta = ctx.meta.meta if ctx.meta else None
    if meta is None or meta.is_valid(ctx.body):
        return
    # A meta-schema that includes draft-07 repeats RF102's errors: say each problem once.
    draft7 = ctx.meta.draft7 if ctx.meta else None
    reported = set()
    if draft7 is not None and not draft7.is_valid(ctx.body):
        reported = {(error.path, error.message) for error in draft7.errors(ctx.body)}
    for error in meta.errors(ctx.body):
        if (error.path, error.message) in reported:
            continue
        yield Issue(
            f"does not fit the project meta-schema: {error.message}",
            at=error.path,
            property=property_path(error.path),
        )
