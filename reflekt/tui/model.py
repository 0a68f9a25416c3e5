"""What the TUI knows about the project's schema files: an index kept in step with the disk.

It holds `SchemaDocument`s read by the core (`reflekt.core.schemas.read_schema`), groups them
by folder for the tree, answers the filter box, and notices files that changed on disk by
polling their mtimes (no watcher dependency). No Textual import here, so it is cheap to test
and to benchmark.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reflekt.core.project import Project
from reflekt.core.schemas import SchemaDocument, list_schema_files, printable, read_schema

if TYPE_CHECKING:
    from reflekt.core.audit.report import AuditReport

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


@dataclass
class SchemaEntry:
    """One schema file: its document as the core read it, and the mtime it was read at."""

    doc: SchemaDocument
    mtime_ns: int

    @property
    def id(self) -> str:
        return self.doc.schema_id.path

    @property
    def path(self) -> Path:
        return self.doc.path

    @property
    def broken(self) -> bool:
        return self.doc.body is None

    @property
    def folder(self) -> str:
        """The event folder key: `segment/ecommerce/Cart_Viewed`."""
        return self.id.rpartition("/")[0]

    @property
    def version_text(self) -> str:
        return self.doc.schema_id.version_text


@dataclass(frozen=True)
class Changes:
    """Files that changed on disk since the last poll (ids under `schemas/`)."""

    added: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.modified or self.removed)

    @property
    def changed(self) -> tuple[str, ...]:
        """Added or modified: the files to re-lint."""
        return (*self.added, *self.modified)


@dataclass
class FolderNode:
    """A folder in the tree (registry, plan, event); `entries` are its version files."""

    name: str
    key: str
    folders: dict[str, FolderNode] = field(default_factory=dict)
    entries: list[SchemaEntry] = field(default_factory=list)

    @property
    def is_event(self) -> bool:
        return bool(self.entries)

    def latest(self) -> SchemaEntry | None:
        versioned = [e for e in self.entries if e.doc.schema_id.version is not None]
        if not versioned:
            return None
        return max(versioned, key=lambda e: e.doc.schema_id.version)

    def count(self) -> int:
        return len(self.entries) + sum(f.count() for f in self.folders.values())

    def event_count(self) -> int:
        """Events at or below this folder (computed once: the tree asks for it per label)."""
        cached = self.__dict__.get("_events")
        if cached is None:
            cached = (1 if self.entries else 0) + sum(
                f.event_count() for f in self.folders.values()
            )
            self.__dict__["_events"] = cached
        return cached


class SchemaIndex:
    """Every schema file of a project, by id, in the core's sort order."""

    def __init__(self, project: Project, entries: Iterable[SchemaEntry] = ()) -> None:
        self.project = project
        self.entries: dict[str, SchemaEntry] = {e.id: e for e in entries}
        self._lower: dict[str, str] = {key: key.lower() for key in self.entries}
        self.broken_count = sum(1 for e in self.entries.values() if e.broken)
        # Path of each id seen on disk: an id is printable (a non-UTF-8 name shows as
        # `\\xff`), so it cannot always be joined back into the file's path.
        self._paths: dict[str, Path] = {e.id: e.path for e in self.entries.values()}

    @classmethod
    def load(cls, project: Project) -> SchemaIndex:
        """Read every schema file (malformed ones become entries with `problems`)."""
        schemas_dir = project.schemas_dir
        entries = []
        for path in list_schema_files(schemas_dir):
            entries.append(SchemaEntry(read_schema(path, schemas_dir), _mtime(path)))
        return cls(project, entries)

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
        return [key for key, low in self._lower.items() if all(w in low for w in words)]

    def folder_tree(self, ids: Iterable[str] | None = None) -> FolderNode:
        """Group entries (all, or just `ids`) into nested folders, keeping their order."""
        root = FolderNode("schemas", "")
        keys = self.entries if ids is None else ids
        for key in keys:
            entry = self.entries[key]
            node = root
            parts = key.split("/")[:-1]
            for depth, part in enumerate(parts):
                child = node.folders.get(part)
                if child is None:
                    child = FolderNode(part, "/".join(parts[: depth + 1]))
                    node.folders[part] = child
                node = child
            node.entries.append(entry)
        return root

    def snapshot_mtimes(self) -> dict[str, int]:
        return {key: entry.mtime_ns for key, entry in self.entries.items()}

    def scan(self) -> dict[str, int]:
        """Current mtimes of every schema file on disk (cheap: stat only)."""
        schemas_dir = self.project.schemas_dir
        found: dict[str, int] = {}
        for path in list_schema_files(schemas_dir):
            key = printable(path.relative_to(schemas_dir).as_posix())
            found[key] = _mtime(path)
            self._paths[key] = path
        return found

    def poll(self) -> Changes:
        """Re-read files whose mtime changed, add new ones, drop deleted ones."""
        on_disk = self.scan()
        added = [key for key in on_disk if key not in self.entries]
        removed = [key for key in self.entries if key not in on_disk]
        modified = [
            key
            for key, mtime in on_disk.items()
            if key in self.entries and self.entries[key].mtime_ns != mtime
        ]
        if not (added or removed or modified):
            return Changes()
        schemas_dir = self.project.schemas_dir
        fresh = dict(self.entries)
        for key in removed:
            fresh.pop(key, None)
        for key in (*added, *modified):
            path = self._paths.get(key, schemas_dir / key)
            fresh[key] = SchemaEntry(read_schema(path, schemas_dir), on_disk[key])
        order = list(on_disk)  # list_schema_files order
        self.entries = {key: fresh[key] for key in order if key in fresh}
        self._lower = {key: key.lower() for key in self.entries}
        self.broken_count = sum(1 for e in self.entries.values() if e.broken)
        return Changes(tuple(added), tuple(modified), tuple(removed))

    def reload(self, schema_id: str) -> SchemaEntry | None:
        """Re-read one file now (after the editor closed)."""
        entry = self.entries.get(schema_id)
        if entry is None:
            return None
        path = entry.path
        if not path.exists():
            return entry
        self.entries[schema_id] = SchemaEntry(
            read_schema(path, self.project.schemas_dir), _mtime(path)
        )
        self.broken_count = sum(1 for e in self.entries.values() if e.broken)
        return self.entries[schema_id]


def _mtime(path: Path) -> int:
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


def folder_summary(
    index: SchemaIndex, key: str, counts: Counts, shown: Iterable[str] | None = None
) -> FolderSummary:
    """Events, versions and lint counts of the schemas under the folder `key`.

    `shown` (the filter's matches) narrows it to what the tree lists, as its badges do.
    """
    prefix = key + "/"
    keys = index.entries if shown is None else shown
    ids = [schema_id for schema_id in keys if schema_id.startswith(prefix)]
    events = {schema_id.rpartition("/")[0] for schema_id in ids}
    errors = sum(counts.get(schema_id, (0, 0))[0] for schema_id in ids)
    warnings = sum(counts.get(schema_id, (0, 0))[1] for schema_id in ids)
    unreadable = sum(1 for schema_id in ids if index.entries[schema_id].broken)
    return FolderSummary(key, len(events), len(ids), errors, warnings, unreadable)
