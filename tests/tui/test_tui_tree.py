"""Schema tree, filter, schema view, help, palette and the no-project screen, through Pilot."""

from __future__ import annotations

import re

from textual.widgets import DataTable, Input, Static
from tui_support import drive, make_app, settle, toasts

from reflekt.tui.screens.help import HelpScreen
from reflekt.tui.screens.problem import ProblemScreen
from reflekt.tui.widgets.schema_tree import SchemaTree
from reflekt.tui.widgets.schema_view import SchemaView

BADGE = re.compile(r" [✗▲]\d+")


def labels(tree: SchemaTree) -> list[str]:
    """Visible lines of the tree, as plain text."""
    out = []
    line = 0
    while (node := tree.get_node_at_line(line)) is not None:
        plain = BADGE.sub("", node.label.plain)
        out.append(f"{'  ' * (len(list(_ancestors(node))) - 1)}{plain}")
        line += 1
    return out


def _ancestors(node):
    while node.parent is not None:
        yield node.parent
        node = node.parent


def test_navigate_tree_and_open_a_schema(shop):
    async def scenario(pilot):
        tree = pilot.app.screen.query_one(SchemaTree)
        assert tree.has_focus
        shown = labels(tree)
        assert shown[0].startswith("segment (4)")
        assert any("Cart_Viewed 1-1" in line for line in shown)
        # The cursor starts on the first event (so the schema view is never empty).
        view = pilot.app.screen.query_one(SchemaView)
        assert view.entry.id == "segment/ecommerce/Broken_Event/1-0.json"
        await pilot.press("down")  # Cart_Viewed
        assert view.entry is not None
        assert view.entry.id == "segment/ecommerce/Cart_Viewed/1-1.json"  # latest version
        await pilot.press("enter")  # expand: versions appear
        await pilot.press("down")
        assert view.entry.id == "segment/ecommerce/Cart_Viewed/1-0.json"
        table = view.query_one("#properties", DataTable)
        names = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        assert names == ["cart_id", "products", "  sku", "  price"]
        required = [table.get_row_at(i)[2].plain for i in range(table.row_count)]
        assert required == ["yes", "no", "yes", "no"]
        types = [table.get_row_at(i)[1] for i in range(table.row_count)]
        assert types[1] == "array<object>"
        metadata = str(view.query_one("#schema-metadata", Static).render())
        assert "owner: growth" in metadata
        # Raw JSON toggle shows the file's text.
        await pilot.press("r")
        switcher = view.query_one("#schema-switcher")
        assert switcher.current == "schema-raw"
        await pilot.press("r")
        assert switcher.current == "schema-structured"

    drive(make_app(shop.root), scenario)


def test_broken_file_is_a_marked_node_not_a_crash(shop):
    async def scenario(pilot):
        tree = pilot.app.screen.query_one(SchemaTree)
        assert tree.select_key("segment/ecommerce/Broken_Event/1-0.json")
        await pilot.pause()
        node = tree.cursor_node
        assert "✗" in node.label.plain
        assert "file ends early" in node.label.plain
        assert "(4:1)" in node.label.plain
        view = pilot.app.screen.query_one(SchemaView)
        assert view.entry.broken
        assert view.query_one("#schema-switcher").current == "schema-raw"
        status = str(pilot.app.screen.query_one("#tree-status", Static).render())
        assert "1 unreadable" in status

    drive(make_app(shop.root), scenario)


def test_filter_narrows_the_tree_as_you_type(shop):
    async def scenario(pilot):
        tree = pilot.app.screen.query_one(SchemaTree)
        await pilot.press("slash")
        assert pilot.app.screen.query_one("#filter", Input).has_focus
        await pilot.press("o", "r", "d")
        shown = labels(tree)
        assert [line.strip() for line in shown] == [
            "segment (1)",
            "ecommerce (1)",
            "Order_Completed 1-0",
            "1-0 latest",
        ]
        status = str(pilot.app.screen.query_one("#tree-status", Static).render())
        assert status.startswith("1 of 5 schemas match")
        await pilot.press("backspace", "backspace", "backspace", "m", "a", "i", "l")
        assert any("Email_Opened" in line for line in labels(tree))
        assert not any("Cart_Viewed" in line for line in labels(tree))
        # Enter goes to the tree; Escape in the box clears the filter.
        await pilot.press("enter")
        assert tree.has_focus
        await pilot.press("slash", "escape")
        assert tree.has_focus
        assert any("Cart_Viewed" in line for line in labels(tree))

    drive(make_app(shop.root), scenario)


def test_escape_in_the_tree_clears_the_filter_and_keeps_the_cursor(shop):
    async def scenario(pilot):
        tree = pilot.app.screen.query_one(SchemaTree)
        filter_box = pilot.app.screen.query_one("#filter", Input)
        await pilot.press("slash", "m", "a", "i", "l", "enter")
        assert tree.has_focus
        assert not any("Cart_Viewed" in line for line in labels(tree))
        await pilot.press("down", "down")
        selected = tree.selection_key()
        assert selected and "Email_Opened" in selected
        await pilot.press("escape")
        await pilot.pause()
        assert filter_box.value == ""
        assert any("Cart_Viewed" in line for line in labels(tree))
        assert tree.selection_key() == selected
        assert tree.has_focus

    drive(make_app(shop.root), scenario)


