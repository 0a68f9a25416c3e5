"""The Reflekt TUI application, and `create_app`: the ONE factory used by the CLI and tests.

Bindings carry ids (`main.lint_all`, `schema.raw`, ...) so users can remap keys under
`tui: bindings:` in reflekt_project.yml; `?` lists every binding with its id.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.widgets import DataTable

from reflekt.core.errors import ReflektError
from reflekt.core.project import Project, load_project
from reflekt.tui import bindings
from reflekt.tui.bindings import BindingRow
from reflekt.tui.errors import error_text
from reflekt.tui.jobs import DetachedExecutor
from reflekt.tui.palette import PaletteCommand, main_screen_commands
from reflekt.tui.screens.build_wizard import BuildWizard
from reflekt.tui.screens.confirm_quit import ConfirmQuitScreen
from reflekt.tui.screens.help import HelpScreen
from reflekt.tui.screens.main import MainScreen
from reflekt.tui.screens.problem import ProblemScreen
from reflekt.tui.screens.property_detail import PropertyScreen
from reflekt.tui.screens.registry import (
    ChoosePlanScreen,
    ConfirmPullScreen,
    ConfirmPushScreen,
    GitRefScreen,
    ResultScreen,
)
from reflekt.tui.user_config import load_user_bindings
from reflekt.tui.widgets.audit_panel import AuditTree
from reflekt.tui.widgets.check_tree import CheckTree
from reflekt.tui.widgets.diff_view import DiffView
from reflekt.tui.widgets.fast_tree import FastTree
from reflekt.tui.widgets.lint_panel import FindingsTree, LintPanel
from reflekt.tui.widgets.schema_tree import SchemaTree
from reflekt.tui.yank import YankScreen


class ReflektCommands(Provider):
    """Command palette entries for every action of the main screen."""

    def _commands(self) -> list[PaletteCommand]:
        app = self.app
        return app.palette_commands() if isinstance(app, ReflektApp) else []

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text)


class ReflektApp(App[None]):
    """Schema tree, schema view, lint panel (and the rest) over one Reflekt project."""

    CSS_PATH = "app.tcss"
    TITLE = "Reflekt"
    COMMANDS = App.COMMANDS | {ReflektCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help"),
        # q closes the innermost dialog or the wizard; on the main screen it quits.
        Binding("q", "close_or_quit", "Quit", id="app.quit"),
        Binding(
            "ctrl+q",
            "quit",
            "Quit (asks in a dialog)",
            show=False,
            priority=True,
            id="app.quit_now",
        ),
    ]

    def __init__(
        self,
        project: Project | None,
        *,
        error: ReflektError | None = None,
        profile: str | None = None,
        watch_interval: float = 1.0,
    ) -> None:
        super().__init__()
        self.project = project
        self.error = error
        self.profile = profile
        self.watch_interval = watch_interval
        self.main_screen: MainScreen | None = None
        self.keymap: dict[str, str] = {}  # binding id -> keys, as remapped by the user
        self.keymap_problems: tuple[str, ...] = ()  # remaps not applied, and why

    def get_default_screen(self) -> Screen:
        if self.project is None:
            return ProblemScreen(self.error or ReflektError("no project"))
        self.main_screen = MainScreen(self.project, self.profile, self.watch_interval)
        return self.main_screen

    def on_load(self) -> None:
        # Quitting during a slow registry call exits at once (see DetachedExecutor).
        asyncio.get_running_loop().set_default_executor(DetachedExecutor())

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed)
        if self.project is None:
            return
        self.sub_title = self.project.name
        self.load_keymap(self.project)

    def load_keymap(self, project: Project) -> None:
        """The project's `tui.bindings`, then the user's remaps over them (at start, and on
        reload when the project's changed)."""
        keymap = dict(project.tui_bindings)
        try:
            keymap.update(load_user_bindings())
        except ReflektError as error:
            self.notify(error_text(error), title="TUI settings", severity="error", timeout=10)
        self.apply_keymap(keymap)

    def _screen_changed(self, screen: Screen) -> None:
        """A confirmation opens: the toasts about what led to it (a refused push,
        "comparing…") are done, and would hide what it asks about. On any dialog, toasts
        stand at its top (app.tcss, at most half of it), off the buttons at its bottom."""
        if isinstance(screen, (ConfirmPushScreen, ConfirmPullScreen)):
            self.clear_notifications()

    def apply_keymap(self, keymap: dict[str, str]) -> None:
        """Remap bindings by id; unknown ids are reported, not fatal."""
        known = {row.id for row in binding_rows()}
        unknown = sorted(set(keymap) - known)
        if unknown:
            self.notify(
                f"tui.bindings: unknown binding id(s): {', '.join(unknown)} (see ? for the ids)",
                severity="warning",
                timeout=8,
            )
        checked = bindings.check_keymap(
            {key: value for key, value in keymap.items() if key in known},
            KEY_CHAINS,
            {cls: where for where, cls in BINDING_SOURCES},
        )
        self.keymap_problems = checked.problems
        if checked.problems:
            self.notify(
                "\n".join(checked.problems) + "\n(? lists them again, with every key)",
                title="tui.bindings",
                severity="warning",
                timeout=12,
                markup=False,
            )
        self.keymap = checked.keymap
        self.set_keymap(self.keymap)

    def palette_commands(self) -> list[PaletteCommand]:
        """The palette's entries: the main screen's actions, then help."""
        if self.main_screen is None:
            return []
        return [
            *main_screen_commands(self.main_screen, self.keymap, (MainScreen, ReflektApp)),
            ("Help: keys", "Every key binding and its id (?)", self.action_help),
        ]

    def _dialog_open(self) -> bool:
        """A dialog, the wizard or help is on top of the first screen."""
        return len(self.screen_stack) > 1

    def action_close_or_quit(self) -> None:
        if self._dialog_open():
            self.screen.dismiss(None)  # as its Esc: a confirmation reads it as "cancel"
        else:
            self.exit()

    async def action_quit(self) -> None:
        """Quit at once on the first screen; from a dialog or the wizard, ask first."""
        if not self._dialog_open() or isinstance(self.screen, ConfirmQuitScreen):
            self.exit()
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.exit()

        self.push_screen(ConfirmQuitScreen(), answered)

    def screenshot_dir(self) -> Path:
        """Where screenshots go: the project's `.reflekt_cache/` (else the working directory).

        Textual's default, ~/Downloads, is missing on many servers and containers.
        """
        if self.project is not None:
            try:
                self.project.cache_dir.mkdir(parents=True, exist_ok=True)
                return self.project.cache_dir
            except OSError:
                pass
        return Path.cwd()

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        """The palette's Screenshot, saved where `screenshot_dir` says (the toast names it)."""
        return super().deliver_screenshot(filename, path or str(self.screenshot_dir()), time_format)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(binding_rows(self.keymap), self.keymap_problems))


