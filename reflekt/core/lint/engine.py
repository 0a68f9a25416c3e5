"""Run the lint rules over schema files and gather a LintReport. Pure: no printing.

Per-schema rules run on each file; per-event rules run once per event folder with every
version of it. Severities come from each rule's default, overridden by `lint: rules:` in
reflekt_project.yml (by code or name; "off" skips the rule).
"""

from __future__ import annotations

import functools
import logging
import os
import stat as stat_mode
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from reflekt.core.cache_switch import cache_disabled
from reflekt.core.collector import collector_paused
from reflekt.core.errors import ConfigError
from reflekt.core.fsutil import racy_cutoff
from reflekt.core.lint.base import (
    SCOPE_EVENT,
    SCOPE_PROJECT,
    SCOPE_SCHEMA,
    EventContext,
    Issue,
    Rule,
    SchemaContext,
    registered_rules,
)
from reflekt.core.lint.cache import (
    EventEntry,
    FileEntry,
    LintIndex,
    StoredEntry,
    cacheable_key,
    content_hash,
    event_signature,
    fingerprint,
    folder_entry,
    folder_key,
    folder_listing,
    load_index,
    new_event_entry,
    new_file_entry,
    save_index,
    stat_key,
    stored_entries,
)
from reflekt.core.lint.findings import (
    Finding,
    LintReport,
    Severity,
    SeveritySetting,
    finding_fields,
    sort_key,
)
from reflekt.core.lint.ignore import LintIgnores
from reflekt.core.lint.locate import Locator
from reflekt.core.lint.rules import load_rules
from reflekt.core.progress import Progress
from reflekt.core.project import Project, validate_rule_names
from reflekt.core.readfile import max_schema_bytes, read_regular
from reflekt.core.refs import reads_shared
from reflekt.core.schemas import (
    ParseProblem,
    SchemaDocument,
    SchemaId,
    SchemaIdOf,
    Version,
    iter_schema_folders,
    list_schema_paths,
    printable,
    read_schema,
    relative_id,
    scan_schema_folder,
    schema_from_bytes,
    sorted_listing,
)

if TYPE_CHECKING:
    from reflekt.core.lint.meta import MetaChecks

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
        default: SeveritySetting = "off" if rule.off_by_default else rule.severity
        severity = configured.get(rule.code, default)
        settings.append(RuleSetting(rule, severity, severity != default))
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


def _plain(text: str) -> bool:
    """No `..` among the parts of a path string (what `".." not in path.parts` asks)."""
    return ".." not in text or "/../" not in f"/{text}/"


class _Places:
    """The project's root and schemas/ as string prefixes: the relative forms of 50,000
    paths without building a Path for each (pathlib costs microseconds a call).

    Paths are strings as `str(path)` gives them (`list_schema_paths`, `os.fspath`)."""

    def __init__(self, project: Project) -> None:
        self.root = project.root
        self.schemas_dir = project.schemas_dir
        self._root = str(self.root) + os.sep
        self.schema_path = SchemaIdOf(self.schemas_dir)  # `relative_id(...).path` of a path

    def relative(self, text: str) -> str:
        """`_relative_raw` of the path: relative to the root, `/`-separated."""
        if text.startswith(self._root) and _plain(text):
            rel = text[len(self._root) :]
            return rel if os.sep == "/" else rel.replace(os.sep, "/")
        return _relative_raw(Path(text), self.root)

    def relatives(self, texts: Sequence[str]) -> list[str]:
        """`relative` of each path; when every one is a plain path under the root (what a
        listing gives), by slicing alone (50,000 calls of `relative` took 70 ms)."""
        root = self._root
        plain = (
            os.sep == "/"
            and all(text.startswith(root) for text in texts)
            and not any("/../" in text or text.endswith("/..") for text in texts)
        )
        if plain:
            cut = len(root)
            return [text[cut:] for text in texts]
        return [self.relative(text) for text in texts]

    @property
    def prefix(self) -> str:
        """The root as a prefix: `prefix + relative(text) == text` for plain paths inside."""
        return self._root

    def event_of(self, text: str) -> str:
        """The event key of a schema file (`SchemaId.event_key`): its id's folder."""
        return self.schema_path(text).rpartition("/")[0]


@functools.lru_cache(maxsize=4096)
def _version(name: str) -> Version | None:
    """`SchemaId.version` of a version file name (the same few names in every folder)."""
    return Version.try_parse(name.removesuffix(".json"))


def _read(path: Path, schemas_dir: Path, raw: bytes | None = None) -> SchemaDocument:
    """`read_schema` (or parse `raw`, already read), and a document with the problem should
    reading itself ever fail."""
    try:
        if raw is not None:
            return schema_from_bytes(path, relative_id(path, schemas_dir), raw, schemas_dir)
        return read_schema(path, schemas_dir)
    except Exception as exc:  # a bug, or RecursionError/MemoryError on hostile input
        log.exception("reading %s failed", printable(str(path)))
        problem = ParseProblem(f"cannot read file ({type(exc).__name__}: {exc})", 1, 1)
        schema_id = relative_id(path, schemas_dir)
        return SchemaDocument(path, SchemaId(printable(schema_id.path)), "", None, [problem])


