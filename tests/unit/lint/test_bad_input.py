"""Broken schema files are findings with file and line; lint goes on; never a traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reflekt.cli import cli

GOOD_ID = "segment/shop/Cart_Viewed/1-0.json"
BAD_ID = "segment/shop/Broken_Event/1-0.json"
PROPS = {"cart_id": {"type": "string", "description": "The cart."}}

COMMENTED = """{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "segment/shop/Broken_Event/1-0.json",
  "description": "An event.",  // the seed's examples have comments
  "self": {"vendor": "com.example", "name": "Broken Event", "format": "jsonschema",
           "version": "1-0"},
  "metadata": {},
  "type": "object",
  "properties": {
    /* a block
       comment */
    "cartId": {"type": "string", "description": "The cart."},
  },
  "required": [],
  "additionalProperties": false
}
"""

BAD_FILES = {
    "empty": ("", "RF101", 1),
    "blank": ("  \n\n", "RF101", 1),
    "truncated": ('{\n  "$id": "segment/shop/Broken_Event/1-0.json",\n  "self": {', "RF101", 3),
    "array": ("[1, 2, 3]\n", "RF101", 1),
    "string": ('"just a string"\n', "RF101", 1),
    "number": ("42\n", "RF101", 1),
    "comments": (COMMENTED, "RF101", 4),
    "properties-list": (
        json.dumps(
            {
                "$id": BAD_ID,
                "description": "x",
                "self": {
                    "vendor": "v",
                    "name": "Broken Event",
                    "format": "jsonschema",
                    "version": "1-0",
                },
                "properties": [{"cart_id": {"type": "string"}}],
                "required": ["cart_id"],
            },
            indent=2,
        ),
        "RF102",
        10,
    ),
    "non-string-name": (
        json.dumps(
            {
                "$id": BAD_ID,
                "description": "x",
                "self": {"vendor": "v", "name": 123, "format": "jsonschema", "version": "1-0"},
                "properties": {},
            },
            indent=2,
        ),
        "RF202",
        6,
    ),
    "properties-not-objects": (
        json.dumps(
            {
                "$id": BAD_ID,
                "description": "x",
                "self": "Broken Event",
                "properties": {"cart_id": 7, "items": {"type": "array", "items": [3, "x"]}},
                "required": "cart_id",
            },
            indent=2,
        ),
        "RF102",
        None,
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_file_is_a_finding_and_lint_goes_on(proj, kind):
    text, code, line = BAD_FILES[kind]
    proj.add(GOOD_ID, {"cartId": {"type": "string", "description": "The cart."}})
    proj.write(BAD_ID, text)

    report = proj.lint()

    assert report.schemas == 2
    bad = [f for f in report.findings if f.schema_id == BAD_ID]
    assert any(f.rule == code for f in bad), [(f.rule, f.message) for f in bad]
    assert all(f.file == f"schemas/{BAD_ID}" for f in bad)
    assert all(f.line is not None and f.line >= 1 for f in bad)
    if line is not None:
        assert next(f.line for f in bad if f.rule == code) == line
    assert not any("could not check" in f.message for f in report.findings)
    # the other file was linted too
    assert [f.rule for f in report.findings if f.schema_id == GOOD_ID] == ["RF311"]


def test_truncated_file_says_so(proj):
    proj.write(BAD_ID, '{"$id": "x",')
    [finding] = proj.findings("RF101")
    assert "truncated" in finding.message


def test_file_cut_inside_a_string_says_truncated_in_a_whole_sentence(proj):
    proj.write(BAD_ID, '{\n  "$id": "segment/shop/Bro')
    [finding] = proj.findings("RF101")
    assert finding.message == (
        "invalid JSON: Unterminated string (the file ends early: is it truncated?)"
    )
    assert (finding.line, finding.column) == (2, 10)


def test_properties_as_a_list_is_one_readable_finding(proj):
    proj.write(BAD_ID, BAD_FILES["properties-list"][0])
    findings = [(f.rule, f.message) for f in proj.lint().findings]
    assert findings == [
        (
            "RF102",
            "not a valid draft-07 JSON Schema: properties: expected type object, found an array",
        )
    ], "no repeat by the meta-schema (RF103) nor by required-exists (RF503)"


def test_meta_schema_messages_quote_values_as_short_json(proj):
    meta_path = proj.schemas_dir / ".reflekt/event-meta/1-0.json"
    meta = json.loads(meta_path.read_text())
    meta["properties"]["description"] = {"enum": ["short"]}
    meta_path.write_text(json.dumps(meta))
    proj.add(GOOD_ID, PROPS, description="A very long description " * 5)
    [finding] = proj.findings("RF103")
    assert finding.message.startswith(
        'does not fit the project meta-schema: description: "A very long description A very'
    )
    assert finding.message.endswith('... is not one of ["short"]')
    assert "'" not in finding.message, "JSON, not Python's repr"


def test_comments_and_trailing_commas_are_reported_and_the_body_still_linted(proj):
    proj.write(BAD_ID, COMMENTED)
    report = proj.lint()
    syntax = [(f.line, f.message) for f in report.findings if f.rule == "RF101"]
    assert (4, "comments are not allowed in JSON") in syntax
    assert (10, "comments are not allowed in JSON") in syntax
    assert any("trailing comma" in message for _, message in syntax)
    [casing] = [f for f in report.findings if f.rule == "RF311"]
    assert casing.line == 12, "the locator skips comments to find the key"
    assert casing.suggestion == "cart_id"


def test_not_utf8_is_a_finding(proj):
    path = proj.schemas_dir / BAD_ID
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"description": "caf\xe9"}')
    [finding] = proj.findings("RF101")
    assert "UTF-8" in finding.message


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_cli_never_shows_a_traceback(proj, kind):
    proj.add(GOOD_ID, PROPS)
    proj.write(BAD_ID, BAD_FILES[kind][0])

    result = CliRunner().invoke(cli, ["lint", "--project-dir", str(proj.root)])

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"schemas/{BAD_ID}" in result.output
    assert "Linted 2 schemas" in result.output
