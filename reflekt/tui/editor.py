"""Opening a schema file in the user's editor ($VISUAL, else $EDITOR, else vi).

The TUI hands the terminal to the editor (`App.suspend`) and takes it back when the editor
exits. Every way this can go wrong is an `EditorError` with the words for a notification:
an unparsable $EDITOR, an editor not on PATH (checked before suspending: a failure inside
`suspend()` would leave the terminal to a missing editor and the app frozen), a terminal that
cannot be suspended, an editor that cannot be run.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from textual.app import App


class EditorError(Exception):
    """Why the editor did not run, as a notification says it."""

    def __init__(self, message: str, title: str = "", timeout: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.title = title
        self.timeout = timeout


# Editors that open a file at a line with `+LINE` before the file (nano and emacs also take
# the column), and those that take `FILE:LINE:COL` (VS Code after `--goto`).
_PLUS_LINE = frozenset({"vi", "vim", "nvim", "view", "gvim", "mvim", "kak", "micro", "hx"})
_PLUS_LINE_COL = {
    "nano": "+{line},{column}",
    "emacs": "+{line}:{column}",
    "emacsclient": "+{line}:{column}",
}
_GOTO = frozenset({"code", "code-insiders", "codium", "cursor"})
_COLON = frozenset({"subl", "sublime_text", "zed", "mate"})


def _at_line(command: list[str], path: Path, line: int | None, column: int | None) -> list[str]:
    """`command` opening `path` at `line:column` where the editor has a way to say so."""
    if not line:
        return [*command, str(path)]
    column = column or 1
    name = Path(command[0]).name
    if name in _PLUS_LINE:
        return [*command, f"+{line}", str(path)]
    if name in _PLUS_LINE_COL:
        return [*command, _PLUS_LINE_COL[name].format(line=line, column=column), str(path)]
    if name in _GOTO:
        return [*command, "--goto", f"{path}:{line}:{column}"]
    if name in _COLON:
        return [*command, f"{path}:{line}:{column}"]
    return [*command, str(path)]  # an editor we do not know: just the file


def editor_command(
    path: Path,
    environ: Mapping[str, str] = os.environ,
    *,
    line: int | None = None,
    column: int | None = None,
) -> list[str]:
    """The command that opens `path` in the user's editor (at `line`:`column` when the
    editor has a way to be told), found on PATH."""
    editor = environ.get("VISUAL") or environ.get("EDITOR") or "vi"
    try:
        command = shlex.split(editor)
    except ValueError as exc:
        raise EditorError(f"Cannot read $EDITOR {editor!r}: {exc}") from exc
    if not command:
        raise EditorError("$EDITOR is empty: set it to an editor, e.g. EDITOR=nano reflekt tui")
    if shutil.which(command[0]) is None:
        raise EditorError(
            f"The editor {command[0]!r} was not found: set $EDITOR (or $VISUAL) to an "
            "editor on your PATH, e.g. EDITOR=nano reflekt tui",
            title="Edit",
            timeout=10,
        )
    return _at_line(command, path, line, column)


def run_editor(app: App[object], command: list[str]) -> None:
    """Run the editor with the app suspended (headless, as in tests: just run it)."""
    failure: list[OSError] = []

    def run() -> None:
        try:
            subprocess.run(command, check=False)
        except OSError as exc:  # caught here so that suspend() always resumes
            failure.append(exc)

    try:
        if app.is_headless:
            run()
        else:
            with app.suspend():
                run()
    except Exception as exc:  # SuspendNotSupported and friends: never crash
        raise EditorError(f"Cannot open an editor here: {exc}") from exc
    if failure:
        raise EditorError(f"Cannot run the editor {command[0]!r}: {failure[0]}")
