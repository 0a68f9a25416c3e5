"""The build's facts cache, `.reflekt_cache/build/facts-<fingerprint>.txt`: a build reads
and parses only the schema files that changed since the last one.

Per schema file (by schema id) it keeps the file's stat (size, mtime, ctime, inode, as the
lint index does), a hash of its text and the `EventSchema` the build made of it, as JSON of
plain values. A file whose stat is unchanged is not opened; one whose stat changed is read
and hashed, and its facts reused when the hash matches (`git checkout` resets mtimes, not
contents). A file changed less than `fsutil.RACY_NS` before the run is "racy" (a same-size
edit in the same clock tick keeps its stat): it is hashed next time, never trusted by stat.
Only a file that loaded is kept: an unreadable or invalid one is read (and fails, with its
`SchemaFileError`) every time.

The name carries a fingerprint of everything the facts depend on besides the file: the
format, Reflekt's version and core code, Python's version, the schema size cap, the
schemas/ folder and the shared definitions (`$ref`s are inlined before the facts are taken).

Layout: a line `reflekt-build-facts <FORMAT> <fingerprint>`, then per file a line with its
schema id and one with `[~]<size> <mtime_ns> <ctime_ns> <inode> <hash> <facts JSON>` (`~`:
racy), then `end <count>`. It is outside content: parsed as text and JSON (never
unpickled), every entry checked, anything unexpected a miss, a file without its end line
(truncated) or of another format no cache at all. Written whole to a temp file and renamed
into place, so a reader never sees half of it; with two builds at once the last one wins.
Failing to read or write it is a debug note, never an error; `REFLEKT_NO_CACHE`,
`--no-cache` and `reflekt cache clean` apply.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reflekt.core.build.events import EventSchema
from reflekt.core.cache_switch import cache_disabled
from reflekt.core.fsutil import is_stale_temp, racy_cutoff, remove_cache_files, stat_fields
from reflekt.core.lint.cache import cacheable_key, content_hash
from reflekt.core.readfile import max_schema_bytes, read_regular
from reflekt.core.refs import TOO_MANY_COMMON
from reflekt.core.schemas import SchemaIdOf, Version, load_schema

if TYPE_CHECKING:
    from reflekt.core.project import Project

log = logging.getLogger("reflekt.build.facts")

FORMAT = 1  # bump when the layout or what the facts hold changes
FACTS_DIR = "build"
_PREFIX = "facts-"
_SUFFIX = ".txt"
_MAGIC = "reflekt-build-facts"
_MAX_BYTES = 1 << 30  # a larger "cache" is not ours
_HASH_CHARS = 32  # content_hash: 16 bytes as hex
_RACY = "~"
_BOM = b"\xef\xbb\xbf"  # what `utf-8-sig` drops: the hash is of the text, BOM or not
# One encoder (`json.dumps` with options builds one a call: a third of the encoding time).
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


def facts_dir(project: Project) -> Path:
    return project.cache_dir / FACTS_DIR


def fingerprint(project: Project) -> str | None:
    """A hash of everything a file's facts depend on besides its text; None if unknown."""
    from reflekt import __version__
    from reflekt.core.lint.cache import code_signature, common_print

    digest = hashlib.sha256()
    try:
        common = common_print(project)  # the facts are of the bodies with `$ref`s inlined
        parts: list[object] = [FORMAT, __version__, sys.version, max_schema_bytes()]
        parts += [str(project.schemas_dir), common, code_signature()]
    except Exception:  # an unreadable shared definition, a bad size cap: no cache
        log.debug("build facts: no fingerprint", exc_info=True)
        return None
    if common == TOO_MANY_COMMON:  # `common_signature` looked at only some: it vouches for none
        return None
    for part in parts:
        digest.update(repr(part).encode("utf-8", "backslashreplace") + b"\0")
    return digest.hexdigest()[:24]


def encode_facts(schema: EventSchema) -> str | None:
    """The JSON of `schema`'s fields but its id; None when they are not plain JSON."""
    try:
        return _ENCODER.encode(
            [
                schema.name,
                schema.version.major,
                schema.version.minor,
                schema.description,
                schema.metadata,
                schema.properties,
                list(schema.required),
                schema.closed,
            ]
        )
    except (TypeError, ValueError, RecursionError):
        return None


