"""Fill the lint cache in a process of its own, on every core: the TUI's first lint of a
large project over a cold cache.

The TUI lints in a thread, so one core and the GIL shared with the screen: 50,000 schemas
took over two minutes. Forking workers from a process that runs Textual's threads is
unsafe, and a forkserver or spawn pool re-imports the app's `__main__`. So the TUI starts
`python -m reflekt.core.lint.prime <project dir>`, which lints the whole project with the
cache and one forked worker per core (as `reflekt lint` does), printing `<done> <total>`
per chunk; then the TUI's own lint takes the warm path (`core/lint/warm.py`). Nothing is
printed but progress: findings go to the cache only. Exit 0 when the cache was written,
else 1 (the TUI then lints in its thread, which reports any problem as it always has).

`prime_lint_cache` is the parent's side: it runs the process and passes its progress on
(`start_prime` and `PrimeRun.wait`, its two halves, let the TUI start it before its first
screen is painted); a process still running when the parent exits (the TUI quit) is
stopped.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

PRIME_TIMEOUT_S = 3600.0  # a hung worker does not hold the TUI's lint for ever


_running: set[subprocess.Popen] = set()


class PrimeRun:
    """A priming process started for a project (`start_prime`); `wait` passes its progress
    on and says whether it filled the cache. Started early (the TUI starts it as soon as its
    walk counted the files, before the first paint), waited for by the lint job."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process

    def wait(self, progress: Callable[[int, int], object]) -> bool:
        """Read its progress until it ends; True when it filled the cache."""
        process = self.process
        try:
            assert process.stdout is not None
            for line in process.stdout:
                done, _, total = line.strip().partition(" ")
                if done.isdigit() and total.isdigit():
                    progress(int(done), int(total))
            return process.wait(timeout=PRIME_TIMEOUT_S) == 0
        except (subprocess.TimeoutExpired, OSError, ValueError):
            return False
        finally:
            _running.discard(process)
            if process.poll() is None:
                _stop(process, signal.SIGKILL)
                process.wait()


def start_prime(root: Path) -> PrimeRun | None:
    """Start the priming process for the project at `root`; None when it cannot start."""
    command = [sys.executable, "-m", "reflekt.core.lint.prime", str(root)]
    try:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # Ctrl-C in the TUI's terminal is the TUI's
        )
    except OSError:
        return None
    _running.add(process)
    return PrimeRun(process)


def prime_lint_cache(root: Path, progress: Callable[[int, int], object]) -> bool:
    """Run the priming process for the project at `root`; True when it filled the cache."""
    run = start_prime(root)
    return run is not None and run.wait(progress)


def _stop(process: subprocess.Popen, how: int) -> None:
    """Signal the process and its forked workers (its own process group)."""
    with contextlib.suppress(OSError):
        os.killpg(process.pid, how)


@atexit.register
def _stop_all() -> None:
    """At exit: stop the priming processes still running (the TUI quit mid-lint)."""
    for process in list(_running):
        if process.poll() is None:
            _stop(process, signal.SIGTERM)


def main(argv: list[str]) -> int:
    from reflekt.core.lint import lint_project
    from reflekt.core.project import load_project

    if len(argv) != 1:
        print("usage: python -m reflekt.core.lint.prime PROJECT_DIR", file=sys.stderr)
        return 2
    try:
        project = load_project(Path(argv[0]))

        def progress(done: int, total: int | None, _message: str) -> None:
            if total is not None:  # None: still walking schemas/ (the first chunks)
                print(f"{done} {total}", flush=True)

        jobs = os.cpu_count() or 1
        lint_project(project, progress=progress, jobs=jobs, cache=True, store_only=True)
    except Exception as error:  # the TUI's own lint says what is wrong
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
