"""The build wizard as used day to day (issue 13): a fresh preview after Write, long skipped
lists capped, step 2 focus and memory, a select box that matches like the main filter and
keeps hand-made ticks, the equivalent CLI line, and `dbt build` after Write."""

from __future__ import annotations

import json
import os
import sys

import pytest
from blocking_dbt_support import blocking_dbt, ends, running
from textual.widgets import Button, DataTable, Input, Select, Static
from tui_support import drive, make_app, plain, settle, toasts

from reflekt.tui.screens.build_wizard import BuildWizard
from reflekt.tui.widgets.check_tree import CheckTree

MEMORY = ".reflekt_cache/tui_wizard.json"


async def open_wizard(pilot) -> BuildWizard:
    await pilot.press("b")
    await settle(pilot)
    wizard = pilot.app.screen
    assert isinstance(wizard, BuildWizard)
    return wizard


async def to_preview(pilot, wizard: BuildWizard, schema: str = "segment_prod") -> None:
    """From step 1 (ticks made) to the preview of step 3."""
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert wizard.step == 1
    if schema:
        wizard.query_one("#wizard-schema", Input).value = schema
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert wizard.step == 2, plain(wizard.query_one("#wizard-preview-summary", Static).render())


def statuses(wizard: BuildWizard) -> dict[str, str]:
    table = wizard.query_one("#wizard-files", DataTable)
    return {table.get_row_at(i)[1]: table.get_row_at(i)[0].plain for i in range(table.row_count)}


def text_of(wizard: BuildWizard, selector: str) -> str:
    """A Static's text, unwrapped (a Content prints each line cut at the console width)."""
    return plain(wizard.query_one(selector, Static).render(), width=20_000)


# -- 3: the preview after Write ------------------------------------------------------------------


def test_back_from_write_shows_a_fresh_preview(warehouse_shop):
    async def scenario(pilot):
        wizard = await open_wizard(pilot)
        await pilot.press("a")
        await to_preview(pilot, wizard)
        assert "new" in set(statuses(wizard).values())
        await pilot.press("ctrl+n")  # write
        await settle(pilot)
        assert wizard.result is not None
        await pilot.press("ctrl+b")  # back to the preview: it must say what is on disk now
        await settle(pilot)
        assert wizard.step == 2
        assert set(statuses(wizard).values()) == {"unchanged"}
        summary = text_of(wizard, "#wizard-preview-summary")
        assert "0 new, 0 changed" in summary, summary

    drive(make_app(warehouse_shop.root), scenario)


# -- 6: long skipped lists ------------------------------------------------------------------------

MISSING = 150


@pytest.fixture
def warehouse_many_missing(shop, tmp_path):
    """The shop plus 150 events that have no table in the DuckDB warehouse."""
    from reflekt.core.schemas import list_schema_files
    from reflekt.demo.warehouse import create_demo_warehouse

    broken = shop.schemas_dir / "segment/ecommerce/Broken_Event/1-0.json"
    broken.unlink()
    broken.parent.rmdir()
    names = [f"Promotion_Banner_Clicked_{n:03d}" for n in range(MISSING)]
    for name in names:
        shop.add_schema(f"segment/promo/{name}/1-0", {"banner": {"type": "string"}})
    db_path = tmp_path / "warehouse.duckdb"
    files = list_schema_files(shop.schemas_dir)
    create_demo_warehouse(db_path, files, shop.schemas_dir, set(names), seed=3)
    shop.write_profiles(
        {"version": 1.0, "dev": {"source": [{"id": "wh", "type": "duckdb", "path": str(db_path)}]}}
    )
    return shop


def test_a_long_skipped_list_is_capped_and_expands(warehouse_many_missing):
    async def scenario(pilot):
        wizard = await open_wizard(pilot)
        await pilot.press("a")
        await to_preview(pilot, wizard)
        summary = text_of(wizard, "#wizard-preview-summary")
        assert f"… and {MISSING - 5:,} more" in summary, summary
        assert "promotion_banner_clicked_149" not in summary
        table = wizard.query_one("#wizard-files", DataTable)
        assert table.region.height >= 15  # the file list stays in view
        await pilot.press("x")  # show them all
        await pilot.pause()
        summary = text_of(wizard, "#wizard-preview-summary")
        assert "promotion_banner_clicked_149" in summary
        assert "more" not in summary
        assert table.region.height >= 10  # the long list scrolls in its own box
        await pilot.press("x")
        await pilot.pause()
        assert "more" in text_of(wizard, "#wizard-preview-summary")
        await pilot.press("ctrl+n")  # write: the summary caps the list too
        await settle(pilot)
        done = text_of(wizard, "#wizard-summary")
        assert f"… and {MISSING - 5:,} more" in done, done
        assert done.count("promotion_banner_clicked") == 5

    drive(make_app(warehouse_many_missing.root), scenario)


