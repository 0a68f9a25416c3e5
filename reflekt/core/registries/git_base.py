"""The git base of `reflekt diff --against git:<ref>`: the same files at a commit.

Why its own module: it is a `protocol.CompareBase` like every registry, but not a registry
(no network, no profile): the pull-request check in CI and the pre-push hook. Blobs are
read with two `git cat-file --batch` calls, bounded by the schema size cap.

`GitBase.parse("main...")`: the ref as given; `REF...` (three dots) is the merge-base of REF
and HEAD, as `git diff REF...` compares. `GitBase(ref).compare_base(context, selects,
progress) -> BaseVersions` (a removed schema is breaking against git: `removal_breaks=True`).

An event whose files are byte-identical at the ref and locally is not read at the ref at
all (`LocalBlobs`: the blob ids of the local files as the diff read them, against one `git
ls-tree`): the diff reports it unchanged from its local versions (`BaseVersions.unchanged`).
Unless its files hold no `$ref`, that needs `schemas/.reflekt/common/` identical too.

The local side of `--staged` and `--changed` lives here too (`git_local`): the index instead
of the working tree, and only the events whose files differ from the base, so a hook over a
5,000-schema repo reads a handful of files, not all of them. Refs and paths go to git as
arguments (never through a shell); a ref starting with `-` is refused so it cannot be an
option.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from reflekt.core.errors import ReflektError, SelectError
from reflekt.core.gitrun import last_error_line, run_git
from reflekt.core.progress import Progress
from reflekt.core.project import Project
from reflekt.core.readfile import UnreadableFileError, max_schema_bytes, read_regular
from reflekt.core.refs import CommonFiles, may_have_refs, resolve_document
from reflekt.core.registries.protocol import BaseVersions, RegistryContext, Versions
from reflekt.core.schemas import SchemaId, Version, parse_schema_text, printable
from reflekt.core.select import check_select, normalize_select

_COMMON_PREFIX = b"schemas/.reflekt/common/"
_MAX_PATHSPECS = 400  # more changed events than this: list the whole tree once instead
_FILE_MODES = frozenset({"100644", "100755"})  # a tree's regular files (not links, submodules)


def blob_id(data: bytes) -> str:
    """git's id of a blob holding `data`: sha1 of `blob <size>\\0` and the bytes."""
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class LocalBlobs:
    """The local side's schema files as the diff read them, for `GitBase` to skip the events
    that are the same at the ref.

    `events`: event key -> {schema id: blob id of the text the file was parsed from} (files
    with a version); `refs`: the events one file of which may hold a `$ref`.
    """

    events: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    refs: set[str] = field(default_factory=set)

    def add(self, schema_id: SchemaId, text: str) -> None:
        key = schema_id.event_key
        self.events[key][schema_id.path] = blob_id(text.encode("utf-8"))
        if may_have_refs(text):
            self.refs.add(key)


@dataclass(frozen=True)
class GitBase:
    """The selected schema files as they are at a git ref (or its merge-base with HEAD)."""

    ref: str
    merge_base: bool = False  # `REF...`: the merge-base of REF and HEAD
    events: tuple[str, ...] | None = None  # only these event folders (--changed)
    # the local files' blob ids: the events the same at the ref are not read (`unchanged`)
    local: LocalBlobs | None = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, spec: str) -> GitBase:
        """`main`, `@{upstream}`, `v1.2`, `main...`, `main...HEAD` (the part after `git:`)."""
        text = spec.strip()
        merge_base = False
        if "..." in text:
            left, _, right = text.partition("...")
            if right.strip() not in ("", "HEAD"):
                raise SelectError(
                    f"--against git:{text}: only REF... (or REF...HEAD) is supported: the "
                    "local side is always the working tree (or the index with --staged)",
                    hint=f"e.g. --against git:{left or 'main'}...",
                )
            text, merge_base = left.strip(), True
        if not text:
            raise SelectError("--against git: names no ref: use git:<ref> (e.g. git:main...)")
        if text.startswith("-"):
            raise SelectError(f"--against git:{text}: a ref cannot start with '-'")
        if any(ord(char) < 32 or char in " \x7f" for char in text):
            raise SelectError(
                f"--against git:{text!r}: a ref holds no spaces or control characters"
            )
        return cls(text, merge_base)

    @property
    def label(self) -> str:
        return f"git:{self.ref}..." if self.merge_base else f"git:{self.ref}"

    def commit(self, root: Path) -> str:
        """The commit compared with: the ref's, or its merge-base with HEAD."""
        check_repository(root, f"--against {self.label}")
        commit = _resolve(root, self.ref, self.label)
        if not self.merge_base:
            return commit
        head = _resolve(root, "HEAD", self.label)
        try:
            return _git(root, "merge-base", commit, head).decode().strip()
        except ReflektError:
            raise ReflektError(
                f"--against {self.label}: '{self.ref}' and HEAD have no common ancestor",
                hint=f"compare with the ref itself: --against git:{self.ref}",
            ) from None

    def compare_base(
        self, context: RegistryContext, selects: Sequence[str], progress: Progress
    ) -> BaseVersions:
        root = context.project.root
        commit = self.commit(root)
        wanted = _wanted(selects)
        listing = _tree_listing(root, commit, self.events)
        entries = _entries(listing, [""], self.events, oid_field=2, type_field=(1, "blob"))
        entries, renamed = _as_migrated(entries, context.project.schemas_dir)
        entries = [entry for entry in entries if _selected(entry[1], wanted)]
        unchanged: frozenset[str] = frozenset()
        if self.local is not None and not renamed:
            unchanged = _unchanged_events(entries, self.local, listing, context.project)
            entries = [e for e in entries if e[1].rpartition("/")[0] not in unchanged]
        versions = _versions(
            root, entries, f"reading schemas at {self.ref}", progress, commit, renamed
        )
        label = self.label + (" (reflekt 0.6 layout, read as migrated)" if renamed else "")
        return BaseVersions(versions, label, removal_breaks=True, unchanged=unchanged)


