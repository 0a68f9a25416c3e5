"""Whether Reflekt's caches under `.reflekt_cache/` may be used: one switch for all of them
(the lint index, the TUI's saved listing), `REFLEKT_NO_CACHE` or a command's `--no-cache`."""

from __future__ import annotations

import os

NO_CACHE_ENV = "REFLEKT_NO_CACHE"


def cache_disabled() -> bool:
    """`REFLEKT_NO_CACHE` set to anything but empty, 0, false or no."""
    value = os.environ.get(NO_CACHE_ENV, "").strip().lower()
    return value not in ("", "0", "false", "no")
