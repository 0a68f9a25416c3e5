"""The property a JSON path lies in, in lint's spelling and in diff's (one walk, two names)."""

from __future__ import annotations

import pytest

from reflekt.core.diff.causes import property_path as diff_path
from reflekt.core.lint.base import property_path as lint_path

CASES = [
    # JSON path, lint's name, diff's name
    (("properties", "cart"), "cart", "cart"),
    (("properties", "cart", "type"), "cart", None),
    (
        ("properties", "products", "items", "properties", "sku"),
        "products.items.sku",
        "products[].sku",
    ),
    (("properties", "products", "items"), "products", "products[]"),
    (("properties", "pair", "items", 1, "properties", "x"), "pair.items[1].x", None),
    (("properties", "pair", "items", 1), "pair", None),
    (("items", "properties", "a"), None, None),
    (("anyOf", 0, "properties", "a"), None, None),
    ((), None, ""),
    # A property whose name starts with "items" is a property, not an array's items.
    (("properties", "cart", "properties", "items_total"), "cart.items_total", "cart.items_total"),
    (("properties", "items"), "items", "items"),
]


@pytest.mark.parametrize(("at", "lint_name", "diff_name"), CASES)
def test_lint_and_diff_name_the_property_a_path_lies_in(at, lint_name, diff_name):
    assert lint_path(at) == lint_name
    assert diff_path(at) == diff_name