# -- 10: step 2 focus, and source and schema remembered -----------------------------------------


def test_step_two_focuses_the_empty_schema_field(warehouse_shop):
    async def scenario(pilot):
        wizard = await open_wizard(pilot)
        await pilot.press("a", "ctrl+n")
        await settle(pilot)
        assert wizard.query_one("#wizard-source", Select).value == "wh"
        assert pilot.app.focused is wizard.query_one("#wizard-schema", Input)
        await pilot.press(*"segment_prod")  # typed straight into the field
        assert wizard.query_one("#wizard-schema", Input).value == "segment_prod"

    drive(make_app(warehouse_shop.root), scenario)


def test_source_and_schema_are_remembered_per_project(warehouse_shop):
    root = warehouse_shop.root

    async def first(pilot):
        wizard = await open_wizard(pilot)
        await pilot.press("a", "ctrl+n")  # step 2
        await settle(pilot)
        wizard.query_one("#wizard-database", Input).value = "warehouse"
        wizard.query_one("#wizard-schema", Input).value = "segment_prod"
        wizard.query_one("#wizard-sdk", Select).value = "rudderstack"
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert wizard.step == 2

    async def second(pilot):
        wizard = await open_wizard(pilot)
        await pilot.press("a", "ctrl+n")
        await settle(pilot)
        assert wizard.query_one("#wizard-source", Select).value == "wh"
        assert wizard.query_one("#wizard-database", Input).value == "warehouse"
        assert wizard.query_one("#wizard-schema", Input).value == "segment_prod"
        assert wizard.query_one("#wizard-sdk", Select).value == "rudderstack"
        assert pilot.app.focused is wizard.query_one("#wizard-next", Button)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert wizard.step == 2

    drive(make_app(root), first)
    saved = json.loads((root / MEMORY).read_text(encoding="utf-8"))
    assert saved["profiles"]["dev"] == {
        "source": "wh",
        "database": "warehouse",
        "schema": "segment_prod",
        "sdk": "rudderstack",
    }
    drive(make_app(root), second)


HOSTILE = {
    "not json": "{nope",
    "a list": "[1, 2, 3]",
    "wrong types": json.dumps({"profiles": {"dev": {"source": ["wh"], "schema": {"x": 1}}}}),
    "profiles not a mapping": json.dumps({"profiles": "dev"}),
    "terminal codes": json.dumps({"profiles": {"dev": {"schema": "\x1b[2Jboom"}}}),
    "an unknown sdk": json.dumps({"profiles": {"dev": {"sdk": "snowplow; rm -rf /"}}}),
    "deep nesting": "[" * 100_000,
    "huge": json.dumps({"profiles": {"dev": {"schema": "s" * 1_000_000}}}),
    "not utf-8": b"\xff\xfe\x00garbage",
}


@pytest.mark.parametrize("kind", [*HOSTILE, "a folder", "a fifo", "unknown source"])
def test_a_corrupt_or_hostile_memory_file_is_ignored(warehouse_shop, kind):
    path = warehouse_shop.root / MEMORY
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "a folder":
        path.mkdir()
    elif kind == "a fifo":
        os.mkfifo(path)  # reading it would block the app forever
    elif kind == "unknown source":
        memory = {"source": "gone", "database": "old", "schema": "kept"}
        path.write_text(json.dumps({"profiles": {"dev": memory}}), encoding="utf-8")
    else:
        data = HOSTILE[kind]
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

    async def scenario(pilot):
        wizard = await open_wizard(pilot)
        await pilot.press("a", "ctrl+n")
        await settle(pilot)
        assert wizard.query_one("#wizard-source", Select).value == "wh"
        assert wizard.query_one("#wizard-database", Input).value == "warehouse"
        schema = wizard.query_one("#wizard-schema", Input).value
        assert schema == ("kept" if kind == "unknown source" else "")
        assert wizard.query_one("#wizard-sdk", Select).value == "segment"
        wizard.query_one("#wizard-schema", Input).value = "segment_prod"
        await pilot.press("ctrl+n")  # saving over it (or failing to) does not crash either
        await settle(pilot)
        assert wizard.step == 2
        assert wizard.preview is not None

    drive(make_app(warehouse_shop.root), scenario)
    if kind not in ("a folder", "a fifo"):
        saved = json.loads(path.read_text(encoding="utf-8"))
        assert saved["profiles"]["dev"]["schema"] == "segment_prod"