class _Linter:
    """One run: the active rules, the compiled meta-schemas, and the findings so far."""

    def __init__(self, project: Project, *, compile_meta: bool = True) -> None:
        self.project = project
        self.rules = active_rules(project)
        self.ignores = LintIgnores(project, rule_names())  # `lint.ignore` entries
        self._meta: MetaChecks | None = None
        if compile_meta:
            self.compile_meta()
        self.schema_rules = [a for a in self.rules if a.rule.scope == SCOPE_SCHEMA]
        self.event_rules = [a for a in self.rules if a.rule.scope == SCOPE_EVENT]
        self.project_rules = [a for a in self.rules if a.rule.scope == SCOPE_PROJECT]
        self.places = _Places(project)
        self.findings: list[Finding] = []
        self.crashes = 0  # a crash's finding depends on the selection: not cached
        self._files: dict[str, str] = {}
        # Gather each given file's `$ref` names (`_ChunkResult.refs`): a run over some
        # files that checks the definitions they reach (`lint_project(shared=True)`).
        self.want_refs = False
        # Findings go to the cache only (`lint_project(store_only=True)`).
        self.store_only = False

    def compile_meta(self) -> MetaChecks:
        """The compiled meta-schema checks; ConfigError (exit 2) for a missing or broken
        meta-schema. Deferred when the cache answers every file (50-100 ms to compile)."""
        if self._meta is None:
            from reflekt.core.lint.meta import MetaChecks

            codes = {active.rule.code for active in self.rules}
            self._meta = MetaChecks(
                self.project.meta_schema_path,
                need_draft7="RF102" in codes,
                need_meta="RF103" in codes,
            )
        return self._meta

    def file_of(self, doc: SchemaDocument) -> str:
        """The file's path relative to the project root, printable (cached: asked several
        times). By the path's string, which the Path keeps once made: hashing a Path and
        `_relative`'s `parts` cost 4 us a file, 3% of a cold lint's CPU."""
        text = str(doc.path)
        file = self._files.get(text)
        if file is None:
            file = self._files[text] = printable(self.places.relative(text))
        return file

    def lint_schema(self, doc: SchemaDocument) -> None:
        ctx = SchemaContext(self.project, doc, self.file_of(doc), self.compile_meta())
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
                if self._ignored(active, doc, issue):
                    continue
                locator = locators.setdefault(doc.schema_id.path, Locator.of(doc))
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
                if self._ignored(active, doc, issue):
                    continue
                self.findings.append(self._finding(active, file, doc, issue, ctx.locator))
        except Exception as exc:
            self._crashed(active, doc, file, exc)

    def _ignored(self, active: ActiveRule, doc: SchemaDocument, issue: Issue) -> bool:
        """Switched off for this schema (or property) by `lint.ignore`."""
        return bool(self.ignores) and self.ignores.ignores(
            doc.schema_id.path, active.rule.code, issue.property
        )

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
        rule = active.rule
        return Finding(  # positional: one per finding, 450,000 in a findings-heavy project
            doc.schema_id.path,
            file,
            line,
            column,
            rule.code,
            rule.name,
            active.severity,
            printable(issue.message),  # every output format can carry it
            printable(issue.property) if issue.property else issue.property,
            printable(issue.suggestion) if issue.suggestion else issue.suggestion,
            tuple(issue.at),
        )


# What a shared definition file is checked for on its own: it parses, and its own references
# resolve. The other rules are about events, which a definition is not.
COMMON_FILE_RULES = frozenset({"RF101", "RF104"})
MAX_COMMON_FILES = 10_000  # a bound on the walk of schemas/.reflekt/common/


@reads_shared
def lint_common_files(project: Project) -> list[Finding]:
    """Findings on the shared definitions under `schemas/.reflekt/common/` themselves.

    Why: a definition is read only through the events that reference it, so a broken file
    nobody references yet (or a typo that breaks every future user of it) would otherwise
    pass `reflekt lint` silently. Regular files only, no symlinks, bounded; not cached
    (a project holds a handful of definitions)."""
    from reflekt.core.refs import common_dir

    folder = common_dir(project.schemas_dir)
    if folder.is_symlink() or not folder.is_dir():
        return []
    check = _CommonCheck(project)
    for count, path in enumerate(sorted(folder.rglob("*.json"))):
        if count >= MAX_COMMON_FILES:
            break
        if path.is_symlink() or not path.is_file():
            continue
        check.lint(path)
    return check.findings()


@reads_shared
def lint_referenced_common_files(
    project: Project,
    paths: Sequence[Path | str],
    also: Sequence[str] = (),
    refs: Mapping[str, Sequence[str]] | None = None,
) -> list[Finding]:
    """`lint_common_files` for the definitions the schema files `paths` reference, and
    those these reference in turn, and only those (plus the definitions `also`, by their
    `$ref` name `common/...json`: the staged files of a pre-commit hook).

    Why: `reflekt lint <file>` (a pre-commit hook) or `--select` would otherwise report a
    broken definition only as an unresolved reference in the schema, at the schema's
    `$ref`, or not at all (a broken part the schema does not use), never at the
    definition's own line. What a file references is what its bytes name
    (`refs.named_files` of it as written): `refs` gives it for files (by `os.fspath`)
    that the lint just parsed or whose cache entry holds it (`lint_project`); any other
    file is read for it. The answer is the same either way. Bounded as
    `refs.py` bounds its walk: files at most MAX_REF_DEPTH references away, at most
    MAX_COMMON_FILES of them; a definition nobody reaches is not read."""
    from reflekt.core.refs import MAX_REF_DEPTH, common_dir, common_file_path, named_files

    schemas_dir = project.schemas_dir
    folder = common_dir(schemas_dir)
    if folder.is_symlink() or not folder.is_dir():
        return []
    wanted: dict[str, None] = dict.fromkeys(also)
    limit = max_schema_bytes()
    known = refs or {}
    for path in paths:
        text = os.fspath(path)
        names = known.get(text)
        if names is None:
            names = named_files(_written_body(text, limit))
        wanted.update(dict.fromkeys(names))
    check = _CommonCheck(project)
    seen: set[str] = set()
    level = list(wanted)
    for _depth in range(MAX_REF_DEPTH + 1):
        following: dict[str, None] = {}
        for name in level:
            if name in seen or len(seen) >= MAX_COMMON_FILES:
                continue
            seen.add(name)
            common_file = common_file_path(schemas_dir, name)
            if common_file is None:
                continue  # missing, a symlink, not a file: the schema's RF104 says so
            doc = check.lint(common_file)
            following.update(dict.fromkeys(named_files(doc.written)))
        level = [name for name in following if name not in seen]
        if not level:
            break
    return check.findings()


def _written_body(text: str, limit: int) -> object:
    """A schema file's JSON as written (its `$ref`s not inlined); None when it holds no
    reference or cannot be read or parsed (its own RF101 says why)."""
    from reflekt.core.refs import may_have_refs
    from reflekt.core.schemas import parse_schema_text

    try:
        raw = read_regular(text, limit)
        decoded = raw.decode("utf-8-sig")
    except Exception:  # OSError, UnreadableFileError, UnicodeDecodeError
        return None
    if not may_have_refs(decoded):
        return None
    body, _ = parse_schema_text(decoded)
    return body


