"""What the TUI knows about the project's schema files: an index kept in step with the disk.

It holds `SchemaDocument`s read by the core (`reflekt.core.schemas.read_schema`), groups them
by folder for the tree, answers the filter box, and notices files that changed on disk by
polling their mtimes (no watcher dependency). No Textual import here, so it is cheap to test
and to benchmark.
"""

from __future__ import annotations

import os
import stat as stat_mode
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reflekt.core.lint.cache import stat_key
from reflekt.core.project import Project
from reflekt.core.refs import common_stamp
from reflekt.core.schemas import (
    SchemaDocument,
    SchemaId,
    list_schema_paths,
    printable,
    read_schema,
)

if TYPE_CHECKING:
    from reflekt.core.audit.report import AuditReport

_UNPARSED = object()  # a SchemaEntry's version before it is first asked for

Counts = dict[str, tuple[int, int]]  # schema id -> (errors, warnings): the tree's lint badges
# Event folder key -> (errors, warnings) the last audit found there; (0, 0) is clean. An
# event missing here was not audited: the tree shows no verdict for it.
Verdicts = dict[str, tuple[int, int]]


def audit_verdicts(report: AuditReport) -> Verdicts:
    """The report per event folder: every event it audited, with its findings counted.

    A finding names its event's newest schema id; the folder of that id is the event node's
    key. Findings without a schema (a table the plan does not know) belong to no event.
    """
    totals = {schema_id.rpartition("/")[0]: [0, 0] for schema_id in report.audited}
    for finding in report.findings:
        if not finding.schema_id:
            continue
        slot = totals.setdefault(finding.schema_id.rpartition("/")[0], [0, 0])
        slot[0 if finding.severity == "error" else 1] += 1
    return {key: (errors, warnings) for key, (errors, warnings) in totals.items()}


# Documents kept in memory at once: what is on screen and what was looked at lately. The
# other entries hold only facts (id, path, mtime): 50,000 bodies took 860 MB.
DOCS_KEPT = 256


class DocCache:
    """The documents read lately, newest last: a bounded cache, so memory holds facts, not
    bodies, for schemas not on screen. Entries read through it (`SchemaEntry.doc`)."""

    def __init__(self, schemas_dir: Path, size: int = DOCS_KEPT) -> None:
        self.schemas_dir = schemas_dir
        self.size = size
        self._docs: OrderedDict[str, SchemaDocument] = OrderedDict()
        self.broken_changes = 0  # how often an entry's `broken` flipped (see broken_count)

    def get(self, entry: SchemaEntry) -> SchemaDocument:
        doc = self._docs.get(entry.id)
        if doc is None:
            doc = read_schema(entry.path, self.schemas_dir)
            self.put(entry, doc)
        else:
            self._docs.move_to_end(entry.id)
        return doc

    def put(self, entry: SchemaEntry, doc: SchemaDocument) -> None:
        """Keep a document just read (by a poll, a reload), and learn if it is readable."""
        entry.broken = doc.body is None
        self._docs[entry.id] = doc
        self._docs.move_to_end(entry.id)
        while len(self._docs) > self.size:
            self._docs.popitem(last=False)

    def drop(self, schema_id: str) -> None:
        self._docs.pop(schema_id, None)

    def __contains__(self, schema_id: str) -> bool:
        return schema_id in self._docs


