from __future__ import annotations

from collections.abc import Iterator

import pytest
from github_fake import FakeGitHub, serve_github


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with serve_github() as fake:
        yield fake
