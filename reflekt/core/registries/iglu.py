"""Snowplow Iglu as a `Registry`: `schemas/iglu/<vendor>/<name>/<M-m>.json` mirror a vendor.

Why here: what is Iglu's own (SchemaVer, immutable versions, static registries written as
files) stays out of the generic jobs in `sync`. The version mapping and the conversion are
`iglu_schemaver`'s, the HTTP `iglu_client`'s.

- Pull (`--select iglu/<vendor>[/<name>[/<M-m>]]`): every schema of the vendor, from a static
  registry or an Iglu Server; each lands in the Reflekt version the mapping gives (a file
  already recording that SchemaVer keeps it); a REVISION new to the project is reported.
- Push to an Iglu Server: each selected file becomes its Iglu schema again; versions the
  server has are compared (same JSON: unchanged; other content: an error naming the version
  to bump: Iglu versions are immutable); new ones are all validated by the server
  (`POST /api/validation/validate/schema/jsonschema`), then published in SchemaVer order
  (`PUT`), nothing published before every comparison and validation passed. Iglu has no
  transactions: a push cut off half-way leaves what it published (a prefix, in order: no
  gap), and its error names that and the rest; the same push again finds the published
  ones unchanged.
- Push `--to-dir DIR`: the same schemas written as a static registry,
  `DIR/schemas/<vendor>/<name>/jsonschema/<M-R-A>` plus the model lists
  (`.../jsonschema/<MODEL>`, sorted `iglu:` URIs, as `igluctl static s3cp` uploads), all or
  nothing; a file already there with other content is the same immutability error.
- No delete: published Iglu versions are immutable.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reflekt.core.errors import RegistryError, SchemaFileError, SchemaPublishedError, SelectError
from reflekt.core.profiles import IgluRegistryConfig, RegistryConfig
from reflekt.core.progress import Progress
from reflekt.core.project import Project
from reflekt.core.readfile import UnreadableFileError, read_regular
from reflekt.core.registries.base import PushResult, RemoteSchema
from reflekt.core.registries.http import RetryPolicy
from reflekt.core.registries.iglu_client import IgluClient, published_conflict
from reflekt.core.registries.iglu_schemaver import (
    IgluKey,
    SchemaVer,
    local_versions,
    recorded_version,
    revision_note,
    to_iglu,
    to_reflekt,
)
from reflekt.core.registries.protocol import RegistryContext
from reflekt.core.registries.sync import PlanPushes
from reflekt.core.schemas import Version, event_folder_name, load_schema, object_at, relative_id
from reflekt.core.signals import Terminated

REGISTRY = "iglu"
_FIRST_KEYS = ("$schema", "description", "self")


def _client(context: RegistryContext) -> IgluClient:
    if context.profile is None:
        raise SelectError("an Iglu job needs a profile (or, for push, --to-dir)")
    config = context.profile.registry(REGISTRY)
    assert isinstance(config, IgluRegistryConfig)
    return IgluClient(config, context.profile.name, context.policy)


# -- pull -------------------------------------------------------------------------------------


def _local_files(event_dir: Path, schemas_dir: Path) -> list[tuple[Version, Path, dict | None]]:
    """The event's local versions, sorted, with their bodies (None: not usable)."""
    if not event_dir.is_dir():
        return []
    out = []
    for path in event_dir.glob("*.json"):
        version = Version.try_parse(path.name)
        if version is None:
            continue
        doc = load_schema(path, schemas_dir)
        out.append((version, path, doc.body))
    return sorted(out, key=lambda item: item[0])