class SchemaEntry:
    """One schema file: its id, path and the mtime it was seen at; its document on demand.

    `broken` (the file cannot be parsed) is known once the file was read or linted; until
    then it is False, so the first screen needs no read of any file.
    """

    __slots__ = ("_broken", "_docs", "_path", "_version", "mtime_ns", "schema_id")

    def __init__(
        self,
        schema_id: SchemaId,
        path: str,
        mtime_ns: int,
        docs: DocCache,
        broken: bool = False,
    ) -> None:
        self.schema_id = schema_id
        self._path = path  # a str: a Path per file costs 50,000 objects of a few parts each
        self.mtime_ns = mtime_ns
        self._broken = broken
        self._docs = docs
        self._version: tuple[int, int] | object | None = _UNPARSED

    @property
    def broken(self) -> bool:
        return self._broken

    @broken.setter
    def broken(self, value: bool) -> None:
        # The value first, then the count of changes: a count read before a sum is never
        # newer than what the sum saw (`SchemaIndex.broken_count` caches by it).
        if value != self._broken:
            self._broken = value
            self._docs.broken_changes += 1

    @property
    def path(self) -> Path:
        return Path(self._path)

    @property
    def path_text(self) -> str:
        """`str(path)`, without building the Path (lint takes these for 50,000 files)."""
        return self._path

    @property
    def doc(self) -> SchemaDocument:
        """The file as the core reads it (read now if it is not among the recent ones)."""
        return self._docs.get(self)

    @property
    def id(self) -> str:
        return self.schema_id.path

    @property
    def folder(self) -> str:
        """The event folder key: `segment/ecommerce/Cart_Viewed`."""
        return self.id.rpartition("/")[0]

    @property
    def version_text(self) -> str:
        return self.schema_id.version_text

    @property
    def version_key(self) -> tuple[int, int] | None:
        """The file's version as (major, minor), None when not MAJOR-MINOR; parsed once:
        every filter keystroke builds new folders whose labels ask for the latest again.
        A tuple of ints, not a `Version`: the garbage collector stops walking those."""
        if self._version is _UNPARSED:
            version = self.schema_id.version
            self._version = None if version is None else (version.major, version.minor)
        return self._version  # type: ignore[return-value]


@dataclass(frozen=True)
class Changes:
    """Files that changed on disk since the last poll (ids under `schemas/`); `shared`: a
    shared definition changed (every schema is then among `modified`)."""

    added: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    shared: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.modified or self.removed or self.shared)

    @property
    def changed(self) -> tuple[str, ...]:
        """Added or modified: the files to re-lint."""
        return (*self.added, *self.modified)


_UNSET = object()  # a FolderNode's latest version before it is first asked for


@dataclass(slots=True)
class FolderNode:
    """A folder in the tree (registry, plan, event); `entries` are its version files.

    Slots, no `__dict__`: a filter matching 50,000 schemas makes 25,000 of these a keystroke,
    and each dict was one more object for the garbage collector to walk.
    """

    name: str
    key: str
    folders: dict[str, FolderNode] = field(default_factory=dict)
    entries: list[SchemaEntry] = field(default_factory=list)
    _latest: object = field(default=_UNSET, init=False, repr=False, compare=False)
    _events: int | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def is_event(self) -> bool:
        return bool(self.entries)

    def latest(self) -> SchemaEntry | None:
        """The highest version (computed once: every label of the event asks for it)."""
        if self._latest is _UNSET:
            versioned = [(e.version_key, e) for e in self.entries if e.version_key is not None]
            self._latest = max(versioned, key=lambda pair: pair[0])[1] if versioned else None
        return self._latest  # type: ignore[return-value]

    def count(self) -> int:
        return len(self.entries) + sum(f.count() for f in self.folders.values())

    def schema_ids(self) -> Iterator[str]:
        """The ids of the version files at or below this folder, in tree order."""
        for entry in self.entries:
            yield entry.id
        for folder in self.folders.values():
            yield from folder.schema_ids()

    def event_count(self) -> int:
        """Events at or below this folder (computed once: the tree asks for it per label)."""
        if self._events is None:
            self._events = (1 if self.entries else 0) + sum(
                f.event_count() for f in self.folders.values()
            )
        return self._events


