"""One headless Chromium for the whole session (Debian's chromium + chromium-driver, driven
by Selenium), and a built catalog of the shop and hostile plans, opened from `file://`.

Without the browser, its driver or selenium the tests skip, saying which is missing
(`.ci/run` installs Debian's packages when /usr/bin/chromium is missing).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from docs_support import (
    ARTIFACTS,
    CHROMEDRIVER,
    CHROMIUM,
    FLAGS,
    PlanWriter,
    add_hostile,
    add_shop,
)


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)"
    if not CHROMEDRIVER.exists():
        return f"{CHROMEDRIVER} is missing (apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser():
    """The one browser of the session (a fresh profile folder, removed after)."""
    missing = _missing()
    if missing:
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="reflekt-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_window_size(1280, 800)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The HTML catalog of the shop and hostile plans, built by the real command."""
    from click.testing import CliRunner

    from reflekt.cli import cli

    root = tmp_path_factory.mktemp("docs-site") / "project"
    project = PlanWriter(root)
    add_shop(project)
    add_hostile(project)
    result = CliRunner().invoke(cli, ["build", "docs", "--project-dir", str(root)])
    assert result.exit_code == 0, result.output
    return root / "artifacts" / "docs"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