def decode_facts(schema_id: str, text: str) -> EventSchema | None:
    """The `EventSchema` that `encode_facts` wrote; None for anything else."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if data.__class__ is not list or len(data) != 8:
        return None
    name, major, minor, description, metadata, properties, required, closed = data
    if not (
        name.__class__ is str
        and major.__class__ is int
        and minor.__class__ is int
        and description.__class__ is str
        and metadata.__class__ is dict
        and properties.__class__ is dict
        and required.__class__ is list
        and all(item.__class__ is str for item in required)
        and closed.__class__ is bool
    ):
        return None
    return EventSchema(
        schema_id=schema_id,
        name=name,
        version=Version(major, minor),
        description=description,
        metadata=metadata,
        properties=properties,
        required=tuple(required),
        closed=closed,
    )


class FactsCache:
    """The loaded cache and this run's entries (`load` each file, then `save`)."""

    def __init__(self, project: Project, print_: str, entries: dict[str, str]) -> None:
        self.path = facts_dir(project) / f"{_PREFIX}{print_}{_SUFFIX}"
        self.schemas_dir = project.schemas_dir
        self.entries = entries  # as on disk
        self.seen: dict[str, str] = {}  # this run's entries, by schema id
        self._print = print_
        self._id_of = SchemaIdOf(project.schemas_dir)
        self._racy = racy_cutoff()

    @classmethod
    def open(cls, project: Project) -> FactsCache | None:
        """The project's cache (empty when missing or not usable); None when caches are off."""
        if cache_disabled():
            return None
        print_ = fingerprint(project)
        if print_ is None:
            return None
        cache = cls(project, print_, {})
        cache.entries = _read_entries(cache.path, print_)
        return cache

    def load(self, path: str) -> EventSchema:
        """The facts of the schema file at `path` (a `list_schema_paths` string): from the
        cache when its stat or its text is the one kept, else `load_schema` (which raises
        SchemaFileError as without the cache) and `EventSchema.from_body`."""
        schema_id = self._id_of(path)
        try:
            st: os.stat_result | None = os.stat(path)  # before reading: an edit after is seen
        except OSError:
            st = None
        entry = self.entries.get(schema_id) if st is not None else None
        if entry is not None and st is not None:
            found = self._cached(path, schema_id, entry, st)
            if found is not None:
                return found
        doc = load_schema(Path(path), self.schemas_dir)
        schema = EventSchema.from_body(doc.schema_id.path, doc.body or {})
        facts = encode_facts(schema)
        if st is not None and facts is not None and doc.schema_id.path == schema_id:
            digest = content_hash(doc.text.encode("utf-8"))
            self._keep(schema_id, st, digest, facts)
        return schema

    def _cached(
        self, path: str, schema_id: str, entry: str, st: os.stat_result
    ) -> EventSchema | None:
        key = stat_fields(st) + " "
        if entry.startswith(key):  # a racy entry starts with `~`: never trusted by stat
            rest = entry[len(key) :]
            if len(rest) > _HASH_CHARS + 1 and rest[_HASH_CHARS] == " ":
                schema = decode_facts(schema_id, rest[_HASH_CHARS + 1 :])
                if schema is not None:
                    self.seen[schema_id] = entry
                    return schema
            return None
        parts = entry.removeprefix(_RACY).split(" ", 5)
        if len(parts) != 6 or len(parts[4]) != _HASH_CHARS:
            return None
        try:
            raw = read_regular(path)
        except Exception:  # unreadable now: `load_schema` says why
            return None
        if content_hash(raw.removeprefix(_BOM)) != parts[4]:
            return None
        schema = decode_facts(schema_id, parts[5])
        if schema is not None:
            self._keep(schema_id, st, parts[4], parts[5])
        return schema

    def _keep(self, schema_id: str, st: os.stat_result, digest: str, facts: str) -> None:
        if not cacheable_key(schema_id):
            return
        racy = _RACY if max(st.st_mtime_ns, st.st_ctime_ns) >= self._racy else ""
        self.seen[schema_id] = f"{racy}{stat_fields(st)} {digest} {facts}"

    def save(self, *, whole: bool) -> bool:
        """Write this run's entries (with the others kept, unless `whole`: a run over every
        file drops those it did not load); False if nothing changed or not written."""
        entries = self.seen if whole else {**self.entries, **self.seen}
        if entries == self.entries:
            return False
        folder = self.path.parent
        if folder.is_symlink() or folder.parent.is_symlink() or self.path.is_symlink():
            log.debug("not writing the build facts through a symlink: %s", self.path)
            return False
        from reflekt.core.fsutil import write_atomic

        lines = [f"{_MAGIC} {FORMAT} {self._print}\n"]
        lines.extend(f"{schema_id}\n{entry}\n" for schema_id, entry in entries.items())
        lines.append(f"end {len(entries)}\n")
        try:
            write_atomic(self.path, "".join(lines))
        except Exception as exc:  # WriteError (read-only project, full disk): only a cache
            log.debug("not writing the build facts %s: %s", self.path, exc)
            return False
        self.entries = entries
        _remove_others(self.path)
        return True


def _read_entries(path: Path, print_: str) -> dict[str, str]:
    """The entries of the cache file at `path`; {} when missing, broken or not ours."""
    try:
        text = read_regular(path, _MAX_BYTES).decode("utf-8")
    except Exception:  # missing, unreadable, not UTF-8
        return {}
    lines = text.split("\n")
    if len(lines) < 3 or lines[0] != f"{_MAGIC} {FORMAT} {print_}" or lines[-1] != "":
        return {}
    body = lines[1:-2]
    if len(body) % 2 or lines[-2] != f"end {len(body) // 2}":
        return {}
    entries: dict[str, Any] = dict(zip(body[::2], body[1::2], strict=True))
    return entries if len(entries) == len(body) // 2 else {}


def _remove_others(keep: Path) -> None:
    """Other fingerprints' caches and temp files a killed writer left: one cache a folder."""
    try:
        names = os.listdir(keep.parent)
    except OSError:
        return
    for name in names:
        if (_is_cache_name(name) and name != keep.name) or is_stale_temp(name):
            with contextlib.suppress(OSError):
                os.unlink(keep.parent / name)


def _is_cache_name(name: str) -> bool:
    return name.startswith(_PREFIX) and name.endswith(_SUFFIX)


def clean_facts(project: Project) -> list[Path]:
    """Remove the build facts cache (`reflekt cache clean`); the files removed."""
    return remove_cache_files(facts_dir(project), project.cache_dir, _is_cache_name)
