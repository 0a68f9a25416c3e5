"""Strict JSON: what Python's `json` accepts but a schema file must not hold, with positions.

`json.loads` happily reads `NaN`, `Infinity`, `1e999` (infinite), duplicate keys (the last
one silently wins), lone UTF-16 surrogates (`"\\ud800"`, which no UTF-8 file can carry),
and raises RecursionError or ValueError (not a decode error) for input nested thousands of
levels deep or holding a 5,000-digit integer. Each of those is a `ParseProblem` here, with
the line and column where it is, so lint reports it as a finding and nothing downstream
(validation, diff, build, save) ever sees such a value.

Nesting is capped at `MAX_NESTING` levels of objects and arrays: far more than any event
schema needs (a property nested in an object is two levels), and low enough that every
recursive consumer (jsonschema's validation, the diff, the dbt build, the TUI) stays well
inside Python's recursion limit, even when called from a deep stack.

Checks cost little on normal files: the duplicate-key check compares the parsed objects'
entries with the text's keys (`_may_repeat_a_key`), the depth walk only runs when the text
has more brackets than the cap, and positions are computed only for files that have a
problem.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_NESTING = 64


@dataclass(frozen=True)
class ParseProblem:
    """Why a file is not plain JSON: message plus 1-based line and column."""

    message: str
    line: int
    column: int


class StrictJsonError(ValueError):
    """JSON that Python's json reads but that is not strict JSON (see `loads_strict`)."""

    def __init__(self, problem: ParseProblem) -> None:
        super().__init__(f"{problem.message} (line {problem.line}, column {problem.column})")
        self.problem = problem


class _NonFinite(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _constant(token: str) -> Any:
    raise _NonFinite(token)


def _float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _NonFinite(token)
    return value


def loads_checked(text: str) -> tuple[Any, list[ParseProblem]]:
    """Parse JSON text strictly: `(value, [])`, or `(None, problems)` when it is unusable.

    Raises json.JSONDecodeError for plain syntax errors (the caller decides how to report
    them, e.g. after removing comments); every other problem is returned, located.
    """
    try:
        data = json.loads(text, parse_constant=_constant, parse_float=_float)
    except _NonFinite as exc:
        return None, _non_finite_problems(text, exc.token)
    except RecursionError:  # thousands of levels: the decoder itself gave up
        return None, [_nesting_problem(text) or ParseProblem(_nesting_message(), 1, 1)]
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # int() refuses more than sys.get_int_max_str_digits() digits
        return None, [_long_number_problem(text, exc)]
    if text.count("{") + text.count("[") > MAX_NESTING and nesting_depth_exceeds(data):
        return None, [_nesting_problem(text) or ParseProblem(_nesting_message(), 1, 1)]
    problems: list[ParseProblem] = []
    if _may_repeat_a_key(text, data):
        problems.extend(duplicate_key_problems(text))
    if ("\\ud" in text or "\\uD" in text) and (surrogate := _surrogate_problem(text)):
        problems.append(surrogate)
    if problems:
        return None, problems
    return data, []


# The end of a key: its closing quote, blanks, the colon. Every key of a JSON text ends so,
# and no two keys share an end (see `_may_repeat_a_key`). Counted as the `":` ends (a
# `str.count`) and those with blanks (a regex that rarely matches: no list of every key).
_KEY_END_WITH_BLANKS = re.compile(r'"[ \t\r\n]+:')


def _may_repeat_a_key(text: str, data: Any) -> bool:
    """False when no object of `text` (parsed as `data`) can hold a key twice, without a
    hook per object (the decoder's object hook took half of a schema file's parse time).

    Why this is exact: a repeated key leaves its object with fewer entries than the text has
    keys, so `data`'s entries (P) fall short of the text's keys (K). Each key ends with a
    quote, blanks and a colon (`":`, or a match of `_KEY_END_WITH_BLANKS`), and these ends
    don't overlap (one holds a quote only at its start, so one inside a string ends before
    the string's closing quote), so the ends (U) are at
    least K. P == U then means P == K: nothing repeated. A string holding `":` makes U
    larger: then the token scan (`duplicate_key_problems`) decides, as it always did."""
    entries = 0
    stack = [data]
    while stack:
        node = stack.pop()
        if node.__class__ is dict:
            entries += len(node)
            values: Any = node.values()
        elif node.__class__ is list:
            values = node
        else:
            continue
        for value in values:
            if value.__class__ is dict or value.__class__ is list:
                stack.append(value)
    return entries != text.count('":') + len(_KEY_END_WITH_BLANKS.findall(text))


def loads_strict(text: str) -> Any:
    """`json.loads` for text from outside (e.g. a registry answer), refusing what
    `loads_checked` refuses: raises json.JSONDecodeError or StrictJsonError (both
    ValueError) with the line and column."""
    data, problems = loads_checked(text)
    if problems:
        raise StrictJsonError(problems[0])
    return data


# -- locating ---------------------------------------------------------------------------------

# Strings (whole, so that nothing inside one matches), comments (which the lenient reader
# blanks but the strict one may meet), structure, and bare words (numbers, literals).
_TOKENS = re.compile(
    r'(?P<string>"(?:[^"\\\n]|\\.)*"?)'
    r"|//[^\n]*|/\*.*?(?:\*/|\Z)"
    r"|(?P<punct>[{}\[\]:])"
    r"|(?P<word>[-+0-9A-Za-z_.]+)",
    re.DOTALL,
)


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _tokens(text: str) -> Iterator[re.Match[str]]:
    return _TOKENS.finditer(text)


def _nesting_message() -> str:
    return (
        f"nested too deeply: more than {MAX_NESTING} levels of objects and arrays inside each other"
    )


def _nesting_problem(text: str) -> ParseProblem | None:
    """The first `{` or `[` that opens level MAX_NESTING + 1, or None when there is none."""
    depth = 0
    for match in _tokens(text):
        punct = match.group("punct")
        if punct is None:
            continue
        if punct in "{[":
            depth += 1
            if depth > MAX_NESTING:
                return ParseProblem(_nesting_message(), *_position(text, match.start()))
        elif punct in "}]":
            depth = max(0, depth - 1)
    return None


def _word_at(text: str, wanted) -> tuple[str, int] | None:
    for match in _tokens(text):
        word = match.group("word")
        if word is not None and wanted(word):
            return word, match.start()
    return None


_NON_FINITE = ("NaN", "Infinity", "-Infinity")


def _non_finite_problems(text: str, token: str) -> list[ParseProblem]:
    """Every NaN/Infinity literal of the file (the decoder stops at the first), or the
    number that overflowed."""
    if token not in _NON_FINITE:
        found = _word_at(text, lambda word: word == token)
        line, column = _position(text, found[1]) if found else (1, 1)
        message = f"invalid JSON: the number {token} is out of range (it would be infinite)"
        return [ParseProblem(message, line, column)]
    problems = [
        ParseProblem(
            f"invalid JSON: {match.group('word')} is not a JSON number (JSON has no NaN or "
            "Infinity: use a number, null, or leave the keyword out)",
            *_position(text, match.start()),
        )
        for match in _tokens(text)
        if match.group("word") in _NON_FINITE
    ]
    return problems or [ParseProblem(f"invalid JSON: {token} is not a JSON number", 1, 1)]


def _long_number_problem(text: str, exc: ValueError) -> ParseProblem:
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300
    found = _word_at(text, lambda word: sum(c.isdigit() for c in word) > (limit or 4300))
    if found is None:
        return ParseProblem(f"invalid JSON: {exc}", 1, 1)
    digits = sum(c.isdigit() for c in found[0])
    return ParseProblem(
        f"invalid JSON: a number with {digits:,} digits is too long (at most {limit:,})",
        *_position(text, found[1]),
    )


_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)


