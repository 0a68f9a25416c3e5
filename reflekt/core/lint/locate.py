"""Line and column of any key in a JSON text, for findings that point at the right line.

`SchemaDocument.line_of_key` finds the first `"key":` anywhere in the file, which is wrong
for a property named like another (`id` inside `product` and at the top). This scanner walks
the text once and records where every JSON path starts. It tolerates comments, trailing
commas and truncated files (it records what it has seen), and is only run for files that
have findings, so it costs nothing on a clean project.

When the text parsed as strict JSON, `Locator` first tries a shortcut that finds the key with
a few `str.find`s instead of walking every character (0.16 ms a file, most of a cold lint of
a findings-heavy project): see `_key_offset` for why its answer is the scanner's.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Any

from reflekt.core.jsonpath import JsonPath


def index_positions(text: str) -> dict[JsonPath, tuple[int, int]]:
    """Map each JSON path to the (line, column), 1-based, of its key (or array item)."""
    positions: dict[JsonPath, tuple[int, int]] = {(): (1, 1)}
    # Stack of open containers: [path, kind, pending key, next array index]
    stack: list[list] = []
    line, line_start = 1, 0
    i, n = 0, len(text)
    root_seen = False

    def value_starts(at: tuple[int, int]) -> JsonPath | None:
        """Register the path of a value that starts at `at`; return it."""
        nonlocal root_seen
        if not stack:
            if root_seen:
                return None
            root_seen = True
            positions[()] = at
            return ()
        top = stack[-1]
        if top[1] == "object":
            key = top[2]
            if key is None:
                return None
            top[2] = None
            return (*top[0], key)
        path = (*top[0], top[3])
        positions.setdefault(path, at)
        top[3] += 1
        return path

    while i < n:
        char = text[i]
        if char == "\n":
            line += 1
            line_start = i + 1
            i += 1
            continue
        if char in " \t\r,":
            i += 1
            continue
        if char == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end
            continue
        if char == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end == -1 else end + 2
            line += text.count("\n", i, end)
            newline = text.rfind("\n", i, end)
            if newline != -1:
                line_start = newline + 1
            i = end
            continue
        at = (line, i - line_start + 1)
        if char == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n":
                    break
                j += 1
            raw = text[i + 1 : j]
            i = j + 1
            # Is this string a key? Look past blanks for a colon.
            k = i
            while k < n and text[k] in " \t\r":
                k += 1
            if k < n and text[k] == ":" and stack and stack[-1][1] == "object":
                key = _unescape(raw)
                stack[-1][2] = key
                positions[(*stack[-1][0], key)] = at
                i = k + 1
                continue
            value_starts(at)
            continue
        if char in "{[":
            path = value_starts(at)
            kind = "object" if char == "{" else "array"
            stack.append([path if path is not None else ("?",), kind, None, 0])
            i += 1
            continue
        if char in "}]":
            if stack:
                stack.pop()
            i += 1
            continue
        if char == ":":
            i += 1
            continue
        # A bare value (number, true, false, null, or junk): skip to a delimiter.
        value_starts(at)
        while i < n and text[i] not in ",]}\n \t\r":
            i += 1
    return positions


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    import json

    try:
        return json.loads(f'"{raw}"')
    except ValueError:
        return raw


class Locator:
    """Lazy position index of one document's text.

    `body`: the document `text` parsed as strict JSON (no comments, trailing commas or
    duplicate keys), when it did; it enables the shortcut. Leave it None otherwise.
    """

    def __init__(self, text: str, body: Any = None) -> None:
        self._text = text
        self._body = body
        self._positions: dict[JsonPath, tuple[int, int]] | None = None
        self._keys: dict[str, int | None] | None = None  # offsets found (`_key_offset`)
        self._line_starts: list[int] | None = None
        self._lines_asked = 0  # positions asked before `_line_starts` pays

    def position(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        """(line, column) of `path`, or of its nearest ancestor present in the file."""
        if not self._text:
            return (1, 1) if not path else (None, None)
        if self._body is not None and self._positions is None:
            found = self._shortcut(tuple(path))
            if found is not None:
                return found
        if self._positions is None:
            self._positions = index_positions(self._text)
        current = tuple(path)
        while True:
            found = self._positions.get(current)
            if found is not None:
                return found
            if not current:
                return (1, 1)
            current = current[:-1]

    @classmethod
    def of(cls, doc: Any) -> Locator:
        """The locator of a `SchemaDocument`, with the shortcut when its text is strict JSON."""
        strict = doc.body is not None and not doc.problems
        return cls(doc.text, doc.body if strict else None)

    def _shortcut(self, path: JsonPath) -> tuple[int, int] | None:
        """The scanner's answer without the scan, or None when it cannot be sure."""
        present = _present_prefix(self._body, path)
        if not present:
            return self._line_column(len(self._text) - len(self._text.lstrip(" \t\r\n")))
        key = present[-1]
        if type(key) is not str:
            return None
        keys = self._keys
        if keys is None:  # a `\\u` escape may spell a key otherwise: no shortcut by name
            keys = self._keys = {} if "\\u" not in self._text else _NO_KEYS
        if key in keys:
            offset = keys[key]
        elif keys is _NO_KEYS:
            return None
        else:
            offset = keys[key] = _key_offset(self._text, key)
        return None if offset is None else self._line_column(offset)

    def _line_column(self, offset: int) -> tuple[int, int]:
        text = self._text
        if self._line_starts is None and self._lines_asked < _COUNTED_POSITIONS:
            # A few positions (a findings-heavy file has nine): counted in C, no list built.
            self._lines_asked += 1
            return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
        if self._line_starts is None:
            self._line_starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_$@. -]+")
