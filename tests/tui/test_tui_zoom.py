"""z zooms the pane with the focus to full width; Enter on a property shows it in full."""

from __future__ import annotations

from textual.widgets import DataTable, Static
from tui_support import drive, make_app, settle

from reflekt.tui.screens.property_detail import PropertyScreen
from reflekt.tui.widgets.schema_tree import SchemaTree
from reflekt.tui.widgets.schema_view import SchemaView

LONG = "A very long description that a table cell cuts. " * 8


def test_z_zooms_the_focused_pane_and_back(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        sidebar, tabs = screen.query_one("#sidebar"), screen.query_one("#tabs")
        screen.query_one(SchemaTree).focus()
        await pilot.press("z")
        await settle(pilot)
        assert not tabs.display and sidebar.outer_size.width == pilot.app.size.width
        await pilot.press("z")
        await settle(pilot)
        assert tabs.display and sidebar.display
        narrow = screen.query_one(SchemaView).size.width
        screen.query_one(SchemaView).query_one("#properties", DataTable).focus()
        await pilot.press("z")
        await settle(pilot)
        assert not sidebar.display
        assert screen.query_one(SchemaView).size.width > narrow

    drive(make_app(shop.root), scenario)


def test_enter_on_a_property_shows_it_in_full(shop):
    shop.add_schema(
        "segment/ecommerce/Coupon_Used/1-0",
        {"code": {"type": "string", "description": LONG, "maxLength": 12}},
        required=["code"],
    )

    async def scenario(pilot):
        screen = pilot.app.main_screen
        assert screen.query_one(SchemaTree).select_key("segment/ecommerce/Coupon_Used/1-0.json")
        await settle(pilot)
        table = screen.query_one(SchemaView).query_one("#properties", DataTable)
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PropertyScreen)
        shown = pilot.app.screen.query_one("#property-detail", Static).render().plain
        assert LONG.strip() in " ".join(shown.split())
        assert '"maxLength": 12' in shown and "required" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, PropertyScreen)

    drive(make_app(shop.root), scenario)