def _refs_of(doc: SchemaDocument) -> tuple[str, ...] | None:
    """The shared definitions a file just parsed names: what `_written_body` would read off
    it again (`named_files` of the body as written); None when the document holds no text
    to tell (unreadable, not UTF-8, an odd name, empty): then the file is read for it."""
    from reflekt.core.refs import may_have_refs, named_files

    if doc.body is None and not doc.text:
        return None
    if not may_have_refs(doc.text):
        return ()
    return tuple(named_files(doc.written))


class _CommonCheck:
    """COMMON_FILE_RULES run on definition files, gathering the findings."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.linter = _Linter(project, compile_meta=False)
        self.rules = [a for a in self.linter.schema_rules if a.rule.code in COMMON_FILE_RULES]

    def lint(self, path: Path) -> SchemaDocument:
        linter = self.linter
        doc = read_schema(path, self.project.schemas_dir)
        ctx = SchemaContext(self.project, doc, linter.file_of(doc), None)
        for active in self.rules:
            if active.rule.needs_body and not isinstance(doc.body, dict):
                continue
            linter._collect(active, ctx.file, doc, active.rule.check, ctx)
        return doc

    def findings(self) -> list[Finding]:
        return sorted(self.linter.findings, key=sort_key)


@reads_shared
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
    linter.findings.extend(_project_findings(linter, {d.schema_id.path for d in documents}))
    findings = sorted(linter.findings, key=sort_key)
    files = [linter.file_of(doc) for doc in documents]
    return LintReport(findings=findings, schemas=len(documents), files=files)


class _Member(Protocol):
    """A version file as the event rules group it: a SchemaDocument, or a cache state."""

    @property
    def path(self) -> Path | str: ...

    @property
    def schema_id(self) -> SchemaId: ...


_M = TypeVar("_M", bound=_Member)


def _events(
    members: Iterable[_M], read: Callable[[str], _M], *, siblings: bool = True
) -> Iterator[tuple[str, list[_M], set[str]]]:
    """(event key, every version of it in version order, the selected ids) per event.

    Event rules compare each version with the previous one, so an event's versions that
    were not selected are read too (`read`, given the path as a string), unless `siblings`
    is False (a whole-project run has them all already).
    """
    by_event: dict[str, dict[str, _M]] = {}
    folders: dict[str, _M] = {}  # the last member of each event: its folder is listed
    for member in members:
        schema_path = member.schema_id.path
        key = schema_path.rpartition("/")[0]  # SchemaId.event_key
        by_event.setdefault(key, {})[schema_path] = member
        folders[key] = member
    for key, chosen in by_event.items():
        versions = chosen
        if siblings:
            versions = dict(chosen)
            _add_siblings(key, os.path.dirname(os.fspath(folders[key].path)), versions, read)
        versioned = [
            (version, member)
            for schema_path, member in versions.items()
            if (version := _version(schema_path.rpartition("/")[2])) is not None
        ]
        if len(versioned) > 1:
            versioned.sort(key=lambda pair: pair[0])
        if versioned:
            yield key, [member for _, member in versioned], set(chosen)


def _add_siblings(key: str, folder: str, versions: dict[str, _M], read: Callable[[str], _M]):
    """The event's version files in `folder` not among `versions` yet, read."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not name.endswith(".json"):
            continue
        sibling_id = f"{key}/{name}" if key else name
        if sibling_id in versions or Version.try_parse(name) is None:
            continue
        versions[sibling_id] = read(os.path.join(folder, name))


def _lint_events(
    linter: _Linter,
    documents: list[SchemaDocument],
    read_sibling: Callable[[Path], SchemaDocument] | None = None,
) -> None:
    schemas_dir = linter.project.schemas_dir
    read_path = read_sibling or (lambda path: _read(path, schemas_dir))
    for key, ordered, selected in _events(documents, lambda text: read_path(Path(text))):
        linter.lint_event(key, ordered, selected)


# Below this many files a second process costs more than it saves.
PARALLEL_THRESHOLD = 2000
# Work is split into this many chunks (whole event folders each): enough for a smooth
# progress bar and for balancing the workers, few enough that the overhead is nil.
_CHUNKS = 100
_STREAM_CHUNK = 250  # files a chunk while the walk goes on (`_lint_while_listing`)
_fork_linter: _Linter | None = None
_fork_cache: _CacheRun | None = None


@dataclass
class _ChunkResult:
    """A chunk's findings, and the cache entries it made (merged and saved by the parent);
    also the merge of a run's chunks (`_run_chunks`)."""

    findings: list[Finding]
    count: int
    # Made in a worker with the findings (FileEntry); merged, as the index stores them.
    files: dict[str, FileEntry | StoredEntry] = field(default_factory=dict)
    events: dict[str, EventEntry | StoredEntry] = field(default_factory=dict)
    complete: bool = True  # every file and event of the chunk has its cache entry
    # With `_Linter.want_refs`: the shared definitions each file names, by its path string,
    # from this run's parse or the file's cache entry (absent: not known, read for them).
    refs: dict[str, tuple[str, ...]] = field(default_factory=dict)


