"""Yank (`y`): copy the selection's file path, `$id`, select string or CLI command.

The copy goes through the terminal (Textual's `copy_to_clipboard`, OSC 52), so it works over
SSH and inside tmux; the app keeps the text too (`App.clipboard`). What is copied is the raw
value (a path or name can hold anything); what is shown is made safe for the screen.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reflekt.tui.safe_text import plain


@dataclass(frozen=True)
class YankChoice:
    """One thing `y` can copy: its key in the dialog, what it is, and the text."""

    key: str
    label: str
    text: str


def yank_choices(
    root: Path, select: str, file: Path | None = None, schema_id: str | None = None
) -> list[YankChoice]:
    """What can be copied for a selected folder (`select`) or schema file (`file`, `schema_id`).

    `select` is the `--select` string (a folder or a file without `.json`, relative to
    schemas/); the command is the CLI line that lints the same selection.
    """
    choices: list[YankChoice] = []
    if file is not None:
        try:
            shown = file.relative_to(root).as_posix()
        except ValueError:
            shown = str(file)
        choices.append(YankChoice("p", "file path", shown))
    if schema_id:
        choices.append(YankChoice("i", "$id", schema_id))
    if select:
        choices.append(YankChoice("s", "select string", select))
        choices.append(
            YankChoice("c", "CLI command", f"reflekt lint --select {shlex.quote(select)}")
        )
    return choices


class YankScreen(ModalScreen[YankChoice | None]):
    """Pick what to copy: a key (p, i, s, c) or Enter on a line; Esc or q closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss_none", "Close", id="yank.close"),
    ]
    DEFAULT_CSS = """
    YankScreen { align: center middle; }
    #yank-box { width: 90%; max-width: 100; height: auto; border: round $accent;
                background: $surface; padding: 0 1; }
    #yank-options { height: auto; max-height: 8; }
    """

    def __init__(self, choices: list[YankChoice]) -> None:
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="yank-box"):
            yield Static("Copy to the clipboard (the key, or Enter):")
            yield OptionList(
                *(
                    Option(plain(f"{choice.key}  {choice.label}: {choice.text}"), id=choice.key)
                    for choice in self.choices
                ),
                id="yank-options",
            )

    def on_key(self, event) -> None:
        for choice in self.choices:
            if event.key == choice.key:
                event.stop()
                self.dismiss(choice)
                return

    @on(OptionList.OptionSelected, "#yank-options")
    def _chosen(self, message: OptionList.OptionSelected) -> None:
        message.stop()
        chosen = next((c for c in self.choices if c.key == message.option.id), None)
        self.dismiss(chosen)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