def check_repository(root: Path, label: str) -> None:
    """A clear error when the project is not inside a git work tree (or git is missing)."""
    try:
        _git(root, "rev-parse", "--show-toplevel")
    except ReflektError as exc:
        if "not installed" in exc.message:
            raise
        raise ReflektError(
            f"{label}: the project ({root}) is not inside a git repository",
            hint="run `git init` and commit the schemas, or compare with the registry "
            "(reflekt diff --select segment/<plan>)",
        ) from None


def _resolve(root: Path, ref: str, label: str) -> str:
    try:
        out = _git(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
        )
    except ReflektError:
        hint = "check the ref (git branch -a, git log); in CI fetch it first (fetch-depth: 0)"
        if "@{u" in ref:
            hint = (
                "this branch has no upstream yet: compare with a branch "
                "(--against git:origin/main...); a new branch's first push past the "
                "pre-commit hook: git push --no-verify -u origin <branch>"
            )
        raise ReflektError(
            f"--against {label}: '{ref}' is not a known commit, branch or tag", hint=hint
        ) from None
    return out.decode().strip()


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    result = run_git(root, *args, stdin=stdin)
    if result is None:
        raise ReflektError("git could not be run (needed by --against git:REF)")
    if result.returncode != 0:
        raise ReflektError(
            f"git {args[0]} failed: {last_error_line(result)}",
            hint="--against git:REF needs the project inside a git repository and a known ref",
        )
    return result.stdout


def _wanted(selects: Sequence[str]) -> list[str]:
    return [normalize_select(s) for s in selects] or [""]


def _selected(rel: str, wanted: list[str]) -> bool:
    """Whether `rel` (a path under schemas/) is in the selection (folder, file or glob)."""
    stem = rel.removesuffix(".json")
    for w in wanted:
        if not w or stem == w or stem.startswith(w + "/"):
            return True
        if set("*?[") & set(w):
            depth = w.count("/") + 1
            head = "/".join(stem.split("/")[:depth])
            if fnmatchcase(head, w):
                return True
    return False


def _schema_rel(path: str) -> str | None:
    """`schemas/a/b/1-0.json` -> `a/b/1-0.json`; None for what is not an event schema."""
    if not path.startswith("schemas/") or not path.endswith(".json"):
        return None
    rel = path.removeprefix("schemas/")
    if any(part.startswith(".") for part in rel.split("/")):
        return None
    return rel


def _pathspecs(events: tuple[str, ...] | None) -> list[str]:
    if events is None or len(events) > _MAX_PATHSPECS:
        return ["schemas"]
    return [f"schemas/{key}/" for key in events]


def _tree_listing(root: Path, commit: str, events: tuple[str, ...] | None) -> bytes:
    """`git ls-tree -r -z` of schemas/ (or of these event folders) at `commit`.

    `_entries` makes (blob id, schema id) of its schema files: `-z` gives paths as raw
    bytes, so a name that is not UTF-8 keeps its bytes (surrogateescape) for matching and
    gets a printable id (`\\xff`), as lint shows it.
    """
    if events is not None and not events:
        return b""
    return _git(root, "ls-tree", "-r", "-z", commit, "--", *_pathspecs(events))


