"""Segment as a `Registry`: tracking plans found by name and type, rules pulled and pushed.

Why here: what is Segment's own (plan types, rule versions = MAJOR, PATCH of only what
changed, rules written onto the ones the plan stores) stays out of the generic jobs in `sync`.

Segment plans are found by name among the plans of one type, `plan_type=` (LIVE by default,
`--plan-type` in the commands): a library or template sharing a live plan's name is never
picked. Push sends the highest minor of each major (version = MAJOR), creates the plan when
missing, PATCHes only new or changed rules in batches of 200; `delete=True` removes the
selected rules instead. Each rule is written onto the one the plan stores
(`segment_convert`): only what Reflekt owns changes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reflekt.core.errors import PlanNotFoundError, ReflektError, SelectError
from reflekt.core.platforms.segment import DEFAULT_PLAN_TYPE, PLAN_TYPES
from reflekt.core.profiles import RegistryConfig, SegmentRegistryConfig
from reflekt.core.progress import Progress
from reflekt.core.project import Project
from reflekt.core.refs import reads_shared
from reflekt.core.registries.base import PushResult, RemoteSchema
from reflekt.core.registries.http import RetryPolicy
from reflekt.core.registries.protocol import RegistryContext
from reflekt.core.registries.segment import SegmentClient
from reflekt.core.registries.segment_convert import (
    RULE_TYPE_KEY,
    implied_type,
    rule_identity,
    rule_label,
    rule_to_remote,
    schema_to_rule,
)
from reflekt.core.registries.sync import PlanPushes, local_versions
from reflekt.core.schemas import SchemaId, Version, load_schema, relative_id

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


def _client(context: RegistryContext) -> SegmentClient:
    if context.profile is None:
        raise SelectError("a Segment job needs a profile")
    config = context.profile.registry("segment")
    if not isinstance(config, SegmentRegistryConfig):  # pragma: no cover - profiles' job
        raise SelectError(f"profile '{context.profile.name}': the segment registry is not one")
    return SegmentClient(config, context.profile.name, context.policy)


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
    hint: str | None
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


@dataclass(frozen=True)
class _LocalRule:
    label: str
    rule: dict[str, Any]
    body: dict[str, Any]
    schema_id: str


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@reads_shared
def _local_rules(project: Project, files: Sequence[Path]) -> tuple[list[_LocalRule], list[str]]:
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
                for v in local_versions(project.schemas_dir, event_key)
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


class SegmentRegistry(PlanPushes):
    """Segment Protocols tracking plans (`segment/<plan>/...`)."""

    name = "segment"
    plan_kind = "tracking plan"

    def check(
        self, config: RegistryConfig, profile_name: str | None, policy: RetryPolicy | None
    ) -> str:
        assert isinstance(config, SegmentRegistryConfig)
        with SegmentClient(config, profile_name, policy) as client:
            return client.check()

    def pull(self, context: RegistryContext, plan: str, progress: Progress) -> list[RemoteSchema]:
        plan_type = plan_type_of(context.plan_type)
        with _client(context) as client:
            progress(0, None, f"finding tracking plan '{plan}'")
            found, plans = _find_plan(client, plan, plan_type, progress)
            if found is None:
                raise _plan_of_type_missing(client, plan, plans, plan_type)
            rules = client.list_rules(str(found["id"]), progress)
        remotes = [rule_to_remote(rule, plan, context.project.vendor) for rule in rules]
        return [remote for remote in remotes if remote is not None]

    def pulled_version(self, remote: RemoteSchema, local: Sequence[Version]) -> Version:
        """Rule version M updates the highest local minor `M-k` when one exists (a pushed
        `1-1` pulls back into `1-1`), else lands in `M-0`."""
        same_major = [v for v in local if v.major == remote.version.major]
        return max(same_major) if same_major else remote.version

    def describe(self, remote: RemoteSchema) -> str:
        metadata = remote.body.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        kind = metadata.get(RULE_TYPE_KEY) or implied_type(remote.name)
        return f"the {kind} rule '{remote.name}' (version {remote.version.major})"

    def push_refused(self) -> ReflektError | None:
        return None

    def _push(
        self,
        context: RegistryContext,
        plan_name: str,
        files: Sequence[Path],
        *,
        delete: bool,
        dry_run: bool,
        progress: Progress,
    ) -> PushResult:
        project = context.project
        local, notes = _local_rules(project, files)
        with _client(context) as client:
            progress(0, None, f"finding tracking plan '{plan_name}'")
            plan_type = plan_type_of(context.plan_type)
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
                    delete=True,
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
                    progress(0, None, f"creating tracking plan '{plan_name}'")
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
                requests=client.http.calls,
                details=details,
            )
