"""TUI fixtures: a small shop project on disk, and helpers to drive the app with Pilot."""

from __future__ import annotations

from collections.abc import Callable

import pytest

BROKEN_TEXT = '{\n  "type": "object",\n  "properties": {\n'

CART_PROPERTIES = {
    "cart_id": {"type": "string", "description": "The cart."},
    "products": {
        "type": "array",
        "description": "Products in the cart.",
        "items": {
            "type": "object",
            "properties": {
                "sku": {"type": "string", "description": "Stock keeping unit."},
                "price": {"type": "number", "description": "Unit price."},
            },
            "required": ["sku"],
        },
    },
}


@pytest.fixture
def shop(make_project: Callable):
    """A project with two plans, a few events, several versions and one unreadable file."""
    project = make_project(name="shop")
    project.add_schema(
        "segment/ecommerce/Cart_Viewed/1-0",
        CART_PROPERTIES,
        required=["cart_id"],
        metadata={"owner": "growth", "product_area": "checkout"},
        description="A user viewed their cart.",
    )
    project.add_schema(
        "segment/ecommerce/Cart_Viewed/1-1",
        {**CART_PROPERTIES, "coupon": {"type": ["string", "null"], "description": "Coupon."}},
        required=["cart_id"],
        description="A user viewed their cart.",
    )
    project.add_schema(
        "segment/ecommerce/Order_Completed/1-0",
        {"order_id": {"type": "string", "description": "The order."}},
        required=["order_id"],
        description="A user completed an order.",
    )
    project.add_schema(
        "segment/marketing/Email_Opened/1-0",
        {"campaign": {"type": "string", "description": "Campaign name."}},
        description="A user opened a marketing email.",
    )
    project.write_raw("schemas/segment/ecommerce/Broken_Event/1-0.json", BROKEN_TEXT)
    return project
