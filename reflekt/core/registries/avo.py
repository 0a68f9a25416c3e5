"""Avo export API: read a branch's tracking plan and convert its events to Reflekt schemas.

Why: the original crashed on free-form tags (`tag.split(": ")[1]`) and kept Avo-only keys in
the properties; this keeps only JSON Schema, and tags/categories as metadata.

- `AvoClient(config: AvoRegistryConfig, profile: str | None, policy=None)`:
  `export(branch_id) -> dict` (GET `/workspaces/{ws}/branches/{id}/export/v1`, Basic auth),
  `check() -> str`.
- `event_to_remote(event, branch, vendor, categories) -> RemoteSchema`: name, description,
  properties (without `id`, `index`, `nameMapping`, `isSystemProperty`, ...), required,
  additionalProperties; `metadata` = {tags, categories}; a variant gets its own folder
  (`<Event> - <Variant>`). Version is always `1-0`.
- `export_to_remotes(payload, branch, vendor) -> list[RemoteSchema]`: the events, plus an
  `Identify` schema gathering every event's `userProperties` and a `Group` schema gathering
  every event's `groupProperties` (see `traits_to_remote`).
- `AvoRegistry`: Avo as a `protocol.Registry` (pull and diff; a push is refused: the Avo
  tracking plan is edited in Avo). `avo_branch_id(project, branch)`: the id a name maps to.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reflekt.core.errors import ConfigError, ReflektError, SelectError
from reflekt.core.profiles import AvoRegistryConfig, RegistryConfig
from reflekt.core.progress import Progress
from reflekt.core.project import Project
from reflekt.core.registries import answers
from reflekt.core.registries.base import PushResult, RemoteSchema
from reflekt.core.registries.http import HttpClient, RetryPolicy
from reflekt.core.registries.protocol import RegistryContext
from reflekt.core.registries.segment_convert import collapse_types
from reflekt.core.registries.sync import PlanPushes
from reflekt.core.schemas import (
    Version,
    event_folder_name,
    new_schema_body,
    object_at,
    schema_id_for,
)

AVO_ONLY_KEYS = frozenset(
    {
        "id",
        "index",
        "nameMapping",
        "isSystemProperty",
        "operations",
        "customFields",
        "groupTypeId",
        "pii",
        "tags",
    }
)
AVO_VERSION = Version(1, 0)


class AvoClient:
    def __init__(
        self,
        config: AvoRegistryConfig,
        profile: str | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.config = config
        if not config.service_account_secret.reveal().strip():
            where = f" of profile '{profile}'" if profile else ""
            raise ConfigError(
                f"the Avo service_account_secret{where} is empty",
                hint="set it in reflekt_profiles.yml, or export the environment variable it reads",
            )
        self.http = HttpClient(
            config.api_url,
            registry="Avo",
            profile=profile,
            auth=(config.service_account_name, config.service_account_secret.reveal()),
            headers={"Accept-Encoding": "gzip"},
            policy=policy,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> AvoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def export(self, branch_id: str, progress: Progress | None = None) -> dict[str, Any]:
        """The branch's tracking plan (bounded like every call), shape-checked (`answers`)."""
        path = f"/workspaces/{self.config.workspace_id}/branches/{branch_id}/export/v1"
        body = self.http.request(
            "GET",
            path,
            what=f"branch '{branch_id}' of workspace '{self.config.workspace_id}'",
            progress=progress,
        )
        return answers.avo_export(body, f"GET {path}")

    def check(self) -> str:
        payload = self.export("main")
        return (
            f"Avo workspace '{self.config.workspace_id}': service account accepted, "
            f"{len(payload['events'])} event(s) on main"
        )


