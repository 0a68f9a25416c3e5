"""Run git in the project: paths taken literally, no optional locks, never a crash.

Why one place: the diff's `--against git:REF`, the hooks installer and `migrate` each ran
git with their own flags; a pathspec with `*` or `:` (registry names can hold both) must be
taken as the path it is, and a command run from a hook must not race the user's own git.
Each caller says in its own words what a failure means for it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_TIMEOUT_S = 120.0  # local commands only; a wedged git must not hang a hook for ever


def run_git(
    root: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes] | None:
    """git's result (check `returncode`), or None when git could not be run at all."""
    try:
        return subprocess.run(
            ["git", "--literal-pathspecs", *args],
            cwd=root,
            input=stdin,
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT_S,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def last_error_line(result: subprocess.CompletedProcess[bytes]) -> str:
    """The last line git wrote to stderr (its reason), or the exit status."""
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"exit {result.returncode}"
