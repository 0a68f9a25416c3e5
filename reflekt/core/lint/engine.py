"""Run the lint rules over schema files and gather a LintReport. Pure: no printing.

Per-schema rules run on each file; per-event rules run once per event folder with every
version of it. Severities come from each rule's default, overridden by `lint: rules:` in
reflekt_project.yml (by code or name; "off" skips the rule).
"""

from __future__ import annotations

import logging
import os
import stat as stat_mode
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

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
from reflekt.core.lint.cache import (
    RACY_NS,
    EventEntry,
    FileEntry,
    LintIndex,
    Stat,
    cache_disabled,
    content_hash,
    finding_row,
    fingerprint,
    load_index,
    new_file_entry,
    save_index,
)
from reflekt.core.lint.findings import Finding, LintReport, Severity, SeveritySetting, sort_key
from reflekt.core.lint.locate import Locator
from reflekt.core.lint.rules import load_rules
from reflekt.core.progress import Progress
from reflekt.core.project import Project, validate_rule_names
from reflekt.core.readfile import max_schema_bytes, read_regular
from reflekt.core.schemas import (
    ParseProblem,
    SchemaDocument,
    SchemaId,
    Version,
    list_schema_files,
    printable,
    read_schema,
    relative_id,
    schema_from_bytes,
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


def _read(path: Path, schemas_dir: Path, raw: bytes | None = None) -> SchemaDocument:
    """`read_schema` (or parse `raw`, already read), and a document with the problem should
    reading itself ever fail."""
    try:
        if raw is not None:
            return schema_from_bytes(path, relative_id(path, schemas_dir), raw)
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
        self.crashes = 0  # a crash's finding depends on the selection: not cached
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
        self.crashes += 1
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


class _Member(Protocol):
    """A version file as the event rules group it: a SchemaDocument, or a cache state."""

    @property
    def path(self) -> Path: ...

    @property
    def schema_id(self) -> SchemaId: ...


_M = TypeVar("_M", bound=_Member)


def _events(
    members: Iterable[_M], read: Callable[[Path], _M], *, siblings: bool = True
) -> Iterator[tuple[str, list[_M], set[str]]]:
    """(event key, every version of it in version order, the selected ids) per event.

    Event rules compare each version with the previous one, so an event's versions that
    were not selected are read too (`read`), unless `siblings` is False (a whole-project
    run has them all already).
    """
    by_event: dict[str, dict[str, _M]] = {}
    folders: dict[str, Path] = {}
    for member in members:
        key = member.schema_id.event_key
        by_event.setdefault(key, {})[member.schema_id.path] = member
        folders[key] = member.path.parent
    for key, chosen in by_event.items():
        versions = dict(chosen)
        folder = folders[key]
        try:
            names = os.listdir(folder) if siblings else []
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
            (version, member)
            for member in versions.values()
            if (version := member.schema_id.version) is not None
        ]
        ordered = [member for _, member in sorted(versioned, key=lambda pair: pair[0])]
        if ordered:
            yield key, ordered, set(chosen)


def _lint_events(
    linter: _Linter,
    documents: list[SchemaDocument],
    read_sibling: Callable[[Path], SchemaDocument] | None = None,
) -> None:
    schemas_dir = linter.project.schemas_dir
    read = read_sibling or (lambda path: _read(path, schemas_dir))
    for key, ordered, selected in _events(documents, read):
        linter.lint_event(key, ordered, selected)


# Below this many files a second process costs more than it saves.
PARALLEL_THRESHOLD = 2000
# Work is split into this many chunks (whole event folders each): enough for a smooth
# progress bar and for balancing the workers, few enough that the overhead is nil.
_CHUNKS = 100
_fork_linter: _Linter | None = None
_fork_cache: _CacheRun | None = None


@dataclass
class _ChunkResult:
    """A chunk's findings, and the cache entries it made (merged and saved by the parent)."""

    findings: list[Finding]
    count: int
    files: dict[str, FileEntry] = field(default_factory=dict)
    events: dict[str, EventEntry] = field(default_factory=dict)


