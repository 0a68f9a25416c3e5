"""Fixtures of the migrate tests: a reflekt 0.6 project in git, with local registries."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "registries"))
sys.path.insert(0, str(HERE))

from project06 import profiles_yml_06, write_project_06  # noqa: E402
from registry_fakes import AVO_ACCOUNT, SEGMENT_TOKEN, FakeAvo, FakeSegment  # noqa: E402


@dataclass
class Project06:
    root: Path
    segment: FakeSegment
    avo: FakeAvo
    db_path: Path
    pre_commit: str  # the commit holding the 0.6 layout

    def git(self, *args: str) -> str:
        return git(self.root, *args)


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, env=env
    )
    return done.stdout


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFLEKT_HTTP_MAX_WAIT", "0")
    monkeypatch.setenv("REFLEKT_HTTP_TIMEOUT", "10")


@pytest.fixture
def servers() -> Iterator[tuple[FakeSegment, FakeAvo]]:
    segment = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    avo = FakeAvo(workspace="ws123", account=AVO_ACCOUNT).start()
    yield segment, avo
    segment.stop()
    avo.stop()


def lay_out(root: Path, segment_url: str, avo_url: str) -> Path:
    """The 0.6 project at `root`, committed; returns the DuckDB path its profile names."""
    db_path = root.parent / "wh.duckdb"
    write_project_06(
        root, profiles_yml_06(segment_url, avo_url, db_path, SEGMENT_TOKEN, AVO_ACCOUNT)
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "reflekt 0.6 project")
    return db_path


@pytest.fixture
def project06(tmp_path: Path, servers) -> Project06:
    segment, avo = servers
    root = tmp_path / "shop"
    db_path = lay_out(root, segment.url, avo.url)
    return Project06(root, segment, avo, db_path, git(root, "rev-parse", "HEAD").strip())
