"""Where Reflekt may write: inside the project, never through a symlink that leaves it.

Why: registry names become paths, and a project folder may hold symlinks (planted or careless:
`schemas/segment -> /etc`). Every writer asks here before it writes, so one check guards pull,
build, demo and the transactional writer alike.

- `inside(root, path) -> bool`: True when `path` (absolute, or relative to `root`) is `root`
  or below it lexically (no `..` component) AND once every symlink on the way is followed
  (`Path.resolve`, also for components that do not exist yet), it still lies under the
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


def _absolute(root: Path, path: Path) -> Path:
    return path if path.is_absolute() else root / path


def _lexically_under(base: Path, path: Path) -> bool:
    if ".." in path.parts:
        return False
    try:
        path.relative_to(base)
    except ValueError:
        return False
    return True


def _escaping_link(root: Path, path: Path) -> Path | None:
    """The first component of `path` below `root` that is a symlink leading out of `root`."""
    real_root = root.resolve()
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            target = current.resolve()
            if not target.is_relative_to(real_root):
                return current
        elif not current.exists():
            break
    return None


def inside(root: Path, path: Path) -> bool:
    """Whether writing `path` stays inside `root` (see the module docstring)."""
    root = Path(os.path.abspath(root))
    path = _absolute(root, Path(path))
    if not _lexically_under(root, path):
        return False
    return path.resolve().is_relative_to(root.resolve())


def ensure_inside(
    root: Path, path: Path, *, within: Path | None = None, what: str = "write"
) -> Path:
    """`path` as an absolute path, or UnsafePathError when it would leave `root`/`within`."""
    root = Path(os.path.abspath(root))
    path = _absolute(root, Path(path))
    base = _absolute(root, Path(within)) if within is not None else root
    if not _lexically_under(root, base) or not _lexically_under(base, path):
        raise UnsafePathError(
            f"refusing to {what} {path}: it is outside {base}",
            hint="names from registries and --select never leave their folder; "
            "report the name that led here",
        )
    if not path.resolve().is_relative_to(root.resolve()):
        link = _escaping_link(root, path)
        where = f"{link} is a symlink to {link.resolve()}" if link else "a symlink leads there"
        raise UnsafePathError(
            f"refusing to {what} {path}: {where}, outside the project {root}",
            hint="remove the symlink (or replace it with a real folder) and run again",
        )
    return path
