"""The side-by-side rendering of two schema bodies, line by line (pure functions)."""

from __future__ import annotations

from reflekt.core.diff import diff_schemas
from reflekt.tui.widgets.side_by_side import json_lines, side_by_side

BASE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "self": {"name": "Order Completed", "version": "1-0"},
    "type": "object",
    "description": "An order.",
    "properties": {
        "order_id": {"type": "string", "description": "The order."},
        "total": {"type": "number", "description": "Total."},
        "address": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
        },
    },
    "required": ["order_id", "total"],
}
LOCAL = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "self": {"name": "Order Completed", "version": "2-0"},
    "type": "object",
    "description": "An order, completed.",
    "properties": {
        "order_id": {"type": "string", "description": "The order."},
        "address": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
        },
    },
    "required": ["order_id"],
}


def columns(base, local):
    changes = diff_schemas(base, local)
    table = side_by_side(base, local, changes, "base", "local")
    left, right = (list(column.cells) for column in table.columns)
    return (
        [(cell.plain, str(cell.style)) for cell in left],
        [(cell.plain, str(cell.style)) for cell in right],
    )


def test_lines_carry_the_property_path_of_the_diff():
    paths = {text.strip(): path for text, path, _ in json_lines(BASE)}
    assert paths['"city": {'] == "address.city"
    assert paths['"total": {'] == "total"
    assert paths['"total"'] == "total"  # the name in `required`


def test_both_schemas_side_by_side_coloured_by_change_class():
    left, right = columns(BASE, LOCAL)
    assert len(left) == len(right)  # aligned rows
    # The file-naming keys are hidden: `self` differs by version but is no change.
    assert not any('"self"' in text or "$schema" in text for text, _ in left + right)
    assert [s for t, s in left if '"total": {' in t] == ["bold red"]  # required removed
    assert [s for t, s in right if '"zip": {' in t] == ["yellow"]  # optional added
    assert [s for t, s in right if '"description": "An order, completed."' in t] == ["cyan"]
    unchanged = [s for t, s in left if '"order_id": {' in t]
    assert unchanged == ["dim"]


def test_a_new_event_has_an_empty_base_column():
    left, right = columns(None, LOCAL)
    assert all(text == "" for text, _ in left)
    assert any('"order_id": {' in text for text, _ in right)


def test_a_renamed_property_never_borrows_its_unchanged_neighbours_lines():
    """Issue 13 #19: `z` renamed to `a` next to an unchanged `m`: m's lines stay dim, paired."""

    def body(renamed: str) -> dict:
        return {
            "type": "object",
            "properties": {
                renamed: {"type": "string", "description": "X"},
                "m": {"type": "string", "description": "Y"},
            },
            "required": [renamed, "m"],
        }

    left, right = columns(body("z"), body("a"))
    rows = list(zip(left, right, strict=True))
    m_start = next(i for i, ((lt, _), _) in enumerate(rows) if '"m": {' in lt)
    for (ltext, lstyle), (rtext, rstyle) in rows[m_start : m_start + 4]:
        assert (lstyle, rstyle) == ("dim", "dim"), rows
        assert ltext.strip().rstrip(",") == rtext.strip().rstrip(",")
    # The rename is MAJOR (required) on both sides, the new name included.
    assert [s for t, s in left if '"z": {' in t] == ["bold red"]
    assert [s for t, s in right if '"a": {' in t] == ["bold red"]
    assert "magenta" not in {s for _, s in left + right}
