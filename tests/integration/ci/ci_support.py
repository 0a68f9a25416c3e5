"""Run `python -m reflekt.ci.github` as the action does: a subprocess with GitHub's env."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from github_fake import BOT_TOKEN, PR, REPO, FakeGitHub

import reflekt

SOURCE_ROOT = str(Path(reflekt.__file__).resolve().parent.parent)


def github_env(
    tmp: Path, fake: FakeGitHub | None, *, token: str = BOT_TOKEN, pr: int | None = PR
) -> dict[str, str]:
    """The variables a GitHub runner sets for a pull_request job (and the action's token)."""
    event = tmp / "event.json"
    payload = {"pull_request": {"number": pr}} if pr is not None else {"ref": "refs/heads/main"}
    event.write_text(json.dumps(payload), encoding="utf-8")
    summary = tmp / "step_summary.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "REFLEKT_"))}
    env.update(
        PYTHONPATH=SOURCE_ROOT,
        GITHUB_EVENT_NAME="pull_request" if pr is not None else "push",
        GITHUB_EVENT_PATH=str(event),
        GITHUB_REPOSITORY=REPO,
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_SERVER_URL="https://github.com",
        GITHUB_RUN_ID="4242",
        REFLEKT_GITHUB_TOKEN=token,
        REFLEKT_CI_HTTP_RETRY_WAIT="0",
        REFLEKT_CI_HTTP_TIMEOUT="5",
    )
    if fake is not None:
        env["GITHUB_API_URL"] = fake.url
    return env


def run_ci(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reflekt.ci.github", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
