"""Pull and push: move schemas between the project and a registry.

Why here and not in the commands: the CLI and the TUI palette run the same jobs.

- `pull(project, profile, select, dry_run=False, progress=None, policy=None) -> PullResult`
  Fetches and converts everything first, then writes every changed file at once
  (`write_all_atomic`): a failure half-way leaves the project as it was. Unchanged files are
  not touched (byte-identical output). A Segment rule of version M updates the highest local
  minor `M-k` of that event when one exists (so a pushed `1-1` pulls back into `1-1`), else
  creates `M-0`.
- `push(project, profile, selects, *, force=False, delete=False, dry_run=False, progress=None,
  policy=None) -> PushResult`
  Segment only. Lints the selection first (refuses on lint errors unless `force`), pushes the
  highest minor of each major (version = MAJOR), creates the plan when missing, PATCHes only
  new or changed rules in batches of 200. `delete=True` removes the selected rules instead.
- `fetch_remote(project, profile, registry, plan, progress=None, policy=None)
  -> list[RemoteSchema]`: every event of a plan/branch, converted (used by diff).

Segment plans are found by name among the plans of one type, `plan_type=` (LIVE by default,
`--plan-type` in the commands): a library or template sharing a live plan's name is never
picked. Push writes each rule onto the one the plan stores (`segment_convert`): only what
Reflekt owns changes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reflekt.core.errors import EXIT_FINDINGS, ReflektError, SelectError
from reflekt.core.fsutil import write_all_atomic
from reflekt.core.profiles import AvoRegistryConfig, Profile, SegmentRegistryConfig
from reflekt.core.project import Project
from reflekt.core.readfile import UnreadableFileError, read_regular
from reflekt.core.registries.avo import AvoClient, export_to_remotes
from reflekt.core.registries.base import (
    Progress,
    PullResult,
    PushResult,
    RemoteSchema,
    no_progress,
)
from reflekt.core.registries.folders import case_notes, local_event_name, one_name_per_folder
from reflekt.core.registries.http import RegistryNotFoundError, RetryPolicy
from reflekt.core.registries.names import check_folder_component
from reflekt.core.registries.segment import DEFAULT_PLAN_TYPE, PLAN_TYPES, SegmentClient
from reflekt.core.registries.segment_convert import (
    RULE_TYPE_KEY,
    implied_type,
    rule_identity,
    rule_label,
    rule_to_remote,
    schema_to_rule,
)
from reflekt.core.safepath import PathGuard
from reflekt.core.schemas import (
    SchemaId,
    Version,
    dump_schema,
    load_schema,
    parse_schema_text,
    relative_id,
)
from reflekt.core.select import SelectPath, resolve_select

REGISTRIES = ("segment", "avo")


class PushRefusedError(ReflektError):
    """Push refused because the selection has lint errors (exit 1, like lint findings)."""

    exit_code = EXIT_FINDINGS


class PlanNotFoundError(RegistryNotFoundError):
    """No Segment tracking plan of that name: an error for pull, an empty plan for diff."""


SHOWN_PLANS = 10


def plan_type_of(value: str | None) -> str:
    """A `--plan-type` value, upper-cased and checked (LIVE when not given)."""
    kind = (value or DEFAULT_PLAN_TYPE).strip().upper()
    if kind not in PLAN_TYPES:
        raise SelectError(
            f"--plan-type '{value}' is not a Segment tracking plan type",
            hint=f"use one of {', '.join(PLAN_TYPES)} (LIVE is the default)",
        )
    return kind


def _find_plan(
    client: SegmentClient, name: str, plan_type: str, progress: Progress | None = None
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The plan of that name and type (never a library or template of the same name when
    LIVE is asked for), and the plans of that type."""
    plans = client.list_plans(plan_type, progress)  # a rate-limit wait shows on the line
    return next((p for p in plans if p.get("name") == name), None), plans


def _plan_of_type_missing(
    client: SegmentClient, name: str, plans: list[dict[str, Any]], plan_type: str
) -> PlanNotFoundError:
    """No plan of that name and type: point at a plan of that name of another type."""
    others = sorted(
        {str(p.get("type")) for p in client.list_plans() if p.get("name") == name} - {plan_type}
    )
    if not others:
        error = _plan_missing(name, plans)
        if plan_type != DEFAULT_PLAN_TYPE:
            error.message = error.message.replace(" named ", f" of type {plan_type} named ", 1)
            error.args = (error.message,)
        return error
    return PlanNotFoundError(
        f"Segment: no {plan_type} tracking plan named '{name}' in the workspace "
        f"(there is a {' and a '.join(others)} plan of that name)",
        hint=f"choose it with --plan-type {others[0]}",
    )


