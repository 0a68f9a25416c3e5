"""ctrl+f searches the pane in view (properties, raw JSON, lint findings); n / N step."""

from __future__ import annotations

from textual.widgets import DataTable, Input
from tui_support import drive, make_app, settle, toasts

from reflekt.tui.widgets.lint_panel import FindingsTree
from reflekt.tui.widgets.schema_tree import SchemaTree
from reflekt.tui.widgets.schema_view import SchemaView

CART = "segment/ecommerce/Cart_Viewed/1-1.json"


async def _search(pilot, text: str) -> None:
    await pilot.press("ctrl+f")
    box = pilot.app.main_screen.query_one("#search", Input)
    assert box.display and box.has_focus
    for char in text:
        await pilot.press(char)
    await pilot.press("enter")
    await settle(pilot)


def test_search_the_properties_then_the_raw_json(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        assert screen.query_one(SchemaTree).select_key(CART)
        await settle(pilot)
        table = screen.query_one(SchemaView).query_one("#properties", DataTable)
        table.focus()
        await _search(pilot, "coupon")
        assert table.get_row_at(table.cursor_row)[0].plain == "coupon"
        assert table.has_focus, "the pane searched has the focus back"
        assert any("Match 1 of 1 for 'coupon'" in t for t in toasts(pilot.app))
        await _search(pilot, "zzz-nothing")
        assert any("No match for 'zzz-nothing'" in t for t in toasts(pilot.app))
        # The raw JSON: the match's line is highlighted, n goes on, N back.
        await pilot.press("r")
        await settle(pilot)
        view = screen.query_one(SchemaView)
        await _search(pilot, '"type"')
        text = view.entry.doc.text.splitlines()
        first = view._raw_match
        assert '"type"' in text[first - 1]
        await pilot.press("n")
        second = view._raw_match
        assert second > first and '"type"' in text[second - 1]
        await pilot.press("N")
        assert view._raw_match == first

    drive(make_app(shop.root), scenario)


def test_search_the_lint_findings_and_esc_closes_the_box(shop):
    from test_tui_lint_panel import add_bad_schema

    add_bad_schema(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        await pilot.press("2")
        findings = screen.query_one(FindingsTree)
        await _search(pilot, "rf402")
        assert "RF402" in findings.cursor_row.label.plain
        await pilot.press("ctrl+f")
        await pilot.press("escape")
        await settle(pilot)
        assert not screen.query_one("#search", Input).display
        assert findings.has_focus
        await pilot.press("n")  # the last search again
        assert "RF402" in findings.cursor_row.label.plain

    drive(make_app(shop.root), scenario)
