"""`reflekt init` and `reflekt debug` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from reflekt.cli import cli


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_init_without_questions(tmp_path: Path) -> None:
    target = tmp_path / "proj"
    result = invoke(
        "init",
        "--dir",
        str(target),
        "--no-input",
        "--name",
        "shop",
        "--vendor",
        "com.shop",
        "--profile",
        "dev",
    )
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((target / "reflekt_project.yml").read_text())
    assert (config["name"], config["vendor"], config["default_profile"]) == (
        "shop",
        "com.shop",
        "dev",
    )
    meta = json.loads((target / "schemas/.reflekt/event-meta/1-0.json").read_text())
    assert meta["properties"]["metadata"]["required"] == []
    assert ".logs/" in (target / ".gitignore").read_text()
    assert (target / "README.md").exists() and (target / "artifacts").is_dir()
    # The profiles file did not exist: created with a commented example (the original crashed).
    profiles = Path.home() / ".reflekt" / "reflekt_profiles.yml"
    assert "dev:" in profiles.read_text()
    assert "env_var" in profiles.read_text()


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    args = ("init", "--dir", str(tmp_path), "--no-input", "--vendor", "com.x")
    assert invoke(*args).exit_code == 0
    before = (tmp_path / "reflekt_project.yml").read_text()
    result = invoke(*args)
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert (tmp_path / "reflekt_project.yml").read_text() == before


def test_init_without_terminal_does_not_prompt(tmp_path: Path) -> None:
    result = invoke("init", "--dir", str(tmp_path), input="")
    assert result.exit_code == 2
    assert "--vendor is required" in result.output
    assert not (tmp_path / "reflekt_project.yml").exists()


def test_debug_ok_lists_sources_masked(make_project) -> None:
    project = make_project()
    project.write_profiles(
        "dev:\n  registry:\n    - type: segment\n      api_token: sekret-token-123\n"
        "  source:\n    - id: wh\n      type: postgres\n      host: localhost\n"
        "      database: test\n      user: me\n      password: hunter2-pass\n"
    )
    result = invoke("debug", "--project-dir", str(project.root))
    assert result.exit_code == 0, result.output
    assert "wh (postgres)" in result.output
    assert "segment" in result.output
    assert "sekret-token-123" not in result.output and "hunter2-pass" not in result.output
    assert "All checks passed" in result.output
    logs = list((project.root / ".logs").glob("reflekt_*.log"))
    assert logs and "debug" in logs[0].read_text()
    assert "sekret-token-123" not in logs[0].read_text()


def test_debug_reports_each_problem_with_exit_2(make_project) -> None:
    project = make_project()
    project.write_raw("schemas/.reflekt/event-meta/1-0.json", '{"type": "object",}')
    project.write_profiles("other:\n  source: []\n")
    result = invoke("debug", "--project-dir", str(project.root))
    assert result.exit_code == 2
    assert "trailing comma" in result.output
    assert "profile 'dev' not found" in result.output
    assert "Traceback" not in result.output


def test_broken_project_file_is_one_message(make_project) -> None:
    project = make_project()
    project.set_config(
        "name: x\ndefault_profile: dev\nschemas:\n  conventions:\n    event: {casing: upper}\n"
    )
    result = invoke("debug", "--project-dir", str(project.root))
    assert result.exit_code == 2
    assert "reflekt_project.yml:5" in result.output
    assert "'upper' is not one of" in result.output


def test_missing_project_is_exit_2_with_hint(tmp_path: Path) -> None:
    result = invoke("debug", "--project-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "no reflekt_project.yml" in result.output


@pytest.mark.parametrize("command", ["init", "debug", "demo"])
def test_every_command_has_help_with_common_options(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "--project-dir" in result.output and "--verbose" in result.output


def test_an_error_is_printed_once_without_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "reflekt", "lint"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.count("no reflekt_project.yml found") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
