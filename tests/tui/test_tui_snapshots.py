"""SVG snapshots (pytest-textual-snapshot) of the main screens at 120x40 (and 80x24).

Regenerate after an intended change: `pytest tests/tui/test_tui_snapshots.py --snapshot-update`.
Nothing shown here holds a temp path or a time, so the pictures are stable.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input
from tui_support import make_app, settle, track_rule, use_segment

from reflekt.tui.widgets.schema_tree import SchemaTree

SIZE = (120, 40)
SMALL = (80, 24)


async def ready(pilot) -> None:
    await settle(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    screen = pilot.app.main_screen
    if screen is not None:  # the lint time on the context line varies: a fixed one
        screen.show_activity(f"linted {screen.linted_schemas} in 0.1 s")


def test_main_screen(shop, snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        pilot.app.screen.query_one(SchemaTree).select_key("segment/ecommerce/Cart_Viewed/1-0.json")
        await pilot.pause()

    assert snap_compare(make_app(shop.root), terminal_size=SIZE, run_before=run_before)


def test_main_screen_80x24(shop, snap_compare):
    """A small terminal: the description column wraps in what is left, help and quit stay
    in the footer (issue 13, defect 15)."""

    async def run_before(pilot):
        await ready(pilot)
        pilot.app.screen.query_one(SchemaTree).select_key("segment/ecommerce/Cart_Viewed/1-0.json")
        await pilot.pause()

    assert snap_compare(make_app(shop.root), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_lint_panel(shop, snap_compare, size):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("2")

    assert snap_compare(make_app(shop.root), terminal_size=size, run_before=run_before)


def seed_diff(shop, segment) -> None:
    broken = shop.schemas_dir / "segment/ecommerce/Broken_Event/1-0.json"
    broken.unlink()
    broken.parent.rmdir()
    segment.add_plan(
        "ecommerce",
        [
            track_rule(
                "Cart Viewed",
                {"cart_id": {"type": ["string"], "description": "The cart."}},
                ["cart_id"],
            ),
            track_rule(
                "Order Completed",
                {
                    "order_id": {"type": ["string"], "description": "The order."},
                    "total": {"type": ["number"], "description": "Order total."},
                },
                ["order_id", "total"],
            ),
        ],
    )
    use_segment(shop, segment)


def test_diff_view(shop, segment, snap_compare):
    seed_diff(shop, segment)

    async def run_before(pilot):
        await ready(pilot)
        pilot.app.screen.query_one(SchemaTree).select_key("segment/ecommerce")
        await pilot.press("d")
        await settle(pilot)

    assert snap_compare(make_app(shop.root), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_diff_side_by_side(shop, segment, snap_compare, size):
    seed_diff(shop, segment)

    async def run_before(pilot):
        await ready(pilot)
        pilot.app.screen.query_one(SchemaTree).select_key("segment/ecommerce")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)

    assert snap_compare(make_app(shop.root), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_build_wizard_preview(warehouse_shop, snap_compare, size):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        await pilot.press("a")  # tick every event
        await pilot.press("ctrl+n")
        await settle(pilot)
        wizard.query_one("#wizard-schema", Input).value = "segment_prod"
        await pilot.press("ctrl+n")
        await settle(pilot)
        for box in wizard.query(Input):
            box.cursor_blink = False

    assert snap_compare(make_app(warehouse_shop.root), terminal_size=size, run_before=run_before)
