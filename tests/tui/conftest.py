"""TUI fixtures: a small shop project on disk, and helpers to drive the app with Pilot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tui_support import SEGMENT_TOKEN

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


# -- a local Segment server (the registries helper's fake, reused) -----------------------------

_FAKES = Path(__file__).resolve().parents[1] / "integration" / "registries"


@pytest.fixture
def segment(monkeypatch: pytest.MonkeyPatch):
    """The fake Segment Public API from tests/integration/registries, on a local port."""
    import sys

    if str(_FAKES) not in sys.path:
        sys.path.insert(0, str(_FAKES))
    from registry_fakes import FakeSegment

    monkeypatch.setenv("REFLEKT_HTTP_MAX_WAIT", "0")
    monkeypatch.setenv("REFLEKT_HTTP_TIMEOUT", "10")
    server = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    yield server
    server.stop()


def _with_warehouse(shop, tmp_path: Path, skip: set[str], **kwargs):
    """The shop (minus its unreadable file) with a DuckDB warehouse of its events (but
    `skip`), source `wh` of its profile; `kwargs` go to `create_demo_warehouse`."""
    from reflekt.core.schemas import list_schema_files
    from reflekt.demo.warehouse import create_demo_warehouse

    broken = shop.schemas_dir / "segment/ecommerce/Broken_Event/1-0.json"
    broken.unlink()
    broken.parent.rmdir()
    db_path = tmp_path / "warehouse.duckdb"
    files = list_schema_files(shop.schemas_dir)
    create_demo_warehouse(db_path, files, shop.schemas_dir, skip, seed=3, **kwargs)
    shop.write_profiles(
        {"version": 1.0, "dev": {"source": [{"id": "wh", "type": "duckdb", "path": str(db_path)}]}}
    )
    return shop


@pytest.fixture
def warehouse_shop(shop, tmp_path: Path):
    """The shop (minus its unreadable file) with a DuckDB warehouse lacking `email_opened`."""
    return _with_warehouse(shop, tmp_path, {"Email Opened"})


@pytest.fixture
def rudder_shop(shop, tmp_path: Path):
    """The shop with the warehouse a RudderStack destination writes, schema `rudder_prod`."""
    return _with_warehouse(shop, tmp_path, set(), schema="rudder_prod", sdk="rudderstack")
