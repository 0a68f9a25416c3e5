"""The lint panel with 20,000 findings over 2,500 files: the virtual list behaves as the tree.

Exact summary counts, closed files that open with l / right / space and close with h / left,
the cursor kept, Enter, a click and f posting their messages, the scope switch, ctrl+f's row
search, and `add` streaming chunks to the same list `show` draws.
"""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.widgets import Static

from reflekt.core.lint.findings import Finding
from reflekt.tui.search import search_rows
from reflekt.tui.widgets.lint_panel import EXPAND_GROUPS_UP_TO, FindingsTree, LintPanel

FILES, PER_FILE = 2_500, 8


def schema_id(number: int) -> str:
    return f"segment/plan_{number % 5}/Event_{number:04d}/1-0.json"


def synthetic(files: int = FILES, per_file: int = PER_FILE) -> list[Finding]:
    """Per file: findings in reverse line order (the list sorts them), every third an error."""
    findings = []
    for number in range(files):
        sid = schema_id(number)
        for index in reversed(range(per_file)):
            severity = "error" if index % 3 == 0 else "warning"
            findings.append(
                Finding(
                    sid,
                    f"schemas/{sid}",
                    10 + index,
                    3,
                    "RF311",
                    "property-casing",
                    severity,
                    f'property "p{number}x{index}" is not snake_case',
                    property=f"p{number}x{index}",
                    suggestion=f"p_{number}_{index}",
                )
            )
    return findings


class Host(App[None]):
    AUTO_FOCUS = None  # the list gets the focus when a test says so (as on the main screen)

    def __init__(self) -> None:
        super().__init__()
        self.posted: list[object] = []

    def compose(self) -> ComposeResult:
        yield LintPanel()

    def on_lint_panel_jump(self, message: LintPanel.Jump) -> None:
        self.posted.append(("jump", message.schema_id, message.property))

    def on_lint_panel_fix_wanted(self, message: LintPanel.FixWanted) -> None:
        self.posted.append(("fix", message.finding))

    def on_lint_panel_scope_changed(self, message: LintPanel.ScopeChanged) -> None:
        self.posted.append(("scope",))


def run(scenario) -> None:
    async def main() -> None:
        app = Host()
        async with app.run_test(size=(120, 40)) as pilot:
            await scenario(pilot, app, app.query_one(LintPanel), app.query_one(FindingsTree))

    asyncio.run(main())


def summary(app: Host) -> str:
    return str(app.query_one("#lint-summary", Static).render())


def expected_summary(findings: list[Finding], schemas: int) -> str:
    errors = sum(f.severity == "error" for f in findings)
    files = len({f.schema_id for f in findings})
    return (
        f"{errors} errors, {len(findings) - errors} warnings in {files} files"
        f" · scope: project, {schemas} schemas (s)"
    )


def test_many_files_show_closed_with_exact_counts_and_open_on_demand():
    findings = synthetic()

    async def scenario(pilot, app, panel, tree):
        panel.show(findings, 3_000)
        panel.focus_findings()
        await pilot.pause()
        assert summary(app) == expected_summary(findings, 3_000)
        assert tree.row_count == FILES  # every file closed: one row each
        first = sorted({f.schema_id for f in findings})[0]
        assert tree.cursor_line == 0 and tree.cursor_row.schema_id == first
        assert tree.cursor_row.finding is None
        assert tree.cursor_row.label.plain == f"{first} ✗3 ▲5"
        await pilot.press("l")
        assert tree.row_count == FILES + PER_FILE
        await pilot.press("j")
        row = tree.cursor_row
        assert row.finding is not None and row.finding.line == 10  # sorted by line
        assert "error" in row.label.plain and "p_0_0" in row.label.plain
        detail = app.query_one("#lint-detail", Static)
        await pilot.pause()
        assert detail.display and "→ suggestion: p_0_0" in detail.render().plain
        await pilot.press("h")  # on a finding: to its file
        assert tree.cursor_line == 0
        await pilot.pause()
        assert not detail.display
        await pilot.press("h")  # on an open file: close it
        assert tree.row_count == FILES
        await pilot.press("space", "space")  # space toggles too
        assert tree.row_count == FILES
        await pilot.press("right", "down", "down", "left")
        assert tree.cursor_line == 0 and tree.row_count == FILES + PER_FILE

    run(scenario)


def test_paging_and_the_ends_move_the_cursor_and_scroll():
    async def scenario(pilot, app, panel, tree):
        panel.show(synthetic(), 2_500)
        panel.focus_findings()
        await pilot.pause()
        page = tree.scrollable_content_region.height - 1
        await pilot.press("pagedown")
        assert tree.cursor_line == page
        await pilot.press("end")
        assert tree.cursor_line == FILES - 1
        await pilot.pause()
        assert tree.scroll_y >= FILES - tree.scrollable_content_region.height
        await pilot.press("pageup")
        assert tree.cursor_line == FILES - 1 - page
        await pilot.press("home")
        assert tree.cursor_line == 0 and tree.scroll_y == 0
        await pilot.press("k")  # at the top it stays
        assert tree.cursor_line == 0

    run(scenario)


