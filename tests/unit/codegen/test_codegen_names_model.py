"""The identifier rule (names.py), the schema-to-type model (model.py) and the section
markers `--check` reads (emit.py): pure functions, tested directly."""

from __future__ import annotations

import keyword
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reflekt.core.build.events import EventSchema
from reflekt.core.codegen.emit import PREAMBLE, changed_sections, section_marker, sections
from reflekt.core.codegen.model import (
    AnyType,
    ArrayType,
    Literals,
    ObjectType,
    Scalar,
    UnionType,
    code_events,
    type_of,
)
from reflekt.core.codegen.names import Namer, styled

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def test_styles_keep_acronyms_and_fold_accents():
    assert styled("Order ID", "pascal", "Event") == "OrderID"
    assert styled("Order ID", "camel", "event") == "orderID"
    assert styled("Order ID", "snake", "event") == "order_id"
    assert styled("Café Viewed", "pascal", "Event") == "CafeViewed"
    assert styled("cartViewed", "snake", "event") == "cart_viewed"
    assert styled("1st Visit", "camel", "event") == "_1stVisit"
    assert styled("***", "pascal", "Event") == "Event"
    assert styled("🛒", "snake", "event") == "event"


def test_collisions_are_settled_by_wire_name_order_not_input_order():
    names = ["CartViewed", "Cart Viewed", "cart-viewed"]
    first = Namer().assign(names, "pascal", fallback="Event")
    again = Namer().assign(list(reversed(names)), "pascal", fallback="Event")
    assert first == again
    assert first == {
        "Cart Viewed": "CartViewed",
        "CartViewed": "CartViewed_2",
        "cart-viewed": "CartViewed_3",
    }


def test_reserved_words_get_a_trailing_underscore():
    namer = Namer(reserved={"delete", "class"})
    assert namer.assign(["delete", "Class", "ok"], "snake", fallback="event") == {
        "Class": "class_",
        "delete": "delete_",
        "ok": "ok",
    }


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=30))
def test_any_names_give_unique_valid_non_reserved_identifiers(names):
    reserved = set(keyword.kwlist)
    for style in ("pascal", "camel", "snake"):
        assigned = Namer(reserved).assign(names, style, fallback="event", suffix="")
        values = list(assigned.values())
        assert len(set(values)) == len(values) == len(set(names))
        for value in values:
            assert IDENTIFIER.fullmatch(value), value
            assert value not in reserved


def test_type_of_reads_what_real_plans_hold():
    assert type_of({"type": ["string", "null"]}) == UnionType((Scalar("string"), Scalar("null")))
    assert type_of({"type": ["string"]}) == Scalar("string")  # Segment's one-element lists
    assert type_of({}) == AnyType()  # `"site id": {}` in real plans
    assert type_of({"type": "any"}) == AnyType()  # not draft-07, yet in real rules
    assert type_of({"enum": ["USD", "EUR", None]}) == Literals(("USD", "EUR", None))
    assert type_of({"const": 1}) == Literals((1,))
    assert type_of({"enum": [1, True]}) == Literals((1, True))  # True is not 1 here
    assert type_of({"enum": [{"a": 1}]}) == AnyType()
    assert type_of({"anyOf": [{"type": "string"}, {"type": "integer"}]}) == UnionType(
        (Scalar("string"), Scalar("integer"))
    )
    assert type_of({"allOf": [{"type": "string"}]}) == AnyType()
    assert type_of({"$ref": "#/definitions/x"}) == AnyType()
    array = type_of({"type": "array", "items": {"type": "object", "properties": {}}})
    assert array == ArrayType(ObjectType((), extra=True))
    closed = type_of(
        {
            "type": "object",
            "properties": {"a": {"type": "integer"}},
            "required": ["a"],
            "additionalProperties": False,
        }
    )
    assert isinstance(closed, ObjectType) and not closed.extra
    assert closed.fields[0].required and closed.fields[0].type == Scalar("integer")


def test_nesting_deeper_than_the_bound_becomes_any():
    spec: dict = {"type": "string"}
    for _ in range(100):
        spec = {"type": "object", "properties": {"x": spec}}
    node = type_of(spec)
    depth = 0
    while isinstance(node, ObjectType) and node.fields:
        node = node.fields[0].type
        depth += 1
    assert node == AnyType() and depth < 100


def _schema(schema_id: str, name: str, **body) -> EventSchema:
    return EventSchema.from_body(schema_id, {"self": {"name": name}, **body})


def test_code_events_take_the_newest_version_or_each_major():
    schemas = [
        _schema("segment/shop/Order_Completed/1-0.json", "Order Completed"),
        _schema("segment/shop/Order_Completed/1-1.json", "Order Completed"),
        _schema("segment/shop/Order_Completed/2-0.json", "Order Completed"),
        _schema("segment/shop/Page_Home/1-0.json", "Home", metadata={"segment_rule_type": "PAGE"}),
        _schema("segment/web/Order_Completed/1-0.json", "Order Completed"),
    ]
    newest = code_events(schemas)
    assert [(e.key, str(e.version)) for e in newest] == [
        ("Home", "1-0"),
        ("Order Completed (segment/shop/Order_Completed)", "2-0"),
        ("Order Completed (segment/web/Order_Completed)", "1-0"),
    ]
    home = newest[0]
    assert (home.call, home.keyed) == ("page", True)
    every = code_events(schemas[:3], "all")
    assert [(e.key, str(e.version)) for e in every] == [
        ("Order Completed v1", "1-1"),
        ("Order Completed v2", "2-0"),
    ]


def test_sections_name_changed_added_and_removed_events():
    def module(parts: dict[str, str]) -> str:
        body = "".join(f"{section_marker('//', key)}\n{text}\n" for key, text in parts.items())
        return "// header\n" + body

    old = module({"Cart Viewed": "a", 'He said "hi"\n': "b", "Gone": "c"})
    new = module({"Cart Viewed": "a2", 'He said "hi"\n': "b", "New": "d"})
    assert sections(old)[PREAMBLE] == "// header\n"
    assert set(sections(old)) == {PREAMBLE, "Cart Viewed", 'He said "hi"\n', "Gone"}
    assert changed_sections(old, new) == (["New"], ["Gone"], ["Cart Viewed"])
