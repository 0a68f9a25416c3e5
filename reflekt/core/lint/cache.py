"""The lint cache, `.reflekt_cache/lint/index-<fingerprint>.idx`: lint costs what changed.

Per schema file (keyed by its path relative to the project root) the index keeps its stat
(size, mtime, ctime, inode), a hash of its bytes and the file's own findings; per event
folder, the (version file, hash) of its versions in order and the event rules' findings. A
file whose stat is unchanged is not read; one whose stat changed is read and hashed, and
reused when the hash matches (`git checkout` resets mtimes, not contents). ctime is in the
key because a user can set mtime back but not ctime. A file changed less than
`fsutil.RACY_NS` before the run is "racy" (a same-size edit in the same clock tick keeps its
stat): it is hashed next time.

The file name carries a fingerprint of everything findings depend on (Reflekt's version and
lint code, reflekt_project.yml, the meta-schema, the active rules and their severities,
REFLEKT_MAX_SCHEMA_BYTES): another config is another file, never a stale answer.

Layout (FORMAT 4), chosen so that a warm run over 50,000 files loads it in milliseconds
(JSON of 50,000 lists took 0.5 s): a first line `reflekt-lint-index <FORMAT> <fingerprint>
<flags>` (`index_flags` reads only that line); a line of JSON with the finding rows of the
files and events that have findings (`RowTable`), each key's rows one string
`<errors>|<rows as JSON>` (`RowTable.value`), decoded only when its findings are wanted: the
TUI counts 450,000 findings from the headers and decodes a file's when it is shown
(`core/lint/stored.py`); a line with the number of files N and of events M; N pairs of lines
`<rel>`, `<entry>`, M pairs (`<event key>`, `<entry>`), then a pair per folder under
schemas/ (`<folder>`, its stat and listing: a folder whose stat is unchanged is not listed
again, as git's untracked cache does; racy ones are not kept). Paths holding a newline are
not cached.

FORMAT 5 adds a generation (a random token) at the end of the first line, and the delta
`index-<fingerprint>.delta`: a run that changed only some entries of the files, events and
folders the index already holds (editing a file, `git checkout` of a few) writes just those,
`<magic> <FORMAT> <fingerprint> <generation>` then one line of JSON (the entries, with the
strings and paths their rows add to the index's table), instead of the whole index. A
loaded index applies the delta of its own generation (another generation's is stale: it is
ignored); the whole index is written again, under a new generation, when the delta would
hold more than `DELTA_MAX_ENTRIES` or a run adds, drops or reorders entries.

FORMAT 6: the fingerprint also holds a hash of `schemas/.reflekt/common/` (names and
bytes, `refs.common_signature`): a file's findings depend on the shared definitions it
references, so an edit there is a new index (nothing stale is ever answered). The hash of
each definition file is kept in `common-digests.txt` by its stat (racy ones are not): a
run reads only the definitions whose stat changed, not every one.

FORMAT 7: a file's entry also holds the shared definitions (`common/...json`, as
`refs.named_files` reads them off the file as written) its bytes reference, so `reflekt
lint FILE` or `--select` follows an unchanged file's `$ref`s into common/ from the index
instead of opening the file again (`engine.lint_referenced_common_files`). They depend on
the file's bytes alone, which the stat and hash already vouch for.

Two flags let a whole-project run skip the per-file and per-event work when little changed
(`core/lint/warm.py`): `complete`, the entries are those of a whole-project run in which
every file and event got one (no crash, nothing uncacheable), so for files whose stats all
match, the stored rows are the whole answer; `listed`, the files are, in order, the listing
of the folders (every folder walked has an entry), so when no folder's stat changed the
listing is the file keys.

The cache is outside content: it is parsed as text and JSON (never unpickled) and every
entry used is checked; anything unexpected is a miss, a broken file is an empty index. It is
written whole to a temp file and renamed into place, so a reader never sees half of it;
with two runs at once the last one wins. It is only a cache: failing to read or write it is
a debug note, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reflekt.core.fsutil import stat_fields
from reflekt.core.lint.findings import SEVERITIES, Finding, finding_fields
from reflekt.core.refs import TOO_MANY_COMMON, common_signature, is_common_name
from reflekt.core.schemas import printable

if TYPE_CHECKING:
    from reflekt.core.project import Project

log = logging.getLogger("reflekt.lint.cache")

FORMAT = 7  # bump when the index layout or what it stores changes
INDEX_PREFIX = "index-"
INDEX_SUFFIX = ".idx"
DELTA_SUFFIX = ".delta"
# A run that changed at most this many entries (with what an earlier delta holds) writes
# them to the delta instead of the whole index (16 MB at 50,000 files, 0.12 s to write).
DELTA_MAX_ENTRIES = 2000
_OLD_SUFFIXES = (".json",)  # FORMAT 1 indexes: removed like another fingerprint's
_MAGIC = "reflekt-lint-index"
_DELTA_MAGIC = "reflekt-lint-delta"
_MAX_DELTA_BYTES = 64 << 20
_MAX_INDEX_BYTES = 1 << 30  # a larger "index" is not ours
_HASH_CHARS = 32  # content_hash: 16 bytes as hex
_RACY = "~"  # an entry starting with this is never trusted by its stat
_NO_REFS = "-"  # a file's refs field when its `$ref`s name no shared definition
_UNKNOWN_REFS = "?"  # when they are not known or cannot be held: the file is read for them

# One file's entry: ("<size> <mtime_ns> <ctime_ns> <inode> <hash> <refs> <findings>", its
# findings or None when there are none); racy entries start with `_RACY`. <refs> is the
# `common/...json` names its `$ref`s give, comma-separated, `-` for none, `?` when they
# cannot be held (`refs_field`): the count of findings stays the last field.
# One event's entry: ("<findings>:<signature>", findings or None); the signature lists its
# versions' file names and hashes in order (see `event_signature`). Stored as `RowTable` rows.
# The findings may be their `finding_fields` tuples instead (a priming worker's entries).
FileEntry = tuple[str, list[Finding] | list[tuple] | None]
EventEntry = tuple[str, list[Finding] | list[tuple] | None]
# Either entry with its findings as the index stores them (`RowTable.value`), by the
# table of the index it goes to (`stored_entries`).
StoredEntry = tuple[str, str | None]


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
    common = common_print(project)  # findings follow the shared definitions
    if common == TOO_MANY_COMMON:  # the signature looked at only some of them: no cache
        return None
    add(common)
    add(repr(dataclasses.replace(project, root=Path("."))))  # after env interpolation
    add(code_signature(), _library_versions())
    return digest.hexdigest()[:24]


COMMON_DIGESTS = "common-digests.txt"  # refs.common_signature's `known`, kept between runs
_MAX_DIGESTS_BYTES = 4 << 20


def common_print(project: Project) -> str:
    """`refs.common_signature` of the project, with the hashes of the definition files
    whose stat is unchanged taken from `.reflekt_cache/lint/common-digests.txt` (one line
    a file: `<stat>\t<hash>\t<path>`): a lint of one schema reads only the definitions
    it references. Outside content: a line that is not one of ours is dropped; failing to
    read or write it is a debug note."""
    from reflekt.core.readfile import read_regular

    path = lint_cache_dir(project) / COMMON_DIGESTS
    known: dict[str, tuple[str, str]] = {}
    try:
        text = read_regular(path, _MAX_DIGESTS_BYTES).decode("utf-8")
    except Exception:  # missing, unreadable, not UTF-8: hash every file
        text = ""
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and len(parts[0].split(" ")) == 4 and len(parts[1]) == _HASH_CHARS:
            known[parts[2]] = (parts[0], parts[1])
    before = dict(known)
    signature = common_signature(project.schemas_dir, known)
    if known != before:
        lines = [
            f"{key}\t{found}\t{rel}\n"
            for rel, (key, found) in sorted(known.items())
            if "\n" not in rel and "\t" not in rel and cacheable_key(rel)
        ]
        try:
            from reflekt.core.fsutil import write_atomic

            if not (path.parent.is_symlink() or path.parent.parent.is_symlink()):
                write_atomic(path, "".join(lines))
        except Exception:
            log.debug("lint cache: cannot write %s", path, exc_info=True)
    return signature


def code_signature() -> list[tuple[str, int, int]]:
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


def _library_versions() -> list[object]:
    """The installed libraries whose messages end up in findings, as the size and mtime of
    their `__init__.py` (an upgrade rewrites it): `importlib.metadata` costs 40 ms to
    import, a warm lint's budget is 1 s."""
    from importlib.util import find_spec

    found: list[object] = []
    for name in ("jsonschema", "fastjsonschema"):
        try:
            spec = find_spec(name)
            origin = spec.origin if spec is not None else None
            st = os.stat(origin) if origin else None
        except (ImportError, ValueError, OSError):
            origin, st = None, None
        found.append((origin, st.st_size, st.st_mtime_ns) if st else f"{name} missing")
    return found


