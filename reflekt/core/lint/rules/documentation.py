"""RF4xx: the event and every property say what they mean."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reflekt.core.lint.base import Issue, SchemaContext, schema_rule, unresolved_ref
from reflekt.core.lint.examples import bad, good
from reflekt.core.schemas import json_kind


def _missing_description(schema: Any) -> str | None:
    """Why a schema's description is not usable, or None when it is fine."""
    if not isinstance(schema, dict) or "description" not in schema:
        return "has no description"
    description = schema["description"]
    if not isinstance(description, str):
        return f"has a description that is not a string ({json_kind(description)})"
    if not description.strip():
        return "has an empty description"
    return None


@schema_rule(
    "RF401",
    "event-description",
    summary="The event has a non-empty description.",
    examples=(
        bad({"description": ""}),
        good({"description": "The user viewed their shopping cart."}),
    ),
)
def event_description(ctx: SchemaContext) -> Iterator[Issue]:
    """The description is what analysts read in the docs and in dbt."""
    body = ctx.body or {}
    why = _missing_description(body)
    if why:
        at = ("description",) if "description" in body else ()
        yield Issue(f"the event {why}", at=at)


@schema_rule(
    "RF402",
    "property-description",
    summary="Every property (nested ones too) has a non-empty description.",
    examples=(
        bad({"properties": {"cart_id": {"type": "string"}}}),
        bad(
            {
                "properties": {
                    "cart": {
                        "type": "object",
                        "description": "The cart.",
                        "properties": {"cart_id": {"type": "string", "description": " "}},
                    }
                }
            }
        ),
        good({"properties": {"cart_id": {"type": "string", "description": "The cart's id."}}}),
    ),
)
def property_description(ctx: SchemaContext) -> Iterator[Issue]:
    """Each property is documented, at every depth."""
    for prop in ctx.properties:
        why = _missing_description(prop.schema)
        if why and not unresolved_ref(prop.schema):
            yield Issue(f'property "{prop.dotted}" {why}', at=prop.at, property=prop.dotted)