def test_help_lists_bindings_with_ids_and_keymap_remaps_them(shop):
    config = shop.root / "reflekt_project.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\ntui:\n  bindings:\n    main.filter: F\n",
        encoding="utf-8",
    )

    async def scenario(pilot):
        await pilot.press("F")
        assert pilot.app.screen.query_one("#filter", Input).has_focus
        await pilot.press("escape", "question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        table = pilot.app.screen.query_one(DataTable)
        rows = [tuple(table.get_row_at(i)) for i in range(table.row_count)]
        assert ("main screen", "F", "Filter", "main.filter") in rows
        assert any(row[3] == "app.help" for row in rows)
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, HelpScreen)
        # The palette names the remapped key, not the default one.
        helps = {title: text for title, text, _ in pilot.app.palette_commands()}
        assert helps["Filter schemas"].endswith("(F)")
        assert helps["Lint all"].endswith("(L)")

    drive(make_app(shop.root), scenario)


def test_command_palette_runs_an_action(shop):
    async def scenario(pilot):
        tree = pilot.app.screen.query_one(SchemaTree)
        tree.select_key("segment/ecommerce/Order_Completed/1-0.json")
        await pilot.pause()
        await pilot.press("ctrl+p")
        for char in "toggle raw":
            await pilot.press("space" if char == " " else char)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        view = pilot.app.main_screen.query_one(SchemaView)
        assert view.query_one("#schema-switcher").current == "schema-raw"

    drive(make_app(shop.root), scenario)


def test_without_a_project_a_friendly_screen_explains_init_and_demo(tmp_path):
    async def scenario(pilot):
        assert isinstance(pilot.app.screen, ProblemScreen)
        text = str(pilot.app.screen.query_one("#problem", Static).render())
        assert "reflekt init" in text
        assert "reflekt demo" in text
        await pilot.press("q")
        return True

    assert drive(make_app(tmp_path / "nowhere"), scenario)


def test_a_broken_project_file_is_explained(shop):
    (shop.root / "reflekt_project.yml").write_text("name: shop\nnot_a_key: 1\n", encoding="utf-8")

    async def scenario(pilot):
        assert isinstance(pilot.app.screen, ProblemScreen)
        text = str(pilot.app.screen.query_one("#problem", Static).render())
        assert "reflekt_project.yml" in text
        assert "cannot be opened" in text

    drive(make_app(shop.root), scenario)


