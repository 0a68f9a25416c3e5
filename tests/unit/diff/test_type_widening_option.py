"""`diff.type_widening` in reflekt_project.yml: MAJOR by default, MINOR on request, checked.

Through the public faces: `reflekt diff --against git:`, lint's RF601/RF602, and the
project loader's configuration errors.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core.diff import DiffSettings
from reflekt.core.errors import ConfigError
from reflekt.core.lint import lint_project
from reflekt.core.project import load_project

INTEGER = {"size": {"type": "integer", "description": "Items."}}
NUMBER = {"size": {"type": "number", "description": "Items."}}
EVENT = "segment/shop/Cart_Viewed"


def _invoke(project, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)])


def _set_diff_config(project, text: str) -> None:
    config = (project.root / "reflekt_project.yml").read_text(encoding="utf-8")
    project.set_config(config.rstrip("\n") + "\n" + text)


def _commit(root) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )

    if not (root / ".git").exists():
        git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "schemas")


@pytest.mark.parametrize(
    ("config", "code", "change_class", "verdict", "exit_code"),
    [
        ("", "TYPE_WIDENED", "MAJOR", "breaking", 1),
        ("diff:\n  type_widening: major\n", "TYPE_WIDENED", "MAJOR", "breaking", 1),
        ("diff:\n  type_widening: minor\n", "TYPE_WIDENED_ALLOWED", "MINOR", "compatible", 0),
    ],
)
def test_diff_against_git_classifies_a_widened_type_by_the_option(
    make_project, config, code, change_class, verdict, exit_code
):
    project = make_project(name="shop")
    project.add_schema(f"{EVENT}/1-0", INTEGER)
    _commit(project.root)
    project.add_schema(f"{EVENT}/1-1", NUMBER)  # a MINOR bump
    if config:
        _set_diff_config(project, config)

    result = _invoke(project, "diff", "--against", "git:HEAD", "--format", "json")

    assert result.exit_code == exit_code, result.output
    [event] = json.loads(result.stdout)["events"]
    assert [(c["code"], c["class"]) for c in event["changes"]] == [(code, change_class)]
    assert event["verdict"] == verdict


@pytest.mark.parametrize(("setting", "findings"), [("major", ["RF601"]), ("minor", [])])
def test_lint_versioning_rules_follow_the_option(make_project, setting, findings):
    project = make_project()
    project.add_schema(f"{EVENT}/1-0", INTEGER)
    project.add_schema(f"{EVENT}/1-1", NUMBER)
    _set_diff_config(project, f"diff:\n  type_widening: {setting}\n")

    report = lint_project(load_project(project.root))

    assert [f.rule for f in report.findings if f.rule.startswith("RF6")] == findings


def test_a_major_bump_for_a_widening_is_fine_by_default_and_too_much_when_minor(make_project):
    project = make_project()
    project.add_schema(f"{EVENT}/1-0", INTEGER)
    project.add_schema(f"{EVENT}/2-0", NUMBER)
    assert not [f for f in lint_project(load_project(project.root)).findings if f.rule == "RF602"]
    _set_diff_config(project, "diff:\n  type_widening: minor\n")
    [finding] = [f for f in lint_project(load_project(project.root)).findings if f.rule == "RF602"]
    assert "1-1 would do" in finding.message


def test_the_option_is_read_into_diff_settings(make_project):
    project = make_project()
    assert DiffSettings.of(load_project(project.root)) == DiffSettings(type_widening="major")
    _set_diff_config(project, "diff:\n  type_widening: minor\n")
    assert DiffSettings.of(load_project(project.root)) == DiffSettings(type_widening="minor")
    assert DiffSettings.of(None) == DiffSettings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("diff:\n  type_widening: sometimes\n", "diff.type_widening: 'sometimes' is not one of"),
        ("diff:\n  type_widening: MINOR\n", "diff.type_widening: 'MINOR' is not one of"),
        ("diff:\n  type_widening: 1\n", "diff.type_widening: 1 is not one of: major, minor"),
        ("diff:\n  widening: minor\n", "diff.widening: unknown key"),
        ("diff: minor\n", "diff: expected a mapping, got a string"),
    ],
)
def test_a_bad_value_is_a_configuration_error_naming_the_key(make_project, text, message):
    project = make_project()
    _set_diff_config(project, text)
    with pytest.raises(ConfigError) as raised:
        load_project(project.root)
    assert message in str(raised.value)
    assert raised.value.line is not None

    result = _invoke(project, "lint")
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
