"""`draft7_fast.certainly_valid` only ever skips work: whenever it says a schema is valid,
the compiled draft-07 meta-schema agrees (hypothesis over schema-like values: the draft-07
keywords with values of every JSON kind, nested, plus real plans' shapes)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reflekt.core.lint.draft7_fast import certainly_valid
from reflekt.core.lint.meta import _Validator, draft7_metaschema, draft7_validator

FULL = _Validator(draft7_metaschema())  # the compiled check alone
DEMO = Path(__file__).resolve().parents[3] / "reflekt" / "demo" / "project" / "schemas"

KEYWORDS = [
    "$id", "$schema", "$ref", "$comment", "title", "description", "default", "readOnly",
    "examples", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "additionalItems", "items", "maxItems", "minItems",
    "uniqueItems", "contains", "maxProperties", "minProperties", "required",
    "additionalProperties", "definitions", "properties", "patternProperties", "dependencies",
    "propertyNames", "const", "enum", "type", "format", "contentMediaType", "contentEncoding",
    "if", "then", "else", "allOf", "anyOf", "oneOf", "not", "self", "metadata",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["string", "object", "any", "integer", "int", "", "a b", "http://x/y#"]),
    st.text(max_size=6),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYWORDS), st.text(max_size=4)), inner, max_size=5),
    ),
    max_leaves=25,
)  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(VALUES)
def test_certainly_valid_never_disagrees_with_the_meta_schema(value):
    if certainly_valid(value):
        assert FULL.is_valid(value), json.dumps(value)


def test_plain_schemas_take_the_fast_path_and_broken_ones_do_not():
    plain = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "segment/shop/Cart_Viewed/1-0.json",
        "type": "object",
        "self": {"name": "Cart Viewed"},
        "properties": {
            "cart_id": {"type": "string", "description": "The cart."},
            "total": {"type": ["number", "null"], "minimum": 0},
            "items": {"type": "array", "items": {"type": "object", "required": ["sku"]}},
        },
        "required": ["cart_id"],
        "additionalProperties": False,
    }
    assert certainly_valid(plain)
    for broken in (
        {**plain, "type": "objet"},
        {**plain, "required": "cart_id"},
        {**plain, "properties": {"x": {"type": "string", "minLength": -1}}},
        {**plain, "$schema": "not a uri"},
    ):
        assert not certainly_valid(broken)
        assert not draft7_validator().is_valid(broken)  # the full check still says so
    assert not certainly_valid({**plain, "properties": {"x": {"pattern": "^a"}}})  # not known


def test_every_demo_schema_takes_the_fast_path():
    for path in sorted(DEMO.rglob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        assert certainly_valid(body), path


def test_the_compiled_check_itself_takes_bounds():
    """The generated meta-schema code needs `Decimal` for numbers: without it, every schema
    with a bound failed the fast check and went to the slow detailed one."""
    for schema in ({"minimum": 0}, {"maximum": 1.5}, {"multipleOf": 1}):
        assert FULL.is_valid(schema)
    assert not FULL.is_valid({"multipleOf": 0})
    assert not FULL.is_valid({"minimum": "x"})


def test_the_draft7_check_compiles_only_when_a_schema_needs_it():
    """A schema `certainly_valid` answers needs no compiled draft-07 (50 ms of a one-file
    lint); one it cannot answer compiles it, and gets the full check's verdict."""
    from reflekt.core.lint.meta import _Draft7Validator

    lazy = _Draft7Validator(draft7_metaschema(), lazy=True)
    plain = {"type": "object", "properties": {"cart_id": {"type": "string"}}}
    assert certainly_valid(plain)
    assert lazy.is_valid(plain) and lazy._fast is None
    broken = {"type": "object", "properties": {"cart_id": {"type": 5}}}
    assert not lazy.is_valid(broken) and lazy._fast is not None
    assert lazy.is_valid(broken) == FULL.is_valid(broken)
    assert lazy.errors(broken) == FULL.errors(broken) != []
    assert lazy.compiled() is lazy.compiled()  # compiled once
