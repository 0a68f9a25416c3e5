"""Write many files to the project all or none: stage, journal, apply, recover.

Why: a pull or a build writes thousands of files; a Ctrl-C, a CI cancel (SIGTERM), a full
disk or a read-only folder half-way must leave the project as it was, or, once the files are
all staged, complete on the next run. `apply_files(root, files, deletes)`:

1. takes the project lock (`.reflekt_cache/lock`, see `reflekt.core.lock`);
2. finishes any transaction an earlier run left in `.reflekt_cache/txn/` (roll forward when
   its journal says "committing", else roll back);
3. stages every new content under `.reflekt_cache/txn/<id>/` (a target on another mount is
   staged in `.reflekt_txn_<id>/` in its nearest existing folder, so every rename is atomic),
   with the mode the target will have (the replaced file's, else 0666 minus the umask), and
   flushes them to disk (one syncfs); the project is not touched yet, and SIGINT/SIGTERM here
   roll back;
4. writes the journal (fsync): the folders to create, each target, its staged file and the
   backup of what it replaces, state "committing";
5. with SIGINT/SIGTERM deferred (main thread only; the TUI's worker threads just proceed),
   creates the folders and moves each file into place (the replaced file is kept as a hard
   link in the transaction folder); a failure here puts every file back and removes the
   folders it created;
6. marks the journal done, removes the transaction folder, the folders that deletes left
   empty (below `prune_within`) and stale temp files of older writers beside the targets.

OSErrors become WriteError (see `reflekt.core.fsutil.write_error`): exit 3 for a full disk or
quota, 2 for permissions and read-only filesystems; the message names the path.

Testing hook (harmless in production, read only from the environment):
`REFLEKT_TEST_PAUSE_AT=staging|apply` (`fsutil.pause_for_tests`) with `REFLEKT_TEST_PAUSE_DIR=<dir>` holding two FIFOs,
`paused` and `resume`: half-way through that phase the writer writes the phase's name to
`paused`, then blocks reading `resume` until it is closed by the test. Tests use it to send a
signal at a known point without sleeping.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reflekt.core.errors import ReflektError
from reflekt.core.fsutil import (
    file_mode,
    is_stale_temp,
    pause_for_tests,
    remove_empty_dirs,
    write_error,
)
from reflekt.core.lock import ProjectLockedError, project_lock
from reflekt.core.safepath import PathGuard, UnsafePathError
from reflekt.core.signals import deferred_signals, sigterm_raises

CACHE_DIR = ".reflekt_cache"
TXN_DIR = "txn"
JOURNAL = "journal.json"
FOREIGN_STAGING = ".reflekt_txn_"
PROJECT_FILE = "reflekt_project.yml"

Progress = Callable[[int, int], None]
log = logging.getLogger("reflekt.transaction")


def find_root(paths: Iterable[Path]) -> Path:
    """The nearest folder above `paths` holding reflekt_project.yml (else their common one)."""
    absolute = [Path(os.path.abspath(p)) for p in paths]
    common = Path(os.path.commonpath([str(p.parent) for p in absolute]))
    for folder in (common, *common.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return common


# ---------------------------------------------------------------- paths and mounts


class _Folders:
    """Which folders exist, asked once each: 5,000 new pages in 5,000 new folders asked
    about every folder up their chains (20,000 stats) for the staging anchor and the folders
    to create. Staging creates no folder on a target's chain, so the answers hold until the
    apply. The two walks are memoised per folder too: the pages of one folder (500 per plan
    in the docs site) walked the same chain of `Path.parent`s each, most of a cold write's
    own (not the kernel's) time."""

    def __init__(self) -> None:
        self.known: dict[Path, bool] = {}
        self._nearest: dict[Path, Path] = {}
        self._missing: dict[Path, list[Path]] = {}

    def exists(self, folder: Path) -> bool:
        known = self.known.get(folder)
        if known is None:
            known = self.known[folder] = folder.exists()
        return known

    def nearest_existing(self, folder: Path) -> Path:
        """The nearest folder at or above `folder` that exists (the staging anchor)."""
        found = self._nearest.get(folder)
        if found is None:
            found = folder
            while not self.exists(found) and found.parent != found:
                found = found.parent
            self._nearest[folder] = found
        return found

    def missing(self, folder: Path) -> list[Path]:
        """`fsutil.missing_dirs(folder)`, from the answers so far (do not change the list)."""
        chain = self._missing.get(folder)
        if chain is None:
            chain = []
            current = folder
            while not self.exists(current):
                chain.append(current)
                if current.parent == current:
                    break
                current = current.parent
            chain = self._missing[folder] = chain[::-1]
        return chain


def _check_target(root: Path, target: Path, guard: PathGuard) -> Path:
    """`target` as a normalised absolute path; UnsafePathError if it leaves the project."""
    # (string operations, not `Path` ones: building and comparing Paths three times a file
    # was most of checking a 5,000-file site)
    path = guard.ensure(os.path.normpath(os.path.join(root, target)), what="write")
    text = os.fspath(path)
    rel = text[len(os.fspath(root)) :].lstrip(os.sep)  # (`ensure`: it is inside root)
    if not rel or rel.split(os.sep, 1)[0] == CACHE_DIR:
        raise UnsafePathError(
            f"refusing to write {path}: not a project file",
            hint="this is a bug in Reflekt; nothing was changed",
        )
    if os.path.isdir(text) and not os.path.islink(text):
        raise UnsafePathError(
            f"cannot write {path}: a folder is in the way; nothing was changed",
            hint="move the folder away and run the command again",
        )
    return path


def _mount_points() -> list[str] | None:
    """Mount points from /proc/self/mountinfo, longest first (None where unavailable)."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as info:
            lines = info.read().splitlines()
    except OSError:
        return None
    points = []
    for line in lines:
        fields = line.split(" ")
        if len(fields) > 4:
            point = fields[4]
            for code in ("\\040", "\\011", "\\012", "\\134"):
                point = point.replace(code, chr(int(code[1:], 8)))
            points.append(point)
    return sorted(points, key=len, reverse=True)


class _Mounts:
    """Which mount a folder is on: renames only work within one (bind mounts included)."""

    def __init__(self) -> None:
        self.points = _mount_points()
        self.cache: dict[Path, object] = {}

    def key(self, folder: Path) -> object:
        if folder not in self.cache:
            real = os.path.realpath(folder)
            if self.points is None:
                self.cache[folder] = os.stat(real).st_dev
            else:
                self.cache[folder] = next(
                    (p for p in self.points if real == p or real.startswith(p.rstrip("/") + "/")),
                    "/",
                )
        return self.cache[folder]


# ---------------------------------------------------------------- journal


@dataclass
class _Op:
    kind: str  # "write" or "delete"
    target: Path
    staged: Path | None = None  # write: the new content, until it is moved into place
    backup: Path | None = None  # what the target held (write over a file, or delete)

    def to_json(self, root: Path) -> dict[str, Any]:
        prefix = os.path.join(root, "")

        def rel(p: Path | None) -> str | None:
            if p is None:
                return None
            text = str(p)  # (a string prefix: `relative_to` was most of a 5,000-op save)
            if text.startswith(prefix):
                return text[len(prefix) :].replace(os.sep, "/")
            return p.relative_to(root).as_posix()  # (raises: every path is inside root)

        return {
            "kind": self.kind,
            "target": rel(self.target),
            "staged": rel(self.staged),
            "backup": rel(self.backup),
        }

    @classmethod
    def from_json(cls, root: Path, data: dict[str, Any]) -> _Op:
        def path(key: str) -> Path | None:
            value = data.get(key)
            return None if value is None else root / value

        target = path("target")
        assert target is not None
        return cls(str(data["kind"]), target, path("staged"), path("backup"))


@dataclass
class _Journal:
    root: Path
    folder: Path  # .reflekt_cache/txn/<id>
    state: str = "staging"
    staging_dirs: list[Path] = field(default_factory=list)
    dirs: list[Path] = field(default_factory=list)  # folders the apply creates
    ops: list[_Op] = field(default_factory=list)
    # The ops as saved, kept between saves: ops are only ever appended, and serialising
    # 5,000 of them (three `relative_to` each) for each of the three saves cost 0.7 s.
    saved_ops: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def save(self, state: str) -> None:
        self.state = state
        saved = self.saved_ops
        if len(saved) > len(self.ops):  # (the ops were replaced: serialise them all again)
            saved.clear()
        saved.extend(op.to_json(self.root) for op in self.ops[len(saved) :])
        data = {
            "version": 1,
            "state": state,
            "pid": os.getpid(),
            "time": time.time(),
            "staging_dirs": [p.relative_to(self.root).as_posix() for p in self.staging_dirs],
            "dirs": [p.relative_to(self.root).as_posix() for p in self.dirs],
            "ops": saved,
        }
        tmp = self.folder / (JOURNAL + ".new")
        # (`json.dumps`, not `json.dump`: only the one-shot encoder is the C one; the
        # streaming one cost 60 ms a save of 5,000 ops)
        text = json.dumps(data)
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.folder / JOURNAL)
        _fsync_dir(self.folder)

    @classmethod
    def load(cls, root: Path, folder: Path) -> _Journal | None:
        try:
            data = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
            return cls(
                root,
                folder,
                str(data["state"]),
                [root / p for p in data.get("staging_dirs", [])],
                [root / p for p in data.get("dirs", [])],
                [_Op.from_json(root, op) for op in data.get("ops", [])],
            )
        except (OSError, ValueError, KeyError, TypeError, AssertionError):
            return None

    def discard(self) -> None:
        for folder in self.staging_dirs:
            shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------- apply, roll back, roll forward


def _apply_op(op: _Op) -> None:
    if op.kind == "delete":
        assert op.backup is not None
        os.replace(op.target, op.backup)
        return
    assert op.staged is not None
    if op.backup is not None:
        try:
            os.link(op.target, op.backup, follow_symlinks=False)
        except OSError:
            os.replace(op.target, op.backup)  # no hard links here: move it aside
    os.replace(op.staged, op.target)


def _roll_back(journal: _Journal) -> None:
    """Put back what the applied ops replaced; remove what they created. Idempotent."""
    exists = os.path.lexists  # a symlink is a file here, wherever it points
    for op in reversed(journal.ops):
        if op.kind == "delete":
            if op.backup is not None and exists(op.backup):
                os.replace(op.backup, op.target)
            continue
        assert op.staged is not None
        applied = not exists(op.staged)
        if op.backup is not None:
            if exists(op.backup) and (applied or not exists(op.target)):
                os.replace(op.backup, op.target)
        elif applied and exists(op.target):
            op.target.unlink()
    remove_empty_dirs(journal.dirs)


def _roll_forward(journal: _Journal) -> None:
    """Finish an apply whose files were all staged. Idempotent."""
    exists = os.path.lexists
    for folder in journal.dirs:
        folder.mkdir(exist_ok=True)
    for op in journal.ops:
        if op.kind == "delete":
            if op.backup is not None and not exists(op.backup):
                op.target.unlink(missing_ok=True)
        elif op.staged is not None and exists(op.staged):
            os.replace(op.staged, op.target)


def recover(root: Path) -> list[str]:
    """Finish or undo transactions that an interrupted run left; call with the lock held.

    Returns one line per transaction found (for the log).
    """
    txn_root = root / CACHE_DIR / TXN_DIR
    if not txn_root.is_dir():
        return []
    notes: list[str] = []
    for folder in sorted(txn_root.iterdir()):
        if not folder.is_dir():
            continue
        journal = _Journal.load(root, folder)
        if journal is None:  # interrupted before its journal existed: nothing was applied
            shutil.rmtree(folder, ignore_errors=True)
            notes.append(f"removed the staging of an interrupted run ({folder.name})")
            continue
        try:
            if journal.state == "committing":
                _roll_forward(journal)
                notes.append(f"completed an interrupted write ({len(journal.ops)} file(s))")
            elif journal.state == "rolling_back":
                _roll_back(journal)
                notes.append(f"rolled back an interrupted write ({len(journal.ops)} file(s))")
            else:
                notes.append(f"removed the staging of an interrupted run ({folder.name})")
        except OSError as error:
            wrapped = write_error(error)
            raise type(wrapped)(
                f"{wrapped.message} (while finishing an interrupted run's {folder})",
                hint=wrapped.hint,
                path=wrapped.path,
                exit_code=wrapped.exit_code,
            ) from None
        journal.discard()
    for note in notes:
        log.info("%s", note)
    return notes


def recover_pending(root: Path) -> list[str]:
    """Finish what an interrupted run left, before a command reads the project.

    Cheap when there is nothing to do (one `stat`). When another process holds the lock it
    is that writer's job, so nothing happens here. Raises WriteError if recovery fails.
    """
    root = Path(os.path.abspath(root))
    txn_root = root / CACHE_DIR / TXN_DIR
    try:
        if not any(txn_root.iterdir()):
            return []
    except OSError:
        return []
    try:
        with project_lock(root / CACHE_DIR):
            return recover(root)
    except ProjectLockedError:
        return []


# ---------------------------------------------------------------- the transaction


@dataclass(frozen=True)
class ApplyResult:
    """What `apply_files` did."""

    written: int
    deleted: int
    recovered: tuple[str, ...] = ()


def _stage_file(path: Path, text: str, mode: int) -> None:
    data = text.encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _flush(folders: Iterable[Path]) -> None:
    """Make the staged files durable before the journal says "committing".

    One `syncfs` per filesystem (Linux) instead of an fsync per file: 5,000 fsyncs cost
    seconds, one syncfs milliseconds. Elsewhere, one `sync`.
    """
    sync = getattr(os, "sync", lambda: None)  # (Windows has neither)
    try:
        import ctypes

        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (ImportError, OSError, AttributeError, TypeError):
        sync()
        return
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY)
        try:
            if syncfs(fd) != 0:
                sync()
        finally:
            os.close(fd)


def apply_files(
    root: Path,
    files: Mapping[Path, str],
    deletes: Iterable[Path] = (),
    *,
    prune_within: Path | None = None,
    progress: Progress | None = None,
) -> ApplyResult:
    """Write `files` ({path: text}) and remove `deletes`, all or none. See the module doc.

    Paths are absolute or relative to `root`, and must stay inside it.
    """
    root = Path(os.path.abspath(root))
    cache = root / CACHE_DIR
    with project_lock(cache):
        try:
            recovered = recover(root)
        except OSError as error:
            raise write_error(error) from None
        return _Transaction(root, progress).run(files, list(deletes), prune_within, recovered)


class _Transaction:
    def __init__(self, root: Path, progress: Progress | None) -> None:
        self.root = root
        self.progress = progress or (lambda done, total: None)
        self.id = f"{time.time_ns():x}-{os.getpid()}"
        self.journal = _Journal(root, root / CACHE_DIR / TXN_DIR / self.id)
        self.mounts = _Mounts()
        self.staging: dict[object, Path] = {}  # mount -> staging folder
        self.count = 0

    def _staging_for(self, anchor: Path) -> Path:
        key = self.mounts.key(anchor)
        if key not in self.staging:
            if key == self.mounts.key(self.journal.folder):
                folder = self.journal.folder / "files"
            else:
                folder = anchor / f"{FOREIGN_STAGING}{self.id}"
                self.journal.staging_dirs.append(folder)
                self.journal.save("staging")  # so a crash from here on still finds it
            folder.mkdir()
            self.staging[key] = folder
        return self.staging[key]

    def _next_name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count:06d}"

    def run(
        self,
        files: Mapping[Path, str],
        deletes: list[Path],
        prune_within: Path | None,
        recovered: list[str],
    ) -> ApplyResult:
        guard = PathGuard(self.root)
        writes = {_check_target(self.root, p, guard): text for p, text in files.items()}
        removes = [_check_target(self.root, p, guard) for p in deletes]
        removes = [p for p in dict.fromkeys(removes) if p not in writes and os.path.lexists(p)]
        if not writes and not removes:
            return ApplyResult(0, 0, tuple(recovered))
        journal = self.journal
        try:
            with sigterm_raises():
                self._stage(writes, removes)
                _flush(self.staging.values())
                journal.save("committing")
        except OSError as error:
            journal.discard()
            raise write_error(error, getattr(error, "filename", None)) from None
        except BaseException:
            journal.discard()
            raise
        self._apply()
        self._clean_up(writes, removes, prune_within)
        return ApplyResult(len(writes), len(removes), tuple(recovered))

    def _stage(self, writes: dict[Path, str], removes: list[Path]) -> None:
        journal = self.journal
        journal.folder.parent.mkdir(parents=True, exist_ok=True)
        journal.folder.mkdir()
        journal.save("staging")
        dirs: dict[Path, None] = {}
        folders = _Folders()
        half = len(writes) // 2
        for index, (target, text) in enumerate(sorted(writes.items())):
            parent = target.parent
            anchor = folders.nearest_existing(parent)
            folder = self._staging_for(anchor)
            # (in a folder that does not exist yet there is no file: no lstat for new pages)
            exists = anchor == parent and os.path.lexists(target)
            staged = folder / self._next_name("w")
            backup = folder / self._next_name("b") if exists else None
            try:
                _stage_file(staged, text, file_mode(target if exists else None))
            except OSError as error:
                raise write_error(error, target) from None
            journal.ops.append(_Op("write", target, staged, backup))
            dirs.update(dict.fromkeys(folders.missing(parent)))
            if index == half:
                pause_for_tests("staging")
        for target in sorted(removes):
            folder = self._staging_for(folders.nearest_existing(target.parent))
            journal.ops.append(_Op("delete", target, None, folder / self._next_name("d")))
        journal.dirs = sorted(dirs, key=lambda p: (len(p.parts), p))

    def _apply(self) -> None:
        journal = self.journal
        total = len(journal.ops)
        half = total // 2
        with deferred_signals():
            where: Path = journal.folder  # what the error names: the folder or file at fault
            try:
                for folder in journal.dirs:
                    where = folder
                    folder.mkdir()
                for index, op in enumerate(journal.ops):
                    if index == half:
                        pause_for_tests("apply")
                    where = op.target
                    _apply_op(op)
                    if index % 200 == 0:
                        self.progress(index, total)
                journal.save("done")
                journal.discard()
            except BaseException as error:
                failed = error
                # If this fails the journal still says "committing": a later run completes it.
                with contextlib.suppress(OSError):
                    journal.save("rolling_back")
                try:
                    _roll_back(journal)
                except OSError:
                    wrapped = write_error(failed) if isinstance(failed, OSError) else None
                    raise ReflektError(
                        "a write failed and could not be undone completely"
                        + (f" ({wrapped.message})" if wrapped else ""),
                        hint="the next reflekt command finishes undoing it (journal in "
                        f"{journal.folder})",
                    ) from None
                journal.discard()
                if isinstance(failed, OSError):
                    raise write_error(failed, where) from None
                raise
        self.progress(total, total)

    def _clean_up(self, writes: dict[Path, str], removes: list[Path], prune: Path | None) -> None:
        """After the commit: nothing here can undo it, so failures are ignored."""
        if prune is not None:
            prune = Path(os.path.abspath(prune))
            emptied: set[Path] = set()
            for target in removes:
                for parent in target.parents:
                    if parent == prune or prune not in parent.parents:
                        break
                    emptied.add(parent)
            remove_empty_dirs(emptied)
        by_folder: dict[Path, set[str]] = {}
        for target in writes:
            by_folder.setdefault(target.parent, set()).add(target.name)
        for folder, names in by_folder.items():
            try:
                entries = os.listdir(folder)
            except OSError:
                continue
            for name in entries:
                if name.startswith(".") and name.endswith(".tmp") and is_stale_temp(name, names):
                    with contextlib.suppress(OSError):
                        os.unlink(folder / name)
