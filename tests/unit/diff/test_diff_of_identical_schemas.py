"""The diff of a schema with an identical copy of itself finds no change.

Why: `reflekt diff --against git:REF` reports an event whose files are byte-identical at the
ref as unchanged without diffing it (`registries.compare`); that is the answer the full
comparison gives only if the diff of two identical bodies is empty, or raises the errors
`compare._event` turns into "unchanged" for an untouched event (a shape lint reports,
RF102). Checked over arbitrary JSON, well-formed JSON Schema or not.
"""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reflekt.core.diff import DiffSettings, diff_schemas

_KEYS = st.sampled_from(
    [
        "type", "properties", "required", "items", "enum", "const", "additionalProperties",
        "description", "metadata", "oneOf", "$ref", "minimum", "maxLength", "pattern",
        "format", "default", "title", "patternProperties", "x-owner", "self", "$id", "a",
    ]
)  # fmt: skip
_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=3),
    st.sampled_from(["string", "integer", "number", "object", "array", "null", "any"]),
)
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(_KEYS, st.text(max_size=2)), inner, max_size=5),
    ),
    max_leaves=30,
)
# What compare._event catches (and answers "unchanged" for when both sides are the same).
_CAUGHT = (TypeError, ValueError, AttributeError, IndexError, KeyError, RecursionError)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(_KEYS, _JSON, max_size=6), st.booleans())
def test_an_identical_copy_has_no_change(body, minor_widening):
    options = DiffSettings(type_widening="minor" if minor_widening else "major")
    try:
        changes = diff_schemas(body, copy.deepcopy(body), options)
    except _CAUGHT:
        return
    assert changes == []