# -- 12: the select box matches like the main filter and keeps hand-made ticks -------------------


def test_the_select_box_matches_words_like_the_main_filter(warehouse_shop):
    async def scenario(pilot):
        wizard = await open_wizard(pilot)
        tree = wizard.query_one("#wizard-events", CheckTree)
        select = wizard.query_one("#wizard-select", Input)
        select.value = "cart"
        await pilot.pause()
        assert tree.keys == ["segment/ecommerce/Cart_Viewed"]
        assert wizard.selects() == ["segment/ecommerce/Cart_Viewed"]  # not the word `cart`
        select.value = "ECOMMERCE order"
        await pilot.pause()
        assert tree.keys == ["segment/ecommerce/Order_Completed"]
        select.value = "segment/ecommerce"  # an exact select still works as one
        await pilot.pause()
        assert wizard.selects() == ["segment/ecommerce"]
        select.value = "cart"
        await pilot.pause()
        await to_preview(pilot, wizard)
        models = [path for path in statuses(wizard) if path.endswith(".sql")]
        assert any("cart_viewed" in path for path in models), models
        assert not any("order_completed" in path for path in models), models

    drive(make_app(warehouse_shop.root), scenario)


def test_a_select_naming_a_version_file_shows_its_event(warehouse_shop):
    """As `--select` reads it: a version (or its file) names the event above it."""

    async def scenario(pilot):
        wizard = await open_wizard(pilot)
        tree = wizard.query_one("#wizard-events", CheckTree)
        select = wizard.query_one("#wizard-select", Input)
        for text in ("segment/ecommerce/Cart_Viewed/1-0", "schemas/segment/ecommerce/Cart_Viewed/"):
            select.value = text
            await pilot.pause()
            assert tree.keys == ["segment/ecommerce/Cart_Viewed"], text
        select.value = "segment/marketing/Email_Opened/1-0/x"  # below a version: still it
        await pilot.pause()
        assert tree.keys == ["segment/marketing/Email_Opened"]

    drive(make_app(warehouse_shop.root), scenario)


def test_hand_made_ticks_survive_typing_in_the_select_box(warehouse_shop):
    async def scenario(pilot):
        wizard = await open_wizard(pilot)
        tree = wizard.query_one("#wizard-events", CheckTree)
        select = wizard.query_one("#wizard-select", Input)
        await pilot.press("n", "down", "down", "down", "space")  # only Order_Completed
        assert tree.ticked() == ["segment/ecommerce/Order_Completed"]
        select.value = "email"
        await pilot.pause()
        assert tree.keys == ["segment/marketing/Email_Opened"]
        assert tree.ticked() == []  # unticked by hand (n) before
        tree.focus()
        await pilot.press("space")  # tick it while the select shows only it
        note = text_of(wizard, "#wizard-ticked")
        assert "1 ticked event hidden by the select" in note, note
        select.value = ""
        await pilot.pause()
        assert tree.ticked() == [
            "segment/ecommerce/Order_Completed",
            "segment/marketing/Email_Opened",
        ]
        assert wizard.selects() == ["segment/ecommerce/Order_Completed", "segment/marketing"]

    drive(make_app(warehouse_shop.root), scenario)


# -- the equivalent CLI line ------------------------------------------------------------------------


