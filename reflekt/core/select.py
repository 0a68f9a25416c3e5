"""`--select` resolution: which schema files a command works on.

A select is a path under `schemas/` (the `schemas/` prefix optional): a folder or one file,
`.json` optional, trailing `/` allowed, a glob (`*`, `?`, `[..]`) allowed in the last part.
A select that matches nothing is an error naming the closest existing paths. A select that
would leave `schemas/` (an absolute path, a `.` or `..` part, a control character) is a usage
error (`check_select`), for every command.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from reflekt.core.errors import SelectError
from reflekt.core.schemas import list_schema_branches, list_schema_folders

_GLOB_CHARS = set("*?[")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def check_select(select: str) -> None:
    """Raise SelectError for a select that could name something outside `schemas/`."""
    text = select.strip()
    if text.startswith(("/", "\\", "~")) or _DRIVE.match(text):
        raise SelectError(
            f"--select {select!r}: give a path under schemas/, not an absolute path",
            hint="e.g. --select segment/ecommerce or --select schemas/segment/ecommerce",
        )
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in text):
        raise SelectError(f"--select {select!r} holds control or format characters")
    text = text.replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    if any(part.strip() in (".", "..") for part in text.split("/")):
        raise SelectError(
            f"--select {select!r}: '.' and '..' are not allowed in a select",
            hint="a select names a folder or file under schemas/, e.g. segment/ecommerce",
        )


def normalize_select(select: str) -> str:
    """`schemas/segment/ecommerce/Cart_Viewed/1-0.json/` -> `segment/ecommerce/Cart_Viewed/1-0`."""
    text = select.strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    text = text.strip("/")
    if text == "schemas":
        return ""
    text = text.removeprefix("schemas/")
    text = text.removesuffix(".json")
    while "//" in text:
        text = text.replace("//", "/")
    return text.strip("/")


@dataclass(frozen=True)
class SelectPath:
    """A normalised select split into its parts (registry/plan/event/version)."""

    text: str

    @classmethod
    def parse(cls, select: str) -> SelectPath:
        check_select(select)
        return cls(normalize_select(select))

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(part for part in self.text.split("/") if part)

    @property
    def registry(self) -> str | None:
        return self.parts[0] if self.parts else None

    @property
    def plan(self) -> str | None:
        return self.parts[1] if len(self.parts) > 1 else None

    @property
    def event(self) -> str | None:
        return self.parts[2] if len(self.parts) > 2 else None

    @property
    def version(self) -> str | None:
        return self.parts[3] if len(self.parts) > 3 else None


def resolve_select(schemas_dir: Path, selects: Iterable[str] | None) -> list[Path]:
    """Schema files matched by the selects (all schemas when there is none), sorted, unique.

    Raises SelectError for a select that matches nothing.
    """
    return [Path(path) for path in select_files(schemas_dir, selects).paths]


@dataclass(frozen=True)
class Selected:
    """What the selects matched, as `list_schema_paths` strings (no Path built for any)."""

    paths: list[str]  # the matched files, in listing order
    # Every folder they were listed from (relative to schemas/) -> all its files: a build
    # takes the other versions of a selected event from there, listing nothing again.
    folders: Mapping[str, list[str]]
    whole: bool  # `folders` is the whole project's listing


def select_files(
    schemas_dir: Path,
    selects: Iterable[str] | None,
    listing: Mapping[str, list[str]] | None = None,
) -> Selected:
    """`resolve_select`, listing only what a select can match: `segment/plan_00` lists
    that folder's subtree and the files beside it, `segment/plan_*` the `segment` subtree.
    The whole project is listed for no select, a select of all of it, and to name the
    closest paths when a select matches nothing; `listing` (`list_schema_folders`, when
    the caller has it) is used instead of any walk.
    """
    selects = [s for s in (selects or []) if s is not None]
    if not selects:
        folders = _full(schemas_dir) if listing is None else listing
        return Selected([path for paths in folders.values() for path in paths], folders, True)
    for select in selects:
        check_select(select)
    seen: dict[str, list[str]] = {}
    chosen: set[str] = set()
    whole = listing  # the whole project's listing, once listed
    for select in selects:
        normal = normalize_select(select)
        if whole is None and _walks_all(normal):
            whole = _full(schemas_dir)
        folders = whole if whole is not None else _candidates(schemas_dir, normal)
        matched = _match(normal, folders)
        if not matched:
            everything = whole if whole is not None else _full(schemas_dir)
            raise _no_match_error(select, schemas_dir, everything)
        seen.update(folders)
        chosen.update(matched)
    paths = [path for folder in sorted(seen) for path in seen[folder] if path in chosen]
    return Selected(paths, {folder: seen[folder] for folder in sorted(seen)}, whole is not None)


def _full(schemas_dir: Path) -> dict[str, list[str]]:
    return list_schema_folders(schemas_dir)


def _walks_all(select: str) -> bool:
    """A select of all of schemas/ (`schemas`), or a glob in its first part (`*/plan_00`)."""
    return not select or bool(_GLOB_CHARS & set(select.split("/")[0]))


def _candidates(schemas_dir: Path, select: str) -> Mapping[str, list[str]]:
    """The folders of the listing that hold every file a (normalised) select can match,
    each with all its files: under the select's leading parts without glob characters,
    the folder they name, and the subtrees of its folders the next part can match."""
    parts = select.split("/")
    fixed = 0
    while fixed < len(parts) and not _GLOB_CHARS & set(parts[fixed]):
        fixed += 1
    if fixed == len(parts):  # plain: `a/b` is `a/b.json` or below the folder `a/b`
        parent, name = "/".join(parts[:-1]), parts[-1]
        return list_schema_branches(schemas_dir, parent, name.__eq__)
    pattern, last = parts[fixed], fixed == len(parts) - 1
    alone = _parts_match_alone(select)

    def keep(name: str) -> bool:
        if not alone:
            return True  # a `[...]` that may hold a `/`: the whole subtree
        if fnmatch.fnmatchcase(name, pattern):
            return True
        return last and fnmatch.fnmatchcase(name.removesuffix(".json"), pattern)

    return list_schema_branches(schemas_dir, "/".join(parts[:fixed]), keep)


def _parts_match_alone(select: str) -> bool:
    """Whether each part of the glob matches a part of a path on its own: every `[` of a
    part closes within it, so no `[...]` can match the `/` between parts (each `/` of the
    glob is then one of the path's, and `*` cannot cross one: the path is cut to as many
    parts as the glob has). Parsed as `fnmatch.translate` does."""
    for part in select.split("/"):
        start = part.find("[")
        while start != -1:
            end = start + 1
            if end < len(part) and part[end] == "!":
                end += 1
            if end < len(part) and part[end] == "]":
                end += 1
            close = part.find("]", end)
            if close == -1:
                return False
            start = part.find("[", close + 1)
    return True


def _match(select: str, folders: Mapping[str, list[str]]) -> list[str]:
    """The paths of `folders` (relative folder -> paths) that the select matches."""
    if not select:
        return [path for paths in folders.values() for path in paths]
    hits = []
    if _GLOB_CHARS & set(select):
        depth = select.count("/") + 1
        for rel, path in _relative(folders):
            parts = rel.split("/")
            if len(parts) < depth:
                continue
            prefix = "/".join(parts[:depth])
            if fnmatch.fnmatchcase(prefix, select) or fnmatch.fnmatchcase(
                prefix.removesuffix(".json"), select
            ):
                hits.append(path)
        return hits
    for rel, path in _relative(folders):
        if rel.removesuffix(".json") == select or rel.startswith(select + "/"):
            hits.append(path)
    return hits


def _relative(folders: Mapping[str, list[str]]) -> Iterator[tuple[str, str]]:
    """(path relative to schemas/, `/`-separated; path) of every listed file."""
    for folder, paths in folders.items():
        lead = folder + "/" if folder else ""
        for path in paths:
            yield lead + path.rpartition(os.sep)[2], path


def _no_match_error(
    select: str, schemas_dir: Path, folders: Mapping[str, list[str]]
) -> SelectError:
    candidates: set[str] = set()
    for rel, _ in _relative(folders):
        parts = rel.removesuffix(".json").split("/")
        for end in range(1, len(parts) + 1):
            candidates.add("/".join(parts[:end]))
    close = difflib.get_close_matches(normalize_select(select), sorted(candidates), n=3, cutoff=0.5)
    hint = None
    if close:
        hint = "closest existing: " + ", ".join(close)
    elif not folders:
        hint = f"there are no schemas under {schemas_dir} yet (try `reflekt pull`)"
    return SelectError(f"--select '{select}' matches no schema under {schemas_dir}", hint=hint)
