"""Compare a selection of local schemas with a registry or a git ref: the `reflekt diff` job.

`compare(project, profile, selects, against=None, progress=None, policy=None, *,
plan_type="LIVE") -> DiffReport`

- `against=None`: the registry named by each select's first segment; only the plans or
  branches concerned are fetched (once each).
- `against="git:REF"`: the same files at a git ref (no network, no profile needed): the
  pull-request check in CI.

Per event, the latest local version is compared with the base version: the same version when
the base has it (an in-place edit), else the highest base version below it, else the highest.
"""

from __future__ import annotations

import logging
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

from reflekt.core.diff import DiffReport, DiffSettings, EventDiff, event_diff
from reflekt.core.errors import ReflektError, SchemaFileError, SelectError
from reflekt.core.profiles import Profile
from reflekt.core.project import Project
from reflekt.core.readfile import max_schema_bytes
from reflekt.core.registries.base import Progress, no_progress
from reflekt.core.registries.http import RetryPolicy
from reflekt.core.registries.segment import DEFAULT_PLAN_TYPE
from reflekt.core.registries.sync import (
    PlanNotFoundError,
    fetch_remote,
    in_scope,
    parse_registry_select,
)
from reflekt.core.schemas import SchemaId, Version, load_schema, parse_schema_text, printable
from reflekt.core.select import SelectPath, normalize_select, resolve_select

log = logging.getLogger("reflekt.diff")

# event_key -> version -> (schema id, body)
Versions = dict[str, dict[Version, tuple[str, dict[str, Any]]]]


def compare(
    project: Project,
    profile: Profile | None,
    selects: list[str],
    against: str | None = None,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
    *,
    plan_type: str = DEFAULT_PLAN_TYPE,
) -> DiffReport:
    """Diff the selection against the registry (default) or `git:REF`.

    `plan_type`: the type of the Segment tracking plans compared with (LIVE by default).
    """
    progress = progress or no_progress
    selects = [s for s in selects if s] or [""]
    local = _local(project, selects, progress)
    if against is None:
        base, label = _registry_base(project, profile, selects, progress, policy, plan_type)
    elif against.strip() == "git:":
        raise SelectError("--against git: names no ref: use git:<ref> (e.g. git:main)")
    elif against.startswith("git:") and against[4:].strip():
        ref = against[4:].strip()
        base = _git_base(project, selects, ref, progress)
        label = f"git:{ref}"
    else:
        raise SelectError(f"--against '{against}' is not supported: use git:<ref> (e.g. git:main)")
    events: list[EventDiff] = []
    settings = DiffSettings.of(project)
    keys = sorted(set(local) | set(base))
    for index, key in enumerate(keys):
        progress("comparing", index, len(keys))
        events.append(_event(key, local.get(key, {}), base.get(key, {}), settings))
    progress("comparing", len(keys), len(keys))
    return DiffReport(label, tuple(events), removal_breaks=against is not None)


def _name(body: dict[str, Any], key: str) -> str:
    self_block = body.get("self") if isinstance(body.get("self"), dict) else {}
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
        # A file that is JSON but not JSON Schema (`"properties": [...]`, `"type": false`):
        # the diff assumes shapes that lint checks (RF102). Say which event, not "a bug".
        log.warning("diff of %s failed", key, exc_info=True)
        raise SchemaFileError(
            f"cannot compare {key}: a version of it is not a JSON Schema the diff can read "
            f"({type(exc).__name__}: {exc})",
            file=f"schemas/{local_id}" if local_id else None,
            hint=f"`reflekt lint --select {key}` shows what is not valid JSON Schema (RF102)",
        ) from None


def _local(project: Project, selects: list[str], progress: Progress) -> Versions:
    files = resolve_select(project.schemas_dir, [s for s in selects if s] or None)
    out: Versions = defaultdict(dict)
    for index, path in enumerate(files):
        if index % 200 == 0:
            progress("reading local schemas", index, len(files))
        doc = load_schema(path, project.schemas_dir)
        version = doc.schema_id.version
        if version is None or doc.body is None:
            continue
        out[doc.schema_id.event_key][version] = (doc.schema_id.path, doc.body)
    return out


