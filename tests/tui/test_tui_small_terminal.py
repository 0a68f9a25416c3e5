"""An 80x24 terminal: the schema view keeps room, the diff verdict stays visible, modals fit."""

from __future__ import annotations

from textual.widgets import DataTable
from tui_support import drive, make_app, settle, track_rule, use_segment

from reflekt.tui.screens.registry import ConfirmPullScreen
from reflekt.tui.widgets.diff_view import DiffView
from reflekt.tui.widgets.schema_tree import SchemaTree

SMALL = (80, 24)


def test_the_sidebar_leaves_the_schema_view_most_of_a_small_screen(shop):
    async def scenario(pilot):
        sidebar = pilot.app.screen.query_one("#sidebar")
        assert sidebar.size.width <= 32  # 36% of 80 columns, not a fixed 40
        assert pilot.app.screen.query_one("#schema-view").size.width >= 45

    drive(make_app(shop.root), scenario, size=SMALL)


def test_the_diff_verdict_is_visible_and_modals_fit_at_80x24(shop, segment):
    (shop.schemas_dir / "segment/ecommerce/Broken_Event/1-0.json").unlink()
    segment.add_plan(
        "ecommerce",
        [track_rule("Order Completed", {"order_id": {"type": ["integer"]}}, ["order_id"])],
    )
    use_segment(shop, segment)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce")
        await pilot.press("d")
        await settle(pilot)
        table = screen.query_one(DiffView).query_one("#diff-events", DataTable)
        labels = [column.label.plain for column in table.columns.values()]
        assert labels[:2] == ["event", "verdict"]
        # The verdict column starts inside the visible part of the table.
        verdict_x = sum(column.get_render_width(table) for column in table.ordered_columns[:1])
        assert verdict_x < table.size.width
        screen.action_pull()
        await pilot.pause()
        modal = pilot.app.screen
        assert isinstance(modal, ConfirmPullScreen)
        box = modal.query_one(".modal-box").region
        assert box.right <= SMALL[0] and box.bottom <= SMALL[1]
        assert modal.query_one("#pull-yes").region.bottom <= SMALL[1]

    drive(make_app(shop.root), scenario, size=SMALL)


def test_help_fits_a_small_terminal(shop):
    from textual.widgets import Static

    from reflekt.tui.screens.help import HelpScreen

    async def scenario(pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        box = help_screen.query_one("#help-box").region
        assert box.y >= 0 and box.bottom <= SMALL[1] and box.right <= SMALL[0]
        closing = help_screen.query(Static).last()
        assert "Esc closes" in str(closing.render())
        assert closing.region.bottom <= SMALL[1] and closing.region.height == 1

    drive(make_app(shop.root), scenario, size=SMALL)


def test_the_no_project_screen_fits_a_small_terminal(tmp_path):
    async def scenario(pilot):
        box = pilot.app.screen.query_one("#problem")
        assert box.region.x >= 0 and box.region.right <= SMALL[0]
        assert "reflekt demo" in str(box.render())

    drive(make_app(tmp_path), scenario, size=SMALL)


def test_the_wizard_preview_leaves_room_for_the_file_content(warehouse_shop):
    from textual.widgets import Input

    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        await pilot.press("a", "ctrl+n")
        await settle(pilot)
        wizard.query_one("#wizard-schema", Input).value = "segment_prod"
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert wizard.step == 2
        assert wizard.query_one("#wizard-file-scroll").size.width >= 30

    drive(make_app(warehouse_shop.root), scenario, size=SMALL)
