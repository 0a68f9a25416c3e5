"""Quitting from a dialog or the wizard (ctrl+q) asks first: `q` there only closes it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmQuitScreen(ModalScreen[bool]):
    """Quit Reflekt, or go back to the dialog that was open."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Quit", id="quit.confirm"),
        Binding("n,escape,q", "cancel", "Stay", id="quit.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box small"):
            yield Static("Quit Reflekt?", classes="title")
            yield Static("A dialog is open: q or Esc only closes it.", classes="dim")
            with Horizontal(classes="buttons"):
                yield Button("Quit (y)", variant="error", id="quit-yes")
                yield Button("Stay (n)", id="quit-no")

    def on_mount(self) -> None:
        self.query_one("#quit-no", Button).focus()

    def on_button_pressed(self, message: Button.Pressed) -> None:
        self.dismiss(message.button.id == "quit-yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
