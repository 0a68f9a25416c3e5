"""Schema files: versions, parse problems with line/column, deterministic atomic saving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflekt.core.errors import SchemaFileError
from reflekt.core.schemas import (
    Version,
    dump_schema,
    list_schema_files,
    load_schema,
    parse_schema_text,
    read_schema,
    save_schema,
)


def test_versions_order_numerically() -> None:
    versions = [Version.parse(v) for v in ("1-10", "1-9", "2-0", "1-0")]
    assert [str(v) for v in sorted(versions)] == ["1-0", "1-9", "1-10", "2-0"]


@pytest.mark.parametrize("bad", ["1", "0-1", "1-01", "a-b", "1-0-0", ""])
def test_bad_versions_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        Version.parse(bad)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("", "file is empty", 1),
        ('{\n  "a": 1,\n  "b": [1, 2\n', "truncated", 4),
        ("[1, 2]", "expected a JSON object, found an array", 1),
        ('{\n  "a": 1\n  "b": 2\n}', "Expecting ',' delimiter", 3),
    ],
)
def test_parse_problems_have_line_numbers(text: str, message: str, line: int) -> None:
    body, problems = parse_schema_text(text)
    assert body is None
    assert message in problems[-1].message
    assert problems[-1].line == line


def test_comments_and_trailing_commas_are_problems_but_still_parse() -> None:
    text = (
        '{\n  "a": 1, // a comment\n  "b": {"c": 2,},\n  /* block */ "d": "x // not a comment"\n}'
    )
    body, problems = parse_schema_text(text)
    assert body == {"a": 1, "b": {"c": 2}, "d": "x // not a comment"}
    assert [(p.message.split()[0], p.line) for p in problems] == [
        ("comments", 2),
        ("trailing", 3),
        ("comments", 4),
    ]


def test_dump_is_deterministic_and_ordered() -> None:
    body = {
        "type": "object",
        "properties": {"b": {"description": "B", "type": "string"}, "a": {"type": "integer"}},
        "$id": "x/y/Z/1-0.json",
        "zzz": 1,
        "$schema": "http://json-schema.org/draft-07/schema#",
    }
    text = dump_schema(body)
    assert text.endswith("}\n")
    assert list(json.loads(text)) == ["$schema", "$id", "type", "properties", "zzz"]
    # property order is meaningful to people: kept; keywords inside a property: ordered.
    assert list(json.loads(text)["properties"]) == ["b", "a"]
    assert list(json.loads(text)["properties"]["b"]) == ["type", "description"]
    assert dump_schema(json.loads(text)) == text


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.integers() | st.text(max_size=5)))
def test_dump_round_trips(properties: dict) -> None:
    body = {"type": "object", "properties": {k: {"x": v} for k, v in properties.items()}}
    text = dump_schema(body)
    assert json.loads(text) == body
    assert dump_schema(json.loads(text)) == text


def test_save_is_atomic_and_reports_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "schemas" / "a" / "1-0.json"
    assert save_schema(path, {"type": "object"}) is True
    before = path.stat().st_mtime_ns
    assert save_schema(path, {"type": "object"}) is False
    assert path.stat().st_mtime_ns == before
    assert [p.name for p in path.parent.iterdir()] == ["1-0.json"]  # no temp files left


def test_load_schema_raises_with_location(tmp_path: Path) -> None:
    path = tmp_path / "schemas" / "s" / "p" / "E" / "1-0.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"a": }')
    with pytest.raises(SchemaFileError) as info:
        load_schema(path, tmp_path / "schemas")
    assert info.value.line == 1 and info.value.column == 7
    assert str(info.value).startswith(f"{path}:1:7: invalid JSON")


def test_read_schema_never_raises_on_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "schemas" / "x" / "1-0.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xfe\x00bad")
    doc = read_schema(path, tmp_path / "schemas")
    assert doc.body is None
    assert "not UTF-8" in doc.problems[0].message
    assert str(doc.schema_id) == "x/1-0.json"


def test_list_schema_files_skips_meta_and_sorts_versions(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    for rel in (
        "s/p/E/1-10.json",
        "s/p/E/1-2.json",
        ".reflekt/event-meta/1-0.json",
        "s/p/A/1-0.json",
    ):
        (schemas / rel).parent.mkdir(parents=True, exist_ok=True)
        (schemas / rel).write_text("{}")
    rels = [p.relative_to(schemas).as_posix() for p in list_schema_files(schemas)]
    assert rels == ["s/p/A/1-0.json", "s/p/E/1-2.json", "s/p/E/1-10.json"]
