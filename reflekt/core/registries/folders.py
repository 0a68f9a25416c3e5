"""Which registry event owns which event folder, so that no event silently replaces another.

Why: `names.event_folder` maps a space and a literal `_` (and the NFC/NFD forms of one name)
to the same folder, as the seed did. Two registry events `Cart Viewed` and `Cart_Viewed`, or a
registry event `Cart_Viewed` and the local event `Cart Viewed`, would then share files. Pull
keeps one event per folder and reports the others instead of overwriting.

- `one_name_per_folder(remotes, notes, *, describe, local_name=None) -> list[RemoteSchema]`:
  per event folder, the events of one name only. The name already in the local folder
  (`local_name(event_key)`, the `self.name` of its highest version) wins; with no local
  event, the name the folder reads back as (`Cart Viewed` for `Cart_Viewed`), else the
  smallest. When the local folder holds another event, no registry event of that folder is
  pulled. Names equal under NFC count as one name. Every left-out event gets a note.
- `case_notes(remotes) -> list[str]`: folders that differ only by case (one folder on macOS
  and Windows), to warn about; both are written.
- `local_event_name(event_dir) -> str | None`: the `self.name` of the highest version file.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from reflekt.core.names import name_of_folder
from reflekt.core.registries.base import RemoteSchema
from reflekt.core.schemas import Version

MAX_READ_BYTES = 4 * 1024 * 1024


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def local_event_name(event_dir: Path) -> str | None:
    """The `self.name` of the highest version in `event_dir` (None when there is none)."""
    try:
        files = [(Version.try_parse(p.stem), p) for p in event_dir.glob("*.json")]
    except OSError:
        return None
    for _version, path in sorted(
        ((v, p) for v, p in files if v is not None), key=lambda item: item[0], reverse=True
    ):
        try:
            if not path.is_file() or path.stat().st_size > MAX_READ_BYTES:
                continue
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            continue
        self_block = body.get("self") if isinstance(body, dict) else None
        name = self_block.get("name") if isinstance(self_block, dict) else None
        if isinstance(name, str):
            return name
    return None


def one_name_per_folder(
    remotes: list[RemoteSchema],
    notes: list[str],
    *,
    describe: Callable[[RemoteSchema], str],
    local_name: Callable[[str], str | None] | None = None,
) -> list[RemoteSchema]:
    """Drop the events whose folder belongs to another name (see the module docstring)."""
    by_folder: dict[str, list[RemoteSchema]] = defaultdict(list)
    for remote in remotes:
        by_folder[remote.event_key].append(remote)
    kept: list[RemoteSchema] = []
    for event_key, group in by_folder.items():
        names = sorted({_nfc(remote.name) for remote in group})
        local = local_name(event_key) if local_name is not None else None
        if local is not None:
            owner: str | None = _nfc(local) if _nfc(local) in names else None
        elif len(names) == 1:
            owner = names[0]
        else:
            canonical = name_of_folder(event_key.rsplit("/", 1)[-1])
            owner = canonical if canonical in names else names[0]
        for remote in group:
            if _nfc(remote.name) == owner:
                kept.append(remote)  # NFC and NFD forms: `_one_per_file` keeps one per file
                continue
            if local is not None and owner is None:
                why = f"the event {local!r} already uses its folder schemas/{event_key}"
            else:
                why = f"the event {owner!r} uses the same folder schemas/{event_key}"
            notes.append(
                f"not pulled: {describe(remote)}, because {why} (names that differ only by "
                "'_' and spaces, or by Unicode normalisation, share a folder)"
            )
    return kept


def case_notes(remotes: list[RemoteSchema]) -> list[str]:
    """Folders that only differ by case: fine here, one folder on macOS and Windows."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for remote in remotes:
        by_key[remote.event_key.casefold()].add(remote.event_key)
    return [
        "folders that differ only by case (one folder on macOS and Windows): "
        + ", ".join(f"schemas/{key}" for key in sorted(keys))
        for keys in sorted(by_key.values(), key=sorted)
        if len(keys) > 1
    ]