def lint_project(
    project: Project,
    paths: list[Path] | None = None,
    progress: Progress | None = None,
    *,
    jobs: int = 1,
    cache: bool = False,
    whole_project: bool | None = None,
    on_findings: Callable[[list[Finding]], object] | None = None,
) -> LintReport:
    """Lint the given schema files (from `resolve_select`), or every schema of the project.

    `jobs` > 1 lints large selections in that many forked processes (POSIX only; the
    result is the same). With `cache` (and no `REFLEKT_NO_CACHE`), unchanged files and
    events take their findings from `.reflekt_cache/lint/` (`core/lint/cache.py`; the
    result is the same); `whole_project` (default: `paths` is None) drops the entries of
    files that are gone. `on_findings` gets each chunk's findings as it is done (the TUI
    streams them into its panel). Raises ConfigError (exit 2) for unknown rule names in the config
    or a missing or broken meta-schema; everything wrong in a schema file is a Finding.
    """
    limit = max_schema_bytes()  # a bad REFLEKT_MAX_SCHEMA_BYTES is a ConfigError first
    if whole_project is None:
        whole_project = paths is None
    if paths is None:
        paths = list_schema_files(project.schemas_dir)
    linter = _Linter(project)
    cache_run = None
    if cache and not cache_disabled():
        cache_run = _open_cache(linter, limit, whole_project)
    total = len(paths)
    files = [_relative(path, project.root) for path in paths]
    chunks = _chunks(paths, _CHUNKS)
    done = 0
    findings: list[Finding] = []
    new_files: dict[str, FileEntry] = {}
    new_events: dict[str, EventEntry] = {}
    results = None
    if (
        jobs > 1
        and total >= PARALLEL_THRESHOLD
        and len(chunks) > 1
        and (cache_run is None or _changed_count(paths, cache_run, project) >= PARALLEL_THRESHOLD)
    ):
        results = _run_forked(linter, chunks, jobs, cache_run)
    if results is None:
        results = (_lint_chunk_safely(linter, chunk, cache_run) for chunk in chunks)
    for result in results:
        findings.extend(result.findings)
        new_files.update(result.files)
        new_events.update(result.events)
        done += result.count
        if on_findings is not None and result.findings:
            on_findings(result.findings)
        if progress is not None:
            progress(done, total, "linting schemas")
    findings.sort(key=sort_key)
    if cache_run is not None:
        keep_events = None
        if whole_project:
            schemas_dir = project.schemas_dir
            keep_events = {relative_id(path, schemas_dir).event_key for path in paths}
        save_index(
            cache_run.index,
            new_files,
            new_events,
            keep_files=set(files) if whole_project else None,
            keep_events=keep_events,
        )
    return LintReport(findings=findings, schemas=total, files=files)


@dataclass(frozen=True)
class _CacheRun:
    index: LintIndex
    racy_cutoff: int  # files changed at or after this time (ns) are hashed next time too
    limit: int  # REFLEKT_MAX_SCHEMA_BYTES: larger files are linted (as a problem) uncached
    # Every schema file is linted, so every version of an event is in its chunk: no need
    # to list the event folders for versions outside the selection.
    whole: bool
    root: Path  # the project's root and schemas/, made once (a Path costs microseconds)
    schemas_dir: Path
    stats: dict[Path, os.stat_result] = field(default_factory=dict)  # taken by _changed_count


def _changed_count(paths: list[Path], run: _CacheRun, project: Project) -> int:
    """About how many files the index cannot answer from their stat alone (it decides
    whether forking workers pays; nothing is read)."""
    root, files, stats = run.root, run.index.files, run.stats
    changed = 0
    for path in paths:
        entry = files.get(_relative_raw(path, root))
        try:
            st = stats[path] = os.stat(path)
        except OSError:
            changed += 1
            continue
        now = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        if not isinstance(entry, list) or len(entry) != 7 or entry[5] != 0 or entry[:4] != now:
            changed += 1
    return changed


