"""`collector_paused()`: no automatic cyclic garbage collection inside a batch job.

Why: a cold `reflekt build docs` of 5,000 events makes a few million objects that all live
until it ends (the parsed schemas, 66,000 lint findings, the catalog): the collector ran
hundreds of times meanwhile, several of them over the whole heap, to free some 200 objects
(measured: a sixth of the build's CPU time, 1 s of 5.5). Reference counting still frees
everything else as usual. The collector is the process's: one switch, and one switched off
elsewhere stays off.

`freeze=True` also moves what the block made out of the collector's sight when it is done
(`gc.freeze`): the TUI's index of 50,000 files (some 300,000 objects, which live on) would
otherwise be scanned again once the collector is on. A build's objects are dropped after,
so it freezes nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """The block runs with the automatic collection switched off; on again after it (when
    it was on before). With `freeze`, what exists when the block is done is frozen."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if freeze:
            gc.freeze()
    finally:
        if was_enabled:
            gc.enable()
