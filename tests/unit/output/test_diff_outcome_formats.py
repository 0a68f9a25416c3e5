"""Issue 13 #20 in every `reflekt diff --format`: a correctly bumped MAJOR change reads
"MAJOR change, version bumped: OK" (not "compatible (MAJOR)"), a missing bump "MAJOR change,
version not bumped: should be 2-0", and the summary counts what needs a bump, not
"1 compatible". Each format stays valid against its schema."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from output_support import (
    PROPS,
    git,
    gitlab_validator,
    invoke,
    junit_schema,
    parse_tables,
    render_gfm,
    sarif_validator,
    schema_errors,
)

from reflekt.core.output.diff import FORMATS

BUMPED = "segment/shop/Cart_Viewed"
UNBUMPED = "segment/shop/Order_Completed"
OK = "MAJOR change, version bumped: OK"
NOT_BUMPED = "MAJOR change, version not bumped: should be 2-0"
SUMMARY = (
    "Compared 2 events with git:main: 1 needs a MAJOR version bump, 1 bumped correctly (MAJOR)."
)


@pytest.fixture
def project(make_project):
    """Two events made breaking (a property now required): one bumped to 2-0, one not."""
    builder = make_project()
    builder.add_schema(f"{BUMPED}/1-0", PROPS)
    builder.add_schema(f"{UNBUMPED}/1-0", PROPS)
    git(builder.root, "init", "-q", "-b", "main")
    git(builder.root, "add", ".")
    git(builder.root, "commit", "-q", "-m", "base")
    builder.add_schema(f"{BUMPED}/2-0", PROPS, required=["cart_id"])
    builder.add_schema(f"{UNBUMPED}/1-0", PROPS, required=["cart_id"])
    return builder


def diff(project, fmt: str) -> str:
    result = invoke(project.root, "diff", "--against", "git:main", "--format", fmt)
    assert result.exit_code == 1, result.output  # the missing bump fails the run
    return result.stdout


@pytest.mark.parametrize("fmt", ["text", "github", "junit", "markdown", "gitlab"])
def test_no_format_calls_a_bumped_major_change_compatible(project, fmt):
    assert "compatible" not in diff(project, fmt)  # the outcome of each is checked below


def test_text_outcomes_and_a_summary_that_counts_what_needs_a_bump(project):
    lines = diff(project, "text").rstrip().splitlines()
    assert f"{BUMPED}  {OK}  (local 2-0, base 1-0)" in lines
    assert f"{UNBUMPED}  {NOT_BUMPED}  (local 1-0, base 1-0)" in lines
    assert lines[-1] == SUMMARY


def test_json_adds_the_summary_line_and_keeps_its_keys(project):
    data = json.loads(diff(project, "json"))
    assert data["summary_line"] == SUMMARY
    assert set(data["summary"]) == {
        "unchanged",
        "compatible",
        "unbumped",
        "breaking",
        "new",
        "removed",
    }
    assert (data["summary"]["compatible"], data["summary"]["breaking"]) == (1, 1)
    events = {event["event"]: event for event in data["events"]}
    assert (events[BUMPED]["verdict"], events[BUMPED]["outcome"]) == ("compatible", OK)
    assert (events[UNBUMPED]["verdict"], events[UNBUMPED]["outcome"]) == ("breaking", NOT_BUMPED)


def test_github_titles_are_the_outcome(project):
    lines = diff(project, "github").splitlines()
    by_file = {line.split(",", 1)[0]: line for line in lines if line.startswith("::")}
    bumped = by_file[f"::notice file=schemas/{BUMPED}/2-0.json"]
    assert ",title=reflekt diff%3A MAJOR change%2C version bumped%3A OK::" in bumped
    unbumped = by_file[f"::error file=schemas/{UNBUMPED}/1-0.json"]
    assert (
        ",title=reflekt diff%3A MAJOR change%2C version not bumped%3A should be 2-0::" in unbumped
    )
    assert lines[-1] == SUMMARY


def test_junit_passes_the_bump_and_fails_the_missing_one_with_the_version(project):
    text = diff(project, "junit")
    junit_schema().validate(text)
    cases = {case.get("name"): case for case in ET.fromstring(text).iter("testcase")}
    assert cases[BUMPED].find("failure") is None
    assert (
        cases[BUMPED]
        .findtext("system-out")
        .startswith(f"schemas/{BUMPED}/2-0.json: {OK} (major change, bumped to 2-0)")
    )
    failure = cases[UNBUMPED].find("failure")
    assert failure.get("message") == NOT_BUMPED
    assert failure.get("type") == "breaking"  # the machine-readable verdict, as before


def test_markdown_outcome_column(project):
    markdown = diff(project, "markdown")
    html = render_gfm(markdown)
    assert SUMMARY in html.replace("&quot;", '"')
    overview = parse_tables(html).tables[0]
    assert overview[0] == ["Event", "Outcome", "Local", "Base", "Version needed"]
    rows = {row[0]: row[1:] for row in overview[1:]}
    assert rows[BUMPED] == [f"\u2705 {OK}", "2-0", "1-0", "2-0"]
    assert rows[UNBUMPED] == [f"\u274c {NOT_BUMPED}", "1-0", "1-0", "2-0"]
    assert f"<strong>\u274c {NOT_BUMPED}</strong>" in html  # the failing one stands out
    assert f"<strong>\u2705 {OK}</strong>" not in html


def test_sarif_messages_carry_the_outcome(project):
    log = json.loads(diff(project, "sarif"))
    assert schema_errors(sarif_validator(), log) == []
    results = {r["properties"]["event"]: r for r in log["runs"][0]["results"]}
    bumped, unbumped = results[BUMPED], results[UNBUMPED]
    assert bumped["message"]["text"] == (f"{BUMPED}: property 'cart_id' is now required ({OK})")
    assert (bumped["level"], bumped["properties"]["outcome"]) == ("note", OK)
    assert bumped["properties"]["verdict"] == "compatible"  # kept for scripts
    assert unbumped["message"]["text"].endswith(f"({NOT_BUMPED})")
    assert (unbumped["level"], unbumped["properties"]["outcome"]) == ("error", NOT_BUMPED)


def test_gitlab_descriptions_carry_the_outcome(project):
    issues = json.loads(diff(project, "gitlab"))
    assert schema_errors(gitlab_validator(), issues) == []
    by_path = {issue["location"]["path"]: issue for issue in issues}
    bumped = by_path[f"schemas/{BUMPED}/2-0.json"]
    assert bumped["description"] == f"{BUMPED}: property 'cart_id' is now required ({OK})"
    assert bumped["severity"] == "info"
    unbumped = by_path[f"schemas/{UNBUMPED}/1-0.json"]
    assert unbumped["description"].endswith(f"({NOT_BUMPED})")
    assert unbumped["severity"] == "major"


def test_formats_under_test_are_every_format():
    assert set(FORMATS) == {"text", "json", "github", "junit", "markdown", "sarif", "gitlab"}