def test_the_preview_shows_the_equivalent_cli_line(warehouse_shop):
    async def scenario(pilot):
        wizard = await open_wizard(pilot)  # Cart_Viewed ticked (the tree's selection)
        await to_preview(pilot, wizard)
        line = text_of(wizard, "#wizard-cli")
        assert (
            "reflekt build dbt --select segment/ecommerce/Cart_Viewed "
            "--source wh.warehouse.segment_prod" in line
        ), line
        await pilot.press("ctrl+b", "ctrl+b")
        await pilot.press("a")
        await to_preview(pilot, wizard)
        line = text_of(wizard, "#wizard-cli")
        assert "reflekt build dbt --source wh.warehouse.segment_prod --dry-run" in line, line
        assert "--select" not in line
        await pilot.press("ctrl+n")  # the write: the same line without --dry-run
        await settle(pilot)
        line = text_of(wizard, "#wizard-cli")
        assert line.strip() == "CLI: reflekt build dbt --source wh.warehouse.segment_prod", line
        await pilot.press("y")  # copied as the user would paste it in a shell
        await settle(pilot)
        assert pilot.app.clipboard == "reflekt build dbt --source wh.warehouse.segment_prod"

    drive(make_app(warehouse_shop.root), scenario)


def test_the_sdk_select_offers_rudderstack_and_the_cli_line_says_it(warehouse_shop):
    async def scenario(pilot):
        wizard = await open_wizard(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        sdk = wizard.query_one("#wizard-sdk", Select)
        assert [value for _, value in sdk._options if isinstance(value, str)] == [
            "segment",
            "rudderstack",
        ]
        sdk.value = "rudderstack"
        wizard.query_one("#wizard-schema", Input).value = "segment_prod"
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert wizard.step == 2
        line = text_of(wizard, "#wizard-cli")
        assert "--source wh.warehouse.segment_prod --sdk rudderstack" in line, line

    drive(make_app(warehouse_shop.root), scenario)


# -- dbt build after Write -------------------------------------------------------------------------


def test_after_write_dbt_build_runs_and_shows_its_summary(warehouse_shop):
    pytest.importorskip("dbt.adapters.duckdb")
    root = warehouse_shop.root

    async def scenario(pilot):
        wizard = await open_wizard(pilot)
        await pilot.press("a")
        await to_preview(pilot, wizard)
        button = wizard.query_one("#wizard-dbt", Button)
        assert not button.display  # offered only once the files are written
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert button.display and not button.disabled
        assert "dbt build" in text_of(wizard, "#wizard-summary")  # the offer is spelled out
        await pilot.press("d")
        await settle(pilot)
        report = text_of(wizard, "#wizard-dbt-summary")
        assert "dbt build:" in report and "model(s) built" in report, report
        assert "test(s) passed" in report
        assert "failed" not in report

    drive(make_app(root), scenario)
    assert (root / ".reflekt_cache/dbt_wizard/target/run_results.json").is_file()


def test_dbt_build_is_skipped_with_a_message_when_the_adapter_is_missing(
    warehouse_shop, monkeypatch
):
    # As if dbt-duckdb were not installed: the import system finds no such module.
    monkeypatch.setitem(sys.modules, "dbt.adapters.duckdb", None)

    async def scenario(pilot):
        wizard = await open_wizard(pilot)
        await pilot.press("a")
        await to_preview(pilot, wizard)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        report = text_of(wizard, "#wizard-dbt-summary")
        assert "dbt did not run" in report, report
        assert "dbt-duckdb" in report and "pip install" in report, report
        assert not (warehouse_shop.root / ".reflekt_cache/dbt_wizard").exists()

    drive(make_app(warehouse_shop.root), scenario)


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and process groups")
@pytest.mark.parametrize("keys", [("escape",), ("q",), ("ctrl+q", "y")], ids=["esc", "q", "quit"])
def test_closing_or_quitting_stops_a_running_dbt(warehouse_shop, tmp_path, monkeypatch, keys):
    pytest.importorskip("dbt.adapters.duckdb")
    fake = blocking_dbt(tmp_path / "fake-dbt")  # blocks until released or stopped
    monkeypatch.setenv("REFLEKT_DBT", str(fake.script))
    children = []

    async def scenario(pilot):
        wizard = await open_wizard(pilot)
        await pilot.press("a")
        await to_preview(pilot, wizard)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("d")
        children.append(fake.wait_started())
        assert running(children[0])
        for key in keys:
            await pilot.press(key)
        await settle(pilot)
        if keys[0] == "ctrl+q":
            assert pilot.app.return_code == 0  # quitting, not waiting for dbt
        else:
            assert not isinstance(pilot.app.screen, BuildWizard)

    try:
        drive(make_app(warehouse_shop.root), scenario)
        assert ends(children[0]), "dbt's child outlived the wizard"
    finally:
        if children and running(children[0]):
            fake.release()  # a broken cancel: let the fake dbt end
    assert not fake.done.exists(), "dbt ran to its end"


# -- search in the preview ------------------------------------------------------------------------


async def search(pilot, text: str) -> None:
    await pilot.press("ctrl+f")
    box = pilot.app.screen.query_one("#wizard-search", Input)
    assert box.display and box.has_focus
    for char in text:
        await pilot.press(char)
    await pilot.press("enter")
    await settle(pilot)
    assert not box.display


def test_search_the_preview_file_list_then_the_shown_file(warehouse_shop):
    async def scenario(pilot):
        wizard = await open_wizard(pilot)
        tree = wizard.query_one("#wizard-events", CheckTree)
        await pilot.press("a", "n")  # on step 1, n is the tree's: tick none
        assert not tree.checked
        await pilot.press("a")
        await to_preview(pilot, wizard)
        table = wizard.query_one("#wizard-files", DataTable)
        names = [table.get_row_at(i)[1] for i in range(table.row_count)]
        carts = [i for i, name in enumerate(names) if "cart" in name.lower()]
        assert len(carts) >= 2, names
        await search(pilot, "CART")  # case-insensitive, on the cells shown
        assert table.has_focus and table.cursor_row == carts[0]
        assert any(f"Match 1 of {len(carts)} for 'CART'" in t for t in toasts(pilot.app))
        await pilot.press("n")
        assert table.cursor_row == carts[1]
        await pilot.press("N", "N")  # back, then round to the last one
        assert table.cursor_row == carts[-1]
        await search(pilot, "zzz-nothing")
        assert table.cursor_row == carts[-1]
        assert any("No match for 'zzz-nothing'" in t for t in toasts(pilot.app))
        # The shown file's text: with the focus in it, its matching line is marked.
        shown = names[table.cursor_row]
        lines = wizard.file_text(shown).splitlines()
        word = "select" if shown.endswith(".sql") else "name"
        hits = [n for n, line in enumerate(lines, 1) if word in line.lower()]
        assert hits, shown
        wizard.query_one("#wizard-file-scroll").focus()
        await search(pilot, word)
        assert wizard.file_match == hits[0]
        assert table.cursor_row == carts[-1], "the file list stays where it was"
        marked = plain(wizard.query_one("#wizard-file", Static).content, width=200).splitlines()
        assert marked[hits[0] - 1].startswith("❱"), marked[: hits[0]]  # the line is marked
        await pilot.press("n")
        assert wizard.file_match == hits[1 % len(hits)]
        # Esc closes the search box, not the wizard.
        await pilot.press("ctrl+f", "escape")
        await settle(pilot)
        assert pilot.app.screen is wizard
        assert not wizard.query_one("#wizard-search", Input).display

    drive(make_app(warehouse_shop.root), scenario)


def test_a_rudderstack_warehouse_previewed_as_segment_says_which_sdk_fits(rudder_shop):
    """Segment's reading of RudderStack's tables drifts on its own columns in every table:
    the preview says to choose rudderstack; with that choice there is nothing to say."""

    async def preview(pilot, sdk: str) -> str:
        wizard = await open_wizard(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        wizard.query_one("#wizard-sdk", Select).value = sdk
        wizard.query_one("#wizard-schema", Input).value = "rudder_prod"
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert wizard.step == 2
        summary = " ".join(text_of(wizard, "#wizard-preview-summary").split())
        await pilot.press("escape", "escape", "escape")
        await settle(pilot)
        return summary

    async def scenario(pilot):
        return await preview(pilot, "segment"), await preview(pilot, "rudderstack")

    as_segment, as_rudderstack = drive(make_app(rudder_shop.root), scenario)
    assert "own rudder_id column" in as_segment and "the SDK choice rudderstack" in as_segment
    assert "unplanned" in as_segment
    assert "own rudder_id column" not in as_rudderstack
