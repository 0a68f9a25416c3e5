"""The escaping functions the docs add to the one escaping module, and the readers of what
the dbt build wrote (a model's `source()` table, the SDK its docs block names)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflekt.core.build import common_docs, segment
from reflekt.core.build.dbt import model_source
from reflekt.core.escape import (
    display_text,
    jinja_string,
    jinja_string_decode,
    markdown_fence,
    script_json,
)


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


@given(st.text(), st.sampled_from(["'", '"']))
def test_jinja_string_decode_reads_back_every_literal(text, quote):
    assert jinja_string_decode(jinja_string(text, quote)) == text


@pytest.mark.parametrize(
    "literal",
    ["'a", "a'", "'a'b'", "'a\\'", "'a\\nb'", "'a\\x41'", "'a\nb'", "'a\rb'", "'\\u00'"],
)
def test_jinja_string_decode_refuses_what_jinja_string_never_writes(literal):
    assert jinja_string_decode(literal) is None


@given(st.text(), st.text())
def test_model_source_reads_back_the_names_of_a_generated_source_call(source, table):
    sql = f"select *\nfrom {{{{ source({jinja_string(source)}, {jinja_string(table)}) }}}}\n"
    assert model_source(sql) == (source, table)


def test_model_source_is_none_for_a_call_not_written_as_the_build_writes_it():
    assert model_source("from {{ source('s', 't' ~ x) }}") is None
    assert model_source('from {{ source("s", "t") }}') is None
    assert model_source("select 1") is None


@pytest.mark.parametrize("sdk", segment.SDKS)
def test_the_docs_block_a_model_description_ends_with_names_its_sdk_and_call(sdk):
    for call in (*segment.layout_for(sdk).calls, "users"):
        text = "An order.\n\n" + common_docs.doc_reference(call, sdk)
        assert common_docs.referenced_block(text) == (sdk, call)
    assert common_docs.referenced_block("An order.") is None
    assert common_docs.referenced_block('{{ doc("reflekt_other_track_columns") }}') is None
