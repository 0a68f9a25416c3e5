"""Carry out a MigrationPlan: all or nothing, then tell git about the moves.

The project's files (moved schemas, the meta-schema, reflekt_project.yml, a profiles file
inside the project) are written in ONE transaction (`core.transaction.apply_files`, as pull
writes): an interrupted migrate leaves the project as it was, or, once everything is staged,
is completed by the next reflekt command. Then, in a git work tree, each move of a tracked
file is recorded in the index as `git mv` records it (the old path removed, the new one
added), so the next commit shows renames and `git log --follow` keeps each file's history.
Nothing is committed. A profiles file outside the project is written last, atomically.

What must happen after the transaction (the index, the outside profiles file) is noted in
`.reflekt_cache/migrate-pending.json` before it; a migrate killed in between finishes it on
its next run (the note holds paths only, never a profile's content).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reflekt.core.fsutil import remove_empty_dirs, write_atomic
from reflekt.core.gitrun import run_git
from reflekt.core.migrate.config import edit_profiles_yaml
from reflekt.core.migrate.plan import MigrationPlan, Move
from reflekt.core.progress import Progress
from reflekt.core.transaction import CACHE_DIR, apply_files

PENDING = "migrate-pending.json"
_CHUNK = 200  # paths per git call


@dataclass(frozen=True)
class MigrationResult:
    plan: MigrationPlan
    moved: int
    edited: int
    git_staged: int  # moves recorded in the index
    finished_pending: bool = False  # an interrupted run's git/profiles step was completed


def apply_migration(plan: MigrationPlan, progress: Progress | None = None) -> MigrationResult:
    root = plan.root
    finished = finish_pending(root)
    if plan.nothing_to_do:
        return MigrationResult(plan, 0, 0, 0, finished)
    report: Progress = progress or _no_progress
    pending = root / CACHE_DIR / PENDING
    write_atomic(
        pending,
        json.dumps(
            {
                "moves": [[m.source, m.target] for m in plan.moves],
                "profiles": [str(path) for path in plan.outside],
            }
        ),
    )
    files = {root / rel: text for rel, text in plan.texts.items()}
    deletes = [root / m.source for m in plan.moves]
    total = len(files) + len(deletes)
    apply_files(
        root,
        files,
        deletes,
        prune_within=root / "schemas",
        progress=lambda done, _total: report(done, total, "migrating"),
    )
    staged = _finish(root, plan.moves, plan.outside)
    pending.unlink(missing_ok=True)
    return MigrationResult(plan, len(plan.moves), len(plan.edits), staged, finished)


def _no_progress(done: int, total: int | None, message: str = "") -> None:
    return None


def finish_pending(root: Path) -> bool:
    """Complete what an interrupted migrate left after its transaction (index, profiles)."""
    pending = root / CACHE_DIR / PENDING
    try:
        data = json.loads(pending.read_text(encoding="utf-8"))
        moves = [Move(str(a), str(b)) for a, b in data.get("moves", [])]
        profiles = [Path(p) for p in data.get("profiles", [])]
    except (OSError, ValueError, TypeError, AttributeError):
        pending.unlink(missing_ok=True)
        return False
    done = [m for m in moves if (root / m.target).exists() and not (root / m.source).exists()]
    outside: dict[Path, str] = {}
    for path in profiles:
        try:
            edit = edit_profiles_yaml(path.read_text(encoding="utf-8"), path)
        except (OSError, UnicodeDecodeError):
            continue
        if edit.changes:
            outside[path] = edit.text
    finished = bool(done) or not moves  # the transaction went through: finish after it
    if finished:
        _finish(root, done, outside)
    pending.unlink(missing_ok=True)
    return finished and bool(done or outside)


def _finish(root: Path, moves: Sequence[Move], outside: dict[Path, str]) -> int:
    # The folders the moves emptied (the transaction prunes them too, unless it was killed
    # after its last move and completed by the next run's recovery).
    schemas = root / "schemas"
    emptied = {
        parent
        for move in moves
        for parent in (root / move.source).parents
        if schemas in parent.parents
    }
    remove_empty_dirs(emptied)
    staged = _stage_moves(root, moves)
    for path, text in sorted(outside.items()):
        write_atomic(path, text)
    return staged


def _stage_moves(root: Path, moves: Sequence[Move]) -> int:
    """Record the moves of tracked files in the git index (what `git mv` does)."""
    if not moves or _git(root, "rev-parse", "--is-inside-work-tree") is None:
        return 0
    sources = [m.source for m in moves]
    tracked_out = _git(root, "ls-files", "-z", "--", *sources) if sources else b""
    tracked = {p for p in (tracked_out or b"").decode("utf-8", "surrogateescape").split("\0") if p}
    todo = [m for m in moves if m.source in tracked]
    for start in range(0, len(todo), _CHUNK):
        chunk = todo[start : start + _CHUNK]
        _git(root, "rm", "--cached", "--quiet", "--", *[m.source for m in chunk])
        _git(root, "add", "--", *[m.target for m in chunk])
    return len(todo)


def _git(root: Path, *args: str) -> bytes | None:
    """Run git in the project; its output, or None when it fails."""
    result = run_git(root, *args)
    return result.stdout if result is not None and result.returncode == 0 else None