class SchemaIndex:
    """Every schema file of a project, by id, in the core's sort order.

    Loading lists and stats the files and reads none: the tree needs ids only, and lint
    (with its cache) tells which files are unreadable. Documents are read when shown.
    """

    def __init__(self, project: Project, entries: Iterable[SchemaEntry] = ()) -> None:
        self.project = project
        self.docs = DocCache(project.schemas_dir)
        # (the entries dict, its size, docs.broken_changes) the count was made for, and it
        self._broken_count: tuple[dict[str, SchemaEntry], int, int, int] | None = None
        self._skip = len(str(project.schemas_dir)) + 1  # an id is a path after `schemas/`
        self.entries: dict[str, SchemaEntry] = {}
        for entry in entries:
            entry._docs = self.docs
            self.entries[entry.id] = entry
        # The shared definitions as last seen: when they change, every schema may read
        # differently (`$ref`s are inlined where a schema is read).
        self._common = common_stamp(project.schemas_dir)
        self._reindex()

    def _reindex(self) -> None:
        # The filter matches against these: lower-cased once, not per keystroke.
        self._lower: list[tuple[str, str]] = [(key, key.lower()) for key in self.entries]
        self._all_folders: FolderNode | None = None
        self._event_keys: list[str] | None = None

    @classmethod
    def load(cls, project: Project, *, mtimes: bool = True) -> SchemaIndex:
        """List every schema file (no file is read), and stat each for its mtime unless
        `mtimes` is False: the TUI's first screen needs names only (`take_mtimes` after)."""
        index = cls.from_paths(project, list_schema_paths(project.schemas_dir))
        if mtimes:
            index.take_mtimes()
        return index

    @classmethod
    def from_paths(cls, project: Project, paths: Iterable[str]) -> SchemaIndex:
        """An index of these schema file paths (as `list_schema_paths` gives them, in its
        order), not statted: from a listing saved earlier, `poll` tells what differs."""
        index = cls(project)
        prefix = str(project.schemas_dir) + os.sep
        start, skip, docs = len(prefix) - 1, index._skip, index.docs
        entries: dict[str, SchemaEntry] = {}
        # One loop, no call per file but the entry's (`_new_entry` inlined): 50,000 paths
        # in a tenth of a second.
        for path in paths:
            # What a walk lists: under schemas/, no dot-folder, no `..` (the saved listing
            # is checked like any outside content).
            if not path.startswith(prefix) or "/." in path[start:]:
                continue
            rel = path[skip:] if os.sep == "/" else path[skip:].replace(os.sep, "/")
            shown = rel if rel.isascii() else printable(rel)
            entries[shown] = SchemaEntry(SchemaId(shown), path, _UNSEEN, docs, shown != rel)
        index.entries = entries
        index._reindex()
        return index

    def paths(self) -> list[str]:
        """Every entry's path, in order (what `from_paths` takes back)."""
        return [entry._path for entry in self.entries.values()]

    def parse_versions(self) -> None:
        """Parse every file's version now (off the UI thread): the tree's event labels ask
        for them, and filling a plan of 1,250 events would parse 2,500 on a keystroke."""
        for entry in list(self.entries.values()):
            _ = entry.version_key

    def take_mtimes(self, stats: dict[str, str] | None = None) -> None:
        """Stat the files listed without their mtime (the disk watch compares them); with
        `stats`, keep each regular file's `stat_key` there by path too (the lint that
        follows compares them with its index instead of statting 50,000 files again; a
        key string, not the stat: 35 MB less at 50,000 files)."""
        for entry in list(self.entries.values()):
            if entry.mtime_ns == _UNSEEN:
                path = entry._path
                try:
                    st = os.stat(path)
                except OSError:
                    entry.mtime_ns = 0
                    continue
                entry.mtime_ns = st.st_mtime_ns
                if stats is not None and stat_mode.S_ISREG(st.st_mode):
                    stats[str(path)] = stat_key(st)

    def _ids_of(self, path: str) -> tuple[str, str]:
        """A file's path below schemas/, and its id (the same, printable)."""
        rel = path[self._skip :].replace(os.sep, "/")
        return rel, rel if rel.isascii() else printable(rel)

    def _new_entry(self, path: str, mtime_ns: int) -> SchemaEntry:
        rel, shown = self._ids_of(path)
        # A name that is not UTF-8 is a problem of its own (read_schema says which).
        return SchemaEntry(SchemaId(shown), path, mtime_ns, self.docs, broken=shown != rel)

    @property
    def broken_count(self) -> int:
        """Entries that cannot be read; added up again only when a flag or the entries
        changed (the status line asks on every filter keystroke: 50,000 entries)."""
        entries, changes = self.entries, self.docs.broken_changes
        cached = self._broken_count
        if cached is None or cached[0] is not entries or cached[1:3] != (len(entries), changes):
            broken = sum(1 for e in entries.values() if e.broken)
            cached = self._broken_count = (entries, len(entries), changes, broken)
        return cached[3]

    def mark_unreadable(self, unreadable: Iterable[str], linted: Iterable[str] | None) -> None:
        """What a lint run learnt: these ids cannot be parsed, the other `linted` ones can
        (None: every entry was linted)."""
        bad = set(unreadable)
        keys = self.entries if linted is None else linted
        for key in keys:
            entry = self.entries.get(key)
            if entry is not None and key not in self.docs:  # a document read knows better
                entry.broken = key in bad

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, schema_id: str) -> SchemaEntry | None:
        return self.entries.get(schema_id)

    def entry_for_file(self, file: str | Path | None) -> SchemaEntry | None:
        """The entry of a file path (absolute or relative to the project or schemas/)."""
        if file is None:
            return None
        path = Path(file)
        candidates = (
            [path]
            if path.is_absolute()
            else [
                self.project.root / path,
                self.project.schemas_dir / path,
            ]
        )
        for candidate in candidates:
            try:
                rel = candidate.resolve().relative_to(self.project.schemas_dir.resolve())
            except (ValueError, OSError):
                continue
            entry = self.entries.get(printable(rel.as_posix()))
            if entry is not None:
                return entry
        return None

    def matching(self, text: str) -> list[str]:
        """Ids whose path contains every word of `text` (case-insensitive)."""
        words = text.lower().split()
        if not words:
            return list(self.entries)
        if len(words) == 1:
            word = words[0]
            return [key for key, low in self._lower if word in low]
        return [key for key, low in self._lower if all(w in low for w in words)]

    def event_keys(self) -> list[str]:
        """Every event's folder key (`segment/ecommerce/Cart_Viewed`), each once, in order:
        what the build wizard ticks. Made once (until the files change): treat it as
        read-only."""
        if self._event_keys is None:
            folders = [key.rpartition("/")[0] for key in self.entries]
            self._event_keys = list(dict.fromkeys(folders))
        return self._event_keys

    def folder_tree(self, ids: Iterable[str] | None = None) -> FolderNode:
        """Group entries (all, or just `ids`) into nested folders, keeping their order.

        The tree of all entries is made once (until the files change): treat it as read-only.
        """
        if ids is None:
            if self._all_folders is None:
                self._all_folders = self._group(self.entries)
            return self._all_folders
        return self._group(ids)

    def _group(self, keys: Iterable[str]) -> FolderNode:
        root = FolderNode("schemas", "")
        # Files of one event are next to each other: look the folder up once per event.
        last_folder, last_node = None, root
        for key in keys:
            entry = self.entries[key]
            folder = key.rpartition("/")[0]
            if folder != last_folder:
                node = root
                parts = folder.split("/") if folder else []
                for depth, part in enumerate(parts):
                    child = node.folders.get(part)
                    if child is None:
                        child = FolderNode(part, "/".join(parts[: depth + 1]))
                        node.folders[part] = child
                    node = child
                last_folder, last_node = folder, node
            last_node.entries.append(entry)
        return root

    def snapshot_mtimes(self) -> dict[str, int]:
        return {key: entry.mtime_ns for key, entry in self.entries.items()}

    def scan(self) -> dict[str, str]:
        """Path of every schema file on disk now, by id (cheap: a listing, no stat)."""
        return {self._ids_of(path)[1]: path for path in list_schema_paths(self.docs.schemas_dir)}

    def poll(self) -> Changes:
        """Notice added, deleted and modified files; read the ones that changed (few)."""
        on_disk = self.scan()
        added = [key for key in on_disk if key not in self.entries]
        removed = [key for key in self.entries if key not in on_disk]
        mtimes = {key: _mtime(path) for key, path in on_disk.items()}
        for key, mtime in mtimes.items():  # listed, not statted yet: not a change
            entry = self.entries.get(key)
            if entry is not None and entry.mtime_ns == _UNSEEN:
                entry.mtime_ns = mtime
        modified = [
            key
            for key, mtime in mtimes.items()
            if key in self.entries and self.entries[key].mtime_ns != mtime
        ]
        common = common_stamp(self.project.schemas_dir)
        shared = common != self._common
        if shared:  # a shared definition changed: every schema may have
            self._common = common
            modified = [key for key in on_disk if key in self.entries]
        if not (added or removed or modified):
            return Changes(shared=shared)
        fresh = dict(self.entries)
        for key in removed:
            fresh.pop(key, None)
            self.docs.drop(key)
        for key in (*added, *modified):
            entry = fresh[key] = self._new_entry(on_disk[key], mtimes[key])
            # Read now (in the poll's worker): the tree marks a file that became unreadable.
            self.docs.put(entry, read_schema(entry.path, self.project.schemas_dir))
        self.entries = {key: fresh[key] for key in on_disk if key in fresh}
        self._reindex()
        return Changes(tuple(added), tuple(modified), tuple(removed), shared)

    def reload(self, schema_id: str) -> SchemaEntry | None:
        """Re-read one file now (after the editor closed)."""
        entry = self.entries.get(schema_id)
        if entry is None:
            return None
        path = entry.path
        if not path.exists():
            return entry
        # In place: the folder tree holds this entry.
        entry.mtime_ns = _mtime(path)
        self.docs.put(entry, read_schema(path, self.project.schemas_dir))
        return entry


