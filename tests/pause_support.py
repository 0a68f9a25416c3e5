"""The FIFOs of the pause hook (`REFLEKT_TEST_PAUSE_AT`, `reflekt.core.fsutil.pause_for_tests`):
the subprocess writes the phase to `paused` and blocks reading `resume`, so a test sends a
signal exactly there, without sleeping."""

from __future__ import annotations

import os
import select
import subprocess
from pathlib import Path

REACH_PAUSE_LIMIT = 120.0  # seconds: a hang guard, not a timing


class Pause:
    """The two FIFOs of the pause hook, for one phase (`staging`, `apply`, `write`, `audit`,
    `lint`)."""

    def __init__(self, folder: Path, phase: str) -> None:
        folder.mkdir(parents=True)
        self.folder = folder
        self.phase = phase
        os.mkfifo(folder / "paused")
        os.mkfifo(folder / "resume")
        # Opened read-write: never blocks, never reads EOF before the writer says something.
        self._paused = os.open(folder / "paused", os.O_RDWR | os.O_NONBLOCK)
        self.env = {"REFLEKT_TEST_PAUSE_AT": phase, "REFLEKT_TEST_PAUSE_DIR": str(folder)}

    def wait(self, proc: subprocess.Popen[str]) -> None:
        """Return once `proc` is blocked at the pause point (fail if it ends first)."""
        waited = 0.0
        while True:
            ready, _, _ = select.select([self._paused], [], [], 0.2)
            if ready:
                said = os.read(self._paused, 100).decode()
                assert said.strip() == self.phase, said
                return
            waited += 0.2
            if proc.poll() is not None or waited > REACH_PAUSE_LIMIT:
                _, err = proc.communicate()
                raise AssertionError(f"never paused at {self.phase}: {proc.returncode}\n{err}")

    def wait_here(self) -> None:
        """Return once a thread of this process is blocked at the pause point (in a thread
        of its own, `asyncio.to_thread`, when the event loop must run meanwhile)."""
        ready, _, _ = select.select([self._paused], [], [], REACH_PAUSE_LIMIT)
        assert ready, f"never paused at {self.phase}"
        said = os.read(self._paused, 100).decode()
        assert said.strip() == self.phase, said

    def resume(self) -> None:
        with open(self.folder / "resume", "w"):
            pass

    def close(self) -> None:
        os.close(self._paused)
