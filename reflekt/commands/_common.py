"""Plumbing shared by every command: common options, console, logging, error -> exit code.

A command is written as a plain function taking a `Run` (console, verbosity, project
loading) and is wrapped by `@reflekt_command`, which adds `--project-dir` and `--verbose`,
turns every ReflektError into one clear message with its exit code, and appends a log of the
run to the project's `.logs/` folder with secrets masked.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from reflekt.core.errors import EXIT_USAGE, ReflektError
from reflekt.core.progress import Progress
from reflekt.core.secrets import redact
from reflekt.core.signals import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, sigterm_raises

log = logging.getLogger("reflekt")


class _TerminalSafe:
    """A renderable that prints another with terminal controls shown as text (`\\x1b`).

    Why: names from registries and files reach the console; an ESC or OSC sequence in one
    must not retitle, recolour or rewrite the user's terminal. Rich's own styling and control
    segments (progress bars) are produced after this, so they are untouched.
    """

    def __init__(self, renderable: Any) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: Any) -> Iterator[Any]:
        from rich.segment import Segment

        from reflekt.core.escape import terminal_text

        for segment in console.render(self.renderable, options):
            if segment.control or not segment.text:
                yield segment
            else:
                yield Segment(terminal_text(segment.text), segment.style)


class _TerminalSafeHook:
    """Render hook wrapping everything a console prints in `_TerminalSafe`."""

    def process_renderables(self, renderables: list[Any]) -> list[Any]:
        return [_TerminalSafe(renderable) for renderable in renderables]


def make_console(stderr: bool = False) -> Console:
    """Colour only on a terminal and when NO_COLOR is unset (rich honours both).

    Terminal controls in printed text are neutralised (`_TerminalSafe`); callers still
    escape rich markup (`rich.markup.escape`) around names they interpolate.
    """
    no_color = bool(os.environ.get("NO_COLOR"))
    # soft_wrap: lines are not broken at 80 columns when the output is not a terminal
    # (CI logs, pipes): paths and commands stay whole and copyable.
    console = Console(stderr=stderr, no_color=no_color, highlight=False, soft_wrap=True)
    console.push_render_hook(_TerminalSafeHook())
    return console


def stdin_is_interactive() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, AttributeError):
        return False


class _QuietFileHandler(logging.FileHandler):
    """A log file that never prints a traceback: on a full disk the log just misses lines."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass

    def flush(self) -> None:
        try:
            super().flush()
        except OSError:
            return

    def close(self) -> None:
        try:
            super().close()
        except OSError:
            return


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


@dataclass
class Run:
    """What a command needs from the CLI layer."""

    command_name: str
    project_dir: Path | None
    verbose: bool
    out: Console = field(default_factory=make_console)
    err: Console = field(default_factory=lambda: make_console(stderr=True))
    _project: Any = None
    _log_handler: logging.Handler | None = None

    def project(self):  # -> reflekt.core.project.Project
        """Load (once) the project from --project-dir or the working directory."""
        if self._project is None:
            from reflekt.core.project import load_project

            self._project = load_project(self.project_dir)
            self.start_log_file(self._project.logs_dir)
            from reflekt.core.transaction import recover_pending

            # An interrupted pull/build is completed or undone before anything reads files.
            recover_pending(self._project.root)
        return self._project

    def start_log_file(self, logs_dir: Path) -> None:
        """Append this run's log to `.logs/reflekt_<date>.log` (secrets masked)."""
        if self._log_handler is not None:
            return
        try:
            logs_dir.mkdir(parents=True, exist_ok=True)
            path = logs_dir / f"reflekt_{datetime.now():%Y-%m-%d}.log"
            handler = _QuietFileHandler(path, encoding="utf-8")
        except OSError:
            return  # a read-only project still works; it just keeps no log
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
        handler.addFilter(_RedactingFilter())
        logging.getLogger("reflekt").addHandler(handler)
        self._log_handler = handler
        log.info("run: reflekt %s %s", self.command_name, redact(_describe_params()))

    def close(self) -> None:
        if self._log_handler is not None:
            logging.getLogger("reflekt").removeHandler(self._log_handler)
            self._log_handler.close()
            self._log_handler = None

    def debug(self, message: str) -> None:
        """A --verbose line on stderr (and in the log file)."""
        log.debug(message)


