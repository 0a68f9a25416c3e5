"""A stand-in for dbt that blocks until released: it runs a child (`cat` on a FIFO nobody
writes to), says it started through a second FIFO, and waits. Lets a test cancel a run
deterministically and check that dbt and its children are gone."""

from __future__ import annotations

import os
import select
import stat
from dataclasses import dataclass
from pathlib import Path

START_LIMIT = 120.0  # seconds: a hang guard (dbt never started), not a timing


@dataclass(frozen=True)
class BlockingDbt:
    script: Path
    ready: Path  # FIFO: the script writes "started" once its child runs
    ready_fd: int  # opened read-write: never blocks, never reads end-of-file
    hold: Path  # FIFO: the child reads it; writing to it lets dbt finish
    child_pid: Path
    done: Path  # written only when the script ran to its end

    def wait_started(self) -> int:
        """Block until the script runs; the pid of its child."""
        readable, _, _ = select.select([self.ready_fd], [], [], START_LIMIT)
        assert readable, "dbt did not start"
        assert os.read(self.ready_fd, 100).decode().strip() == "started"
        return int(self.child_pid.read_text(encoding="utf-8"))

    def release(self) -> None:
        """Let a run that was not cancelled finish (so a failing test does not hang): opening
        the FIFO waits for the child to read it, closing it gives the child end-of-file."""
        self.hold.open("w").close()


def blocking_dbt(folder: Path) -> BlockingDbt:
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / "ready.fifo")
    os.mkfifo(folder / "hold.fifo")
    fake = BlockingDbt(
        folder / "dbt",
        folder / "ready.fifo",
        os.open(folder / "ready.fifo", os.O_RDWR | os.O_NONBLOCK),
        folder / "hold.fifo",
        folder / "child.pid",
        folder / "done",
    )
    fake.script.write_text(
        "#!/bin/sh\n"
        f"cat '{fake.hold}' > /dev/null &\n"
        f"echo $! > '{fake.child_pid}'\n"
        f"echo started > '{fake.ready}'\n"
        "wait\n"
        f"echo finished > '{fake.done}'\n"
        "exit 3\n",  # a failed run: the wizard stops after `dbt deps`
        encoding="utf-8",
    )
    fake.script.chmod(fake.script.stat().st_mode | stat.S_IXUSR)
    return fake


def ends(pid: int) -> bool:
    """Whether process `pid` ends within START_LIMIT (a hang guard: a process that was
    stopped ends at once). Watched through a pidfd: it need not be our child."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], START_LIMIT)
        return bool(readable)
    finally:
        os.close(fd)


def running(pid: int) -> bool:
    """The process exists and is not a zombie (an orphan's zombie may wait for its reaper)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    state = next((line for line in status.splitlines() if line.startswith("State:")), "")
    return "Z" not in state.split()[1:2]
