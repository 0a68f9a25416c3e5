"""core/diff/: each change rule, one by one, with its code and class."""

from __future__ import annotations

import copy

import pytest

from reflekt.core.diff import (
    BREAKING,
    COMPATIBLE,
    NEW,
    REMOVED,
    UNBUMPED,
    UNCHANGED,
    DiffReport,
    classify,
    diff_schemas,
    event_diff,
    required_version,
)
from reflekt.core.schemas import Version, new_schema_body

BASE_PROPS = {
    "cart_id": {"type": "string", "description": "The cart."},
    "coupon": {"type": "string", "description": "A coupon."},
    "size": {"type": "integer", "description": "Items.", "maximum": 10},
    "kind": {"type": "string", "description": "Kind.", "enum": ["a", "b"]},
    "address": {
        "type": "object",
        "description": "Address.",
        "properties": {"city": {"type": "string", "description": "City."}},
        "required": ["city"],
    },
    "products": {
        "type": "array",
        "description": "Products.",
        "items": {
            "type": "object",
            "properties": {"sku": {"type": "string", "description": "SKU."}},
        },
    },
}


def body(properties=None, required=("cart_id",), **extra):
    schema = new_schema_body(
        "segment/p/Cart_Viewed/1-0.json",
        vendor="com.example",
        name="Cart Viewed",
        version="1-0",
        description="Viewed.",
        properties=copy.deepcopy(BASE_PROPS if properties is None else properties),
        required=list(required),
    )
    schema.update(extra)
    return schema


def changed(mutate):
    old = body()
    new = copy.deepcopy(old)
    mutate(new)
    return [(c.code, c.path, c.change_class) for c in diff_schemas(old, new)]


def test_identical_schemas_have_no_changes():
    assert diff_schemas(body(), body()) == []


