"""The lint panel: findings grouped by schema file, with rule code and severity.

The findings come from `reflekt.core.lint` (run by the main screen in a worker); this widget
only groups and shows them, through a small API (`show`, `add`, `set_busy`, `show_failure`,
`set_scope_key`, `focus_findings`). Enter on a finding posts `LintPanel.Jump`.

It scales with what is on screen, not with the number of findings: `show` indexes the
findings per file (`FindingGroups`, no sort of every finding) and `FindingsTree` draws only
the visible rows; 450,000 findings over 50,000 files show and repaint in 0.18 s of CPU
(`benchmarks/lint_panel_bench.py`; the Tree it replaces took 9 s). `add` streams partial results (lint chunks as they
finish) at a cost proportional to the findings added.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from reflekt.core.lint.findings import Finding
from reflekt.core.lint.stored import StoredFindings
from reflekt.tui.safe_text import clean
from reflekt.tui.widgets.finding_groups import FindingGroups, findings_sort_key, in_scope
from reflekt.tui.widgets.findings_tree import SEVERITY_STYLE, FindingsTree

__all__ = [
    "EXPAND_GROUPS_UP_TO",
    "SEVERITY_STYLE",
    "FindingsTree",
    "LintPanel",
    "findings_sort_key",
]

# Open every schema group when at most this many are listed (else they open on demand).
EXPAND_GROUPS_UP_TO = 100


class LintPanel(Vertical):
    """Summary line plus the findings tree. `s` switches scope: project or selection."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "toggle_scope", "Scope", id="lint.scope"),
        Binding("f", "fix", "Fix", id="lint.fix"),
    ]

    class Jump(Message):
        """The user wants to see this schema (and property) in the schema view."""

        def __init__(self, schema_id: str, property: str | None) -> None:
            super().__init__()
            self.schema_id = schema_id
            self.property = property

    class FixWanted(Message):
        """The user asked for the fix of this finding (`core/lint/fixes.py`)."""

        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    class ScopeChanged(Message):
        """The scope switch was toggled; the screen redraws with the current selection."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.groups = FindingGroups()
        self.schemas = 0
        self.scope_selection = False
        self.scope_key: str | None = None
        self.busy_text: str | None = None
        self._listed: list[str] = []  # the schema ids listed (the scope's), sorted

    @property
    def findings(self) -> list[Finding]:
        """Every finding shown or held (all of the project), in the order given; the
        stored ones decoded (O(findings): not for redraws)."""
        return self.groups.all_findings()

    def compose(self) -> ComposeResult:
        yield Static("Lint has not run yet.", id="lint-summary")
        yield FindingsTree(id="findings")
        yield Static("", id="lint-detail")

    def set_busy(self, text: str | None) -> None:
        self.busy_text = text
        self._update_summary()

    def show(
        self,
        findings: Iterable[Finding],
        schemas: int,
        scope_key: str | None = None,
        stored: StoredFindings | None = None,
    ) -> None:
        """Show these findings and those `stored` (all of the project); the scope narrows
        what is listed."""
        self.groups.reset(findings, stored)
        self.schemas = schemas
        self.scope_key = scope_key
        self.busy_text = None
        self._redraw()

    def add(self, findings: Iterable[Finding], schemas: int | None = None) -> None:
        """Stream partial results: list these findings too (a lint chunk that finished).

        The cost is that of the findings added (plus a bisection per new file), not of all
        those shown, so a run can call it per chunk; the cursor stays on its row. Findings
        are added, never replaced: a run that re-lints files already listed ends with
        `show` (all the findings), as `LintFinished` does. `schemas`: the count so far.
        """
        if schemas is not None:
            self.schemas = schemas
        tree = self.query_one(FindingsTree)
        before, at = len(self._listed), tree.cursor_row
        new = self.groups.add(findings)
        listed = self._scoped_keys()
        if before <= EXPAND_GROUPS_UP_TO < len(listed):
            tree.show_groups(self.groups, listed, open_all=False)  # as `show` would list them
        else:
            tree.grow(self.groups, listed, new, len(listed) <= EXPAND_GROUPS_UP_TO, at)
        self._listed = listed
        self._update_summary()

    def set_scope_key(self, scope_key: str | None) -> None:
        if scope_key == self.scope_key:
            return
        self.scope_key = scope_key
        if self.scope_selection:
            self._redraw()

    def show_failure(self, message: str) -> None:
        """The lint run failed: say so in place of the summary (the last findings stay)."""
        self.busy_text = None
        self.query_one("#lint-summary", Static).update(f"Lint failed: {message}")

    def focus_findings(self) -> None:
        self.query_one(FindingsTree).focus()

    def visible_findings(self) -> list[Finding]:
        """The findings listed: all of them, or those of the selection (scope `s`), in the
        order given (the list shows each file's sorted). O(findings): not for redraws."""
        if not self._scoped():
            return self.findings
        prefix = self.scope_key or ""
        return [f for f in self.findings if in_scope(f.schema_id, prefix)]

    def _scoped(self) -> bool:
        return self.scope_selection and bool(self.scope_key)

    def _scoped_keys(self) -> list[str]:
        return self.groups.keys_in(self.scope_key if self._scoped() else None)

    def _update_summary(self) -> None:
        errors, warnings, files = self.groups.counts(self._listed)
        text = Text()
        if self.busy_text:
            text.append(f"⟳ {self.busy_text}  ", style="cyan")
        if not files and not self.busy_text:
            text.append("✓ no findings", style="green")
            if self._scoped():
                text.append(f" in the selection {self.scope_key}")
            else:
                one = self.schemas == 1
                text.append(": the schema passes" if one else f": all {self.schemas} schemas pass")
                text.append(" the rules")
            text.append(" · scope (s)", style="dim")
            self.query_one("#lint-summary", Static).update(text)
            return
        if errors:
            text.append(f"{errors} error{'s' * (errors != 1)}", style="bold red")
        else:
            text.append("0 errors", style="green")
        text.append(", ")
        text.append(
            f"{warnings} warning{'s' * (warnings != 1)}", style="yellow" if warnings else ""
        )
        text.append(f" in {files} file{'s' * (files != 1)}")
        if self._scoped():
            scope = f"selection {self.scope_key}"
        else:
            scope = f"project, {self.schemas} schema{'s' * (self.schemas != 1)}"
        text.append(f" · scope: {scope} (s)", style="dim")
        self.query_one("#lint-summary", Static).update(text)

    def _redraw(self) -> None:
        self._listed = self._scoped_keys()
        self._update_summary()
        tree = self.query_one(FindingsTree)
        tree.show_groups(self.groups, self._listed, len(self._listed) <= EXPAND_GROUPS_UP_TO)

    def finding_at_cursor(self) -> Finding | None:
        """The finding under the findings list's cursor, if it is one (not a file row)."""
        row = self.query_one(FindingsTree).cursor_row
        return row.finding if row is not None else None

    @on(FindingsTree.Highlighted)
    def _highlighted(self, message: FindingsTree.Highlighted) -> None:
        """The highlighted finding in full below the list: the message wrapped, the
        suggestion on a line of its own (a list row cuts both at the pane's width)."""
        finding = message.row.finding if message.row is not None else None
        detail = self.query_one("#lint-detail", Static)
        detail.display = finding is not None
        if finding is None:
            return
        text = Text()
        where = (
            f"{finding.file}:{finding.line}:{finding.column or 1}" if finding.line else finding.file
        )
        text.append(f"{finding.rule} {finding.rule_name}", style="bold")
        text.append(f"  {clean(where)}\n", style="dim")
        text.append(clean(finding.message))
        if finding.suggestion:
            text.append("\n→ suggestion: ", style="dim")
            text.append(clean(finding.suggestion), style="green")
        detail.update(text)

    @on(FindingsTree.Selected)
    def _selected(self, message: FindingsTree.Selected) -> None:
        message.stop()
        finding = message.row.finding
        if finding is not None:
            self.post_message(self.Jump(finding.schema_id, finding.property))
        else:
            self.post_message(self.Jump(message.row.schema_id, None))

    def action_fix(self) -> None:
        finding = self.finding_at_cursor()
        if finding is None:
            self.notify("Put the cursor on a finding first.", severity="warning")
            return
        self.post_message(self.FixWanted(finding))

    def action_toggle_scope(self) -> None:
        self.scope_selection = not self.scope_selection
        self.post_message(self.ScopeChanged())
        self._redraw()
