"""The lint cache, `.reflekt_cache/lint/index-<fingerprint>.json`: lint costs what changed.

Per schema file (keyed by its path relative to the project root) the index keeps its stat
(size, mtime, ctime, inode), a hash of its bytes and the file's own findings; per event
folder, the (id, hash) of its versions in order and the event rules' findings. A file whose
stat is unchanged is not read; one whose stat changed is read and hashed, and reused when the
hash matches (`git checkout` resets mtimes, not contents). ctime is in the key because a
user can set mtime back but not ctime. A file changed less than `RACY_NS` before the run
is "racy" (a same-size edit in the same clock tick keeps its stat): it is hashed next time.

The file name carries a fingerprint of everything findings depend on (Reflekt's version and
lint code, reflekt_project.yml, the meta-schema, the active rules and their severities,
REFLEKT_MAX_SCHEMA_BYTES): another config is another file, never a stale answer.

The cache is outside content: it is parsed as JSON (never unpickled) and every entry is
checked; anything unexpected is a miss, a broken file is an empty index. It is written
whole to a temp file and renamed into place, so a reader never sees half of it; with two
runs at once the last one wins. It is only a cache: failing to read or write it is a debug
note, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reflekt.core.lint.findings import SEVERITIES, Finding
from reflekt.core.schemas import printable

if TYPE_CHECKING:
    from reflekt.core.project import Project

log = logging.getLogger("reflekt.lint.cache")

NO_CACHE_ENV = "REFLEKT_NO_CACHE"
FORMAT = 1  # bump when the index layout or what it stores changes
RACY_NS = 2_000_000_000  # files changed this close to the run are re-hashed next time
INDEX_PREFIX = "index-"
_MAX_INDEX_BYTES = 1 << 30  # a larger "index" is not ours

# One file's entry: [size, mtime_ns, ctime_ns, inode, hash, racy, findings]
# One event's entry: [[[schema_id, hash], ...], findings]
FileEntry = list[Any]
EventEntry = list[Any]


def cache_disabled() -> bool:
    """`REFLEKT_NO_CACHE` set to anything but empty, 0, false or no."""
    value = os.environ.get(NO_CACHE_ENV, "").strip().lower()
    return value not in ("", "0", "false", "no")


def lint_cache_dir(project: Project) -> Path:
    return project.cache_dir / "lint"


def content_hash(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def fingerprint(project: Project, rules: Sequence[tuple[str, str]], max_bytes: int) -> str | None:
    """A hash of everything findings depend on besides the files; None if unreadable."""
    import dataclasses

    from reflekt import __version__

    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        for part in parts:
            digest.update(repr(part).encode("utf-8", "backslashreplace"))
            digest.update(b"\0")

    try:
        add(FORMAT, __version__, sys.version, max_bytes, sorted(rules))
        add(project.config_path.read_bytes())
        meta = project.meta_schema_path
        add(meta.read_bytes() if meta.is_file() else None)
    except OSError:
        return None
    add(repr(dataclasses.replace(project, root=Path("."))))  # after env interpolation
    add(_code_signature(), _library_versions())
    return digest.hexdigest()[:24]


def _code_signature() -> list[tuple[str, int, int]]:
    """Size and mtime of Reflekt's core modules: a development edit invalidates too."""
    core = Path(__file__).resolve().parents[1]
    found: list[tuple[str, int, int]] = []
    for folder, dirs, names in os.walk(core):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for name in sorted(names):
            if name.endswith((".py", ".json")):
                try:
                    st = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                found.append((os.path.join(folder, name), st.st_size, st.st_mtime_ns))
    return found


def _library_versions() -> list[str]:
    """Versions of the libraries whose messages end up in findings."""
    from importlib import metadata

    versions = []
    for name in ("jsonschema", "fastjsonschema"):
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    return versions


