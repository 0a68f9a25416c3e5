"""Fixtures: local Segment and Avo servers, and projects whose profile points at them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from registry_fakes import AVO_ACCOUNT, SEGMENT_TOKEN, FakeAvo, FakeSegment


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries happen, but never wait: the HTTP layer caps every wait at 0 seconds."""
    monkeypatch.setenv("REFLEKT_HTTP_MAX_WAIT", "0")
    monkeypatch.setenv("REFLEKT_HTTP_TIMEOUT", "10")


@pytest.fixture
def segment() -> Iterator[FakeSegment]:
    server = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    yield server
    server.stop()


@pytest.fixture
def avo() -> Iterator[FakeAvo]:
    server = FakeAvo(workspace="ws123", account=AVO_ACCOUNT).start()
    yield server
    server.stop()


@pytest.fixture
def segment_project(make_project, segment):
    """A project whose profile `dev` has a Segment registry at the fake server."""

    counter = iter(range(1000))

    def factory(token: str = SEGMENT_TOKEN):
        project = make_project(folder=f"project{next(counter)}")
        project.write_profiles(
            {
                "version": 1.0,
                "dev": {
                    "registry": [{"type": "segment", "api_token": token, "api_url": segment.url}]
                },
            }
        )
        return project

    return factory


@pytest.fixture
def avo_project(make_project, avo):
    counter = iter(range(1000))

    def factory(secret: str = AVO_ACCOUNT[1], branches: dict[str, str] | None = None):
        project = make_project(folder=f"project{next(counter)}")
        project.write_profiles(
            {
                "version": 1.0,
                "dev": {
                    "registry": [
                        {
                            "type": "avo",
                            "workspace_id": "ws123",
                            "service_account_name": AVO_ACCOUNT[0],
                            "service_account_secret": secret,
                            "api_url": avo.url,
                        }
                    ]
                },
            }
        )
        if branches:
            config = (project.root / "reflekt_project.yml").read_text()
            lines = "".join(f"      {k}: {v}\n" for k, v in branches.items())
            config += f"registry:\n  avo:\n    branches:\n{lines}"
            project.set_config(config)
        return project

    return factory