def remotes_of(
    project: Project, vendor: str, schemas: dict[IgluKey, dict[str, Any]]
) -> list[RemoteSchema]:
    """The Iglu schemas of one vendor as Reflekt schemas, in the versions the mapping gives."""
    by_name: dict[str, list[IgluKey]] = defaultdict(list)
    for key in schemas:
        by_name[key.name].append(key)
    remotes: list[RemoteSchema] = []
    for name in sorted(by_name):
        folder = event_folder_name(name)
        event_dir = project.schemas_dir / REGISTRY / vendor / folder
        recorded: dict[SchemaVer, Version] = {}
        taken: set[Version] = set()
        for version, _path, body in _local_files(event_dir, project.schemas_dir):
            schemaver = recorded_version(body) if body is not None else None
            if schemaver is not None and schemaver not in recorded:
                recorded[schemaver] = version
            elif schemaver is not None:
                taken.add(version)  # a copy recording the same SchemaVer: not that version's
        keys = sorted(by_name[name], key=lambda k: k.version)
        mapping = local_versions([key.version for key in keys], recorded, taken)
        previous: SchemaVer | None = None
        for key in keys:
            version = mapping[key.version]
            schema_id = f"{REGISTRY}/{vendor}/{folder}/{version}.json"
            body = to_reflekt(schemas[key], schema_id, version, key.version)
            notes: list[str] = []
            new_here = key.version not in recorded
            if (
                previous is not None
                and previous.model == key.version.model
                and key.version.revision > previous.revision
                and new_here
            ):
                notes.append(revision_note(key, previous, version))
            remotes.append(
                RemoteSchema(REGISTRY, vendor, folder, name, version, body, tuple(notes))
            )
            previous = key.version
    return remotes


# -- push: which Iglu version each file is ---------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One selected file as the Iglu schema it becomes."""

    key: IgluKey
    schema: dict[str, Any]
    path: Path
    version: Version

    @property
    def label(self) -> str:
        return f"{self.key.uri} ({self.version}.json)"


def _breaking(old: dict[str, Any], new: dict[str, Any], project: Project) -> list[str]:
    from reflekt.core.diff import MAJOR, DiffSettings, diff_schemas

    changes = diff_schemas(old, new, DiffSettings.of(project))
    return [change.message for change in changes if change.change_class == MAJOR]


