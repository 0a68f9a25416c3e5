"""One reflekt 0.6 schema file in this project's format (pure: text in, text out).

0.6 kept `metadata`, `tests`, `metrics` and a `lint` switch inside `self`, marked properties
with `"lint": false`, and wrote `$id` without the registry level. Here `metadata`, `tests`
and `metrics` are top-level keys (as the seed's format has them), the switches become
`lint.ignore` entries of reflekt_project.yml (`core/lint/ignore.py`), and `$id` names the
registry folder. Everything else in the file stays as it is, key order included; the text is
written with the file's own indentation (0.6 wrote 4 spaces), so a file 0.6 wrote changes only
in the moved keys and git still sees a rename.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from reflekt.core.schemas import parse_schema_text

# What reflekt 0.6's `self.lint: false` skipped: its event checks (name and version against
# the id, casing, digits, reserved names); and a property's `lint: false`: its property checks.
EVENT_RULES_06 = (
    "name-matches-folder",
    "version-matches-file",
    "event-casing",
    "event-numbers",
    "event-reserved",
)
PROPERTY_RULES_06 = (
    "property-casing",
    "property-numbers",
    "property-reserved",
    "property-description",
    "property-type",
    "data-types",
)
MOVED_OUT_OF_SELF = ("metadata", "tests", "metrics")
_INDENT = re.compile(r"^\{\s*\n([ \t]+)\S")


@dataclass(frozen=True)
class IgnoreEntry:
    """A `lint.ignore` entry the migration adds for a 0.6 `lint: false`."""

    select: str  # the schema's id without `.json`
    rules: tuple[str, ...]
    property: str | None
    reason: str


@dataclass(frozen=True)
class ConvertedSchema:
    """The new text of a schema file, what changed in it, and the lint switches it held."""

    text: str
    changes: tuple[str, ...]
    ignores: tuple[IgnoreEntry, ...]
    notes: tuple[str, ...] = ()


def needs_conversion(body: dict[str, Any], new_id: str) -> bool:
    """Whether a schema body still has 0.6's shape (or an id without the registry level)."""
    block = body.get("self")
    if isinstance(block, dict) and any(k in block for k in (*MOVED_OUT_OF_SELF, "lint")):
        return True
    if isinstance(body.get("$id"), str) and _id_without_registry(body["$id"], new_id):
        return True
    return bool(_property_switches(body))


def convert_schema(text: str, old_id: str, new_id: str) -> ConvertedSchema:
    """`text` of the file at `old_id` (`ecommerce/Cart_Viewed/1-0.json`) as the file at
    `new_id` (`segment/ecommerce/Cart_Viewed/1-0.json`).

    A file that is not plain JSON (comments, trailing commas, a syntax error) is moved as it
    is, with a note: rewriting it would drop what the user wrote.
    """
    body, problems = parse_schema_text(text)
    if body is None or problems:
        return ConvertedSchema(
            text,
            (),
            (),
            (f"schemas/{new_id}: not plain JSON, moved unchanged (fix it, then `reflekt lint`)",),
        )
    changes: list[str] = []
    notes: list[str] = []
    ignores: list[IgnoreEntry] = []
    select = new_id.removesuffix(".json")
    out: dict[str, Any] = {}
    hoisted: dict[str, Any] = {}
    block = body.get("self")
    if isinstance(block, dict):
        kept = {}
        for key, value in block.items():
            if key in MOVED_OUT_OF_SELF:
                hoisted[key] = value
                changes.append(f"self.{key} -> {key}")
            elif key == "lint":
                changes.append("self.lint removed")
                if value is False:
                    ignores.append(IgnoreEntry(select, EVENT_RULES_06, None, "self.lint: false"))
                elif value is not True:
                    notes.append(f"schemas/{new_id}: self.lint was {json.dumps(value)}, dropped")
            else:
                kept[key] = value
        block = kept
    for key, value in body.items():
        if key == "$id" and isinstance(value, str) and _id_without_registry(value, new_id):
            out[key] = _with_registry(value, new_id)
            changes.append(f"$id {value} -> {out[key]}")
        elif key == "self" and isinstance(block, dict):
            out[key] = block
            for name, moved in hoisted.items():
                if name in body and body[name] != moved:
                    notes.append(
                        f"schemas/{new_id}: both self.{name} and {name} were set; kept {name} "
                        f"and dropped self.{name} ({_short(moved)})"
                    )
                elif name not in body:
                    out[name] = moved
        else:
            out[key] = value
    for path, prop in _property_switches(out):
        if prop.pop("lint") is False:
            ignores.append(IgnoreEntry(select, PROPERTY_RULES_06, path, "property lint: false"))
        changes.append(f"properties.{path}.lint removed")
    if not changes:
        return ConvertedSchema(text, (), ())
    return ConvertedSchema(dump_like(out, text), tuple(changes), tuple(ignores), tuple(notes))


def _id_without_registry(value: str, new_id: str) -> bool:
    registry = new_id.split("/", 1)[0]
    return not value.startswith(registry + "/")


def _with_registry(value: str, new_id: str) -> str:
    """0.6's `ecommerce/Cart_Viewed/1-0.json` with the registry folder in front."""
    registry = new_id.split("/", 1)[0]
    return f"{registry}/{value.lstrip('/')}"


def _property_switches(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(dotted path, property schema) of every property holding a boolean `lint` key."""
    found: list[tuple[str, dict[str, Any]]] = []

    def visit(node: Any, dotted: str) -> None:
        if not isinstance(node, dict):
            return
        props = node.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                path = f"{dotted}.{name}" if dotted else str(name)
                if isinstance(sub, dict):
                    if isinstance(sub.get("lint"), bool):
                        found.append((path, sub))
                    visit(sub, path)
        items = node.get("items")
        if isinstance(items, dict):
            visit(items, f"{dotted}.items" if dotted else "items")

    visit(body, "")
    return found


def dump_like(body: dict[str, Any], original: str) -> str:
    """`body` as JSON with the original file's indentation (0.6: 4 spaces, non-ASCII kept)."""
    match = _INDENT.match(original)
    indent: int | str = 2
    if match:
        whitespace = match.group(1)
        indent = len(whitespace) if set(whitespace) == {" "} else whitespace
    return json.dumps(body, indent=indent, ensure_ascii=False) + "\n"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."
