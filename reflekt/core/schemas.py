"""Schema files: ids, versions, loading (with precise parse errors) and deterministic saving.

A schema's `$id` is its path under `schemas/`: `segment/ecommerce/Cart_Viewed/1-0.json`,
i.e. `<registry>/<plan or branch>/<event folder>/<MAJOR>-<MINOR>.json`.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import total_ordering
from pathlib import Path
from typing import Any

from reflekt.core.errors import SchemaFileError
from reflekt.core.fsutil import write_atomic
from reflekt.core.readfile import UnreadableFileError, read_regular
from reflekt.core.refs import Resolution, may_have_refs, resolve_document
from reflekt.core.strictjson import (
    MAX_NESTING,
    ParseProblem,
    loads_checked,
    nesting_depth_exceeds,
)

JSON_SCHEMA_DRAFT7 = "http://json-schema.org/draft-07/schema#"
_VERSION_RE = re.compile(r"^([1-9][0-9]*)-(0|[1-9][0-9]*)$")

# Key order for saved schemas: the seed's order first, anything else after, sorted.
_TOP_KEY_ORDER = (
    "$schema",
    "$id",
    "description",
    "self",
    "metadata",
    "type",
    "properties",
    "required",
    "additionalProperties",
)
_PROPERTY_KEY_ORDER = ("type", "description")


@total_ordering
@dataclass(frozen=True)
class Version:
    """A `MAJOR-MINOR` schema version, ordered numerically (`1-10` after `1-9`)."""

    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _VERSION_RE.match(text.removesuffix(".json"))
        if not match:
            raise ValueError(f"'{text}' is not a MAJOR-MINOR version such as 1-0")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def try_parse(cls, text: str) -> Version | None:
        try:
            return cls.parse(text)
        except ValueError:
            return None

    def __lt__(self, other: Version) -> bool:
        return (self.major, self.minor) < (other.major, other.minor)

    def __str__(self) -> str:
        return f"{self.major}-{self.minor}"


@dataclass(frozen=True)
class SchemaId:
    """The parts of a schema `$id` (a path relative to `schemas/`)."""

    path: str  # "segment/ecommerce/Cart_Viewed/1-0.json"

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.path.split("/"))

    @property
    def registry(self) -> str:
        return self.parts[0]

    @property
    def plan(self) -> str | None:
        return self.parts[1] if len(self.parts) >= 4 else None

    @property
    def event_folder(self) -> str:
        return self.parts[-2] if len(self.parts) >= 2 else ""

    @property
    def event_key(self) -> str:
        """Path of the event folder: `segment/ecommerce/Cart_Viewed`."""
        return "/".join(self.parts[:-1])

    @property
    def version_text(self) -> str:
        return self.parts[-1].removesuffix(".json")

    @property
    def version(self) -> Version | None:
        return Version.try_parse(self.version_text)

    def __str__(self) -> str:
        return self.path


def event_folder_name(event_name: str) -> str:
    """The folder of an event: its name with spaces as `_`, anything unsafe escaped.

    The rule lives in `reflekt.core.names.event_folder` (injective, safe).
    """
    from reflekt.core.names import event_folder

    return event_folder(event_name)


def schema_id_for(registry: str, plan: str, event_name: str, version: Version | str) -> str:
    return f"{registry}/{plan}/{event_folder_name(event_name)}/{version}.json"


@dataclass
class SchemaDocument:
    """A schema file as read from disk.

    `body` is the parsed JSON object, or None when the file could not be parsed at all.
    `problems` lists syntax problems; when the file only had comments or trailing commas
    (as the seed's examples do) `body` still holds what it would mean without them.
    When the file holds `$ref`s to shared definitions (`reflekt.core.refs`), `body` is the
    schema with them inlined (what every reader works on), `refs` says what was inlined
    from where and which references did not resolve, and `written` is the body as written.
    Bodies are read-only: the inlined body shares the parts without references with
    `written`, and the definitions it inlines with the other schemas of the run.
    """

    path: Path
    schema_id: SchemaId
    text: str
    body: dict[str, Any] | None
    problems: list[ParseProblem] = field(default_factory=list)
    refs: Resolution | None = None

    @property
    def written(self) -> dict[str, Any] | None:
        """The body as the file says it (its `$ref`s not inlined)."""
        return self._written if self.refs is not None else self.body

    _written: dict[str, Any] | None = None

    def line_of_key(self, key: str, after_line: int = 1) -> int | None:
        """Best-effort line of a `"key":` in the file (for findings on a property)."""
        needle = json.dumps(key) + ":"
        needle_spaced = json.dumps(key) + " :"
        for number, line in enumerate(self.text.splitlines(), start=1):
            if number >= after_line and (needle in line or needle_spaced in line):
                return number
        return None


def relative_id(path: Path, schemas_dir: Path) -> SchemaId:
    # The string path first: pathlib's relative_to costs 30 us a file.
    text, base = str(path), str(schemas_dir)
    inside = os.sep == "/" and base.startswith("/") and text.startswith(base + "/")
    if inside and "/../" not in text + "/":
        return SchemaId(text[len(base) + 1 :])
    if path.is_absolute() and ".." not in path.parts:
        # Fast path (no filesystem calls): lint reads 10,000 files in a second or two.
        try:
            return SchemaId(path.relative_to(schemas_dir).as_posix())
        except ValueError:
            pass
    try:
        rel = path.resolve().relative_to(schemas_dir.resolve())
    except ValueError:
        rel = Path(path.name)
    return SchemaId(rel.as_posix())


def printable(text: str) -> str:
    """`text` with what UTF-8 cannot carry shown as escapes.

    A file name that is not UTF-8 reaches Python as lone surrogates (byte 0xff as
    U+DCFF); printed or written as UTF-8 they raise. Here they become `\\xff` (or
    `\\udxxx` for a surrogate that stands for no byte), which every output can show.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(_escaped(char) for char in text)
    return text


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return f"\\u{code:04x}"
    return char


def read_schema(path: Path, schemas_dir: Path, *, limit: int | None = None) -> SchemaDocument:
    """Read and parse one schema file. Never raises for bad content: see `problems`.

    Reads regular files only, of at most `limit` bytes (default: `REFLEKT_MAX_SCHEMA_BYTES`,
    5 MiB): a FIFO, a device, a directory or a larger file is a problem, never a hang.
    A file whose path is not UTF-8 is a problem too (its id shows the bytes as `\\xff`).
    """
    schema_id = relative_id(path, schemas_dir)
    shown = printable(schema_id.path)
    if shown != schema_id.path:
        problem = ParseProblem(
            "the file name is not valid UTF-8 (shown with \\x escapes): rename the file "
            "or its folder",
            1,
            1,
        )
        return SchemaDocument(path, SchemaId(shown), "", None, [problem])
    try:
        raw = read_regular(path, limit)
    except UnreadableFileError as exc:
        return SchemaDocument(path, schema_id, "", None, [ParseProblem(exc.message, 1, 1)])
    except OSError as exc:
        problem = ParseProblem(f"cannot read file: {exc.strerror or exc}", 1, 1)
        return SchemaDocument(path, schema_id, "", None, [problem])
    return schema_from_bytes(path, schema_id, raw, schemas_dir)


def schema_from_bytes(
    path: Path, schema_id: SchemaId, raw: bytes, schemas_dir: Path | None = None
) -> SchemaDocument:
    """The document of a file's bytes already read (the lint cache hashes them first).

    With `schemas_dir`, `$ref`s to shared definitions are inlined (`with_refs_inlined`)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = ParseProblem(f"file is not UTF-8 text ({exc.reason})", 1, 1)
        return SchemaDocument(path, schema_id, "", None, [problem])
    body, problems = parse_schema_text(text)
    doc = SchemaDocument(path, schema_id, text, body, problems)
    return with_refs_inlined(doc, schemas_dir) if schemas_dir is not None else doc


def with_refs_inlined(doc: SchemaDocument, schemas_dir: Path) -> SchemaDocument:
    """`doc` with the `$ref`s of its body inlined (`reflekt.core.refs`): the one place where
    every reader (lint, diff, build, push, the TUI) gets shared definitions resolved."""
    if doc.body is None or doc.refs is not None or not may_have_refs(doc.text):
        return doc
    resolution = resolve_document(doc.body, schemas_dir)
    if not resolution.origins and not resolution.problems:
        return doc
    doc._written, doc.body, doc.refs = doc.body, resolution.body, resolution
    return doc


def object_at(node: Mapping[str, Any], key: str) -> dict[str, Any]:
    """`node[key]` when it is a JSON object, else {}: a missing `self` or a `metadata` that
    is a list reads as empty (bad input is normal), and the type says so."""
    value = node.get(key)
    return value if isinstance(value, dict) else {}


def json_kind(value: Any) -> str:
    """A JSON value's kind as a user reads it in the file (`a string`, `an array`, ...)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "an array" if isinstance(value, list) else "an object"


def parse_schema_text(text: str) -> tuple[dict[str, Any] | None, list[ParseProblem]]:
    """Parse JSON text. Returns (object or None, problems).

    Strict (`reflekt.core.strictjson`): NaN/Infinity, duplicate keys, lone surrogates,
    overlong numbers and nesting deeper than MAX_NESTING are problems with no body.
    """
    if not text.strip():
        return None, [ParseProblem("file is empty (expected a JSON object)", 1, 1)]
    try:
        data, unusable = loads_checked(text)
    except json.JSONDecodeError as exc:
        strict_problem = _problem_from(exc, text)
        lenient_text, extensions = _strip_json_extensions(text)
        if not extensions:
            return None, [strict_problem]
        try:
            data, unusable = loads_checked(lenient_text)
        except json.JSONDecodeError as exc2:
            return None, [*extensions, _problem_from(exc2, lenient_text)]
        if unusable:
            return None, [*extensions, *unusable]
        problems = extensions
    else:
        if unusable:
            return None, unusable
        problems = []
    if not isinstance(data, dict):
        found = json_kind(data)
        return None, [*problems, ParseProblem(f"expected a JSON object, found {found}", 1, 1)]
    return data, problems


def _problem_from(exc: json.JSONDecodeError, text: str) -> ParseProblem:
    # json's messages end with "at" (the position follows in str(exc)); ours is apart.
    message = exc.msg.removesuffix(" at").removesuffix(" starting")
    if exc.pos >= len(text.rstrip()) or message == "Unterminated string":
        message = f"{message} (the file ends early: is it truncated?)"
    return ParseProblem(f"invalid JSON: {message}", exc.lineno, exc.colno)


def _strip_json_extensions(text: str) -> tuple[str, list[ParseProblem]]:
    """Remove // and /* */ comments and trailing commas, outside strings.

    Returns the plain-JSON text (same length, so positions still match) and one problem per
    removed construct.
    """
    out = list(text)
    problems: list[ParseProblem] = []
    i, n = 0, len(text)
    in_string = False
    last_comma: int | None = None

    def position(index: int) -> tuple[int, int]:
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        return line, column

    while i < n:
        char = text[i]
        if in_string:
            if char == "\\":
                i += 2
                continue
            if char == '"':
                in_string = False
            i += 1
            continue
        if char == '"':
            in_string = True
            last_comma = None
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end == -1 else end
            problems.append(ParseProblem("comments are not allowed in JSON", *position(i)))
            for j in range(i, end):
                out[j] = " "
            i = end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end == -1 else end + 2
            problems.append(ParseProblem("comments are not allowed in JSON", *position(i)))
            for j in range(i, end):
                if out[j] != "\n":
                    out[j] = " "
            i = end
            continue
        elif char == ",":
            last_comma = i
        elif char in "}]":
            if last_comma is not None:
                problems.append(
                    ParseProblem("trailing comma is not allowed in JSON", *position(last_comma))
                )
                out[last_comma] = " "
            last_comma = None
        elif not char.isspace():
            last_comma = None
        i += 1
    return "".join(out), problems


def _ordered(mapping: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    first = [key for key in order if key in mapping]
    rest = sorted(key for key in mapping if key not in order)
    return {key: mapping[key] for key in (*first, *rest)}


def _normalise(value: Any, *, in_properties: bool = False) -> Any:
    """Stable key order: properties keep their order; schema keywords in a fixed order."""
    if isinstance(value, dict):
        if in_properties:
            return {name: _normalise(sub) for name, sub in value.items()}
        ordered = _ordered(value, _PROPERTY_KEY_ORDER)
        return {
            key: _normalise(sub, in_properties=key in ("properties", "definitions", "$defs"))
            for key, sub in ordered.items()
        }
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    return value


def dump_schema(body: dict[str, Any]) -> str:
    """Deterministic text of a schema: indent 2, stable key order, trailing newline.

    Never produces what `parse_schema_text` refuses: a body holding NaN or Infinity, a lone
    surrogate, or nesting deeper than MAX_NESTING raises SchemaFileError (exit 2) instead of
    being written.
    """
    where = body.get("$id") if isinstance(body.get("$id"), str) else None
    where = printable(where) if where else None
    try:
        if nesting_depth_exceeds(body):
            raise SchemaFileError(
                f"the schema is nested more than {MAX_NESTING} levels deep: not written",
                file=where,
            )
        top = _ordered(body, _TOP_KEY_ORDER)
        normalised = {
            key: _normalise(value, in_properties=key == "properties") for key, value in top.items()
        }
        text = json.dumps(normalised, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError as exc:  # allow_nan=False
        raise SchemaFileError(
            f"the schema holds NaN or Infinity, which JSON cannot carry: not written ({exc})",
            file=where,
        ) from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise SchemaFileError(
            "the schema holds a lone UTF-16 surrogate (e.g. \\ud800), which UTF-8 cannot "
            "carry: not written",
            file=where,
        ) from None
    return text


def save_schema(path: Path, body: dict[str, Any]) -> bool:
    """Write a schema atomically. Returns False (and writes nothing) when unchanged."""
    text = dump_schema(body)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    write_atomic(path, text)
    return True


def new_schema_body(
    schema_id: str,
    *,
    vendor: str,
    name: str,
    version: Version | str,
    description: str = "",
    metadata: dict[str, Any] | None = None,
    properties: dict[str, Any] | None = None,
    required: list[str] | None = None,
    additional_properties: bool = False,
) -> dict[str, Any]:
    """The body of a Reflekt event schema, in the seed's layout."""
    return {
        "$schema": JSON_SCHEMA_DRAFT7,
        "$id": schema_id,
        "description": description,
        "self": {"vendor": vendor, "name": name, "format": "jsonschema", "version": str(version)},
        "metadata": metadata or {},
        "type": "object",
        "properties": properties or {},
        "required": required or [],
        "additionalProperties": additional_properties,
    }


def list_schema_files(schemas_dir: Path) -> list[Path]:
    """Every event schema file under schemas/ (not the .reflekt meta-schemas), sorted.

    Every entry named `*.json` outside dot-folders, as `rglob` would list it, but walked
    with an explicit stack: `rglob` recurses once per folder level, so a folder nested
    1,500 deep raised RecursionError. Symlinked folders are not followed (no loops); a
    folder that cannot be listed is skipped (reading what it holds would fail anyway).
    """
    return [Path(path) for path in list_schema_paths(schemas_dir)]


FolderLister = Callable[[str, str], "tuple[list[str], list[str]] | None"]


def list_schema_paths(schemas_dir: Path, lister: FolderLister | None = None) -> list[str]:
    """`list_schema_files` as strings (`str()` of each Path), for callers that need no
    Path for most files (a warm lint of 50,000 files reads none of them).

    Sorted by folder (its path relative to schemas/), then by version numerically, then
    by name; a folder's entries come from one `scandir`, so they are sorted apart and the
    folders once (the same order as sorting every path by that key, for less).
    `lister(folder, relative)` lists one folder as `scan_schema_folder` does (the lint
    cache answers from its index for folders that did not change).
    """
    if not schemas_dir.is_dir():
        return []
    return sorted_listing(_walk(str(schemas_dir), [str(schemas_dir)], lister))


def sorted_listing(by_folder: dict[str, list[str]]) -> list[str]:
    """The paths of a walk (`iter_schema_folders`), in `list_schema_paths`' order."""
    return [path for folder in sorted(by_folder) for path in by_folder[folder]]


def iter_schema_folders(
    schemas_dir: Path, lister: FolderLister | None = None
) -> Iterator[tuple[str, list[str]]]:
    """The walk of `list_schema_paths` as it goes, folder by folder (walk order, not
    sorted): each folder with files, as (path relative to schemas/, its files). Lint's
    workers start on the first folders while the walk goes on."""
    if schemas_dir.is_dir():
        root = str(schemas_dir)
        yield from _walked(root, [root], lister)


def list_schema_folders(
    schemas_dir: Path, lister: FolderLister | None = None
) -> dict[str, list[str]]:
    """`list_schema_paths` grouped by folder: its path relative to schemas/ (`""` for
    schemas/ itself) -> its files, folders in listing order, folders without files left
    out. A build takes the other versions of an event from its folder's entry."""
    if not schemas_dir.is_dir():
        return {}
    by_folder = _walk(str(schemas_dir), [str(schemas_dir)], lister)
    return {folder: by_folder[folder] for folder in sorted(by_folder)}


def list_schema_branches(
    schemas_dir: Path, parent: str, keep: Callable[[str], bool]
) -> dict[str, list[str]]:
    """The entries of `list_schema_folders` in the folder `parent` (`/`-separated, `""`
    for schemas/): its own files, and the subtrees of those of its folders whose name
    `keep` accepts, walking nothing else (`--select segment/plan_00` walks one plan, not
    the project). Empty when the whole walk would not reach `parent` (a dot-named,
    symlinked or unlistable folder on the way, or no such folder)."""
    listed = reach_schema_folder(schemas_dir, parent)
    if listed is None:
        return {}
    files, folders = listed
    folder = schema_folder_path(schemas_dir, parent)
    by_folder = _walk(str(schemas_dir), [_join(folder, [name]) for name in folders if keep(name)])
    if files:
        by_folder[parent] = [_join(folder, [name]) for name in files]
    return {name: by_folder[name] for name in sorted(by_folder)}


def reach_schema_folder(schemas_dir: Path, relative: str) -> tuple[list[str], list[str]] | None:
    """`scan_schema_folder` of the folder `relative` under schemas/ (`""`: schemas/), when
    the walk of `list_schema_paths` reaches it (every folder on the way is listed, and
    lists the next as a folder to walk); None otherwise."""
    if not schemas_dir.is_dir():
        return None
    folder = str(schemas_dir)
    listed = scan_schema_folder(folder)
    for part in [part for part in relative.split("/") if part]:
        if listed is None or part not in listed[1]:
            return None
        folder = _join(folder, [part])
        listed = scan_schema_folder(folder)
    return listed


def schema_folder_path(schemas_dir: Path, relative: str) -> str:
    """The path string of a folder or file under schemas/ (`/`-separated `relative`) as
    `list_schema_paths` spells it."""
    return _join(str(schemas_dir), [part for part in relative.split("/") if part])


def _join(folder: str, parts: list[str]) -> str:
    for part in parts:
        folder = (folder if folder.endswith(os.sep) else folder + os.sep) + part
    return folder


def _walk(root: str, stack: list[str], lister: FolderLister | None = None) -> dict[str, list[str]]:
    """Walk from the folders on `stack` (under `root`): relative folder -> its files."""
    return dict(_walked(root, stack, lister))


def _walked(
    root: str, stack: list[str], lister: FolderLister | None = None
) -> Iterator[tuple[str, list[str]]]:
    """`_walk` as it goes: (relative folder, its files) for each folder with files."""
    skip = len(root) + 1  # the relative path of a folder: its path after `root/`
    while stack:
        folder = stack.pop()
        relative = folder[skip:] if os.sep == "/" else folder[skip:].replace(os.sep, "/")
        listed = scan_schema_folder(folder) if lister is None else lister(folder, relative)
        if listed is None:
            continue
        files, folders = listed
        prefix = folder if folder.endswith(os.sep) else folder + os.sep  # os.path.join
        stack.extend([prefix + name for name in folders])
        if files:
            yield relative, [prefix + name for name in files]


class SchemaIdOf:
    """`relative_id(Path(path), schemas_dir).path` of path strings, with no Path for a plain
    one under schemas/ (what listings give: a Path costs microseconds, and lint, build and
    audit take the ids of 50,000 files)."""

    __slots__ = ("_lead", "schemas_dir")

    def __init__(self, schemas_dir: Path) -> None:
        self.schemas_dir = schemas_dir
        base = str(schemas_dir)
        self._lead = base + "/" if os.sep == "/" and base.startswith("/") else None

    def __call__(self, path: str) -> str:
        lead = self._lead
        if lead is not None and path.startswith(lead) and "/../" not in path + "/":
            return path[len(lead) :]
        return relative_id(Path(path), self.schemas_dir).path


def schema_ids(paths: Iterable[str], schemas_dir: Path) -> list[str]:
    """The schema id of each listed path (`SchemaIdOf`)."""
    return list(map(SchemaIdOf(schemas_dir), paths))


def schema_id_text(path: str, schemas_dir: Path) -> str:
    """The schema id of one path string (`SchemaIdOf`)."""
    return SchemaIdOf(schemas_dir)(path)


def scan_schema_folder(folder: str) -> tuple[list[str], list[str]] | None:
    """One folder of `list_schema_paths`: the names of its `*.json` entries in listing
    order (versions numerically, then by name) and of its folders to walk (not dot-named,
    not symlinks; `d_type`: no stat); None when it cannot be listed."""
    found: list[tuple[tuple, str]] = []
    folders: list[str] = []
    try:
        entries = os.scandir(folder)
    except OSError:
        return None
    with entries:
        try:
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                if name.endswith(".json"):
                    found.append((_name_key(name), name))
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(name)
                except OSError:
                    continue
        except OSError:
            pass  # a read error part-way: what was listed stands
    found.sort(key=_first)
    return [name for _, name in found], folders


def _first(item: tuple[tuple, str]) -> tuple:
    return item[0]


@functools.lru_cache(maxsize=4096)
def _name_key(name: str) -> tuple:
    """Within a folder: versions first, numerically (`1-10` after `1-9`), then by name."""
    version = Version.try_parse(name)
    return (0, version.major, version.minor, "") if version else (1, 0, 0, name)


def load_schema(path: Path, schemas_dir: Path) -> SchemaDocument:
    """Read a schema and raise SchemaFileError when it is not a usable JSON object."""
    doc = read_schema(path, schemas_dir)
    if doc.body is None:
        problem = doc.problems[-1]
        raise SchemaFileError(
            problem.message,
            file=printable(str(path)),
            line=problem.line,
            column=problem.column,
        )
    if doc.refs is not None and doc.refs.problems:
        from reflekt.core.lint.locate import Locator

        first = doc.refs.problems[0]
        line, column = Locator(doc.text).position(first.at)
        raise SchemaFileError(
            f"the reference {printable(first.ref)!r} does not resolve: {printable(first.message)}",
            file=printable(str(path)),
            line=line,
            column=column,
            hint="shared definitions live in schemas/.reflekt/common/ and are referenced as "
            "common/<name>/<M-m>.json#/pointer; `reflekt lint` lists every such reference "
            "(RF104)",
        )
    return doc