def _open_cache(linter: _Linter, limit: int, whole: bool) -> _CacheRun | None:
    rules = [(active.rule.code, active.severity) for active in linter.rules]
    try:
        print_ = fingerprint(linter.project, rules, limit)
    except Exception:  # only a cache: never a reason for lint to fail
        log.debug("no lint cache: cannot compute its fingerprint", exc_info=True)
        return None
    if print_ is None:
        return None
    index = load_index(linter.project, print_)
    project = linter.project
    cutoff = time.time_ns() - RACY_NS
    return _CacheRun(index, cutoff, limit, whole, project.root, project.schemas_dir)


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


def _lint_chunk_safely(
    linter: _Linter, paths: list[Path], cache_run: _CacheRun | None = None
) -> _ChunkResult:
    try:
        if cache_run is not None:
            return _lint_chunk_cached(linter, paths, cache_run)
        return _lint_chunk_with(linter, paths)
    except Exception as exc:
        log.exception("lint failed on a chunk of %d files", len(paths))
        return _ChunkResult(_chunk_failed(linter, paths, exc), len(paths))


def _lint_chunk_with(linter: _Linter, paths: list[Path]) -> _ChunkResult:
    """Read and lint some files (whole event folders); return their findings."""
    linter.findings = []
    schemas_dir = linter.project.schemas_dir
    documents = [_read(path, schemas_dir) for path in paths]
    for doc in documents:
        linter.lint_schema(doc)
    if linter.event_rules:
        _lint_events(linter, documents)
    found, linter.findings = linter.findings, []
    return _ChunkResult(found, len(paths))


def _lint_chunk_forked(paths: list[Path]) -> _ChunkResult:
    """In a worker: lint a chunk; an unexpected failure comes back as findings, not a crash.

    (An exception here would be re-raised in the parent by the pool and stop the run.)
    """
    assert _fork_linter is not None
    return _lint_chunk_safely(_fork_linter, paths, _fork_cache)


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


