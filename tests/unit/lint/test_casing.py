"""The casing patterns and `suggest` (reflekt.core.casing)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflekt.core.casing import has_digits, matches, split_words, suggest

GOOD = {
    "title": ["Cart Viewed", "Order ID Shown", "A", "Step 2 Completed", "URL Opened"],
    "snake": ["cart_id", "id", "address_line2", "a_b_c"],
    "camel": ["cartId", "productSKU", "id", "line2"],
    "pascal": ["CartViewed", "OrderID", "A"],
    "any": ["anything goes", "x", "Ünïcode"],
}
BAD = {
    "title": ["cart viewed", "CartViewed", "Cart  Viewed", " Cart", "Cart_Viewed", "Cart viewed"],
    "snake": ["cartId", "Cart_ID", "_cart", "cart__id", "cart_", "cart id", "2fa"],
    "camel": ["CartId", "cart_id", "cart id", "1cart"],
    "pascal": ["cartViewed", "Cart_Viewed", "Cart Viewed"],
    "any": [""],
}


@pytest.mark.parametrize(("casing", "name"), [(c, n) for c, names in GOOD.items() for n in names])
def test_good_names_match(casing, name):
    assert matches(name, casing)


@pytest.mark.parametrize(("casing", "name"), [(c, n) for c, names in BAD.items() for n in names])
def test_bad_names_do_not_match(casing, name):
    assert not matches(name, casing)


@pytest.mark.parametrize(
    ("name", "casing", "expected"),
    [
        ("cart viewed", "title", "Cart Viewed"),
        ("CartViewed", "title", "Cart Viewed"),
        ("order_id", "title", "Order Id"),
        ("orderID", "title", "Order ID"),
        ("productId", "snake", "product_id"),
        ("Product ID", "snake", "product_id"),
        ("HTTPServer", "snake", "http_server"),
        ("cart-viewed", "camel", "cartViewed"),
        ("Cart_Viewed", "pascal", "CartViewed"),
        ("weird  Name", "any", "weird  Name"),
    ],
)
def test_suggest(name, casing, expected):
    assert suggest(name, casing) == expected


def test_split_words_and_digits():
    assert split_words("productID_v2") == ["product", "ID", "v2"]
    assert has_digits("line2") and not has_digits("line")


@given(st.from_regex(r"[A-Za-z][A-Za-z0-9 _\-]{0,30}", fullmatch=True))
def test_suggestion_always_follows_the_casing(name):
    for casing in ("title", "snake", "camel", "pascal"):
        suggestion = suggest(name, casing)
        assert matches(suggestion, casing), (name, casing, suggestion)
        assert suggest(suggestion, casing) == suggestion, "suggest is idempotent"
