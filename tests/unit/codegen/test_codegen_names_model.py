"""The identifier rule (names.py), the schema-to-type model (model.py) and the section
markers `--check` reads (emit.py): pure functions, tested directly."""

from __future__ import annotations

import keyword
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from typescript_support import body, clash_events, versioned_clash_events

from reflekt.core.build.events import EventSchema
from reflekt.core.codegen import python, typescript
from reflekt.core.codegen.emit import (
    PREAMBLE,
    CodeOptions,
    changed_sections,
    section_marker,
    sections,
)
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
from reflekt.core.codegen.names import Namer, name_events, styled

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


# -- one naming order for every emitter (names.py rule 5) -------------------------------------


def _declared(events, lang: str) -> dict[tuple[str, str], str]:
    """(event key, kind) -> the name an emitter declares for it: the event's type, its
    function, and its nested types (`nested`, joined by spaces)."""
    found: dict[tuple[str, str], str] = {}
    if lang == "typescript":
        text = typescript.emit(events, CodeOptions(lang, "analytics-next", True, "x", 1))[0].text
        for event in events:
            section = sections(text)[event.key]
            interfaces = re.findall(r"^export interface (\w+) \{", section, re.M)
            [function] = re.findall(r"^export function (\w+)\(", section, re.M)
            found[(event.key, "type")], found[(event.key, "function")] = interfaces[0], function
            found[(event.key, "nested")] = " ".join(interfaces[1:])
        return found
    text = python.emit(events, CodeOptions(lang, "analytics-python", True, "x", 1))[0].text
    for event in events:
        section = sections(text)[event.key]
        found_types = re.findall(r"^class (\w+)\(TypedDict\):|^(\w+) = TypedDict\(", section, re.M)
        classes = ["".join(parts) for parts in found_types]  # either syntax
        [function] = re.findall(r"^def (\w+)\(", section, re.M)
        # nested TypedDicts come before the event's own (they are used in it)
        found[(event.key, "type")], found[(event.key, "function")] = classes[-1], function
        found[(event.key, "nested")] = " ".join(classes[:-1])
    return found


def test_both_emitters_settle_a_clash_across_kinds_in_one_order():
    """Types, then functions, then nested types (`names.name_events`): where names of two
    kinds clash, the kind named first keeps the name, in TypeScript and Python alike
    (before, Python named its functions before its types). An event's type never takes
    a suffix from a function; a nested type yields to a function (`_1_2_2` in both)."""
    events = clash_events()
    assert _declared(events, "typescript") == {
        ("1", "type"): "_1",
        ("1", "function"): "_1_2",  # `_1` is the type's
        ("1", "nested"): "_1_2_2",  # `_1_2` is the function's
        ("1 2", "type"): "_12",
        ("1 2", "function"): "_12_2",
        ("1 2", "nested"): "",
        ("1st Visit", "type"): "_1stVisit",
        ("1st Visit", "function"): "_1stVisit_2",
        ("1st Visit", "nested"): "",
    }
    assert _declared(events, "python") == {
        ("1", "type"): "_1Properties",
        ("1", "function"): "_1",
        ("1", "nested"): "_1_2_2",  # `_1_2` is the function of `1 2`
        ("1 2", "type"): "_12Properties",
        ("1 2", "function"): "_1_2",
        ("1 2", "nested"): "",
        ("1st Visit", "type"): "_1stVisitProperties",
        ("1st Visit", "function"): "_1st_visit",
        ("1st Visit", "nested"): "",
    }


def test_a_versioned_clash_goes_the_same_way_in_both_emitters():
    """Within a kind, both order the events by wire name, then major, then folder: `Cart
    Viewed` keeps every name, `Cart Viewed ` gets the `_2`s. (TypeScript ordered by `<wire
    name> V<major>`, which put `Cart Viewed  V2` first: the suffixes went to the other
    event than in Python.)"""
    events = versioned_clash_events()
    first, second = "Cart Viewed v2", "Cart Viewed  v2"
    assert sorted(event.key for event in events) == [second, first]
    ts = typescript.emit(events, CodeOptions("typescript", "analytics-next", False, "x", 1))
    py = python.emit(events, CodeOptions("python", "analytics-python", False, "x", 1))
    ts_sections, py_sections = sections(ts[0].text), sections(py[0].text)
    assert "export interface CartViewedV2 {" in ts_sections[first]
    assert "export function cartViewedV2(" in ts_sections[first]
    assert "export interface CartViewedV2_2 {" in ts_sections[second]
    assert "export function cartViewedV2_2(" in ts_sections[second]
    assert "class CartViewedV2Properties(TypedDict):" in py_sections[first]
    assert "def cart_viewed_v2(" in py_sections[first]
    assert "class CartViewedV2Properties_2(TypedDict):" in py_sections[second]
    assert "def cart_viewed_v2_2(" in py_sections[second]


def test_name_events_names_every_type_before_any_function():
    """An event's function that would take another event's type name yields to the type,
    whichever event comes first."""
    events = code_events(
        [EventSchema.from_body(f"s/p/{name}/1-0.json", body(name, {})) for name in ("A", "B")]
    )
    functions = {"A": "B", "B": "c"}
    names = name_events(
        events,
        Namer(),
        type_name=lambda event: event.wire_name,
        function_name=lambda event: functions[event.wire_name],
    )
    assert {key: (n.type, n.function) for key, n in names.items()} == {
        "A": ("A", "B_2"),
        "B": ("B", "c"),
    }
