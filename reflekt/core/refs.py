"""Shared definitions: `$ref`s to `schemas/.reflekt/common/`, inlined where a schema is read.

Why: real plans repeat the same property definitions (a `products` array, a `currency`
enum) in dozens of events. A schema may instead say
`{"$ref": "common/products/1-0.json#/definitions/product"}`; every reader (lint, diff,
build dbt/code/docs, push) sees the schema with the reference replaced by what it names.

The one supported form (`$ref` values):
- `common/<path>.json` or `common/<path>.json#<JSON pointer>`: a file under
  `schemas/.reflekt/common/`, the same spelling from every file (project-relative; a file
  under `common/` refers to another one the same way);
- `#<JSON pointer>`: a place in the same file (`#/definitions/currency`).
Keys beside a `$ref` (a `description`) are laid over what it names (they win).

Resolution goes through `referencing` (the library jsonschema resolves with) over a
retriever that reads only files under `schemas/.reflekt/common/`, the bounded way
(`read_regular`, strict JSON). Anything else is a `RefProblem`, never a read: another scheme
(`http://`, `file:`), an absolute path (`/etc/passwd`), a `..` or dot-named part, a symlink
out of `common/`, a missing file or pointer, a cycle, a chain deeper than MAX_REF_DEPTH,
an expansion larger than MAX_INLINED_NODES.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from reflekt.core.fsutil import racy_cutoff, stat_fields
from reflekt.core.jsonpath import JsonPath

COMMON = "common"  # the `$ref` prefix and the folder under schemas/.reflekt/
COMMON_DIR = (".reflekt", COMMON)  # under schemas/
MAX_REF_DEPTH = 32  # references followed inside one another
MAX_INLINED_NODES = 200_000  # JSON values an inlined schema may hold (a "billion laughs" guard)
MAX_COMMON_FILES = 10_000  # files the lint cache's signature of common/ looks at
TOO_MANY_COMMON = "too many"  # `common_signature` of more: it vouches for none of them

_BASE = "https://reflekt.invalid/schemas/.reflekt/"  # never fetched: only a namespace
_SELF = "urn:reflekt:self"  # the uri of the schema itself (`#/...` references in it)
_MISSING = object()
_PART = r"[A-Za-z0-9_][A-Za-z0-9_.@+-]*"
_FILE_RE = re.compile(rf"^{COMMON}/(?:{_PART}/)*{_PART}\.json$")


@dataclass(frozen=True)
class RefProblem:
    """A `$ref` that does not resolve: where it is in the file (JSON path), what it says."""

    ref: str
    at: JsonPath
    message: str


@dataclass(frozen=True)
class Resolution:
    """A body with its references inlined.

    `origins`: JSON path in `body` -> the reference whose content is there (every level:
    the longest prefix of a path names the innermost definition). `uses`: the common files
    the body depends on. `problems`: references left as they are, with why.
    """

    body: dict[str, Any]
    origins: Mapping[JsonPath, str] = field(default_factory=dict)
    uses: tuple[str, ...] = ()
    problems: tuple[RefProblem, ...] = ()


def may_have_refs(text: str) -> bool:
    """Whether a file's text can hold a reference (no work for the other 99%)."""
    return '"$ref"' in text


def common_dir(schemas_dir: Path) -> Path:
    return schemas_dir.joinpath(*COMMON_DIR)


def cause_of(origins: Mapping[JsonPath, str], at: JsonPath) -> str | None:
    """The reference whose content holds `at` (the innermost), None when none does."""
    current = tuple(at)
    while current:
        found = origins.get(current)
        if found is not None:
            return found
        current = current[:-1]
    return None


