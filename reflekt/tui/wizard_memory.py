"""The warehouse last chosen (source, database, schema, SDK), per project and profile.

Why: the build wizard's step 2 and the Audit tab ask for the same values at every opening
(the tables one builds from are the ones one audits); both fill them from here and save what
they ran with. They live in
`.reflekt_cache/tui_wizard.json`, a convenience and not configuration: anything odd about
that file (not JSON, wrong types, huge, a folder or a FIFO, terminal codes) is ignored, and a
failed save is not an error.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from reflekt.core.fsutil import write_atomic
from reflekt.core.project import Project

FILE_NAME = "tui_wizard.json"
MAX_BYTES = 64 * 1024  # a few hundred profiles; anything bigger is not ours
MAX_VALUE = 256  # characters of one remembered value


@dataclass(frozen=True)
class WizardChoice:
    """What was chosen last time ("" where nothing usable is remembered)."""

    source: str = ""
    database: str = ""
    schema: str = ""
    sdk: str = ""  # `--sdk` of build dbt and audit: one of `build.segment.SDKS`


def memory_path(project: Project) -> Path:
    return project.cache_dir / FILE_NAME


def _read(path: Path) -> dict[str, Any]:
    """The file's JSON object, or {} for anything else (never blocks, never raises)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return {}
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            return {}
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return {}
    return data if isinstance(data, dict) else {}


def _value(value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_VALUE or not value.isprintable():
        return ""
    return value.strip()


def load_choice(project: Project, profile: str) -> WizardChoice:
    profiles = _read(memory_path(project)).get("profiles")
    entry = profiles.get(profile) if isinstance(profiles, dict) else None
    if not isinstance(entry, dict):
        return WizardChoice()
    from reflekt.core.build.segment import SDKS

    sdk = _value(entry.get("sdk"))
    return WizardChoice(
        _value(entry.get("source")),
        _value(entry.get("database")),
        _value(entry.get("schema")),
        sdk if sdk in SDKS else "",
    )


def save_choice(project: Project, profile: str, choice: WizardChoice) -> str | None:
    """Remember `choice` for `profile` (other profiles kept); the error text, or None."""
    path = memory_path(project)
    profiles = _read(path).get("profiles")
    kept = {
        name: entry
        for name, entry in (profiles.items() if isinstance(profiles, dict) else ())
        if isinstance(name, str) and isinstance(entry, dict) and name != profile
    }
    kept[profile] = asdict(choice)
    text = json.dumps({"version": 1, "profiles": kept}, indent=2, sort_keys=True) + "\n"
    try:
        write_atomic(path, text)
    except Exception as error:  # WriteError, or a folder in the way: the memory is optional
        return str(error)
    return None
