"""The build wizard, step by step, writing a dbt package from a DuckDB-backed project."""

from __future__ import annotations

from textual.widgets import DataTable, Input, OptionList, Select, Static
from tui_support import drive, make_app, plain, settle, toasts

from reflekt.tui.screens.build_wizard import BuildWizard
from reflekt.tui.widgets.check_tree import CheckTree

PACKAGE = "artifacts/dbt/shop"


async def open_wizard_at_preview(pilot, select: str = "") -> BuildWizard:
    await pilot.press("b")
    await settle(pilot)
    wizard = pilot.app.screen
    assert isinstance(wizard, BuildWizard)
    if select:
        wizard.query_one("#wizard-select", Input).value = select
    else:
        await pilot.press("a")  # tick every event
    await pilot.pause()
    await pilot.press("ctrl+n")  # step 2
    await settle(pilot)
    assert wizard.step == 1
    assert wizard.query_one("#wizard-source", Select).value == "wh"
    assert wizard.query_one("#wizard-source", Select).prompt == "choose a source"
    assert wizard.query_one("#wizard-database", Input).value == "warehouse"
    wizard.query_one("#wizard-schema", Input).value = "segment_prod"
    await pilot.press("ctrl+n")  # step 3: dry run
    await settle(pilot)
    assert wizard.step == 2
    return wizard


def test_build_wizard_to_completion_writes_the_package(warehouse_shop):
    root = warehouse_shop.root

    async def scenario(pilot):
        wizard = await open_wizard_at_preview(pilot)
        assert wizard.preview is not None, plain(
            wizard.query_one("#wizard-preview-summary", Static).render()
        )
        assert not (root / PACKAGE).exists()  # the preview wrote nothing
        table = wizard.query_one("#wizard-files", DataTable)
        statuses = {
            table.get_row_at(i)[1]: table.get_row_at(i)[0].plain for i in range(table.row_count)
        }
        assert statuses["dbt_project.yml"] == "new"
        models = [path for path in statuses if path.endswith(".sql")]
        assert any("cart_viewed" in path for path in models)
        assert not any("email_opened" in path for path in models)
        summary = plain(wizard.query_one("#wizard-preview-summary", Static).render())
        assert "skipped (no table): email_opened" in summary
        # Any file's content can be read before writing.
        sql = next(path for path in models if "cart_viewed" in path)
        row = list(statuses).index(sql)
        table.move_cursor(row=row)
        await pilot.pause()
        assert "cart_id" in wizard.file_text(sql)
        await pilot.press("ctrl+n")  # step 4: write
        await settle(pilot)
        assert wizard.step == 3
        assert wizard.result is not None
        done = plain(wizard.query_one("#wizard-summary", Static).render())
        assert "Build finished" in done
        assert "email_opened" in done
        for path in statuses:
            assert (root / PACKAGE / path).is_file(), path
        await pilot.press("ctrl+n")  # Close
        await pilot.pause()
        assert not isinstance(pilot.app.screen, BuildWizard)

    drive(make_app(root), scenario)


def test_a_rebuild_previews_everything_unchanged(warehouse_shop):
    async def first(pilot):
        await open_wizard_at_preview(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)

    async def second(pilot):
        wizard = await open_wizard_at_preview(pilot)
        table = wizard.query_one("#wizard-files", DataTable)
        statuses = {table.get_row_at(i)[0].plain for i in range(table.row_count)}
        assert statuses == {"unchanged"}

    drive(make_app(warehouse_shop.root), first)
    drive(make_app(warehouse_shop.root), second)


def test_the_select_narrows_the_events_and_the_build(warehouse_shop):
    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        wizard.query_one("#wizard-select", Input).value = "segment/marketing"
        await pilot.pause()
        events = wizard.query_one("#wizard-events", CheckTree)
        assert events.keys == ["segment/marketing/Email_Opened"]
        assert wizard.selects() == ["segment/marketing"]
        wizard.query_one("#wizard-select", Input).value = "segment/nope"
        await pilot.pause()
        note = plain(wizard.query_one("#wizard-ticked", Static).render())
        assert "No event matches the select 'segment/nope'" in note
        await pilot.press("ctrl+n")
        assert wizard.step == 0

    drive(make_app(warehouse_shop.root), scenario)


