"""Plans for the TypeScript emitter's tests: the demo plan and a hostile one (names and
descriptions chosen to break out of comments, strings and identifiers)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from reflekt.core.build.events import EventSchema
from reflekt.core.build.pipeline import load_event_schemas
from reflekt.core.cache_switch import caches_off
from reflekt.core.codegen.model import CodeEvent, VersionPolicy, code_events
from reflekt.core.project import load_project

DEMO_PROJECT = Path(__file__).resolve().parents[1] / "reflekt" / "demo" / "project"

# Everything that has broken generated code somewhere: comment closers, line and paragraph
# separators, bidi overrides, quotes, backslashes, a lone surrogate, emoji, TSDoc tags.
HOSTILE_TEXT = (
    'Ends */ a comment; "quotes" \\ back\\slash\nnew line\r\nCRLF \u2028 LS \u2029 PS '
    "\u202e bidi \u2066 isolate \ud800 lone 🎉 emoji @param x {@link y} `code` ${x} <!-- -->"
)
HOSTILE_NAMES = (
    "Cart Viewed",
    "CartViewed",
    "cart_viewed",
    "delete",
    "default",
    "constructor",
    "__proto__",
    "!!!",
    "???",
    "1st Visit",
    "Ünïcödé Ëvent",
    "emoji 🎉 event",
    "line\nbreak */ event",
    'quote " and back\\slash',
    "sep \u2028\u2029 event",
    "bidi \u202e evil",
    "lone \ud800 surrogate",
    "String",
    "Object",
    "AnalyticsClient",
    "setAnalytics",
    "Identity",
)
HOSTILE_KEYS = (
    "delete",
    "default",
    "constructor",
    "__proto__",
    "hasOwnProperty",
    "",
    " ",
    "a-b",
    "1st",
    "with\nnewline",
    'q"uote',
    "back\\slash",
    "*/",
    "\u2028",
    "\u202e",
    "🎉",
    "\ud800",
    "$dollar",
    "~/pointer",
)


def body(
    name: str,
    properties: dict[str, Any],
    *,
    required: list[str] | None = None,
    description: str = "",
    closed: bool = True,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A schema body as a schema file holds it."""
    result: dict[str, Any] = {
        "description": description,
        "self": {"vendor": "com.example", "name": name, "format": "jsonschema", "version": "1-0"},
        "type": "object",
        "properties": properties,
        "required": required or [],
        "additionalProperties": not closed,
    }
    if metadata is not None:
        result["metadata"] = metadata
    return result


def events_of(
    bodies: list[tuple[str, dict[str, Any]]], policy: VersionPolicy = "newest"
) -> list[CodeEvent]:
    """The code events of (schema id, body) pairs."""
    return code_events([EventSchema.from_body(sid, b) for sid, b in bodies], policy)


def demo_events() -> list[CodeEvent]:
    """The shipped demo's events, read in place: with caches off, so that nothing is written
    into the package's demo folder (`reflekt demo` lays out every file there)."""
    project = load_project(DEMO_PROJECT)
    with caches_off():
        return code_events(load_event_schemas(project, None).selected)


def hostile_bodies() -> list[tuple[str, dict[str, Any]]]:
    """One event per hostile name, plus identify/page/group/screen and keyed pages, with
    hostile keys, descriptions and types at every level."""
    hostile_props: dict[str, Any] = {
        key: {"type": "string", "description": HOSTILE_TEXT, "pattern": "^*/[\n]$"}
        for key in HOSTILE_KEYS
    }
    nested: dict[str, Any] = {
        "items": {
            "type": "array",
            "description": HOSTILE_TEXT,
            "items": {
                "type": "object",
                "properties": {
                    **hostile_props,
                    "deep": {
                        "type": "object",
                        "properties": {"x": {"type": ["integer", "null"]}},
                        "additionalProperties": False,
                    },
                },
                "required": ["delete", "__proto__"],
            },
        },
        "choice": {"enum": [HOSTILE_TEXT, "*/", 1.5, -0.0, 10**20, True, None, 3]},
        "fixed": {"const": "\u2028"},
        "maybe": {"anyOf": [{"type": "string"}, {"type": "object", "properties": {}}]},
        "ref": {"$ref": "#/definitions/x"},
        "empty_closed": {"type": "object", "properties": {}, "additionalProperties": False},
        "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
        "mixed": {"type": "array", "items": {"type": ["string", "number"]}},
    }
    bodies: list[tuple[str, dict[str, Any]]] = []
    for index, name in enumerate(HOSTILE_NAMES):
        props = hostile_props if index % 2 == 0 else {**hostile_props, **nested}
        bodies.append(
            (
                f"segment/hostile/E{index}/1-0.json",
                body(
                    name,
                    props,
                    required=["delete", "1st"] if index % 3 == 0 else [],
                    description=HOSTILE_TEXT,
                    closed=index % 2 == 0,
                    metadata={"owner": HOSTILE_TEXT},
                ),
            )
        )
    specials = [
        ("Identify", None),
        ("Group", None),
        ("Page", None),
        ("Screen", None),
        ("Home */ \u2028", "PAGE"),
        ("delete", "SCREEN"),
    ]
    for index, (name, rule) in enumerate(specials):
        meta = {"segment_rule_type": rule} if rule else None
        bodies.append(
            (
                f"segment/special/S{index}/1-0.json",
                body(name, {**hostile_props, **nested}, description=HOSTILE_TEXT, metadata=meta),
            )
        )
    # The same wire name from two folders, and two majors of one event.
    bodies.append(("segment/other/Cart_Viewed/1-0.json", body("Cart Viewed", {})))
    return bodies


def hostile_events() -> list[CodeEvent]:
    return events_of(hostile_bodies())


def clash_events() -> list[CodeEvent]:
    """Events whose names clash across kinds in both languages: `1st Visit` (TypeScript's
    type and function are both `_1stVisit`), `1` (TypeScript: type and function `_1`) with
    a nested object `2` (its type `_1_2`, as TypeScript's `_1_2` function of `1` and
    Python's `_1_2` function of `1 2`), and `1 2` (TypeScript: `_12` twice)."""
    nested = {"2": {"type": "object", "properties": {"x": {"type": "string"}}}}
    return events_of(
        [
            ("s/p/One/1-0.json", body("1", nested)),
            ("s/p/One_Two/1-0.json", body("1 2", {})),
            ("s/p/First_Visit/1-0.json", body("1st Visit", {})),
        ]
    )


def versioned_clash_events() -> list[CodeEvent]:
    """`Cart Viewed` and `Cart Viewed ` (a trailing space) at major 2 with version policy
    `all`: every name of theirs clashes, settled in wire-name order (`Cart Viewed` first)."""
    return events_of(
        [
            ("s/p/Cart_Viewed/2-0.json", body("Cart Viewed", {})),
            ("s/p/Cart_Viewed_/2-0.json", body("Cart Viewed ", {})),
        ],
        "all",
    )


_DECLARATION = re.compile(
    r"^export (?:interface|type|function) ([A-Za-z_$][A-Za-z0-9_$]*)", re.MULTILINE
)


def declared_names(text: str) -> list[str]:
    """The names the module exports, in order (duplicates kept, so a test can find them)."""
    return _DECLARATION.findall(text)