def _unchanged_events(
    entries: list[tuple[str, str]], local: LocalBlobs, listing: bytes, project: Project
) -> frozenset[str]:
    """The events whose versioned files at the ref are, by name and blob id, the ones the
    local side read (and no two of them the same version: which one wins would depend on
    the order each side lists them in). One holding a `$ref` also needs the shared
    definitions identical: what it inlines is read from each side's common/."""
    at_ref: dict[str, dict[str, str]] = defaultdict(dict)
    versions: dict[str, set[Version]] = defaultdict(set)
    for oid, rel in entries:
        key, _, name = rel.rpartition("/")  # SchemaId(rel).event_key, its file
        version = Version.try_parse(name)
        if version is not None:
            at_ref[key][rel] = oid
            versions[key].add(version)
    common_same: bool | None = None
    same: set[str] = set()
    for key, files in at_ref.items():
        if local.events.get(key) != files or len(versions[key]) != len(files):
            continue
        if key in local.refs:
            if common_same is None:
                here = _common_here(project.schemas_dir)
                common_same = here is not None and here == _common_at(listing)
            if not common_same:
                continue
        same.add(key)
    return frozenset(same)


def _common_at(listing: bytes) -> dict[str, str] | None:
    """{path: blob id} of the files under schemas/.reflekt/common/ in an ls-tree listing;
    None when one is not a regular file (a link, a submodule)."""
    found: dict[str, str] = {}
    for record in listing.split(b"\0"):
        meta, _, raw = record.partition(b"\t")
        if not raw.startswith(_COMMON_PREFIX) and raw != _COMMON_PREFIX.rstrip(b"/"):
            continue
        parts = meta.decode("ascii", "replace").split()
        if len(parts) < 3 or parts[0] not in _FILE_MODES or parts[1] != "blob":
            return None
        found[raw.decode("utf-8", "surrogateescape")] = parts[2]
    return found


def _common_here(schemas_dir: Path) -> dict[str, str] | None:
    """{path: blob id} of the working tree's files under schemas/.reflekt/common/ (paths as
    ls-tree gives them); None when one is not a plain regular file or folder (a link,
    something unreadable or over the size cap): then nothing is taken as unchanged."""
    found: dict[str, str] = {}
    folder = schemas_dir / ".reflekt" / "common"
    for each in (folder.parent, folder):
        try:
            info = each.lstat()
        except FileNotFoundError:
            return found
        except OSError:
            return None
        if not stat.S_ISDIR(info.st_mode):
            return None
    pending = [(str(folder), _COMMON_PREFIX.decode())]
    while pending:
        path, shown = pending.pop()
        try:
            with os.scandir(path) as listed:
                items = list(listed)
        except OSError:
            return None
        for item in items:
            if item.is_symlink():
                return None
            if item.is_dir(follow_symlinks=False):
                pending.append((item.path, f"{shown}{item.name}/"))
                continue
            try:
                found[shown + item.name] = blob_id(read_regular(item.path))
            except (OSError, UnreadableFileError):
                return None
    return found


def _index_entries(
    root: Path, wanted: list[str], events: tuple[str, ...] | None
) -> list[tuple[str, str]]:
    """(blob id, schema id) of the selected schema files in the index (stage 0)."""
    if events is not None and not events:
        return []
    listing = _git(root, "ls-files", "-s", "-z", "--", *_pathspecs(events))
    return _entries(listing, wanted, events, oid_field=1, type_field=(2, "0"))


def _entries(
    listing: bytes,
    wanted: list[str],
    events: tuple[str, ...] | None,
    *,
    oid_field: int,
    type_field: tuple[int, str],
) -> list[tuple[str, str]]:
    keep = set(events) if events is not None else None
    entries: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.decode("utf-8", "surrogateescape").partition("\t")
        parts = meta.split()
        if len(parts) < 3 or parts[type_field[0]] != type_field[1]:
            continue
        if parts[0] == "160000":  # a submodule
            continue
        rel = _schema_rel(path)
        if rel is None or not _selected(rel, wanted):
            continue
        shown = printable(rel)
        if keep is not None and SchemaId(shown).event_key not in keep:
            continue
        entries.append((parts[oid_field], shown))
    return entries


