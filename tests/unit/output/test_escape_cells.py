"""`markdown_cell` and `xml_text`: any text stays one table cell / one well-formed document."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st
from output_support import parse_tables, render_gfm

from reflekt.core.escape import markdown_cell, markdown_text, xml_text

# What breaks tables and HTML, plus ordinary letters and spaces.
HOSTILE = st.text(alphabet=st.sampled_from(list("ab |\\`*_<>&;\"'{}[]()#!:\n\r\t-=~")), max_size=30)


@settings(max_examples=300, deadline=None)
@given(HOSTILE, HOSTILE)
def test_a_cell_stays_one_cell_and_shows_the_text(left, right):
    row = f"| {markdown_cell(left)} | {markdown_cell(right)} |"
    html = render_gfm(f"| A | B |\n|---|---|\n{row}\n")
    parsed = parse_tables(html)
    assert set(parsed.tags) <= {"table", "thead", "tbody", "tr", "th", "td"}
    [[header, cells]] = parsed.tables
    assert header == ["A", "B"]
    shown = [" ".join(text.replace("\r", " ").replace("\n", " ").split()) for text in (left, right)]
    assert [" ".join(cell.split()) for cell in cells] == shown


def test_entities_show_as_the_characters():
    assert markdown_text("<b>&amp;") == "&lt;b&gt;&amp;amp\\;"
    assert "<p>&lt;b&gt;&amp;amp;</p>" in render_gfm(markdown_text("<b>&amp;"))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_xml_text_always_makes_a_well_formed_document(text):
    root = ET.Element("t", a=xml_text(text))
    root.text = xml_text(text)
    ET.fromstring(ET.tostring(root, encoding="unicode"))
