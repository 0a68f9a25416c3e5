"""Rules of the house that a test can hold: core is UI-free, --help/--version start light, and
CI runs the static layer and type checks (`[tool.importlinter]`, `[tool.mypy]` in pyproject.toml)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import reflekt.core

ROOT = Path(__file__).resolve().parents[3]
UI_MODULES = ("textual", "click", "rich")
HEAVY_MODULES = ("sqlalchemy", "textual", "jsonschema", "requests", "google", "sqlalchemy_bigquery")


def _modules_loaded_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return {name.split(".")[0] for name in json.loads(out.strip().splitlines()[-1])}


def test_core_imports_no_ui_library() -> None:
    names = [
        m.name
        for m in pkgutil.walk_packages(reflekt.core.__path__, "reflekt.core.")
        if not m.name.split(".")[-1].startswith("test")
    ]
    imports = "\n".join(f"import {name}" for name in names)
    loaded = _modules_loaded_after(imports)
    assert not loaded & set(UI_MODULES), loaded & set(UI_MODULES)


def test_help_and_version_do_not_import_heavy_modules() -> None:
    for argv in (["--help"], ["--version"]):
        code = (
            f"sys.argv = ['reflekt', *{json.dumps(argv)}]\n"
            "from reflekt.cli import cli\n"
            "try:\n    cli(prog_name='reflekt')\nexcept SystemExit:\n    pass"
        )
        loaded = _modules_loaded_after(code)
        assert not loaded & set(HEAVY_MODULES), (argv, loaded & set(HEAVY_MODULES))


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reflekt", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.startswith("reflekt ")


def test_ci_runs_the_readmes_test_command_with_the_static_checks() -> None:
    """The layer contracts and the type check run where the tests run: in the README's
    Quickstart test command, which .ci/run runs exactly."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    [command] = [line for line in readme if line.startswith('pip install -e ".[test]"')]
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    steps = [step.strip() for step in command.split("&&")]
    for check in ("lint-imports", "mypy reflekt/core"):
        assert check in steps and steps.index(check) < steps.index("pytest"), check


ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"


def test_architecture_map_lists_every_import_contract() -> None:
    """docs/ARCHITECTURE.md's contract table says what `lint-imports` enforces."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    rows = [
        line for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines() if "never" in line
    ]
    for contract in config["tool"]["importlinter"]["contracts"]:
        modules = [*contract["source_modules"], *contract["forbidden_modules"]]
        assert any(all(f"`{module}`" in row for module in modules) for row in rows), contract


def test_architecture_map_names_only_paths_that_exist() -> None:
    """Every file or folder the map names is there (relative to the root or to reflekt/)."""
    import re

    named = re.findall(r"`((?:[\w.]+/)+[\w.]*)`", ARCHITECTURE.read_text(encoding="utf-8"))
    missing = [
        path
        for path in named
        if not (ROOT / path).exists() and not (ROOT / "reflekt" / path).exists()
    ]
    assert not missing, missing