def _number(value: int | None) -> str:
    """An int or None as JSON writes it."""
    return "null" if value is None else str(value)


def _position(values: list[Any], ids: dict[Any, int], value: Any) -> int:
    """`value`'s position in `values` (`ids` maps each to it), appended if new."""
    at = ids.get(value)
    if at is None:
        at = ids[value] = len(values)
        values.append(value)
    return at


class RowTable:
    """The strings and property paths of the stored findings, each held once; a stored row
    refers to them by position: `[id, file, line, column, rule, rule name, severity,
    message, property, suggestion, path]`, with line, column, property and suggestion
    possibly null.

    450,000 findings of 50,000 files repeat each file's id and path and a few dozen rule
    names and messages: as numbers they decode in half the time JSON takes for the strings,
    and every Finding shares one object per string instead of holding copies.
    """

    def __init__(self, strings: list[str] | None = None, paths: list[tuple] | None = None):
        self.strings: list[str] = strings if strings is not None else []
        self.paths: list[tuple[str | int, ...]] = paths if paths is not None else []
        self._string_ids: dict[str, int] | None = None
        self._path_ids: dict[tuple, int] | None = None
        # The ends of rows written (`value`), by their fields: a table's positions never
        # change (it only grows), so each stays true.
        self._tails: dict[tuple[Any, ...], str] = {}

    @classmethod
    def parse(cls, strings: Any, paths: Any, escapes: bool = True) -> RowTable | None:
        """The table of a loaded index; None when it is not one (a broken index).
        `escapes`: whether the JSON may hold a `\\uD...` escape (a lone surrogate, which
        `printable` shows); without, the strings are taken as they are (175,000 checks)."""
        if strings.__class__ is not list or paths.__class__ is not list:
            return None
        if not all(text.__class__ is str for text in strings):
            return None
        steps: list[tuple] = []
        for path in paths:
            if path.__class__ is not list:
                return None
            if not all(part.__class__ is str or part.__class__ is int for part in path):
                return None
            steps.append(tuple(path))
        return cls([printable(text) for text in strings] if escapes else strings, steps)

    def _string(self, text: str | None) -> int | None:
        if text is None:
            return None
        if self._string_ids is None:
            self._string_ids = {value: at for at, value in enumerate(self.strings)}
        return _position(self.strings, self._string_ids, text)

    def _path(self, path: tuple[str | int, ...]) -> int:
        if self._path_ids is None:
            self._path_ids = {value: at for at, value in enumerate(self.paths)}
        return _position(self.paths, self._path_ids, path)

    def _row(self, fields: tuple) -> list[Any]:
        """The stored row of a finding's fields (`finding_fields`), adding its strings."""
        text = self._string
        schema_id, file, line, column, rule, name, severity, message, prop, hint, path = fields
        return [
            text(schema_id),
            text(file),
            line,
            column,
            text(rule),
            text(name),
            text(severity),
            text(message),
            text(prop),
            text(hint),
            self._path(path),
        ]

    def value(self, findings: Sequence[Finding] | Sequence[tuple]) -> str:
        """What the index stores for these findings (Findings, or their `finding_fields`
        tuples: a priming worker's): `<errors>|<rows as JSON>` (adding their strings to the
        table). The rows are numbers and nulls only: nothing to escape.

        Written by hand, as `json.dumps` of their `_row`s writes them: a priming run stores
        450,000 findings, 1.7 s of the parent's CPU that way. A file's rows share their
        start (its id and path) and few rows differ past the column (`_tail`, each made
        once per table): 0.8 s."""
        rows: Sequence[tuple] = findings  # type: ignore[assignment]
        if findings and findings[0].__class__ is not tuple:
            rows = list(map(finding_fields, findings))
        errors = 0
        parts: list[str] = []
        owner: tuple[str, str] | None = None
        head = ""
        tails = self._tails
        for row in rows:
            line, column = row[2], row[3]
            if not (line is None or line.__class__ is int) or not (
                column is None or column.__class__ is int
            ):
                return self._dumped(rows)  # not a plain int (a bool): as json writes it
            if row[6] == "error":
                errors += 1
            who = (row[0], row[1])
            if who != owner:
                owner = who
                head = f"[{self._string(who[0])},{self._string(who[1])},"
            key = row[4:]  # rule, rule name, severity, message, property, suggestion, path
            tail = tails.get(key)
            if tail is None:
                tail = tails[key] = self._tail(key)
            parts.append(f"{head}{_number(line)},{_number(column)}{tail}")
        return f"{errors}|[{','.join(parts)}]"

    def _tail(self, key: tuple[Any, ...]) -> str:
        """The end of a row, from its rule on: `,<rule>,...,<path>]` (see `_row`)."""
        rule, name, severity, message, prop, hint, path = key
        text = self._string
        return (
            f",{text(rule)},{text(name)},{text(severity)},{text(message)},"
            f"{_number(text(prop))},{_number(text(hint))},{self._path(path)}]"
        )

    def _dumped(self, rows: Sequence[tuple]) -> str:
        """`value` by `json.dumps` of each `_row`."""
        errors = sum(1 for row in rows if row[6] == "error")
        stored = [self._row(row) for row in rows]
        return f"{errors}|{json.dumps(stored, separators=(',', ':'))}"

    def findings(self, value: Any) -> list[Finding] | None:
        """The findings a stored value holds; None when it is not one (a broken index)."""
        rows = stored_value_rows(value)
        if rows is None:
            return None
        strings, paths, found = self.strings, self.paths, []
        try:
            for row in rows:
                if row.__class__ is not list or len(row) != 11:
                    return None
                schema_id, file, line, column, rule, name, severity, message, prop, hint, path = row
                if not (line is None or line.__class__ is int):
                    return None
                if not (column is None or column.__class__ is int):
                    return None
                level = strings[severity]
                if level not in SEVERITIES:
                    return None
                found.append(
                    Finding(
                        strings[schema_id],
                        strings[file],
                        line,
                        column,
                        strings[rule],
                        strings[name],
                        level,
                        strings[message],
                        None if prop is None else strings[prop],
                        None if hint is None else strings[hint],
                        paths[path],
                    )
                )
        except (IndexError, TypeError):  # a number that is not a position in the table
            return None
        if sum(1 for finding in found if finding.severity == "error") != stored_errors(value):
            return None
        return found

    def compacted(
        self, stores: Sequence[dict[str, Any]]
    ) -> tuple[RowTable, list[dict[str, Any]], list[set[str]]]:
        """A table of only what the rows in `stores` use, the stores renumbered for it (the
        strings of removed files would otherwise stay for ever), and the keys whose rows
        are not rows of this table, per store (a broken index: their entries go too)."""
        table = RowTable()
        text, step = table._string, table._path
        strings, paths = self.strings, self.paths
        broken: list[set[str]] = []

        def renumbered(row: list[Any]) -> list[Any]:
            schema_id, file, line, column, rule, name, severity, message, prop, hint, path = row
            return [
                text(strings[schema_id]),
                text(strings[file]),
                line,
                column,
                text(strings[rule]),
                text(strings[name]),
                text(strings[severity]),
                text(strings[message]),
                None if prop is None else text(strings[prop]),
                None if hint is None else text(strings[hint]),
                step(paths[path]),
            ]

        renewed: list[dict[str, Any]] = []
        for store in stores:
            new: dict[str, Any] = {}
            bad: set[str] = set()
            for key, value in store.items():
                rows = stored_value_rows(value)
                try:
                    if rows is None:
                        raise ValueError(key)
                    renewed_rows = [renumbered(row) for row in rows]
                except (IndexError, TypeError, ValueError):
                    bad.add(key)
                    continue
                errors = value.partition("|")[0]
                new[key] = f"{errors}|{json.dumps(renewed_rows, separators=(',', ':'))}"
            renewed.append(new)
            broken.append(bad)
        return table, renewed, broken


