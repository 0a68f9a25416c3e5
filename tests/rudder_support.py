"""Shared by the RudderStack tests: an event RudderStack's warehouse destination renames."""

from __future__ import annotations

# A track event RudderStack must rename: `Order` is a reserved word (table `_order`), its
# property `from` one too (column `_from`), `Plan v2` keeps its number (`plan_v2`).
ORDER_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "segment/ecommerce/Order/1-0.json",
    "description": "An order was placed (named by a reserved word).",
    "self": {
        "vendor": "com.reflekt_demo",
        "name": "Order",
        "format": "jsonschema",
        "version": "1-0",
    },
    "metadata": {},
    "type": "object",
    "properties": {
        "from": {"type": "string", "description": "Where the order came from."},
        "Plan v2": {"type": "string", "description": "The plan, second edition."},
        "amount": {"type": "number", "description": "Amount.", "minimum": 0},
    },
    "required": ["amount"],
    "additionalProperties": False,
}
