"""Apply a generated dbt package to disk: atomically, idempotently, and never over a user's file.

Rules (each has a test):
- a file whose content is unchanged is not rewritten (byte-identical rebuilds, no mtime churn);
- a file at a target path WITHOUT the generated header is never touched (it is reported as
  kept); removing the header from a generated file is how a user takes it over;
- a generated model or docs file that this build did not produce is removed when every schema
  named in its header is gone from the project or was part of this build's selection (so a
  subset build never removes the models of schemas it did not select);
- a generated file under `macros/` (the schema-derived tests, the casts) that a full build
  did not produce is removed (`schema_tests: off`);
- the sources file lists the tables of this build plus those still used by the remaining
  models, so building a subset merges instead of dropping the other tables; a generated
  sources file left at an old path (after changing `in_folder` or `sources.prefix`) is
  merged into it and removed, so dbt never sees the source defined twice.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reflekt.core.build.dbt import (
    DbtPackage,
    SourceTable,
    header_schema_ids,
    is_generated,
    parse_sources_tables,
    sources_yaml,
)
from reflekt.core.readfile import UnreadableFileError, read_regular
from reflekt.core.transaction import apply_files, find_root

# Generated files are small; a sources file of 50,000 tables is about 5 MiB.
GENERATED_FILE_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class WritePlan:
    """What applying a package changes, by path relative to the package folder."""

    package_dir: Path
    writes: dict[str, str] = field(default_factory=dict)  # new and changed files
    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()  # targets without the generated header: left alone

    @property
    def has_changes(self) -> bool:
        return bool(self.writes or self.removed)


def _read(path: Path) -> str | None:
    """The text of a regular file; None for anything else (missing, a FIFO, a device, ...).

    Read through `read_regular` so a FIFO or a symlink to /dev/zero in the package folder
    never hangs the build. What is not a readable regular file is never a generated file, so
    it is neither removed nor overwritten: at a target path it is reported as kept.
    """
    try:
        return read_regular(path, limit=GENERATED_FILE_LIMIT).decode("utf-8")
    except (OSError, UnicodeDecodeError, UnreadableFileError):
        return None


def _source_tables_used(text: str, source_name: str) -> set[str]:
    pattern = re.compile(
        r"source\(\s*['\"]" + re.escape(source_name) + r"['\"]\s*,\s*['\"]([^'\"]+)['\"]\s*\)"
    )
    return set(pattern.findall(text))


def plan_package(
    package_dir: Path,
    package: DbtPackage,
    *,
    selected_ids: Collection[str],
    existing_ids: Collection[str],
    full_build: bool,
) -> WritePlan:
    """Compare the package with what is on disk. Reads files; writes nothing."""
    selected = set(selected_ids)
    existing = set(existing_ids)
    files = dict(package.files)
    models_dir = package_dir / package.models_dir

    # Stale generated files under models/<source>/.
    removed: list[str] = []
    remaining_sql: list[str] = []
    moved_tables: dict[str, SourceTable] = {}  # tables of a sources file at an old path
    on_disk = sorted(p for p in models_dir.rglob("*") if p.is_file()) if models_dir.is_dir() else []
    for path in on_disk:
        rel = path.relative_to(package_dir).as_posix()
        text = _read(path)
        if rel in files or text is None:
            continue
        if path.suffix not in (".sql", ".yml", ".yaml"):
            continue
        if not is_generated(text):
            if path.suffix == ".sql":
                remaining_sql.append(text)
            continue
        ids = header_schema_ids(text)
        if not ids and path.suffix != ".sql" and "\nsources:" in text:
            # The sources file at its old path (`in_folder` or `sources.prefix` changed): the
            # new one replaces it, with its tables merged, so dbt never sees the source twice.
            moved_tables.update(parse_sources_tables(text))
            removed.append(rel)
            continue
        gone = (
            all(schema_id not in existing or schema_id in selected for schema_id in ids)
            if ids
            else full_build
        )
        if gone:
            removed.append(rel)
        elif path.suffix == ".sql":
            remaining_sql.append(text)

    # Generated macros (the schema-derived tests) this full build no longer needs.
    macros_dir = package_dir / "macros"
    if full_build and macros_dir.is_dir():
        for path in sorted(p for p in macros_dir.rglob("*.sql") if p.is_file()):
            rel = path.relative_to(package_dir).as_posix()
            text = _read(path)
            if rel not in files and text is not None and is_generated(text):
                removed.append(rel)

    # Merge the sources file with the tables still used by models this build did not write.
    sources_abs = package_dir / package.sources_path
    old_sources = _read(sources_abs)
    old_tables = {**moved_tables, **(parse_sources_tables(old_sources) if old_sources else {})}
    tables = dict(package.tables)
    for text in remaining_sql:
        for table in _source_tables_used(text, package.source_name):
            if table not in tables and table in old_tables:
                tables[table] = old_tables[table]
    files[package.sources_path] = sources_yaml(package.source_block, tables)

    return compare_files(package_dir, files, removed)


def compare_files(
    folder: Path, files: Mapping[str, str], removed: Collection[str] = ()
) -> WritePlan:
    """The plan that writes `files` ({path relative to `folder`: text}) and removes
    `removed`: an unchanged file is left alone, and a file without the generated header
    (or not a readable regular file) at a target path is kept, never overwritten."""
    writes: dict[str, str] = {}
    new: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    kept: list[str] = []
    for rel in sorted(files):
        text = files[rel]
        current = _read(folder / rel)
        if current is None and not os.path.lexists(folder / rel):
            new.append(rel)
            writes[rel] = text
        elif current == text:
            unchanged.append(rel)
        elif current is None or not is_generated(current):
            kept.append(rel)
        else:
            changed.append(rel)
            writes[rel] = text
    return WritePlan(
        package_dir=folder,
        writes=writes,
        new=tuple(new),
        changed=tuple(changed),
        unchanged=tuple(unchanged),
        removed=tuple(sorted(removed)),
        kept=tuple(kept),
    )


def read_generated(path: Path) -> str | None:
    """The text of a file Reflekt generated (it starts with the header), else None."""
    text = _read(path)
    return text if text is not None and is_generated(text) else None


def apply_plan(
    plan: WritePlan,
    progress: Callable[[str], None] | None = None,
    *,
    project_root: Path | None = None,
) -> None:
    """Write the new and changed files and remove the stale ones, all or none.

    One transaction (`reflekt.core.transaction`): under the project lock, staged and
    journaled, applied with signals deferred; folders that removals leave empty are removed
    up to the package folder. `project_root` holds the lock and the journal (default: the
    nearest parent of the package folder holding reflekt_project.yml).
    """
    package_dir = plan.package_dir
    writes = {package_dir / rel: text for rel, text in plan.writes.items()}
    removes = [package_dir / rel for rel in plan.removed]
    if not writes and not removes:
        return
    root = project_root if project_root is not None else find_root([package_dir / "x"])
    apply_files(root, writes, removes, prune_within=package_dir)
    if progress:
        for rel in plan.removed:
            progress(rel)
