"""Shared by the RudderStack tests: an event RudderStack's warehouse destination renames."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

DEMO_PROJECT = Path(__file__).resolve().parents[1] / "reflekt" / "demo" / "project"

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


def add_order(root: Path) -> None:
    """The `Order` event (ORDER_SCHEMA) in the project at `root`."""
    order = root / "schemas/segment/ecommerce/Order/1-0.json"
    order.parent.mkdir(parents=True)
    order.write_text(json.dumps(ORDER_SCHEMA, indent=2), encoding="utf-8")


def demo_with_order(root: Path) -> Path:
    """The demo project copied to `root`, plus `Order`."""
    shutil.copytree(DEMO_PROJECT, root)
    add_order(root)
    return root