def stored_errors(value: Any) -> int | None:
    """The errors a stored value says it holds (its header); None when it is not a value."""
    if value.__class__ is not str:
        return None
    head, bar, _ = value.partition("|")
    if not bar or not head.isdigit() or not head.isascii() or len(head) > 9:
        return None
    return int(head)


def stored_value_rows(value: Any) -> list[Any] | None:
    """The rows of a stored value (a list); None when it is not a value."""
    if stored_errors(value) is None:
        return None
    try:
        rows = json.loads(value.partition("|")[2])
    except (ValueError, RecursionError):
        return None
    return rows if rows.__class__ is list else None


def stat_key(st: os.stat_result) -> str:
    """What decides whether a file may have changed without reading it, as its entry
    starts (size, mtime, ctime, inode)."""
    return stat_fields(st) + " "


def new_file_entry(
    st: os.stat_result,
    digest: str,
    findings: list[Finding],
    racy_cutoff: int,
    refs: Sequence[str] | None,
) -> FileEntry:
    """A file's entry; `refs`: the shared definitions its bytes name (None: not known)."""
    racy = _RACY if max(st.st_mtime_ns, st.st_ctime_ns) >= racy_cutoff else ""
    entry = f"{racy}{stat_key(st)}{digest} {refs_field(refs)} {len(findings)}"
    return entry, list(findings) or None