def outgoing(
    project: Project, vendor: str, files: Sequence[Path]
) -> tuple[list[Outgoing], list[str]]:
    """The selected files as Iglu schemas (in SchemaVer order per name), and notes.

    A file's SchemaVer is the one it records (`metadata.iglu.version`); a file without one
    (new in the project) follows the one before it in its MAJOR: the next ADDITION (said in
    the notes), `<MAJOR>-0-0` for the first. A change Reflekt classes as breaking there is
    an error: REVISION or MODEL is the user's decision, recorded in the file.
    """
    selected = {Path(os.path.abspath(path)) for path in files}
    events: dict[Path, str] = {}
    for path in files:
        schema_id = relative_id(path, project.schemas_dir)
        if schema_id.version is None:
            raise SelectError(f"{schema_id}: the file name is not a version such as 1-0.json")
        events[Path(os.path.abspath(path)).parent] = schema_id.event_folder
    out: list[Outgoing] = []
    notes: list[str] = []
    for event_dir in sorted(events):
        folder = events[event_dir]
        previous: dict[int, tuple[Version, SchemaVer, dict[str, Any]]] = {}
        seen: dict[SchemaVer, Version] = {}
        for version, path, body in _local_files(event_dir, project.schemas_dir):
            chosen = Path(os.path.abspath(path)) in selected
            shown = f"schemas/{relative_id(path, project.schemas_dir)}"
            if body is None:
                if chosen:
                    raise SchemaFileError(f"{shown} is not a usable schema", file=shown)
                continue
            schemaver = recorded_version(body)
            before = previous.get(version.major)
            if schemaver is not None and schemaver in seen:
                if chosen:
                    notes.append(
                        f"{folder}/{version}.json records Iglu {schemaver}, as "
                        f"{seen[schemaver]}.json does (a copy): pushed as a new version"
                    )
                schemaver = None
            if schemaver is not None:
                if schemaver.model != version.major:
                    raise SchemaFileError(
                        f"{shown} records Iglu version {schemaver} (metadata.iglu.version), "
                        f"whose MODEL is not the file's MAJOR {version.major}",
                        file=shown,
                        hint="MODEL is MAJOR: move the file, or correct metadata.iglu.version",
                    )
                if before is not None and schemaver <= before[1]:
                    raise SchemaFileError(
                        f"{shown} records Iglu version {schemaver}, not after {before[1]} "
                        f"of {before[0]}.json",
                        file=shown,
                        hint="later files hold later SchemaVer versions",
                    )
            elif before is None:
                schemaver = SchemaVer(version.major, 0, 0)
            else:
                breaking = _breaking(before[2], body, project) if chosen else []
                if breaking:
                    revision = before[1].next_revision()
                    raise SchemaFileError(
                        f"{shown} changes {before[0]}.json (Iglu {before[1]}) in a way Reflekt "
                        f"classes as breaking ({breaking[0]}): in SchemaVer that is a REVISION "
                        f"({revision}) or a new MODEL ({version.major + 1}-0-0), which Reflekt "
                        "does not choose for you",
                        file=shown,
                        hint=f'for a REVISION, set "metadata": {{"iglu": {{"version": '
                        f'"{revision}"}}}} in the file; for a new MODEL, save it as '
                        f"{version.major + 1}-0.json",
                    )
                schemaver = before[1].next_addition()
                if chosen:
                    notes.append(
                        f"{folder}/{version}.json is new: pushed as {schemaver}, the next "
                        f"ADDITION after {before[1]}; to publish it as a REVISION instead, set "
                        f'metadata.iglu.version to "{before[1].next_revision()}" in the file'
                    )
            seen[schemaver] = version
            previous[version.major] = (version, schemaver, body)
            if not chosen:
                continue
            self_block = object_at(body, "self")
            name = str(self_block.get("name") or folder)
            if str(self_block.get("vendor") or vendor) != vendor:
                raise SchemaFileError(
                    f"{shown}: self.vendor '{self_block.get('vendor')}' is not the vendor "
                    f"folder '{vendor}'",
                    file=shown,
                    hint="an Iglu schema's self names its own path: vendor/name/jsonschema/version",
                )
            key = IgluKey.of(vendor, name, "jsonschema", str(schemaver))
            if key is None:
                raise SchemaFileError(
                    f"{shown}: '{vendor}/{name}' is not an Iglu vendor/name (letters, digits, "
                    "'-', '_'; '.' in the vendor)",
                    file=shown,
                )
            out.append(Outgoing(key, to_iglu(body, schemaver), path, version))
    return out, notes


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _immutable(item: Outgoing, where: str, project: Project, all_out: list[Outgoing]):
    """The error for a published version whose content differs: name the version to bump."""
    same_event = [o for o in all_out if o.path.parent == item.path.parent]
    local = [v for v, _p, _b in _local_files(item.path.parent, project.schemas_dir)]
    major = [v for v in local if v.major == item.version.major]
    next_local = Version(item.version.major, max(v.minor for v in major) + 1)
    highest = max(
        o.key.version for o in same_event if o.key.version.model == item.key.version.model
    )
    shown = f"schemas/{relative_id(item.path, project.schemas_dir)}"
    return SchemaPublishedError(
        f"{item.key.uri} is already published in {where} with other content than {shown}; "
        "Iglu versions are immutable",
        file=shown,
        hint=f"bump the version: save the change as {next_local}.json (pushed as "
        f"{highest.next_addition()}, the next ADDITION), or {item.version.major + 1}-0.json "
        "for a new MODEL; keep the published file as it is",
    )


# -- push --to-dir: the static layout --------------------------------------------------------


def _ordered(schema: dict[str, Any]) -> dict[str, Any]:
    first = [key for key in _FIRST_KEYS if key in schema]
    return {key: schema[key] for key in (*first, *(k for k in schema if k not in first))}


