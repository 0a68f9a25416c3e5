"""Panes that must not go stale or hide: reload, lint header, schema pane, badges, toasts, layout.

Issue 13, defects 4, 5, 8, 15, 16, 17, 18: each test failed before its fix.
"""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static
from tui_support import drive, make_app, plain, settle, toasts, track_rule, use_segment

from reflekt.tui.screens.help import HelpScreen
from reflekt.tui.screens.registry import ConfirmPushScreen
from reflekt.tui.widgets.schema_tree import SchemaTree
from reflekt.tui.widgets.schema_view import SchemaView

BAD_ID = "segment/ecommerce/Checkout_Started/1-0.json"
CASING_OFF = "\nlint:\n  rules:\n    RF311: off\n"


def add_bad_schema(shop):
    """An event with a camelCase property: an RF311 error under the default rules."""
    return shop.add_schema(
        "segment/ecommerce/Checkout_Started/1-0",
        {"cartID": {"type": "string", "description": "The cart."}},
        description="A user started checkout.",
    )


def config_text(shop) -> str:
    return (shop.root / "reflekt_project.yml").read_text(encoding="utf-8")


def rules_of(screen) -> set[str]:
    return {f.rule for f in screen.findings if f.schema_id == BAD_ID}


# -- 4: reload re-reads reflekt_project.yml ---------------------------------------------------