def refs_field(refs: Sequence[str] | None) -> str:
    """The refs field of a file's entry. A name that is not one `refs.named_files` gives,
    or that the line cannot hold (its `$ref` ended in a newline, which the name pattern
    lets through), makes it `?`: the file is read for its references, as without the cache."""
    if refs is None:
        return _UNKNOWN_REFS
    if not refs:
        return _NO_REFS
    joined = ",".join(refs)
    if any(char in joined for char in " \n\r") or not all(map(is_common_name, refs)):
        return _UNKNOWN_REFS
    return joined


def parse_refs(text: str) -> tuple[str, ...] | None:
    """The names a refs field holds; None when `?` (not known). ValueError when it is not
    a field `refs_field` writes (a broken or hostile index: the entry is a miss)."""
    if text == _NO_REFS:
        return ()
    if text == _UNKNOWN_REFS:
        return None
    names = tuple(text.split(","))
    if " " in text or not all(map(is_common_name, names)):
        raise ValueError("not a refs field")
    return names


def event_signature(members: Sequence[Any]) -> str:
    """The versions of an event (each with `schema_id` and `digest`), in order, as one
    string: each file name and hash, a NUL (which no file name holds) between the parts."""
    if len(members) == 1:
        member = members[0]
        return f"{member.schema_id.path.rpartition('/')[2]}\0{member.digest}"
    return "\0".join(f"{m.schema_id.path.rpartition('/')[2]}\0{m.digest}" for m in members)


def new_event_entry(signature: str, findings: list[Finding]) -> EventEntry:
    return f"{len(findings)}:{signature}", list(findings) or None


def cacheable_key(text: str) -> bool:
    """A path the index can hold: printable, and no newline (its line separator)."""
    return "\n" not in text and printable(text) == text


def folder_key(st: os.stat_result) -> str:
    """What decides whether a folder's entries may have changed: creating, removing or
    renaming an entry sets its mtime; chmod sets its ctime; another folder there has
    another inode."""
    return f"{st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}|"


def folder_entry(key: str, files: list[str], folders: list[str]) -> str | None:
    """A folder's entry: its `folder_key`, then each name with its kind (F: a `*.json`
    entry, D: a folder to walk, B: both); None when a name cannot be held. The names are
    checked joined (a NUL holds no newline and is UTF-8): one check a folder, not a name."""
    walk = set(folders)
    names = [("B" if name in walk else "F") + name for name in files]
    listed = set(files)
    names.extend("D" + name for name in folders if name not in listed)
    joined = "\0".join(names)
    return key + joined if cacheable_key(joined) else None


