"""Strict JSON's repeated-key check (`loads_checked`): the same verdict as a hook per object.

The check compares the parsed objects' entries with the text's key ends instead of hooking
the decoder; these tests hold it to the hook's answer, on texts built to fool a count: keys
with blanks before the colon, strings holding `":`, keys spelt with escapes, repeats in
nested objects and in arrays.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reflekt.core.strictjson import loads_checked


def _repeats_by_hook(text: str) -> bool:
    """The reference: a hook sees each object's pairs before they become a dict."""
    repeated: list[bool] = []

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({key for key, _ in pairs}) != len(pairs):
            repeated.append(True)
        return dict(pairs)

    json.loads(text, object_pairs_hook=hook)
    return bool(repeated)


def _flags_a_repeat(text: str) -> bool:
    _, problems = loads_checked(text)
    assert all("duplicate key" in problem.message for problem in problems), problems
    return bool(problems)


@pytest.mark.parametrize(
    ("text", "repeated"),
    [
        ('{"a": 1, "a": 2}', True),
        ('{"a" : 1, "b":2, "a"\n:\t3}', True),  # blanks before the colons
        ('{"a" : 1, "a": 2}', True),  # one key end without blanks, one with
        ('{"a": "x\\": y", "b": "\\":"}', False),  # strings holding `":`
        ('{"a": "\\" : \\":", "a": 1}', True),
        ('{"a": 1, "\\u0061": 2}', True),  # the same key, spelt with an escape
        ('{"k": [{"x": 1}, {"x": 2, "y": {"z": 0, "z": 0}}]}', True),  # deep, in an array
        ('[{"x": 1}, {"x": 1}]', False),  # the same key in two objects
        ('{"": 1, " ": 2, "\\"": 3, ":": 4}', False),
        ('{"": 1, "": 2}', True),
        ('"just a string: \\":"', False),
        ("[]", False),
    ],
)
def test_a_repeated_key_is_found_where_a_hook_finds_one(text, repeated):
    assert _repeats_by_hook(text) is repeated
    assert _flags_a_repeat(text) is repeated


# Keys and strings from a few characters that matter to a count of key ends.
_pieces = st.sampled_from(["a", "b", '"', ":", " ", "\\", "\n", "é", "\u0061"])
_words = st.lists(_pieces, max_size=4).map("".join)
_blanks = st.sampled_from(["", " ", "\n", "\t ", "\r\n  "])


def _spelt(word: str, escaped: bool) -> str:
    """A word as a JSON string, plainly or with every character escaped."""
    if not escaped:
        return json.dumps(word, ensure_ascii=False)
    return '"' + "".join(f"\\u{ord(char):04x}" for char in word) + '"'


@st.composite
def _texts(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(
        st.sampled_from(
            ["object", "array", "string", "number"] if depth < 3 else ["string", "number"]
        )
    )
    if kind == "string":
        return _spelt(draw(_words), draw(st.booleans()))
    if kind == "number":
        return str(draw(st.integers(-5, 5)))
    if kind == "array":
        items = draw(st.lists(_texts(depth + 1), max_size=3))
        return "[" + ",".join(items) + "]"
    keys = draw(st.lists(_words, max_size=4))
    if keys and draw(st.booleans()):
        keys.append(draw(st.sampled_from(keys)))  # a repeat, maybe spelt otherwise
    members = [
        _spelt(key, draw(st.booleans()))
        + draw(_blanks)
        + ":"
        + draw(_blanks)
        + draw(_texts(depth + 1))
        for key in keys
    ]
    return "{" + draw(_blanks) + ",".join(members) + "}"


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_the_check_agrees_with_a_hook_on_generated_texts(text):
    assert _flags_a_repeat(text) is _repeats_by_hook(text)
