"""RF3xx: event and property names follow the project's conventions.

Conventions come from `schemas.conventions.event` / `.property` in reflekt_project.yml:
`casing` (see `reflekt.core.casing` for the exact patterns), `numbers` (digits allowed?) and
`reserved` (names that may not be used, compared case-insensitively).
"""

from __future__ import annotations

from collections.abc import Iterator

from reflekt.core import casing
from reflekt.core.jsonpath import JsonPath
from reflekt.core.lint.base import Issue, SchemaContext, schema_rule
from reflekt.core.lint.examples import bad, good
from reflekt.core.platforms.segment import is_flattened
from reflekt.core.project import NamingConvention

_TEXT = {"type": "string", "description": "A text."}


def _products(item_property: str) -> dict[str, object]:
    """A schema whose `products` array holds objects with one property named `item_property`."""
    item = {"type": "object", "properties": {item_property: _TEXT}}
    return {"properties": {"products": {"type": "array", "description": "Items.", "items": item}}}


def _event_name(ctx: SchemaContext) -> str | None:
    name = ctx.self_block.get("name")
    return name if isinstance(name, str) else None


def _casing_issue(
    kind: str,
    name: str,
    convention: NamingConvention,
    shown: str | None = None,
    *,
    at: JsonPath = (),
    property: str | None = None,
) -> Issue | None:
    """`shown` names it in the message (a nested property's dotted path); default `name`."""
    wanted = convention.effective_casing
    if casing.matches(name, wanted):
        return None
    suggestion: str | None = casing.suggest(name, wanted)
    if suggestion == name or not casing.matches(suggestion or "", wanted):
        suggestion = None
    hint = f' (suggestion: "{suggestion}")' if suggestion else ""
    return Issue(
        f'{kind} "{shown or name}" is not {casing.DESCRIPTIONS[wanted]}{hint}',
        at=at,
        property=property,
        suggestion=suggestion,
    )


def _is_reserved(name: str, convention: NamingConvention) -> bool:
    return name.casefold() in {reserved.casefold() for reserved in convention.reserved}


@schema_rule(
    "RF301",
    "event-casing",
    summary="The event name follows the event casing.",
    examples=(
        bad({"self": {"name": "cart viewed"}}, conventions={"event": {"casing": "title"}}),
        bad({"self": {"name": "Cart Viewed"}}, conventions={"event": {"casing": "snake"}}),
        good({"self": {"name": "Cart Viewed"}}, conventions={"event": {"casing": "title"}}),
        good({"self": {"name": "cart_viewed"}}, conventions={"event": {"casing": "snake"}}),
    ),
)
def event_casing(ctx: SchemaContext) -> Iterator[Issue]:
    """`self.name` follows `conventions.event.casing`; the finding suggests the fix."""
    name = _event_name(ctx)
    if name is None:
        return
    issue = _casing_issue("event name", name, ctx.project.conventions.event, at=("self", "name"))
    if issue:
        yield issue


@schema_rule(
    "RF302",
    "event-numbers",
    summary="The event name has no digits when `numbers: false`.",
    examples=(
        bad({"self": {"name": "Step 2 Completed"}}, conventions={"event": {"numbers": False}}),
        good(
            {"self": {"name": "Shipping Step Completed"}},
            conventions={"event": {"numbers": False}},
        ),
        good({"self": {"name": "Step 2 Completed"}}, conventions={"event": {"numbers": True}}),
    ),
)
def event_numbers(ctx: SchemaContext) -> Iterator[Issue]:
    """Digits in event names are allowed only with `conventions.event.numbers: true`."""
    name = _event_name(ctx)
    if name is None or ctx.project.conventions.event.numbers or not casing.has_digits(name):
        return
    yield Issue(
        f'event name "{name}" contains digits (conventions.event.numbers is false)',
        at=("self", "name"),
    )


@schema_rule(
    "RF303",
    "event-reserved",
    summary="The event name is not a reserved name.",
    examples=(
        bad({"self": {"name": "Identify"}}, conventions={"event": {"reserved": ["identify"]}}),
        good(
            {"self": {"name": "User Identified"}},
            conventions={"event": {"reserved": ["Identify"]}},
        ),
    ),
)
def event_reserved(ctx: SchemaContext) -> Iterator[Issue]:
    """Names listed in `conventions.event.reserved` may not be used (case-insensitive)."""
    name = _event_name(ctx)
    if name is not None and _is_reserved(name, ctx.project.conventions.event):
        yield Issue(f'event name "{name}" is reserved', at=("self", "name"))


