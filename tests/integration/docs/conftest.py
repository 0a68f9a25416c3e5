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


AXE_VERSION = "4.10.3"


@pytest.fixture(scope="session")
def axe_js(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """axe-core's `axe.min.js`: `REFLEKT_AXE_JS` when set, else installed from npm once per
    test run (one folder for every pytest-xdist worker, behind a file lock), so the README's
    test command runs the accessibility scan by itself. No npm, or no registry: a skip that
    says why."""
    import fcntl
    import os
    import subprocess

    given = os.environ.get("REFLEKT_AXE_JS")
    if given:
        return Path(given)
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / f"axe-core-{AXE_VERSION}"
    script = root / "node_modules" / "axe-core" / "axe.min.js"
    failed = root / ".failed"
    with open(shared / "axe-core.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not script.exists() and not failed.exists():
            root.mkdir(parents=True, exist_ok=True)
            if shutil.which("npm") is None:
                failed.write_text("npm is not installed", encoding="utf-8")
            else:
                done = subprocess.run(
                    ["npm", "install", "--no-save", "--no-package-lock", "--loglevel", "error",
                     "--prefix", str(root), f"axe-core@{AXE_VERSION}"],
                    capture_output=True,
                    text=True,
                    timeout=600,
                    env={**os.environ, "npm_config_cache": str(root / ".npm-cache")},
                )  # fmt: skip
                if done.returncode != 0 or not script.exists():
                    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                    failed.write_text(" | ".join(tail) or "npm failed", encoding="utf-8")
    if failed.exists():
        pytest.skip(f"axe-core could not be installed: {failed.read_text(encoding='utf-8')}")
    return script