# Where each class's bindings work, as the help screen names it (in this order).
BINDING_SOURCES: tuple[tuple[str, type], ...] = (
    ("anywhere", ReflektApp),
    ("main screen", MainScreen),
    ("every tree", FastTree),
    ("lint panel", LintPanel),
    ("lint findings", FindingsTree),
    ("diff view", DiffView),
    ("push confirmation", ConfirmPushScreen),
    ("pull confirmation", ConfirmPullScreen),
    ("git ref prompt", GitRefScreen),
    ("plan choice", ChoosePlanScreen),
    ("result summary", ResultScreen),
    ("build wizard", BuildWizard),
    ("wizard schema tree", CheckTree),
    ("help screen", HelpScreen),
    ("quit confirmation", ConfirmQuitScreen),
    ("copy (y)", YankScreen),
    ("property detail", PropertyScreen),
    ("no-project screen", ProblemScreen),
)


# The classes whose bindings answer a key together (focused widget first, then its screen,
# the app): a remap may not take a key already bound along one of these. Text fields are left
# out: while one has focus its editing keys win, as a user expects.
KEY_CHAINS: tuple[tuple[type, ...], ...] = (
    (SchemaTree, MainScreen, ReflektApp),
    (FindingsTree, LintPanel, MainScreen, ReflektApp),
    (DataTable, DiffView, MainScreen, ReflektApp),
    (AuditTree, MainScreen, ReflektApp),
    (CheckTree, BuildWizard, ReflektApp),
    (DataTable, BuildWizard, ReflektApp),
    (ConfirmPushScreen, ReflektApp),
    (ConfirmPullScreen, ReflektApp),
    (GitRefScreen, ReflektApp),
    (ChoosePlanScreen, ReflektApp),
    (ResultScreen, ReflektApp),
    (HelpScreen, ReflektApp),
    (ConfirmQuitScreen, ReflektApp),
    (YankScreen, ReflektApp),
    (PropertyScreen, ReflektApp),
    (ProblemScreen, ReflektApp),
)


def binding_rows(keymap: dict[str, str] | None = None) -> list[BindingRow]:
    """Every binding with an id, on every screen and widget of the app, keymap applied."""
    return bindings.binding_rows(BINDING_SOURCES, keymap)


def create_app(
    project_dir: Path | None = None,
    profile: str | None = None,
    *,
    watch_interval: float = 1.0,
) -> ReflektApp:
    """Build the app for a project folder (or the one found from the working directory).

    A missing or broken project is not an exception here: the app opens on a screen that
    explains what to do.
    """
    try:
        project = load_project(project_dir)
    except ReflektError as error:
        return ReflektApp(None, error=error, profile=profile, watch_interval=watch_interval)
    return ReflektApp(project, profile=profile, watch_interval=watch_interval)


__all__ = ["BINDING_SOURCES", "ReflektApp", "binding_rows", "create_app"]
