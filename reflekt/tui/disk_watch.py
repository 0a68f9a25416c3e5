"""Polling schemas/ for changed files, at a cost the UI can afford.

No watcher dependency: the index compares mtimes. Scanning 5,000 files takes a while, so a
timed poll is skipped until 20 times the last scan's duration has passed (at most ~5% of the
time spent scanning), and never overlaps another poll. No Textual here: the screen owns the
timer and the worker, this decides when a poll is due and does the scan.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from reflekt.tui.model import Changes, SchemaIndex

BUDGET = 20  # a timed poll waits this many times the duration of the last one


class DiskWatch:
    """One poll at a time; timed polls spaced by their own cost."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.polling = False
        self.cost = 0.0  # seconds the last poll took
        self.last_poll_at = 0.0

    def due(self) -> bool:
        """Whether the watch timer should poll now."""
        return self.clock() - self.last_poll_at >= BUDGET * self.cost

    def begin(self) -> bool:
        """Claim the next poll; False while one is still running."""
        if self.polling:
            return False
        self.polling = True
        return True

    def poll(self, index: SchemaIndex) -> Changes:
        """Scan the disk (in a worker thread) and re-read what changed; time it."""
        started = self.clock()
        try:
            changes = index.poll()
        except OSError:  # schemas/ vanished or became unreadable: try again next time
            changes = Changes()
        self.last_poll_at = self.clock()
        self.cost = self.last_poll_at - started
        return changes

    def end(self) -> None:
        """The poll's result reached the screen: the next one may start."""
        self.polling = False