def schema_text(schema: dict[str, Any]) -> str:
    """A schema file as Iglu repositories write them: indent 2, `$schema`/`self` first."""
    return json.dumps(_ordered(schema), indent=2, ensure_ascii=False) + "\n"


def _read_json(path: Path) -> tuple[bool, Any]:
    """(exists, value); a file that is not JSON reads as a value no schema equals."""
    try:
        raw = read_regular(path)
    except FileNotFoundError:
        return False, None
    except (OSError, UnreadableFileError):
        return True, object()
    try:
        return True, json.loads(raw)
    except ValueError:
        return True, object()


def _model_lists(to_dir: Path, items: list[Outgoing]) -> dict[Path, tuple[str, int]]:
    """`.../jsonschema/<MODEL>`: every version of the model there (old lists kept), sorted."""
    by_model: dict[tuple[str, str, int], set[SchemaVer]] = defaultdict(set)
    for item in items:
        by_model[(item.key.vendor, item.key.name, item.key.version.model)].add(item.key.version)
    out: dict[Path, tuple[str, int]] = {}
    for (vendor, name, model), versions in sorted(by_model.items()):
        folder = to_dir / "schemas" / vendor / name / "jsonschema"
        if folder.is_dir():
            for entry in os.listdir(folder):
                found = SchemaVer.parse(entry)
                if found is not None and found.model == model:
                    versions.add(found)
        uris = {IgluKey(vendor, name, v).uri: v for v in versions}
        exists, current = _read_json(folder / str(model))
        if exists and isinstance(current, list):
            for uri in current:
                key = IgluKey.parse(uri) if isinstance(uri, str) else None
                if key is not None and (key.vendor, key.name) == (vendor, name):
                    uris[key.uri] = key.version
        listed = sorted(uris, key=lambda uri: uris[uri])
        text = json.dumps(listed, indent=2) + "\n"
        if not (exists and current == listed):
            out[folder / str(model)] = (text, len(listed))
    return out


def write_static(
    project: Project, to_dir: Path, items: list[Outgoing], *, dry_run: bool
) -> tuple[list[Outgoing], list[Outgoing], list[str]]:
    """Write the static layout under `to_dir`: (created, unchanged, notes). All or nothing."""
    to_dir = Path(os.path.abspath(to_dir.expanduser()))
    if to_dir.exists() and not to_dir.is_dir():
        raise SelectError(f"--to-dir {to_dir} is not a folder")
    created: list[Outgoing] = []
    unchanged: list[Outgoing] = []
    files: dict[Path, str] = {}
    for item in items:
        target = to_dir / item.key.path
        exists, current = _read_json(target)
        if not exists:
            created.append(item)
            files[target] = schema_text(item.schema)
        elif _same(current, item.schema):
            unchanged.append(item)
        else:
            raise _immutable(item, str(to_dir), project, items)
    lists = _model_lists(to_dir, created) if created else {}
    files.update({path: text for path, (text, _count) in lists.items()})
    notes = [
        f"model list {path.relative_to(to_dir).as_posix()}: {count} version(s)"
        for path, (_text, count) in sorted(lists.items())
    ]
    if files and not dry_run:
        _apply(project, to_dir, files)
    return created, unchanged, notes


def _apply(project: Project, to_dir: Path, files: dict[Path, str]) -> None:
    """The transactional writer; outside the project its lock and journal live in `to_dir`
    and are removed afterwards (nothing but the registry is left to upload)."""
    from reflekt.core.safepath import inside
    from reflekt.core.transaction import CACHE_DIR, apply_files

    root = Path(os.path.abspath(project.root))
    if inside(root, to_dir):
        apply_files(root, files)
        return
    cache = to_dir / CACHE_DIR
    had_cache = cache.exists()
    to_dir.mkdir(parents=True, exist_ok=True)
    try:
        apply_files(to_dir, files)
    finally:
        if not had_cache:
            shutil.rmtree(cache, ignore_errors=True)


