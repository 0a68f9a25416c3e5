"""`reflekt diff --format sarif|junit|gitlab|markdown` through the CLI, on a git project with
hostile names, each validated against its format's schema (SARIF 2.1.0, junit-10.xsd, GitLab
Code Quality), the Markdown rendered by a GFM renderer."""

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
    git,
    gitlab_validator,
    hostile_git_project,
    invoke,
    junit_schema,
    parse_tables,
    render_gfm,
    sarif_validator,
    schema_errors,
)

from reflekt.core.output.diff import FORMATS

HOSTILE_KEY = f"segment/shop/{HOSTILE_FOLDER}"


@pytest.fixture
def project(make_project):
    return hostile_git_project(make_project())


def diff(project, fmt: str) -> str:
    result = invoke(project.root, "diff", "--against", "git:main", "--format", fmt)
    assert result.exit_code == 1, result.output  # a breaking change fails, in every format
    return result.stdout


def test_format_choices_are_the_formatter_table(project):
    result = invoke(project.root, "diff", "--against", "git:main", "--format", "nope")
    assert result.exit_code == 2
    assert ", ".join(f"'{name}'" for name in FORMATS) in " ".join(result.output.split())
    assert {"sarif", "junit", "markdown", "gitlab"} <= set(FORMATS)


def test_sarif_is_valid_sarif_2_1_0(project):
    log = json.loads(diff(project, "sarif"))
    assert schema_errors(sarif_validator(), log) == []
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    by_event: dict[str, list[dict]] = {}
    for result in results:
        by_event.setdefault(result["properties"]["event"], []).append(result)
    assert "segment/shop/Still_Same" not in by_event  # unchanged events give no result
    cart = by_event["segment/shop/Cart_Viewed"]
    assert len(cart) == MANY and {r["level"] for r in cart} == {"error"}
    assert {r["level"] for r in by_event["segment/shop/Product_Viewed"]} == {"warning"}
    assert {r["level"] for r in by_event["segment/shop/Order_Completed"]} == {"note"}
    assert {r["level"] for r in by_event["segment/shop/Gone_Event"]} == {"error"}
    [hostile] = by_event[HOSTILE_KEY]
    assert hostile["properties"]["property"] == HOSTILE_PROPERTY  # data, kept exactly
    location = hostile["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": f"schemas/{HOSTILE_KEY}/1-0.json", "uriBaseId": "PROJECTROOT"}
    assert run["originalUriBaseIds"]["PROJECTROOT"]["uri"] == project.root.resolve().as_uri() + "/"


def test_junit_is_valid_against_junit_10_xsd(project):
    text = diff(project, "junit")
    junit_schema().validate(text)
    root = ET.fromstring(text)
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "segment/shop"
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert len(cases) == 7 and root.get("tests") == "7"  # every compared event is a case
    failing = {name for name, case in cases.items() if case.find("failure") is not None}
    assert failing == {HOSTILE_KEY, "segment/shop/Cart_Viewed", "segment/shop/Gone_Event"}
    assert root.get("failures") == suite.get("failures") == "3"
    assert cases["segment/shop/Still_Same"].find("system-out") is None
    assert "MINOR PROPERTY_ADDED_OPTIONAL" in cases["segment/shop/Product_Viewed"].findtext(
        "system-out"
    )
    failure = cases[HOSTILE_KEY].find("failure")
    assert failure.get("type") == "breaking"
    assert HOSTILE_PROPERTY in failure.text  # the newline and the markup survive as data


def test_gitlab_code_quality_is_valid_and_stable(project):
    first = json.loads(diff(project, "gitlab"))
    assert schema_errors(gitlab_validator(), first) == []
    fingerprints = [issue["fingerprint"] for issue in first]
    assert len(set(fingerprints)) == len(fingerprints)
    assert json.loads(diff(project, "gitlab")) == first
    severities = {issue["check_name"]: issue["severity"] for issue in first}
    assert severities["reflekt diff PROPERTY_ADDED_REQUIRED"] == "major"
    assert severities["reflekt diff EVENT_ADDED"] == "info"
    hostile = [i for i in first if i["location"]["path"] == f"schemas/{HOSTILE_KEY}/1-0.json"]
    assert len(hostile) == 1 and HOSTILE_PROPERTY in hostile[0]["description"]
    for issue in first:
        if issue["check_name"] != "reflekt diff EVENT_REMOVED":
            assert (project.root / issue["location"]["path"]).is_file()


def test_markdown_renders_safe_tables(project):
    markdown = diff(project, "markdown")
    lines = markdown.splitlines()
    assert lines[0] == "## Reflekt diff"
    assert "Compared 7 events with git" in render_gfm(lines[2])  # the summary line on top
    assert "{{" not in markdown and "<script" not in markdown
    html = render_gfm(markdown)
    parsed = parse_tables(html)
    ours = {"h2", "h3", "p", "strong", "code", "table", "thead", "tbody", "tr", "th", "td"}
    assert set(parsed.tags) <= ours | {"details", "summary"}  # no tag from a name
    for table in parsed.tables:
        assert len({len(row) for row in table}) == 1, table  # no | ended a cell early
    overview = parsed.tables[0]
    assert overview[0] == ["Event", "Outcome", "Local", "Base", "Version needed"]
    rows = {row[0]: row for row in overview[1:]}
    assert "segment/shop/Still_Same" not in rows
    assert rows[HOSTILE_KEY][1:] == [
        "\u274c MAJOR change, version not bumped: should be 2-0",
        "1-0",
        "1-0",
        "2-0",
    ]
    assert rows["segment/shop/Brand_New"][1:] == ["\U0001f195 new event", "1-0", "-", "-"]
    changes = [row for table in parsed.tables if table[0][0] == "Change" for row in table[1:]]
    assert len(changes) == MANY + 5  # every change of every changed event, with its code
    assert [
        "PROPERTY_ADDED_REQUIRED",
        "MAJOR",
        HOSTILE_PROPERTY.replace("\n", " "),
        f"required property '{HOSTILE_PROPERTY}' added".replace("\n", " "),
    ] in changes
    assert f"Event {HOSTILE_NAME}: breaking".replace("\n", " ") in unescape(html)  # shown as is


def test_markdown_collapses_long_change_lists(project):
    markdown = diff(project, "markdown")
    sections = re.split(r"^### ", markdown, flags=re.MULTILINE)
    cart = next(s for s in sections if s.startswith("segment\\/shop\\/Cart\\_Viewed"))
    assert f"<details>\n<summary>{MANY} changes</summary>\n\n| Change |" in cart
    assert cart.rstrip().endswith("</details>")
    assert sum("<details>" in s for s in sections) == 1  # short lists stay open


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_is_deterministic(project, fmt):
    assert diff(project, fmt) == diff(project, fmt)


def test_a_clean_diff_in_markdown_is_the_summary_alone(make_project):
    builder = make_project()
    builder.add_schema("segment/shop/Cart_Viewed/1-0")
    git(builder.root, "init", "-q", "-b", "main")
    git(builder.root, "add", ".")
    git(builder.root, "commit", "-q", "-m", "base")
    result = invoke(builder.root, "diff", "--against", "git:main", "-f", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "## Reflekt diff\n\n\u2705 **Compared 1 event with git\\:main\\: 1 unchanged\\.**\n"
    )