def folder_listing(entry: Any, key: str) -> tuple[list[str], list[str]] | None:
    """The (files, folders) a folder's entry lists, when it has this key; else None."""
    if entry.__class__ is not str or not entry.startswith(key):
        return None
    rest = entry[len(key) :]
    files: list[str] = []
    folders: list[str] = []
    for item in rest.split("\0") if rest else ():
        kind, name = item[:1], item[1:]
        if not name or "/" in name or name.startswith("."):
            return None
        if kind in ("F", "B"):
            files.append(name)
        if kind in ("D", "B"):
            folders.append(name)
        elif kind != "F":
            return None
    return files, folders


def stored_rows(
    store: dict[str, Any], key: str, count: str, table: RowTable
) -> list[Finding] | None:
    """The `count` findings stored under `key`; None when they are not exactly that."""
    if count == "0":
        return []
    if not count.isdigit() or not count.isascii():
        return None
    findings = table.findings(store.get(key))
    return findings if findings is not None and len(findings) == int(count) else None


@dataclass
class LintIndex:
    """The loaded index plus this run's updates (merged by `save`)."""

    path: Path
    files: dict[str, str] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)  # see `folder_listing`
    file_rows: dict[str, Any] = field(default_factory=dict)
    event_rows: dict[str, Any] = field(default_factory=dict)
    complete: bool = False  # see the module docstring
    listed: bool = False
    table: RowTable = field(default_factory=RowTable, repr=False)  # what the rows refer to
    generation: str = ""  # the index file's token ("": none on disk yet)
    base: tuple[int, int] = (0, 0)  # the table's strings and paths in the index file
    # The keys the delta on disk holds (files, events, folders), rewritten with a new one.
    delta: tuple[set[str], set[str], set[str]] = field(
        default_factory=lambda: (set(), set(), set()), repr=False
    )

    def trusted(
        self, rel: str, key: str
    ) -> tuple[str, list[Finding], tuple[str, ...] | None] | None:
        """(hash, findings, refs) when the file's `stat_key` matches a non-racy entry: no
        need to read it. refs: the shared definitions it names (None: not known)."""
        entry = self.files.get(rel)
        if entry.__class__ is not str or not entry.startswith(key):  # type: ignore[union-attr]
            return None
        rest: str = entry[len(key) :]  # type: ignore[index]
        if len(rest) <= _HASH_CHARS + 1 or rest[_HASH_CHARS] != " ":
            return None
        digest = rest[:_HASH_CHARS]
        field_text, space, count = rest[_HASH_CHARS + 1 :].rpartition(" ")
        try:
            refs = parse_refs(field_text if space else "")
        except ValueError:
            return None
        findings = stored_rows(self.file_rows, rel, count, self.table)
        return None if findings is None else (digest, findings, refs)

    def by_hash(self, rel: str, digest: str) -> tuple[list[Finding], tuple[str, ...] | None] | None:
        """(findings, refs) cached for these exact bytes at this path (stat aside)."""
        entry = self.files.get(rel)
        if entry.__class__ is not str:
            return None
        parts = entry.removeprefix(_RACY).split(" ")  # type: ignore[union-attr]
        if len(parts) != 7 or parts[4] != digest:
            return None
        try:
            refs = parse_refs(parts[5])
        except ValueError:
            return None
        findings = stored_rows(self.file_rows, rel, parts[6], self.table)
        return None if findings is None else (findings, refs)

    def event(self, key: str, signature: str) -> list[Finding] | None:
        """The event rules' findings for exactly these versions (names and hashes, in order)."""
        entry = self.events.get(key)
        if entry.__class__ is not str:
            return None
        count, _, cached = entry.partition(":")  # type: ignore[union-attr]
        if cached != signature:
            return None
        return stored_rows(self.event_rows, key, count, self.table)


def index_path(project: Project, print_: str) -> Path:
    return lint_cache_dir(project) / f"{INDEX_PREFIX}{print_}{INDEX_SUFFIX}"


def load_index(project: Project, print_: str) -> LintIndex:
    """The index for this fingerprint; an empty one when missing, broken or not ours."""

    return load_index_file(index_path(project, print_), print_)


def load_index_file(path: Path, print_: str) -> LintIndex:
    """`load_index` of the index file at `path` (and its delta)."""
    from reflekt.core.readfile import read_regular

    index = LintIndex(path)
    try:
        raw = read_regular(path, _MAX_INDEX_BYTES)  # a FIFO there: no hang
    except FileNotFoundError:
        return index
    except Exception as exc:  # unreadable, not a regular file, too large
        log.debug("ignoring the lint cache %s: %s", path, exc)
        return index
    try:
        parsed = decode_index(raw, print_)
    except Exception as exc:  # not UTF-8, not JSON, too deep, an odd line count
        log.debug("ignoring the lint cache %s: %s", path, exc)
        return index
    if parsed is None:
        log.debug("ignoring the lint cache %s: not this version's", path)
        return index
    index.files, index.events, index.folders, index.file_rows, index.event_rows = parsed[:5]
    flags, index.table, index.generation = parsed[5:]
    index.complete, index.listed = "complete" in flags, "listed" in flags
    index.base = (len(index.table.strings), len(index.table.paths))
    _apply_delta(index, print_)
    return index