# -- push to an Iglu Server: a push cut off half-way -----------------------------------------

MAX_NAMED = 10  # versions named in the error of an interrupted push, of each kind


def _named(items: Sequence[Outgoing]) -> str:
    shown = ", ".join(item.label for item in items[:MAX_NAMED])
    more = len(items) - MAX_NAMED
    return shown + (f" and {more} more" if more > 0 else "")


def _how_far(created: Sequence[Outgoing], index: int, unknown: bool) -> str:
    """What a push cut off at `created[index]` left published, and what not (two lines).

    Why: Iglu has no transactions; the versions already PUT stay. Published in SchemaVer
    order, they are a prefix (no gap), and the same push again reads them `unchanged` and
    publishes the rest. `unknown`: the PUT of `created[index]` was sent without a clear
    answer (a dropped connection, a 5xx, an interrupt), so the Server may have stored it.
    """
    done, failed, rest = created[:index], created[index], created[index + 1 :]
    maybe = " (unconfirmed: no clear answer, the Server may have stored it)" if unknown else ""
    later = f", {_named(rest)}" if rest else ""
    return (
        f"  published ({len(done)} of the {len(created)} new versions; they stay, Iglu has "
        f"no transactions): {_named(done) or 'none'}\n"
        f"  not published ({len(created) - len(done)}): {failed.label}{maybe}{later}"
    )


_AGAIN = (
    "run the same push again: the published versions read unchanged and the rest is "
    "published, in SchemaVer order"
)


def _stopped(error: RegistryError, created: Sequence[Outgoing], index: int, sent: bool) -> None:
    """Say in `error` what a push cut off at `created[index]` left published (`_how_far`).
    Nothing published: `error` as it is (the registry is as it was)."""
    if index == 0:
        return
    unknown = sent and (error.status is None or error.status >= 500)
    error.message = f"the push stopped at {created[index].key.uri}: {error.message}\n" + _how_far(
        created, index, unknown
    )
    error.args = (error.message,)
    again = f"once fixed, {_AGAIN}"
    error.hint = f"{error.hint}; {again}" if error.hint else again


def _interrupted(stop: BaseException, created: Sequence[Outgoing], index: int, sent: bool) -> None:
    """Note on a Ctrl-C or SIGTERM (`add_note`: the command prints it under `Interrupted.`)
    what the push left published: the user stopped it and must know, as after an error."""
    if index == 0 and not sent:
        stop.add_note("nothing was published")
        return
    stop.add_note(
        f"the push stopped at {created[index].key.uri}:\n"
        + _how_far(created, index, sent)
        + f"\n  {_AGAIN}"
    )


# -- the registry -----------------------------------------------------------------------------


