"""Run the lint rules over schema files and gather a LintReport. Pure: no printing.

Per-schema rules run on each file; per-event rules run once per event folder with every
version of it. Severities come from each rule's default, overridden by `lint: rules:` in
reflekt_project.yml (by code or name; "off" skips the rule).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from reflekt.core.errors import ConfigError
from reflekt.core.lint.base import (
    SCOPE_EVENT,
    SCOPE_SCHEMA,
    EventContext,
    Issue,
    Rule,
    SchemaContext,
    registered_rules,
)
from reflekt.core.lint.findings import Finding, LintReport, Severity, SeveritySetting, sort_key
from reflekt.core.lint.locate import Locator
from reflekt.core.lint.rules import load_rules
from reflekt.core.progress import Progress
from reflekt.core.project import Project, validate_rule_names
from reflekt.core.readfile import max_schema_bytes
from reflekt.core.schemas import (
    ParseProblem,
    SchemaDocument,
    SchemaId,
    Version,
    list_schema_files,
    printable,
    read_schema,
    relative_id,
)

log = logging.getLogger("reflekt.lint")


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by code."""
    load_rules()
    return sorted(registered_rules().values(), key=lambda rule: rule.code)


def rule_names() -> dict[str, str]:
    """Codes and names of every rule, each mapped to the rule's code."""
    known: dict[str, str] = {}
    for rule in all_rules():
        known[rule.code] = rule.code
        known[rule.name] = rule.code
    return known


@dataclass(frozen=True)
class ActiveRule:
    rule: Rule
    severity: Severity


@dataclass(frozen=True)
class RuleSetting:
    """A rule with the severity it runs at in a project (`off` when switched off)."""

    rule: Rule
    severity: SeveritySetting
    overridden: bool  # `lint.rules` in reflekt_project.yml changed the default

    @property
    def default(self) -> Severity:
        return self.rule.severity


# What `lint: rules:` values mean (reflekt_project.yml is validated against these names).
_SETTINGS: dict[str, SeveritySetting] = {"error": "error", "warning": "warning", "off": "off"}


def rule_settings(project: Project | None = None) -> tuple[list[RuleSetting], list[str]]:
    """Every rule with its effective severity in `project` (defaults when None).

    Also returns the names in the project's `lint.rules` that match no rule, so that
    `reflekt lint --list-rules` can still list the rules and point at the typo.
    """
    known = rule_names()
    configured: dict[str, SeveritySetting] = {}
    unknown: list[str] = []
    for key, value in (project.lint_rules if project is not None else {}).items():
        if key in known:
            configured[known[key]] = _SETTINGS[value]
        else:
            unknown.append(key)
    settings: list[RuleSetting] = []
    for rule in all_rules():
        severity = configured.get(rule.code, rule.severity)
        settings.append(RuleSetting(rule, severity, severity != rule.severity))
    return settings, unknown


def active_rules(project: Project) -> list[ActiveRule]:
    """The rules to run with their effective severity.

    ConfigError (exit 2) for an unknown name in `lint.rules`, or for one rule given twice
    (by code and by name) with different severities: which one wins would be a guess.
    """
    known = rule_names()
    validate_rule_names(project, known)
    seen: dict[str, tuple[str, str]] = {}
    for key, value in project.lint_rules.items():
        code = known[key]
        if code in seen and seen[code][1] != value:
            other, other_value = seen[code]
            raise ConfigError(
                f"lint.rules: {other}: {other_value} and {key}: {value} set the same rule "
                f"({code}) twice",
                file=project.config_path,
                hint="keep one of them",
            )
        seen[code] = (key, value)
    settings, _ = rule_settings(project)
    return [ActiveRule(s.rule, s.severity) for s in settings if s.severity != "off"]


def _relative(path: Path, root: Path) -> str:
    """The path relative to the project root, printable (a non-UTF-8 name shows as `\\xff`)."""
    return printable(_relative_raw(path, root))


def _relative_raw(path: Path, root: Path) -> str:
    text, prefix = str(path), str(root) + os.sep
    if text.startswith(prefix) and ".." not in path.parts:
        return text[len(prefix) :].replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except (ValueError, OSError):
            return path.as_posix()


def _read(path: Path, schemas_dir: Path) -> SchemaDocument:
    """`read_schema`, and a document with the problem should reading itself ever fail."""
    try:
        return read_schema(path, schemas_dir)
    except Exception as exc:  # a bug, or RecursionError/MemoryError on hostile input
        log.exception("reading %s failed", printable(str(path)))
        problem = ParseProblem(f"cannot read file ({type(exc).__name__}: {exc})", 1, 1)
        schema_id = relative_id(path, schemas_dir)
        return SchemaDocument(path, SchemaId(printable(schema_id.path)), "", None, [problem])


