"""Pull and push: move schemas between the project and a registry, whichever it is.

Why here and not in the commands: the CLI and the TUI run the same jobs. What differs per
registry (fetching a plan, where a pulled version lands, pushing) is the registry's own,
through `protocol.Registry`, chosen by the select's first part from `table`.

- `pull(project, profile, select, dry_run=False, progress=None, policy=None, plan_type=None)
  -> PullResult`: fetches and converts everything first, then writes every changed file at
  once (`write_all_atomic`): a failure half-way leaves the project as it was. Unchanged files
  are not touched (byte-identical output).
- `push(project, profile, selects, *, force=False, delete=False, dry_run=False,
  progress=None, policy=None, plan_type=None, to_dir=None) -> PushResult`: lints the
  selection first (refuses on lint errors unless `force`), then the registry pushes (or,
  with `delete`, removes) the selected events; `to_dir` writes a static registry there
  instead (Iglu). `push_preview(...)`: the same as a dry run, sending nothing.
- `fetch_remote(project, profile, registry, plan, progress=None, policy=None)
  -> list[RemoteSchema]`: every event of a plan/branch, at most one per schema file.
- `plans_base(context, selects, progress) -> BaseVersions`: the registry side of `reflekt
  diff`, for the registries' `compare_base`.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reflekt.core.errors import PlanNotFoundError, PushRefusedError, SchemaFileError, SelectError
from reflekt.core.fsutil import write_all_atomic
from reflekt.core.names import check_folder_component
from reflekt.core.profiles import Profile
from reflekt.core.progress import Progress, no_progress
from reflekt.core.project import Project
from reflekt.core.readfile import UnreadableFileError, read_regular
from reflekt.core.refs import may_have_refs, resolve_document
from reflekt.core.registries.base import PullResult, PushResult, RemoteSchema
from reflekt.core.registries.folders import case_notes, local_event_name, one_name_per_folder
from reflekt.core.registries.http import RetryPolicy
from reflekt.core.registries.protocol import BaseVersions, Registry, RegistryContext, Versions
from reflekt.core.registries.segment_convert import RULE_TYPE_KEY
from reflekt.core.registries.table import is_registry, registry_for, registry_names
from reflekt.core.safepath import PathGuard
from reflekt.core.schemas import Version, dump_schema, parse_schema_text
from reflekt.core.select import SelectPath, resolve_select


def parse_registry_select(select: str, *, command: str) -> SelectPath:
    """A select naming at least `<registry>/<plan or branch>`."""
    sel = SelectPath.parse(select)
    if not is_registry(sel.registry):
        forms = " or ".join(
            f"{name}/<{registry_for(name).plan_kind.split()[-1]}>" for name in registry_names()
        )
        raise SelectError(
            f"--select '{select}' must start with a registry: {forms}",
            hint=f"e.g. reflekt {command} --select segment/ecommerce",
        )
    assert sel.registry is not None
    if sel.plan is None:
        kind = registry_for(sel.registry).plan_kind
        raise SelectError(
            f"--select '{select}' names no {kind}: use {sel.registry}/<{kind.split()[-1]}>",
        )
    problem = check_folder_component(sel.plan, what="plan name")
    if problem is not None:
        raise SelectError(
            f"--select {select!r}: {problem}",
            hint="the plan (or branch) is a folder under schemas/<registry>/",
        )
    if sel.version is not None and Version.try_parse(sel.version) is None:
        raise SelectError(f"--select '{select}': '{sel.version}' is not a version such as 1-0")
    if len(sel.parts) > 4:
        raise SelectError(f"--select '{select}' has too many parts (registry/plan/event/version)")
    return sel


def _one_per_file(
    remotes: list[RemoteSchema],
    notes: list[str],
    local_name: Callable[[str], str | None] | None = None,
) -> list[RemoteSchema]:
    """Keep one remote event per schema file; say which ones were left out, and why.

    Two registry events can map to one file: a TRACK rule and a PAGE rule both keyed "Home"
    (Segment tells rules apart by type), or two Avo events whose names differ only by spaces
    and underscores. The one whose name alone says its type is kept (the TRACK rule "Home",
    the keyless PAGE rule "Page"); the others are noted, never silently overwritten.
    Events of different names that share a folder (`Cart Viewed`, `Cart_Viewed`), or whose
    folder holds another local event (`local_name`), are left out first (`folders`).
    """
    remotes = one_name_per_folder(remotes, notes, describe=_describe, local_name=local_name)
    notes.extend(case_notes(remotes))
    groups: dict[tuple[str, Version], list[RemoteSchema]] = defaultdict(list)
    for remote in remotes:
        groups[(remote.event_folder, remote.version)].append(remote)
    kept: list[RemoteSchema] = []
    for (_folder, version), group in groups.items():
        if len(group) > 1:
            group = sorted(group, key=_precedence)
            path = f"{group[0].event_key}/{version}.json"
            for other in group[1:]:
                notes.append(
                    f"not pulled: {_describe(other)}, because {_describe(group[0])} uses the same "
                    f"file schemas/{path}"
                )
        kept.append(group[0])
    return kept


def _precedence(remote: RemoteSchema) -> tuple[int, str]:
    """Events whose name alone says their type first (no rule-type marker in metadata)."""
    metadata = remote.body.get("metadata")
    marked = isinstance(metadata, dict) and RULE_TYPE_KEY in metadata
    return (1 if marked else 0, remote.name)


def _describe(remote: RemoteSchema) -> str:
    return registry_for(remote.registry).describe(remote)


def fetch_remote(
    project: Project,
    profile: Profile | None,
    registry: str,
    plan: str,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
    notes: list[str] | None = None,
    local_name: Callable[[str], str | None] | None = None,
    *,
    plan_type: str | None = None,
) -> list[RemoteSchema]:
    """Every event of one plan (or branch) of `registry`, as Reflekt schemas.

    At most one event per schema file: events left out are described in `notes`.
    `local_name(event_key)`: the event a local folder holds (pull passes it: never replace).
    """
    context = RegistryContext(project, profile, policy, plan_type)
    return _fetch(registry_for(registry), context, plan, progress or no_progress, notes, local_name)


def _fetch(
    registry: Registry,
    context: RegistryContext,
    plan: str,
    progress: Progress,
    notes: list[str] | None = None,
    local_name: Callable[[str], str | None] | None = None,
) -> list[RemoteSchema]:
    notes = notes if notes is not None else []
    return _one_per_file(registry.pull(context, plan, progress), notes, local_name)


def in_scope(remote: RemoteSchema, sel: SelectPath) -> bool:
    """Whether a remote event is inside a select (event folder, version major)."""
    if sel.event is not None and remote.event_folder != sel.event:
        return False
    if sel.version is not None:
        wanted = Version.parse(sel.version)
        return remote.version.major == wanted.major
    return True


def local_versions(schemas_dir: Path, event_dir: str) -> list[Version]:
    """The versions of one event folder on disk (`segment/shop/Cart_Viewed`), sorted."""
    folder = schemas_dir / event_dir
    if not folder.is_dir():
        return []
    versions = [Version.try_parse(path.name) for path in folder.glob("*.json")]
    return sorted(v for v in versions if v is not None)


def pull(
    project: Project,
    profile: Profile,
    select: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
    plan_type: str | None = None,
) -> PullResult:
    """Bring a plan/branch (or part of it) into `schemas/`. See the module docstring."""
    progress = progress or no_progress
    sel = parse_registry_select(select, command="pull")
    assert sel.registry is not None and sel.plan is not None
    registry = registry_for(sel.registry)
    notes: list[str] = []
    schemas_dir = project.schemas_dir
    guard = PathGuard(project.root)
    plan_dir = guard.ensure(schemas_dir / sel.registry / sel.plan, what="pull into")
    remotes = _fetch(
        registry,
        RegistryContext(project, profile, policy, plan_type),
        sel.plan,
        progress,
        notes,
        local_name=lambda event_key: local_event_name(schemas_dir / event_key),
    )
    chosen = [remote for remote in remotes if in_scope(remote, sel)]
    if not chosen and sel.event is not None:
        raise SelectError(
            f"no event '{sel.event}'{' version ' + sel.version if sel.version else ''} in "
            f"{sel.registry}/{sel.plan}",
            hint="event folders use the event name with spaces as _ (Cart_Viewed)",
        )
    targets: dict[Path, str] = {}
    bodies: dict[Path, dict[str, Any]] = {}
    notes.extend(note for remote in chosen for note in remote.notes)
    for remote in sorted(chosen, key=lambda r: (r.event_folder, r.version)):
        event_dir = f"{remote.registry}/{remote.plan}/{remote.event_folder}"
        version = registry.pulled_version(remote, local_versions(schemas_dir, event_dir))
        schema_id = f"{event_dir}/{version}.json"
        guard.ensure(schemas_dir / schema_id, within=plan_dir, what="write")
        body = dict(remote.body)
        body["$id"] = schema_id
        body["self"] = {**body["self"], "version": str(version)}
        targets[schemas_dir / schema_id] = dump_schema(body)
        bodies[schemas_dir / schema_id] = body
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    changed: dict[Path, str] = {}
    details: dict[str, list] = {}
    for path, text in targets.items():
        schema_id = path.relative_to(schemas_dir).as_posix()
        try:
            current = read_regular(path).decode("utf-8")  # a FIFO there: no hang
        except FileNotFoundError:
            created.append(schema_id)
            changed[path] = text
            continue
        except (OSError, UnicodeDecodeError, UnreadableFileError):
            current = None
        if current == text or _same_inlined(current, text, schemas_dir):
            unchanged.append(schema_id)  # a file whose `$ref`s inline to the pull: kept
        else:
            updated.append(schema_id)
            changed[path] = text
            details[schema_id], unusable = _file_changes(schema_id, current, bodies[path], project)
            if unusable is not None:
                notes.append(unusable)
    if not dry_run and changed:
        progress(0, len(changed), "writing files")
        write_all_atomic(changed, root=project.root)  # staged, journaled, locked
        progress(len(changed), len(changed), "writing files")
    return PullResult(
        sel.registry,
        sel.plan,
        tuple(created),
        tuple(updated),
        tuple(unchanged),
        dry_run,
        tuple(notes),
        details,
    )


def _same_inlined(current: str | None, text: str, schemas_dir: Path) -> bool:
    """Whether a local file that references shared definitions is, with them inlined,
    exactly what the pull would write: then it stays as it is (its `$ref`s kept)."""
    if current is None or not may_have_refs(current):
        return False
    body, problems = parse_schema_text(current)
    if body is None or problems:
        return False
    resolution = resolve_document(body, schemas_dir)
    if resolution.problems or not resolution.origins:
        return False
    try:
        return dump_schema(resolution.body) == text
    except SchemaFileError:
        return False


def _file_changes(
    schema_id: str, current: str | None, pulled: dict[str, Any], project: Project
) -> tuple[list, str | None]:
    """What a pull changes in a local file (diff local -> registry; [] for layout only),
    and a note when the local file could not be compared: not readable, not parsed (e.g. a
    key given twice) or not a JSON Schema the diff can read. Its content is then in no
    change list, so the note says it was replaced, and why."""
    from reflekt.core.diff import DiffSettings, diff_schemas

    if current is None:
        return [], f"schemas/{schema_id}: the local file was not readable; replaced"
    local, problems = parse_schema_text(current)
    if local is None:
        problem = problems[-1] if problems else None
        why = f" ({problem.message}, line {problem.line})" if problem else ""
        return [], f"schemas/{schema_id}: the local file was not usable{why}; replaced"
    try:
        return diff_schemas(local, pulled, DiffSettings.of(project)), None
    except (TypeError, ValueError, AttributeError, IndexError, KeyError, RecursionError) as exc:
        return [], (
            f"schemas/{schema_id}: the local file is not a JSON Schema the diff can read "
            f"({type(exc).__name__}: {exc}); replaced"
        )


SHOWN_LINT_ERRORS = 3


def _lint_errors(project: Project, files: list[Path]) -> tuple[int, list[str]]:
    """How many lint errors the selection has, and the first few as `file:line: RFxxx msg`."""
    from reflekt.core.lint import lint_project
    from reflekt.core.lint.findings import SEVERITY_ERROR, sort_key

    # The lint index answers for unchanged files (REFLEKT_NO_CACHE / --no-cache turn it off).
    report = lint_project(project, paths=files, cache=True, whole_project=False)
    errors = [f for f in sorted(report.findings, key=sort_key) if f.severity == SEVERITY_ERROR]
    shown = [
        f"{f.file}{':' + str(f.line) if f.line else ''}: {f.rule} {f.message}"
        for f in errors[:SHOWN_LINT_ERRORS]
    ]
    return len(errors), shown


def push(
    project: Project,
    profile: Profile | None,
    selects: list[str],
    *,
    force: bool = False,
    delete: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
    plan_type: str | None = None,
    to_dir: Path | None = None,
) -> PushResult:
    """Publish the selected schemas to their registry (or delete them with `delete=True`).

    `to_dir`: write them as a static registry in that folder instead (Iglu; no profile
    needed)."""
    progress = progress or no_progress
    if not selects:
        raise SelectError("push needs --select segment/<plan>[/<Event>[/<M-m>]]")
    parsed = [parse_registry_select(select, command="push") for select in selects]
    names = list(dict.fromkeys(str(sel.registry) for sel in parsed))  # parsed: never None
    for name in names:
        refused = registry_for(name).push_refused()
        if refused is not None:
            raise refused
    plans = {str(sel.plan) for sel in parsed}
    if len(plans) != 1:
        raise SelectError(
            f"push works on one tracking plan at a time (got {', '.join(sorted(plans))})"
        )
    if len(names) != 1:
        raise SelectError(f"push works on one registry at a time (got {', '.join(sorted(names))})")
    registry = registry_for(names[0])
    if to_dir is not None and not getattr(registry, "writes_folders", False):
        raise SelectError(
            f"--to-dir writes a static Iglu registry: {names[0]} takes no --to-dir",
            hint="use it with --select iglu/<vendor>",
        )
    plan_name = parsed[0].plan
    assert plan_name is not None
    files = resolve_select(project.schemas_dir, [sel.text for sel in parsed])
    lint_errors = 0
    if not delete:
        progress(0, len(files), "linting the selection")
        lint_errors, shown = _lint_errors(project, files)
        if lint_errors and not force:
            more = lint_errors - len(shown)
            listing = "".join(f"\n  {line}" for line in shown)
            if more:
                listing += f"\n  ... and {more} more"
            raise PushRefusedError(
                f"push refused: {lint_errors} lint error(s) in the selection:{listing}",
                hint=f"run `reflekt lint --select {' --select '.join(selects)}` and fix them, "
                "or push anyway with --force",
            )
    context = RegistryContext(project, profile, policy, plan_type, to_dir)
    job = registry.push_preview if dry_run else registry.push
    result = job(context, plan_name, files, delete=delete, progress=progress)
    if delete:
        return result
    return dataclasses.replace(result, lint_errors=lint_errors, forced=bool(lint_errors and force))


def push_preview(
    project: Project,
    profile: Profile | None,
    selects: list[str],
    *,
    force: bool = False,
    delete: bool = False,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
    plan_type: str | None = None,
    to_dir: Path | None = None,
) -> PushResult:
    """What `push` would do (the same checks), sending nothing: `push(..., dry_run=True)`."""
    return push(
        project,
        profile,
        selects,
        force=force,
        delete=delete,
        dry_run=True,
        progress=progress,
        policy=policy,
        plan_type=plan_type,
        to_dir=to_dir,
    )


def plans_base(
    context: RegistryContext, selects: Sequence[str], progress: Progress
) -> BaseVersions:
    """The events of the plans (or branches) the selects name, as a compare base.

    Each plan is fetched once. A plan the registry does not have (PlanNotFoundError) is an
    empty base: a push would create it, so against it every local event is new.
    """
    parsed = [parse_registry_select(select, command="diff") for select in selects]
    by_plan: dict[tuple[str, str], list[SelectPath]] = defaultdict(list)
    for sel in parsed:
        assert sel.registry is not None and sel.plan is not None
        by_plan[(sel.registry, sel.plan)].append(sel)
    versions: Versions = defaultdict(dict)
    labels: list[str] = []
    for (registry, plan), sels in sorted(by_plan.items()):
        try:
            remotes = _fetch(registry_for(registry), context, plan, progress)
        except PlanNotFoundError:
            labels.append(f"{registry}/{plan} (not in the registry yet)")  # a plan, a vendor
            continue
        labels.append(f"{registry}/{plan}")
        for remote in remotes:
            if any(in_scope(remote, sel) for sel in sels):
                schema_id = f"{remote.event_key}/{remote.version}.json"
                versions[remote.event_key][remote.version] = (schema_id, remote.body)
    return BaseVersions(versions, ", ".join(labels))


class PlanPushes:
    """`compare_base`, `push_preview` and `push` of a registry that compares against its
    plans and whose one `_push(..., dry_run=)` does both (Segment, Iglu; Avo's refuses): a
    preview takes every step of a push but the sending, so it cannot tell another story."""

    def _push(
        self,
        context: RegistryContext,
        plan: str,
        files: Sequence[Path],
        *,
        delete: bool,
        dry_run: bool,
        progress: Progress,
    ) -> PushResult:
        raise NotImplementedError

    def compare_base(
        self, context: RegistryContext, selects: Sequence[str], progress: Progress
    ) -> BaseVersions:
        return plans_base(context, selects, progress)

    def push_preview(
        self,
        context: RegistryContext,
        plan: str,
        files: Sequence[Path],
        *,
        delete: bool,
        progress: Progress,
    ) -> PushResult:
        return self._push(context, plan, files, delete=delete, dry_run=True, progress=progress)

    def push(
        self,
        context: RegistryContext,
        plan: str,
        files: Sequence[Path],
        *,
        delete: bool,
        progress: Progress,
    ) -> PushResult:
        return self._push(context, plan, files, delete=delete, dry_run=False, progress=progress)
