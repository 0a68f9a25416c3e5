"""`reflekt lint --format sarif|junit|gitlab|markdown` through the CLI on schemas with hostile
names, validated against SARIF 2.1.0, junit-10.xsd and GitLab's Code Quality fields."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from output_support import (
    HOSTILE_FOLDER,
    HOSTILE_NAME,
    HOSTILE_PROPERTY,
    MANY,
    PROPS,
    gitlab_validator,
    invoke,
    junit_schema,
    parse_tables,
    render_gfm,
    sarif_validator,
    schema_errors,
)

from reflekt.core.output.findings import FORMATS

HOSTILE_FILE = f"schemas/segment/shop/{HOSTILE_FOLDER}/1-0.json"
NUMBERED = "schemas/segment/shop/Numbered/1-0.json"


@pytest.fixture
def project(make_project):
    builder = make_project()
    bad = {HOSTILE_PROPERTY: {"type": "string", "description": "x"}}
    builder.add_schema(f"segment/shop/{HOSTILE_FOLDER}/1-0", {**PROPS, **bad}, name=HOSTILE_NAME)
    numbered = {f"p{i}": {"type": "string", "description": "x"} for i in range(MANY)}
    builder.add_schema("segment/shop/Numbered/1-0", numbered)  # MANY RF312 errors
    builder.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)  # clean
    return builder


def lint(project, fmt: str) -> str:
    result = invoke(project.root, "lint", "--format", fmt)
    assert result.exit_code == 1, result.output
    return result.stdout


def test_format_choices_are_the_formatter_table(project):
    result = invoke(project.root, "lint", "--format", "nope")
    assert result.exit_code == 2
    assert ", ".join(f"'{name}'" for name in FORMATS) in " ".join(result.output.split())
    assert {"sarif", "junit", "markdown", "gitlab"} <= set(FORMATS)


def test_sarif_is_valid_sarif_2_1_0(project):
    log = json.loads(lint(project, "sarif"))
    assert schema_errors(sarif_validator(), log) == []
    results = log["runs"][0]["results"]
    files = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert files == {HOSTILE_FILE, NUMBERED}
    casing = next(r for r in results if r["ruleId"] == "RF311")
    assert casing["properties"]["property"] == HOSTILE_PROPERTY


def test_junit_is_valid_against_junit_10_xsd(project):
    text = lint(project, "junit")
    junit_schema().validate(text)
    root = ET.fromstring(text)
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert suites[HOSTILE_FILE].get("file") == HOSTILE_FILE  # the file on the suite
    clean = suites["schemas/segment/shop/Cart_Viewed/1-0.json"]
    assert clean.get("tests") == "1" and clean.get("failures") == "0"
    assert suites[NUMBERED].get("failures") == str(MANY)
    [casing] = [c for c in suites[HOSTILE_FILE].iter("testcase") if "RF311" in c.get("name")]
    assert HOSTILE_PROPERTY in casing.get("name")  # newline and markup kept as data
    assert re.match(
        rf"{re.escape(HOSTILE_FILE)}:\d+:\d+: error RF311 ", casing.find("failure").text
    )


def test_junit_with_control_characters_is_still_valid(make_project):
    builder = make_project()
    builder.add_schema("segment/shop/Cart_Viewed/1-0", {"bad\x01\x1bname": {"type": "string"}})
    result = invoke(builder.root, "lint", "--format", "junit")
    junit_schema().validate(result.stdout)
    assert "bad\\u0001\\u001bname" in result.stdout


def test_gitlab_code_quality_is_valid(project):
    issues = json.loads(lint(project, "gitlab"))
    assert schema_errors(gitlab_validator(), issues) == []
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    assert {issue["severity"] for issue in issues} == {"major"}  # errors
    casing = next(i for i in issues if i["check_name"] == "RF311 property-casing")
    assert casing["location"]["path"] == HOSTILE_FILE and casing["location"]["lines"]["begin"] > 1


def test_gitlab_fingerprint_survives_a_moved_line(make_project):
    """GitLab tells new issues from old ones by fingerprint: moving a finding keeps it."""
    builder = make_project()
    builder.add_schema("segment/shop/Cart_Viewed/1-0", {"cartId": {"type": "string"}})
    before = json.loads(invoke(builder.root, "lint", "-f", "gitlab").stdout)
    props = {"aaa": {"type": "string", "description": "x"}, "cartId": {"type": "string"}}
    builder.add_schema("segment/shop/Cart_Viewed/1-0", props)
    after = json.loads(invoke(builder.root, "lint", "-f", "gitlab").stdout)
    old = {i["check_name"]: i for i in before}["RF311 property-casing"]
    new = {i["check_name"]: i for i in after}["RF311 property-casing"]
    assert new["location"]["lines"]["begin"] > old["location"]["lines"]["begin"]
    assert new["fingerprint"] == old["fingerprint"]


def test_markdown_groups_findings_by_file_in_safe_tables(project):
    markdown = lint(project, "markdown")
    assert markdown.startswith("## Reflekt lint\n\n\u274c **Linted 3 schemas\\:")
    assert "{{" not in markdown and "<script" not in markdown
    html = render_gfm(markdown)
    parsed = parse_tables(html)
    ours = {"h2", "h3", "p", "strong", "code", "table", "thead", "tbody", "tr", "th", "td"}
    assert set(parsed.tags) <= ours | {"details", "summary"}
    headings = [unescape(h) for h in re.findall(r"<h3>(.*?)</h3>", html)]
    assert headings == [HOSTILE_FILE, NUMBERED]  # sorted, the clean file not listed
    for table in parsed.tables:
        assert table[0] == ["Line", "Severity", "Rule", "Message"]
        assert len({len(row) for row in table}) == 1, table
    hostile, numbered = parsed.tables
    assert len(numbered) == MANY + 1
    casing = next(row for row in hostile if row[2] == "RF311 property-casing")
    assert re.fullmatch(r"\d+:\d+", casing[0]) and casing[1] == "\u274c error"
    assert HOSTILE_PROPERTY.replace("\n", " ") in casing[3]
    assert f"<summary>{MANY} findings</summary>" in markdown
    assert markdown.count("<details>") == 1


def test_markdown_without_findings(make_project):
    builder = make_project()
    builder.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)
    result = invoke(builder.root, "lint", "-f", "markdown")
    assert result.exit_code == 0
    assert (
        result.stdout == "## Reflekt lint\n\n\u2705 **Linted 1 schema\\: no problems found\\.**\n"
    )


@pytest.mark.parametrize("fmt", ["markdown", "gitlab"])
def test_new_formats_are_deterministic(project, fmt):
    assert lint(project, fmt) == lint(project, fmt)