class _Linter:
    """One run: the active rules, the compiled meta-schemas, and the findings so far."""

    def __init__(self, project: Project) -> None:
        from reflekt.core.lint.meta import MetaChecks

        self.project = project
        self.rules = active_rules(project)
        codes = {active.rule.code for active in self.rules}
        self.meta = MetaChecks(
            project.meta_schema_path, need_draft7="RF102" in codes, need_meta="RF103" in codes
        )
        self.schema_rules = [a for a in self.rules if a.rule.scope == SCOPE_SCHEMA]
        self.event_rules = [a for a in self.rules if a.rule.scope == SCOPE_EVENT]
        self.findings: list[Finding] = []
        self._files: dict[Path, str] = {}

    def file_of(self, doc: SchemaDocument) -> str:
        """The file's path relative to the project root (cached: asked several times)."""
        file = self._files.get(doc.path)
        if file is None:
            file = self._files[doc.path] = _relative(doc.path, self.project.root)
        return file

    def lint_schema(self, doc: SchemaDocument) -> None:
        ctx = SchemaContext(self.project, doc, self.file_of(doc), self.meta)
        has_body = isinstance(doc.body, dict)
        for active in self.schema_rules:
            if active.rule.needs_body and not has_body:
                continue
            self._collect(active, ctx.file, doc, active.rule.check, ctx)

    def lint_event(self, event_key: str, docs: list[SchemaDocument], selected: set[str]) -> None:
        ctx = EventContext(self.project, event_key, docs, frozenset(selected))
        locators: dict[str, Locator] = {}
        for active in self.event_rules:
            try:
                issues = list(active.rule.check(ctx))
            except Exception as exc:
                target = next((d for d in reversed(docs) if d.schema_id.path in selected), docs[-1])
                self._crashed(active, target, self.file_of(target), exc)
                continue
            for issue in issues:
                doc = issue.document or docs[-1]
                if doc.schema_id.path not in selected:
                    continue
                locator = locators.setdefault(doc.schema_id.path, Locator(doc.text))
                self.findings.append(self._finding(active, self.file_of(doc), doc, issue, locator))

    def _collect(
        self,
        active: ActiveRule,
        file: str,
        doc: SchemaDocument,
        check: Callable[[SchemaContext], Iterable[Issue]],
        ctx: SchemaContext,
    ) -> None:
        try:
            for issue in check(ctx):
                self.findings.append(self._finding(active, file, doc, issue, ctx.locator))
        except Exception as exc:
            self._crashed(active, doc, file, exc)

    def _crashed(self, active: ActiveRule, doc: SchemaDocument, file: str, exc: Exception) -> None:
        log.exception("lint rule %s crashed on %s", active.rule.code, file)
        self.findings.append(
            Finding(
                schema_id=doc.schema_id.path,
                file=file,
                line=None,
                column=None,
                rule=active.rule.code,
                rule_name=active.rule.name,
                severity=active.severity,
                message=printable(
                    f"the rule could not check this file ({type(exc).__name__}: {exc})"
                ),
            )
        )

    @staticmethod
    def _finding(
        active: ActiveRule, file: str, doc: SchemaDocument, issue: Issue, locator: Locator
    ) -> Finding:
        line, column = issue.line, issue.column
        if line is None:
            line, column = locator.position(issue.at)
        return Finding(
            schema_id=doc.schema_id.path,
            file=file,
            line=line,
            column=column,
            rule=active.rule.code,
            rule_name=active.rule.name,
            severity=active.severity,
            message=printable(issue.message),  # every output format can carry it
            property=printable(issue.property) if issue.property else issue.property,
            suggestion=printable(issue.suggestion) if issue.suggestion else issue.suggestion,
            path=tuple(issue.at),
        )


