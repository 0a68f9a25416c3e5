"""Where Reflekt may write: inside the project, never through a symlink that leaves it.

Why: registry names become paths, and a project folder may hold symlinks (planted or careless:
`schemas/segment -> /etc`). Every writer asks here before it writes, so one check guards pull,
build, demo and the transactional writer alike.

- `inside(root, path) -> bool`: True when `path` (absolute, or relative to `root`) is `root`
  or below it lexically (no `..` component) AND once every symlink on the way is followed
  (`os.path.realpath`, also for components that do not exist yet), it still lies under the
  resolved `root`. A symlink that stays inside the project is fine.
- `ensure_inside(root, path, *, within=None, what="write") -> Path`: the same check, raising
  `UnsafePathError` (a ReflektError, exit 2) that names the offending symlink; `within`
  (a folder under `root`) narrows where `path` may be lexically, e.g. `schemas/segment/plan`.
  Returns the absolute lexical path.

Not covered: a symlink swapped in between the check and the write (the project is the user's
own folder; this guards against content, not against a concurrent local attacker).
"""

from __future__ import annotations

import os
from pathlib import Path

from reflekt.core.errors import EXIT_USAGE, ReflektError


class UnsafePathError(ReflektError):
    """A write would land outside the project (a `..` or a symlink that leaves it)."""

    exit_code = EXIT_USAGE


def _absolute(root: str, path: str | os.PathLike[str]) -> str:
    text = os.fspath(path)
    return text if os.path.isabs(text) else os.path.join(root, text)


def _under(base: str, path: str) -> bool:
    """`path` is `base` or below it (both normalised absolute strings)."""
    if path == base:
        return True
    prefix = base if base.endswith(os.sep) else base + os.sep
    return path.startswith(prefix)


def _lexical(path: str) -> str | None:
    """The normalised path, or None when it has a `..` component."""
    if ".." in path.replace("\\", "/").split("/"):
        return None
    return os.path.normpath(path)


def _escaping_link(root: str, path: str) -> str | None:
    """The first component of `path` below `root` that is a symlink leading out of `root`."""
    real_root = os.path.realpath(root)
    current = root
    for part in os.path.relpath(path, root).split(os.sep):
        current = os.path.join(current, part)
        if os.path.islink(current):
            if not _under(real_root, os.path.realpath(current)):
                return current
        elif not os.path.exists(current):
            break
    return None


def inside(root: Path, path: Path) -> bool:
    """Whether writing `path` stays inside `root` (see the module docstring)."""
    root_s = os.path.abspath(root)
    lexical = _lexical(_absolute(root_s, path))
    if lexical is None or not _under(root_s, lexical):
        return False
    return _under(os.path.realpath(root_s), os.path.realpath(lexical))


class PathGuard:
    """`ensure_inside` for many paths under one root, each folder resolved once.

    Why: pull and the transactional writer check every one of thousands of files that share
    a few folders; `os.path.realpath` per file re-walks the whole path each time. The memo
    lives as long as the guard: make one per batch of writes, not one per process.
    """

    def __init__(self, root: Path) -> None:
        self.root = os.path.abspath(root)
        self._real: dict[str, str] = {}
        self.real_root = self.realpath(self.root)

    def realpath(self, path: str) -> str:
        """`os.path.realpath` of a normalised absolute path without `..`, memoised per folder."""
        chain: list[str] = []
        current = path
        while current not in self._real:
            parent = os.path.dirname(current)
            if parent == current:
                self._real[current] = current
                break
            chain.append(current)
            current = parent
        real = self._real[current]
        for below in reversed(chain):
            candidate = os.path.join(real, os.path.basename(below))
            real = os.path.realpath(candidate) if os.path.islink(candidate) else candidate
            self._real[below] = real
        return real

    def ensure(self, path: Path | str, *, within: Path | None = None, what: str = "write") -> Path:
        """`path` as an absolute path, or UnsafePathError when it would leave root/`within`."""
        root_s = self.root
        lexical = _lexical(_absolute(root_s, path))
        base = _lexical(_absolute(root_s, within)) if within is not None else root_s
        if lexical is None or base is None or not _under(root_s, base) or not _under(base, lexical):
            raise UnsafePathError(
                f"refusing to {what} {os.fspath(path)}: it is outside {base or within}",
                hint="names from registries and --select never leave their folder; "
                "report the name that led here",
            )
        if not _under(self.real_root, self.realpath(lexical)):
            link = _escaping_link(root_s, lexical)
            where = (
                f"{link} is a symlink to {os.path.realpath(link)}"
                if link
                else "a symlink leads there"
            )
            raise UnsafePathError(
                f"refusing to {what} {lexical}: {where}, outside the project {root_s}",
                hint="remove the symlink (or replace it with a real folder) and run again",
            )
        return Path(lexical)


def ensure_inside(
    root: Path, path: Path, *, within: Path | None = None, what: str = "write"
) -> Path:
    """`path` as an absolute path, or UnsafePathError when it would leave `root`/`within`.

    One path; for many under one root, use a `PathGuard`.
    """
    return PathGuard(root).ensure(path, within=within, what=what)
