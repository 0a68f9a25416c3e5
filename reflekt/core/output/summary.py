"""The one-line summary of a pull, a push or a build, for both faces.

Why one: `reflekt pull|push|build` print it last, and the TUI shows the same words in its
notification and result screen, so the two faces never describe one result differently.

`summary_line(result, *, root=None) -> str` for a `PullResult`, `PushResult` or `BuildResult`
(chosen from `LINES`, a table of functions keyed by the result's class name, so importing
this module imports neither the registries nor the build):

- `Pulled: segment/shop: 1 created, 2 updated, 3 unchanged.`
  (`Dry run, nothing written: ...` with `--dry-run`)
- `Pushed: segment/shop: 1 created, 0 updated, 3 unchanged.` (`Dry run, nothing sent: ...`);
  a delete: `Deleted: segment/shop: 2 deleted.`, `Dry run, nothing sent: segment/shop: 2 would
  be deleted.` or `Nothing to delete: none of the selected rules is in segment/shop.`
- `Built 6 model(s) from 5 schema(s) in artifacts/dbt/shop/ (6 new, 0 changed, 0 unchanged,
  0 removed); skipped 1.` (`Would build ...` for a dry run); the folder is relative to `root`
  when given (the project root).
- `Generated typescript (analytics-next) for 27 event(s) from 28 schema(s) in
  artifacts/code/typescript/: 1 new.` (`Would generate ...` for a dry run or a check).
- `Built the docs (html) of 27 event(s) from 29 schema(s) in artifacts/docs/ (33 new, 0 changed,
  0 unchanged, 0 removed).` (`Would build ...` for a dry run; `kept 1` is added when a file
  without the generated header was left alone).

Plain text: names are as the registry gave them; the front end escapes for its display.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def _counts(result: Any) -> str:
    return (
        f"{len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged."
    )


def pull_line(result: Any, root: Path | None = None) -> str:
    head = "Dry run, nothing written" if result.dry_run else "Pulled"
    return f"{head}: {result.registry}/{result.plan}: {_counts(result)}"


def push_line(result: Any, root: Path | None = None) -> str:
    where = f"{result.registry}/{result.plan}"
    if result.delete and not result.deleted:
        return f"Nothing to delete: none of the selected rules is in {where}."
    if result.delete:
        if result.dry_run:
            return f"Dry run, nothing sent: {where}: {len(result.deleted)} would be deleted."
        return f"Deleted: {where}: {len(result.deleted)} deleted."
    head = "Dry run, nothing sent" if result.dry_run else "Pushed"
    return f"{head}: {where}: {_counts(result)}"


def _shown(folder: Path, root: Path | None) -> Path:
    """The folder a build wrote to, relative to the project root when it lies inside."""
    return folder.relative_to(root) if root is not None and folder.is_relative_to(root) else folder


def _file_counts(plan: Any, *, every_kind: bool = True) -> str:
    """`1 new, 0 changed, 3 unchanged, 0 removed` of a WritePlan; without `every_kind`,
    only the kinds that hold files."""
    kinds = (
        ("new", plan.new),
        ("changed", plan.changed),
        ("unchanged", plan.unchanged),
        ("removed", plan.removed),
    )
    return ", ".join(f"{len(paths)} {label}" for label, paths in kinds if every_kind or paths)


def build_line(result: Any, root: Path | None = None) -> str:
    verb = "Would build" if result.dry_run else "Built"
    return (
        f"{verb} {len(result.built)} model(s) from {result.schema_count} schema(s) in "
        f"{_shown(result.package_dir, root)}/ ({_file_counts(result.plan)}); "
        f"skipped {len(result.skipped)}."
    )


def code_line(result: Any, root: Path | None = None) -> str:
    verb = "Would generate" if result.dry_run else "Generated"
    counts = _file_counts(result.plan, every_kind=False)
    options = result.options
    return (
        f"{verb} {options.lang} ({options.sdk}) for {len(result.events)} event(s) from "
        f"{result.schema_count} schema(s) in {_shown(result.out_dir, root)}/: "
        f"{counts or 'no files'}."
    )


def docs_line(result: Any, root: Path | None = None) -> str:
    plan = result.plan
    verb = "Would build" if result.dry_run else "Built"
    kept = f"; kept {len(plan.kept)}" if plan.kept else ""
    return (
        f"{verb} the docs ({result.format}) of {len(result.catalog.events)} event(s) from "
        f"{result.schema_count} schema(s) in {_shown(result.out_dir, root)}/ "
        f"({_file_counts(plan)}){kept}."
    )


LINES: dict[str, Callable[[Any, Path | None], str]] = {
    "PullResult": pull_line,
    "PushResult": push_line,
    "BuildResult": build_line,
    "DocsResult": docs_line,
    "CodeResult": code_line,
}


def summary_line(result: Any, *, root: Path | None = None) -> str:
    """The result's one-line summary (see the module docstring)."""
    line = LINES.get(type(result).__name__)
    if line is None:
        raise TypeError(f"no summary line for a {type(result).__name__}")
    return line(result, root)
