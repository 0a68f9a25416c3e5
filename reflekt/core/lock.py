"""The project lock, `.reflekt_cache/lock`: one writer at a time per project.

Why an OS lock (`flock`) and not only a pid file: the kernel releases it when the holder dies,
however it dies (SIGKILL, power loss), so a lock left behind is never stale in effect; the
file's content (pid, host, start time) only names the holder in the error message. Where
`fcntl` is missing (Windows), the file is created exclusively and a lock whose pid is dead on
this host is taken over.

Threads of one process (the TUI runs pull and build in workers) wait for each other on an
in-process lock instead of failing; the same thread may take the lock again (re-entrant).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reflekt.core.errors import ReflektError
from reflekt.core.fsutil import pid_alive, write_error

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "lock"


class ProjectLockedError(ReflektError):
    """Another process is writing to the project."""


class _Slot:
    """The in-process side of one project's lock."""

    def __init__(self) -> None:
        self.rlock = threading.RLock()
        self.fd: int | None = None


_guard = threading.Lock()
_slots: dict[Path, _Slot] = {}


def _slot(path: Path) -> _Slot:
    with _guard:
        return _slots.setdefault(path, _Slot())


def _holder(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _describe(holder: dict) -> str:
    pid = holder.get("pid", "?")
    host = holder.get("host")
    since = holder.get("started")
    text = f"pid {pid}"
    if host and host != socket.gethostname():
        text += f" on {host}"
    if isinstance(since, int | float):
        text += f", since {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(since))}"
    return text


def _locked_error(path: Path, holder: dict) -> ProjectLockedError:
    return ProjectLockedError(
        f"another reflekt is writing to this project ({_describe(holder)})",
        hint=f"wait for it to finish and run the command again; the lock is {path}",
    )


def _content() -> bytes:
    info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
    return (json.dumps(info) + "\n").encode()


def _take_flock(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise _locked_error(path, _holder(path)) from None
    except BaseException:
        os.close(fd)
        raise
    try:  # who holds it, for the others' error message; the flock alone is the lock
        os.ftruncate(fd, 0)
        os.write(fd, _content())
    except OSError:
        pass
    return fd


def _take_pidfile(path: Path) -> int:  # pragma: no cover - only without fcntl
    for _ in range(2):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            holder = _holder(path)
            same_host = holder.get("host") in (None, socket.gethostname())
            pid = holder.get("pid")
            if same_host and not (isinstance(pid, int) and pid_alive(pid)):
                path.unlink(missing_ok=True)  # stale: its writer is gone
                continue
            raise _locked_error(path, holder) from None
        os.write(fd, _content())
        return fd
    raise _locked_error(path, _holder(path))


@contextmanager
def project_lock(cache_dir: Path) -> Iterator[None]:
    """Hold `<cache_dir>/lock` for the block; ProjectLockedError (exit 2) if another has it."""
    path = (cache_dir / LOCK_NAME).absolute()
    slot = _slot(path)
    with slot.rlock:
        if slot.fd is not None:
            yield  # re-entered by the thread that holds it
            return
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            fd = _take_flock(path) if fcntl is not None else _take_pidfile(path)
        except OSError as error:
            raise write_error(error, path) from None
        slot.fd = fd
        try:
            yield
        finally:
            slot.fd = None
            try:
                if fcntl is not None:
                    os.ftruncate(fd, 0)
            except OSError:
                pass
            os.close(fd)
            if fcntl is None:  # pragma: no cover
                path.unlink(missing_ok=True)