def test_ctrl_r_rereads_the_lint_rules_and_says_so(shop):
    add_bad_schema(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        assert "RF311" in rules_of(screen)
        shop.set_config(config_text(shop) + CASING_OFF)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "RF311" not in rules_of(screen)
        assert screen.project.lint_rules == {"RF311": "off"}
        shown = "\n".join(toasts(pilot.app))
        assert "Reloaded project: 6 schemas, lint rules changed" in shown

    drive(make_app(shop.root), scenario)


def test_shift_l_rereads_the_lint_rules_too(shop):
    add_bad_schema(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        shop.set_config(config_text(shop) + CASING_OFF)
        await pilot.press("L")
        await settle(pilot)
        assert "RF311" not in rules_of(screen)
        assert any("lint rules changed" in toast for toast in toasts(pilot.app))

    drive(make_app(shop.root), scenario)


def test_a_broken_config_on_reload_shows_where_and_keeps_the_old_one(shop):
    add_bad_schema(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        old = screen.project
        shop.set_config(config_text(shop) + "lint: [unclosed\n")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.project is old
        assert "RF311" in rules_of(screen)
        shown = "\n".join(toasts(pilot.app))
        assert "reflekt_project.yml:" in shown and "old settings" in shown

    drive(make_app(shop.root), scenario)


# -- 8: the lint header counts the schemas on disk now ---------------------------------------


def test_the_lint_header_counts_added_and_deleted_files(shop):
    (shop.schemas_dir / "segment/ecommerce/Broken_Event/1-0.json").unlink()

    async def scenario(pilot):
        screen = pilot.app.main_screen

        def summary() -> str:
            return str(screen.query_one("#lint-summary", Static).render())

        assert "all 4 schemas" in summary()
        shop.add_schema("segment/marketing/Email_Clicked/1-0", {})
        screen.check_for_changes()
        await settle(pilot)
        assert "all 5 schemas" in summary()
        (shop.schemas_dir / "segment/marketing/Email_Opened/1-0.json").unlink()
        (shop.schemas_dir / "segment/marketing/Email_Clicked/1-0.json").unlink()
        screen.check_for_changes()
        await settle(pilot)
        assert "all 3 schemas" in summary()

    drive(make_app(shop.root), scenario)


# -- 16: the schema pane follows the cursor and the filter ------------------------------------


def header_text(screen) -> str:
    return plain(screen.query_one("#schema-header", Static).render())


def test_a_plan_node_shows_its_summary_not_the_last_schema(shop):
    add_bad_schema(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        tree.select_key("segment/marketing/Email_Opened/1-0.json")
        await pilot.pause()
        tree.select_key("segment/ecommerce")
        await pilot.pause()
        view = screen.query_one(SchemaView)
        assert view.entry is None
        text = header_text(screen)
        assert "segment/ecommerce" in text and "Email_Opened" not in text
        # Cart_Viewed (2 versions), Order_Completed, Checkout_Started, Broken_Event.
        assert "4 events" in text and "5 versions" in text
        assert "errors" in text and "warnings" in text
        table = screen.query_one("#properties", DataTable)
        assert table.row_count == 0
        assert not table.show_header  # no column names over a summary: no schema is shown
        tree.select_key("segment")
        await pilot.pause()
        assert "5 events" in header_text(screen)
        tree.select_key("segment/marketing/Email_Opened/1-0.json")
        await pilot.pause()
        assert table.show_header and table.row_count > 0

    drive(make_app(shop.root), scenario)


def test_a_filter_that_hides_the_shown_event_clears_the_pane(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        tree.select_key("segment/marketing/Email_Opened/1-0.json")
        await pilot.pause()
        await pilot.press("slash", *"zzz")
        await pilot.pause()
        view = screen.query_one(SchemaView)
        assert view.entry is None
        assert "Email_Opened" not in header_text(screen)
        assert "No schema matches" in header_text(screen)

    drive(make_app(shop.root), scenario)


def test_a_burst_of_j_leaves_the_pane_on_the_cursor(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        tree.focus()
        tree.cursor_line = 0
        await pilot.pause()
        for steps in (3, 5, 12):  # 5 lands on the marketing plan
            tree.cursor_line = 0
            await pilot.pause()
            await pilot.press(*"j" * steps)
            await pilot.pause()
            view = screen.query_one(SchemaView)
            expected = tree.schema_id_at_cursor()
            shown = view.entry.id if view.entry is not None else None
            assert shown == expected, (steps, tree.selection_key())
            if expected is None:
                assert tree.selection_key() in header_text(screen)

    drive(make_app(shop.root), scenario)


# -- 17: folder badges follow the filter -------------------------------------------------------


def test_folder_badges_count_only_what_the_filter_shows(shop):
    add_bad_schema(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        tree.select_key("segment/ecommerce")
        assert "✗" in tree.cursor_node.label.plain  # Broken_Event, Checkout_Started
        screen.query_one("#filter", Input).value = "order"
        await pilot.pause()
        tree.select_key("segment/ecommerce")
        label = tree.cursor_node.label.plain
        assert label.startswith("ecommerce (1)"), label
        assert "✗" not in label, label  # Order_Completed is clean
        screen.query_one("#filter", Input).value = "checkout"
        await pilot.pause()
        tree.select_key("segment")
        assert "✗1" in tree.cursor_node.label.plain

    drive(make_app(shop.root), scenario)


# -- 18: the palette's Screenshot works without ~/Downloads -----------------------------------


def test_palette_screenshot_saves_into_the_project_cache(shop, tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)

    async def scenario(pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Screenshot")
        await pilot.pause()
        await pilot.press("enter")
        # The palette delivers on a 0.1 s timer and in a thread: wait for the toast.
        for _ in range(200):
            await pilot.pause(0.02)
            shown = "\n".join(toasts(pilot.app))
            if "screenshot" in shown.lower():
                return shown
        return "\n".join(toasts(pilot.app))

    shown = drive(make_app(shop.root), scenario)
    saved = list((shop.root / ".reflekt_cache").glob("*.svg"))
    assert len(saved) == 1, shown
    assert "Failed" not in shown
    assert ".reflekt_cache" in shown


# -- 5: toasts stay off dialog buttons ---------------------------------------------------------


def visible_toasts(screen) -> list:
    """The part of each toast the user sees (a toast scrolled out of its rack is clipped)."""
    return [screen.find_widget(toast).visible_region for toast in screen.query("Toast")]


def test_toasts_do_not_cover_the_push_dialog_at_60x15(shop, segment):
    segment.add_plan(
        "ecommerce",
        [track_rule("Order Completed", {"order_id": {"type": ["string"]}}, ["order_id"])],
    )
    use_segment(shop, segment)
    (shop.schemas_dir / "segment/ecommerce/Broken_Event/1-0.json").unlink()
    add_bad_schema(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce")
        screen.action_push()  # refused: Checkout_Started has a lint error
        await pilot.pause()
        assert any("Push refused" in toast for toast in toasts(pilot.app))
        screen.action_push(force=True)
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmPushScreen), toasts(pilot.app)
        buttons = [dialog.query_one("#push-yes").region, dialog.query_one("#push-no").region]
        # The toasts that led here (refused, comparing) are gone.
        assert toasts(pilot.app) == []
        for number in range(4):  # more than fit: they still stay off the buttons
            pilot.app.notify(f"Notice {number} while the dialog is open", timeout=10)
        await pilot.pause()
        shown = [region for region in visible_toasts(dialog) if region.area]
        assert shown
        for region in shown:
            assert not any(region.overlaps(button) for button in buttons), (region, buttons)

    drive(make_app(shop.root), scenario, size=(60, 15))


# -- 15: small terminals keep property rows, descriptions, help ids and the footer ----------


def test_the_schema_tab_shows_property_rows_at_60x15(shop):
    shop.add_schema(
        "segment/ecommerce/Cart_Viewed/2-0",
        {"cart_id": {"type": "string", "description": "The cart."}, "total": {"type": "number"}},
        description="A user viewed their cart: sent by the web and the apps when the cart "
        "page opens, also after a coupon is applied or a product is removed.",
        metadata={key: f"value of {key}" for key in ("owner", "area", "team", "tier", "pii")},
    )

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce/Cart_Viewed/2-0.json")
        await pilot.pause()
        table = screen.query_one("#properties", DataTable)
        assert table.row_count == 2
        # The column labels and both property rows are on screen.
        assert table.region.height >= 3, table.region
        assert table.region.bottom <= 15 - 1  # above the footer

    drive(make_app(shop.root), scenario, size=(60, 15))


def test_descriptions_get_the_remaining_width_at_80x24(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce/Cart_Viewed/1-0.json")
        await pilot.pause()
        table = screen.query_one("#properties", DataTable)
        widths = [column.get_render_width(table) for column in table.ordered_columns]
        assert widths[-1] >= 18, widths
        assert sum(widths) <= table.size.width
        shown = " ".join(
            line.text for line in (table.render_line(y) for y in range(table.size.height))
        ).split()
        for word in ["Products", "in", "the", "cart.", "Stock", "keeping", "unit."]:
            assert word in shown, shown

    drive(make_app(shop.root), scenario, size=(80, 24))


def test_help_shows_the_binding_ids_at_80x24(shop):
    async def scenario(pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        table = help_screen.query_one("#help-table", DataTable)
        widths = [column.get_render_width(table) for column in table.ordered_columns]
        id_width = max(len(row.id) for row in help_screen.rows)
        assert widths[-1] >= id_width + 2 or widths[0] >= id_width + 2
        assert sum(widths) <= table.size.width, (widths, table.size.width)

    drive(make_app(shop.root), scenario, size=(80, 24))


def test_the_footer_keeps_help_and_quit_at_80x24(shop):
    async def scenario(pilot):
        footer_keys = pilot.app.screen.query("FooterKey")
        shown = {key.action: key.region for key in footer_keys}
        for action in ("app.help", "app.quit"):
            region = next((r for a, r in shown.items() if a.endswith(action.split(".")[1])), None)
            assert region is not None and region.width > 0, shown
            assert region.right <= 80, (action, region)

    drive(make_app(shop.root), scenario, size=(80, 24))


def test_ctrl_r_applies_changed_key_remaps(shop):
    """Reload re-reads `tui.bindings` too: a new remap works at once, the old one is gone."""
    from textual.widgets import Input

    shop.set_config(config_text(shop) + "\ntui:\n  bindings:\n    main.filter: F\n")

    async def scenario(pilot):
        screen = pilot.app.main_screen
        box = screen.query_one("#filter", Input)
        await pilot.press("F")
        assert box.has_focus
        await pilot.press("escape", "t")
        shop.set_config(config_text(shop).replace("main.filter: F", "main.filter: G"))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert any("key remaps applied" in toast for toast in toasts(pilot.app))
        await pilot.press("F")
        assert not box.has_focus
        await pilot.press("G")
        assert box.has_focus

    drive(make_app(shop.root), scenario)
