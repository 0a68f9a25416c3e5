"""Helpers of the config tests: hostile YAML texts and a resource-limited `reflekt` process."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

REGISTRY_FAKES = Path(__file__).resolve().parents[1] / "integration" / "registries"
if str(REGISTRY_FAKES) not in sys.path:
    sys.path.insert(0, str(REGISTRY_FAKES))

from registry_fakes import SEGMENT_TOKEN, FakeSegment, track_rule  # noqa: E402

ADDRESS_SPACE_LIMIT = 1 << 30
"""1 GiB: a loader that expands an alias bomb dies (MemoryError) instead of eating the host."""

__all__ = ["SEGMENT_TOKEN", "FakeSegment", "alias_bomb", "run_limited", "track_rule"]


def alias_bomb(levels: int = 8, key: str = "bomb") -> str:
    """~1 KB of YAML under `key` whose aliases expand to 9**levels values."""
    lines = [f"{key}:", "  l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"  l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))


def run_limited(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m reflekt <args>` with 1 GiB of address space and a 60 s timeout, so a
    regression fails the test instead of hanging or swapping the machine."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "reflekt", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_address_space,
        check=False,
    )
