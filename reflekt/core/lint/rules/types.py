"""RF5xx: every property has a type the project allows; `required` names real properties."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from reflekt.core.lint.base import (
    Issue,
    SchemaContext,
    property_types,
    schema_rule,
    unresolved_ref,
)
from reflekt.core.lint.examples import bad, good

_CART_ID = {"type": "string", "description": "The cart's id."}


@schema_rule(
    "RF501",
    "property-type",
    summary="Every property (nested ones too) has a `type`.",
    examples=(
        bad({"properties": {"cart_id": {"description": "The cart's id."}}}),
        good({"properties": {"cart_id": _CART_ID}}),
        good(
            {
                "properties": {
                    "cart_id": {
                        "anyOf": [{"type": "string"}, {"type": "integer"}],
                        "description": "The cart's id.",
                    }
                }
            }
        ),
    ),
)
def property_type(ctx: SchemaContext) -> Iterator[Issue]:
    """The dbt builder casts each column by its type; a property without one cannot be built.
    A property whose `anyOf`/`oneOf` branches all have a type counts as typed.
    """
    for prop in ctx.properties:
        if property_types(prop.schema) is None and not unresolved_ref(prop.schema):
            yield Issue(f'property "{prop.dotted}" has no type', at=prop.at, property=prop.dotted)


def _type_label(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


@schema_rule(
    "RF502",
    "data-types",
    summary="Every type used is one of the project's `data_types`.",
    examples=(
        bad(
            {"properties": {"price": {"type": "number", "description": "The price."}}},
            conventions={"data_types": ["string", "integer"]},
        ),
        good(
            {"properties": {"price": {"type": "number", "description": "The price."}}},
            conventions={"data_types": ["string", "integer", "number"]},
        ),
    ),
)
def data_types(ctx: SchemaContext) -> Iterator[Issue]:
    """Only the types listed in `conventions.data_types` may be used."""
    allowed = ctx.project.conventions.data_types
    for prop in ctx.properties:
        types = property_types(prop.schema) or []
        bad = [t for t in types if not isinstance(t, str) or t not in allowed]
        if bad:
            labels = ", ".join(_type_label(t) for t in bad)
            yield Issue(
                f'property "{prop.dotted}" uses type {labels}, not in data_types '
                f"({', '.join(allowed)})",
                at=(*prop.at, "type")
                if isinstance(prop.schema, dict) and "type" in prop.schema
                else prop.at,
                property=prop.dotted,
            )


def _required_lists(node: Any, at: tuple, dotted: str) -> Iterator[tuple[Any, dict, tuple, str]]:
    """(required, properties, JSON path of the node, dotted path) for each object schema."""
    if not isinstance(node, dict):
        return
    props = node.get("properties")
    # `properties` that is not an object is RF102's finding; checking `required` against it
    # would only repeat it once per name.
    if "required" in node and (props is None or isinstance(props, dict)):
        yield node["required"], props or {}, at, dotted
    if isinstance(props, dict):
        for name, sub in props.items():
            yield from _required_lists(
                sub, (*at, "properties", name), f"{dotted}.{name}" if dotted else str(name)
            )
    items = node.get("items")
    if isinstance(items, dict):
        yield from _required_lists(items, (*at, "items"), f"{dotted}.items" if dotted else "items")


@schema_rule(
    "RF503",
    "required-exists",
    summary="Every name in `required` is a property of the same object.",
    examples=(
        bad({"properties": {"cart_id": _CART_ID}, "required": ["cartId"]}),
        good({"properties": {"cart_id": _CART_ID}, "required": ["cart_id"]}),
    ),
)
def required_exists(ctx: SchemaContext) -> Iterator[Issue]:
    """A required name that is not a property is usually a typo or a removed property."""
    for required, props, at, dotted in _required_lists(ctx.body, (), ""):
        if not isinstance(required, list):
            continue  # RF102 (draft-07) reports a `required` that is not a list
        for index, name in enumerate(required):
            where = f' of "{dotted}"' if dotted else ""
            if not isinstance(name, str):
                yield Issue(
                    f"`required`{where} holds {json.dumps(name)}, which is not a property name",
                    at=(*at, "required", index),
                    property=dotted or None,
                )
            elif name not in props:
                yield Issue(
                    f'"{name}" is in `required`{where} but is not a property',
                    at=(*at, "required", index),
                    property=f"{dotted}.{name}" if dotted else name,
                )