@reads_shared
def lint_project(
    project: Project,
    paths: Sequence[Path | str] | None = None,
    progress: Progress | None = None,
    *,
    jobs: int = 1,
    cache: bool = False,
    whole_project: bool | None = None,
    on_findings: Callable[[list[Finding]], object] | None = None,
    lazy: bool = False,
    stats: Mapping[str, str] | None = None,
    shared: bool = False,
    shared_also: Sequence[str] = (),
    store_only: bool = False,
) -> LintReport:
    """Lint the given schema files (from `resolve_select`), or every schema of the project.

    `paths` are Paths, or their `str()` (`list_schema_paths`: no Path is built for a file
    the cache answers). `jobs` > 1 lints large selections in that many forked processes
    (POSIX only; the result is the same). With `cache` (and no `REFLEKT_NO_CACHE`),
    unchanged files and events take their findings from `.reflekt_cache/lint/`
    (`core/lint/cache.py`; the result is the same); `whole_project` (default: `paths` is
    None) drops the entries of files that are gone, and over a complete index lints only
    the events that changed (`core/lint/warm.py`). `on_findings` gets findings as they are
    known (the TUI streams them into its panel). With `lazy`, a warm run leaves the
    unchanged files' findings in the index, counted (`LintReport.stored`, see
    `core/lint/stored.py`; `on_findings` does not get those). `stats`: the `stat_key` of
    regular files among `paths` (by their str) that the caller has just statted (the TUI's
    disk watch stats every file as the lint starts): a warm run compares those instead of
    statting the files again. With `shared`, the shared definitions are checked too
    (COMMON_FILE_RULES, at their own file and line): every one for the whole project
    (`whole_project`: `lint_common_files`), else those the given files reference
    (transitively; what each file names from this run's parse of it or its cache entry,
    not a second read) and those named in `shared_also` (`lint_referenced_common_files`);
    the definitions' own findings are not cached, the same either way. With `store_only`
    and the cache (the priming process, which only fills it), the files' and events'
    findings go to the index and not into the report (its `findings` leaves them out), and
    forked workers send them as plain tuples. Raises ConfigError (exit 2) for unknown rule
    names in the config or a missing or broken meta-schema; everything wrong in a schema
    file is a Finding.
    """
    limit = max_schema_bytes()  # a bad REFLEKT_MAX_SCHEMA_BYTES is a ConfigError first
    if whole_project is None:
        whole_project = paths is None
    linter = _Linter(project, compile_meta=False)
    linter.want_refs = shared and not whole_project and paths is not None
    linter.store_only = store_only
    # Nothing a lint makes per file is cyclic garbage (`base._visit`), but the collector
    # scanned the run's live objects again and again: 13% of a cold lint's CPU. Paused
    # here, it is paused in the forked workers too.
    with collector_paused():
        report, refs = _lint_files(
            linter, paths, progress, jobs, cache, whole_project, on_findings, lazy, stats, limit
        )
    more: list[Finding] = []
    if shared:
        if whole_project or paths is None:
            more = lint_common_files(project)
        else:
            more = lint_referenced_common_files(project, paths, shared_also, refs)
    if linter.project_rules:
        selected = None
        if paths is not None:
            selected = {linter.places.schema_path(os.fspath(p)) for p in paths}
        more.extend(_project_findings(linter, selected))
    if not more:
        return report
    if on_findings is not None and more:
        on_findings(more)
    return replace(report, findings=sorted([*report.findings, *more], key=sort_key))


def _project_findings(linter: _Linter, selected: set[str] | None) -> list[Finding]:
    """The project rules' findings on the `selected` ids (None: all). Not cached: they read
    the newest version of every event of the project, which is why they are off by default."""
    if not linter.project_rules:
        return []
    from reflekt.core.lint.base import ProjectContext

    newest: dict[str, tuple[Version, str]] = {}
    for text in list_schema_paths(linter.project.schemas_dir):
        key, _, name = linter.places.schema_path(text).rpartition("/")
        version = _version(name)
        if version is not None and (key not in newest or newest[key][0] < version):
            newest[key] = (version, text)
    schemas_dir = linter.project.schemas_dir
    docs = [_read(Path(text), schemas_dir) for _, text in newest.values()]
    context = ProjectContext(linter.project, docs)
    found: list[Finding] = []
    for active in linter.project_rules:
        before = len(linter.findings)
        try:
            issues = list(active.rule.check(context))
        except Exception as exc:
            if docs:
                linter._crashed(active, docs[-1], linter.file_of(docs[-1]), exc)
            found.extend(linter.findings[before:])
            del linter.findings[before:]
            continue
        for issue in issues:
            doc = issue.document
            if doc is None or (selected is not None and doc.schema_id.path not in selected):
                continue
            locator = Locator(doc.text)
            found.append(linter._finding(active, linter.file_of(doc), doc, issue, locator))
    return found


def _lint_files(
    linter: _Linter,
    paths: Sequence[Path | str] | None,
    progress: Progress | None,
    jobs: int,
    cache: bool,
    whole_project: bool,
    on_findings: Callable[[list[Finding]], object] | None,
    lazy: bool,
    stats: Mapping[str, str] | None,
    limit: int,
) -> tuple[LintReport, dict[str, tuple[str, ...]]]:
    """`lint_project` by the file and event rules (cached); with the `$ref` names of the
    files when `linter.want_refs` (`_ChunkResult.refs`)."""
    project = linter.project
    places = _Places(project)
    cache_run = None
    if cache and not cache_disabled():
        cache_run = _open_cache(linter, limit, whole_project, places)
    streamed: _ChunkResult | None = None
    if paths is not None:
        texts = [os.fspath(path) for path in paths]
    elif jobs > 1 and (cache_run is None or not cache_run.index.files):
        texts, streamed = _lint_while_listing(linter, cache_run, jobs, progress, on_findings)
    elif cache_run is not None:
        texts = _list_cached(cache_run)
    else:
        texts = list_schema_paths(project.schemas_dir)
    if cache_run is not None and cache_run.rels is not None:
        rels = files = cache_run.rels  # index keys: decoded from UTF-8, so printable
    else:
        rels = places.relatives(texts)
        files = [printable(rel) for rel in rels]
    if cache_run is not None and whole_project and cache_run.index.complete:
        report = _lint_warm(
            linter, texts, rels, files, cache_run, progress, on_findings, lazy, stats
        )
        if report is not None:
            return report, {}
    if streamed is not None:
        run = streamed
    else:
        changed = len(texts) if cache_run is None else _changed(texts, rels, cache_run)
        if changed or cache_run is None or not cache_run.index.files:
            # Every file linted compiles it; an index for this fingerprint (which holds the
            # meta-schema's bytes) was written by a run that compiled it, so a broken one
            # is still an error when nothing needs linting.
            linter.compile_meta()
        run = _run_chunks(linter, texts, changed, jobs, cache_run, progress, on_findings)
    findings = run.findings
    findings.sort(key=sort_key)
    if cache_run is not None:
        keep_events = None
        if whole_project:
            keep_events = {places.event_of(text) for text in texts}  # SchemaId.event_key
        _save(cache_run, run, texts, rels, whole_project, keep_events)
    return LintReport(findings=findings, schemas=len(texts), files=files), run.refs


