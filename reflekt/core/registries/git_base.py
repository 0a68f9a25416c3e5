"""The git base of `reflekt diff --against git:<ref>`: the same files at a commit.

Why its own module: it is a `protocol.CompareBase` like every registry, but not a registry
(no network, no profile): the pull-request check in CI. Blobs are read with two
`git cat-file --batch` calls, bounded by the schema size cap.

`GitBase(ref).compare_base(context, selects, progress) -> BaseVersions` (a removed schema is
breaking against git: `removal_breaks=True`).
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reflekt.core.errors import ReflektError
from reflekt.core.progress import Progress
from reflekt.core.project import Project
from reflekt.core.readfile import max_schema_bytes
from reflekt.core.registries.protocol import BaseVersions, RegistryContext, Versions
from reflekt.core.schemas import SchemaId, parse_schema_text, printable
from reflekt.core.select import normalize_select


@dataclass(frozen=True)
class GitBase:
    """The selected schema files as they are at a git ref."""

    ref: str

    def compare_base(
        self, context: RegistryContext, selects: Sequence[str], progress: Progress
    ) -> BaseVersions:
        versions = _git_versions(context.project, selects, self.ref, progress)
        return BaseVersions(versions, f"git:{self.ref}", removal_breaks=True)


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


def _git_versions(
    project: Project, selects: Sequence[str], ref: str, progress: Progress
) -> Versions:
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
    progress(0, len(entries), f"reading schemas at {ref}")
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
