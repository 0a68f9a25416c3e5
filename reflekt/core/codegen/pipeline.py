"""`build_code()`: select schemas, model their events, emit one language, plan and apply.

The CLI (`reflekt build code`) and the TUI build wizard call this one function. Writing
follows the dbt build's rules (`build.writer`): an unchanged file is not rewritten, a file
without the generated header is never touched, and the writes are one transaction inside
the project. `check=True` writes nothing and reports, per file, the events whose generated
code no longer matches the schemas (the CI guard that code and plan agree).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reflekt.core.artifact_folder import artifact_folder, relative_to_root
from reflekt.core.build.pipeline import load_event_schemas
from reflekt.core.build.writer import WritePlan, apply_plan, compare_files, read_generated
from reflekt.core.codegen.emit import (
    LANGUAGES,
    PREAMBLE,
    CodeOptions,
    GeneratedFile,
    changed_sections,
    sections,
)
from reflekt.core.codegen.model import CodeEvent, VersionPolicy, code_events
from reflekt.core.errors import ReflektError
from reflekt.core.progress import Progress, no_progress
from reflekt.core.project import Project

VERSION_POLICIES: tuple[VersionPolicy, ...] = ("newest", "all")


@dataclass(frozen=True)
class StaleFile:
    """A generated file that no longer matches the schemas (`--check`)."""

    path: str  # relative to the output folder
    state: str  # missing | changed | removed (a generated file the build no longer makes)
    added: tuple[str, ...] = ()  # event keys
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    other: bool = False  # a change outside the events' sections (the header, shared code)


@dataclass(frozen=True)
class CodeResult:
    """What a build did (or, with dry_run or check, would do)."""

    out_dir: Path
    options: CodeOptions
    events: tuple[CodeEvent, ...]
    files: tuple[GeneratedFile, ...]
    plan: WritePlan
    dry_run: bool
    schema_count: int
    stale: tuple[StaleFile, ...] = ()  # filled by check
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def up_to_date(self) -> bool:
        return not self.plan.has_changes


def check_language(lang: str, sdk: str | None) -> tuple[str, str]:
    """(lang, sdk), the sdk defaulted; ReflektError (exit 2) for what is not supported."""
    language = LANGUAGES.get(lang)
    if language is None:
        raise ReflektError(f"--lang '{lang}' is not supported (supported: {', '.join(LANGUAGES)})")
    chosen = sdk or language.sdks[0]
    if chosen not in language.sdks:
        raise ReflektError(
            f"--sdk '{chosen}' is not supported for {lang} (supported: {', '.join(language.sdks)})",
            hint="--sdk none generates the types only",
        )
    return lang, chosen


def out_folder(project: Project, lang: str, out: str | Path | None) -> Path:
    """The output folder: `--out`, or the language's default under artifacts/code/
    (`artifact_folder`: inside the project, outside schemas/ and .reflekt_cache/)."""
    return artifact_folder(
        project,
        out,
        LANGUAGES[lang].default_out,
        what="write generated code to",
        example="web/src/tracking",
    )


def regenerate_command(
    project: Project,
    lang: str,
    sdk: str,
    selects: Sequence[str] | None,
    out_dir: Path,
    version_policy: VersionPolicy,
    validate: bool,
) -> str:
    """The command line that makes these files, for their header: the same for the build and
    its `--check` (selects sorted, `--out` relative to the project), so a check compares
    like with like."""
    import shlex

    parts = ["reflekt", "build", "code", "--lang", lang, "--sdk", sdk]
    for select in sorted({select.rstrip("/") for select in selects or ()}):
        parts += ["--select", select]
    relative = relative_to_root(project, out_dir)
    if relative != LANGUAGES[lang].default_out:
        parts += ["--out", relative]
    if version_policy != "newest":
        parts += ["--version-policy", version_policy]
    if validate:
        parts.append("--validate")
    return shlex.join(parts)


def build_code(
    project: Project,
    selects: Sequence[str] | None,
    lang: str,
    sdk: str | None = None,
    out: str | Path | None = None,
    *,
    version_policy: VersionPolicy = "newest",
    validate: bool = False,
    check: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> CodeResult:
    """Generate `lang` code for the selected schemas into `out`.

    Errors: SelectError (bad --select), SchemaFileError (an unreadable schema), ReflektError
    (unknown language or SDK, an --out outside the project): all exit 2.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    report = progress or no_progress
    lang, sdk = check_language(lang, sdk)
    if version_policy not in VERSION_POLICIES:
        raise ReflektError(
            f"--version-policy '{version_policy}' is not one of {', '.join(VERSION_POLICIES)}"
        )
    out_dir = out_folder(project, lang, out)
    loaded = load_event_schemas(project, selects, report, extra_steps=2)
    schemas = loaded.selected
    timings["load"] = time.perf_counter() - started

    mark = time.perf_counter()
    events = code_events(schemas, version_policy)
    command = regenerate_command(project, lang, sdk, selects, out_dir, version_policy, validate)
    options = CodeOptions(
        lang=lang, sdk=sdk, validate=validate, command=command, schema_count=len(schemas)
    )
    emitter = importlib.import_module(LANGUAGES[lang].module)
    files: list[GeneratedFile] = emitter.emit(events, options)
    report(len(schemas) + 1, len(schemas) + 2, f"generated {len(events)} event(s)")
    timings["emit"] = time.perf_counter() - mark

    mark = time.perf_counter()
    produced = {file.path: file.text for file in files}
    stale_generated = [
        name
        for name in LANGUAGES[lang].files
        if name not in produced and read_generated(out_dir / name) is not None
    ]
    plan = compare_files(out_dir, produced, stale_generated)
    stale = _stale_files(out_dir, plan, produced) if check else ()
    if not dry_run and not check:
        apply_plan(plan, project_root=project.root)
    report(len(schemas) + 2, len(schemas) + 2, "checked" if check else "planned")
    timings["write"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return CodeResult(
        out_dir=out_dir,
        options=options,
        events=tuple(events),
        files=tuple(files),
        plan=plan,
        dry_run=dry_run or check,
        schema_count=len(schemas),
        stale=stale,
        timings=timings,
    )


def _stale_files(out_dir: Path, plan: WritePlan, produced: dict[str, str]) -> tuple[StaleFile, ...]:
    """Per file the plan would write or remove: which events' code differs."""
    found: list[StaleFile] = []
    for path in plan.new:
        found.append(StaleFile(path, "missing", added=_keys(produced[path])))
    for path in plan.changed:
        current = read_generated(out_dir / path) or ""
        added, removed, changed = changed_sections(current, produced[path])
        other = not (added or removed or changed)
        found.append(
            StaleFile(path, "changed", tuple(added), tuple(removed), tuple(changed), other)
        )
    for path in plan.removed:
        found.append(StaleFile(path, "removed"))
    return tuple(sorted(found, key=lambda stale: stale.path))


def _keys(text: str) -> tuple[str, ...]:
    return tuple(key for key in sections(text) if key != PREAMBLE)
