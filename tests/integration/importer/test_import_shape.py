"""The pure rules of an import: types from column types, nesting, required, enum, names."""

from __future__ import annotations

import pytest

from reflekt.core.imports.sampling import TableStats
from reflekt.core.imports.shape import draft_properties, json_type
from reflekt.core.imports.tables import event_name, event_table, title_case
from reflekt.core.warehouse import WarehouseColumn as Col


@pytest.mark.parametrize(
    ("data_type", "expected"),
    [
        ("VARCHAR(256)", {"type": "string"}),
        ("double precision", {"type": "number"}),
        ("NUMBER(38,0)", {"type": "number"}),
        ("BIGINT", {"type": "integer"}),
        ("boolean", {"type": "boolean"}),
        ("timestamp with time zone", {"type": "string", "format": "date-time"}),
        ("DATE", {"type": "string", "format": "date"}),
        ("VARCHAR[]", {"type": "array"}),
        ("jsonb", {"type": "object"}),
        ("interval", {"type": "string"}),
    ],
)
def test_json_type(data_type, expected):
    assert json_type(data_type) == expected


def names(properties: dict) -> dict:
    return {
        key: names(spec["properties"]) if "properties" in spec else spec["type"]
        for key, spec in properties.items()
    }


def test_nesting_only_when_unambiguous():
    columns = tuple(
        Col(n, "text")
        for n in ("address_city", "address_zip", "shipping", "shipping_method", "order_id",
                  "geo_lat_deg", "geo_lng_deg", "x__y", "x__z")
    )  # fmt: skip
    properties, required = draft_properties(columns, None, frozenset(c.name for c in columns))
    assert names(properties) == {
        "address": {"city": "string", "zip": "string"},
        "geo": {"lat_deg": "string", "lng_deg": "string"},  # one level: rest kept whole
        "order_id": "string",  # alone with its prefix
        "shipping": "string",
        "shipping_method": "string",  # a `shipping` column exists
        "x__y": "string",  # an empty part: not Segment's joining
        "x__z": "string",
    }
    assert required == []  # no statistics, no guesses


def test_required_and_enum_from_statistics():
    columns = (Col("a_b", "text"), Col("a_c", "text"), Col("kind", "text"), Col("n", "bigint"))
    stats = TableStats(
        rows=10,
        non_null={"a_b": 10, "a_c": 3, "kind": 10, "n": 0},
        distinct={"a_b": 1, "a_c": 1, "kind": 2},
        enums={"kind": ("x", 'y"z')},
    )
    properties, required = draft_properties(columns, stats, frozenset({"a_b", "a_c", "kind", "n"}))
    assert required == ["a", "kind"]
    assert properties["a"]["required"] == ["b"]
    assert properties["kind"]["enum"] == ["x", 'y"z']
    assert "enum" not in properties["n"]


def test_event_tables_and_names():
    common = (Col("id", "text"), Col("received_at", "timestamp"))
    assert isinstance(event_table("users", common), str)
    assert isinstance(event_table("tracks", common), str)
    assert "no `id`" in event_table("lookup", (Col("key", "text"),))
    identify = event_table("identifies", (*common, Col("email", "text"), Col("context_ip", "text")))
    assert identify.default_name == "Identify" and identify.call == "identify"
    assert [c.name for c in identify.properties] == ["email"]
    page = event_table("pages", (*common, Col("url", "text"), Col("section", "text")))
    assert [c.name for c in page.properties] == ["section"]
    track = event_table("cart_viewed", (*common, Col("event_text", "text"), Col("Ü", "text")))
    assert track.unnamed == ("Ü",) and track.properties == ()
    assert event_name(track, "Cart Viewed") == "Cart Viewed"
    assert event_name(track, "CartViewed") == "CartViewed"  # snake_case gives the table back
    assert event_name(track, "Something Else") == "Cart Viewed"  # not this table's name
    assert event_name(track, None) == title_case("cart_viewed") == "Cart Viewed"