class IgluRegistry(PlanPushes):
    """Snowplow Iglu registries (`iglu/<vendor>/...`): static ones and Iglu Server."""

    name = REGISTRY
    plan_kind = "vendor"
    writes_folders = True  # `push --to-dir` writes a static registry

    def check(
        self, config: RegistryConfig, profile_name: str | None, policy: RetryPolicy | None
    ) -> str:
        assert isinstance(config, IgluRegistryConfig)
        with IgluClient(config, profile_name, policy) as client:
            return client.check()

    def pull(self, context: RegistryContext, plan: str, progress: Progress) -> list[RemoteSchema]:
        with _client(context) as client:
            keys = client.list_vendor(plan, progress)
            schemas: dict[IgluKey, dict[str, Any]] = {}
            for index, key in enumerate(keys):
                progress(index, len(keys), f"fetching {key.uri}")
                body = client.fetch(key, progress)
                if body is not None:  # listed, then gone: not a schema to pull
                    schemas[key] = body
            progress(len(keys), len(keys), "fetched")
        return remotes_of(context.project, plan, schemas)

    def pulled_version(self, remote: RemoteSchema, local: Sequence[Version]) -> Version:
        """The version the mapping gave (`iglu_schemaver.local_versions`)."""
        return remote.version

    def describe(self, remote: RemoteSchema) -> str:
        return f"the Iglu schema '{remote.plan}/{remote.name}' ({remote.version})"

    def push_refused(self) -> None:
        return None

    def _push(
        self,
        context: RegistryContext,
        vendor: str,
        files: Sequence[Path],
        *,
        delete: bool,
        dry_run: bool,
        progress: Progress,
    ) -> PushResult:
        if delete:
            raise SelectError(
                "push --delete is not supported for Iglu: published Iglu versions are "
                "immutable (only a super key on a registry allowing patches may delete)",
            )
        project = context.project
        items, notes = outgoing(project, vendor, files)
        if context.to_dir is not None:
            progress(0, len(items), f"writing {context.to_dir}")
            created, unchanged, lists = write_static(
                project, context.to_dir, items, dry_run=dry_run
            )
            return PushResult(
                REGISTRY,
                vendor,
                created=tuple(item.label for item in created),
                unchanged=tuple(item.label for item in unchanged),
                collapsed=tuple(notes + lists),
                dry_run=dry_run,
            )
        with _client(context) as client:
            if not client.is_server:
                raise SelectError(
                    f"the Iglu registry at {client.config.url} is a static one (files over "
                    "HTTP): Reflekt writes its layout with `reflekt push --to-dir DIR`, then "
                    "upload DIR (e.g. aws s3 sync DIR s3://bucket/)",
                    hint="an Iglu Server's url ends in /api",
                )
            return self._push_server(client, project, vendor, items, notes, dry_run, progress)

    def _push_server(
        self,
        client: IgluClient,
        project: Project,
        vendor: str,
        items: list[Outgoing],
        notes: list[str],
        dry_run: bool,
        progress: Progress,
    ) -> PushResult:
        created: list[Outgoing] = []
        unchanged: list[Outgoing] = []
        client.ensure_server()
        for index, item in enumerate(items):
            progress(index, len(items), f"comparing {item.key.uri}")
            stored = client.fetch(item.key, progress)
            if stored is None:
                created.append(item)
            elif _same(stored, item.schema):
                unchanged.append(item)
            else:
                raise _immutable(item, f"the Iglu Server {client.config.url}", project, items)
        if not dry_run:
            stored_before: dict[tuple[str, str], IgluKey] = {}
            for item in unchanged:  # the latest version of each name the Server has
                name = (item.key.vendor, item.key.name)
                if name not in stored_before or stored_before[name].version < item.key.version:
                    stored_before[name] = item.key
            # Every new version through the Server's linter before the first PUT: one it
            # refuses then stops the push with nothing published, not half of it.
            for index, item in enumerate(created):
                progress(index, len(created), f"validating {item.key.uri}")
                warnings = client.validate(item.schema, item.key)
                notes.extend(f"{item.key.uri}: {line}" for line in warnings)
            public: dict[tuple[str, str], bool | None] = {}
            for index, item in enumerate(created):
                progress(index, len(created), f"publishing {item.key.uri}")
                sent = False
                try:
                    name = (item.key.vendor, item.key.name)
                    if name not in public:  # as available as the versions before it
                        before = stored_before.get(name)
                        public[name] = client.is_public(before) if before is not None else None
                    sent = True
                    client.put(item.key, item.schema, public[name])
                except RegistryError as error:
                    _stopped(error, created, index, sent)
                    raise
                except (KeyboardInterrupt, Terminated) as stop:
                    _interrupted(stop, created, index, sent)
                    raise
        return PushResult(
            REGISTRY,
            vendor,
            created=tuple(item.label for item in created),
            unchanged=tuple(item.label for item in unchanged),
            collapsed=tuple(notes),
            dry_run=dry_run,
            requests=client.http.calls,
        )


__all__ = ["IgluRegistry", "Outgoing", "outgoing", "published_conflict", "remotes_of"]