def _registry_base(
    project: Project,
    profile: Profile | None,
    selects: list[str],
    progress: Progress,
    policy: RetryPolicy | None,
    plan_type: str = DEFAULT_PLAN_TYPE,
) -> tuple[Versions, str]:
    if profile is None:
        raise SelectError("diff against a registry needs a profile")
    parsed = [parse_registry_select(select, command="diff") for select in selects]
    by_plan: dict[tuple[str, str], list[SelectPath]] = defaultdict(list)
    for sel in parsed:
        assert sel.registry is not None and sel.plan is not None
        by_plan[(sel.registry, sel.plan)].append(sel)
    base: Versions = defaultdict(dict)
    labels: list[str] = []
    for (registry, plan), sels in sorted(by_plan.items()):
        try:
            remotes = fetch_remote(
                project, profile, registry, plan, progress, policy, plan_type=plan_type
            )
        except PlanNotFoundError:
            # Push creates a missing plan: against it, every local event is new.
            labels.append(f"{registry}/{plan} (no such plan yet)")
            continue
        labels.append(f"{registry}/{plan}")
        for remote in remotes:
            if any(in_scope(remote, sel) for sel in sels):
                schema_id = f"{remote.event_key}/{remote.version}.json"
                base[remote.event_key][remote.version] = (schema_id, remote.body)
    label = ", ".join(labels)
    return base, label


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise ReflektError("git is not installed (needed by --against git:REF)") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReflektError(
            f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(result.returncode)}",
            hint="--against git:REF needs the project inside a git repository and a known ref",
        )
    return result.stdout


def _git_base(project: Project, selects: list[str], ref: str, progress: Progress) -> Versions:
    root = project.root
    try:
        _git(root, "rev-parse", "--show-toplevel")
    except ReflektError:
        raise ReflektError(
            f"--against git:{ref}: the project ({root}) is not inside a git repository",
            hint="run `git init` and commit the schemas, or compare with the registry "
            "(reflekt diff --select segment/<plan>)",
        ) from None
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except ReflektError:
        raise ReflektError(
            f"--against git:{ref}: '{ref}' is not a known commit, branch or tag",
            hint="check the ref (git branch -a, git log); in CI fetch it first "
            "(actions/checkout with fetch-depth: 0)",
        ) from None
    entries = _git_entries(root, ref, [normalize_select(s) for s in selects])
    out: Versions = defaultdict(dict)
    if not entries:
        return out
    progress(f"reading schemas at {ref}", 0, len(entries))
    for rel, content in _git_blobs(root, entries, max_schema_bytes()):
        schema_id = SchemaId(rel)
        version = schema_id.version
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue  # not a usable schema at the ref (as a file that does not parse)
        body, _ = parse_schema_text(text)
        if version is None or body is None:
            continue
        out[schema_id.event_key][version] = (rel, body)
    return out


def _git_entries(root: Path, ref: str, wanted: list[str]) -> list[tuple[str, str]]:
    """(blob id, schema id) of the selected schema files at `ref`.

    `ls-tree -z` gives paths as raw bytes: a name that is not UTF-8 keeps its bytes
    (surrogateescape) for matching and gets a printable id (`\\xff`), as lint shows it.
    """
    listing = _git(root, "ls-tree", "-r", "-z", ref, "--", "schemas")
    entries: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.decode("utf-8", "surrogateescape").partition("\t")
        parts = meta.split()
        if len(parts) < 3 or parts[1] != "blob" or not path.endswith(".json"):
            continue
        rel = path.removeprefix("schemas/")
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        stem = rel.removesuffix(".json")
        if not any(not w or stem == w or stem.startswith(w + "/") for w in wanted):
            continue
        entries.append((parts[2], printable(rel)))
    return entries


def _git_blobs(root: Path, entries: list[tuple[str, str]], cap: int):
    """(schema id, content) of each entry's blob; blobs over `cap` bytes are left out
    (lint reports such a file; reading it whole would not be bounded)."""
    ids = "".join(f"{oid}\n" for oid, _ in entries).encode()
    sizes = _git(root, "cat-file", "--batch-check", stdin=ids).decode("ascii", "replace")
    small: list[tuple[str, str]] = []
    for (oid, rel), line in zip(entries, sizes.splitlines(), strict=False):
        fields = line.split()
        if (
            len(fields) == 3
            and fields[1] == "blob"
            and fields[2].isdigit()
            and int(fields[2]) <= cap
        ):
            small.append((oid, rel))
    if not small:
        return
    blob = _git(root, "cat-file", "--batch", stdin="".join(f"{o}\n" for o, _ in small).encode())
    offset = 0
    for _oid, rel in small:
        header_end = blob.find(b"\n", offset)
        if header_end == -1:
            return
        header = blob[offset:header_end].decode("ascii", "replace").split()
        if len(header) != 3 or not header[2].isdigit():  # "<oid> missing"
            offset = header_end + 1
            continue
        size = int(header[2])
        content = blob[header_end + 1 : header_end + 1 + size]
        offset = header_end + 1 + size + 1
        yield rel, content
