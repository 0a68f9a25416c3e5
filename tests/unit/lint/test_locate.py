"""Line and column of keys, for findings that point at the offending line."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from reflekt.core.lint.locate import Locator, index_positions

TEXT = """{
  // a comment with "quotes": and a colon
  "$id": "x",
  "id": 1,
  "properties": {
    "id": {"type": "string",},
    "products": {
      "type": "array",
      "items": {"properties": {"sku": {"type": "string"}}}
    },
    "esc\\"aped": {"type": [1, {"a": 2}]}
  },
  "required": ["id",
"""


def test_positions_of_nested_keys_with_comments_and_truncation():
    positions = index_positions(TEXT)
    assert positions[("id",)] == (4, 3)
    assert positions[("properties", "id")] == (6, 5), "not the top-level id"
    assert positions[("properties", "products", "items", "properties", "sku")] == (9, 32)
    assert positions[("properties", 'esc"aped', "type", 1, "a")][0] == 11
    assert positions[("required", 0)] == (13, 16)


def test_locator_falls_back_to_the_nearest_ancestor():
    locator = Locator(TEXT)
    assert locator.position(("properties", "id", "description")) == (6, 5)
    assert locator.position(("nope",)) == (1, 1)
    assert Locator("").position(()) == (1, 1)


# The shortcut (strict JSON: a few searches per finding) must answer what the scanner does.

_KEYS = st.sampled_from(["id", "type", "name", "properties", "a b", "x.y", "$ref", "é", 'q"'])
_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from(['"id": 1', "\\", "type", "é"])
)
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=600, deadline=None)
@given(
    body=st.dictionaries(_KEYS, _JSON, max_size=5),
    indent=st.sampled_from([None, 2, "\t"]),
    ensure_ascii=st.booleans(),
    separators=st.sampled_from([None, (",", ":"), (", ", " : ")]),
    paths=st.lists(st.lists(st.one_of(_KEYS, st.integers(0, 3)), max_size=4), max_size=6),
)
def test_the_strict_json_shortcut_agrees_with_the_scanner(
    body, indent, ensure_ascii, separators, paths
):
    text = json.dumps(body, indent=indent, ensure_ascii=ensure_ascii, separators=separators)
    scanner, shortcut = Locator(text), Locator(text, json.loads(text))
    for path in [*paths, *_paths_in(body)]:
        assert shortcut.position(path) == scanner.position(path), (text, path)


def _paths_in(node, prefix=()):
    yield prefix
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        yield from _paths_in(child, (*prefix, key))


def test_the_shortcut_is_used_for_a_plain_unique_key():
    text = '{\n  "self": {"name": "Cart Viewed"},\n  "required": ["name"]\n}\n'
    locator = Locator(text, json.loads(text))
    assert locator.position(("self", "name")) == (2, 12)
    assert locator._positions is None, "answered without scanning the file"


def test_many_positions_of_one_file_agree_with_the_scanner():
    """The first positions are counted, later ones bisect a list of line starts: both agree."""
    body = {f"key_{i}": {"type": "string", f"note_{i}": f"line\n{i}"} for i in range(60)}
    text = json.dumps(body, indent=2)
    scanner, shortcut = Locator(text), Locator(text, json.loads(text))
    paths = [(key, f"note_{i}") for i, key in enumerate(body)] + [(key,) for key in reversed(body)]
    answers = [shortcut.position(path) for path in paths]
    assert answers == [scanner.position(path) for path in paths]
    assert answers[0] == (4, 5) and answers[-1] == (2, 3)
    assert shortcut._positions is None, "answered without scanning the file"
