"""`reflekt lint` through the CLI: exit codes, --select, severity overrides, config errors."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from reflekt.cli import cli

CART = "segment/shop/Cart_Viewed/1-0.json"
GOOD = {"cart_id": {"type": "string", "description": "The cart."}}
BAD = {"cartId": {"type": "string"}}  # RF311 (casing) and RF402 (no description)


def lint(proj, *args: str):
    return CliRunner().invoke(cli, ["lint", "--project-dir", str(proj.root), *args])


def json_findings(result) -> list[dict]:
    return json.loads(result.stdout)["findings"]


def test_exit_0_without_findings(proj):
    proj.add(CART, GOOD)
    result = lint(proj)
    assert result.exit_code == 0, result.output
    assert "Linted 1 schema: no problems found." in result.output


def test_exit_1_with_errors_and_text_grouped_by_file(proj):
    proj.add(CART, BAD)
    proj.add("segment/shop/Cart_Left/1-0.json", GOOD)
    result = lint(proj)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"schemas/{CART}"
    assert any("RF311" in line and 'suggestion: "cart_id"' in line for line in lines)
    assert lines[-1] == "Linted 2 schemas: 2 errors, 0 warnings."


def test_exit_2_for_a_select_that_matches_nothing(proj):
    proj.add(CART, GOOD)
    result = lint(proj, "--select", "segment/shop/Cart_Vewed")
    assert result.exit_code == 2
    assert "matches no schema" in result.output


def test_exit_2_for_a_broken_project_file(proj):
    proj.builder.set_config("name: [unclosed\n")
    result = lint(proj)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "select",
    [
        "segment/shop/Cart_Viewed/1-0",
        "segment/shop/Cart_Viewed/1-0.json",
        "schemas/segment/shop/Cart_Viewed/1-0.json",
        "segment/shop/Cart_Viewed/",
    ],
)
def test_select_single_file_with_and_without_json(proj, select):
    proj.add(CART, BAD)
    proj.add("segment/shop/Cart_Left/1-0.json", BAD)
    result = lint(proj, "--select", select, "--format", "json")
    assert result.exit_code == 1
    assert {f["schema_id"] for f in json_findings(result)} == {CART}
    assert json.loads(result.stdout)["summary"]["schemas"] == 1


def test_several_selects(proj):
    proj.add(CART, BAD)
    proj.add("segment/shop/Cart_Left/1-0.json", BAD)
    proj.add("segment/other/Cart_Left/1-0.json", BAD)
    result = lint(proj, "-s", CART, "-s", "segment/other", "--format", "json")
    assert json.loads(result.stdout)["summary"]["schemas"] == 2


def test_warning_override_exits_0(proj):
    proj.configure(rules={"property-casing": "warning", "RF402": "warning"})
    proj.add(CART, BAD)
    result = lint(proj, "--format", "json")
    assert result.exit_code == 0
    findings = json_findings(result)
    assert {(f["rule"], f["severity"]) for f in findings} == {
        ("RF311", "warning"),
        ("RF402", "warning"),
    }
    assert json.loads(result.stdout)["summary"] == {"schemas": 1, "errors": 0, "warnings": 2}


def test_off_override_drops_the_rule(proj):
    proj.configure(rules={"RF311": "off", "property-description": "off"})
    proj.add(CART, BAD)
    result = lint(proj, "--format", "json")
    assert result.exit_code == 0
    assert json_findings(result) == []


def test_unknown_rule_in_config_is_exit_2(proj):
    proj.configure(rules={"property-cassing": "warning"})
    proj.add(CART, GOOD)
    result = lint(proj)
    assert result.exit_code == 2
    assert "unknown rule 'property-cassing'" in result.output


def test_missing_meta_schema_is_exit_2(proj):
    proj.add(CART, GOOD)
    (proj.schemas_dir / ".reflekt/event-meta/1-0.json").unlink()
    result = lint(proj)
    assert result.exit_code == 2
    assert "meta-schema" in result.output and "does not exist" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"type": "object",', "not valid JSON"),
        ('{"type": "objekt"}', "not a valid draft-07"),
        ("[]", "not valid JSON"),
        # one "invalid JSON", not two
        ('{"type": "object",', "1-0.json:1:19: the meta-schema is not valid JSON: Expecting"),
        # the line of the offending key
        ('{\n  "type": "object",\n  "properties": {"self": {"type": "objekt"}}\n}', ":3:27: "),
        ('{"properties": {"a": {"pattern": "([a-z"}}}', 'pattern: "([a-z" is not a "regex"'),
        ('{"$ref": "http://example.com/x.json"}', "1-0.json: the meta-schema refers to"),
        ('{"$ref": "http://example.com/x.json"}', "may only $ref the draft-07 meta-schema"),
    ],
)
def test_broken_meta_schema_is_exit_2(proj, text, expected):
    proj.add(CART, GOOD)
    (proj.schemas_dir / ".reflekt/event-meta/1-0.json").write_text(text)
    result = lint(proj)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output


def test_meta_schema_not_needed_when_its_rule_is_off(proj):
    proj.configure(rules={"meta-schema": "off"})
    proj.add(CART, GOOD)
    (proj.schemas_dir / ".reflekt/event-meta/1-0.json").unlink()
    assert lint(proj).exit_code == 0


def test_output_file_is_written(proj, tmp_path):
    proj.add(CART, BAD)
    target = tmp_path / "out" / "lint.json"
    result = lint(proj, "--format", "json", "--output", str(target))
    assert result.exit_code == 1
    assert json.loads(target.read_text())["summary"]["errors"] == 2
    assert result.stdout == ""
    assert not [p for p in target.parent.iterdir() if p.name != "lint.json"], "no temp files"


def test_list_rules_needs_no_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", "--list-rules"])
    assert result.exit_code == 0
    assert "RF311  property-casing" in result.output
    result = CliRunner().invoke(cli, ["lint", "--list-rules", "--format", "json"])
    rules = json.loads(result.stdout)
    assert {"code": "RF101", "name": "json-syntax", "severity": "error"}.items() <= rules[0].items()


def test_list_rules_in_a_project_shows_effective_severities(proj):
    proj.configure(rules={"RF402": "warning", "event-reserved": "off", "RF101": "error"})
    result = lint(proj, "--list-rules")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line[:2] == "RF"}
    assert rows["RF402"].split()[2] == "warning*"
    assert rows["RF303"].split()[2] == "off*"
    assert rows["RF101"].split()[2] == "error", "same as the default: not marked"
    assert "* set by lint.rules in reflekt_project.yml (defaults: RF303 error, RF402 error)" in (
        result.stdout
    )
    data = {r["code"]: r for r in json.loads(lint(proj, "--list-rules", "-f", "json").stdout)}
    assert data["RF402"] | {"summary": ""} == {
        "code": "RF402",
        "name": "property-description",
        "severity": "warning",
        "default_severity": "error",
        "overridden": True,
        "summary": "",
    }
    assert data["RF311"]["overridden"] is False


def test_list_rules_still_lists_with_an_unknown_rule_in_the_config(proj):
    proj.configure(rules={"property-cassing": "warning"})
    result = lint(proj, "--list-rules")
    assert result.exit_code == 0
    assert "RF311  property-casing" in result.stdout
    assert "unknown rule 'property-cassing'" in result.stderr


def test_list_rules_outside_a_project_shows_defaults_unmarked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", "--list-rules"])
    assert "*" not in result.stdout and "set by lint.rules" not in result.stdout


def test_list_rules_with_a_wrong_project_dir_is_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["lint", "--project-dir", str(tmp_path), "--list-rules"])
    assert result.exit_code == 2
    assert "no reflekt_project.yml" in result.output


def test_lint_appends_to_the_project_log(proj):
    proj.add(CART, GOOD)
    lint(proj)
    logs = list((proj.root / ".logs").glob("*.log"))
    assert logs and "Linted 1 schema" in logs[0].read_text()


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) for a terminal")
def test_on_a_terminal_findings_are_drawn_without_a_progress_bar_for_small_runs(proj):
    proj.add(CART, BAD)
    command = f"{sys.executable} -m reflekt lint --project-dir {shlex.quote(str(proj.root))}"
    result = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
        timeout=60,
    )
    assert result.returncode == 1, result.stdout
    assert "Linting" not in result.stdout, "no bar flashing by for a small run"
    assert f"schemas/{CART}" in result.stdout
    assert "Linted 1 schema: 2 errors, 0 warnings." in result.stdout
    assert "\x1b[31m" not in result.stdout, "NO_COLOR: no colour"


def test_output_to_an_unwritable_path_is_one_clear_error(proj, tmp_path):
    proj.add(CART, GOOD)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = lint(proj, "--format", "json", "--output", str(blocker / "lint.json"))
    assert result.exit_code == 2
    assert result.output == (
        f"Error: cannot write {blocker / 'lint.json'}: {blocker} is a file, not a folder\n"
    )


def test_output_ending_in_a_slash_is_not_written_as_a_file(proj, tmp_path):
    proj.add(CART, GOOD)
    target = f"{tmp_path / 'reports'}/"
    result = lint(proj, "--output", target)
    assert result.exit_code == 2
    assert f"--output '{target}' names a folder; give a file, e.g. {target}lint.json" in (
        result.output
    )
    assert not (tmp_path / "reports").exists()


def test_one_rule_set_twice_with_different_severities_is_exit_2(proj):
    proj.configure(rules={"RF402": "warning", "property-description": "off"})
    proj.add(CART, GOOD)
    result = lint(proj)
    assert result.exit_code == 2
    assert (
        "lint.rules: RF402: warning and property-description: off set the same rule (RF402) "
        "twice" in result.output
    )
    proj.configure(rules={"RF402": "warning", "property-description": "warning"})
    assert lint(proj).exit_code == 0, "the same severity twice is harmless"


def test_help_keeps_one_example_per_line():
    result = CliRunner().invoke(cli, ["lint", "--help"])
    assert "\n    reflekt lint --format github\n" in result.output