def delta_path(index_file: Path) -> Path:
    return index_file.with_name(index_file.name.removesuffix(INDEX_SUFFIX) + DELTA_SUFFIX)


def _apply_delta(index: LintIndex, print_: str) -> None:
    """The delta of the index's generation, applied; anything else there is ignored (a
    delta is all or nothing: the index alone is consistent)."""
    from reflekt.core.readfile import read_regular

    path = delta_path(index.path)
    try:
        raw = read_regular(path, _MAX_DELTA_BYTES)
    except Exception:  # none (the usual case), unreadable, not a regular file
        return
    try:
        head, _, body = raw.decode("utf-8").partition("\n")
        if head != f"{_DELTA_MAGIC} {FORMAT} {print_} {index.generation}":
            return
        data = json.loads(body)
        changes = _delta_changes(index, data)
    except Exception as exc:  # not UTF-8, not JSON, not a delta of this index
        log.debug("ignoring the lint cache delta %s: %s", path, exc)
        return
    if changes is None:
        log.debug("ignoring the lint cache delta %s: not one of this index", path)
        return
    (files, file_rows), (events, event_rows), folders, (strings, paths) = changes
    index.table.strings.extend(strings)
    index.table.paths.extend(paths)
    index.table._string_ids = index.table._path_ids = None  # rebuilt when next asked
    for entries, rows, new, new_rows in (
        (index.files, index.file_rows, files, file_rows),
        (index.events, index.event_rows, events, event_rows),
    ):
        entries.update(new)
        for key, value in new_rows.items():
            if value is None:
                rows.pop(key, None)
            else:
                rows[key] = value
    index.folders.update(folders)
    index.delta = (set(files), set(events), set(folders))


def _delta_changes(index: LintIndex, data: Any):
    """A delta's parts, checked against the index: every key one it holds, every entry a
    string, the table's additions well formed and starting where the index's table ends.
    None when it is not such a delta."""
    if data.__class__ is not dict or data.get("base") != list(index.base):
        return None
    table = RowTable.parse(data.get("strings"), data.get("paths"))
    if table is None:
        return None
    parts = []
    for name, entries in (("files", index.files), ("events", index.events)):
        store = data.get(name)
        if store.__class__ is not dict:
            return None
        new, new_rows = {}, {}
        for key, item in store.items():
            if key not in entries or item.__class__ is not list or len(item) != 2:
                return None
            entry, row = item
            if entry.__class__ is not str or not (row is None or row.__class__ is str):
                return None
            new[key], new_rows[key] = entry, row
        parts.append((new, new_rows))
    folders = data.get("folders")
    if folders.__class__ is not dict or not all(
        key in index.folders and entry.__class__ is str for key, entry in folders.items()
    ):
        return None
    return parts[0], parts[1], folders, (table.strings, table.paths)


_FLAGS = ("complete", "listed")


def index_flags(project: Project, print_: str) -> set[str] | None:
    """The flags of the index for this fingerprint, from its first line only; None when
    there is none (or it is not one: a FIFO there is not waited on)."""
    import stat as stat_mode

    try:
        fd = os.open(index_path(project, print_), os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat_mode.S_ISREG(os.fstat(fd).st_mode):
            return None
        head = os.read(fd, 4096).partition(b"\n")[0].decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)
    parts = head.split(" ")
    if len(parts) != 5 or " ".join(parts[:3]) != f"{_MAGIC} {FORMAT} {print_}":
        return None
    return set(parts[3].split(",")) & set(_FLAGS)


def decode_index(raw: bytes, print_: str):
    """(files, events, folders, file rows, event rows, flags, row table, generation) of an
    index's bytes; None if not this format and fingerprint. Raises for a broken one."""
    head, rows_line, count, body = raw.decode("utf-8").split("\n", 3)
    head_parts = head.split(" ")
    if len(head_parts) != 5 or " ".join(head_parts[:3]) != f"{_MAGIC} {FORMAT} {print_}":
        return None
    flag_text, generation = head_parts[3], head_parts[4]
    rows = json.loads(rows_line)
    file_rows, event_rows = rows["files"], rows["events"]
    if file_rows.__class__ is not dict or event_rows.__class__ is not dict:
        return None
    escapes = "\\ud" in rows_line or "\\uD" in rows_line  # JSON's surrogate escapes
    table = RowTable.parse(rows["strings"], rows["paths"], escapes)
    if table is None:
        raise ValueError("not a row table")
    lines = body.split("\n")  # key, entry, key, entry, ..., "" (all in C: fast)
    if len(lines) % 2 != 1 or lines[-1] != "":
        raise ValueError("truncated")
    files_count, events_count = count.split(" ")
    flags = set(flag_text.split(",")) & set(_FLAGS)
    split = 2 * int(files_count)
    end = split + 2 * int(events_count)
    if not 0 <= split <= end < len(lines):
        raise ValueError("bad counts")
    files = dict(zip(lines[0:split:2], lines[1:split:2], strict=True))
    events = dict(zip(lines[split:end:2], lines[split + 1 : end : 2], strict=True))
    folders = dict(zip(lines[end:-1:2], lines[end + 1 : -1 : 2], strict=True))
    return files, events, folders, file_rows, event_rows, flags, table, generation