def _describe_params() -> str:
    """The command's options as given, for the log."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return ""
    options = {
        param.name: next((o for o in param.opts if o.startswith("--")), param.opts[0])
        for param in ctx.command.params
        if isinstance(param, click.Option) and param.opts
    }
    words = []
    for name, value in sorted(ctx.params.items()):
        option = options.get(name, name)
        if value is True:
            words.append(option)
        elif isinstance(value, tuple | list):
            words.extend(f"{option}={item}" for item in value)
        elif value not in (None, False):
            words.append(f"{option}={value}")
    return " ".join(words)


def _configure_logging(verbose: bool, err: Console) -> logging.Handler | None:
    logger = logging.getLogger("reflekt")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        # Without any handler, logging's "last resort" would print errors a second time.
        logger.addHandler(logging.NullHandler())
    if not verbose:
        return None

    class _ConsoleHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if getattr(record, "log_file_only", False):
                return  # e.g. the error that show_error prints anyway
            from rich.markup import escape

            message = escape(redact(record.getMessage()))  # may quote registry text
            err.print(f"[dim]{message}[/dim]", markup=True, highlight=False)

    handler = _ConsoleHandler(level=logging.DEBUG)
    logger.addHandler(handler)
    return handler


def show_error(err: Console, error: ReflektError) -> None:
    """One clear message (and a hint), never a traceback."""
    from rich.markup import escape

    err.print(f"[bold red]Error:[/bold red] {escape(redact(str(error)))}")
    if error.hint:
        err.print(f"[dim]Hint:[/dim] {escape(redact(error.hint))}")


def _interrupted(run: Run, code: int, stop: BaseException) -> int:
    """One line, then what the core noted on the way out (`add_note`: how far a push got,
    which stays on the registry)."""
    from rich.markup import escape

    run.err.print("Interrupted." if code == EXIT_INTERRUPTED else "Terminated.")
    for note in getattr(stop, "__notes__", ()):
        run.err.print(escape(redact(str(note))), highlight=False)
    log.warning("interrupted by %s", "SIGINT" if code == EXIT_INTERRUPTED else "SIGTERM")
    return code


def _run_and_map_errors(run: Run, func: Callable[..., int | None], kwargs: dict) -> int | None:
    """Run the command; every way it can end becomes an exit code (the log records it).

    ReflektError: its message and code. Ctrl-C: 130, SIGTERM: 143 (one line each). Any other
    exception is a bug: one line for the user, the traceback in the log file only, exit 2.
    Click's own exits and SystemExit pass through with their codes.
    """
    try:
        return func(run, **kwargs)
    except ReflektError as error:
        log.error("%s", error, extra={"log_file_only": True})
        show_error(run.err, error)
        return error.exit_code
    except KeyboardInterrupt as stop:
        return _interrupted(run, EXIT_INTERRUPTED, stop)
    except Terminated as stop:
        return _interrupted(run, EXIT_TERMINATED, stop)
    except click.exceptions.Exit as done:
        return done.exit_code
    except (click.ClickException, click.Abort):
        raise
    except Exception as error:  # a bug: never a traceback on screen
        # The traceback goes through the message, so the log's redaction covers it too.
        log.error("crashed:\n%s", traceback.format_exc(), extra={"log_file_only": True})
        show_error(
            run.err,
            ReflektError(
                f"internal error: {type(error).__name__}: {error}",
                hint="this is a bug in Reflekt; the traceback is in the project's .logs/ "
                "folder (please include it in a report)",
            ),
        )
        return EXIT_USAGE


def reflekt_command(name: str, **command_kwargs: Any) -> Callable:
    """Decorator: a click command with --project-dir/--verbose and ReflektError handling.

    The wrapped function receives `run: Run` first, then the command's own options, and
    returns an exit code (or None for 0).
    """

    def decorate(func: Callable[..., int | None]) -> click.Command:
        @click.option(
            "--project-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Project folder (default: the nearest parent holding reflekt_project.yml).",
        )
        @click.option("--verbose", "-v", is_flag=True, help="Log details (requests, timings).")
        @functools.wraps(func)
        def wrapper(project_dir: Path | None, verbose: bool, **kwargs: Any) -> None:
            run = Run(command_name=name, project_dir=project_dir, verbose=verbose)
            console_handler = _configure_logging(verbose, run.err)
            started = time.perf_counter()
            code: int | None = 0
            try:
                with sigterm_raises():
                    code = _run_and_map_errors(run, func, kwargs)
            except Terminated as stop:  # a SIGTERM after the command's own handling
                code = _interrupted(run, EXIT_TERMINATED, stop)
            except click.ClickException as error:
                code = error.exit_code
                raise
            except click.Abort:
                code = 1
                raise
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else 1
                raise
            finally:
                log.info("done in %.2fs, exit %s", time.perf_counter() - started, code or 0)
                run.close()
                if console_handler is not None:
                    logging.getLogger("reflekt").removeHandler(console_handler)
            sys.exit(code or 0)

        return click.command(name, **command_kwargs)(wrapper)

    return decorate


@contextmanager
def progress_bar(run: Run, description: str, *, min_total: int = 0) -> Iterator[Progress]:
    """Yield a `core.progress.Progress`, `update(done, total, message)`, drawing a transient
    rich bar on stderr: pass it to the core job as is (`progress=update`).

    Off a terminal (CI, pipes, tests), or for runs smaller than `min_total`, it draws nothing
    and only logs the last step (shown with --verbose), except waits: a message starting
    with `waiting ` (a rate-limit or retry wait) is printed on stderr as one line, so a CI
    log never sits silent for a minute. An empty message shows `description`.
    """
    if not run.err.is_terminal:

        def log_only(done: int, total: int | None, message: str = "") -> None:
            if message and message.startswith("waiting ") and not run.verbose:
                # With --verbose the log line already says it.
                run.err.print(message, markup=False, highlight=False, soft_wrap=True)
            if total is not None and done == total:
                run.debug(f"{message or description}: {done}/{total}")

        yield log_only
        return
    from rich.markup import escape as rich_escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=run.err,
        transient=True,
        disable=False,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int | None, message: str = "") -> None:
            if total is not None and total < min_total:
                return
            # Messages name plans and events: shown as written, never read as markup.
            shown = rich_escape(message or description)
            bar.update(task, completed=done, total=total, description=shown)

        yield update


def usage_error(message: str, hint: str | None = None) -> ReflektError:
    return ReflektError(message, hint=hint)


__all__ = [
    "EXIT_USAGE",
    "Run",
    "make_console",
    "progress_bar",
    "reflekt_command",
    "stdin_is_interactive",
]
