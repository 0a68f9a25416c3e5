"""A fast "certainly valid" answer to RF102's question (is this a draft-07 schema?) for the
schemas real plans hold, so the compiled meta-schema check runs only for the others.

The draft-07 meta-schema was a fifth of a cold lint's time (14 nested subschemas per file,
each a call chain of the generated validator). Most subschemas are plain: `{"type":
"string", "description": "..."}`. `certainly_valid` walks the schema once and answers True
only when every keyword it meets is one whose draft-07 rule it checks exactly here (the
types, numbers, strings, arrays of the meta-schema, with Reflekt's `any` type); anything
else (`pattern`, `patternProperties`, `dependencies`, a float where an integer is asked)
makes it answer False, and the full validator decides. So it can only skip work, never
change a finding: a hypothesis test compares it with the full validator.
"""

from __future__ import annotations

import re
from typing import Any

SIMPLE_TYPES = frozenset(
    ("array", "boolean", "integer", "null", "number", "object", "string", "any")
)
# The meta-schema's format regexes for `$schema` (uri) and `$id`/`$ref` (uri-reference),
# as fastjsonschema checks them (its FORMAT_REGEXS).
_URI = re.compile(r"^\w+:(\/?\/?)[^\s]+\Z")
_URI_REFERENCE = re.compile(r"^(\w+:(\/?\/?))?[^#\\\s]*(#[^\\\s]*)?\Z")
_STRING_KEYS = frozenset(
    ("$comment", "title", "description", "format", "contentMediaType", "contentEncoding")
)
_NUMBER_KEYS = frozenset(("maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"))
_COUNT_KEYS = frozenset(
    ("maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties")
)
_BOOLEAN_KEYS = frozenset(("readOnly", "uniqueItems"))
_SCHEMA_KEYS = frozenset(
    [
        "additionalItems",
        "contains",
        "additionalProperties",
        "propertyNames",
        "if",
        "then",
        "else",
        "not",
    ]
)
_SCHEMA_LIST_KEYS = frozenset(("allOf", "anyOf", "oneOf"))
_SCHEMA_MAP_KEYS = frozenset(("definitions", "properties"))
_ANY_VALUE_KEYS = frozenset(("default", "const"))
MAX_DEPTH = 64  # deeper: the full validator decides


def certainly_valid(node: Any) -> bool:
    """True when `node` is a valid draft-07 schema by the checks above; False means
    "not known": ask the full validator."""
    return _schema(node, 0)


def _is_number(value: Any) -> bool:
    return (value.__class__ is int or value.__class__ is float) and value == value


def _schema(node: Any, depth: int) -> bool:
    if node is True or node is False:
        return True
    if node.__class__ is not dict or depth > MAX_DEPTH:
        return False
    for key, value in node.items():
        if key in _STRING_KEYS:
            if value.__class__ is not str:
                return False
        elif key == "type":
            if not _type(value):
                return False
        elif key in _SCHEMA_MAP_KEYS:
            if value.__class__ is not dict:
                return False
            for sub in value.values():
                if not _schema(sub, depth + 1):
                    return False
        elif key == "items":
            if value.__class__ is list:
                if not value or not all(_schema(sub, depth + 1) for sub in value):
                    return False
            elif not _schema(value, depth + 1):
                return False
        elif key == "required":
            if not _unique_strings(value):
                return False
        elif key == "enum" or key == "examples":
            if value.__class__ is not list:
                return False
        elif key in _ANY_VALUE_KEYS:
            continue
        elif key in _NUMBER_KEYS:
            if not _is_number(value):
                return False
        elif key in _COUNT_KEYS:
            if value.__class__ is not int or value < 0:
                return False
        elif key in _BOOLEAN_KEYS:
            if value.__class__ is not bool:
                return False
        elif key in _SCHEMA_KEYS:
            if not _schema(value, depth + 1):
                return False
        elif key in _SCHEMA_LIST_KEYS:
            if value.__class__ is not list or not value:
                return False
            if not all(_schema(sub, depth + 1) for sub in value):
                return False
        elif key == "multipleOf":
            if not _is_number(value) or value <= 0:
                return False
        elif key == "$schema":
            if value.__class__ is not str or _URI.match(value) is None:
                return False
        elif key in ("$id", "$ref"):
            if value.__class__ is not str or _URI_REFERENCE.match(value) is None:
                return False
        elif key in _CHECKED_ELSEWHERE:
            return False  # a rule this module does not check: the full validator decides
        # Any other key is no keyword of draft-07: the meta-schema allows it.
    return True


# Keywords of the meta-schema whose rules are not checked here (formats, nested forms).
_CHECKED_ELSEWHERE = frozenset(("pattern", "patternProperties", "dependencies"))


def _type(value: Any) -> bool:
    if value.__class__ is str:
        return value in SIMPLE_TYPES
    if value.__class__ is not list or not value:
        return False
    return all(v.__class__ is str and v in SIMPLE_TYPES for v in value) and len(set(value)) == len(
        value
    )


def _unique_strings(value: Any) -> bool:
    if value.__class__ is not list:
        return False
    return all(v.__class__ is str for v in value) and len(set(value)) == len(value)