def finding_row(finding: Finding) -> list[Any]:
    return [
        finding.schema_id,
        finding.file,
        finding.line,
        finding.column,
        finding.rule,
        finding.rule_name,
        finding.severity,
        finding.message,
        finding.property,
        finding.suggestion,
        list(finding.path),
    ]


def _is_int(value: Any) -> bool:
    return value.__class__ is int


def _opt_int(value: Any) -> bool:
    return value is None or value.__class__ is int


def _opt_str(value: Any) -> bool:
    return value is None or value.__class__ is str


def finding_from_row(row: Any) -> Finding | None:
    """The Finding a cached row holds; None for anything that is not one."""
    if row.__class__ is not list or len(row) != 11:
        return None
    schema_id, file, line, column, rule, name, severity, message, prop, suggestion, path = row
    strings = (schema_id, file, rule, name, message)
    if not all(value.__class__ is str for value in strings) or severity not in SEVERITIES:
        return None
    if not (_opt_int(line) and _opt_int(column) and _opt_str(prop) and _opt_str(suggestion)):
        return None
    if path.__class__ is not list or not all(
        part.__class__ is str or part.__class__ is int for part in path
    ):
        return None
    return Finding(
        schema_id=printable(schema_id),
        file=printable(file),
        line=line,
        column=column,
        rule=printable(rule),
        rule_name=printable(name),
        severity=severity,
        message=printable(message),
        property=printable(prop) if prop is not None else None,
        suggestion=printable(suggestion) if suggestion is not None else None,
        path=tuple(path),
    )


def findings_from_rows(rows: Any) -> list[Finding] | None:
    if rows.__class__ is not list:
        return None
    findings = []
    for row in rows:
        finding = finding_from_row(row)
        if finding is None:
            return None
        findings.append(finding)
    return findings


@dataclass
class Stat:
    """What decides whether a file may have changed without reading it."""

    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int

    @classmethod
    def of(cls, st: os.stat_result) -> Stat:
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def new_file_entry(stat: Stat, digest: str, findings: list[Finding], racy_cutoff: int) -> FileEntry:
    racy = 1 if max(stat.mtime_ns, stat.ctime_ns) >= racy_cutoff else 0
    rows = [finding_row(finding) for finding in findings]
    return [stat.size, stat.mtime_ns, stat.ctime_ns, stat.ino, digest, racy, rows]


def _entry_ok(entry: Any) -> bool:
    return (
        entry.__class__ is list
        and len(entry) == 7
        and all(_is_int(value) for value in entry[:4])
        and entry[4].__class__ is str
        and entry[5] in (0, 1)
    )


@dataclass
class LintIndex:
    """The loaded index plus this run's updates (merged by `save`)."""

    path: Path
    files: dict[str, Any] = field(default_factory=dict)
    events: dict[str, Any] = field(default_factory=dict)

    def trusted(self, rel: str, stat: Stat) -> tuple[str, list[Finding]] | None:
        """(hash, findings) when the file's stat matches a non-racy entry: no need to read."""
        entry: Any = self.files.get(rel)
        if not _entry_ok(entry) or entry[5]:
            return None
        if entry[:4] != [stat.size, stat.mtime_ns, stat.ctime_ns, stat.ino]:
            return None
        findings = findings_from_rows(entry[6])
        return None if findings is None else (entry[4], findings)

    def by_hash(self, rel: str, digest: str) -> list[Finding] | None:
        """The findings cached for these exact bytes at this path (stat aside)."""
        entry: Any = self.files.get(rel)
        if not _entry_ok(entry) or entry[4] != digest:
            return None
        return findings_from_rows(entry[6])

    def event(self, key: str, members: list[list[str]]) -> list[Finding] | None:
        """The event rules' findings for exactly these versions (ids and hashes, in order)."""
        entry: Any = self.events.get(key)
        if entry.__class__ is not list or len(entry) != 2 or entry[0] != members:
            return None
        return findings_from_rows(entry[1])


def index_path(project: Project, print_: str) -> Path:
    return lint_cache_dir(project) / f"{INDEX_PREFIX}{print_}.json"


