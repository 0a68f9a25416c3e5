"""SIGINT/SIGTERM as exceptions, and deferred while files are moved into place.

Why: a Ctrl-C or a CI cancel (SIGTERM) must never stop Reflekt half-way through moving files
into the project. Outside that short window, SIGTERM raises `Terminated` (like SIGINT raises
KeyboardInterrupt) so `finally` blocks clean up instead of the process dying on the spot.

Signal handlers can only be installed in the main thread; in worker threads (the TUI runs
pull and build there) both helpers do nothing and the work simply proceeds.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(BaseException):
    """SIGTERM was received (a CI cancel, `kill`). A BaseException, like KeyboardInterrupt."""


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises `Terminated` (unless a Python handler is already set)."""
    if not _in_main_thread() or callable(signal.getsignal(signal.SIGTERM)):
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then act on them as if they came now.

    If the block raises, its exception propagates and the held signals are dropped: the
    command is stopping anyway.
    """
    if not _in_main_thread():
        yield
        return
    held: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        held.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)

    try:
        yield
    except BaseException:
        restore()
        raise
    restore()
    for signum in dict.fromkeys(held):  # each signal once, in arrival order
        handler = previous[signal.Signals(signum)]
        if callable(handler):
            handler(signum, None)  # default_int_handler raises KeyboardInterrupt
        elif handler in (signal.SIG_DFL, None):
            signal.raise_signal(signum)
