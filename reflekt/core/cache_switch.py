"""Whether Reflekt's caches under `.reflekt_cache/` may be used: one switch for all of them
(the lint index, the build's schema facts, the TUI's saved listing), `REFLEKT_NO_CACHE` or a
command's `--no-cache`."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

NO_CACHE_ENV = "REFLEKT_NO_CACHE"


def cache_disabled() -> bool:
    """`REFLEKT_NO_CACHE` set to anything but empty, 0, false or no."""
    value = os.environ.get(NO_CACHE_ENV, "").strip().lower()
    return value not in ("", "0", "false", "no")


@contextlib.contextmanager
def caches_off(off: bool = True) -> Iterator[None]:
    """Within: every cache is off when `off` (a command's `--no-cache`), then as before.

    The variable, not a parameter, so forked lint workers and deep callers all see it; put
    back afterwards so one command in a long-lived process (a test runner) does not leak it.
    """
    if not off:
        yield
        return
    before = os.environ.get(NO_CACHE_ENV)
    os.environ[NO_CACHE_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(NO_CACHE_ENV, None)
        else:
            os.environ[NO_CACHE_ENV] = before
