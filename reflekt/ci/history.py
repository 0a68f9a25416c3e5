"""Which git ref to diff against in CI, and enough history on a shallow checkout to reach it.

Why: actions/checkout fetches one commit by default, so neither the PR base's branch nor the
merge-base exists locally, and `reflekt diff --against git:origin/main...` would fail with an
unknown ref. This fetches the base branch and deepens the history in growing steps until the
merge-base is there (then, as a last resort, the whole history), instead of asking every
workflow for `fetch-depth: 0`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})
DEEPEN_STEPS = (50, 200, 1000)
GIT_TIMEOUT = 300  # seconds per git call


def default_against(env: Mapping[str, str]) -> str:
    """The PR base's merge-base on pull requests, else the previous commit."""
    base = env.get("GITHUB_BASE_REF", "")
    if env.get("GITHUB_EVENT_NAME", "") in PULL_REQUEST_EVENTS and base:
        return f"git:origin/{base}..."
    return "git:HEAD~1"


def ensure_history(against: str, cwd: Path) -> list[str]:
    """Fetch what `against` needs when it is missing; return what was done (log lines).

    Nothing is fetched when the ref (and the merge-base, for `REF...`) already resolve, or
    when `against` is not a `git:` ref. A failed fetch is reported, not raised: Reflekt
    itself then says clearly which ref it cannot find.
    """
    if not against.startswith("git:") or not _git_ok(cwd, "rev-parse", "--git-dir"):
        return []
    ref = against[len("git:") :]
    three_dots = ref.endswith("...")
    base = ref[:-3] if three_dots else ref
    if _reachable(cwd, base, three_dots):
        return []
    done: list[str] = []
    refspecs: list[str] = []  # none: the remote's configured refspec (deepens HEAD too)
    if base.startswith("origin/"):
        branch = base[len("origin/") :]
        refspecs.append(f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
    shallow = _git_out(cwd, "rev-parse", "--is-shallow-repository") == "true"
    if not shallow:
        done.append(_fetch(cwd, refspecs))
        return done
    for depth in DEEPEN_STEPS:
        done.append(_fetch(cwd, refspecs, f"--deepen={depth}"))
        if _reachable(cwd, base, three_dots):
            return done
    done.append(_fetch(cwd, refspecs, "--unshallow"))
    return done


def _reachable(cwd: Path, base: str, three_dots: bool) -> bool:
    if not _git_ok(cwd, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"):
        return False
    return not three_dots or _git_ok(cwd, "merge-base", base, "HEAD")


def _fetch(cwd: Path, refspecs: list[str], *flags: str) -> str:
    argv = ["fetch", "--no-tags", "--quiet", *flags, "origin", *refspecs]
    ok = _git_ok(cwd, *argv)
    return f"git {' '.join(argv)}" + ("" if ok else "  (failed)")


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=GIT_TIMEOUT
    )


def _git_ok(cwd: Path, *args: str) -> bool:
    try:
        return _git(cwd, *args).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _git_out(cwd: Path, *args: str) -> str:
    try:
        return _git(cwd, *args).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""
