"""Single-file atomic writes, file modes that honour the umask, and clear write errors.

Several files at once (pull, build) go through `reflekt.core.transaction.apply_files`, which
stages, journals and applies them all or none. `write_atomic` is for one file (lint --fix,
diff --output, scaffold, schema save): a temp file beside the target, then `os.replace`; on
any failure the temp file and the folders it created are removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from reflekt.core.errors import EXIT_EXTERNAL, EXIT_USAGE, ReflektError

# Exit codes of write failures (documented in the README): a full disk or quota is the
# machine running out of a resource (3, like a registry or warehouse failure: retry once it
# is fixed); permissions and read-only filesystems are the user's setup to fix (2).
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_NOT_ALLOWED = {errno.EACCES, errno.EPERM, errno.EROFS}

# Temp files of `write_atomic` carry the writer's pid so a later run can tell stale ones from
# those of a writer still running; older versions named them `.<name>.<8 random>.tmp`.
TEMP_MARK = ".reflekt-"
_TEMP_RE = re.compile(r"^\.(?P<name>.+?)\.reflekt-(?P<pid>\d+)-[A-Za-z0-9_]+\.tmp$")
_LEGACY_TEMP_RE = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")


class WriteError(ReflektError):
    """A file or folder of the project could not be written (disk full, permissions)."""

    def __init__(self, message: str, *, hint: str | None, path: Path, exit_code: int) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.exit_code = exit_code


def write_error(error: OSError, path: Path | str | None = None) -> WriteError:
    """The clear ReflektError for an OSError raised while writing `path`."""
    where = Path(path if path is not None else (error.filename or "?"))
    code = error.errno
    if code in _NO_SPACE:
        what = "no space left" if code != errno.EDQUOT else "disk quota exceeded"
        if code == errno.EFBIG:
            what = "file size limit exceeded"
        return WriteError(
            f"cannot write {where}: {what}; nothing was changed",
            hint="free some space on that disk (or raise the quota) and run the command again",
            path=where,
            exit_code=EXIT_EXTERNAL,
        )
    if code == errno.EROFS:
        return WriteError(
            f"cannot write {where}: the filesystem is read-only; nothing was changed",
            hint="run the command where the project can be written",
            path=where,
            exit_code=EXIT_USAGE,
        )
    if code in _NOT_ALLOWED:
        return WriteError(
            f"cannot write {where}: permission denied; nothing was changed",
            hint="check the owner and permissions of that folder (and `lsattr` for +i)",
            path=where,
            exit_code=EXIT_USAGE,
        )
    if code in (errno.EEXIST, errno.ENOTDIR):  # mkdir says "File exists", which misleads
        blocker = next((p for p in where.parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            return WriteError(
                f"cannot write {where}: {blocker} is a file, not a folder",
                hint=None,
                path=where,
                exit_code=EXIT_USAGE,
            )
    reason = error.strerror or str(error)
    return WriteError(
        f"cannot write {where}: {reason}; nothing was changed",
        hint=None,
        path=where,
        exit_code=EXIT_USAGE,
    )


_umask: int | None = None


# A file changed less than this before a run is "racy": an edit that keeps its size within
# one clock tick keeps its stat too, so a cache keyed on the stat does not trust it (it is
# read again next time, as git does for its index). One window for every such cache: the
# lint index (`lint.cache`), the definitions' digests and parsed bodies (`refs`).
RACY_NS = 2_000_000_000


def racy_cutoff() -> int:
    """The time (ns) from which a file's change is too recent for its stat to be trusted
    (`RACY_NS` before now, read at each call: a test sets `fsutil.RACY_NS`)."""
    return time.time_ns() - RACY_NS


def stat_fields(st: os.stat_result) -> str:
    """Size, mtime, ctime and inode: what tells, without reading a file, that it may have
    changed (a user can set mtime back, not ctime; a replaced file has a new inode)."""
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (thread-safe)."""
    global _umask
    if _umask is not None:
        return _umask
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    _umask = int(line.split()[1], 8)
                    return _umask
    except (OSError, ValueError):
        pass
    _umask = os.umask(0o022)
    os.umask(_umask)
    return _umask


