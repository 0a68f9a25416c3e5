"""`build_docs()`: select schemas, make the catalog, render it, plan and apply the writes.

The CLI (`reflekt build docs`) and the TUI's palette entry call this one function. Writing
follows the other builds' rules (`build.writer`): an unchanged file is not rewritten, a file
without the generated header is never touched (reported as kept), the writes are one
transaction inside the project, and a generated page the build no longer makes (an event
removed, or left out of `--select`) is removed.
"""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reflekt.core.artifact_folder import artifact_folder, relative_to_root
from reflekt.core.build.pipeline import load_event_schemas
from reflekt.core.build.writer import WritePlan, apply_plan, compare_files, read_generated
from reflekt.core.collector import collector_paused
from reflekt.core.diff import DiffSettings
from reflekt.core.docs import inputs
from reflekt.core.docs.model import Catalog, catalog
from reflekt.core.docs.render import (
    DOCS_MARK,
    STREAM_SEPARATOR,
    html_files,
    markdown_files,
    markdown_stream,
)
from reflekt.core.errors import ReflektError, SelectError
from reflekt.core.progress import Progress, no_progress
from reflekt.core.project import Project
from reflekt.core.schemas import SchemaDocument

DocsFormat = Literal["html", "markdown"]
FORMATS: tuple[DocsFormat, ...] = ("html", "markdown")
DEFAULT_OUT: dict[str, str] = {"html": "artifacts/docs", "markdown": "artifacts/docs-md"}
_SUFFIXES = {"html": (".html", ".css", ".js"), "markdown": (".md",)}
MAX_STALE_SCAN = 200_000  # files of the output folder looked at for stale pages


@dataclass(frozen=True)
class DocsResult:
    """What a docs build did (or, with dry_run, would do)."""

    out_dir: Path
    format: str
    catalog: Catalog
    plan: WritePlan
    dry_run: bool
    command: str
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def schema_count(self) -> int:
        return self.catalog.schema_count

    @property
    def index_path(self) -> Path:
        return self.out_dir / ("index.html" if self.format == "html" else "index.md")


def out_folder(project: Project, fmt: str, out: str | Path | None) -> Path:
    """`--out`, or the format's default folder (`artifact_folder`: inside the project, not
    the root, outside schemas/, .reflekt_cache/, .git/, .logs/, as `build code` decides)."""
    return artifact_folder(project, out, DEFAULT_OUT[fmt], what="write the docs to", example="docs")


def regenerate_command(
    project: Project, fmt: str, selects: Sequence[str] | None, out_dir: Path, audit: str | None
) -> str:
    """The command line that makes this site (for its footer): selects sorted, `--out`
    relative to the project, so a rebuild gives the same text."""
    parts = ["reflekt", "build", "docs"]
    if fmt != "html":
        parts += ["--format", fmt]
    for select in sorted({select.rstrip("/") for select in selects or ()}):
        parts += ["--select", select]
    relative = relative_to_root(project, out_dir)
    if relative != DEFAULT_OUT[fmt]:
        parts += ["--out", relative]
    if audit:
        parts += ["--with-audit", audit]
    return shlex.join(parts)


