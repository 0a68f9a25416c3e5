"""Compare a selection of local schemas with a registry or a git ref: the `reflekt diff` job.

`compare(project, profile, selects, against=None, progress=None, policy=None, *,
plan_type=None) -> DiffReport`

The base is a `protocol.CompareBase`, chosen by `compare_base_for(against)`:
- `against=None`: `RegistriesBase`, the registry named by each select's first part (its
  `compare_base`); only the plans or branches concerned are fetched (once each).
- `against="git:REF"`: `git_base.GitBase`, the same files at a git ref (no network, no
  profile needed): the pull-request check in CI; `git:REF...` is the merge-base of REF and
  HEAD (as `git diff REF...`).
- `staged=True`: the local side is the index, not the working tree (base: HEAD unless
  `against` names a git ref); `changed=True`: only the events whose files differ from the
  git base (base: HEAD unless `against` names one), so a hook reads a handful of files.

Per event, the latest local version is compared with the base version: the same version when
the base has it (an in-place edit), else the highest base version below it, else the highest.

Against `git:REF` (without --staged/--changed) an event whose files are byte-identical at the
ref is neither read there nor diffed (`git_base.LocalBlobs`): it is reported unchanged from
its local versions, as the full comparison (`skip_unchanged=False`, the reference the tests
hold it to) reports it.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from reflekt.core.diff import DiffReport, DiffSettings, EventDiff, event_diff, unchanged_event
from reflekt.core.diff.causes import with_causes
from reflekt.core.errors import SchemaFileError, SelectError
from reflekt.core.profiles import Profile
from reflekt.core.progress import Progress, no_progress
from reflekt.core.project import Project
from reflekt.core.refs import reads_shared
from reflekt.core.registries.git_base import GitBase, LocalBlobs, event_files, git_local
from reflekt.core.registries.http import RetryPolicy
from reflekt.core.registries.protocol import (
    BaseVersions,
    CompareBase,
    RegistryContext,
    Versions,
)
from reflekt.core.registries.sync import parse_registry_select
from reflekt.core.registries.table import registry_for
from reflekt.core.schemas import Version, load_schema, object_at
from reflekt.core.select import resolve_select

log = logging.getLogger("reflekt.diff")


@reads_shared
def compare(
    project: Project,
    profile: Profile | None,
    selects: list[str],
    against: str | None = None,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
    *,
    plan_type: str | None = None,
    staged: bool = False,
    changed: bool = False,
    skip_unchanged: bool = True,
) -> DiffReport:
    """Diff the selection against the registry (default) or `git:REF`.

    `plan_type`: the type of the Segment tracking plans compared with (LIVE by default).
    `skip_unchanged=False`: against git, read and diff every event, even those whose files
    are the same at the ref (the reference the shortcut is tested against).
    """
    progress = progress or no_progress
    selects = [s for s in selects if s] or [""]
    origins: dict[str, Mapping[Any, str]] = {}  # schema id -> what its `$ref`s inlined
    source = compare_base_for(against, git_default=staged or changed)
    if staged or changed:
        assert isinstance(source, GitBase)
        side = git_local(
            project, selects, source, staged=staged, changed=changed, progress=progress
        )
        source = replace(source, events=side.events)
        local = side.versions
        if local is None:
            local = _local(project, selects, progress, events=side.events, origins=origins)
    else:
        blobs = LocalBlobs() if skip_unchanged and isinstance(source, GitBase) else None
        local = _local(project, selects, progress, origins=origins, blobs=blobs)
        if blobs is not None:
            assert isinstance(source, GitBase)
            source = replace(source, local=blobs)
    context = RegistryContext(project, profile, policy, plan_type)
    found = source.compare_base(context, selects, progress)
    base = found.versions
    events: list[EventDiff] = []
    settings = DiffSettings.of(project)
    keys = sorted(set(local) | set(base))
    for index, key in enumerate(keys):
        progress(index, len(keys), "comparing")
        if key in found.unchanged:
            event = _unchanged(key, local[key])
        else:
            event = _event(key, local.get(key, {}), base.get(key, {}), settings)
        inlined = origins.get(event.local_id or "")
        if inlined and event.changes:
            event = replace(event, changes=with_causes(event.changes, inlined))
        events.append(event)
    progress(len(keys), len(keys), "comparing")
    return DiffReport(found.label, tuple(events), removal_breaks=found.removal_breaks)


def compare_base_for(against: str | None, *, git_default: bool = False) -> CompareBase:
    """The base an `--against` value names: None for the registries (git HEAD when
    `git_default`: --staged / --changed), `git:<ref>` or `git:<ref>...` for git."""
    if against is None:
        return GitBase("HEAD") if git_default else RegistriesBase()
    if against.startswith("git:"):
        return GitBase.parse(against[4:])
    if git_default:
        raise SelectError("--staged and --changed compare with git: use --against git:<ref>")
    raise SelectError(f"--against '{against}' is not supported: use git:<ref> (e.g. git:main)")


class RegistriesBase:
    """The registries the selects name (`segment/shop`, `avo/main`), each its own base."""

    def compare_base(
        self, context: RegistryContext, selects: Sequence[str], progress: Progress
    ) -> BaseVersions:
        if context.profile is None:
            raise SelectError("diff against a registry needs a profile")
        by_registry: dict[str, list[str]] = defaultdict(list)
        for select in selects:
            sel = parse_registry_select(select, command="diff")
            assert sel.registry is not None
            by_registry[sel.registry].append(select)
        versions: Versions = defaultdict(dict)
        labels: list[str] = []
        for name, chosen in sorted(by_registry.items()):
            found = registry_for(name).compare_base(context, chosen, progress)
            for key, by_version in found.versions.items():
                versions[key].update(by_version)
            labels.append(found.label)
        return BaseVersions(versions, ", ".join(labels))


def _name(body: dict[str, Any], key: str) -> str:
    self_block = object_at(body, "self")
    return str(self_block.get("name") or key.rsplit("/", 1)[-1].replace("_", " "))


def _event(
    key: str,
    local: dict[Version, tuple[str, dict[str, Any]]],
    base: dict[Version, tuple[str, dict[str, Any]]],
    settings: DiffSettings,
) -> EventDiff:
    local_pick = None
    local_id = None
    if local:
        version = max(local)
        local_id, body = local[version]
        local_pick = (version, body)
    base_pick = None
    if base:
        if local_pick is not None and local_pick[0] in base:
            version = local_pick[0]
        elif local_pick is not None and any(v < local_pick[0] for v in base):
            version = max(v for v in base if v < local_pick[0])
        else:
            version = max(base)
        base_pick = (version, base[version][1])
    name = _name((local_pick or base_pick)[1], key)  # type: ignore[index]
    try:
        return event_diff(key, name, local_pick, base_pick, local_id, settings)
    except (TypeError, ValueError, AttributeError, IndexError, KeyError, RecursionError) as exc:
        if local_pick and base_pick and _same(local_pick, base_pick):
            # Nothing changed: the shape the diff cannot read is lint's to report (RF102),
            # not a reason to fail the comparison of an event no one touched.
            return unchanged_event(key, name, local_pick, base_pick, local_id)
        # A file that is JSON but not JSON Schema (`"properties": [...]`, `"type": false`):
        # the diff assumes shapes that lint checks (RF102). Say which event, not "a bug".
        log.warning("diff of %s failed", key, exc_info=True)
        raise SchemaFileError(
            f"cannot compare {key}: a version of it is not a JSON Schema the diff can read "
            f"({type(exc).__name__}: {exc})",
            file=f"schemas/{local_id}" if local_id else None,
            hint=f"`reflekt lint --select {key}` shows what is not valid JSON Schema (RF102)",
        ) from None


def _same(local: tuple[Version, dict[str, Any]], base: tuple[Version, dict[str, Any]]) -> bool:
    """The same version with the same JSON (`1` and `true` differ, as `==` says they do not)."""
    if local[0] != base[0]:
        return False
    try:
        return json.dumps(local[1], sort_keys=True) == json.dumps(base[1], sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        return False


def _unchanged(key: str, local: dict[Version, tuple[str, dict[str, Any]]]) -> EventDiff:
    """What `_event` answers for an event whose files are the same at the base: its latest
    version compared with itself."""
    version = max(local)
    local_id, body = local[version]
    pick = (version, body)
    return unchanged_event(key, _name(body, key), pick, pick, local_id)


def _local(
    project: Project,
    selects: list[str],
    progress: Progress,
    events: tuple[str, ...] | None = None,
    origins: dict[str, Mapping[Any, str]] | None = None,
    blobs: LocalBlobs | None = None,
) -> Versions:
    if events is None:
        files = resolve_select(project.schemas_dir, [s for s in selects if s] or None)
    else:  # --changed: only these event folders are listed and read
        files = event_files(project.schemas_dir, events, selects)
    out: Versions = defaultdict(dict)
    for index, path in enumerate(files):
        if index % 200 == 0:
            progress(index, len(files), "reading local schemas")
        doc = load_schema(path, project.schemas_dir)
        version = doc.schema_id.version
        if version is None or doc.body is None:
            continue
        out[doc.schema_id.event_key][version] = (doc.schema_id.path, doc.body)
        if blobs is not None:
            blobs.add(doc.schema_id, doc.text)
        if origins is not None and doc.refs is not None:
            origins[doc.schema_id.path] = doc.refs.origins
    return out