def clean_property(node: Any) -> Any:
    """A property schema without Avo-only keys, recursively (nested objects, items)."""
    if isinstance(node, list):
        return [clean_property(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in AVO_ONLY_KEYS:
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: clean_property(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict | list):
            out[key] = clean_property(value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _sections(rules: dict[str, Any]) -> dict[str, Any]:
    """`rules.properties` (properties, userProperties, groupProperties), or {} when odd."""
    sections = rules.get("properties")
    return sections if isinstance(sections, dict) else {}


def event_display_name(event: dict[str, Any]) -> str:
    name = str(event.get("name") or "").strip()
    variant = event.get("variantName")
    if (event.get("eventType") == "variant" or variant) and variant:
        return f"{name} - {str(variant).strip()}"
    return name


def event_to_remote(
    event: dict[str, Any], branch: str, vendor: str, categories: dict[str, Any] | None = None
) -> RemoteSchema | None:
    """Convert one exported event (None when it has no name)."""
    name = event_display_name(event)
    if not name:
        return None
    rules = object_at(event, "rules")
    section = _sections(rules).get("properties") or {}
    if not isinstance(section, dict):
        section = {}
    raw = section.get("properties")
    properties = {
        prop: collapse_types(clean_property(schema))
        for prop, schema in (raw.items() if isinstance(raw, dict) else ())
    }
    metadata: dict[str, Any] = {}
    tags = [str(tag) for tag in event.get("tags") or []]
    if tags:
        metadata["tags"] = tags
    category_names = []
    for category in event.get("categories") or []:
        info = (categories or {}).get(category) if isinstance(category, str) else None
        category_names.append(str(info.get("name")) if isinstance(info, dict) else str(category))
    if category_names:
        metadata["categories"] = category_names
    body = new_schema_body(
        schema_id_for("avo", branch, name, AVO_VERSION),
        vendor=vendor,
        name=name,
        version=AVO_VERSION,
        description=str(event.get("description") or ""),
        metadata=metadata,
        properties=properties,
        required=list(section.get("required") or []),
        additional_properties=section.get("additionalProperties", False),
    )
    return RemoteSchema("avo", branch, event_folder_name(name), name, AVO_VERSION, body)


TRAITS_SECTIONS = (
    ("userProperties", "Identify", "User properties (traits) that Avo events set on the user."),
    ("groupProperties", "Group", "Group properties that Avo events set on the group."),
)


def _section(event: dict[str, Any], key: str) -> dict[str, Any] | None:
    rules = object_at(event, "rules")
    section = _sections(rules).get(key)
    if not isinstance(section, dict) or not isinstance(section.get("properties"), dict):
        return None
    return section if section["properties"] else None


def traits_to_remote(
    events: list[dict[str, Any]], key: str, name: str, description: str, branch: str, vendor: str
) -> RemoteSchema | None:
    """One schema gathering the `userProperties` (or `groupProperties`) of every event.

    Why one schema: in Avo these are set on the user or group by the events, which is what a
    Segment identify() / group() call carries; the warehouse holds them in one table.
    - properties: the union; where events define one differently, the first event in name
      order wins (deterministic);
    - required: the properties every event carrying such properties requires;
    - additionalProperties: false only when every event says false;
    - metadata.avo_events: the events that set them (sorted).
    None when no event has any.
    """
    carried: list[tuple[str, dict[str, Any]]] = []
    for event in events:
        section = _section(event, key)
        if section is not None:
            carried.append((event_display_name(event), section))
    if not carried:
        return None
    carried.sort(key=lambda item: item[0])
    properties: dict[str, Any] = {}
    required_by: dict[str, list[bool]] = {}
    closed = True
    for _event_name, section in carried:
        required = set(section.get("required") or [])
        for prop, schema in section["properties"].items():
            properties.setdefault(prop, collapse_types(clean_property(schema)))
            required_by.setdefault(prop, []).append(prop in required)
        closed = closed and section.get("additionalProperties", False) is False
    body = new_schema_body(
        schema_id_for("avo", branch, name, AVO_VERSION),
        vendor=vendor,
        name=name,
        version=AVO_VERSION,
        description=description,
        metadata={"avo_events": sorted({event_name for event_name, _ in carried})},
        properties=properties,
        required=sorted(
            prop for prop, flags in required_by.items() if len(flags) == len(carried) and all(flags)
        ),
        additional_properties=not closed,
    )
    return RemoteSchema("avo", branch, event_folder_name(name), name, AVO_VERSION, body)


def export_to_remotes(payload: dict[str, Any], branch: str, vendor: str) -> list[RemoteSchema]:
    categories = object_at(payload, "categories")
    events = [event for event in payload.get("events") or [] if isinstance(event, dict)]
    remotes = []
    for event in events:
        remote = event_to_remote(event, branch, vendor, categories)
        if remote is not None:
            remotes.append(remote)
    for key, name, description in TRAITS_SECTIONS:
        traits = traits_to_remote(events, key, name, description, branch, vendor)
        if traits is not None:
            remotes.append(traits)  # after the events: an Avo event named Identify keeps its file
    return remotes


def avo_branch_id(project: Project, branch: str) -> str:
    """The Avo branch id a branch name maps to (`registry.avo.branches` of the project)."""
    if branch in project.avo_branches:
        return project.avo_branches[branch]
    known = ", ".join(sorted(project.avo_branches))
    raise SelectError(
        f"unknown Avo branch '{branch}' (known: {known})",
        hint="map its name to the branch id under registry.avo.branches in reflekt_project.yml",
        file=project.config_path,
    )


def _push_refused() -> SelectError:
    return SelectError(
        "push to Avo is not supported: the Avo tracking plan is edited in Avo",
        hint="use `reflekt pull --select avo/<branch>` to bring Avo changes into git",
    )


class AvoRegistry(PlanPushes):
    """Avo branches (`avo/<branch>/...`): pulled and compared; edited in Avo, never pushed."""

    name = "avo"
    plan_kind = "branch"

    def check(
        self, config: RegistryConfig, profile_name: str | None, policy: RetryPolicy | None
    ) -> str:
        assert isinstance(config, AvoRegistryConfig)
        with AvoClient(config, profile_name, policy) as client:
            return client.check()

    def pull(self, context: RegistryContext, plan: str, progress: Progress) -> list[RemoteSchema]:
        branch_id = avo_branch_id(context.project, plan)
        if context.profile is None:
            raise SelectError("an Avo job needs a profile")
        config = context.profile.registry("avo")
        assert isinstance(config, AvoRegistryConfig)
        with AvoClient(config, context.profile.name, context.policy) as client:
            progress(0, None, f"exporting Avo branch '{plan}'")
            payload = client.export(branch_id)
        return export_to_remotes(payload, plan, context.project.vendor)

    def pulled_version(self, remote: RemoteSchema, local: Sequence[Version]) -> Version:
        """Avo has no versions: every event is `1-0`."""
        return remote.version

    def describe(self, remote: RemoteSchema) -> str:
        metadata = remote.body.get("metadata") or {}
        if isinstance(metadata, dict) and "avo_events" in metadata:
            kind = "user" if remote.name == "Identify" else "group"
            return f"the {kind} properties of {len(metadata['avo_events'])} Avo event(s)"
        return f"the Avo event '{remote.name}'"

    def push_refused(self) -> ReflektError | None:
        return _push_refused()

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
        raise _push_refused()  # Avo plans are edited in Avo: push and its preview refuse