def test_a_profile_without_sources_is_explained(shop):
    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        await pilot.press("ctrl+n")  # step 2, where the note is (its widgets made now)
        await settle(pilot)
        note = plain(wizard.query_one("#wizard-source-note", Static).render())
        assert "has no `source:` entries" in note
        await pilot.press("ctrl+n")
        assert wizard.step == 1  # cannot go on without a source

    drive(make_app(shop.root), scenario)


def test_an_empty_schema_field_is_named_and_focused(warehouse_shop):
    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        await pilot.press("ctrl+n")  # step 2, schema left empty
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert wizard.step == 1
        assert pilot.app.focused is wizard.query_one("#wizard-schema", Input)
        assert toasts(pilot.app) == ["Fill in the schema (where the raw tables are) first."]

    drive(make_app(warehouse_shop.root), scenario)


def _labels(tree: CheckTree) -> list[str]:
    """The shown lines' labels as drawn (boxes and counts come from the tree's model)."""
    return [tree.label_of(tree.get_node_at_line(i)).plain for i in range(tree.last_line + 1)]


def test_step_one_is_a_checkbox_tree_where_a_plan_ticks_its_events(warehouse_shop):
    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        tree = wizard.query_one("#wizard-events", CheckTree)
        assert pilot.app.focused is tree
        # The tree's cursor was on Cart_Viewed: the wizard opens with it ticked.
        assert _labels(tree)[:3] == ["[-] segment  1/3", "[-] ecommerce  1/2", "[x] Cart_Viewed"]
        assert wizard.selects() == ["segment/ecommerce/Cart_Viewed"]
        ticked = plain(wizard.query_one("#wizard-ticked", Static).render())
        assert "1 of 3 events ticked" in ticked
        assert "your selection in the tree: segment/ecommerce/Cart_Viewed" in ticked
        await pilot.press("a")
        assert _labels(tree) == [
            "[x] segment  3/3",
            "[x] ecommerce  2/2",
            "[x] Cart_Viewed",
            "[x] Order_Completed",
            "[x] marketing  1/1",
            "[x] Email_Opened",
        ]
        assert wizard.selects() is None  # everything
        await pilot.press("n")
        assert tree.checked == set()
        await pilot.pause()
        assert "Nothing ticked" in plain(wizard.query_one("#wizard-ticked", Static).render())
        await pilot.press("ctrl+n")
        assert wizard.step == 0  # nothing ticked: stays on step 1
        await pilot.press("down", "space")  # tick the plan `ecommerce`
        assert _labels(tree)[:4] == [
            "[-] segment  2/3",
            "[x] ecommerce  2/2",
            "[x] Cart_Viewed",
            "[x] Order_Completed",
        ]
        assert wizard.selects() == ["segment/ecommerce"]
        await pilot.press("down", "space")  # untick one event of the plan
        assert _labels(tree)[1] == "[-] ecommerce  1/2"
        assert wizard.selects() == ["segment/ecommerce/Order_Completed"]
        await pilot.press("up", "space")  # a partly ticked plan ticks all of it
        assert wizard.selects() == ["segment/ecommerce"]
        await pilot.press("space")  # a fully ticked plan unticks all of it
        assert tree.checked == set()
        await pilot.press("a")
        assert wizard.selects() is None

    drive(make_app(warehouse_shop.root), scenario)


def test_a_partial_tick_builds_only_the_ticked_events(warehouse_shop):
    root = warehouse_shop.root

    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        await pilot.press("n", "down", "down", "down", "space")  # only Order_Completed
        assert wizard.selects() == ["segment/ecommerce/Order_Completed"]
        await pilot.press("ctrl+n")
        await settle(pilot)
        wizard.query_one("#wizard-schema", Input).value = "segment_prod"
        await pilot.press("ctrl+n")
        await settle(pilot)
        table = wizard.query_one("#wizard-files", DataTable)
        files = [table.get_row_at(i)[1] for i in range(table.row_count)]
        models = [path for path in files if path.endswith(".sql")]
        assert any("order_completed" in path for path in models), models
        assert not any("cart_viewed" in path or "email_opened" in path for path in models)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert (root / PACKAGE / "dbt_project.yml").is_file()

    drive(make_app(root), scenario)