def _as_migrated(
    entries: list[tuple[str, str]], schemas_dir: Path
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Entries of a reflekt 0.6 commit (no registry level) at their migrated paths, and
    {migrated path: 0.6 path} for the bodies to convert (`core.migrate.layout`)."""
    from reflekt.core.migrate.layout import migrated_id

    out: list[tuple[str, str]] = []
    renamed: dict[str, str] = {}
    for oid, rel in entries:
        new = migrated_id(rel, schemas_dir)
        if new is not None:
            renamed[new] = rel
        out.append((oid, new or rel))
    return out, renamed


def _versions(
    root: Path,
    entries: list[tuple[str, str]],
    what: str,
    progress: Progress,
    commit: str,
    renamed: dict[str, str] | None = None,
) -> Versions:
    """The bodies of `entries`, their `$ref`s inlined from the shared definitions at the same
    `commit` (`""`: the index)."""
    out: Versions = defaultdict(dict)
    if not entries:
        return out
    progress(0, len(entries), what)
    common = CommonFiles(root / "schemas", read=_common_reader(root, commit))
    for rel, content in _git_blobs(root, entries, max_schema_bytes()):
        schema_id = SchemaId(rel)
        version = schema_id.version
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue  # not a usable schema at the ref (as a file that does not parse)
        if renamed and rel in renamed:
            from reflekt.core.migrate.layout import migrated_text

            text = migrated_text(text, renamed[rel], rel)
        body, _ = parse_schema_text(text)
        if version is None or body is None:
            continue
        if may_have_refs(text):
            body = resolve_document(body, root / "schemas", common).body
        out[schema_id.event_key][version] = (rel, body)
    return out


def _common_reader(root: Path, commit: str):
    """Read `common/...json` as it is at `commit` (or in the index), bounded by size."""

    def read(name: str) -> bytes:
        spec = f"{commit}:./schemas/.reflekt/{name}"
        try:
            size = _git(root, "cat-file", "-s", spec).strip()
        except ReflektError as exc:
            raise LookupError(f"not at {commit or 'the index'}") from exc
        if not size.isdigit() or int(size) > max_schema_bytes():
            raise LookupError(f"larger than {max_schema_bytes():,} bytes")
        return _git(root, "cat-file", "blob", spec)

    return read


def _git_blobs(root: Path, entries: list[tuple[str, str]], cap: int) -> Iterator[tuple[str, bytes]]:
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


# --- the local side of --staged / --changed -------------------------------------------


@dataclass(frozen=True)
class GitLocal:
    """What `--staged` / `--changed` make of the local side.

    `events`: the event folders whose files differ from the base (None: every event);
    `versions`: the local versions read (from the index with --staged), or None to let the
    caller read the working tree for `events` itself.
    """

    events: tuple[str, ...] | None
    versions: Versions | None


def git_local(
    project: Project,
    selects: Sequence[str],
    base: GitBase,
    *,
    staged: bool,
    changed: bool,
    progress: Progress,
) -> GitLocal:
    """The local side for `--staged` (the index) and/or `--changed` (only what differs)."""
    for select in selects:
        check_select(select)
    root = project.root
    wanted = _wanted(selects)
    events: tuple[str, ...] | None = None
    if changed:
        commit = base.commit(root)
        found = _changed_events(root, commit, wanted, staged=staged)
        events = None if found is None else tuple(sorted(found))
    elif staged:
        check_repository(root, "--staged")
    if not staged:
        return GitLocal(events, None)
    entries = _index_entries(root, wanted, events)
    return GitLocal(events, _versions(root, entries, "reading staged schemas", progress, ""))


def _changed_events(root: Path, commit: str, wanted: list[str], *, staged: bool) -> set[str] | None:
    """Event folders with a schema file that differs from `commit` (added, edited, removed;
    untracked files count unless `staged`: they are not in the index). None (every event
    selected) when a shared definition under schemas/.reflekt/common/ differs: any event
    may use it."""
    diff = ["diff", "--name-only", "--no-renames", "--relative", "-z"]
    if staged:
        diff.append("--cached")
    paths = _git(root, *diff, commit, "--", "schemas").split(b"\0")
    if not staged:
        paths += _git(
            root, "ls-files", "--others", "--exclude-standard", "-z", "--", "schemas"
        ).split(b"\0")
    events: set[str] = set()
    if any(raw.startswith(_COMMON_PREFIX) for raw in paths):
        return None
    for raw in paths:
        rel = _schema_rel(raw.decode("utf-8", "surrogateescape")) if raw else None
        if rel is not None and _selected(rel, wanted):
            events.add(printable(SchemaId(rel).event_key))
    return events


def event_files(schemas_dir: Path, events: Sequence[str], selects: Sequence[str]) -> list[Path]:
    """The working tree's schema files in these event folders (and the selection), sorted:
    `--changed` lists a handful of folders, not the whole of schemas/."""
    wanted = _wanted(selects)
    files: list[Path] = []
    for key in events:
        folder = schemas_dir / key
        try:
            with os.scandir(folder) as entries:
                names = [e.name for e in entries]  # as list_schema_files lists them
        except OSError:
            continue  # the event was removed locally: only the base has it
        for name in sorted(names):
            usable = name.endswith(".json") and not name.startswith(".")
            if usable and _selected(f"{key}/{name}", wanted):
                files.append(folder / name)
    return files
