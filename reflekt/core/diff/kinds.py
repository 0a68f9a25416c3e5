"""Every kind of change the diff can report, as one table (buf's breaking rules, as data).

Why a table: a change's class (MAJOR / MINOR / NONE) decides whether CI fails, so it must not
depend on which line of the diff noticed the change. Each kind is declared once here with its
code, class, category and purpose; the structural diff emits kinds, never a free-form class
(`Change.change_class` is read from the kind), so a code cannot carry two classes. The README's
table of changes and `reflekt diff --list-changes` are generated from `KINDS`.

Codes are stable: they appear in JSON output and CI annotations. Adding a kind: declare it
below, add it to `KINDS`, emit it from `structural.py`, regenerate the README table
(`python -m reflekt.core.diff.docs README.md`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

ChangeClass = Literal["MAJOR", "MINOR", "NONE"]

MAJOR: Final = "MAJOR"
MINOR: Final = "MINOR"
NONE: Final = "NONE"
RANK: Final[dict[ChangeClass, int]] = {NONE: 0, MINOR: 1, MAJOR: 2}

Category = Literal["event", "property", "type", "enum", "constraint", "keyword", "docs"]
CATEGORIES: Final[dict[Category, str]] = {
    "event": "an event appears or disappears",
    "property": "a property appears, disappears, is renamed or changes requiredness",
    "type": "the `type` keyword",
    "enum": "`enum` values",
    "constraint": "bounds, restrictions and `additionalProperties`",
    "keyword": "JSON Schema keywords the diff does not model, and non-schema keys",
    "docs": "descriptions, metadata and annotations: no effect on the data",
}


@dataclass(frozen=True)
class ChangeKind:
    """One kind of change: `code` (stable id), its class, a category and what it means."""

    code: str
    change_class: ChangeClass
    category: Category
    purpose: str


def _kind(code: str, change_class: ChangeClass, category: Category, purpose: str) -> ChangeKind:
    return ChangeKind(code, change_class, category, purpose)


EVENT_ADDED = _kind("EVENT_ADDED", MINOR, "event", "A new event (no base version).")
EVENT_REMOVED = _kind(
    "EVENT_REMOVED", MAJOR, "event", "An event of the base is not in the local selection."
)
PROPERTY_ADDED_REQUIRED = _kind(
    "PROPERTY_ADDED_REQUIRED",
    MAJOR,
    "property",
    "A required property added: data collected before lacks it.",
)
PROPERTY_ADDED_OPTIONAL = _kind(
    "PROPERTY_ADDED_OPTIONAL", MINOR, "property", "An optional property added."
)
PROPERTY_REMOVED_REQUIRED = _kind(
    "PROPERTY_REMOVED_REQUIRED",
    MAJOR,
    "property",
    "A required property removed: queries that read it break.",
)
PROPERTY_REMOVED_OPTIONAL = _kind(
    "PROPERTY_REMOVED_OPTIONAL", MINOR, "property", "An optional property removed."
)
PROPERTY_RENAMED_REQUIRED = _kind(
    "PROPERTY_RENAMED_REQUIRED",
    MAJOR,
    "property",
    "A required property removed and one with the same type and description added: a rename.",
)
PROPERTY_RENAMED_OPTIONAL = _kind(
    "PROPERTY_RENAMED_OPTIONAL",
    MINOR,
    "property",
    "An optional property renamed (same type and description under a new name).",
)
PROPERTY_MADE_REQUIRED = _kind(
    "PROPERTY_MADE_REQUIRED", MAJOR, "property", "An optional property is now required."
)
PROPERTY_MADE_OPTIONAL = _kind(
    "PROPERTY_MADE_OPTIONAL", MINOR, "property", "A required property is now optional."
)
TYPE_CHANGED = _kind(
    "TYPE_CHANGED",
    MAJOR,
    "type",
    "The type changed to one that accepts other values (`integer` -> `string`).",
)
TYPE_NARROWED = _kind(
    "TYPE_NARROWED",
    MAJOR,
    "type",
    "The type accepts fewer values (`number` -> `integer`, `any` -> `string`, `null` dropped).",
)
TYPE_WIDENED = _kind(
    "TYPE_WIDENED",
    MAJOR,
    "type",
    'The type accepts more values (`integer` -> `number`, `"null"` added, `string` -> `any`):'
    " the warehouse column changes type. Reported as TYPE_WIDENED_ALLOWED with"
    " `diff.type_widening: minor`.",
)
TYPE_WIDENED_ALLOWED = _kind(
    "TYPE_WIDENED_ALLOWED",
    MINOR,
    "type",
    "A widened type where reflekt_project.yml sets `diff.type_widening: minor` (data-validity"
    " semantics: data collected before stays valid).",
)
TYPE_MADE_EXPLICIT = _kind(
    "TYPE_MADE_EXPLICIT",
    NONE,
    "type",
    "A `type` added that the property's `enum` or `const` already implied: same values.",
)
TYPE_MADE_IMPLICIT = _kind(
    "TYPE_MADE_IMPLICIT",
    NONE,
    "type",
    "A `type` removed that the property's `enum` or `const` still implies: same values.",
)
ENUM_ADDED = _kind("ENUM_ADDED", MAJOR, "enum", "The property is now restricted to an `enum`.")
ENUM_REMOVED = _kind(
    "ENUM_REMOVED", MINOR, "enum", "The property is no longer restricted to an `enum`."
)
ENUM_VALUES_ADDED = _kind("ENUM_VALUES_ADDED", MINOR, "enum", "Values added to an `enum`.")
ENUM_VALUES_REMOVED = _kind("ENUM_VALUES_REMOVED", MAJOR, "enum", "Values removed from an `enum`.")
CONSTRAINT_TIGHTENED = _kind(
    "CONSTRAINT_TIGHTENED",
    MAJOR,
    "constraint",
    "A bound or restriction added or tightened (`maxLength`, `minimum`, `pattern`, `format`,"
    " `const`, `multipleOf`, `uniqueItems`, ...).",
)
CONSTRAINT_LOOSENED = _kind(
    "CONSTRAINT_LOOSENED",
    MINOR,
    "constraint",
    "A bound or restriction removed or loosened (a sub-schema replaced by `true` too).",
)
ADDITIONAL_PROPERTIES_CLOSED = _kind(
    "ADDITIONAL_PROPERTIES_CLOSED",
    MAJOR,
    "constraint",
    "`additionalProperties: false` set: undeclared properties are rejected.",
)
ADDITIONAL_PROPERTIES_OPENED = _kind(
    "ADDITIONAL_PROPERTIES_OPENED",
    MINOR,
    "constraint",
    "`additionalProperties` no longer false (or no longer a schema): more properties accepted.",
)
KEYWORD_CHANGED = _kind(
    "KEYWORD_CHANGED",
    MAJOR,
    "keyword",
    "A JSON Schema keyword the diff does not model (`oneOf`, `anyOf`, `allOf`, `not`,"
    " `if`/`then`/`else`, `patternProperties`, `dependencies`, `$ref`, tuple `items`, a"
    " schema in `additionalProperties`, ...) added or changed: it may reject data that was"
    " valid.",
)
KEYWORD_REMOVED = _kind(
    "KEYWORD_REMOVED",
    MINOR,
    "keyword",
    "A keyword the diff does not model removed entirely, where that can only accept more data"
    " (`oneOf`, `anyOf`, `allOf`, `not`, `if`/`then`/`else`, `dependencies`,"
    " `dependentRequired`, `patternProperties` unless `additionalProperties` is set, ...).",
)
EXTENSION_CHANGED = _kind(
    "EXTENSION_CHANGED",
    MINOR,
    "keyword",
    "A key that is not JSON Schema (e.g. `x-owner`) changed: validators ignore it, other"
    " tools may read it.",
)
DESCRIPTION_CHANGED = _kind(
    "DESCRIPTION_CHANGED", NONE, "docs", "The event's or a property's description changed."
)
METADATA_CHANGED = _kind(
    "METADATA_CHANGED",
    NONE,
    "docs",
    "The event's `metadata` changed (`metadata.segment_rule` is not compared).",
)
ANNOTATION_CHANGED = _kind(
    "ANNOTATION_CHANGED",
    NONE,
    "docs",
    "An annotation changed (`title`, `examples`, `default`, `$comment`, `deprecated`,"
    " `readOnly`, `writeOnly`).",
)

KINDS: Final[tuple[ChangeKind, ...]] = (
    EVENT_ADDED,
    EVENT_REMOVED,
    PROPERTY_ADDED_REQUIRED,
    PROPERTY_ADDED_OPTIONAL,
    PROPERTY_REMOVED_REQUIRED,
    PROPERTY_REMOVED_OPTIONAL,
    PROPERTY_RENAMED_REQUIRED,
    PROPERTY_RENAMED_OPTIONAL,
    PROPERTY_MADE_REQUIRED,
    PROPERTY_MADE_OPTIONAL,
    TYPE_CHANGED,
    TYPE_NARROWED,
    TYPE_WIDENED,
    TYPE_WIDENED_ALLOWED,
    TYPE_MADE_EXPLICIT,
    TYPE_MADE_IMPLICIT,
    ENUM_ADDED,
    ENUM_REMOVED,
    ENUM_VALUES_ADDED,
    ENUM_VALUES_REMOVED,
    CONSTRAINT_TIGHTENED,
    CONSTRAINT_LOOSENED,
    ADDITIONAL_PROPERTIES_CLOSED,
    ADDITIONAL_PROPERTIES_OPENED,
    KEYWORD_CHANGED,
    KEYWORD_REMOVED,
    EXTENSION_CHANGED,
    DESCRIPTION_CHANGED,
    METADATA_CHANGED,
    ANNOTATION_CHANGED,
)
BY_CODE: Final[dict[str, ChangeKind]] = {kind.code: kind for kind in KINDS}