@collector_paused()  # (it made millions of objects, all kept: a sixth of a cold build's CPU)
def build_docs(
    project: Project,
    selects: Sequence[str] | None = None,
    *,
    fmt: str = "html",
    out: str | Path | None = None,
    with_audit: str | Path | None = None,
    dry_run: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
) -> DocsResult:
    """Write the event catalog of the selected schemas (and their other versions).

    Errors (all exit 2): SelectError (bad --select), SchemaFileError (an unreadable schema),
    ReflektError (an unknown format, an --out outside the project or in a folder Reflekt
    reads, an --with-audit file that is not an audit report). `jobs` > 1 lints a large cold
    selection, and renders more than 1,000 event pages, in that many forked processes (the
    CLI's choice; the TUI, threaded, keeps 1).
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    report = progress or no_progress
    if fmt not in FORMATS:
        raise ReflektError(f"--format '{fmt}' is not one of {', '.join(FORMATS)}")
    out_dir = out_folder(project, fmt, out)
    audit = inputs.read_audit(with_audit) if with_audit is not None else None
    made = _catalog(project, selects, audit, jobs, report, timings)
    mark = time.perf_counter()
    audit_arg = _audit_arg(project, with_audit) if with_audit is not None else None
    command = regenerate_command(project, fmt, selects, out_dir, audit_arg)
    renderer = html_files if fmt == "html" else markdown_files
    produced = renderer(made, command, lambda rel: read_generated(out_dir / rel), jobs)
    report(PHASES["write"][0], 100, f"rendered {len(produced)} file(s)")
    timings["render"] = time.perf_counter() - mark

    mark = time.perf_counter()
    plan = compare_files(out_dir, produced, stale_pages(out_dir, produced, fmt))
    if not dry_run:
        apply_plan(plan, project_root=project.root)
    report(100, 100, "dry run: nothing written" if dry_run else "files written")
    timings["write"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return DocsResult(out_dir, fmt, made, plan, dry_run, command, timings)


def _catalog(
    project: Project,
    selects: Sequence[str] | None,
    audit: inputs.AuditData | None,
    jobs: int,
    report: Progress,
    timings: dict[str, float],
) -> Catalog:
    """The catalog of the selected schemas: read, linted, with the dbt models (and audit)."""
    started = time.perf_counter()
    documents: dict[str, SchemaDocument] = {}
    loaded = load_event_schemas(project, selects, _phase(report, "read"), documents=documents)
    ids = sorted({schema.schema_id for schema in loaded.versions})
    timings["load"] = time.perf_counter() - started

    mark = time.perf_counter()
    files = inputs.schema_files(documents)
    report(PHASES["lint"][0], 100, f"linting {len(ids)} schema(s)")
    lint = inputs.lint_lines(project, ids, jobs)
    report(PHASES["render"][0], 100, f"linted {len(ids)} schema(s); rendering the pages")
    models = inputs.dbt_models(project)
    timings["inputs"] = time.perf_counter() - mark

    mark = time.perf_counter()
    made = catalog(
        project.name,
        files,
        settings=DiffSettings.of(project),
        lint=lint,
        models=models,
        audit=audit,
    )
    timings["catalog"] = time.perf_counter() - mark
    return made


@dataclass(frozen=True)
class PageStream:
    """The selected events' Markdown pages as one document, each part rendered when the
    iteration reaches it (`render.markdown_stream`: one event's page alone; for more, a
    contents list first, every link an anchor of the document)."""

    catalog: Catalog
    command: str

    @property
    def count(self) -> int:
        return len(self.catalog.events)

    def parts(self) -> Iterator[tuple[str, str]]:
        """(label, text) of each part of the document, in order: `contents` when there is
        more than one page, then each page by its path under the Markdown folder (the
        catalog's sorted order). The document is their texts joined by STREAM_SEPARATOR."""
        return markdown_stream(self.catalog, self.command)

    def chunks(self) -> Iterator[tuple[str, str]]:
        """(label, text to write): the parts with STREAM_SEPARATOR before each but the
        first, so writing the texts one after another writes the document."""
        for index, (label, text) in enumerate(self.parts()):
            yield label, (STREAM_SEPARATOR + text if index else text)


@collector_paused()
def markdown_pages(
    project: Project,
    selects: Sequence[str] | None = None,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
) -> PageStream:
    """The Markdown pages of the selected events as one document, to print (`reflekt
    report`): nothing is written or read from the output folder. The schemas are read and
    linted here; the parts render one at a time as `PageStream.parts()` is iterated.

    Errors (exit 2): SelectError (a bad --select), SchemaFileError (an unreadable schema),
    ReflektError when the selection holds no event schema.
    """
    report = progress or no_progress
    made = _catalog(project, selects, None, jobs, report, {})
    report(100, 100, f"{len(made.events)} event page(s) to print")
    if not made.events:
        shown = ", ".join(selects) if selects else "schemas/"
        raise SelectError(
            f"no event schema in {shown}: there is no page to print",
            hint="`reflekt lint` lists the project's schemas; select a plan, an event "
            "folder or a schema file under schemas/",
        )
    out_dir = out_folder(project, "markdown", None)
    command = regenerate_command(project, "markdown", selects, out_dir, None)
    return PageStream(made, command)


# Progress is out of 100, each phase its share of a cold build's time (5,000 events: reading
# 25 %, linting 35 %, rendering 30 %, writing 10 %), so the bar moves at about one pace.
PHASES = {"read": (0, 25), "lint": (25, 60), "render": (60, 90), "write": (90, 100)}


def _phase(report: Progress, name: str) -> Progress:
    """`report` for one phase: its (done, total) mapped onto the phase's share of 100."""
    start, end = PHASES[name]

    def scaled(done: int, total: int | None, message: str) -> None:
        share = (end - start) * done // total if total else 0
        report(start + share, 100, message)

    return scaled


def _audit_arg(project: Project, path: str | Path) -> str:
    """The audit report as the footer names it: relative to the project when inside."""
    absolute = Path(os.path.abspath(path))
    root = Path(os.path.abspath(project.root))
    return absolute.relative_to(root).as_posix() if absolute.is_relative_to(root) else str(path)


def _is_docs_page(path: Path) -> bool:
    """A file this build generated: its first line is the docs header (not another
    build's, so an `--out` that holds a dbt package never removes its files)."""
    text = read_generated(path)
    return text is not None and DOCS_MARK in text.split("\n", 1)[0]


def stale_pages(out_dir: Path, produced: dict[str, str], fmt: str) -> list[str]:
    """Generated files of this format in `out_dir` that the build no longer makes (a file
    without the header is never listed: it is the user's)."""
    if not out_dir.is_dir():
        return []
    suffixes = _SUFFIXES[fmt]
    stale: list[str] = []
    seen = 0
    for folder, dirs, names in os.walk(out_dir):
        dirs.sort()
        for name in sorted(names):
            seen += 1
            if seen > MAX_STALE_SCAN:
                return stale
            if not name.endswith(suffixes):
                continue
            rel = Path(folder, name).relative_to(out_dir).as_posix()
            if rel not in produced and _is_docs_page(Path(folder, name)):
                stale.append(rel)
    return stale