def lint_documents(
    project: Project,
    documents: list[SchemaDocument],
    *,
    read_sibling: Callable[[Path], SchemaDocument] | None = None,
    progress: Progress | None = None,
) -> LintReport:
    """Lint documents already read (e.g. an unsaved buffer in the TUI).

    Per-event rules see every version in the folders of these documents; versions not among
    `documents` are read from disk (with `read_sibling`, default `read_schema`).
    """
    linter = _Linter(project)
    total = len(documents)
    step = max(1, total // 100)
    for index, doc in enumerate(documents, start=1):
        linter.lint_schema(doc)
        if progress is not None and (index % step == 0 or index == total):
            progress(index, total, "linting schemas")
    if linter.event_rules:
        _lint_events(linter, documents, read_sibling)
    findings = sorted(linter.findings, key=sort_key)
    files = [linter.file_of(doc) for doc in documents]
    return LintReport(findings=findings, schemas=len(documents), files=files)


def _lint_events(
    linter: _Linter,
    documents: list[SchemaDocument],
    read_sibling: Callable[[Path], SchemaDocument] | None = None,
) -> None:
    schemas_dir = linter.project.schemas_dir
    read = read_sibling or (lambda path: _read(path, schemas_dir))
    by_event: dict[str, dict[str, SchemaDocument]] = {}
    folders: dict[str, Path] = {}
    for doc in documents:
        key = doc.schema_id.event_key
        by_event.setdefault(key, {})[doc.schema_id.path] = doc
        folders[key] = doc.path.parent
    for key, docs in by_event.items():
        selected = set(docs)
        versions = dict(docs)
        folder = folders[key]
        try:
            names = os.listdir(folder)
        except OSError:
            names = []
        for name in names:
            if not name.endswith(".json"):
                continue
            sibling_id = f"{key}/{name}" if key else name
            if sibling_id in versions or Version.try_parse(name) is None:
                continue
            versions[sibling_id] = read(folder / name)
        versioned = [
            (version, doc)
            for doc in versions.values()
            if (version := doc.schema_id.version) is not None
        ]
        ordered = [doc for _, doc in sorted(versioned, key=lambda pair: pair[0])]
        if ordered:
            linter.lint_event(key, ordered, selected)


# Below this many files a second process costs more than it saves.
PARALLEL_THRESHOLD = 2000
# Work is split into this many chunks (whole event folders each): enough for a smooth
# progress bar and for balancing the workers, few enough that the overhead is nil.
_CHUNKS = 100
_fork_linter: _Linter | None = None


def lint_project(
    project: Project,
    paths: list[Path] | None = None,
    progress: Progress | None = None,
    *,
    jobs: int = 1,
) -> LintReport:
    """Lint the given schema files (from `resolve_select`), or every schema of the project.

    `jobs` > 1 lints large selections in that many forked processes (POSIX only; the
    result is the same). Raises ConfigError (exit 2) for unknown rule names in the config
    or a missing or broken meta-schema; everything wrong in a schema file is a Finding.
    """
    max_schema_bytes()  # a bad REFLEKT_MAX_SCHEMA_BYTES is a ConfigError before any work
    if paths is None:
        paths = list_schema_files(project.schemas_dir)
    linter = _Linter(project)
    total = len(paths)
    files = [_relative(path, project.root) for path in paths]
    chunks = _chunks(paths, _CHUNKS)
    done = 0
    findings: list[Finding] = []
    results = None
    if jobs > 1 and total >= PARALLEL_THRESHOLD and len(chunks) > 1:
        results = _run_forked(linter, chunks, jobs)
    if results is None:
        results = (_lint_chunk_safely(linter, chunk) for chunk in chunks)
    for chunk_findings, count in results:
        findings.extend(chunk_findings)
        done += count
        if progress is not None:
            progress(done, total, "linting schemas")
    findings.sort(key=sort_key)
    return LintReport(findings=findings, schemas=total, files=files)


def _chunks(paths: list[Path], wanted: int) -> list[list[Path]]:
    """Split into about `wanted` chunks, never splitting an event folder between chunks."""
    if not paths:
        return []
    size = max(1, -(-len(paths) // wanted))
    chunks: list[list[Path]] = [[]]
    for path in paths:
        current = chunks[-1]
        if len(current) >= size and current[-1].parent != path.parent:
            chunks.append([])
        chunks[-1].append(path)
    return chunks


def _lint_chunk_safely(linter: _Linter, paths: list[Path]) -> tuple[list[Finding], int]:
    try:
        return _lint_chunk_with(linter, paths)
    except Exception as exc:
        log.exception("lint failed on a chunk of %d files", len(paths))
        return _chunk_failed(linter, paths, exc), len(paths)


def _lint_chunk_with(linter: _Linter, paths: list[Path]) -> tuple[list[Finding], int]:
    """Read and lint some files (whole event folders); return their findings."""
    linter.findings = []
    schemas_dir = linter.project.schemas_dir
    documents = [_read(path, schemas_dir) for path in paths]
    for doc in documents:
        linter.lint_schema(doc)
    if linter.event_rules:
        _lint_events(linter, documents)
    found, linter.findings = linter.findings, []
    return found, len(paths)


def _lint_chunk_forked(paths: list[Path]) -> tuple[list[Finding], int]:
    """In a worker: lint a chunk; an unexpected failure comes back as findings, not a crash.

    (An exception here would be re-raised in the parent by the pool and stop the run.)
    """
    assert _fork_linter is not None
    try:
        return _lint_chunk_with(_fork_linter, paths)
    except Exception as exc:
        log.exception("lint worker failed on a chunk of %d files", len(paths))
        return _chunk_failed(_fork_linter, paths, exc), len(paths)


def _chunk_failed(linter: _Linter, paths: list[Path], exc: Exception) -> list[Finding]:
    """One RF101 finding per file of a chunk that could not be linted."""
    root, schemas_dir = linter.project.root, linter.project.schemas_dir
    severity: Severity = next((a.severity for a in linter.rules if a.rule.code == "RF101"), "error")
    return [
        Finding(
            schema_id=printable(relative_id(path, schemas_dir).path),
            file=_relative(path, root),
            line=None,
            column=None,
            rule="RF101",
            rule_name="json-syntax",
            severity=severity,
            message=f"could not lint this file ({type(exc).__name__}: {exc})",
        )
        for path in paths
    ]


def _run_forked(linter: _Linter, chunks: list[list[Path]], jobs: int):
    """Lint chunks in forked workers that inherit the compiled linter; None if unavailable."""
    import multiprocessing

    global _fork_linter
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return None
    _fork_linter = linter

    def results():
        global _fork_linter
        try:
            with context.Pool(min(jobs, len(chunks))) as pool:
                yield from pool.imap_unordered(_lint_chunk_forked, chunks)
        finally:
            _fork_linter = None

    return results()
