"""`?`: every key binding with its id (the name to remap it under `tui: bindings:`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from reflekt.tui.bindings import BindingRow
from reflekt.tui.safe_text import markup_literal
from reflekt.tui.widgets.table_fit import ROW_AUTO_HEIGHT, fit_columns, natural_widths

HELP_COLUMNS = ("where", "key", "action", "binding id")

HELP_INTRO = (
    "Reflekt: event schemas as code.  Ctrl+P opens the command palette (every action).\n"
    "Remap a key in reflekt_project.yml:  tui: {bindings: {main.lint_all: ctrl+l}}\n"
    "Tree badges: ✗2 ▲1 lint errors, warnings; after an audit (4) ◆✗2 ◆▲1 ◆✓ its verdict"
)


class HelpScreen(ModalScreen[None]):
    """A table of bindings: where, key(s), what, id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")
    ]

    def __init__(self, rows: Sequence[BindingRow], problems: Sequence[str] = ()) -> None:
        super().__init__()
        self.rows = rows
        self.problems = problems  # remaps of tui.bindings that were not applied, and why

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keys", classes="title")
            yield Static(HELP_INTRO, id="help-intro")
            if self.problems:
                problems = Text("Remaps not applied (tui.bindings):\n", style="bold yellow")
                problems.append("\n".join(self.problems), style="yellow")
                yield Static(problems, id="help-problems")
            table: DataTable = DataTable(id="help-table", cursor_type="row")
            table.add_columns(*HELP_COLUMNS)
            yield table
            yield Static("Esc closes this screen.", classes="dim")

    def on_resize(self) -> None:
        """Every column whole (the binding ids above all); the action text wraps."""
        box = self.query_one("#help-box")
        table = self.query_one("#help-table", DataTable)
        cells = [row.cells() for row in self.rows]
        natural = natural_widths(HELP_COLUMNS, cells, (None, None, None, None))
        fit_columns(table, natural, 2, 12, box.content_region.width)  # inside border, padding
        cursor = table.cursor_row
        table.clear()
        for row in cells:
            table.add_row(*(markup_literal(cell) for cell in row), height=ROW_AUTO_HEIGHT)
        if 0 <= cursor < table.row_count:
            table.move_cursor(row=cursor)
