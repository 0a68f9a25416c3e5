"""The shared definitions' own findings in the TUI: the same as `reflekt lint` reports them
(rule, file, line, message), listed in the lint panel under the definition's id, kept right
when a definition is fixed or broken while the TUI runs, and outside text shown escaped."""

from __future__ import annotations

import json
import re
import sys

from click.testing import CliRunner
from textual.widgets import Static, TabbedContent
from tui_support import drive, make_app, settle, toasts

from reflekt.cli import cli
from reflekt.tui.widgets.lint_panel import FindingsTree
from reflekt.tui.widgets.schema_tree import SchemaTree

MONEY = ".reflekt/common/money/1-0.json"
CHAIN = ".reflekt/common/chain/1-0.json"
BROKEN_MONEY = '{\n  "definitions": {"price": {"type": "number",}}\n'
GOOD_MONEY = json.dumps({"definitions": {"price": {"type": "number"}}}, indent=2)


def _common(project, rel: str, text: str):
    path = project.schemas_dir / ".reflekt" / "common" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _cli_findings(project) -> tuple[int, list[tuple]]:
    """`reflekt lint --format json` of the whole project: its definitions' findings."""
    result = CliRunner().invoke(
        cli, ["lint", "--format", "json", "--project-dir", str(project.root)]
    )
    data = json.loads(result.stdout)
    return result.exit_code, sorted(
        _where(f) for f in data["findings"] if f["schema_id"].startswith(".reflekt/")
    )


def _where(f) -> tuple:
    if not isinstance(f, dict):
        f = {k: getattr(f, k) for k in ("schema_id", "file", "rule", "line", "column", "message")}
    return (f["schema_id"], f["file"], f["rule"], f["line"], f["column"], f["message"])


def _shared(screen) -> list[tuple]:
    return sorted(_where(f) for f in screen.findings if f.schema_id.startswith(".reflekt/"))


def _rows(tree: FindingsTree) -> list[str]:
    """What the findings list shows, line by line (the rendered rows' text)."""
    return [tree.render_line(y).text.rstrip() for y in range(tree.size.height)]


def _broken_definitions(shop):
    """A definition that does not parse and one whose own `$ref` is broken; no event uses
    either (the shop's events reference nothing)."""
    money = _common(shop, "money/1-0.json", BROKEN_MONEY)
    chain = _common(
        shop,
        "chain/1-0.json",
        json.dumps({"definitions": {"a": {"$ref": "common/gone/1-0.json"}}}, indent=2),
    )
    return money, chain


def test_an_unused_broken_definition_is_listed_as_reflekt_lint_reports_it(shop):
    money, _ = _broken_definitions(shop)
    code, cli_found = _cli_findings(shop)
    assert code == 1
    assert {f[:3] for f in cli_found} == {
        (MONEY, f"schemas/{MONEY}", "RF101"),
        (CHAIN, f"schemas/{CHAIN}", "RF104"),
    }

    async def scenario(pilot):
        screen = pilot.app.main_screen
        assert _shared(screen) == cli_found, "same rules, files, lines, columns, messages"
        await pilot.press("2")
        findings = screen.query_one(FindingsTree)
        rows = _rows(findings)
        assert rows[0] == f"▼ {CHAIN} ✗1", "the definition's group, first (`.` sorts first)"
        line, column = next((f[3], f[4]) for f in cli_found if f[2] == "RF104")
        assert re.match(rf"└ error +RF104 +{line}:{column}  the reference `common/gone", rows[1])
        assert any(row.startswith(f"▼ {MONEY} ✗2") for row in rows)
        summary = str(screen.query_one("#lint-summary", Static).render())
        errors = sum(1 for f in screen.findings if f.severity == "error")
        assert summary.startswith(f"{errors} errors"), summary
        assert len(cli_found) == 3 and errors >= 3
        status = str(screen.query_one("#tree-status", Static).render())
        assert status == "5 schemas · 1 unreadable · shared definitions ✗3", status
        # Enter on the definition's finding: no jump into the tree (it is not there), a
        # notice; the Lint tab stays, the tree's filter is untouched.
        findings.cursor_line = 1
        assert findings.cursor_row.finding.schema_id == CHAIN
        detail = str(screen.query_one("#lint-detail", Static).render())
        assert f"schemas/{CHAIN}:{line}:{column}" in detail
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "lint"
        assert any("is a shared definition" in text and CHAIN in text for text in toasts(pilot.app))
        # f: no automatic fix for it; the files are untouched.
        before = money.read_bytes()
        await pilot.press("f")
        await pilot.pause()
        assert any("RF104 has no automatic fix" in text for text in toasts(pilot.app))
        assert money.read_bytes() == before
        # The tree's badges and counts ignore ids it does not list.
        tree = screen.query_one(SchemaTree)
        assert tree.select_key("segment/ecommerce/Cart_Viewed")

    drive(make_app(shop.root), scenario)


