"""The diff view: local schemas against the registry (or a git ref), per event.

Display only: the main screen runs the comparison (`reflekt.core.registries.compare`, the
same call as `reflekt diff`) in a worker and hands the view its progress (`show_progress`),
its report (`show_report`) or its failure (`show_failure`). For a git ref the view posts
`DiffView.GitRefWanted`: the screen asks which ref and compares again.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from reflekt.tui.safe_text import clean, plain
from reflekt.tui.widgets.side_by_side import legend
from reflekt.tui.widgets.side_by_side import side_by_side as columns

if TYPE_CHECKING:
    from reflekt.core.diff import DiffReport, EventDiff

CLASS_STYLE = {"MAJOR": "bold red", "MINOR": "yellow", "NONE": "dim"}
VERDICT_STYLE = {
    "breaking": "bold red",
    "unbumped": "yellow",
    "compatible": "green",
    "unchanged": "dim",
    "new": "cyan",
    "removed": "magenta",
}

# Most urgent first in the events table.
VERDICT_ORDER = {"breaking": 0, "unbumped": 1, "removed": 2, "new": 3, "compatible": 4}


def short(value: Any, width: int = 60) -> str:
    """A change's old/new value on one line."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def report_summary(report: DiffReport) -> Text:
    """`local vs segment/ecommerce: 1 needs a MAJOR version bump, 2 bumped correctly (MINOR)`,
    coloured by verdict (the words of `DiffReport.tally`, as the CLI's summary says them)."""
    text = Text()
    text.append(f"local vs {clean(report.against)}: ", style="bold")
    parts = report.tally()
    if not parts:
        text.append("nothing to compare", style="dim")
    for index, (words, verdict) in enumerate(parts):
        if index:
            text.append(", ")
        text.append(words, style=VERDICT_STYLE.get(verdict, ""))
    return text


def event_head(event: EventDiff) -> Text:
    """An event's name, its outcome (`MAJOR change, version bumped: OK`), its versions and
    the version the file should carry."""
    head = Text()
    head.append(clean(event.name), style="bold")
    head.append(f"   {clean(event.event_key)}\n", style="dim")
    head.append(event.outcome, style=VERDICT_STYLE.get(event.verdict, ""))
    head.append(f"\nlocal {_version(event.local_version)}   base {_version(event.base_version)}")
    if event.required_version is not None:
        head.append(f"   the file should carry {event.required_version}", style="bold")
    head.append(f"\n{clean(event.note)}\n", style="italic")
    return head


def _version(version: Any) -> str:
    return str(version) if version else "-"


def unified_changes(event: EventDiff) -> Text:
    """Each change on its own lines: class, code, message, then - old / + new."""
    lines = Text()
    for change in event.changes:
        style = CLASS_STYLE.get(change.change_class, "")
        lines.append(f"{change.change_class:<5} ", style=style)
        lines.append(f"{change.code:<28} ", style="bold")
        lines.append(f"{clean(change.message)}\n")
        if change.old is not None:
            lines.append(f"      - {clean(short(change.old, 90))}\n", style="red")
        if change.new is not None:
            lines.append(f"      + {clean(short(change.new, 90))}\n", style="green")
    return lines


def event_detail(event: EventDiff, side_by_side: bool) -> Group:
    """One event's verdict and versions, then its changes (unified) or both schemas.

    Side by side shows the two bodies the diff compared (`EventDiff.base_body` and
    `.local_body`): nothing is read or fetched again.
    """
    head = event_head(event)
    if not side_by_side:
        if not event.changes:
            return Group(head, Text("no changes", style="dim"))
        return Group(head, unified_changes(event))
    table = columns(
        event.base_body,
        event.local_body,
        event.changes,
        f"base {_version(event.base_version)}",
        f"local {_version(event.local_version)}",
    )
    return Group(head, legend(), table)


class DiffView(Vertical):
    """Events table on the left, the selected event's changes on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "toggle_layout", "Side by side/unified", id="diff.layout"),
        Binding("g", "git_ref", "Against git ref", id="diff.git_ref"),
    ]

    class GitRefWanted(Message):
        """The user wants the selection compared with a git ref (the screen asks which)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.report: DiffReport | None = None
        self.error: str | None = None
        self.side_by_side = False
        self.selects: list[str] = []
        self.against: str | None = None
        self.detail: Text | Group = Text("")

    def compose(self) -> ComposeResult:
        yield Static(
            "Press d on an event or plan in the tree to compare it with the registry "
            "(g: against a git ref).",
            id="diff-summary",
        )
        with Vertical(id="diff-body"):
            table: DataTable = DataTable(id="diff-events", cursor_type="row")
            table.add_columns("event", "verdict", "local", "base")  # verdict before it is cut off
            yield table
            with VerticalScroll(id="diff-detail-scroll"):
                yield Static("", id="diff-detail")

    def focus_events(self) -> None:
        self.query_one("#diff-events", DataTable).focus()

    # -- a comparison's progress and outcome ------------------------------------------------

    def comparing(self, selects: list[str], against: str | None = None) -> None:
        """A comparison of `selects` with the registry (or `against="git:REF"`) has started."""
        self.selects = list(selects)
        self.against = against
        self.error = None
        target = against or "the registry"
        self.query_one("#diff-summary", Static).update(
            Text(f"⟳ comparing {', '.join(selects) or 'everything'} with {target}…", style="cyan")
        )
        self.query_one("#diff-body").loading = True

    def show_progress(self, text: str) -> None:
        self.query_one("#diff-summary", Static).update(Text(text, style="cyan"))

    def show_failure(self, message: str) -> None:
        """The comparison failed: the message (and, against the registry, the way around)."""
        self.query_one("#diff-body").loading = False
        self.report = None
        self.error = message
        text = Text("✗ Diff failed\n", style="bold red")
        text.append(clean(message))
        if self.against is None:
            text.append(
                "\nPress g to compare with a git ref instead (no registry needed).", style="dim"
            )
        self.query_one("#diff-summary", Static).update(text)
        self.query_one("#diff-events", DataTable).clear()
        self.query_one("#diff-detail", Static).update("")

    # -- showing ----------------------------------------------------------------------------

    def show_report(self, report: DiffReport) -> None:
        self.query_one("#diff-body").loading = False
        self.report = report
        self.error = None
        self.query_one("#diff-summary", Static).update(report_summary(report))
        table = self.query_one("#diff-events", DataTable)
        table.clear()
        ordered = sorted(
            report.events, key=lambda e: (VERDICT_ORDER.get(e.verdict, 9), e.event_key)
        )
        for event in ordered:
            table.add_row(
                plain(event.event_key.rsplit("/", 1)[-1]),
                Text(event.verdict, style=VERDICT_STYLE.get(event.verdict, "")),
                str(event.local_version or "-"),
                str(event.base_version or "-"),
                key=event.event_key,
            )
        self._show_event(ordered[0] if ordered else None)

    def _show_event(self, event: EventDiff | None) -> None:
        detail = self.query_one("#diff-detail", Static)
        if event is None:
            self.detail = Text("")
        else:
            self.detail = event_detail(event, self.side_by_side)
        detail.update(self.detail)

    def current_event(self) -> EventDiff | None:
        if self.report is None:
            return None
        table = self.query_one("#diff-events", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return next((e for e in self.report.events if e.event_key == key), None)

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        self._show_event(self.current_event())

    def action_toggle_layout(self) -> None:
        self.side_by_side = not self.side_by_side
        self._show_event(self.current_event())

    def action_git_ref(self) -> None:
        self.post_message(self.GitRefWanted())
