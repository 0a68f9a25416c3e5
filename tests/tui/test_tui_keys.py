"""Keys and focus (issue 13): the filter owns its keys, tabs from anywhere, remaps checked,
the same keys in every tree, q/Esc close the innermost dialog, quitting does not wait."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TabbedContent
from tui_support import drive, make_app, settle

from reflekt.tui.widgets.schema_view import SchemaView


def burst(app, keys: str) -> None:
    """Keys typed faster than the app handles them: all queued before the first is handled."""
    for char in keys:
        name = {"/": "slash"}.get(char, char)
        app.post_message(events.Key(name, char))


def test_keys_typed_right_after_slash_go_to_the_filter(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        await pilot.press("3")  # the diff tab, focus in its table
        assert screen.query_one(TabbedContent).active == "diff"
        burst(pilot.app, "/ecommerce/cart")  # r would toggle raw JSON, t focus the tree
        await settle(pilot)
        assert screen.query_one("#filter", Input).value == "ecommerce/cart"  # `/` is text here
        assert screen.query_one("#filter", Input).has_focus
        assert screen.query_one(TabbedContent).active == "diff"
        assert not screen.query_one(SchemaView).raw

    drive(make_app(shop.root), scenario)


def test_1_and_show_schema_leave_the_diff_tab(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        tabs = screen.query_one(TabbedContent)
        await pilot.press("3")
        assert pilot.app.focused.id == "diff-events"
        await pilot.press("1")
        await settle(pilot)
        assert tabs.active == "schema"
        await pilot.press("3")
        assert tabs.active == "diff"
        show = {title: run for title, _, run in pilot.app.palette_commands()}["Show schema"]
        show()
        await settle(pilot)
        assert tabs.active == "schema"

    drive(make_app(shop.root), scenario)
