"""Table of schema changes with the kinds the diff must report, shared by the diff tests.

Each case changes one property `p` of an event (or the event itself) and lists the
(code, class) pairs expected. Together the cases emit every kind of the table, so the scan in
test_change_kinds.py sees each kind's class as emitted.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from reflekt.core.diff import DEFAULT_SETTINGS, DiffSettings
from reflekt.core.schemas import new_schema_body

MINOR_WIDENING = DiffSettings(type_widening="minor")


def event(properties: dict[str, Any], required: tuple[str, ...] = (), **top: Any) -> dict:
    body = new_schema_body(
        "segment/p/Cart_Viewed/1-0.json",
        vendor="com.example",
        name="Cart Viewed",
        version="1-0",
        description="Viewed.",
        properties=copy.deepcopy(properties),
        required=list(required),
    )
    body.update(copy.deepcopy(top))
    return body


@dataclass(frozen=True)
class Case:
    id: str
    old: dict[str, Any]
    new: dict[str, Any]
    expected: list[tuple[str, str]]
    settings: DiffSettings = field(default=DEFAULT_SETTINGS)


def prop(
    case_id: str,
    old: Any,
    new: Any,
    expected: list[tuple[str, str]],
    settings: DiffSettings = DEFAULT_SETTINGS,
) -> Case:
    """A case changing property `p` from `old` to `new` (None: absent)."""
    old_props = {} if old is None else {"p": old}
    new_props = {} if new is None else {"p": new}
    return Case(case_id, event(old_props), event(new_props), expected, settings)


S = {"type": "string", "description": "P."}
OBJ = {"type": "object", "description": "P.", "properties": {"a": S}}

# (a) A type that the enum/const already implies: not a narrowing.
IMPLIED_TYPE = [
    prop(
        "enum-of-strings-gets-type-string",
        {"description": "P.", "enum": ["a", "b"]},
        {"description": "P.", "type": "string", "enum": ["a", "b"]},
        [("TYPE_MADE_EXPLICIT", "NONE")],
    ),
    prop(
        "const-gets-its-type",
        {"description": "P.", "const": "web"},
        {"description": "P.", "type": "string", "const": "web"},
        [("TYPE_MADE_EXPLICIT", "NONE")],
    ),
    prop(
        "enum-of-integers-gets-type-integer",
        {"description": "P.", "enum": [1, 2]},
        {"description": "P.", "type": "integer", "enum": [1, 2]},
        [("TYPE_MADE_EXPLICIT", "NONE")],
    ),
    prop(
        "enum-of-integers-gets-type-number",
        {"description": "P.", "enum": [1, 2.0]},
        {"description": "P.", "type": "number", "enum": [1, 2.0]},
        [("TYPE_MADE_EXPLICIT", "NONE")],
    ),
    prop(
        "enum-with-null-gets-nullable-type",
        {"description": "P.", "enum": ["a", None]},
        {"description": "P.", "type": ["string", "null"], "enum": ["a", None]},
        [("TYPE_MADE_EXPLICIT", "NONE")],
    ),
    prop(
        "type-any-with-enum-gets-type-string",
        {"description": "P.", "type": "any", "enum": ["a"]},
        {"description": "P.", "type": "string", "enum": ["a"]},
        [("TYPE_MADE_EXPLICIT", "NONE")],
    ),
    prop(
        "type-removed-that-the-enum-implies",
        {"description": "P.", "type": "string", "enum": ["a"]},
        {"description": "P.", "enum": ["a"]},
        [("TYPE_MADE_IMPLICIT", "NONE")],
    ),
    prop(
        "type-stated-and-enum-values-added",
        {"description": "P.", "enum": ["a"]},
        {"description": "P.", "type": "string", "enum": ["a", "b"]},
        [("TYPE_MADE_EXPLICIT", "NONE"), ("ENUM_VALUES_ADDED", "MINOR")],
    ),
    prop(
        "enum-replaced-by-its-type",
        {"description": "P.", "enum": ["a", "b"]},
        {"description": "P.", "type": "string"},
        [("TYPE_MADE_EXPLICIT", "NONE"), ("ENUM_REMOVED", "MINOR")],
    ),
    # Where the type rejects values the enum allowed, it is still a narrowing.
    prop(
        "type-string-drops-the-enums-null",
        {"description": "P.", "enum": ["a", None]},
        {"description": "P.", "type": "string", "enum": ["a", None]},
        [("TYPE_NARROWED", "MAJOR")],
    ),
    prop(
        "type-string-drops-the-enums-number",
        {"description": "P.", "enum": ["a", 1]},
        {"description": "P.", "type": "string", "enum": ["a", 1]},
        [("TYPE_NARROWED", "MAJOR")],
    ),
    prop(
        "type-added-without-enum-narrows",
        {"description": "P."},
        {"description": "P.", "type": "string"},
        [("TYPE_NARROWED", "MAJOR")],
    ),
]

# (b) Any change of a property's type is MAJOR by default; widening is MINOR on request.
TYPE_CHANGES = []
for _name, _old, _new, _code in [
    ("integer-to-number", "integer", "number", "TYPE_WIDENED"),
    ("null-added", "string", ["string", "null"], "TYPE_WIDENED"),
    ("string-to-any", "string", "any", "TYPE_WIDENED"),
    ("type-removed", "string", None, "TYPE_WIDENED"),
    ("number-to-integer", "number", "integer", "TYPE_NARROWED"),
    ("null-dropped", ["string", "null"], "string", "TYPE_NARROWED"),
    ("any-to-string", "any", "string", "TYPE_NARROWED"),
    ("string-to-integer", "string", "integer", "TYPE_CHANGED"),
    ("string-to-boolean-or-null", ["string"], ["boolean", "null"], "TYPE_CHANGED"),
]:
    _before = {"description": "P.", **({"type": _old} if _old is not None else {})}
    _after = {"description": "P.", **({"type": _new} if _new is not None else {})}
    _minor = _code == "TYPE_WIDENED"
    TYPE_CHANGES.append(prop(f"{_name}-default", _before, _after, [(_code, "MAJOR")]))
    TYPE_CHANGES.append(
        prop(
            f"{_name}-type-widening-minor",
            _before,
            _after,
            [("TYPE_WIDENED_ALLOWED", "MINOR") if _minor else (_code, "MAJOR")],
            MINOR_WIDENING,
        )
    )
for _name, _old, _new in [
    ("any-to-no-type", "any", None),
    ("same-types-other-order", ["string", "null"], ["null", "string"]),
]:
    _before = {"description": "P.", **({"type": _old} if _old is not None else {})}
    _after = {"description": "P.", **({"type": _new} if _new is not None else {})}
    TYPE_CHANGES.append(prop(_name, _before, _after, []))

# (c) Keywords the diff does not model: MAJOR unless provably loosening.
BRANCHES = [{"type": "string"}, {"type": "integer"}]
KEYWORDS = [
    prop("oneOf-added", S, {**S, "oneOf": BRANCHES}, [("KEYWORD_CHANGED", "MAJOR")]),
    prop(
        "anyOf-gets-a-branch",
        {**S, "anyOf": BRANCHES[:1]},
        {**S, "anyOf": BRANCHES},
        [("KEYWORD_CHANGED", "MAJOR")],
    ),
    prop("allOf-removed", {**S, "allOf": BRANCHES[:1]}, S, [("KEYWORD_REMOVED", "MINOR")]),
    prop("not-added", S, {**S, "not": {"const": "x"}}, [("KEYWORD_CHANGED", "MAJOR")]),
    prop("not-removed", {**S, "not": {"const": "x"}}, S, [("KEYWORD_REMOVED", "MINOR")]),
    prop(
        "if-then-added",
        OBJ,
        {**OBJ, "if": {"required": ["a"]}, "then": {"required": ["b"]}},
        [("KEYWORD_CHANGED", "MAJOR"), ("KEYWORD_CHANGED", "MAJOR")],
    ),
    prop(
        "if-then-else-removed",
        {**OBJ, "if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": False},
        OBJ,
        [("KEYWORD_REMOVED", "MINOR")] * 3,
    ),
    prop(
        "then-changed",
        {**OBJ, "if": {"required": ["a"]}, "then": {"required": ["b"]}},
        {**OBJ, "if": {"required": ["a"]}, "then": {"required": ["c"]}},
        [("KEYWORD_CHANGED", "MAJOR")],
    ),
    prop(
        "patternProperties-added",
        OBJ,
        {**OBJ, "patternProperties": {"^x_": S}},
        [("KEYWORD_CHANGED", "MAJOR")],
    ),
    prop(
        "patternProperties-removed",
        {**OBJ, "patternProperties": {"^x_": S}},
        OBJ,
        [("KEYWORD_REMOVED", "MINOR")],
    ),
    prop(
        "patternProperties-removed-beside-closed-additionalProperties",
        {**OBJ, "patternProperties": {"^x_": S}, "additionalProperties": False},
        {**OBJ, "additionalProperties": False},
        [("KEYWORD_CHANGED", "MAJOR")],
    ),
    prop(
        "dependencies-changed",
        {**OBJ, "dependencies": {"a": ["b"]}},
        {**OBJ, "dependencies": {"a": ["b", "c"]}},
        [("KEYWORD_CHANGED", "MAJOR")],
    ),
    prop(
        "dependencies-removed",
        {**OBJ, "dependencies": {"a": ["b"]}},
        OBJ,
        [("KEYWORD_REMOVED", "MINOR")],
    ),
    prop(
        "dependentRequired-added",
        OBJ,
        {**OBJ, "dependentRequired": {"a": ["b"]}},
        [("KEYWORD_CHANGED", "MAJOR")],
    ),
    prop(
        "dependentSchemas-removed",
        {**OBJ, "dependentSchemas": {"a": {"required": ["b"]}}},
        OBJ,
        [("KEYWORD_REMOVED", "MINOR")],
    ),
    prop(
        "oneOf-removed-beside-unevaluatedProperties",
        {**OBJ, "oneOf": [OBJ], "unevaluatedProperties": False},
        {**OBJ, "unevaluatedProperties": False},
        [("KEYWORD_CHANGED", "MAJOR")],
    ),
    prop(
        "ref-removed",
        {**S, "$ref": "#/definitions/code"},
        S,
        [("KEYWORD_CHANGED", "MAJOR")],
    ),
    prop(
        "tuple-items-changed",
        {"type": "array", "description": "P.", "items": [S]},
        {"type": "array", "description": "P.", "items": [S, S]},
        [("KEYWORD_CHANGED", "MAJOR")],
    ),
    prop(
        "tuple-items-removed",
        {"type": "array", "description": "P.", "items": [S]},
        {"type": "array", "description": "P."},
        [("KEYWORD_REMOVED", "MINOR")],
    ),
    prop(
        "additionalProperties-schema-added",
        OBJ,
        {**OBJ, "additionalProperties": S},
        [("KEYWORD_CHANGED", "MAJOR")],
    ),
    prop(
        "additionalProperties-schema-removed",
        {**OBJ, "additionalProperties": S},
        OBJ,
        [("ADDITIONAL_PROPERTIES_OPENED", "MINOR")],
    ),
    prop("schema-true-gets-a-type", True, S, [("KEYWORD_CHANGED", "MAJOR")]),
    prop(
        "array-items-replaced-by-true",
        {"type": "array", "description": "P.", "items": S},
        {"type": "array", "description": "P.", "items": True},
        [("CONSTRAINT_LOOSENED", "MINOR")],
    ),
    prop("schema-replaced-by-true", S, True, [("CONSTRAINT_LOOSENED", "MINOR")]),
    prop(
        "extension-key-changed",
        {**S, "x-owner": "a"},
        {**S, "x-owner": "b"},
        [("EXTENSION_CHANGED", "MINOR")],
    ),
    prop(
        "writeOnly-is-an-annotation", S, {**S, "writeOnly": True}, [("ANNOTATION_CHANGED", "NONE")]
    ),
]

# The other kinds, once each (test_diff_rules.py tests them in depth).
BASICS = [
    prop("optional-added", None, S, [("PROPERTY_ADDED_OPTIONAL", "MINOR")]),
    prop("optional-removed", S, None, [("PROPERTY_REMOVED_OPTIONAL", "MINOR")]),
    Case(
        "required-added",
        event({}),
        event({"p": S}, required=("p",)),
        [("PROPERTY_ADDED_REQUIRED", "MAJOR")],
    ),
    Case(
        "required-removed",
        event({"p": S}, required=("p",)),
        event({}),
        [("PROPERTY_REMOVED_REQUIRED", "MAJOR")],
    ),
    Case(
        "optional-renamed",
        event({"p": S}),
        event({"q": S}),
        [("PROPERTY_RENAMED_OPTIONAL", "MINOR")],
    ),
    Case(
        "required-renamed",
        event({"p": S}, required=("p",)),
        event({"q": S}, required=("q",)),
        [("PROPERTY_RENAMED_REQUIRED", "MAJOR")],
    ),
    Case(
        "made-required",
        event({"p": S}),
        event({"p": S}, required=("p",)),
        [("PROPERTY_MADE_REQUIRED", "MAJOR")],
    ),
    Case(
        "made-optional",
        event({"p": S}, required=("p",)),
        event({"p": S}),
        [("PROPERTY_MADE_OPTIONAL", "MINOR")],
    ),
    prop("enum-added", S, {**S, "enum": ["a"]}, [("ENUM_ADDED", "MAJOR")]),
    prop("enum-removed", {**S, "enum": ["a"]}, S, [("ENUM_REMOVED", "MINOR")]),
    prop(
        "enum-values-removed",
        {**S, "enum": ["a", "b"]},
        {**S, "enum": ["a"]},
        [("ENUM_VALUES_REMOVED", "MAJOR")],
    ),
    prop("max-length-added", S, {**S, "maxLength": 5}, [("CONSTRAINT_TIGHTENED", "MAJOR")]),
    prop(
        "additionalProperties-closed",
        OBJ,
        {**OBJ, "additionalProperties": False},
        [("ADDITIONAL_PROPERTIES_CLOSED", "MAJOR")],
    ),
    prop("description-changed", S, {**S, "description": "Q."}, [("DESCRIPTION_CHANGED", "NONE")]),
    Case(
        "metadata-changed",
        event({"p": S}),
        event({"p": S}, metadata={"owner": "web"}),
        [("METADATA_CHANGED", "NONE")],
    ),
]

CASES = IMPLIED_TYPE + TYPE_CHANGES + KEYWORDS + BASICS
