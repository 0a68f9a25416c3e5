"""Helpers of the transaction tests: real `reflekt` subprocesses paused at a known point.

The writer's testing hook (`REFLEKT_TEST_PAUSE_AT`, see reflekt/core/transaction.py) writes
the phase's name to the FIFO `paused` and blocks reading the FIFO `resume`; `Pause` owns both
ends, so a test sends its signal exactly there, without sleeping.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration" / "registries"))

from pause_support import Pause  # noqa: E402
from registry_fakes import SEGMENT_TOKEN, FakeSegment, track_rule  # noqa: E402

__all__ = ["SEGMENT_TOKEN", "FakeSegment", "Pause", "reflekt", "snapshot", "track_rule"]


def reflekt(
    root: Path,
    *args: str,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
) -> subprocess.Popen[str]:
    """Start `python -m reflekt <args> --project-dir root` (stdout and stderr captured)."""
    return subprocess.Popen(
        [sys.executable, "-m", "reflekt", *args, "--project-dir", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "REFLEKT_HTTP_MAX_WAIT": "0", **(env or {})},
        preexec_fn=preexec,
    )


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) of the project, except logs and the cache."""
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in (".logs", ".reflekt_cache"):
            continue
        found[rel] = None if path.is_dir() else path.read_bytes()
    return found


def temp_files(root: Path) -> list[str]:
    """Temp and staging leftovers anywhere in the project (the cache's own files excluded)."""
    leftovers = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.name.endswith(".tmp") or p.name.startswith(".reflekt_txn_")
    ]
    txn = root / ".reflekt_cache" / "txn"
    if txn.is_dir():
        leftovers += [p.relative_to(root).as_posix() for p in txn.iterdir()]
    return leftovers


def last_exit_logged(root: Path) -> str:
    """The exit code the last run wrote to `.logs/`."""
    lines = [
        line
        for log in sorted((root / ".logs").glob("*.log"))
        for line in log.read_text(encoding="utf-8").splitlines()
        if "done in" in line
    ]
    return lines[-1].rsplit("exit ", 1)[1]