def encode_index(
    print_: str,
    files: dict[str, str],
    events: dict[str, str],
    folders: dict[str, str],
    file_rows: dict[str, Any],
    event_rows: dict[str, Any],
    flags: Sequence[str] = (),
    table: RowTable | None = None,
    generation: str = "-",
) -> str:
    table = table or RowTable()
    rows = json.dumps(
        {
            "strings": table.strings,
            "paths": table.paths,
            "files": file_rows,
            "events": event_rows,
        },
        separators=(",", ":"),
    )
    flag_text = ",".join(flag for flag in _FLAGS if flag in flags) or "-"
    head = f"{_MAGIC} {FORMAT} {print_} {flag_text} {generation}"
    parts = [f"{head}\n{rows}\n{len(files)} {len(events)}\n"]
    parts.extend(f"{rel}\n{entry}\n" for rel, entry in files.items())
    parts.extend(f"{key}\n{entry}\n" for key, entry in events.items())
    parts.extend(f"{rel}\n{entry}\n" for rel, entry in folders.items())
    return "".join(parts)


def stored_entries(
    entries: Mapping[str, FileEntry | StoredEntry], table: RowTable
) -> dict[str, StoredEntry]:
    """The entries with their findings as the index stores them, by its `table`.

    Why: a priming run's parent encodes each chunk's entries as the chunk comes in, while
    the workers lint the next ones, instead of 450,000 findings in its serial save."""
    return {key: (entry, _stored(findings, table)) for key, (entry, findings) in entries.items()}


def _stored(findings: list[Finding] | list[tuple] | str | None, table: RowTable) -> str | None:
    """`table.value` of the findings, unless they are stored already (or none)."""
    if findings is None or findings.__class__ is str:
        return findings  # type: ignore[return-value]
    return table.value(findings)  # type: ignore[arg-type]


def _merged(
    old: dict[str, str],
    old_rows: dict[str, Any],
    new: Mapping[str, FileEntry | StoredEntry],
    keep: set[str] | None,
    table: RowTable,
) -> tuple[dict[str, str], dict[str, Any], set[str], bool]:
    """The old entries (those in `keep`, if given) updated with the new (their findings as
    rows of `table`, unless stored already); the keys whose entry or rows changed, and
    whether any was dropped."""
    dropped = False
    if keep is None or (len(keep) >= len(old) and all(key in keep for key in old)):
        entries, rows = dict(old), dict(old_rows)
    else:
        entries = {key: entry for key, entry in old.items() if key in keep}
        rows = {key: row for key, row in old_rows.items() if key in keep}
        dropped = True
    changed: set[str] = set()
    for key, (entry, findings) in new.items():
        found = _stored(findings, table)
        if entries.get(key) == entry and rows.get(key) == found:
            continue
        entries[key] = entry
        if found is None:
            rows.pop(key, None)
        else:
            rows[key] = found
        changed.add(key)
    return entries, rows, changed, dropped