def file_mode(existing: Path | None = None) -> int:
    """The mode a written file gets: the replaced file's mode, else 0666 minus the umask."""
    if existing is not None:
        try:
            return existing.stat().st_mode & 0o7777
        except OSError:
            pass
    return 0o666 & ~current_umask()


def missing_dirs(folder: Path) -> list[Path]:
    """The folders `folder.mkdir(parents=True)` would create, outermost first."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    return missing[::-1]


def remove_empty_dirs(folders: Iterable[Path]) -> None:
    """Remove these folders, innermost first, where empty; never fails."""
    for folder in sorted(set(folders), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()


def is_stale_temp(name: str, target_names: set[str] | None = None) -> bool:
    """True for a temp file a dead writer left (ours by pid; legacy ones for our targets)."""
    match = _TEMP_RE.match(name)
    if match:
        return not pid_alive(int(match["pid"]))
    legacy = _LEGACY_TEMP_RE.match(name)
    return bool(legacy and target_names is not None and legacy["name"] in target_names)


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def pause_for_tests(phase: str) -> None:
    """A testing hook, harmless in production (read only from the environment).

    With `REFLEKT_TEST_PAUSE_AT=<phase>` and `REFLEKT_TEST_PAUSE_DIR=<dir>` holding two FIFOs,
    `paused` and `resume`, the process writes the phase's name to `paused` at that point,
    then blocks reading `resume` until the test closes it: tests send a signal at a known
    point without sleeping. Phases: `staging` and `apply` (transaction.py), `write`
    (`write_atomic`, the temp file written, not yet in place), `audit` (after the first
    table's queries), `lint` (the TUI's lint job, the mtimes taken, no file read yet).
    """
    if os.environ.get("REFLEKT_TEST_PAUSE_AT") != phase:
        return
    folder = os.environ.get("REFLEKT_TEST_PAUSE_DIR")
    if not folder:
        return
    with open(os.path.join(folder, "paused"), "w", encoding="utf-8") as paused:
        paused.write(phase + "\n")
    with open(os.path.join(folder, "resume"), encoding="utf-8") as resume:
        resume.read()


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temp file in the same folder and `os.replace`.

    Raises WriteError (exit 2 or 3, see `write_error`); on any failure or interruption the
    temp file and the folders created for it are removed, and `path` is unchanged.
    """
    created = missing_dirs(path.parent)
    tmp_name: str | None = None
    done = False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{path.name[:100]}{TEMP_MARK}{os.getpid()}-", suffix=".tmp", dir=path.parent
        )
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            os.fchmod(handle.fileno(), file_mode(path if path.exists() else None))
            handle.write(text)
        pause_for_tests("write")
        os.replace(tmp_name, path)
        done = True
    except OSError as error:
        raise write_error(error, path) from None
    finally:
        if not done:
            if tmp_name is not None:
                Path(tmp_name).unlink(missing_ok=True)
            remove_empty_dirs(created)


def write_all_atomic(files: Mapping[Path, str], root: Path | None = None) -> None:
    """Write several files all or none: `reflekt.core.transaction.apply_files`.

    `root` is the project folder (for the lock and the journal); by default the nearest
    parent of the files holding reflekt_project.yml.
    """
    from reflekt.core.transaction import apply_files, find_root

    if not files:
        return
    apply_files(root if root is not None else find_root(files), files)


def remove_cache_files(folder: Path, cache_dir: Path, ours: Callable[[str], bool]) -> list[Path]:
    """Remove the regular files in a cache `folder` whose names are `ours` (and stale temp
    files), then the folder if it is left empty; the files removed. A folder, or a
    `.reflekt_cache/` (`cache_dir`), that is a symlink points elsewhere: not ours to empty.
    A file that cannot be removed is a WriteError."""
    import contextlib

    removed: list[Path] = []
    if folder.is_symlink() or cache_dir.is_symlink():
        return removed
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return removed
    for name in names:
        path = folder / name
        if not (ours(name) or is_stale_temp(name)) or path.is_symlink() or not path.is_file():
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise write_error(error, path) from None
        removed.append(path)
    with contextlib.suppress(OSError):
        folder.rmdir()
    return removed
