"""Shown instead of the main screen when there is no project (or its config is broken)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from reflekt.core.errors import ProjectNotFoundError, ReflektError
from reflekt.core.secrets import redact
from reflekt.tui.widgets.stable_footer import StableFooter


def problem_text(error: ReflektError) -> Text:
    """Friendly words for a project that cannot be opened."""
    text = Text()
    if isinstance(error, ProjectNotFoundError):
        text.append("No Reflekt project here\n\n", style="bold")
        text.append(redact(error.message) + "\n\n", style="dim")
        text.append("A Reflekt project is a folder with a reflekt_project.yml and a schemas/ ")
        text.append("folder of JSON Schema event files. To get one:\n\n")
        for command, what in (
            ("reflekt init", "create a new project in the current folder"),
            ("reflekt demo", "create the demo project and try the main jobs on it"),
            ("reflekt tui --project-dir DIR", "open an existing project"),
        ):
            text.append(f"  {command:<31}", style="bold cyan")
            text.append(f"{what}\n")
    else:
        text.append("The project cannot be opened\n\n", style="bold")
        text.append(redact(str(error)) + "\n", style="red")
        if error.hint:
            text.append("\nHint: " + redact(error.hint) + "\n", style="dim")
        text.append("\nFix the file, then run ")
        text.append("reflekt tui", style="bold cyan")
        text.append(" again (", style="")
        text.append("reflekt debug", style="bold cyan")
        text.append(" checks the whole configuration).\n")
    text.append("\nPress q to quit.", style="dim")
    return text


class ProblemScreen(Screen):
    """A calm explanation instead of a traceback."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "app.quit", "Quit", id="problem.quit")
    ]

    def __init__(self, error: ReflektError) -> None:
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        with VerticalScroll(), Center():
            yield Static(problem_text(self.error), id="problem")
        yield StableFooter()