_UNSEEN = -1  # the mtime of a file listed but not statted yet


def _mtime(path: str | Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


@dataclass(frozen=True)
class PropertyRow:
    """One line of the properties table; nested properties carry their depth."""

    path: str
    name: str
    depth: int
    type: str
    required: bool
    description: str


def type_text(spec: Any) -> str:
    """A short type label: `string`, `string | null`, `array<string>`, `enum(3)`."""
    if not isinstance(spec, dict):
        return "any"
    kind = spec.get("type")
    if isinstance(kind, list):
        text = " | ".join(str(k) for k in kind)
    elif kind is None:
        if "anyOf" in spec or "oneOf" in spec:
            options = spec.get("anyOf") or spec.get("oneOf") or []
            text = " | ".join(type_text(option) for option in options) or "any"
        elif "$ref" in spec:
            text = f"ref {spec['$ref']}"
        else:
            text = "any"
    else:
        text = str(kind)
    if kind == "array" and isinstance(spec.get("items"), dict):
        text = f"array<{type_text(spec['items'])}>"
    if "enum" in spec and isinstance(spec["enum"], list):
        text += f" enum({len(spec['enum'])})"
    return text


def property_rows(body: dict[str, Any] | None) -> list[PropertyRow]:
    """Flatten `properties` (and nested object/array-item properties) for the table."""
    rows: list[PropertyRow] = []
    if not isinstance(body, dict):
        return rows

    def walk(spec: dict[str, Any], prefix: str, depth: int) -> None:
        properties = spec.get("properties")
        if not isinstance(properties, dict):
            return
        required = spec.get("required") if isinstance(spec.get("required"), list) else []
        for name, sub in properties.items():
            path = f"{prefix}.{name}" if prefix else str(name)
            sub = sub if isinstance(sub, dict) else {}
            description = sub.get("description")
            rows.append(
                PropertyRow(
                    path=path,
                    name=str(name),
                    depth=depth,
                    type=type_text(sub),
                    required=name in required,
                    description=description if isinstance(description, str) else "",
                )
            )
            walk(sub, path, depth + 1)
            items = sub.get("items")
            if isinstance(items, dict) and isinstance(items.get("properties"), dict):
                walk(items, f"{path}[]", depth + 1)

    walk(body, "", 0)
    return rows


@dataclass(frozen=True)
class FolderSummary:
    """What the schema pane shows for a registry or plan node: its size and lint state."""

    key: str
    events: int
    versions: int
    errors: int
    warnings: int
    unreadable: int
    # The last diff's verdicts of the events under the folder: (verdict, count), or () when
    # no diff covered them.
    diff_verdicts: tuple[tuple[str, int], ...] = ()


def folder_totals(counts: Counts, shown: Iterable[str] | None = None) -> dict[str, tuple[int, int]]:
    """Lint counts added up per folder (registry, plan, event) over `shown` ids (None: all).

    Added up per event folder first, then up the folders above: an event's versions share
    the walk up (50,000 ids: 25,000 walks, not 50,000).
    """
    if shown is None:
        pairs = counts.items()
    else:
        pairs = ((key, counts[key]) for key in shown if key in counts)
    events: dict[str, list[int]] = {}
    for schema_id, (errors, warnings) in pairs:
        folder = schema_id[: schema_id.rfind("/")] if "/" in schema_id else ""
        slot = events.get(folder)
        if slot is None:
            events[folder] = [errors, warnings]
        else:
            slot[0] += errors
            slot[1] += warnings
    totals: dict[str, list[int]] = {}
    for event, (errors, warnings) in events.items():
        folder = event
        while folder:
            slot = totals.get(folder)
            if slot is None:
                slot = totals[folder] = [0, 0]
            slot[0] += errors
            slot[1] += warnings
            folder = folder.rpartition("/")[0]
    return {key: (v[0], v[1]) for key, v in totals.items()}


def folder_verdict_totals(verdicts: Verdicts, events: set[str] | None = None) -> Verdicts:
    """The audit verdicts added up per folder above the events (None: every event)."""
    totals: dict[str, list[int]] = {}
    for key, (errors, warnings) in verdicts.items():
        if events is not None and key not in events:
            continue
        parts = key.split("/")
        for depth in range(1, len(parts)):
            slot = totals.setdefault("/".join(parts[:depth]), [0, 0])
            slot[0] += errors
            slot[1] += warnings
    out = {key: (v[0], v[1]) for key, v in totals.items()}
    # An event folder that also holds sub-folders (rare) is drawn as a folder.
    for key, (errors, warnings) in verdicts.items():
        if events is not None and key not in events:
            continue
        below = out.get(key, (0, 0))
        out[key] = (errors + below[0], warnings + below[1])
    return out


@dataclass(frozen=True)
class TreeShape:
    """What the tree shows for a filter: the matching ids and their folders, with the lint
    and audit totals per folder. Pure data, so a large project computes it off the UI
    thread (`shape_for`) while the user types."""

    filter_text: str
    ids: list[str] | None  # None: no filter, every id
    shown: frozenset[str] | None
    root: FolderNode
    folder_counts: dict[str, tuple[int, int]]
    folder_verdicts: Verdicts


def shape_for(
    index: SchemaIndex, filter_text: str, counts: Counts, verdicts: Verdicts
) -> TreeShape:
    """The tree's shape for `filter_text` (the unfiltered shape is cached by the index)."""
    if not filter_text.strip():
        return TreeShape(
            filter_text,
            None,
            None,
            index.folder_tree(),
            folder_totals(counts),
            folder_verdict_totals(verdicts),
        )
    ids = index.matching(filter_text)
    events = {schema_id.rpartition("/")[0] for schema_id in ids} if verdicts else None
    root = index.folder_tree(ids)
    root.event_count()  # counted here (maybe in a worker): every folder label shows it
    return TreeShape(
        filter_text,
        ids,
        frozenset(ids),
        root,
        folder_totals(counts, ids),
        folder_verdict_totals(verdicts, events),
    )
