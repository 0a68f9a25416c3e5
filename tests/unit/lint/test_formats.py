"""Output formats: json shape, github annotations, well-formed SARIF and JUnit, plain text."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core.output.findings import FORMATS

CART = "segment/shop/Cart_Viewed/1-0.json"
LEFT = "segment/shop/Cart_Left/1-0.json"


@pytest.fixture
def report_project(proj):
    proj.configure(rules={"RF402": "warning"})
    proj.add(CART, {"cartId": {"type": "string"}})  # RF311 error, RF402 warning
    proj.add(LEFT, {"cart_id": {"type": "string", "description": 'The "cart", 100%: ok'}})
    return proj


def render(proj, fmt: str) -> str:
    result = CliRunner().invoke(cli, ["lint", "--project-dir", str(proj.root), "-f", fmt])
    assert result.exit_code == 1, result.output
    return result.stdout


def test_json_shape(report_project):
    data = json.loads(render(report_project, "json"))
    assert set(data) == {"findings", "summary"}
    assert data["summary"] == {"schemas": 2, "errors": 1, "warnings": 1}
    first = data["findings"][0]
    assert set(first) >= {"schema_id", "file", "rule", "severity", "message", "property"}
    assert first["schema_id"] == CART
    assert first["file"] == f"schemas/{CART}"
    assert first["property"] == "cartId"
    assert {f["rule"]: f["severity"] for f in data["findings"]} == {
        "RF311": "error",
        "RF402": "warning",
    }


def test_json_carries_rule_name_and_suggestion(report_project):
    findings = {f["rule"]: f for f in json.loads(render(report_project, "json"))["findings"]}
    casing, description = findings["RF311"], findings["RF402"]
    assert casing["rule_name"] == "property-casing"
    assert casing["suggestion"] == "cart_id"
    assert description["rule_name"] == "property-description"
    assert description["suggestion"] is None


def test_sarif_result_carries_the_suggestion(report_project):
    results = json.loads(render(report_project, "sarif"))["runs"][0]["results"]
    casing = next(r for r in results if r["ruleId"] == "RF311")
    assert casing["properties"] == {
        "schemaId": CART,
        "property": "cartId",
        "suggestion": "cart_id",
    }


def test_json_property_is_null_when_not_about_a_property(proj):
    path = proj.add(CART, {"cart_id": {"type": "string", "description": "x"}}, description="")
    assert path.exists()
    data = json.loads(
        CliRunner().invoke(cli, ["lint", "--project-dir", str(proj.root), "-f", "json"]).stdout
    )
    [finding] = data["findings"]
    assert finding["rule"] == "RF401" and finding["property"] is None


def test_github_annotations(report_project):
    lines = render(report_project, "github").splitlines()
    assert len(lines) == 2
    error = next(line for line in lines if line.startswith("::error "))
    warning = next(line for line in lines if line.startswith("::warning "))
    assert error.startswith(f"::error file=schemas/{CART},line=")
    assert ",col=" in error and ",title=RF311 property-casing::" in error
    assert "title=RF402 property-description::" in warning


def test_github_escapes_special_characters():
    from reflekt.core.lint import Finding, LintReport

    finding = Finding(
        "a/B/1-0.json",
        "schemas/a,b:c.json",
        1,
        2,
        "RF101",
        "json-syntax",
        "error",
        "50% broken\nnext line",
    )
    text = FORMATS["github"](LintReport([finding], 1), None)
    assert text == (
        "::error file=schemas/a%2Cb%3Ac.json,line=1,col=2,title=RF101 json-syntax::"
        "50%25 broken%0Anext line\n"
    )


def test_sarif_is_well_formed(report_project):
    sarif = json.loads(render(report_project, "sarif"))
    assert sarif["version"] == "2.1.0"
    [run] = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert {"RF101", "RF311", "RF402"} <= {rule["id"] for rule in rules}
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["RF311", "RF402"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == f"schemas/{CART}"
        assert location["region"]["startLine"] >= 1
    assert [r["level"] for r in results] == ["error", "warning"]
    assert run["originalUriBaseIds"]["PROJECTROOT"]["uri"].startswith("file://")


def test_junit_is_well_formed(report_project):
    root = ET.fromstring(render(report_project, "junit"))
    assert root.tag == "testsuites"
    assert root.get("failures") == "1"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert set(suites) == {f"schemas/{CART}", f"schemas/{LEFT}"}
    cart = suites[f"schemas/{CART}"]
    assert cart.get("failures") == "1" and cart.get("tests") == "2"
    [failure] = cart.iter("failure")
    assert failure.get("type") == "RF311"
    assert suites[f"schemas/{LEFT}"].find("testcase").find("failure") is None
    assert int(root.get("tests")) == 3


def test_junit_survives_control_characters(proj):
    proj.add(CART, {"bad\u0001name": {"type": "string", "description": "x"}})
    result = CliRunner().invoke(cli, ["lint", "--project-dir", str(proj.root), "-f", "junit"])
    root = ET.fromstring(result.stdout)
    assert "\\u0001" in ET.tostring(root, encoding="unicode")


def test_text_format_to_a_file(report_project, tmp_path):
    target = tmp_path / "lint.txt"
    CliRunner().invoke(
        cli, ["lint", "--project-dir", str(report_project.root), "--output", str(target)]
    )
    text = target.read_text()
    assert text.startswith(f"schemas/{CART}\n")
    assert "warning  RF402" in text
    assert text.endswith("Linted 2 schemas: 1 error, 1 warning.\n")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_is_deterministic(report_project, fmt):
    assert render(report_project, fmt) == render(report_project, fmt)


def test_sarif_rule_descriptions_are_single_paragraphs(report_project):
    rules = json.loads(render(report_project, "sarif"))["runs"][0]["tool"]["driver"]["rules"]
    column_collision = next(rule for rule in rules if rule["id"] == "RF314")
    assert column_collision["fullDescription"]["text"].startswith(
        "Warehouse columns are snake_cased (nested objects flatten to `parent_child`), so "
        "`productId`"
    )
    assert not any("\n" in rule["fullDescription"]["text"] for rule in rules)