def test_fixing_and_breaking_a_definition_while_the_tui_runs(shop):
    money, _ = _broken_definitions(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        assert {f[0] for f in _shared(screen)} == {MONEY, CHAIN}
        others = sorted(_where(f) for f in screen.findings if f.schema_id.startswith("segment/"))
        money.write_text(GOOD_MONEY, encoding="utf-8")  # fixed in an editor outside the TUI
        screen.check_for_changes()
        await settle(pilot)
        _, cli_found = _cli_findings(shop)
        assert _shared(screen) == cli_found
        assert {f[0] for f in cli_found} == {CHAIN}
        status = str(screen.query_one("#tree-status", Static).render())
        assert status.endswith("· shared definitions ✗1"), status
        assert (
            sorted(_where(f) for f in screen.findings if f.schema_id.startswith("segment/"))
            == others
        ), "the schemas' findings as before, none twice"
        # An edit of one event (no definition changed): its partial re-lint keeps them.
        order = shop.schemas_dir / "segment/ecommerce/Order_Completed/1-0.json"
        order.write_text(order.read_text("utf-8").replace("The order.", "Its id."), "utf-8")
        screen.check_for_changes()
        await settle(pilot)
        assert _shared(screen) == cli_found
        # Broken again, and a new broken definition: both show.
        money.write_text(BROKEN_MONEY, encoding="utf-8")
        _common(shop, "late/1-0.json", "[1, 2")
        screen.check_for_changes()
        await settle(pilot)
        _, cli_found = _cli_findings(shop)
        assert {f[0] for f in cli_found} == {MONEY, CHAIN, ".reflekt/common/late/1-0.json"}
        assert _shared(screen) == cli_found
        await pilot.press("2")
        rows = _rows(screen.query_one(FindingsTree))
        assert any(row.startswith("▼ .reflekt/common/late/1-0.json ✗") for row in rows)

    drive(make_app(shop.root), scenario)


def test_definitions_change_in_a_project_with_no_schema_yet(make_project):
    project = make_project(name="empty")
    path = _common(project, "money/1-0.json", GOOD_MONEY)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        assert _shared(screen) == []
        path.write_text(BROKEN_MONEY, encoding="utf-8")
        screen.check_for_changes()
        await settle(pilot)
        _, cli_found = _cli_findings(project)
        assert cli_found and _shared(screen) == cli_found

    drive(make_app(project.root), scenario)


def test_e_opens_the_definition_at_the_finding_then_relints_it(shop, tmp_path, monkeypatch):
    money, _ = _broken_definitions(shop)
    seen = tmp_path / "argv.json"
    script = tmp_path / "editor.py"
    script.write_text(
        "import json, sys\n"
        f"open({str(seen)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        f"open(sys.argv[-1], 'w').write({GOOD_MONEY!r})\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        await pilot.press("2")
        findings = screen.query_one(FindingsTree)
        lines = [line for line in range(20) if (row := findings.row_at(line)) and row.finding]
        line = next(n for n in lines if findings.row_at(n).finding.schema_id == MONEY)
        findings.cursor_line = line
        await pilot.press("e")
        await settle(pilot)
        assert json.loads(seen.read_text("utf-8")) == [str(money)], "the definition's own file"
        assert {f[0] for f in _shared(screen)} == {CHAIN}

    drive(make_app(shop.root), scenario)


HOSTILE_NAME = "[bold red]x\x1b[2J\x1b]0;owned\x07"
HOSTILE_KEY = "[link=file:///etc]k[/link]\x1b[31m"


def test_a_hostile_definition_name_and_content_are_shown_escaped(shop):
    name = f"{HOSTILE_NAME}/1-0.json"
    _common(
        shop, name, f"{{\n  {json.dumps(HOSTILE_KEY)}: 1,\n  {json.dumps(HOSTILE_KEY)}: 2\n}}\n"
    )
    _common(
        shop,
        "ref/1-0.json",
        json.dumps({"definitions": {"a": {"$ref": f"common/{HOSTILE_NAME}/2-0.json"}}}),
    )
    _, cli_found = _cli_findings(shop)
    assert {f[2] for f in cli_found} == {"RF101", "RF104"}

    async def scenario(pilot):
        screen = pilot.app.main_screen
        assert _shared(screen) == cli_found, "the findings as data, as the CLI has them"
        await pilot.press("2")
        findings = screen.query_one(FindingsTree)
        rows = _rows(findings)
        shown = "\n".join(rows)
        assert "\x1b" not in shown and "\x07" not in shown
        assert "▼ .reflekt/common/[bold red]x\\x1b[2J\\x1b]0;owned\\x07/1-0.json ✗1" in rows
        for line in range(len(rows)):
            row = findings.row_at(line)
            if row is None or row.finding is None:
                continue
            findings.cursor_line = line
            await pilot.pause()
            detail = str(screen.query_one("#lint-detail", Static).render())
            assert "\x1b" not in detail and "\x07" not in detail
            if row.finding.schema_id.startswith(".reflekt/common/[bold"):
                assert "[bold red]x\\x1b[2J" in detail, "the name as written, escaped"
                await pilot.press("enter")
                await pilot.pause()
                assert any("[bold red]x\\x1b[2J" in text for text in toasts(pilot.app))
        assert screen.query_one(TabbedContent).active == "lint"

    drive(make_app(shop.root), scenario)