def test_a_source_whose_variable_is_unset_is_listed_and_says_what_to_set(
    warehouse_shop, monkeypatch
):
    monkeypatch.delenv("LEFTOVER_WH_PASSWORD", raising=False)
    profiles = warehouse_shop.profiles_path.read_text(encoding="utf-8")
    warehouse_shop.profiles_path.write_text(
        profiles.replace(
            "  source:\n",
            "  source:\n"
            "  - id: pg\n    type: postgres\n    host: 127.0.0.1\n    port: 5432\n"
            "    user: u\n    password: \"{{ env_var('LEFTOVER_WH_PASSWORD') }}\"\n"
            "    database: test\n",
            1,
        ),
        encoding="utf-8",
    )

    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        await pilot.press("a", "ctrl+n")  # step 2
        await settle(pilot)
        source = wizard.query_one("#wizard-source", Select)
        assert source.value == "wh"  # the usable source is chosen first
        # The entries of the drop-down (its option list), as the user reads them.
        labels = [plain(option.prompt) for option in source.query_one(OptionList).options]
        assert any(label.startswith("pg (postgres) · unavailable") for label in labels), labels
        note = plain(wizard.query_one("#wizard-source-note", Static).render())
        assert "1 source(s). 1 unavailable" in note
        source.value = "pg"
        await settle(pilot)
        note = plain(wizard.query_one("#wizard-source-note", Static).render())
        assert "LEFTOVER_WH_PASSWORD" in note, note
        wizard.query_one("#wizard-database", Input).value = "test"
        wizard.query_one("#wizard-schema", Input).value = "segment_prod"
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert wizard.step == 1  # cannot go on with it
        source.value = "wh"
        await settle(pilot)
        assert "LEFTOVER_WH_PASSWORD" not in plain(
            wizard.query_one("#wizard-source-note", Static).render()
        )
        assert wizard.query_one("#wizard-database", Input).value == "warehouse"

    drive(make_app(warehouse_shop.root), scenario)


def test_later_steps_are_made_on_first_visit_with_the_profile_loaded_meanwhile(warehouse_shop):
    """Steps 2-4 get their widgets when first shown: the profile, loaded while step 1 was,
    is in step 2 when it appears (its source chosen, its database filled, the focus on the
    first empty field)."""

    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        assert wizard.profile is not None  # loaded while step 1 is shown
        assert not wizard.query("#wizard-source") and not wizard.query("#wizard-files")
        await pilot.press("a", "ctrl+n")
        assert wizard.step == 1
        assert wizard.query_one("#wizard-source", Select).value == "wh"
        assert wizard.query_one("#wizard-database", Input).value == "warehouse"
        assert pilot.app.focused is wizard.query_one("#wizard-schema", Input)
        assert not wizard.query("#wizard-files")  # step 3: not yet
        await pilot.press("ctrl+b", "ctrl+n")  # back and again: the same widgets, kept
        assert wizard.query_one("#wizard-database", Input).value == "warehouse"

    drive(make_app(warehouse_shop.root), scenario)


def test_a_profile_that_fails_to_load_is_said_at_once_and_on_step_two(shop):
    (shop.root / "reflekt_profiles.yml").unlink()

    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        assert any("profiles file not found" in toast for toast in toasts(pilot.app))
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert wizard.step == 1
        assert wizard.query_one("#wizard-source", Select).prompt == "no profile"
        note = plain(wizard.query_one("#wizard-source-note", Static).render())
        assert "profiles file not found" in note
        await pilot.press("ctrl+n")
        assert wizard.step == 1  # no profile: no preview
        assert any("could not be loaded" in toast for toast in toasts(pilot.app))

    drive(make_app(shop.root), scenario)
