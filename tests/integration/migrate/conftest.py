"""Fixtures of the migrate tests: a reflekt 0.6 project in git, with local registries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from migrate_support import (
    AVO_ACCOUNT,
    SEGMENT_TOKEN,
    FakeAvo,
    FakeSegment,
    Project06,
    git,
    lay_out,
)


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


@pytest.fixture
def project06(tmp_path: Path, servers) -> Project06:
    segment, avo = servers
    root = tmp_path / "shop"
    db_path = lay_out(root, segment.url, avo.url)
    return Project06(root, segment, avo, db_path, git(root, "rev-parse", "HEAD").strip())