def _plan_missing(name: str, plans: list[dict[str, Any]]) -> PlanNotFoundError:
    """No plan of that name: say which plans the token does see."""
    names = sorted(str(p.get("name")) for p in plans if p.get("name"))
    if not names:
        hint = "the token sees no tracking plan: check that it belongs to the right workspace"
    else:
        more = f", ... ({len(names)} in all)" if len(names) > SHOWN_PLANS else ""
        close = [n for n in names if n.lower() == name.lower()]
        shown = ", ".join(names[:SHOWN_PLANS]) + more
        hint = f"did you mean '{close[0]}'? (names are case-sensitive)" if close else None
        hint = hint or f"plans the token sees: {shown}"
    return PlanNotFoundError(
        f"Segment: no tracking plan named '{name}' in the workspace", hint=hint
    )


def parse_registry_select(select: str, *, command: str) -> SelectPath:
    """A select naming at least `<registry>/<plan or branch>`."""
    sel = SelectPath.parse(select)
    if sel.registry not in REGISTRIES:
        raise SelectError(
            f"--select '{select}' must start with a registry: segment/<plan> or avo/<branch>",
            hint=f"e.g. reflekt {command} --select segment/ecommerce",
        )
    if sel.plan is None:
        kind = "tracking plan" if sel.registry == "segment" else "branch"
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


def _segment(profile: Profile, policy: RetryPolicy | None) -> SegmentClient:
    config = profile.registry("segment")
    assert isinstance(config, SegmentRegistryConfig)
    return SegmentClient(config, profile.name, policy)


def _avo(profile: Profile, policy: RetryPolicy | None) -> AvoClient:
    config = profile.registry("avo")
    assert isinstance(config, AvoRegistryConfig)
    return AvoClient(config, profile.name, policy)


def avo_branch_id(project: Project, branch: str) -> str:
    if branch in project.avo_branches:
        return project.avo_branches[branch]
    known = ", ".join(sorted(project.avo_branches))
    raise SelectError(
        f"unknown Avo branch '{branch}' (known: {known})",
        hint="map its name to the branch id under registry.avo.branches in reflekt_project.yml",
        file=project.config_path,
    )


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
    metadata = remote.body.get("metadata") if isinstance(remote.body.get("metadata"), dict) else {}
    return (1 if RULE_TYPE_KEY in metadata else 0, remote.name)


def _describe(remote: RemoteSchema) -> str:
    if remote.registry != "segment":
        metadata = remote.body.get("metadata") or {}
        if isinstance(metadata, dict) and "avo_events" in metadata:
            kind = "user" if remote.name == "Identify" else "group"
            return f"the {kind} properties of {len(metadata['avo_events'])} Avo event(s)"
        return f"the Avo event '{remote.name}'"
    metadata = remote.body.get("metadata") if isinstance(remote.body.get("metadata"), dict) else {}
    kind = metadata.get(RULE_TYPE_KEY) or implied_type(remote.name)
    return f"the {kind} rule '{remote.name}' (version {remote.version.major})"


def fetch_remote(
    project: Project,
    profile: Profile,
    registry: str,
    plan: str,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
    notes: list[str] | None = None,
    local_name: Callable[[str], str | None] | None = None,
    *,
    plan_type: str = DEFAULT_PLAN_TYPE,
) -> list[RemoteSchema]:
    """Every event of one Segment tracking plan or Avo branch, as Reflekt schemas.

    At most one event per schema file: events left out are described in `notes`.
    `local_name(event_key)`: the event a local folder holds (pull passes it: never replace).
    """
    notes = notes if notes is not None else []
    remotes = _fetch_all(project, profile, registry, plan, progress, policy, plan_type)
    return _one_per_file(remotes, notes, local_name)


def _fetch_all(
    project: Project,
    profile: Profile,
    registry: str,
    plan: str,
    progress: Progress | None,
    policy: RetryPolicy | None,
    plan_type: str = DEFAULT_PLAN_TYPE,
) -> list[RemoteSchema]:
    progress = progress or no_progress
    if registry == "segment":
        plan_type = plan_type_of(plan_type)
        with _segment(profile, policy) as client:
            progress(f"finding tracking plan '{plan}'", 0, None)
            found, plans = _find_plan(client, plan, plan_type, progress)
            if found is None:
                raise _plan_of_type_missing(client, plan, plans, plan_type)
            rules = client.list_rules(str(found["id"]), progress)
        remotes = [rule_to_remote(rule, plan, project.vendor) for rule in rules]
        return [remote for remote in remotes if remote is not None]
    if registry == "avo":
        branch_id = avo_branch_id(project, plan)
        with _avo(profile, policy) as client:
            progress(f"exporting Avo branch '{plan}'", 0, None)
            payload = client.export(branch_id)
        return export_to_remotes(payload, plan, project.vendor)
    raise SelectError(f"unknown registry '{registry}' (use segment or avo)")


