"""The schema file listing as last seen, `.reflekt_cache/tui/listing.json`: a first screen
without walking schemas/.

Walking and naming 50,000 files takes a second or more; the TUI's first screen needs only
their names. So the last listing is kept, the tree is drawn from it at once, and the real
walk follows in the background: whatever it finds different (a file added, removed or
edited since) arrives as a change, like any edit while the TUI runs.

It is only a cache and outside content: parsed as JSON, checked entry by entry, written
whole to a temp file and renamed into place (a reader never sees half of it). Anything
unexpected (corrupt, truncated, another format, another schemas/ folder) is no listing,
never an error; `REFLEKT_NO_CACHE` and `reflekt cache clean` apply.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from reflekt.core.cache_switch import cache_disabled
from reflekt.core.project import Project

log = logging.getLogger("reflekt.listing")

FORMAT = 1
LISTING_FILE = "tui/listing.json"
_MAX_BYTES = 256 << 20  # a larger "listing" is not ours


def listing_path(project: Project) -> Path:
    return project.cache_dir / LISTING_FILE


def load_listing(project: Project) -> list[str] | None:
    """The schema file paths (strings, as `list_schema_paths` gives them) last saved for
    this project, or None when there is no usable listing."""
    if cache_disabled():
        return None
    path = listing_path(project)
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    if data.get("schemas_dir") != str(project.schemas_dir):
        return None
    paths = data.get("paths")
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        return None
    return paths


def save_listing(project: Project, paths: list[str]) -> bool:
    """Keep this listing for the next start; False if not written (a failure is a debug
    note, never an error; nothing is written through a symlinked cache folder)."""
    from reflekt.core.fsutil import write_atomic

    if cache_disabled():
        return False
    target = listing_path(project)
    if target.parent.is_symlink() or target.is_symlink():
        log.debug("not writing the schema listing through a symlink: %s", target)
        return False
    data = {"format": FORMAT, "schemas_dir": str(project.schemas_dir), "paths": paths}
    try:
        # ASCII: a file name that is not UTF-8 (lone surrogates) survives as \udcxx.
        write_atomic(target, json.dumps(data, separators=(",", ":")))
    except Exception as exc:  # WriteError (read-only project, full disk): only a cache
        log.debug("not writing the schema listing %s: %s", target, exc)
        return False
    return True


def clean_listing(project: Project) -> list[Path]:
    """Remove the saved listing (`reflekt cache clean`); the removed file, if any."""
    target = listing_path(project)
    if project.cache_dir.is_symlink() or target.is_symlink() or not target.is_file():
        return []
    try:
        target.unlink()
    except FileNotFoundError:
        return []
    except OSError as error:
        from reflekt.core.fsutil import write_error

        raise write_error(error, target) from None
    return [target]
