"""The audit panel: a source picker, then the findings of `reflekt audit` by table.

Display only: the panel posts `RunWanted` (source and window) and `Jump` (schema and
property); the screen runs the core's `audit()` in a worker and hands the report back with
`show`. Each finding shows its code, severity, counts, when it was seen and sample values.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Select, Static
from textual.widgets.tree import TreeNode

from reflekt.core.audit.report import AuditFinding, AuditReport
from reflekt.core.build.segment import SDKS
from reflekt.core.profiles import Profile
from reflekt.core.warehouse import default_database
from reflekt.tui.safe_text import clean, plain
from reflekt.tui.widgets.fast_tree import FastTree
from reflekt.tui.wizard_memory import WizardChoice

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}


class AuditTree(FastTree[Any]):
    """Tables with their findings; Enter on a finding jumps to its schema property."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Jump to schema", id="audit.jump")
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("audit", **kwargs)
        self.show_root = False
        self.guide_depth = 2


class AuditPanel(Vertical):
    """Source, database, schema and window inputs; Audit runs; the findings tree."""

    class RunWanted(Message):
        def __init__(
            self, source: str, since: str, sdk: str = "segment", choice: WizardChoice | None = None
        ) -> None:
            super().__init__()
            self.source = source
            self.since = since
            self.sdk = sdk  # whose destination wrote the tables (`reflekt audit --sdk`)
            self.choice = choice or WizardChoice()  # the form's values, to remember

    class Jump(Message):
        def __init__(self, schema_id: str, property: str | None) -> None:
            super().__init__()
            self.schema_id = schema_id
            self.property = property

    def compose(self) -> ComposeResult:
        # Two rows: where the tables are, then which rows and whose tables (one row left
        # the database and schema four columns each in an 80-column terminal).
        with Vertical(id="audit-form"):
            with Horizontal(id="audit-where"):
                yield Select[str]([], id="audit-source", prompt="loading profile…")
                yield Input(placeholder="database", id="audit-database")
                yield Input(placeholder="schema, e.g. segment_prod", id="audit-schema")
            with Horizontal(id="audit-when"):
                yield Input("7d", placeholder="since: 7d, 24h, 2025-01-01", id="audit-since")
                yield Select[str](
                    [(f"{sdk} tables", sdk) for sdk in SDKS],
                    value="segment",
                    allow_blank=False,
                    id="audit-sdk",
                )
                yield Button("Audit", id="audit-run", variant="primary")
        yield Static(
            "Choose a source and press Audit (the warehouse does the work).", id="audit-summary"
        )
        yield AuditTree(id="audit-findings")

    # -- the form -----------------------------------------------------------------------------

    def set_profile(self, profile: Profile, remembered: WizardChoice | None = None) -> None:
        """The profile's sources, the form filled with what was chosen last (`remembered`:
        the wizard's and this tab's last run), else its one source and that one's database."""
        self.profile = profile
        last = remembered or WizardChoice()
        select = self.query_one("#audit-source", Select)
        sources = [source.id for source in profile.sources]
        select.set_options([(clean(name), name) for name in sources])
        select.prompt = "choose a source" if sources else "no source in the profile"
        chosen = (
            last.source if last.source in sources else sources[0] if len(sources) == 1 else None
        )
        if chosen is not None:
            select.value = chosen
            database = last.database if chosen == last.source else ""
            self.query_one("#audit-database", Input).value = database or default_database(
                profile.source(chosen)
            )
            if chosen == last.source and last.schema:
                self.query_one("#audit-schema", Input).value = last.schema
        if last.sdk:
            self.query_one("#audit-sdk", Select).value = last.sdk
        self.focus_findings()

    def show_profile_failure(self, message: str) -> None:
        self.query_one("#audit-source", Select).prompt = "no profile"
        self.query_one("#audit-summary", Static).update(Text(clean(message), style="red"))

    @on(Select.Changed, "#audit-source")
    def _source_chosen(self, message: Select.Changed) -> None:
        profile = getattr(self, "profile", None)
        if profile is None or message.value is Select.BLANK:
            return
        database = self.query_one("#audit-database", Input)
        if not database.value:
            database.value = default_database(profile.source(str(message.value)))

    @on(Button.Pressed, "#audit-run")
    @on(Input.Submitted)
    def _run(self) -> None:
        source = self.query_one("#audit-source", Select).value
        database = self.query_one("#audit-database", Input).value.strip()
        schema = self.query_one("#audit-schema", Input).value.strip()
        since = self.query_one("#audit-since", Input).value.strip() or "7d"
        if source is Select.BLANK or not database or not schema:
            self.show_failure("Choose a source and give its database and schema.")
            return
        sdk = str(self.query_one("#audit-sdk", Select).value)
        choice = WizardChoice(str(source), database, schema, sdk)
        self.post_message(self.RunWanted(f"{source}.{database}.{schema}", since, sdk, choice))

    # -- results ----------------------------------------------------------------------------

    def set_busy(self, text: str) -> None:
        self.query_one("#audit-summary", Static).update(Text(clean(text), style="dim"))

    def show_failure(self, message: str) -> None:
        self.query_one("#audit-summary", Static).update(Text(clean(message), style="red"))

    def show(self, report: AuditReport) -> None:
        """The report's findings by table, errors first within each."""
        self.report = report
        style = "red" if report.errors else "yellow" if report.findings else "green"
        summary = plain(report.summary_line(), style)
        sdk = str(self.query_one("#audit-sdk", Select).value)
        notes = (
            report.empty_window_note(widen="the since field"),
            report.sdk_note(sdk, flag='"rudderstack tables" (beside the since field)'),
        )
        for note in notes:
            if note:
                summary.append(f"\n{note}", "yellow")
        self.query_one("#audit-summary", Static).update(summary)
        tree = self.query_one(AuditTree)
        tree.clear()
        by_table: dict[str, list[AuditFinding]] = {}
        for finding in report.findings:
            by_table.setdefault(finding.table, []).append(finding)
        for table, findings in by_table.items():
            errors = sum(1 for f in findings if f.severity == "error")
            label = plain(table, "bold")
            label.append(f"  {errors} error(s), {len(findings) - errors} warning(s)", "dim")
            group: TreeNode[Any] = tree.root.add(label, expand=True)
            ordered = sorted(findings, key=lambda f: (f.severity != "error", f.code))
            for finding in ordered:
                group.add_leaf(_finding_label(finding), data=finding)
        if tree.root.children:
            tree.cursor_line = 1

    def focus_findings(self) -> None:
        """The findings once there are some; before, the first field left to fill."""
        if getattr(self, "report", None) is not None:
            self.query_one(AuditTree).focus()
            return
        for field_id in ("#audit-database", "#audit-schema"):
            field = self.query_one(field_id, Input)
            if not field.value:
                field.focus()
                return
        self.query_one("#audit-run", Button).focus()

    @on(AuditTree.NodeSelected)
    def _selected(self, message: AuditTree.NodeSelected) -> None:
        finding = message.node.data
        if isinstance(finding, AuditFinding) and finding.schema_id:
            self.post_message(self.Jump(finding.schema_id, finding.property or None))


def _finding_label(finding: AuditFinding) -> Text:
    text = Text()
    text.append(f"{finding.code} ", "bold")
    text.append(f"{finding.severity:<7} ", SEVERITY_STYLE.get(finding.severity, ""))
    text.append(clean(finding.message))
    if finding.first_seen:
        text.append(f"  seen {finding.first_seen} .. {finding.last_seen}", "dim")
    if finding.samples:
        shown = ", ".join(json.dumps(value, ensure_ascii=False) for value in finding.samples)
        text.append(f"  e.g. {clean(shown)}", "cyan")
    return text