def _run_chunks(
    linter: _Linter,
    texts: list[str],
    changed: int,
    jobs: int,
    cache_run: _CacheRun | None,
    progress: Progress | None,
    on_findings: Callable[[list[Finding]], object] | None,
    *,
    done: int = 0,
    total: int | None = None,
) -> _ChunkResult:
    """Lint `texts` in chunks (forked when large), reporting progress out of `total`; the
    chunks' results merged into one, their cache entries as the index stores them
    (encoded as each chunk comes in: while the workers lint the next ones)."""
    total = len(texts) if total is None else total
    chunks = _chunks(texts, _CHUNKS)
    results = None
    if jobs > 1 and changed >= PARALLEL_THRESHOLD and len(chunks) > 1:
        results = _run_forked(linter, chunks, min(jobs, len(chunks)), cache_run)
    if results is None:
        results = (_lint_chunk_safely(linter, chunk, cache_run) for chunk in chunks)
    return _merged(results, cache_run, progress, on_findings, done, lambda: total)


def _merged(
    results: Iterable[_ChunkResult],
    cache_run: _CacheRun | None,
    progress: Progress | None,
    on_findings: Callable[[list[Finding]], object] | None,
    done: int,
    total: Callable[[], int | None],
) -> _ChunkResult:
    """The chunks' results merged into one as they come in (progress out of `total()`,
    None while not known), their cache entries encoded as the index stores them."""
    run = _ChunkResult([], 0)
    told: int | None = 0  # the total the last progress call gave
    for result in results:
        run.findings.extend(result.findings)
        run.complete = run.complete and result.complete
        run.count += result.count
        run.refs.update(result.refs)
        done += result.count
        if on_findings is not None and result.findings:
            on_findings(result.findings)
        if progress is not None:
            told = total()
            progress(done, told, "linting schemas")
        if cache_run is not None:
            table = cache_run.index.table
            run.files.update(stored_entries(result.files, table))
            run.events.update(stored_entries(result.events, table))
    if progress is not None and told is None and total() is not None:
        progress(done, total(), "linting schemas")  # the last chunk came before the count
    return run


def _lint_while_listing(
    linter: _Linter,
    cache_run: _CacheRun | None,
    jobs: int,
    progress: Progress | None,
    on_findings: Callable[[list[Finding]], object] | None,
) -> tuple[list[str], _ChunkResult | None]:
    """A whole-project lint that nothing cached can shorten (no cache, or an index that
    holds no file), on `jobs` cores: the workers start on the first folders while this
    process still walks schemas/ (50,000 files: 0.6-1.1 s of walk in which no worker ran).
    Returns the listing (`list_schema_paths`' order) and the merged run; the run is None
    when the walk found fewer than PARALLEL_THRESHOLD files (lint them as before)."""
    lister = _folder_lister(cache_run) if cache_run is not None else None
    walk = iter_schema_folders(linter.project.schemas_dir, lister)
    by_folder: dict[str, list[str]] = {}
    count = 0
    for folder, files in walk:
        by_folder[folder] = files
        count += len(files)
        if count >= PARALLEL_THRESHOLD:
            break
    else:
        return sorted_listing(by_folder), None
    linter.compile_meta()  # before forking: the workers inherit it
    listed: list[int] = []  # the file count, once the walk is done

    def folders() -> Iterator[list[str]]:
        """Each folder's files: those walked so far, then the rest of the walk (kept)."""
        yield from list(by_folder.values())
        for folder, files in walk:
            by_folder[folder] = files
            yield files

    def tasks() -> Iterator[list[str]]:
        """Whole folders, about `_STREAM_CHUNK` files a task (read by the pool between
        results, so the walk goes on while the workers lint)."""
        batch: list[str] = []
        for files in folders():
            batch.extend(files)
            if len(batch) >= _STREAM_CHUNK:
                yield batch
                batch = []
        listed.append(sum(map(len, by_folder.values())))
        if batch:
            yield batch

    results = _run_forked(linter, tasks(), jobs, cache_run)
    if results is None:  # no fork here: walk, then lint as before
        by_folder.update(walk)
        return sorted_listing(by_folder), None
    run = _merged(
        results, cache_run, progress, on_findings, 0, lambda: listed[0] if listed else None
    )
    return sorted_listing(by_folder), run


def _save(
    cache_run: _CacheRun,
    run: _ChunkResult,
    texts: list[str],
    rels: list[str],
    whole_project: bool,
    keep_events: set[str] | None,
) -> None:
    """Merge this run's entries into the index; the flags say what the next run may skip."""
    index = cache_run.index
    listed = False
    if whole_project and cache_run.listing:
        listed = cache_run.rels is not None or cache_run.listed_all(texts, rels)
    elif whole_project:
        listed = index.listed and rels == list(index.files)  # the TUI's order is the listing's
    save_index(
        index,
        run.files,
        run.events,
        keep_files=set(rels) if whole_project else None,
        keep_events=keep_events,
        folders=cache_run.folders if cache_run.listing and cache_run.rels is None else None,
        order=rels if whole_project else None,
        complete=run.complete,
        listed=listed,
    )