def test_enter_a_click_and_f_post_jump_and_fix():
    findings = synthetic()

    async def scenario(pilot, app, panel, tree):
        panel.show(findings, 2_500)
        panel.focus_findings()
        await pilot.pause()
        file_id = tree.cursor_row.schema_id
        await pilot.press("enter")  # on a file: jump to the schema, the file stays closed
        await pilot.press("f")  # on a file: nothing to fix (a warning toast)
        await pilot.press("l", "j", "enter", "f")
        await pilot.pause()
        finding = tree.cursor_row.finding
        assert app.posted == [
            ("jump", file_id, None),
            ("jump", file_id, finding.property),
            ("fix", finding),
        ]
        assert panel.finding_at_cursor() is finding
        app.posted.clear()
        await pilot.click(FindingsTree, offset=(10, 3))  # the third finding's row
        await pilot.pause()
        third = tree.row_at(3).finding
        assert tree.cursor_line == 3
        assert app.posted == [("jump", file_id, third.property)]
        await pilot.click(FindingsTree, offset=(0, 0))  # the ▼ of the file: closes it
        await pilot.pause()
        assert tree.row_count == FILES
        assert app.posted == [("jump", file_id, third.property)]

    run(scenario)


def test_the_scope_lists_the_selection_with_its_exact_counts():
    findings = synthetic()
    folder = "segment/plan_3"
    wanted = [f for f in findings if f.schema_id.startswith(folder + "/")]

    async def scenario(pilot, app, panel, tree):
        panel.show(findings, 2_500, scope_key=folder)
        panel.focus_findings()
        await pilot.pause()
        await pilot.press("s")
        assert app.posted == [("scope",)]
        errors = sum(f.severity == "error" for f in wanted)
        files = FILES // 5
        assert summary(app) == (
            f"{errors} errors, {len(wanted) - errors} warnings in {files} files"
            f" · scope: selection {folder} (s)"
        )
        assert tree.row_count == files
        assert all(tree.row_at(line).schema_id.startswith(folder) for line in (0, files - 1))
        assert set(panel.visible_findings()) == set(wanted)
        one = schema_id(3)
        panel.set_scope_key(one.removesuffix(".json"))  # a file: its findings, open
        assert tree.row_count == 1 + PER_FILE
        assert {f.schema_id for f in panel.visible_findings()} == {one}
        await pilot.press("s")
        assert summary(app) == expected_summary(findings, 2_500)

    run(scenario)


def test_ctrl_f_row_search_finds_shown_rows_only():
    async def scenario(pilot, app, panel, tree):
        panel.show(synthetic(), 2_500)
        panel.focus_findings()
        await pilot.pause()
        result = search_rows(tree, "Event_1234", forward=True)
        assert result.position == 0 and len(result.matches) == 1
        assert tree.cursor_row.schema_id == schema_id(1234)
        await pilot.pause()
        assert tree.scroll_y <= tree.cursor_line < tree.scroll_y + tree.size.height
        assert search_rows(tree, "p_1234_5", forward=True).position == -1  # file closed
        await pilot.press("l")
        result = search_rows(tree, "p_1234_5", forward=True)
        assert result.position == 0 and tree.cursor_row.finding.suggestion == "p_1234_5"

    run(scenario)


def test_add_streams_chunks_to_the_list_show_draws_and_keeps_the_cursor():
    findings = synthetic()
    chunks = [findings[start : start + 1_000] for start in range(0, len(findings), 1_000)]

    async def scenario(pilot, app, panel, tree):
        panel.show(findings, 2_500)
        shown = list(tree.row_texts())
        panel.show([], 2_500)
        panel.focus_findings()
        await pilot.pause()
        panel.add(chunks[-1])  # the last files first: a cursor row, then files before it
        await pilot.press("end")
        at = tree.cursor_row
        for chunk in chunks[:-1]:
            panel.add(chunk)
        await pilot.pause()
        assert tree.cursor_row.schema_id == at.schema_id and tree.cursor_row.finding is None
        assert list(tree.row_texts()) == shown
        assert summary(app) == expected_summary(findings, 2_500)
        assert len(panel.findings) == len(findings)

    run(scenario)


def test_few_files_open_and_add_closes_them_past_the_threshold():
    few = synthetic(files=EXPAND_GROUPS_UP_TO, per_file=2)
    more = synthetic(files=EXPAND_GROUPS_UP_TO + 1, per_file=2)[len(few) :]

    async def scenario(pilot, app, panel, tree):
        panel.show(few[:2], 10)
        panel.add(few[2:])
        assert tree.row_count == EXPAND_GROUPS_UP_TO * 3  # all open, as `show` opens them
        panel.add(more)
        assert tree.row_count == EXPAND_GROUPS_UP_TO + 1  # all closed, as `show` would
        panel.show(few, 10)
        panel.focus_findings()
        await pilot.pause()
        assert tree.cursor_line == 1 and tree.cursor_row.finding is not None

    run(scenario)


def test_add_on_a_panel_never_shown_lists_the_chunks():
    """The first lint run streams into a fresh panel: no `show` before the first `add`."""
    findings = synthetic(files=300, per_file=2)

    async def scenario(pilot, app, panel, tree):
        panel.add(findings[:10])
        assert tree.row_count == 5 * 3  # five files, few: open
        panel.add(findings[10:])
        assert tree.row_count == 300
        assert summary(app) == expected_summary(findings, 0)

    run(scenario)