@schema_rule(
    "RF311",
    "property-casing",
    summary="Every property name (nested objects and array items too) follows the property casing.",
    examples=(
        bad({"properties": {"cartId": _TEXT}}, conventions={"property": {"casing": "snake"}}),
        bad(_products("productId"), conventions={"property": {"casing": "snake"}}),
        good(_products("product_id"), conventions={"property": {"casing": "snake"}}),
        good(
            _products("productId"),
            conventions={"property": {"casing": "camel", "capitalize_camel": False}},
        ),
    ),
)
def property_casing(ctx: SchemaContext) -> Iterator[Issue]:
    """Property names follow `conventions.property.casing`, at every depth."""
    convention = ctx.project.conventions.property
    if convention.effective_casing == "any":
        return
    for prop in ctx.properties:
        issue = _casing_issue(
            "property", prop.name, convention, prop.dotted, at=prop.at, property=prop.dotted
        )
        if issue:
            yield issue


@schema_rule(
    "RF312",
    "property-numbers",
    summary="Property names have no digits when `numbers: false`.",
    examples=(
        bad(
            {"properties": {"address_line2": _TEXT}},
            conventions={"property": {"numbers": False}},
        ),
        good(
            {"properties": {"address_line_second": _TEXT}},
            conventions={"property": {"numbers": False}},
        ),
    ),
)
def property_numbers(ctx: SchemaContext) -> Iterator[Issue]:
    """Digits in property names are allowed only with `conventions.property.numbers: true`."""
    if ctx.project.conventions.property.numbers:
        return
    for prop in ctx.properties:
        if casing.has_digits(prop.name):
            yield Issue(
                f'property "{prop.dotted}" contains digits (conventions.property.numbers is false)',
                at=prop.at,
                property=prop.dotted,
            )


@schema_rule(
    "RF313",
    "property-reserved",
    summary="No property uses a reserved name.",
    examples=(
        bad(
            {"properties": {"timestamp": _TEXT}},
            conventions={"property": {"reserved": ["timestamp"]}},
        ),
        good(
            {"properties": {"viewed_at": _TEXT}},
            conventions={"property": {"reserved": ["timestamp"]}},
        ),
    ),
)
def property_reserved(ctx: SchemaContext) -> Iterator[Issue]:
    """Names listed in `conventions.property.reserved` may not be used (case-insensitive)."""
    convention = ctx.project.conventions.property
    if not convention.reserved:
        return
    for prop in ctx.properties:
        if _is_reserved(prop.name, convention):
            yield Issue(f'property "{prop.dotted}" is reserved', at=prop.at, property=prop.dotted)


@schema_rule(
    "RF314",
    "column-collision",
    summary="No two properties land on the same warehouse column after snake_casing.",
    examples=(
        bad(
            {"properties": {"productId": _TEXT, "product_id": _TEXT}},
            conventions={"property": {"casing": "any"}},
        ),
        bad(
            {
                "properties": {
                    "address_city": _TEXT,
                    "address": {
                        "type": "object",
                        "description": "Where to ship.",
                        "properties": {"city": _TEXT},
                    },
                }
            }
        ),
        good({"properties": {"product_id": _TEXT}}),
    ),
)
def column_collision(ctx: SchemaContext) -> Iterator[Issue]:
    """Warehouse columns are snake_cased (nested objects flatten to `parent_child`), so
    `productId` and `product_id` would both be the column `product_id`."""
    first_seen: dict[tuple[str, str], str] = {}
    for prop in ctx.properties:
        if is_flattened(prop.schema):
            continue  # no column of its own: its leaves are the columns
        key = (prop.scope, prop.column)
        other = first_seen.setdefault(key, prop.dotted)
        if other != prop.dotted:
            yield Issue(
                f'properties "{other}" and "{prop.dotted}" both land on the warehouse '
                f'column "{prop.column}"',
                at=prop.at,
                property=prop.dotted,
            )