def _lint_warm(
    linter: _Linter,
    texts: list[str],
    rels: list[str],
    files: list[str],
    run: _CacheRun,
    progress: Progress | None,
    on_findings: Callable[[list[Finding]], object] | None,
    lazy: bool = False,
    stats: Mapping[str, str] | None = None,
) -> LintReport | None:
    """A whole-project run over a complete index: stored findings for the events none of
    whose files changed, the events that did linted again (`core/lint/warm.py`). None when
    the stored rows are not usable: then the general path runs. `lazy`, `stats`: see
    `lint_project`."""
    from reflekt.core.lint.warm import (
        changed_positions,
        events_to_redo,
        gone_files,
        stored_findings,
        stored_lazily,
    )

    index, places = run.index, run.places
    changed = (
        run.changed if run.changed is not None else changed_positions(texts, rels, index, stats)
    )
    gone = gone_files(rels, index, len(changed))
    redo_events: set[str] = set()
    redo: list[int] = []
    if changed or gone:
        redo_events, redo = events_to_redo(texts, changed, gone, places.event_of, places.prefix)
    skip_files = gone.union(rels[position] for position in redo)
    stored = None
    if lazy:
        schemas_rel = places.relative(str(places.schemas_dir)) + "/"
        relint = _file_rules(linter.project)
        lazily = stored_lazily(index, skip_files, redo_events, schemas_rel, relint)
        findings, stored = lazily if lazily is not None else (None, None)
    else:
        findings = stored_findings(index, skip_files, redo_events)
    if findings is None:
        log.debug("lint cache: stored rows unusable, linting the general way")
        return None
    log.debug(
        "lint cache: %d of %d files changed, %d gone; linting %d events (%d files) again",
        len(changed), len(texts), len(gone), len(redo_events), len(redo),
    )  # fmt: skip
    if on_findings is not None and findings:
        on_findings(findings)
    total = len(texts)
    redone = _ChunkResult([], 0)
    if redo:
        redo_texts = [texts[position] for position in redo]
        rescanned = _scan(redo_texts, [rels[position] for position in redo], run)
        states = [_known(text, run) for text in redo_texts] if rescanned else []
        if any(state is None or state.doc is not None for state in states):
            linter.compile_meta()  # a file to lint (not only touched): as the general path
        redone = _run_chunks(
            linter,
            redo_texts,
            rescanned,
            1,
            run,
            progress,
            on_findings,
            done=total - len(redo),
            total=total,
        )
        findings.extend(redone.findings)
    elif progress is not None:
        progress(total, total, "linting schemas")
    findings.sort(key=sort_key)
    # Else the index already says all this (given paths, the TUI's: in its order).
    listed_anew = run.rels is None and (run.listing or rels != list(index.files))
    if redo or gone or listed_anew:
        # The events now: those indexed, less the redone ones, plus those still holding a file.
        keep_events = set(index.events).difference(redo_events)
        keep_events.update(places.event_of(texts[position]) for position in redo)
        _save(run, redone, texts, rels, True, keep_events)
    return LintReport(findings=findings, schemas=total, files=files, stored=stored)


def _file_rules(project: Project) -> Callable[[str], list[Finding]]:
    """For `StoredFindings`: one file's own rules run again, uncached (its stored rows did
    not decode)."""

    def relint(schema_id: str) -> list[Finding]:
        linter = _Linter(project)
        linter.lint_schema(_read(project.schemas_dir / schema_id, project.schemas_dir))
        return sorted(linter.findings, key=sort_key)

    return relint


@dataclass(slots=True)
class _CacheRun:
    """One run's use of the index: the index, what decides trust, and what the run saw."""

    index: LintIndex
    racy_cutoff: int  # files changed at or after this time (ns) are hashed next time too
    limit: int  # REFLEKT_MAX_SCHEMA_BYTES: larger files are linted (as a problem) uncached
    # Every schema file is linted, so every version of an event is in its chunk: no need
    # to list the event folders for versions outside the selection.
    whole: bool
    places: _Places  # the project's root and schemas/ (a Path costs microseconds)
    folders: dict[str, str] = field(default_factory=dict)  # this run's listings: _list_cached
    known: dict[str, _Known] = field(default_factory=dict)  # by path; see _scan
    listing: bool = False  # schemas/ was listed (not given paths)
    walked: int = 0  # folders `_list_cached` listed or took from the index
    # The files' paths relative to the root when the listing came whole from the index
    # (`LintIndex.listed`): its file keys.
    rels: list[str] | None = None
    changed: list[int] | None = None  # with `rels`: the files whose stat changed

    def listed_all(self, texts: list[str], rels: list[str]) -> bool:
        """Whether the index may say `listed` after this listing: every folder walked got
        an entry, and each path is the root plus its key (as `warm.listed_files` rebuilds)."""
        if self.walked != len(self.folders):
            return False
        prefix = self.places.prefix
        return all(prefix + rel == text for rel, text in zip(rels, texts, strict=True))


def _changed(texts: list[str], rels: list[str], run: _CacheRun) -> int:
    """How many of the files the index cannot answer from their stat alone (`_scan`).

    Over an index that holds no file (a cold cache) that is every one of them, so the
    parent does not stat 50,000 files before forking (0.3-0.5 s while no worker runs):
    each file's `_Known` is made where it is linted, by `_state`, as `_scan` would."""
    if not run.index.files:
        return len(texts)
    return _scan(texts, rels, run)


def _scan(texts: list[str], rels: list[str], run: _CacheRun) -> int:
    """Stat every file once and look it up in the index (`run.known`); return how many it
    cannot answer from the stat alone (that decides whether forking workers pays; nothing
    is read). `rels` are the paths relative to the root (`_Places.relative`)."""
    changed = 0
    places, known, trusted, limit = run.places, run.known, run.index.trusted, run.limit
    for text, rel in zip(texts, rels, strict=True):
        schema_path = places.schema_path(text)
        state = known[text] = _Known(text, rel, SchemaId(schema_path))
        # the id is the end of `rel` (schemas/ is under the root): checked once
        if not cacheable_key(rel) or (
            not rel.endswith(schema_path) and not cacheable_key(schema_path)
        ):
            changed += 1
            continue
        try:
            st = state.st = os.stat(text)
        except OSError:
            changed += 1
            continue
        if stat_mode.S_ISREG(st.st_mode) and st.st_size <= limit:
            hit = trusted(rel, stat_key(st))
            if hit is not None:
                state.digest, state.findings, state.refs = hit
                continue
        changed += 1
    return changed


def _list_cached(run: _CacheRun) -> list[str]:
    """`list_schema_paths`, with each folder whose stat is unchanged listed from the index:
    a stat instead of a scandir (50,000 event folders: about 4 times less). When no folder
    changed and the index holds the listing (`LintIndex.listed`), it is the index's."""
    from reflekt.core.lint.warm import listed_files

    run.listing = True
    places = run.places
    listed = listed_files(run.index, str(places.schemas_dir), places.prefix)
    if listed is not None:
        run.rels, run.changed = listed.rels, listed.changed
        return listed.texts

    return list_schema_paths(places.schemas_dir, _folder_lister(run))