def save_index(
    index: LintIndex,
    files: Mapping[str, FileEntry | StoredEntry],
    events: Mapping[str, EventEntry | StoredEntry],
    *,
    keep_files: set[str] | None,
    keep_events: set[str] | None,
    folders: dict[str, str] | None = None,
    order: Sequence[str] | None = None,
    complete: bool = False,
    listed: bool = False,
) -> bool:
    """Merge this run's entries into the index and write it atomically; False if not written.

    With `keep_*` (a whole-project run) entries of files and events not seen are dropped,
    the files are kept in `order` (the run's, when given) and the flags are this run's:
    `complete` when every file and event got an entry, `listed` when `order` is the
    listing of `folders` (see the module docstring). A run over some files keeps the flags
    only if it was complete itself and (for `listed`) added no file.
    `folders` (when this run listed schemas/) replaces the folder listings.
    Nothing is written when nothing changed; other fingerprints' indexes are removed.
    """
    from reflekt.core.fsutil import write_atomic

    table = index.table
    merged_files, file_rows, changed_files, files_dropped = _merged(
        index.files, index.file_rows, files, keep_files, table
    )
    merged_events, event_rows, changed_events, events_dropped = _merged(
        index.events, index.event_rows, events, keep_events, table
    )
    files_changed = bool(changed_files) or files_dropped
    events_changed = bool(changed_events) or events_dropped
    if files_dropped or events_dropped:  # their strings are no longer used
        table, (file_rows, event_rows), broken = table.compacted([file_rows, event_rows])
        for entries, keys in zip((merged_files, merged_events), broken, strict=True):
            for key in keys:  # a miss next time
                entries.pop(key, None)
    reordered = False
    if keep_files is None:
        complete = complete and index.complete
        listed = index.listed and len(merged_files) == len(index.files)
    elif order is not None:
        ordered = {rel: merged_files[rel] for rel in order if rel in merged_files}
        reordered = list(ordered) != list(index.files)
        files_changed = files_changed or reordered
        merged_files = ordered
    new_folders = index.folders if folders is None else folders
    flags_changed = (complete, listed) != (index.complete, index.listed)
    if not (files_changed or events_changed or flags_changed or new_folders != index.folders):
        return False
    if index.path.parent.is_symlink() or index.path.parent.parent.is_symlink():
        log.debug("not writing the lint cache through a symlinked folder: %s", index.path.parent)
        return False
    print_ = index.path.name.removeprefix(INDEX_PREFIX).removesuffix(INDEX_SUFFIX)
    same_keys = (
        index.generation
        and not (files_dropped or events_dropped or reordered or flags_changed)
        and len(merged_files) == len(index.files)
        and len(merged_events) == len(index.events)
        and new_folders.keys() == index.folders.keys()
    )
    if same_keys:
        changed_folders = {key for key, entry in new_folders.items() if index.folders[key] != entry}
        if _save_delta(
            index,
            print_,
            (merged_files, file_rows, changed_files | index.delta[0]),
            (merged_events, event_rows, changed_events | index.delta[1]),
            (new_folders, changed_folders | index.delta[2]),
        ):
            index.files, index.events, index.folders = merged_files, merged_events, new_folders
            index.file_rows, index.event_rows = file_rows, event_rows
            return True
    flags = [name for name, on in (("complete", complete), ("listed", listed)) if on]
    generation = os.urandom(8).hex()
    text = encode_index(
        print_,
        merged_files,
        merged_events,
        new_folders,
        file_rows,
        event_rows,
        flags,
        table,
        generation,
    )
    try:
        write_atomic(index.path, text)
    except Exception as exc:  # WriteError (read-only project, full disk): only a cache
        log.debug("not writing the lint cache %s: %s", index.path, exc)
        return False
    index.files, index.events, index.folders = merged_files, merged_events, new_folders
    index.file_rows, index.event_rows, index.table = file_rows, event_rows, table
    index.complete, index.listed = complete, listed
    index.generation, index.base = generation, (len(table.strings), len(table.paths))
    index.delta = (set(), set(), set())
    with contextlib.suppress(OSError):  # of the old generation: ignored from now on anyway
        os.unlink(delta_path(index.path))
    _remove_other_indexes(index.path)
    return True


def _save_delta(
    index: LintIndex,
    print_: str,
    files: tuple[dict[str, str], dict[str, Any], set[str]],
    events: tuple[dict[str, str], dict[str, Any], set[str]],
    folders: tuple[dict[str, str], set[str]],
) -> bool:
    """Write the changed entries (with the earlier delta's) as the index's delta; False
    when they are too many, or the write failed (the caller writes the whole index)."""
    from reflekt.core.fsutil import write_atomic

    file_entries, file_rows, file_keys = files
    event_entries, event_rows, event_keys = events
    folder_entries, folder_keys = folders
    table = index.table
    strings, paths = index.base
    added = len(table.strings) - strings + len(table.paths) - paths
    if len(file_keys) + len(event_keys) + len(folder_keys) + added > DELTA_MAX_ENTRIES:
        return False
    data = {
        "base": [strings, paths],
        "strings": table.strings[strings:],
        "paths": table.paths[paths:],
        "files": {key: [file_entries[key], file_rows.get(key)] for key in sorted(file_keys)},
        "events": {key: [event_entries[key], event_rows.get(key)] for key in sorted(event_keys)},
        "folders": {key: folder_entries[key] for key in sorted(folder_keys)},
    }
    head = f"{_DELTA_MAGIC} {FORMAT} {print_} {index.generation}"
    try:
        write_atomic(delta_path(index.path), f"{head}\n{json.dumps(data, separators=(',', ':'))}")
    except Exception as exc:
        log.debug("not writing the lint cache delta for %s: %s", index.path, exc)
        return False
    index.delta = (set(file_keys), set(event_keys), set(folder_keys))
    return True


def _is_index_name(name: str) -> bool:
    return name.startswith(INDEX_PREFIX) and name.endswith(
        (INDEX_SUFFIX, DELTA_SUFFIX, *_OLD_SUFFIXES)
    )


def _remove_other_indexes(keep: Path) -> None:
    """Other fingerprints' indexes, and temp files a killed writer left (a TUI quitting
    mid-lint kills its priming process): the folder holds one index."""
    from reflekt.core.fsutil import is_stale_temp

    try:
        names = os.listdir(keep.parent)
    except OSError:
        return
    ours = (keep.name, delta_path(keep).name)
    for name in names:
        if (_is_index_name(name) and name not in ours) or is_stale_temp(name):
            with contextlib.suppress(OSError):
                os.unlink(keep.parent / name)


def clean_cache(project: Project) -> list[Path]:
    """Remove Reflekt's lint cache files (not the lock or a transaction journal); say which."""
    from reflekt.core.fsutil import remove_cache_files

    return remove_cache_files(
        lint_cache_dir(project),
        project.cache_dir,
        lambda name: _is_index_name(name) or name == COMMON_DIGESTS,
    )
