"""Where a build writes a folder of generated files the user names (`--out` of `build code`
and `build docs`): inside the project, a folder of its own, outside what Reflekt reads.

A relative `--out` is relative to the project root, as the files' regenerate command writes
it, wherever the command runs from.
"""

from __future__ import annotations

import os
from pathlib import Path

from reflekt.core.errors import ReflektError
from reflekt.core.project import Project
from reflekt.core.safepath import ensure_inside

# What Reflekt reads as input or keeps for itself: no generated folder goes there.
FORBIDDEN = ("schemas", ".reflekt_cache", ".git", ".logs")


def artifact_folder(
    project: Project, out: str | Path | None, default: str, *, what: str, example: str
) -> Path:
    """The absolute output folder: `out`, or `default` (relative to the root). ReflektError
    (exit 2) for the root itself, a folder outside the project (lexically, or through a
    symlink: `ensure_inside` names it) or inside `FORBIDDEN`. `what` completes "refusing
    to ..."; `example` is the hint's `--out` value."""
    root = Path(os.path.abspath(project.root))
    chosen = Path(out) if out is not None else Path(default)
    target = Path(os.path.abspath(root / chosen))  # an absolute `chosen` stays itself
    if target == root:
        raise ReflektError(
            "--out must be a folder of its own, not the project root",
            hint=f"for example: --out {example}",
        )
    if not target.is_relative_to(root):
        raise ReflektError(
            f"--out {chosen} is outside the project {root}",
            hint="the files are written inside the project: give a folder under it "
            f"(relative to the project root), for example --out {example}",
        )
    where = ensure_inside(root, target, what=what)
    relative = where.relative_to(root)
    if relative.parts and relative.parts[0] in FORBIDDEN:
        raise ReflektError(
            f"--out {relative.as_posix()} is inside {relative.parts[0]}/, which Reflekt "
            "reads or keeps for itself",
            hint=f"the default is {default}/; or for example --out {example}",
        )
    return where


def relative_to_root(project: Project, folder: Path) -> str:
    """`folder` relative to the project root, `/`-separated (for a regenerate command)."""
    return folder.relative_to(Path(os.path.abspath(project.root))).as_posix()