def load_index(project: Project, print_: str) -> LintIndex:
    """The index for this fingerprint; an empty one when missing, broken or not ours."""
    from reflekt.core.readfile import read_regular

    path = index_path(project, print_)
    index = LintIndex(path)
    try:
        data = json.loads(read_regular(path, _MAX_INDEX_BYTES))  # a FIFO there: no hang
    except FileNotFoundError:
        return index
    except Exception as exc:  # unreadable, not a regular file, too large, not JSON, too deep
        log.debug("ignoring the lint cache %s: %s", path, exc)
        return index
    if (
        data.__class__ is not dict
        or data.get("format") != FORMAT
        or data.get("fingerprint") != print_
        or data.get("files").__class__ is not dict
        or data.get("events").__class__ is not dict
    ):
        log.debug("ignoring the lint cache %s: not this version's", path)
        return index
    index.files = data["files"]
    index.events = data["events"]
    return index


def save_index(
    index: LintIndex,
    files: dict[str, FileEntry],
    events: dict[str, EventEntry],
    *,
    keep_files: set[str] | None,
    keep_events: set[str] | None,
) -> bool:
    """Merge this run's entries into the index and write it atomically; False if not written.

    With `keep_*` (a whole-project run) entries of files and events not seen are dropped.
    Nothing is written when nothing changed; other fingerprints' indexes are removed.
    """
    from reflekt.core.fsutil import write_atomic

    old_files, old_events = index.files, index.events
    merged_files = (
        dict(old_files)
        if keep_files is None
        else {rel: entry for rel, entry in old_files.items() if rel in keep_files}
    )
    merged_events = (
        dict(old_events)
        if keep_events is None
        else {key: entry for key, entry in old_events.items() if key in keep_events}
    )
    changed = len(merged_files) != len(old_files) or len(merged_events) != len(old_events)
    for rel, entry in files.items():
        if merged_files.get(rel) != entry:
            merged_files[rel] = entry
            changed = True
    for key, entry in events.items():
        if merged_events.get(key) != entry:
            merged_events[key] = entry
            changed = True
    if not changed:
        return False
    if index.path.parent.is_symlink() or index.path.parent.parent.is_symlink():
        log.debug("not writing the lint cache through a symlinked folder: %s", index.path.parent)
        return False
    data = {
        "format": FORMAT,
        "fingerprint": index.path.stem.removeprefix(INDEX_PREFIX),
        "files": merged_files,
        "events": merged_events,
    }
    try:
        write_atomic(index.path, json.dumps(data, separators=(",", ":")))
    except Exception as exc:  # WriteError (read-only project, full disk): only a cache
        log.debug("not writing the lint cache %s: %s", index.path, exc)
        return False
    index.files, index.events = merged_files, merged_events
    _remove_other_indexes(index.path)
    return True


def _remove_other_indexes(keep: Path) -> None:
    try:
        names = os.listdir(keep.parent)
    except OSError:
        return
    for name in names:
        if name.startswith(INDEX_PREFIX) and name.endswith(".json") and name != keep.name:
            with contextlib.suppress(OSError):
                os.unlink(keep.parent / name)


def clean_cache(project: Project) -> list[Path]:
    """Remove Reflekt's lint cache files (not the lock or a transaction journal); say which."""
    from reflekt.core.fsutil import is_stale_temp

    folder = lint_cache_dir(project)
    removed: list[Path] = []
    if folder.is_symlink() or project.cache_dir.is_symlink():
        return removed  # not ours to empty: it points elsewhere
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return removed
    for name in names:
        path = folder / name
        ours = name.startswith(INDEX_PREFIX) and name.endswith(".json")
        if not (ours or is_stale_temp(name)) or path.is_symlink() or not path.is_file():
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            from reflekt.core.fsutil import write_error

            raise write_error(error, path) from None
        removed.append(path)
    with contextlib.suppress(OSError):
        folder.rmdir()
    return removed
