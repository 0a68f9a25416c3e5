"""Keys and focus (issue 13): the filter owns its keys, tabs from anywhere, remaps checked,
the same keys in every tree, q/Esc close the innermost dialog, quitting does not wait."""

from __future__ import annotations

from slow_server_support import HOLD_AT_MOST_S, SlowServer
from textual import events
from textual.widgets import DataTable, Input, Static, TabbedContent
from tui_support import drive, make_app, plain, settle, toasts, use_segment

from reflekt.tui.screens.build_wizard import BuildWizard
from reflekt.tui.screens.confirm_quit import ConfirmQuitScreen
from reflekt.tui.screens.help import HelpScreen
from reflekt.tui.widgets.check_tree import CheckTree
from reflekt.tui.widgets.lint_panel import FindingsTree
from reflekt.tui.widgets.schema_tree import SchemaTree
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


def test_the_wizard_tree_takes_the_keys_of_the_schema_tree(shop):
    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        assert isinstance(wizard, BuildWizard)
        tree = wizard.query_one(CheckTree)
        assert tree.has_focus
        names = []
        for key in ("j", "j", "k", "down"):  # segment > ecommerce > Broken_Event ...
            await pilot.press(key)
            names.append(tree.cursor_node.data.name)
        assert names == ["ecommerce", "Broken_Event", "ecommerce", "Broken_Event"]
        await pilot.press("h")  # on a leaf: to its parent
        assert tree.cursor_node.data.name == "ecommerce"
        await pilot.press("h")  # open: close it
        assert not tree.cursor_node.is_expanded
        await pilot.press("l")
        assert tree.cursor_node.is_expanded
        await pilot.press("left", "right")
        assert tree.cursor_node.is_expanded
        # The lint findings tree too.
        await pilot.press("escape", "2")
        await settle(pilot)
        findings = pilot.app.main_screen.query_one(FindingsTree)
        assert findings.has_focus
        assert findings.cursor_line == findings.last_line == 1
        await pilot.press("k")
        assert findings.cursor_line == 0
        await pilot.press("j")
        assert findings.cursor_line == 1

    drive(make_app(shop.root), scenario)


def test_q_closes_the_wizard_and_quitting_from_a_dialog_asks(shop):
    async def scenario(pilot):
        app = pilot.app
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BuildWizard)
        await pilot.press("q")
        await settle(pilot)
        assert app.is_running
        assert app.screen is app.main_screen
        await pilot.press("question_mark", "q")  # help: q closes it too
        assert app.screen is app.main_screen
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("ctrl+q")  # quit from the wizard: asked first
        assert isinstance(app.screen, ConfirmQuitScreen)
        await pilot.press("n")
        assert isinstance(app.screen, BuildWizard)
        assert app.is_running
        await pilot.press("ctrl+q", "y")
        await settle(pilot)
        return app.is_running

    assert drive(make_app(shop.root), scenario) is False


def test_q_on_the_main_screen_quits(shop):
    async def scenario(pilot):
        await pilot.press("q")
        await settle(pilot)
        return pilot.app.is_running

    assert drive(make_app(shop.root), scenario) is False


def test_quitting_during_a_slow_registry_call_does_not_wait_for_it(shop, monkeypatch):
    """The diff's worker is still waiting for the registry: the app exits at once."""
    import asyncio

    monkeypatch.setenv("REFLEKT_HTTP_MAX_WAIT", "0")
    monkeypatch.setenv("REFLEKT_HTTP_TIMEOUT", "60")  # longer than the server holds
    with SlowServer() as server:
        use_segment(shop, server)

        async def scenario(pilot):
            tree = pilot.app.main_screen.query_one(SchemaTree)
            tree.select_key("segment/ecommerce/Cart_Viewed")
            await pilot.press("d")
            assert await asyncio.to_thread(server.received.wait, HOLD_AT_MOST_S)
            await pilot.press("q")
            await pilot.pause()
            return pilot.app.is_running

        assert drive(make_app(shop.root), scenario) is False
        # Back from the app while the registry still holds its reply: nothing waited for it.
        assert not server.replied.is_set()


def test_remaps_to_a_non_key_or_a_taken_key_are_reported_and_not_applied(shop, _isolated_home):
    config = shop.root / "reflekt_project.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "\ntui:\n  bindings:\n    main.filter: 'not a key!!'\n    main.diff: j\n"
        + "    main.lint_all: ctrl+l\n",
        encoding="utf-8",
    )
    problems = [
        "main.filter: 'not a key!!' is not a key (a character, or a name such as escape, f5, "
        "ctrl+l); the default key is kept",
        "main.diff: j is already tree.down (every tree); the default key is kept",
    ]

    async def scenario(pilot):
        app = pilot.app
        assert toasts(app) == [
            "tui.bindings\n" + "\n".join(problems) + "\n(? lists them again, with every key)"
        ]
        tree = app.main_screen.query_one(SchemaTree)
        line = tree.cursor_line
        await pilot.press("j")  # still the tree's
        assert tree.cursor_line == line + 1
        assert app.main_screen.query_one(TabbedContent).active == "schema"
        await pilot.press("ctrl+l")  # a valid remap applies
        await settle(pilot)
        assert app.main_screen.query_one(TabbedContent).active == "lint"
        await pilot.press("slash")  # the default key of a rejected remap still works
        assert app.main_screen.query_one("#filter", Input).has_focus
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = plain(app.screen.query_one("#help-problems", Static).render(), width=300)
        for problem in problems:
            assert " ".join(problem.split()) in " ".join(text.split())
        table = app.screen.query_one(DataTable)
        rows = [tuple(table.get_row_at(i)) for i in range(table.row_count)]
        assert ("main screen", "d", "Diff selection", "main.diff") in rows
        assert ("every tree", "j", "Down", "tree.down") in rows

    drive(make_app(shop.root), scenario)
