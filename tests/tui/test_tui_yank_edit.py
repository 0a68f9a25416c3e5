"""`y` copies the selection's path, $id, select or CLI command; `e` on a lint finding opens
the editor at the finding's line and column."""

from __future__ import annotations

import json
from pathlib import Path

from test_tui_lint_panel import BAD_ID, add_bad_schema, finding_lines
from tui_support import drive, make_app, settle, toasts

from reflekt.tui.widgets.lint_panel import FindingsTree
from reflekt.tui.widgets.schema_tree import SchemaTree
from reflekt.tui.yank import YankScreen

CART = "segment/ecommerce/Cart_Viewed"


def test_yank_copies_what_was_chosen(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        assert screen.query_one(SchemaTree).select_key(f"{CART}/1-1.json")
        await pilot.press("y")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, YankScreen)
        assert [c.key for c in dialog.choices] == ["p", "i", "s", "c"]
        await pilot.press("c")
        await settle(pilot)
        assert pilot.app.clipboard == f"reflekt lint --select {CART}/1-1"
        assert any("Copied the CLI command" in toast for toast in toasts(pilot.app))
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert pilot.app.clipboard == f"schemas/{CART}/1-1.json"
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, YankScreen)
        assert pilot.app.clipboard == f"schemas/{CART}/1-1.json", "Esc copies nothing"
        # A folder: no file or $id, but its select and command.
        assert screen.query_one(SchemaTree).select_key("segment/ecommerce")
        await pilot.press("y")
        await settle(pilot)
        assert [c.key for c in pilot.app.screen.choices] == ["s", "c"]
        await pilot.press("s")
        await settle(pilot)
        assert pilot.app.clipboard == "segment/ecommerce"

    drive(make_app(shop.root), scenario)


def test_e_on_a_finding_opens_the_editor_at_its_line(shop, tmp_path, monkeypatch):
    add_bad_schema(shop)
    record = tmp_path / "args.json"
    editor = tmp_path / "bin" / "nvim"  # named like an editor that takes +LINE
    editor.parent.mkdir()
    editor.write_text(
        "#!/usr/bin/env python3\nimport json, sys\n"
        f"json.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n"
    )
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        await pilot.press("2")
        findings = screen.query_one(FindingsTree)
        lines = finding_lines(findings)
        findings.cursor_line = lines[f"{BAD_ID}:RF311:cartID"]
        finding = findings.cursor_row.finding
        await pilot.press("e")
        await settle(pilot)
        path = Path(shop.root) / "schemas" / BAD_ID
        assert json.loads(record.read_text()) == [f"+{finding.line}", str(path)]
        assert finding.line and finding.line > 1

    drive(make_app(shop.root), scenario)


def test_f_fixes_a_finding_and_says_so(shop):
    """f on RF311 renames the property in the file (then it is re-linted); on a finding
    with no fix it says so; on RF601 it moves the breaking MINOR bump to the next MAJOR."""
    bad = add_bad_schema(shop)
    text = {"type": "string", "description": "A text."}
    shop.add_schema("segment/ecommerce/Coupon_Used/1-0", {"code": text})
    minor = shop.add_schema("segment/ecommerce/Coupon_Used/1-1", {"code": text}, required=["code"])

    async def scenario(pilot):
        screen = pilot.app.main_screen
        await pilot.press("2")
        findings = screen.query_one(FindingsTree)
        findings.cursor_line = finding_lines(findings)[f"{BAD_ID}:RF311:cartID"]
        await pilot.press("f")
        await settle(pilot)
        assert list(json.loads(bad.read_text())["properties"]) == ["cart_id", "items"]
        assert any("Fixed RF311" in toast for toast in toasts(pilot.app))
        screen.check_for_changes()
        await settle(pilot)
        lines = finding_lines(findings)
        assert f"{BAD_ID}:RF311:cartID" not in lines, "re-linted after the fix"
        findings.cursor_line = lines[f"{BAD_ID}:RF402:items.items.sku"]
        await pilot.press("f")
        await settle(pilot)
        assert any("RF402 has no automatic fix" in toast for toast in toasts(pilot.app))
        findings.cursor_line = lines["segment/ecommerce/Coupon_Used/1-1.json:RF601:code"]
        await pilot.press("f")
        await settle(pilot)
        assert not minor.exists() and minor.with_name("2-0.json").exists()
        assert any("moved 1-1.json to 2-0.json" in toast for toast in toasts(pilot.app))

    drive(make_app(shop.root), scenario)


def test_the_highlighted_finding_shows_in_full_with_its_suggestion(shop):
    add_bad_schema(shop)

    async def scenario(pilot):
        from textual.widgets import Static

        screen = pilot.app.main_screen
        await pilot.press("2")
        findings = screen.query_one(FindingsTree)
        detail = screen.query_one("#lint-detail", Static)
        findings.cursor_line = finding_lines(findings)[f"{BAD_ID}:RF311:cartID"]
        await settle(pilot)
        shown = detail.render().plain
        assert detail.display
        assert shown.splitlines()[-1] == "→ suggestion: cart_id"
        assert 'property "cartID" is not snake_case' in shown
        assert f"schemas/{BAD_ID}:" in shown
        findings.cursor_line = 0  # the file row: no finding, no detail
        await settle(pilot)
        assert not detail.display

    drive(make_app(shop.root), scenario)