def test_id_schema_and_self_are_ignored():
    new = body()
    new["$id"] = "segment/p/Cart_Viewed/1-1.json"
    new["self"]["version"] = "1-1"
    new["self"]["vendor"] = "com.other"
    assert diff_schemas(body(), new) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda b: b["properties"].update(gift={"type": "boolean", "description": "Gift."}),
            [("PROPERTY_ADDED_OPTIONAL", "gift", "MINOR")],
        ),
        (
            lambda b: (
                b["properties"].update(gift={"type": "boolean", "description": "Gift."}),
                b["required"].append("gift"),
            ),
            [("PROPERTY_ADDED_REQUIRED", "gift", "MAJOR")],
        ),
        (
            lambda b: b["properties"].pop("coupon"),
            [("PROPERTY_REMOVED_OPTIONAL", "coupon", "MINOR")],
        ),
        (
            lambda b: (b["properties"].pop("cart_id"), b["required"].remove("cart_id")),
            [("PROPERTY_REMOVED_REQUIRED", "cart_id", "MAJOR")],
        ),
        (
            lambda b: b["required"].append("coupon"),
            [("PROPERTY_MADE_REQUIRED", "coupon", "MAJOR")],
        ),
        (
            lambda b: b["required"].remove("cart_id"),
            [("PROPERTY_MADE_OPTIONAL", "cart_id", "MINOR")],
        ),
        (
            lambda b: b["properties"]["size"].update(type="number"),
            [("TYPE_WIDENED", "size", "MAJOR")],
        ),
        (
            lambda b: b["properties"]["coupon"].update(type=["string", "null"]),
            [("TYPE_WIDENED", "coupon", "MAJOR")],
        ),
        (
            lambda b: b["properties"]["size"].update(type="string"),
            [("TYPE_CHANGED", "size", "MAJOR")],
        ),
        (
            lambda b: b["properties"]["coupon"].pop("type"),
            [("TYPE_WIDENED", "coupon", "MAJOR")],
        ),
        (
            lambda b: b["properties"]["kind"].update(enum=["a"]),
            [("ENUM_VALUES_REMOVED", "kind", "MAJOR")],
        ),
        (
            lambda b: b["properties"]["kind"].update(enum=["a", "b", "c"]),
            [("ENUM_VALUES_ADDED", "kind", "MINOR")],
        ),
        (
            lambda b: b["properties"]["coupon"].update(enum=["X"]),
            [("ENUM_ADDED", "coupon", "MAJOR")],
        ),
        (
            lambda b: b["properties"]["kind"].pop("enum"),
            [("ENUM_REMOVED", "kind", "MINOR")],
        ),
        (
            lambda b: b["properties"]["size"].update(maximum=5),
            [("CONSTRAINT_TIGHTENED", "size", "MAJOR")],
        ),
        (
            lambda b: b["properties"]["size"].update(maximum=50),
            [("CONSTRAINT_LOOSENED", "size", "MINOR")],
        ),
        (
            lambda b: b["properties"]["coupon"].update(pattern="^[A-Z]+$"),
            [("CONSTRAINT_TIGHTENED", "coupon", "MAJOR")],
        ),
        (
            lambda b: b.update(additionalProperties=True),
            [("ADDITIONAL_PROPERTIES_OPENED", "", "MINOR")],
        ),
        (
            lambda b: b["properties"]["address"].update(additionalProperties=False),
            [("ADDITIONAL_PROPERTIES_CLOSED", "address", "MAJOR")],
        ),
        (
            lambda b: b["properties"]["address"]["properties"]["city"].update(type="integer"),
            [("TYPE_CHANGED", "address.city", "MAJOR")],
        ),
        (
            lambda b: b["properties"]["address"]["required"].clear(),
            [("PROPERTY_MADE_OPTIONAL", "address.city", "MINOR")],
        ),
        (
            lambda b: b["properties"]["products"]["items"]["properties"].pop("sku"),
            [("PROPERTY_REMOVED_OPTIONAL", "products[].sku", "MINOR")],
        ),
        (
            lambda b: b["properties"]["products"]["items"].update(required=["sku"]),
            [("PROPERTY_MADE_REQUIRED", "products[].sku", "MAJOR")],
        ),
        (
            lambda b: b["properties"]["coupon"].update(description="Another text."),
            [("DESCRIPTION_CHANGED", "coupon", "NONE")],
        ),
        (lambda b: b.update(description="New."), [("DESCRIPTION_CHANGED", "", "NONE")]),
        (lambda b: b.update(metadata={"owner": "x"}), [("METADATA_CHANGED", "", "NONE")]),
        (
            lambda b: b["properties"]["coupon"].update(examples=["SAVE10"]),
            [("ANNOTATION_CHANGED", "coupon", "NONE")],
        ),
    ],
)
def test_each_rule(mutate, expected):
    assert changed(mutate) == expected


def test_type_narrowed():
    old = body({"v": {"type": ["string", "null"], "description": "V."}}, required=())
    new = body({"v": {"type": "string", "description": "V."}}, required=())
    assert [(c.code, c.change_class) for c in diff_schemas(old, new)] == [
        ("TYPE_NARROWED", "MAJOR")
    ]


def test_integer_to_number_is_widening_and_back_is_narrowing():
    num = body({"v": {"type": "number", "description": "V."}}, required=())
    integer = body({"v": {"type": "integer", "description": "V."}}, required=())
    assert [c.code for c in diff_schemas(integer, num)] == ["TYPE_WIDENED"]
    assert [c.code for c in diff_schemas(num, integer)] == ["TYPE_NARROWED"]


def test_rename_of_optional_and_required_properties():
    def rename(new_body, old_name, new_name):
        new_body["properties"][new_name] = new_body["properties"].pop(old_name)
        if old_name in new_body["required"]:
            new_body["required"] = [new_name if r == old_name else r for r in new_body["required"]]

    assert changed(lambda b: rename(b, "coupon", "promo_code")) == [
        ("PROPERTY_RENAMED_OPTIONAL", "coupon", "MINOR")
    ]
    assert changed(lambda b: rename(b, "cart_id", "basket_id")) == [
        ("PROPERTY_RENAMED_REQUIRED", "cart_id", "MAJOR")
    ]
    [change] = diff_schemas(body(), _apply(rename, "coupon", "promo_code"))
    assert change.old == "coupon" and change.new == "promo_code"
    assert "renamed to 'promo_code'" in change.message