def _folder_lister(run: _CacheRun) -> Callable[[str, str], tuple[list[str], list[str]] | None]:
    """The lister of a walk that keeps each folder's listing for the index (`_listing`)."""
    run.listing = True

    def lister(folder: str, rel: str) -> tuple[list[str], list[str]] | None:
        run.walked += 1
        return _listing(folder, rel, run, follow=rel == "")  # schemas/ itself may be a link

    return lister


def _listing(
    folder: str, rel: str, run: _CacheRun, *, follow: bool
) -> tuple[list[str], list[str]] | None:
    """One folder of `_list_cached`: from the index when its stat matches, else listed (and
    kept for next time unless racy). The stat comes first: an entry made while listing
    shows as a newer mtime next time."""
    try:
        st: os.stat_result | None = os.stat(folder, follow_symlinks=follow)
    except OSError:
        st = None
    if st is not None and not stat_mode.S_ISDIR(st.st_mode):
        st = None
    key = folder_key(st) if st is not None else ""
    if st is not None:
        entry = run.index.folders.get(rel)
        listed = folder_listing(entry, key)
        if listed is not None:
            run.folders[rel] = entry  # type: ignore[assignment]
            return listed
    listed = scan_schema_folder(folder)
    if (
        listed is not None
        and st is not None
        and max(st.st_mtime_ns, st.st_ctime_ns) < run.racy_cutoff
    ):
        entry = folder_entry(key, *listed)
        if entry is not None and cacheable_key(rel):  # a folder named in no UTF-8: no key
            run.folders[rel] = entry
    return listed


def _state(text: str, run: _CacheRun) -> _Known:
    """A file's `_Known` (scanned now if it was not: a version outside the selection)."""
    state = run.known.get(text)
    if state is None:
        _scan([text], [run.places.relative(text)], run)
        state = run.known[text]
    return state


def cache_complete(project: Project) -> bool:
    """Whether a whole-project lint would take the warm path: the cache is on and its index
    for the current settings is complete (`LintIndex.complete`). Reads one line."""
    from reflekt.core.lint.cache import index_flags

    if cache_disabled():
        return False
    print_ = _fingerprint(_Linter(project, compile_meta=False), max_schema_bytes())
    flags = index_flags(project, print_) if print_ is not None else None
    return flags is not None and "complete" in flags


def _fingerprint(linter: _Linter, limit: int) -> str | None:
    """The index's fingerprint for this run's rules and settings; None when it cannot be
    made (only a cache: never a reason for lint to fail)."""
    rules = [(active.rule.code, active.severity) for active in linter.rules]
    try:
        return fingerprint(linter.project, rules, limit)
    except Exception:
        log.debug("no lint cache: cannot compute its fingerprint", exc_info=True)
        return None


def _open_cache(linter: _Linter, limit: int, whole: bool, places: _Places) -> _CacheRun | None:
    print_ = _fingerprint(linter, limit)
    if print_ is None:
        return None
    index = load_index(linter.project, print_)
    cutoff = racy_cutoff()
    return _CacheRun(index, cutoff, limit, whole, places)


