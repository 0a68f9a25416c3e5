"""Fixtures of the docs catalog's unit tests: the shop and hostile plans on disk."""

from __future__ import annotations

import pytest
from docs_support import add_hostile, add_shop


@pytest.fixture
def shop(make_project):
    project = make_project(name="shop")
    add_shop(project)
    return project


@pytest.fixture
def hostile(make_project):
    project = make_project(name="hostile")
    add_hostile(project)
    return project
