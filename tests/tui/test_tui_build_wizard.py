"""The build wizard, step by step, writing a dbt package from a DuckDB-backed project."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, SelectionList, Static
from tui_support import drive, make_app, plain, settle

from reflekt.tui.screens.build_wizard import BuildWizard

PACKAGE = "artifacts/dbt/shop"


async def open_wizard_at_preview(pilot, select: str = "") -> BuildWizard:
    await pilot.press("b")
    await settle(pilot)
    wizard = pilot.app.screen
    assert isinstance(wizard, BuildWizard)
    wizard.query_one("#wizard-select", Input).value = select
    await pilot.pause()
    await pilot.press("ctrl+n")  # step 2
    await settle(pilot)
    assert wizard.step == 1
    assert wizard.query_one("#wizard-source", Select).value == "wh"
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
        events = wizard.query_one("#wizard-events", SelectionList)
        assert [events.get_option_at_index(i).value for i in range(events.option_count)] == [
            "segment/marketing/Email_Opened"
        ]
        assert wizard.selects() == ["segment/marketing"]

    drive(make_app(warehouse_shop.root), scenario)


def test_a_profile_without_sources_is_explained(shop):
    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        note = plain(wizard.query_one("#wizard-source-note", Static).render())
        assert "has no `source:` entries" in note
        await pilot.press("ctrl+n")
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
        messages = [n.message for n in pilot.app._notifications]
        assert any("Fill in the schema" in message for message in messages)

    drive(make_app(warehouse_shop.root), scenario)