def _apply(func, *args):
    new = body()
    func(new, *args)
    return new


def test_different_description_is_not_a_rename():
    def swap(new):
        new["properties"].pop("coupon")
        new["properties"]["promo"] = {"type": "string", "description": "Something else."}

    assert changed(swap) == [
        ("PROPERTY_REMOVED_OPTIONAL", "coupon", "MINOR"),
        ("PROPERTY_ADDED_OPTIONAL", "promo", "MINOR"),
    ]


def test_classify_and_required_version():
    assert classify([]) == "NONE"
    changes = diff_schemas(body(), _apply(lambda b: b["required"].append("coupon")))
    assert classify(changes) == "MAJOR"
    assert required_version(Version(1, 2), "MAJOR") == Version(2, 0)
    assert required_version(Version(1, 2), "MINOR") == Version(1, 3)
    assert required_version(Version(1, 2), "NONE") == Version(1, 2)


def test_event_verdicts():
    breaking = _apply(lambda b: b["required"].append("coupon"))
    minor = _apply(lambda b: b["properties"].pop("coupon"))
    v = Version.parse

    e = event_diff("s/p/E", "E", (v("1-1"), breaking), (v("1-0"), body()))
    assert e.verdict == BREAKING
    assert e.note == "breaking change: this needs 2-0, the file says 1-1"
    assert event_diff("s/p/E", "E", (v("2-0"), breaking), (v("1-0"), body())).verdict == COMPATIBLE
    assert event_diff("s/p/E", "E", (v("1-0"), minor), (v("1-0"), body())).verdict == UNBUMPED
    assert event_diff("s/p/E", "E", (v("1-1"), minor), (v("1-0"), body())).verdict == COMPATIBLE
    assert event_diff("s/p/E", "E", (v("1-0"), body()), (v("1-0"), body())).verdict == UNCHANGED
    new = event_diff("s/p/E", "E", (v("1-0"), body()), None)
    assert new.verdict == NEW and new.changes[0].code == "EVENT_ADDED"
    gone = event_diff("s/p/E", "E", None, (v("1-0"), body()))
    assert gone.verdict == REMOVED and gone.changes[0].code == "EVENT_REMOVED"


def test_bumped_notes_read_plainly():
    minor = _apply(lambda b: b["properties"].pop("coupon"))
    v = Version.parse
    exact = event_diff("s/p/E", "E", (v("1-1"), minor), (v("1-0"), body()))
    assert exact.note == "minor change, bumped to 1-1"
    more = event_diff("s/p/E", "E", (v("2-0"), minor), (v("1-0"), body()))
    assert more.note == "minor change, bumped to 2-0 (1-1 would do)"


def test_report_exit_codes():
    v = Version.parse
    breaking = event_diff(
        "s/p/E",
        "E",
        (v("1-0"), _apply(lambda b: b["required"].append("coupon"))),
        (v("1-0"), body()),
    )
    unbumped = event_diff(
        "s/p/F",
        "F",
        (v("1-0"), _apply(lambda b: b["properties"].pop("coupon"))),
        (v("1-0"), body()),
    )
    same = event_diff("s/p/G", "G", (v("1-0"), body()), (v("1-0"), body()))
    assert DiffReport("x", (breaking, same)).exit_code("breaking") == 1
    assert DiffReport("x", (unbumped, same)).exit_code("breaking") == 0
    assert DiffReport("x", (unbumped, same)).exit_code("any") == 1
    assert DiffReport("x", (same,)).exit_code("any") == 0
    assert DiffReport("x", (breaking,)).exit_code("never") == 0