def _worker_start() -> None:
    """A worker dies quietly on the SIGTERM the pool sends when done (the parent's handler,
    inherited by fork, would print a `Terminated` traceback per idle worker)."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_forked(
    linter: _Linter, chunks: list[list[Path]], jobs: int, cache_run: _CacheRun | None = None
):
    """Lint chunks in forked workers that inherit the compiled linter (and the loaded cache
    index); None if unavailable."""
    import multiprocessing

    global _fork_linter, _fork_cache
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return None
    _fork_linter, _fork_cache = linter, cache_run

    def results():
        global _fork_linter, _fork_cache
        try:
            with context.Pool(min(jobs, len(chunks)), initializer=_worker_start) as pool:
                yield from pool.imap_unordered(_lint_chunk_forked, chunks)
        finally:
            _fork_linter = _fork_cache = None

    return results()


@dataclass
class _Known:
    """A cacheable file this run: its key and hash, and either cached findings or its doc."""

    path: Path
    rel: str
    schema_id: SchemaId
    stat: Stat
    digest: str
    findings: list[Finding] | None  # from the index (the file is unchanged)
    doc: SchemaDocument | None  # read and parsed (the file changed, or was needed)
    restat: bool  # the index holds other stat values for it: write the new ones


def _known(path: Path, run: _CacheRun, project: Project) -> _Known | None:
    """The file's cache state; None when it is not cacheable (odd name, not a regular file,
    over the size cap, unreadable): then it is linted the usual way."""
    rel = _relative_raw(path, run.root)
    schema_id = relative_id(path, run.schemas_dir)
    if printable(rel) != rel or printable(schema_id.path) != schema_id.path:
        return None
    try:
        st = run.stats.pop(path, None) or os.stat(path)
    except OSError:
        return None
    if not stat_mode.S_ISREG(st.st_mode) or st.st_size > run.limit:
        return None
    stat = Stat.of(st)
    hit = run.index.trusted(rel, stat)
    if hit is not None:
        return _Known(path, rel, schema_id, stat, hit[0], hit[1], None, False)
    try:
        raw = read_regular(path, run.limit)
    except Exception:  # OSError, UnreadableFileError: the usual read says why
        return None
    digest = content_hash(raw)
    cached = run.index.by_hash(rel, digest)
    if cached is not None:
        return _Known(path, rel, schema_id, stat, digest, cached, None, True)
    doc = _read(path, run.schemas_dir, raw)
    return _Known(path, rel, schema_id, stat, digest, None, doc, True)


def _lint_chunk_cached(linter: _Linter, paths: list[Path], run: _CacheRun) -> _ChunkResult:
    """`_lint_chunk_with`, taking unchanged files' and events' findings from the index."""
    linter.findings = []
    project = linter.project
    result = _ChunkResult([], len(paths))
    members: list[_Known | SchemaDocument] = []
    for path in paths:
        known = _known(path, run, project)
        if known is None:
            doc = _read(path, run.schemas_dir)
            linter.lint_schema(doc)
            members.append(doc)
            continue
        members.append(known)
        if known.findings is not None:
            linter.findings.extend(known.findings)
            if known.restat:
                result.files[known.rel] = new_file_entry(
                    known.stat, known.digest, known.findings, run.racy_cutoff
                )
            continue
        assert known.doc is not None
        before, crashes = len(linter.findings), linter.crashes
        linter.lint_schema(known.doc)
        if linter.crashes == crashes:
            own = linter.findings[before:]
            result.files[known.rel] = new_file_entry(known.stat, known.digest, own, run.racy_cutoff)
    if linter.event_rules:
        _lint_events_cached(linter, members, run, result)
    result.findings, linter.findings = linter.findings, []
    return result


def _lint_events_cached(
    linter: _Linter, members: list[_Known | SchemaDocument], run: _CacheRun, result: _ChunkResult
) -> None:
    """`_lint_events` over cache states: an event whose versions (ids and hashes, in order)
    are those cached takes the cached findings; any other runs the event rules."""
    project = linter.project

    def read(sibling: Path) -> _Known | SchemaDocument:
        return _known(sibling, run, project) or _read(sibling, run.schemas_dir)

    for key, ordered, selected in _events(members, read, siblings=not run.whole):
        _lint_event_cached(linter, key, ordered, selected, run, result)


def _lint_event_cached(
    linter: _Linter,
    key: str,
    ordered: list[_Known | SchemaDocument],
    selected: set[str],
    run: _CacheRun,
    result: _ChunkResult,
) -> None:
    schemas_dir = linter.project.schemas_dir
    cacheable = all(isinstance(member, _Known) for member in ordered)
    signature = [
        [member.schema_id.path, member.digest] for member in ordered if isinstance(member, _Known)
    ]
    if cacheable:
        cached = run.index.event(key, signature)
        if cached is not None:
            linter.findings.extend(f for f in cached if f.schema_id in selected)
            return
    docs = [
        member
        if isinstance(member, SchemaDocument)
        else member.doc or _read(member.path, schemas_dir)
        for member in ordered
    ]
    if not cacheable:
        linter.lint_event(key, docs, selected)
        return
    # Run for every version, keep what the selection asks for: the entry serves any selection.
    before, crashes = len(linter.findings), linter.crashes
    linter.lint_event(key, docs, {doc.schema_id.path for doc in docs})
    produced = linter.findings[before:]
    del linter.findings[before:]
    if linter.crashes != crashes:  # where a crash is reported depends on the selection
        linter.lint_event(key, docs, selected)
        return
    result.events[key] = [signature, [finding_row(finding) for finding in produced]]
    linter.findings.extend(f for f in produced if f.schema_id in selected)
