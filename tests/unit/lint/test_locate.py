"""Line and column of keys, for findings that point at the offending line."""

from __future__ import annotations

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
