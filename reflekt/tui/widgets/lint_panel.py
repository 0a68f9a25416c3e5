"""The lint panel: findings grouped by schema file, with rule code and severity.

The findings come from `reflekt.core.lint` (run by the main screen in a worker); this widget
only groups and shows them, through a small API (`show`, `set_busy`, `show_failure`,
`set_scope_key`, `focus_findings`). Enter on a finding posts `LintPanel.Jump`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from reflekt.core.lint.findings import Finding
from reflekt.tui.safe_text import clean, plain
from reflekt.tui.widgets.fast_tree import FastTree

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}


def findings_sort_key(finding: Finding) -> tuple:
    return (finding.schema_id, finding.line or 0, finding.column or 0, finding.rule)


# Open every schema group when at most this many are listed (else they open on demand).
EXPAND_GROUPS_UP_TO = 100


class FindingsTree(FastTree[Any]):
    """Schema groups with their findings; Enter jumps."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Jump to schema", id="lint.jump")
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__("findings", **kwargs)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2

    def on_focus(self) -> None:
        """Arriving with no cursor: put it on the first finding, so Enter jumps at once."""
        if self.cursor_line < 0 and self.last_line >= 0:
            first = self.root.children[0] if self.root.children else None
            has_leaf = first is not None and first.is_expanded and first.children
            self.cursor_line = 1 if has_leaf else 0


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
        self.findings: list[Finding] = []
        self.schemas = 0
        self.scope_selection = False
        self.scope_key: str | None = None
        self.busy_text: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("Lint has not run yet.", id="lint-summary")
        yield FindingsTree(id="findings")
        yield Static("", id="lint-detail")

    def set_busy(self, text: str | None) -> None:
        self.busy_text = text
        self._update_summary(self.visible_findings())

    def show(
        self,
        findings: Iterable[Finding],
        schemas: int,
        scope_key: str | None = None,
    ) -> None:
        """Show these findings (all of the project); the scope narrows what is listed."""
        self.findings = sorted(findings, key=findings_sort_key)
        self.schemas = schemas
        self.scope_key = scope_key
        self.busy_text = None
        self._redraw()

    def add(self, findings: Iterable[Finding]) -> None:
        """More findings of a run still going (streamed in as lint chunks finish)."""
        self.show([*self.findings, *findings], self.schemas, self.scope_key)

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
        """The findings listed: all of them, or those of the selection (scope `s`)."""
        if not self.scope_selection or not self.scope_key:
            return self.findings
        prefix = self.scope_key
        return [
            f
            for f in self.findings
            if f.schema_id.removesuffix(".json") == prefix or f.schema_id.startswith(prefix + "/")
        ]

    def _update_summary(self, visible: list[Finding]) -> None:
        errors = sum(1 for f in visible if f.severity == "error")
        warnings = sum(1 for f in visible if f.severity == "warning")
        files = len({f.schema_id for f in visible})
        text = Text()
        if self.busy_text:
            text.append(f"⟳ {self.busy_text}  ", style="cyan")
        if not visible and not self.busy_text:
            text.append("✓ no findings", style="green")
            if self.scope_selection and self.scope_key:
                text.append(f" in the selection {self.scope_key}")
            else:
                text.append(f": all {self.schemas} schemas pass the rules")
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
        if self.scope_selection and self.scope_key:
            scope = f"selection {self.scope_key}"
        else:
            scope = f"project, {self.schemas} schemas"
        text.append(f" · scope: {scope} (s)", style="dim")
        self.query_one("#lint-summary", Static).update(text)

    def _redraw(self) -> None:
        visible = self.visible_findings()
        self._update_summary(visible)
        tree = self.query_one(FindingsTree)
        cursor = tree.cursor_line
        grouped: dict[str, list[Finding]] = {}
        for finding in visible:
            grouped.setdefault(finding.schema_id, []).append(finding)
        expand = len(grouped) <= EXPAND_GROUPS_UP_TO
        with tree.bulk():
            tree.clear()
            for schema_id, items in grouped.items():
                errors = sum(1 for f in items if f.severity == "error")
                warnings = len(items) - errors
                label = plain(schema_id, style="bold")
                if errors:
                    label.append(f" ✗{errors}", style="bold red")
                if warnings:
                    label.append(f" ▲{warnings}", style="yellow")
                group = tree.root.add(label, data=("schema", schema_id, None), expand=expand)
                if expand:
                    self._fill_group(group, items)
                else:
                    tree.set_lazy(group, lambda node, items=items: self._fill_group(node, items))
            tree.root.expand()
        if cursor >= 0:
            tree.cursor_line = min(cursor, max(tree.last_line, 0))

    def _fill_group(self, group: TreeNode[Any], items: list[Finding]) -> None:
        for finding in items:
            group.add_leaf(self._finding_label(finding), data=("finding", finding))

    @staticmethod
    def _finding_label(finding: Finding) -> Text:
        text = Text()
        severity = finding.severity
        text.append(f"{severity:<7}", style=SEVERITY_STYLE.get(severity, ""))
        text.append(f" {finding.rule:<6}", style="bold")
        where = f"{finding.line}:{finding.column or 1}" if finding.line else "-"
        text.append(f" {where:>6}  ", style="dim")
        text.append(clean(finding.message))
        if finding.suggestion:
            text.append(f"  → {clean(finding.suggestion)}", style="green")
        text.append(f"  [{finding.rule_name}]", style="dim")
        return text

    def finding_at_cursor(self) -> Finding | None:
        """The finding under the findings tree's cursor, if it is one (not a file row)."""
        node = self.query_one(FindingsTree).cursor_node
        data = node.data if node is not None else None
        return data[1] if data and data[0] == "finding" else None

    def on_tree_node_highlighted(self, message: Tree.NodeHighlighted) -> None:
        """The highlighted finding in full below the list: the message wrapped, the
        suggestion on a line of its own (a tree row cuts both at the pane's width)."""
        data = message.node.data
        detail = self.query_one("#lint-detail", Static)
        detail.display = bool(data) and data[0] == "finding"
        if not detail.display:
            return
        finding = data[1]
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

    def on_tree_node_selected(self, message: Tree.NodeSelected) -> None:
        message.stop()
        data = message.node.data
        if not data:
            return
        if data[0] == "finding":
            finding = data[1]
            self.post_message(self.Jump(finding.schema_id, finding.property))
        else:
            self.post_message(self.Jump(data[1], None))

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
