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
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reflekt.core.errors import SelectError
from reflekt.core.schemas import list_schema_files

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
    all_files = list_schema_files(schemas_dir)
    selects = [s for s in (selects or []) if s is not None]
    if not selects:
        return all_files
    rel_of = {path: path.relative_to(schemas_dir).as_posix() for path in all_files}
    chosen: set[Path] = set()
    for select in selects:
        check_select(select)
    for select in selects:
        matched = _match(normalize_select(select), all_files, rel_of)
        if not matched:
            raise _no_match_error(select, schemas_dir, all_files, rel_of)
        chosen.update(matched)
    return [path for path in all_files if path in chosen]


def _match(select: str, files: list[Path], rel_of: dict[Path, str]) -> list[Path]:
    if not select:
        return files
    if _GLOB_CHARS & set(select):
        depth = select.count("/") + 1
        hits = []
        for path in files:
            rel = rel_of[path]
            parts = rel.split("/")
            if len(parts) < depth:
                continue
            prefix = "/".join(parts[:depth])
            if fnmatch.fnmatchcase(prefix, select) or fnmatch.fnmatchcase(
                prefix.removesuffix(".json"), select
            ):
                hits.append(path)
        return hits
    return [
        path
        for path in files
        if rel_of[path].removesuffix(".json") == select or rel_of[path].startswith(select + "/")
    ]


def _no_match_error(
    select: str, schemas_dir: Path, files: list[Path], rel_of: dict[Path, str]
) -> SelectError:
    candidates: set[str] = set()
    for rel in rel_of.values():
        parts = rel.removesuffix(".json").split("/")
        for end in range(1, len(parts) + 1):
            candidates.add("/".join(parts[:end]))
    close = difflib.get_close_matches(normalize_select(select), sorted(candidates), n=3, cutoff=0.5)
    hint = None
    if close:
        hint = "closest existing: " + ", ".join(close)
    elif not files:
        hint = f"there are no schemas under {schemas_dir} yet (try `reflekt pull`)"
    return SelectError(f"--select '{select}' matches no schema under {schemas_dir}", hint=hint)