_BLANKS_THEN_COLON = re.compile(r"[ \t\r\n]*:")
_NEWLINE = re.compile("\n")
_NO_KEYS: dict[str, int | None] = {}  # a text with `\\u` escapes: never filled
_COUNTED_POSITIONS = 32  # then a list of line starts, bisected: a long file's many findings


def _present_prefix(body: Any, path: JsonPath) -> JsonPath:
    """The longest prefix of `path` that exists in the parsed document."""
    node = body
    for depth, part in enumerate(path):
        if isinstance(node, dict):
            if not (isinstance(part, str) and part in node):
                return path[:depth]
        elif not (isinstance(node, list) and type(part) is int and 0 <= part < len(node)):
            return path[:depth]
        node = node[part]
    return path


def _key_offset(text: str, key: str) -> int | None:
    """Offset of a plain key's one `"key":` in a strict JSON `text` that holds no `\\u`
    escape (the caller checks, once a file); None when the key is not that simple, or not
    there once (a few `str.find`s: a findings-heavy file asks for nine keys, and a regex
    pass over every key of the file cost twice as much).

    Why this is exact: in strict JSON every unescaped `"` delimits a string, and only keys are
    followed by a colon. A plain key (letters, digits, `_$@. -`) has one spelling when the
    text holds no `\\u` escape, so each occurrence of the key in the document is a `"key"`
    followed by blanks and `:`. Such a run can also end a longer key (`"say \\"key": 1`), but
    then the key itself occurs too: a single occurrence is the key at the path (which
    exists). A key found several times, or with a newline before its colon (the scanner does
    not take that string for a key), gives None, and so does a key that is not plain.
    """
    if not _PLAIN_KEY.fullmatch(key):
        return None
    needle = f'"{key}"'
    found: int | None = None
    at = text.find(needle)
    while at >= 0:
        end = at + len(needle)
        colon = _BLANKS_THEN_COLON.match(text, end)
        if colon is not None:
            if found is not None or "\n" in colon.group():
                return None
            found = at
        at = text.find(needle, at + 1)
    return found
