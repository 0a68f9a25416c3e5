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
            table.add_columns("where", "key", "action", "binding id")
            for row in self.rows:
                table.add_row(*row.cells())
            yield table
            yield Static("Esc closes this screen.", classes="dim")
