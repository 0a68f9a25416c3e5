"""The escaping functions the docs add to the one escaping module."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from reflekt.core.escape import display_text, markdown_fence, script_json


@given(st.recursive(st.text() | st.integers() | st.none(), lambda c: st.lists(c, max_size=4)))
def test_script_json_reads_back_and_cannot_end_a_script(value):
    text = script_json(value)
    assert json.loads(text) == value
    assert "<" not in text and ">" not in text and "&" not in text
    assert text.isascii()  # so no U+2028/U+2029 line terminator either


@given(st.text())
def test_markdown_fence_is_never_closed_early(text):
    block = markdown_fence(text, "json")
    fence = block.split("\n", 1)[0].removesuffix("json")
    assert set(fence) == {"`"} and len(fence) >= 3
    inner = block.split("\n")[1:-1]
    assert block.split("\n")[-1] == fence
    assert not any(line.strip().startswith(fence) for line in inner)


def test_display_text_shows_bidi_and_controls_and_keeps_the_rest():
    assert display_text("Cart \u202eweiV") == "Cart \\u202eweiV"
    assert display_text("a\x1b[31mb") == "a\\x1b[31mb"
    assert display_text("Line\nnext\ttab 🛒 é") == "Line\nnext\ttab 🛒 é"


@given(st.text(), st.text())
def test_property_anchors_are_one_per_path(first, second):
    from reflekt.core.docs.render import anchor

    assert (anchor(first) == anchor(second)) == (first == second)
    assert all(c.isascii() and (c.isalnum() or c in "-_.") for c in anchor(first))