class _Unresolved(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CommonFiles:
    """Reads `schemas/.reflekt/common/` files for the retriever: bounded, never outside it.

    One instance serves one run (`shared_reads`): each file is checked and parsed once, each
    reference looked up once (a lint of 2,000 schemas that use 3 definitions reads 3 files).
    Parsed files are also kept across runs while their stat is unchanged and older than two
    seconds."""

    def __init__(self, schemas_dir: Path, read: Callable[[str], bytes] | None = None) -> None:
        self.folder = common_dir(schemas_dir)
        self._root: str | None = None
        self._read: dict[str, Any] = {}
        # `read(name)`: the bytes of `common/...json` from elsewhere (a git commit); OSError
        # or LookupError when there is no such file
        self._reader = read
        self._found: dict[str, Any] = {}  # uri -> what it names, or the _Unresolved why not
        self.expansions: dict[str, _Expansion] = {}  # uri -> inlined (see _Inliner._expanded)
        self._registry: Any = None

    def _real_root(self) -> str:
        if self._root is None:
            real_schemas = os.path.realpath(self.folder.parent.parent)
            real = os.path.realpath(self.folder)
            if not real.startswith(real_schemas + os.sep):
                raise _Unresolved("schemas/.reflekt/common/ leads out of schemas/ (a symlink)")
            self._root = real
        return self._root

    def load(self, name: str) -> Any:
        """The parsed file `common/...json`; _Unresolved with why it cannot be used."""
        if name in self._read:
            return self._read[name]
        if not is_common_name(name):
            raise _Unresolved(_FORM)
        if self._reader is not None:
            body = _from_reader(self._reader, name)
            self._read[name] = body
            return body
        path = self.folder.joinpath(*name.split("/")[1:])
        root = self._real_root()
        real = os.path.realpath(path)
        if not real.startswith(root + os.sep):
            raise _Unresolved(f"{name} leads out of schemas/.reflekt/common/ (a symlink)")
        body = _cached(real)
        self._read[name] = body
        return body

    def lookup(self, uri: str, name: str, pointer: str) -> Any:
        """What `uri` (`<base>common/...json#pointer`) names, through `referencing`;
        _Unresolved with why not. Each uri is looked up once per instance."""
        found = self._found.get(uri, _MISSING)
        if found is _MISSING:
            try:
                found = self._registry_of().resolver().lookup(uri).contents
            except Exception as exc:  # referencing's Unresolvable, PointerToNowhere, ...
                cause = _retrieval_in(exc)
                message = f"{name}: {cause.message}" if cause else f"no {pointer or '/'} in {name}"
                found = _Unresolved(message)
            self._found[uri] = found
        if isinstance(found, _Unresolved):
            raise found
        return found

    def _registry_of(self) -> Any:
        if self._registry is None:
            from referencing import Registry

            self._registry = Registry(retrieve=self._retrieve)  # type: ignore[call-arg]
        return self._registry

    def _retrieve(self, uri: str) -> Any:
        from referencing.jsonschema import DRAFT7

        try:
            return DRAFT7.create_resource(self.load(uri[len(_BASE) :]))
        except _Unresolved as exc:
            raise _Retrieval(exc.message) from None


_SESSIONS: dict[str, CommonFiles] = {}


@contextmanager
def shared_reads(schemas_dir: Path) -> Iterator[None]:
    """Within the block, every schema of `schemas_dir` read (`read_schema`, `load_schema`)
    takes the shared definitions from one `CommonFiles`: read once, and the same ones for
    the whole run (lint, diff, build). Nested blocks share the outer one."""
    key = str(schemas_dir)
    if key in _SESSIONS:
        yield
        return
    _SESSIONS[key] = CommonFiles(schemas_dir)
    try:
        yield
    finally:
        _SESSIONS.pop(key, None)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def reads_shared(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `func(project, ...)` within `shared_reads(project.schemas_dir)`: a job that
    reads many schemas (lint, diff, build, push) reads each definition once."""

    @functools.wraps(func)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        project = args[0] if args else kwargs["project"]
        with shared_reads(project.schemas_dir):  # type: ignore[attr-defined]
            return func(*args, **kwargs)

    return run


def files_for(schemas_dir: Path) -> CommonFiles:
    """The run's `CommonFiles` (`shared_reads`), else a new one (one read, e.g. the TUI's)."""
    return _SESSIONS.get(str(schemas_dir)) or CommonFiles(schemas_dir)


_FORM = (
    "only `common/<name>/<M-m>.json#/pointer` (a file under schemas/.reflekt/common/) "
    "or `#/pointer` (this file) can be referenced"
)
_PARSED: dict[str, tuple[tuple[int, int, int, int], Any]] = {}


def _from_reader(read: Callable[[str], bytes], name: str) -> Any:
    try:
        raw = read(name)
    except (OSError, LookupError) as exc:
        raise _Unresolved(f"no such file ({exc})") from None
    return _parsed(raw)


def _parsed(raw: bytes) -> Any:
    from reflekt.core.schemas import parse_schema_text

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Unresolved("the file is not UTF-8 text") from None
    body, problems = parse_schema_text(text)
    if body is None or problems:
        problem = problems[-1] if problems else None
        where = f" (line {problem.line}: {problem.message})" if problem else ""
        raise _Unresolved(f"the file is not plain JSON{where}")
    return body


def _cached(real: str) -> Any:
    from reflekt.core.readfile import UnreadableFileError, read_regular

    try:
        st = os.stat(real)
    except FileNotFoundError:
        raise _Unresolved("no such file in schemas/.reflekt/common/") from None
    except OSError as exc:
        raise _Unresolved(f"cannot read it: {exc.strerror or exc}") from None
    key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    kept = _PARSED.get(real)
    if kept is not None and kept[0] == key:
        return kept[1]
    try:
        raw = read_regular(real)
    except UnreadableFileError as exc:  # a FIFO, a device, too large
        raise _Unresolved(exc.message) from None
    except OSError as exc:
        raise _Unresolved(f"cannot read it: {exc.strerror or exc}") from None
    body = _parsed(raw)
    if max(st.st_mtime_ns, st.st_ctime_ns) < racy_cutoff():
        if len(_PARSED) >= MAX_COMMON_FILES:
            _PARSED.clear()  # a bound, not an LRU: definitions are few
        _PARSED[real] = (key, body)
    return body


def resolve_body(
    body: dict[str, Any], schemas_dir: Path, files: CommonFiles | None = None
) -> Resolution:
    """`body` with its `$ref`s inlined (a `Resolution`); `body` itself is not changed."""
    return _Inliner(body, files or files_for(schemas_dir)).run()


class _Inliner:
    def __init__(self, body: dict[str, Any], files: CommonFiles) -> None:
        self.files = files
        self.own = body
        self._own_resource: Any = None
        self.origins: dict[JsonPath, str] = {}
        self.uses: set[str] = set()
        self.problems: list[RefProblem] = []
        self.nodes = 0

    def run(self) -> Resolution:
        inlined = self._walk(self.own, None, (), (), (), None)
        assert isinstance(inlined, dict)
        return Resolution(inlined, self.origins, tuple(sorted(self.uses)), tuple(self.problems))

    def _walk(
        self,
        node: Any,
        current: str | None,  # the common file `node` is in (None: the schema itself)
        at: JsonPath,  # JSON path of `node` in the file holding the reference (for problems)
        out: JsonPath,  # JSON path of `node` in the inlined body
        chain: tuple[str, ...],  # the references being followed
        anchor: tuple[JsonPath, str] | None,  # the schema's own `$ref` (where and what) that
        # led here: problems deeper down are reported there
    ) -> Any:
        if current is None and not _holds_ref(node):
            return node  # the schema's own part without references: as it is, not copied
        self.nodes += 1
        if self.nodes > MAX_INLINED_NODES:
            raise _TooLarge()
        if isinstance(node, list):
            return [
                self._walk(item, current, (*at, i), (*out, i), chain, anchor)
                for i, item in enumerate(node)
            ]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            here = anchor if anchor is not None else ((*at, "$ref"), ref)
            try:
                target = self._target(ref, current, chain)
            except _Unresolved as exc:
                self._problem(ref, here, current, exc.message)
                target = None
            if target is not None:
                uri, name, contents = target
                # `#/...` inside a common file: named with its file, as a user would write it
                inner = current is not None and ref.startswith("#")
                self.origins[out] = f"{current}{ref}" if inner else ref
                if name is not None:
                    self.uses.add(name)
                if name is not None and not any(c.startswith(_BASE) for c in chain):
                    inlined = self._expanded(uri, name, contents, at, out, here)
                else:
                    inlined = self._walk(contents, name or current, at, out, (*chain, uri), here)
                if len(node) == 1 or not isinstance(inlined, dict):
                    return inlined
                beside = {
                    key: self._walk(value, current, (*at, key), (*out, key), chain, anchor)
                    for key, value in node.items()
                    if key != "$ref"
                }
                return {**inlined, **beside}
        if current is None:  # the schema's own part: what holds no reference is kept as it is
            return {
                key: self._walk(value, None, (*at, key), (*out, key), chain, anchor)
                if value.__class__ in _CONTAINERS and _holds_ref(value)
                else value
                for key, value in node.items()
            }
        return {
            key: self._walk(value, current, (*at, key), (*out, key), chain, anchor)
            for key, value in node.items()
        }

    def _expanded(
        self,
        uri: str,
        name: str,
        contents: Any,
        at: JsonPath,
        out: JsonPath,
        here: tuple[JsonPath, str],
    ) -> Any:
        """A shared definition followed from the schema itself, expanded once per run
        (`CommonFiles.expansions`): what it inlines does not depend on who refers to it.
        Bodies are read-only, so the schemas of a run share it."""
        kept = self.files.expansions.get(uri)
        if kept is None:
            saved = self.origins, self.uses, self.problems, self.nodes
            self.origins, self.uses, self.problems, self.nodes = {}, set(), [], 0
            try:
                inlined = self._walk(contents, name, at, (), (uri,), here)
                kept = _Expansion(
                    inlined,
                    tuple(self.origins.items()),
                    frozenset(self.uses),
                    tuple(problem.message for problem in self.problems),
                    self.nodes,
                )
            finally:
                self.origins, self.uses, self.problems, self.nodes = saved
            self.files.expansions[uri] = kept
        self.nodes += kept.nodes
        if self.nodes > MAX_INLINED_NODES:
            raise _TooLarge()
        for relative, ref in kept.origins:
            self.origins[(*out, *relative)] = ref
        self.uses.update(kept.uses)
        at_ref, outer = here
        self.problems.extend(RefProblem(outer, at_ref, message) for message in kept.problems)
        return kept.body

    def _target(
        self, ref: str, current: str | None, chain: tuple[str, ...]
    ) -> tuple[str, str | None, Any]:
        """(uri, common file or None, what the reference names); _Unresolved with why not."""
        file_part, hash_, pointer = ref.partition("#")
        if not file_part and hash_:
            name = current
        elif is_common_name(file_part):
            name = file_part
        else:
            raise _Unresolved(_FORM)
        if pointer and not pointer.startswith("/"):
            raise _Unresolved("the part after # must be a JSON pointer")
        uri = (_BASE + name if name is not None else _SELF) + "#" + pointer
        if uri in chain:
            raise _Unresolved("a cycle: it refers back to itself")
        if len(chain) >= MAX_REF_DEPTH:
            raise _Unresolved(f"references nested more than {MAX_REF_DEPTH} deep")
        if name is None:
            if self._own_resource is None:
                from referencing.jsonschema import DRAFT7

                self._own_resource = DRAFT7.create_resource(self.own)
            contents = _pointer(pointer, self._own_resource)
            if contents is _MISSING:
                raise _Unresolved(f"no {pointer} in this file")
            return uri, None, contents
        return uri, name, self.files.lookup(uri, name, pointer)

    def _problem(
        self,
        ref: str,
        here: tuple[JsonPath, str],  # the schema's own `$ref` that led here: where, what
        current: str | None,
        message: str,
    ) -> None:
        at, outer = here
        if current is not None:
            message = f"{message} (in {current}: `{ref}`)"
        self.problems.append(RefProblem(outer, at, message))


def _retrieval_in(exc: BaseException) -> _Retrieval | None:
    """Our retriever's error behind referencing's own (it wraps what `retrieve` raises)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 8:
        if isinstance(current, _Retrieval):
            return current
        current = current.__cause__ or current.__context__
        seen += 1
    return None


_CONTAINERS = (dict, list)


def _holds_ref(node: Any) -> bool:
    """Whether a `$ref` key is anywhere in `node` (a scan, no copy)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if item.__class__ is dict:
            if "$ref" in item:
                return True
            stack.extend(value for value in item.values() if value.__class__ in (dict, list))
        elif item.__class__ is list:
            stack.extend(value for value in item if value.__class__ in (dict, list))
    return False


def _pointer(pointer: str, resource: Any) -> Any:
    """What `pointer` names in the resource, or _MISSING (through referencing's rules)."""
    from referencing import Registry

    try:
        return resource.pointer(pointer, Registry().resolver()).contents
    except Exception:
        return _MISSING


class _Retrieval(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _TooLarge(Exception):
    pass


@dataclass(frozen=True)
class _Expansion:
    """A shared definition as inlined (paths relative to where it lands)."""

    body: Any
    origins: tuple[tuple[JsonPath, str], ...]
    uses: frozenset[str]
    problems: tuple[str, ...]
    nodes: int


def resolve_document(
    body: dict[str, Any], schemas_dir: Path, files: CommonFiles | None = None
) -> Resolution:
    """`resolve_body`, with an expansion over MAX_INLINED_NODES as one problem."""
    try:
        return resolve_body(body, schemas_dir, files)
    except _TooLarge:
        problem = RefProblem(
            "", (), f"the references expand to more than {MAX_INLINED_NODES:,} JSON values"
        )
        return Resolution(body, {}, (), (problem,))
    except RecursionError:
        return Resolution(body, {}, (), (RefProblem("", (), "the references nest too deep"),))


def is_common_name(name: str) -> bool:
    """Whether `name` is a file of the one supported form, `common/<path>.json` (no
    dot-named part): what `named_files` gives and `common_file_path` looks up."""
    return _FILE_RE.match(name) is not None and "/." not in name


def named_files(body: Any) -> list[str]:
    """The common files (`common/...json`) the `$ref`s anywhere in `body` name, in the
    order first named, each once: what a file depends on, read from the file alone (no
    resolution, no read). References of another form name no file (RF104 says why)."""
    found: dict[str, None] = {}
    stack = [body]
    while stack:
        item = stack.pop()
        if item.__class__ is dict:
            ref = item.get("$ref")
            if ref.__class__ is str:
                name = ref.partition("#")[0]
                if is_common_name(name):
                    found.setdefault(name, None)
            stack.extend(reversed([v for v in item.values() if v.__class__ in _CONTAINERS]))
        elif item.__class__ is list:
            stack.extend(reversed([v for v in item if v.__class__ in _CONTAINERS]))
    return list(found)


def common_file_path(schemas_dir: Path, name: str) -> Path | None:
    """The file `name` (`common/...json`) is, when it is a regular file (not a symlink)
    inside `schemas/.reflekt/common/` (the files the whole-project lint checks); else None."""
    if not is_common_name(name):
        return None
    return common_file_at(schemas_dir, name.split("/")[1:])


def common_file_at(schemas_dir: Path, parts: Sequence[str]) -> Path | None:
    """The file at `parts` below `schemas/.reflekt/common/`, when it is a regular file (not
    a symlink) that really lies inside it; else None (also for a name the OS refuses)."""
    folder = common_dir(schemas_dir)
    try:
        path = folder.joinpath(*parts)
        if folder.is_symlink() or path.is_symlink() or not path.is_file():
            return None
        real, root = os.path.realpath(path), os.path.realpath(folder)
    except (OSError, ValueError):  # ValueError: a NUL in a name
        return None
    return path if real.startswith(root + os.sep) else None


def common_signature(schemas_dir: Path, known: dict[str, tuple[str, str]] | None = None) -> str:
    """A hash of every file under `schemas/.reflekt/common/` (names and bytes): what the
    lint cache adds to its fingerprint, since a file's findings depend on the definitions
    it references. Bounded: MAX_COMMON_FILES files, each read with the schema size cap.

    `known` (the lint cache's, updated in place): path relative to common/ -> (stat, hash
    of its bytes). A regular file whose stat is the one kept, and older than two seconds
    (a same-tick edit keeps its stat), is not read again: a lint of one file then reads
    no definition it does not reference. The hash is the same with or without `known`."""
    import hashlib

    from reflekt.core.readfile import UnreadableFileError, read_regular

    digest = hashlib.sha256()
    folder = common_dir(schemas_dir)
    if not folder.is_dir():
        return "none"
    racy = racy_cutoff()
    seen = 0
    visited: set[str] = set()
    for current, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            seen += 1
            if seen > MAX_COMMON_FILES:
                return TOO_MANY_COMMON  # no hash: the caches are not used for such a project
            path = os.path.join(current, name)
            rel = os.path.relpath(path, folder)
            visited.add(rel)
            digest.update(os.fsencode(rel) + b"\0")
            try:
                st: os.stat_result | None = os.stat(path)
            except OSError:
                st = None
            key = ""
            if st is not None and stat.S_ISREG(st.st_mode):
                key = stat_fields(st)
            kept = known.get(rel) if known is not None and key else None
            if kept is not None and kept[0] == key:
                digest.update(kept[1].encode() + b"\0")
                continue
            try:
                found = hashlib.blake2b(read_regular(path), digest_size=16).hexdigest()
            except (OSError, UnreadableFileError) as exc:  # a FIFO, a file too large
                found = f"unreadable {type(exc).__name__}"
                key = ""
            digest.update(found.encode() + b"\0")
            if known is not None and key:
                if st is not None and max(st.st_mtime_ns, st.st_ctime_ns) < racy:
                    known[rel] = (key, found)
                else:
                    known.pop(rel, None)
    if known is not None:
        for gone in set(known).difference(visited):
            del known[gone]
    return digest.hexdigest()


def common_stamp(schemas_dir: Path) -> tuple[tuple[str, int, int, int, int], ...]:
    """The stat of every file under `schemas/.reflekt/common/` (no read): what the TUI
    compares between polls to see that a shared definition changed. Bounded as
    `common_signature`."""
    folder = common_dir(schemas_dir)
    found: list[tuple[str, int, int, int, int]] = []
    for current, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(current, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            found.append((path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
            if len(found) >= MAX_COMMON_FILES:
                return tuple(found)
    return tuple(found)
