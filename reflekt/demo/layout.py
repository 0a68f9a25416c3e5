"""Lay out the embedded demo project (Segment e-commerce spec events) on disk.

The demo's files ship inside the package (`reflekt/demo/project`). Laying it out again
refreshes the shipped files and leaves anything else the user added alone; a folder that
holds something other than the demo is never touched, and nothing is written through a symlink
that leaves the demo folder (`safepath`): every path is checked before the first write.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from reflekt.core.errors import ConfigError
from reflekt.core.project import PROJECT_FILE
from reflekt.core.safepath import ensure_inside
from reflekt.core.transaction import apply_files

DEMO_PROJECT_NAME = "reflekt_demo"
DEFAULT_DEMO_DIR = "reflekt-demo"
# Written by the demo's later steps (warehouse, build, logs): checked up front as well.
OTHER_DEMO_PATHS = ("artifacts", "warehouse.duckdb", ".logs", ".reflekt_cache")


@dataclass(frozen=True)
class DemoLayout:
    root: Path
    created: int
    updated: int
    unchanged: int
    refreshed: bool  # the folder already held the demo


def _demo_files() -> dict[str, str]:
    """Relative path -> text of every shipped demo file."""
    base = resources.files("reflekt.demo").joinpath("project")
    files: dict[str, str] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            rel = f"{prefix}{child.name}"
            if child.is_dir():
                if rel not in OTHER_DEMO_PATHS:  # a cache or log a run left there: not the demo's
                    walk(child, rel + "/")
            elif not child.name.startswith(("_", ".")):
                files[rel] = child.read_text(encoding="utf-8")

    walk(base, "")
    files["schemas/.reflekt/event-meta/1-0.json"] = files.pop("event-meta.json")
    files[".gitignore"] = ".logs/\n.reflekt_cache/\n*.duckdb.wal\n"
    return files


def _check_target(root: Path) -> bool:
    """True when `root` already holds the demo; raises when it holds anything else."""
    config = root / PROJECT_FILE
    if config.is_file():
        text = config.read_text(encoding="utf-8", errors="replace")
        if f"name: {DEMO_PROJECT_NAME}" not in text:
            raise ConfigError(
                f"{root} holds another Reflekt project; the demo will not overwrite it",
                hint="give the demo another folder: reflekt demo --dir DIR",
            )
        return True
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ConfigError(
            f"{root} exists and is not empty; the demo will not write into it",
            hint="give the demo another folder: reflekt demo --dir DIR",
        )
    return False


def lay_out_demo(root: Path) -> DemoLayout:
    """Create or refresh the demo project at `root`."""
    root = root.expanduser().resolve()
    refreshed = _check_target(root)
    files = _demo_files()
    for rel in (*sorted(files), *OTHER_DEMO_PATHS):
        ensure_inside(root, root / rel, what="write the demo file")
    created = updated = unchanged = 0
    changed: dict[Path, str] = {}
    for rel, text in sorted(files.items()):
        path = root / rel
        if path.is_file():
            if path.read_text(encoding="utf-8", errors="replace") == text:
                unchanged += 1
                continue
            updated += 1
        else:
            created += 1
        changed[path] = text
    apply_files(root, changed)  # all files or none (staged, journaled, locked)
    (root / "artifacts").mkdir(exist_ok=True)
    return DemoLayout(root, created, updated, unchanged, refreshed)