def test_changed_files_on_disk_update_the_tree(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        shop.add_schema("segment/ecommerce/Order_Completed/2-0", {"order_id": {"type": "string"}})
        (shop.schemas_dir / "segment/ecommerce/Broken_Event/1-0.json").write_text(
            '{"type": "object", "properties": {}}\n', encoding="utf-8"
        )
        worker = screen.check_for_changes()
        assert worker is not None
        await settle(pilot)
        shown = labels(tree)
        assert any("Order_Completed 2-0" in line for line in shown)
        assert not any("✗" in line for line in shown)

    drive(make_app(shop.root), scenario)


def test_deleting_the_shown_schema_shows_what_the_cursor_is_on(shop):
    import shutil

    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        view = screen.query_one(SchemaView)
        tree.select_key("segment/ecommerce/Cart_Viewed")
        await pilot.pause()
        assert view.entry.id == "segment/ecommerce/Cart_Viewed/1-1.json"
        shutil.rmtree(shop.schemas_dir / "segment/ecommerce/Cart_Viewed")
        screen.check_for_changes()
        await settle(pilot)
        assert not any("Cart_Viewed" in line for line in labels(tree))
        # Not a blank view next to a selected event: the event now under the cursor.
        assert tree.selection_key() == "segment/ecommerce/Order_Completed"
        assert view.entry is not None
        assert view.entry.id == "segment/ecommerce/Order_Completed/1-0.json"

    drive(make_app(shop.root), scenario)


def test_edit_opens_the_editor_and_reloads_the_file(shop, tmp_path, monkeypatch):
    script = tmp_path / "editor.py"
    script.write_text(
        "import json, sys\n"
        "path = sys.argv[1]\n"
        "body = json.load(open(path))\n"
        "body['properties']['edited'] = {'type': 'boolean'}\n"
        "json.dump(body, open(path, 'w'))\n",
        encoding="utf-8",
    )
    import sys

    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce/Order_Completed/1-0.json")
        await pilot.pause()
        await pilot.press("e")
        await settle(pilot)
        view = screen.query_one(SchemaView)
        table = view.query_one("#properties", DataTable)
        names = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        assert names == ["order_id", "edited"]

    drive(make_app(shop.root), scenario)


def test_a_missing_editor_is_a_notification_not_a_frozen_terminal(shop, monkeypatch):
    monkeypatch.setenv("EDITOR", "no-such-editor-4f2 --wait")
    monkeypatch.delenv("VISUAL", raising=False)
    order = shop.schemas_dir / "segment/ecommerce/Order_Completed/1-0.json"
    before = order.read_text()

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce/Order_Completed/1-0.json")
        await pilot.pause()
        await pilot.press("e")
        await settle(pilot)
        assert toasts(pilot.app) == [
            "Edit\nThe editor 'no-such-editor-4f2' was not found: set $EDITOR (or $VISUAL) to "
            "an editor on your PATH, e.g. EDITOR=nano reflekt tui"
        ]
        assert pilot.app.screen is screen
        await pilot.press("r")  # still answering keys
        assert screen.query_one(SchemaView).raw

    drive(make_app(shop.root), scenario)
    assert order.read_text() == before


def test_an_empty_project_says_how_to_get_schemas(make_project):
    project = make_project()

    async def scenario(pilot):
        status = str(pilot.app.main_screen.query_one("#tree-status", Static).render())
        assert "No schemas yet" in status
        await pilot.press("d")  # nothing selected: a hint, not a crash
        await pilot.press("e")
        await settle(pilot)
        assert toasts(pilot.app) == [
            "Select an event or a plan in the tree first.",
            "Select a schema first.",
        ]
        await pilot.press("b")  # the build wizard says there is nothing to tick, and why
        await settle(pilot)
        note = str(pilot.app.screen.query_one("#wizard-ticked", Static).render())
        assert "No schemas in this project yet" in note

    drive(make_app(project.root), scenario)


def test_quit_from_the_palette(shop):
    async def scenario(pilot):
        await pilot.press("ctrl+p")
        for char in "quit":
            await pilot.press(char)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        return pilot.app.is_running

    assert drive(make_app(shop.root), scenario) is False


def test_the_user_config_remaps_keys_over_the_project(shop, _isolated_home):
    config = shop.root / "reflekt_project.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\ntui:\n  bindings:\n    main.filter: f\n",
        encoding="utf-8",
    )
    user = _isolated_home / ".reflekt" / "reflekt_tui.yml"
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text("bindings:\n  main.filter: ctrl+g\n  no.such_id: x\n", encoding="utf-8")

    async def scenario(pilot):
        await pilot.press("f")
        assert not pilot.app.screen.query_one("#filter", Input).has_focus
        await pilot.press("ctrl+g")
        assert pilot.app.screen.query_one("#filter", Input).has_focus
        assert toasts(pilot.app) == [
            "tui.bindings: unknown binding id(s): no.such_id (see ? for the ids)"
        ]

    drive(make_app(shop.root), scenario)


def test_a_broken_user_config_is_a_notification(shop, _isolated_home):
    user = _isolated_home / ".reflekt" / "reflekt_tui.yml"
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text("bindings:\n  main.filter: [1, 2]\n", encoding="utf-8")

    async def scenario(pilot):
        assert toasts(pilot.app) == [
            f"TUI settings\n{user}:2: bindings.main.filter: expected a string, got a list"
        ]
        assert pilot.app.main_screen.index is not None  # the app works anyway

    drive(make_app(shop.root), scenario)


def test_the_schema_view_follows_the_filter_when_the_selection_is_filtered_out(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        view = screen.query_one(SchemaView)
        assert view.entry.id.startswith("segment/ecommerce/")  # the first event
        await pilot.press("slash", "m", "a", "i", "l")
        await pilot.pause()
        assert view.entry.id == "segment/marketing/Email_Opened/1-0.json"
        # Actions act on what is shown, not on a node the filter removed.
        assert screen.registry_select() == "segment/marketing/Email_Opened"
        assert screen.query_one("#filter", Input).has_focus  # still typing
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await pilot.pause()
        # Everything shows again: the selection (Email_Opened) is kept.
        assert view.entry.id == "segment/marketing/Email_Opened/1-0.json"

    drive(make_app(shop.root), scenario)


def test_enter_on_a_version_opens_it_in_the_schema_tab(shop):
    from textual.widgets import TabbedContent

    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        await pilot.press("2")  # the lint tab is showing
        tree.select_key("segment/ecommerce/Order_Completed/1-0.json")
        tree.focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "schema"
        properties = screen.query_one("#properties", DataTable)
        assert properties.has_focus
        assert properties.get_row_at(0)[0].plain == "order_id"
        await pilot.press("t")  # back to the tree
        assert tree.has_focus
        # Enter on an event still opens and closes it.
        tree.select_key("segment/ecommerce/Cart_Viewed")
        await pilot.pause()
        expanded = tree.cursor_node.is_expanded
        await pilot.press("enter")
        await pilot.pause()
        assert tree.cursor_node.is_expanded != expanded
        assert tree.has_focus

    drive(make_app(shop.root), scenario)
