"""On a shallow checkout (actions/checkout's default), the base and merge-base get fetched."""

from __future__ import annotations

import subprocess
from pathlib import Path

from reflekt.ci.history import default_against, ensure_history


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=ci@example.com", "-c", "user.name=CI", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def _origin_with_a_branch(tmp_path: Path) -> Path:
    """main: 5 commits; feature: 3 commits off main's 5th; then main moves on by 2."""
    origin = tmp_path / "origin"
    origin.mkdir()
    _git(origin, "init", "-q", "-b", "main")
    for i in range(5):
        (origin / "f").write_text(str(i))
        _git(origin, "add", "f")
        _git(origin, "commit", "-qm", f"main {i}")
    _git(origin, "checkout", "-qb", "feature")
    for i in range(3):
        (origin / "g").write_text(str(i))
        _git(origin, "add", "g")
        _git(origin, "commit", "-qm", f"feature {i}")
    _git(origin, "checkout", "-q", "main")
    for i in range(2):
        (origin / "f").write_text(f"later {i}")
        _git(origin, "commit", "-qam", f"main later {i}")
    return origin


def _shallow_clone(tmp_path: Path, origin: Path) -> Path:
    work = tmp_path / "work"
    _git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", origin.as_uri(), "work")
    assert _git(work, "rev-parse", "--is-shallow-repository") == "true"
    return work


def test_the_merge_base_of_the_pr_base_is_fetched(tmp_path: Path) -> None:
    origin = _origin_with_a_branch(tmp_path)
    work = _shallow_clone(tmp_path, origin)
    against = default_against({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main"})
    assert against == "git:origin/main..."

    done = ensure_history(against, work)

    assert done  # something was fetched
    expected = _git(origin, "merge-base", "main", "feature")
    assert _git(work, "merge-base", "origin/main", "HEAD") == expected


def test_the_previous_commit_is_fetched_on_a_push(tmp_path: Path) -> None:
    work = _shallow_clone(tmp_path, _origin_with_a_branch(tmp_path))
    against = default_against({"GITHUB_EVENT_NAME": "push", "GITHUB_BASE_REF": ""})
    assert against == "git:HEAD~1"

    ensure_history(against, work)

    assert _git(work, "log", "-1", "--format=%s", "HEAD~1") == "feature 1"


def test_nothing_is_fetched_when_the_ref_is_there(tmp_path: Path) -> None:
    origin = _origin_with_a_branch(tmp_path)
    assert ensure_history("git:main~1", origin) == []
    assert ensure_history("git:main...", origin) == []
    assert ensure_history("registry", origin) == []