def _chunks(paths: list[str], wanted: int) -> list[list[str]]:
    """Split into about `wanted` chunks, never splitting an event folder between chunks."""
    if not paths:
        return []
    size = max(1, -(-len(paths) // wanted))
    chunks: list[list[str]] = [[]]
    for path in paths:
        current = chunks[-1]
        if len(current) >= size and _folder(current[-1]) != _folder(path):
            chunks.append([])
        chunks[-1].append(path)
    return chunks


def _folder(text: str) -> str:
    return text.rpartition(os.sep)[0]


def _lint_chunk_safely(
    linter: _Linter, paths: list[str], cache_run: _CacheRun | None = None
) -> _ChunkResult:
    try:
        if cache_run is not None:
            return _lint_chunk_cached(linter, paths, cache_run)
        return _lint_chunk_with(linter, paths)
    except Exception as exc:
        log.exception("lint failed on a chunk of %d files", len(paths))
        return _ChunkResult(_chunk_failed(linter, paths, exc), len(paths), complete=False)


def _lint_chunk_with(linter: _Linter, paths: list[str]) -> _ChunkResult:
    """Read and lint some files (whole event folders); return their findings."""
    linter.findings = []
    schemas_dir = linter.project.schemas_dir
    documents = [_read(Path(path), schemas_dir) for path in paths]
    result = _ChunkResult([], len(paths), complete=False)
    if linter.want_refs:
        for path, doc in zip(paths, documents, strict=True):
            refs = _refs_of(doc)
            if refs is not None:
                result.refs[path] = refs
    for doc in documents:
        linter.lint_schema(doc)
    if linter.event_rules:
        _lint_events(linter, documents)
    result.findings, linter.findings = linter.findings, []
    return result


def _lint_chunk_forked(paths: list[str]) -> _ChunkResult:
    """In a worker: lint a chunk; an unexpected failure comes back as findings, not a crash.

    (An exception here would be re-raised in the parent by the pool and stop the run.)
    """
    assert _fork_linter is not None
    return _lint_chunk_safely(_fork_linter, paths, _fork_cache)


def _chunk_failed(linter: _Linter, paths: list[str], exc: Exception) -> list[Finding]:
    """One RF101 finding per file of a chunk that could not be linted."""
    root, schemas_dir = linter.project.root, linter.project.schemas_dir
    severity: Severity = next((a.severity for a in linter.rules if a.rule.code == "RF101"), "error")
    return [
        Finding(
            schema_id=printable(relative_id(Path(path), schemas_dir).path),
            file=_relative(Path(path), root),
            line=None,
            column=None,
            rule="RF101",
            rule_name="json-syntax",
            severity=severity,
            message=f"could not lint this file ({type(exc).__name__}: {exc})",
        )
        for path in paths
    ]


def _run_forked(
    linter: _Linter, chunks: Iterable[list[str]], workers: int, cache_run: _CacheRun | None = None
) -> Iterator[_ChunkResult] | None:
    """Lint chunks in `workers` forked processes that inherit the compiled linter (and the
    loaded cache index); None if unavailable. `chunks` may be a generator: it is read
    between results while the workers run (`core/forkpool.py`)."""
    from reflekt.core.forkpool import fork_available, run_forked

    global _fork_linter, _fork_cache
    if not fork_available():
        return None
    _fork_linter, _fork_cache = linter, cache_run
    if linter._meta is not None and linter._meta.draft7 is not None:
        linter._meta.draft7.compiled()  # once here, not once in each worker that needs it

    def results() -> Iterator[_ChunkResult]:
        global _fork_linter, _fork_cache
        try:
            yield from run_forked(_lint_chunk_forked, chunks, workers)
        finally:
            _fork_linter = _fork_cache = None

    return results()


@dataclass(slots=True)
class _Known:
    """A file's cache state this run: its key and stat, then its hash and either cached
    findings or its doc."""

    path: str
    rel: str  # relative to the project root: the index key
    schema_id: SchemaId
    st: os.stat_result | None = None  # None: not cacheable (odd name, cannot stat, unread)
    digest: str = ""
    findings: list[Finding] | None = None  # from the index (the file is unchanged)
    refs: tuple[str, ...] | None = None  # with `findings`: the shared definitions it names
    doc: SchemaDocument | None = None  # read and parsed (the file changed, or was needed)
    restat: bool = False  # the index holds other stat values for it: write the new ones


def _known(path: str, run: _CacheRun) -> _Known | None:
    """The file's cache state, read and hashed unless its stat was trusted; None when it
    is not cacheable (odd name, not a regular file, over the size cap, unreadable): then
    it is linted the usual way."""
    state = _state(path, run)
    st = state.st
    if st is None or state.findings is not None or state.doc is not None:
        return None if st is None else state
    if not stat_mode.S_ISREG(st.st_mode) or st.st_size > run.limit:
        state.st = None
        return None
    try:
        raw = read_regular(path, run.limit)
    except Exception:  # OSError, UnreadableFileError: the usual read says why
        state.st = None
        return None
    state.digest = content_hash(raw)
    state.restat = True
    hit = run.index.by_hash(state.rel, state.digest)
    if hit is not None:
        state.findings, state.refs = hit
    else:
        state.doc = _read(Path(path), run.places.schemas_dir, raw)
    return state


def _lint_chunk_cached(linter: _Linter, paths: list[str], run: _CacheRun) -> _ChunkResult:
    """`_lint_chunk_with`, taking unchanged files' and events' findings from the index."""
    linter.findings = []
    result = _ChunkResult([], len(paths))
    members: list[_Known | SchemaDocument] = []
    want_refs = linter.want_refs
    for path in paths:
        known = _known(path, run)
        if known is None:
            doc = _read(Path(path), run.places.schemas_dir)
            if want_refs and (refs := _refs_of(doc)) is not None:
                result.refs[path] = refs
            linter.lint_schema(doc)
            members.append(doc)
            result.complete = False
            continue
        members.append(known)
        if known.findings is not None:
            linter.findings.extend(known.findings)
            if want_refs and known.refs is not None:
                result.refs[path] = known.refs
            if known.restat:
                result.files[known.rel] = new_file_entry(
                    known.st,  # type: ignore[arg-type]
                    known.digest,
                    known.findings,
                    run.racy_cutoff,
                    known.refs,
                )
            continue
        assert known.doc is not None
        refs = _refs_of(known.doc)  # before the rules see the body
        if want_refs and refs is not None:
            result.refs[path] = refs
        before, crashes = len(linter.findings), linter.crashes
        linter.lint_schema(known.doc)
        if linter.crashes == crashes:
            own = linter.findings[before:]
            entry = new_file_entry(known.st, known.digest, own, run.racy_cutoff, refs)  # type: ignore[arg-type]
            result.files[known.rel] = entry
        else:
            result.complete = False
    if linter.event_rules:
        _lint_events_cached(linter, members, run, result)
    # The parsed bodies are done with (a chunk holds whole event folders). A worker keeps
    # its `_Known`s for the run, so holding them grew a cold 50,000-file run to 390 MB.
    for member in members:
        if member.__class__ is _Known:
            member.doc = None  # type: ignore[union-attr]
    result.findings, linter.findings = linter.findings, []
    if linter.store_only:  # only the cache wants them: as tuples, no Finding to make again
        result.findings = []
        for entries in (result.files, result.events):
            for key, (text, found) in entries.items():
                if found:
                    entries[key] = (text, list(map(finding_fields, found)))
    return result


def _lint_events_cached(
    linter: _Linter, members: list[_Known | SchemaDocument], run: _CacheRun, result: _ChunkResult
) -> None:
    """`_lint_events` over cache states: an event whose versions (ids and hashes, in order)
    are those cached takes the cached findings; any other runs the event rules."""
    schemas_dir = run.places.schemas_dir

    def read(sibling: str) -> _Known | SchemaDocument:
        return _known(sibling, run) or _read(Path(sibling), schemas_dir)

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
    schemas_dir = run.places.schemas_dir
    cacheable = all(member.__class__ is _Known for member in ordered)
    signature = ""
    if cacheable:
        signature = event_signature(ordered)
        cached = run.index.event(key, signature)
        if cached is not None:
            linter.findings.extend(f for f in cached if f.schema_id in selected)
            return
    docs = [
        member
        if isinstance(member, SchemaDocument)
        else member.doc or _read(Path(member.path), schemas_dir)
        for member in ordered
    ]
    if not cacheable:
        linter.lint_event(key, docs, selected)
        result.complete = False
        return
    # Run for every version, keep what the selection asks for: the entry serves any selection.
    before, crashes = len(linter.findings), linter.crashes
    linter.lint_event(key, docs, {doc.schema_id.path for doc in docs})
    produced = linter.findings[before:]
    del linter.findings[before:]
    if linter.crashes != crashes:  # where a crash is reported depends on the selection
        linter.lint_event(key, docs, selected)
        result.complete = False
        return
    result.events[key] = new_event_entry(signature, produced)
    linter.findings.extend(f for f in produced if f.schema_id in selected)