def in_scope(remote: RemoteSchema, sel: SelectPath) -> bool:
    """Whether a remote event is inside a select (event folder, version major)."""
    if sel.event is not None and remote.event_folder != sel.event:
        return False
    if sel.version is not None:
        wanted = Version.parse(sel.version)
        return remote.version.major == wanted.major
    return True


def _local_versions(schemas_dir: Path, event_dir: str) -> list[Version]:
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
    plan_type: str = DEFAULT_PLAN_TYPE,
) -> PullResult:
    """Bring a plan/branch (or part of it) into `schemas/`. See the module docstring."""
    sel = parse_registry_select(select, command="pull")
    assert sel.registry is not None and sel.plan is not None
    notes: list[str] = []
    schemas_dir = project.schemas_dir
    guard = PathGuard(project.root)
    plan_dir = guard.ensure(schemas_dir / sel.registry / sel.plan, what="pull into")
    remotes = fetch_remote(
        project,
        profile,
        sel.registry,
        sel.plan,
        progress,
        policy,
        notes,
        local_name=lambda event_key: local_event_name(schemas_dir / event_key),
        plan_type=plan_type,
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
    for remote in sorted(chosen, key=lambda r: (r.event_folder, r.version)):
        event_dir = f"{remote.registry}/{remote.plan}/{remote.event_folder}"
        version = remote.version
        if remote.registry == "segment":
            same_major = [
                v for v in _local_versions(schemas_dir, event_dir) if v.major == version.major
            ]
            if same_major:
                version = same_major[-1]
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
        if current == text:
            unchanged.append(schema_id)
        else:
            updated.append(schema_id)
            changed[path] = text
            details[schema_id], unusable = _file_changes(schema_id, current, bodies[path], project)
            if unusable is not None:
                notes.append(unusable)
    if not dry_run and changed:
        (progress or no_progress)("writing files", 0, len(changed))
        write_all_atomic(changed, root=project.root)  # staged, journaled, locked
        (progress or no_progress)("writing files", len(changed), len(changed))
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


@dataclass(frozen=True)
class _LocalRule:
    label: str
    rule: dict[str, Any]
    body: dict[str, Any]
    schema_id: str


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


SHOWN_LINT_ERRORS = 3


def _lint_errors(project: Project, files: list[Path]) -> tuple[int, list[str]]:
    """How many lint errors the selection has, and the first few as `file:line: RFxxx msg`."""
    from reflekt.core.lint import lint_project
    from reflekt.core.lint.findings import SEVERITY_ERROR, sort_key

    report = lint_project(project, paths=files)
    errors = [f for f in sorted(report.findings, key=sort_key) if f.severity == SEVERITY_ERROR]
    shown = [
        f"{f.file}{':' + str(f.line) if f.line else ''}: {f.rule} {f.message}"
        for f in errors[:SHOWN_LINT_ERRORS]
    ]
    return len(errors), shown


def _local_rules(project: Project, files: list[Path]) -> tuple[list[_LocalRule], list[str]]:
    """The rules to push: per event and major, the highest minor. Plus notes on collapsing."""
    by_event: dict[str, dict[int, list[tuple[Version, Path]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for path in files:
        schema_id = relative_id(path, project.schemas_dir)
        version = schema_id.version
        if version is None:
            raise SelectError(
                f"{schema_id}: the file name is not a version such as 1-0.json", file=path
            )
        by_event[schema_id.event_key][version.major].append((version, path))
    rules: list[_LocalRule] = []
    notes: list[str] = []
    for event_key in sorted(by_event):
        for major in sorted(by_event[event_key]):
            versions = sorted(by_event[event_key][major])
            version, path = versions[-1]
            folder = event_key.rsplit("/", 1)[-1]
            if len(versions) > 1:
                listed = ", ".join(str(v) for v, _ in versions)
                notes.append(f"{folder}: {listed} -> pushed {version} as version {major}")
            newer = [
                v
                for v in _local_versions(project.schemas_dir, event_key)
                if v.major == major and v > version
            ]
            if newer:
                notes.append(
                    f"{folder}: pushed {version} as version {major}, although "
                    f"{', '.join(str(v) for v in newer)} exists locally (not selected)"
                )
            doc = load_schema(path, project.schemas_dir)
            assert doc.body is not None
            rule = schema_to_rule(doc.body, major)
            rules.append(
                _LocalRule(rule_label(rule), rule, doc.body, str(SchemaId(doc.schema_id.path)))
            )
    return rules, notes


def push(
    project: Project,
    profile: Profile,
    selects: list[str],
    *,
    force: bool = False,
    delete: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
    plan_type: str = DEFAULT_PLAN_TYPE,
) -> PushResult:
    """Publish the selected schemas to Segment (or delete them with `delete=True`)."""
    progress = progress or no_progress
    if not selects:
        raise SelectError("push needs --select segment/<plan>[/<Event>[/<M-m>]]")
    parsed = [parse_registry_select(select, command="push") for select in selects]
    if any(sel.registry == "avo" for sel in parsed):
        raise SelectError(
            "push to Avo is not supported: the Avo tracking plan is edited in Avo",
            hint="use `reflekt pull --select avo/<branch>` to bring Avo changes into git",
        )
    plans = {sel.plan for sel in parsed}
    if len(plans) != 1:
        raise SelectError(
            f"push works on one tracking plan at a time (got {', '.join(sorted(plans))})"
        )
    plan_name = parsed[0].plan
    assert plan_name is not None
    files = resolve_select(project.schemas_dir, [sel.text for sel in parsed])
    lint_errors = 0
    if not delete:
        progress("linting the selection", 0, len(files))
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
    local, notes = _local_rules(project, files)
    with _segment(profile, policy) as client:
        progress(f"finding tracking plan '{plan_name}'", 0, None)
        plan_type = plan_type_of(plan_type)
        plan, plans = _find_plan(client, plan_name, plan_type, progress)
        existing: dict[tuple[str, str, int], dict[str, Any]] = {}
        if plan is not None:
            for rule in client.list_rules(str(plan["id"]), progress):
                existing[rule_identity(rule)] = rule
        if delete:
            if plan is None:
                raise _plan_of_type_missing(client, plan_name, plans, plan_type)
            doomed = [item for item in local if rule_identity(item.rule) in existing]
            doomed = [item for item in doomed if item.rule["type"] != "COMMON"]
            if not dry_run and doomed:
                client.delete_rules(str(plan["id"]), [item.rule for item in doomed], progress)
            return PushResult(
                "segment",
                plan_name,
                deleted=tuple(item.label for item in doomed),
                dry_run=dry_run,
                requests=client.http.calls,
            )
        created: list[_LocalRule] = []
        updated: list[_LocalRule] = []
        unchanged: list[_LocalRule] = []
        details: dict[str, Any] = {}
        for item in local:
            remote = existing.get(rule_identity(item.rule))
            if remote is None:
                created.append(item)
                continue
            item = _onto_stored(item, remote)
            if _canonical(remote.get("jsonSchema")) == _canonical(item.rule["jsonSchema"]):
                unchanged.append(item)
            else:
                updated.append(item)
                details[item.label] = _rule_changes(remote, item, plan_name, project)
        plan_created = plan is None
        if not dry_run and (created or updated):
            if plan is None:
                progress(f"creating tracking plan '{plan_name}'", 0, None)
                plan = client.create_plan(plan_name, plan_type)
            client.upsert_rules(
                str(plan["id"]), [item.rule for item in (*created, *updated)], progress
            )
        return PushResult(
            "segment",
            plan_name,
            created=tuple(item.label for item in created),
            updated=tuple(item.label for item in updated),
            unchanged=tuple(item.label for item in unchanged),
            collapsed=tuple(notes),
            plan_created=plan_created and (bool(created or updated) or dry_run),
            dry_run=dry_run,
            lint_errors=lint_errors,
            forced=bool(lint_errors and force),
            requests=client.http.calls,
            details=details,
        )


def _onto_stored(item: _LocalRule, stored: dict[str, Any]) -> _LocalRule:
    """The local rule written onto the one the plan stores: only what Reflekt owns changes.

    Root keywords, `context`, `traits` and unknown keywords set in Segment's editor stay as
    they are; an untouched rule comes out byte-for-byte as Segment stores it (so it is not
    sent), an edited one differs only where the schema file does.
    """
    rule = schema_to_rule(item.body, int(item.rule["version"]), stored)
    return _LocalRule(item.label, rule, item.body, item.schema_id)


def _rule_changes(
    remote_rule: dict[str, Any], item: _LocalRule, plan: str, project: Project
) -> list:
    """The diff (as Change objects) a push would apply to one existing rule."""
    from reflekt.core.diff import DiffSettings, diff_schemas

    remote = rule_to_remote(remote_rule, plan, project.vendor)
    if remote is None:
        return []
    return diff_schemas(remote.body, item.body, DiffSettings.of(project))