def _surrogate_problem(text: str) -> ParseProblem | None:
    """The first `\\uD8xx`-`\\uDFxx` escape that is not half of a proper pair."""
    for match in _tokens(text):
        string = match.group("string")
        if string is None or "\\u" not in string:
            continue
        escapes = list(_ESCAPE.finditer(string))
        skip_next = False
        for index, escape in enumerate(escapes):
            if skip_next:
                skip_next = False
                continue
            body = escape.group(1)
            if len(body) != 5:
                continue
            code = int(body[1:], 16)
            if 0xD800 <= code <= 0xDBFF:
                following = escapes[index + 1] if index + 1 < len(escapes) else None
                if (
                    following is not None
                    and following.start() == escape.end()
                    and len(following.group(1)) == 5
                    and 0xDC00 <= int(following.group(1)[1:], 16) <= 0xDFFF
                ):
                    skip_next = True
                    continue
            elif not 0xDC00 <= code <= 0xDFFF:
                continue
            at = match.start() + escape.start()
            return ParseProblem(
                f"invalid JSON: \\{body} is half of a UTF-16 surrogate pair, not a character "
                "(no UTF-8 file can hold it)",
                *_position(text, at),
            )
    return None


def duplicate_key_problems(text: str) -> list[ParseProblem]:
    """One problem per repeated key in an object, at the repeat (the first is named)."""
    problems: list[ParseProblem] = []
    # Stack of open containers: (is_object, {key: index of its first occurrence}).
    stack: list[tuple[bool, dict[str, int]]] = []
    pending: re.Match[str] | None = None
    for match in _tokens(text):
        punct = match.group("punct")
        if punct == ":" and pending is not None and stack and stack[-1][0]:
            key = _unescape(pending.group("string"))
            seen = stack[-1][1]
            if key in seen:
                first_line, _ = _position(text, seen[key])
                problems.append(
                    ParseProblem(
                        f"duplicate key {_shown(key)} in one object "
                        f"(first at line {first_line}): JSON readers disagree on which one "
                        "counts, so keep one",
                        *_position(text, pending.start()),
                    )
                )
            else:
                seen[key] = pending.start()
        pending = match if match.group("string") is not None else None
        if punct in ("{", "["):
            stack.append((punct == "{", {}))
        elif punct in ("}", "]") and stack:
            stack.pop()
    return problems


def _shown(key: str) -> str:
    """A key as JSON, readable; escaped where UTF-8 cannot carry it (a lone surrogate)."""
    text = json.dumps(key, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(key)
    return text


def _unescape(raw: str) -> str:
    try:
        value = json.loads(raw)
    except ValueError:
        return raw[1:-1]
    return value if isinstance(value, str) else raw[1:-1]


def nesting_depth(value: Any, stop_at: int = MAX_NESTING) -> int:
    """How deep lists and objects nest (a scalar is 0), without recursion; stops past `stop_at`.

    Level by level, with comprehensions: a 5,000-rule answer (150,000 values) takes ~30 ms.
    """
    level = [value] if isinstance(value, _CONTAINERS) else []
    depth = 0
    while level:
        depth += 1
        if depth > stop_at:
            return depth
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, _CONTAINERS)
        ]
    return depth


_CONTAINERS = (dict, list)


def nesting_depth_exceeds(value: Any, limit: int = MAX_NESTING) -> bool:
    """Whether a parsed value nests more than `limit` objects/arrays (iterative: no recursion)."""
    return nesting_depth(value, stop_at=limit) > limit
