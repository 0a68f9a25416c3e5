"""Structural diff of two event schemas: which kinds of change turn one into the other.

Why: users must know before a push whether a change breaks consumers of the data. A change is
MAJOR when data valid under the old schema may be invalid under the new one (or the other way
round for required fields), or when a property's type changes (its warehouse column does);
MINOR when it is compatible; NONE when it only touches documentation. Every change is emitted
as a kind of `kinds.py`, which holds its class.

Types: `"type": "any"` (the seed's data type, stored by Segment) and a property without a
type both accept every value, so no type <-> `any` is no change. A `type` added or removed
where the property's `enum`/`const` implies the same values is TYPE_MADE_EXPLICIT/IMPLICIT
(NONE), not a narrowing.

Keywords the diff does not model (`oneOf`, `patternProperties`, `if`/`then`, `$ref`...) are
MAJOR when added or changed (the diff cannot prove they accept the old data), MINOR when
removed entirely where that can only accept more. `metadata.segment_rule` (what a pull kept
of a Segment rule beyond the schema) and `metadata.iglu` (the Iglu version a file is) are
not compared: they describe the registry's copy.
"""

from __future__ import annotations

import json
from typing import Any

from reflekt.core.diff import kinds as K
from reflekt.core.diff.changes import Change
from reflekt.core.diff.settings import DEFAULT_SETTINGS, DiffSettings

# Keys of a schema body that name the file rather than describe the data.
_IGNORED_TOP = frozenset({"$id", "$schema", "self"})
# Metadata keys holding a registry's content beyond the schema (see the module docstring).
_KEPT_METADATA = frozenset({"segment_rule", "iglu"})
_ANNOTATIONS = frozenset(
    {"title", "examples", "default", "$comment", "deprecated", "readOnly", "writeOnly"}
)
# keyword -> which direction tightens: "max" = a lower value is tighter, "min" = a higher one.
_BOUNDS = {
    "maxLength": "max",
    "maximum": "max",
    "exclusiveMaximum": "max",
    "maxItems": "max",
    "maxProperties": "max",
    "minLength": "min",
    "minimum": "min",
    "exclusiveMinimum": "min",
    "minItems": "min",
    "minProperties": "min",
}
_RESTRICTIONS = ("pattern", "format", "const", "multipleOf", "uniqueItems")
_HANDLED = frozenset(
    {
        "type",
        "description",
        "properties",
        "required",
        "additionalProperties",
        "enum",
        "items",
        "metadata",
        *_BOUNDS,
        *_RESTRICTIONS,
        *_ANNOTATIONS,
    }
)
# Every keyword of JSON Schema (draft-07 to 2020-12); other keys are extensions, which
# validators ignore.
_SCHEMA_KEYWORDS = frozenset(
    {
        *_HANDLED,
        "$id",
        "$schema",
        "$ref",
        "$defs",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
        "$recursiveAnchor",
        "$vocabulary",
        "definitions",
        "additionalItems",
        "prefixItems",
        "contains",
        "minContains",
        "maxContains",
        "patternProperties",
        "propertyNames",
        "dependencies",
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedProperties",
        "unevaluatedItems",
        "if",
        "then",
        "else",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "contentMediaType",
        "contentEncoding",
        "contentSchema",
    }
)
# Keywords whose removal can only accept more data: each one only adds a check. (Not `$ref`:
# in draft-07 it hides its siblings; not `minContains`: its default is 1.)
_LOOSENED_BY_REMOVAL = frozenset(
    {
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "dependencies",
        "dependentRequired",
        "dependentSchemas",
        "propertyNames",
        "contains",
        "maxContains",
        "additionalItems",
        "patternProperties",
    }
)
_ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})


def diff_schemas(
    old: dict[str, Any], new: dict[str, Any], settings: DiffSettings = DEFAULT_SETTINGS
) -> list[Change]:
    """Typed changes turning schema body `old` into `new` (both JSON Schema objects).

    `$id`, `$schema` and `self` are ignored: they name the file, not the data.
    """
    out: list[Change] = []
    old_top = {k: v for k, v in (old or {}).items() if k not in _IGNORED_TOP}
    new_top = {k: v for k, v in (new or {}).items() if k not in _IGNORED_TOP}
    if old_top.get("description", "") != new_top.get("description", ""):
        out.append(
            Change(
                K.DESCRIPTION_CHANGED,
                "",
                "event description changed",
                old_top.get("description"),
                new_top.get("description"),
            )
        )
    old_metadata, new_metadata = _metadata(old_top), _metadata(new_top)
    if old_metadata != new_metadata:
        out.append(Change(K.METADATA_CHANGED, "", "metadata changed", old_metadata, new_metadata))
    _Differ(settings, out).node(old_top, new_top, "", top=True)
    return out


def _metadata(top: dict[str, Any]) -> Any:
    """An event's metadata as compared: without what a pull kept of the registry's copy."""
    metadata = top.get("metadata") or {}
    if isinstance(metadata, dict):
        return {k: v for k, v in metadata.items() if k not in _KEPT_METADATA}
    return metadata


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _label(path: str) -> str:
    return f"property '{path}'" if path else "the event"


def _show(value: Any) -> str:
    if value is None:
        return "any"
    return json.dumps(value, ensure_ascii=False)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _declared_types(node: dict[str, Any]) -> frozenset[str]:
    """The types `type` allows (every type when absent or `any`)."""
    value = node.get("type")
    if value is None or value == "any":
        return _ALL_TYPES
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):  # lint reports it (RF102); the diff cannot compare it
        raise TypeError(f"'type' is {_key(value)}, not a type name or a list of them")
    types = {str(t) for t in value}
    if "any" in types:
        return _ALL_TYPES
    return frozenset(types)


def _value_type(value: Any) -> str:
    """The JSON Schema type of a JSON value (`1.0` is an integer, as JSON Schema says)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _effective_types(node: dict[str, Any]) -> frozenset[str]:
    """The types of the values the node accepts: its `enum`/`const` values' types when it has
    them (those the declared type allows), else the declared types."""
    declared = _declared_types(node)
    if "const" in node:
        values: list[Any] = [node["const"]]
    elif isinstance(node.get("enum"), list):
        values = node["enum"]
    else:
        return declared
    return frozenset(t for t in map(_value_type, values) if _accepts(declared, t))


def _accepts(types: frozenset[str], kind: str) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    return all(_accepts(wide, kind) for kind in narrow)


class _Differ:
    """One walk over two schemas, appending to `out`; `settings` picks settings-bound kinds."""

    def __init__(self, settings: DiffSettings, out: list[Change]) -> None:
        self.settings = settings
        self.out = out

    def emit(self, kind: K.ChangeKind, path: str, message: str, old: Any, new: Any) -> None:
        self.out.append(Change(kind, path, message, old, new))

    def node(self, old: Any, new: Any, path: str, top: bool = False) -> None:
        """Compare two (sub)schemas at `path`."""
        if not isinstance(old, dict) or not isinstance(new, dict):
            if old != new:
                loosened = new is True or new == {} or old is False  # now accepts more
                kind = K.CONSTRAINT_LOOSENED if loosened else K.KEYWORD_CHANGED
                self.emit(kind, path, f"{_label(path)} changed", old, new)
            return
        if not top and old.get("description", "") != new.get("description", ""):
            self.emit(
                K.DESCRIPTION_CHANGED,
                path,
                f"description of {_label(path)} changed",
                old.get("description"),
                new.get("description"),
            )
        self.type(old, new, path)
        self.enum(old, new, path)
        self.bounds(old, new, path)
        self.restrictions(old, new, path)
        if "properties" in old or "properties" in new or "required" in old or "required" in new:
            self.properties(old, new, path)
        self.additional(old, new, path)
        if "items" in old or "items" in new:
            self.items(old, new, path)
        for key in sorted((set(old) | set(new)) - _HANDLED):
            if old.get(key) != new.get(key):
                self.keyword(key, old, new, path)
        for key in sorted(_ANNOTATIONS & (set(old) | set(new))):
            if old.get(key) != new.get(key):
                self.emit(
                    K.ANNOTATION_CHANGED,
                    path,
                    f"'{key}' of {_label(path)} changed",
                    old.get(key),
                    new.get(key),
                )

    def items(self, old: dict, new: dict, path: str) -> None:
        items_path = f"{path}[]" if path else "[]"
        old_items, new_items = old.get("items", {}), new.get("items", {})
        if not isinstance(old_items, list) and not isinstance(new_items, list):
            self.node(old_items, new_items, items_path)  # one schema for every item
        elif old_items != new_items:  # tuple form: a schema per position
            removed = "items" not in new
            kind = K.KEYWORD_REMOVED if removed else K.KEYWORD_CHANGED
            message = "array items no longer checked" if removed else "array items changed"
            self.emit(kind, items_path, message, old_items, new.get("items"))

    def keyword(self, key: str, old: dict, new: dict, path: str) -> None:
        """A keyword the diff does not model: MAJOR unless provably loosening."""
        before, after = old.get(key), new.get(key)
        if key not in _SCHEMA_KEYWORDS:
            kind = K.EXTENSION_CHANGED
        elif key not in new and self._removal_loosens(key, new):
            kind = K.KEYWORD_REMOVED
        else:
            kind = K.KEYWORD_CHANGED
        if key not in new:
            verb = "removed from"
        else:
            verb = "added to" if key not in old else "changed in"
        self.emit(kind, path, f"'{key}' {verb} {_label(path)}", before, after)

    @staticmethod
    def _removal_loosens(key: str, new: dict) -> bool:
        if key not in _LOOSENED_BY_REMOVAL:
            return False
        if "unevaluatedProperties" in new or "unevaluatedItems" in new:
            return False  # what the keyword evaluated may now be unevaluated, and rejected
        if key == "patternProperties":
            # Names it matched now fall under additionalProperties.
            return new.get("additionalProperties", True) is True
        return True

    def type(self, old: dict, new: dict, path: str) -> None:
        declared_old, declared_new = _declared_types(old), _declared_types(new)
        if declared_old == declared_new:
            return
        old_value, new_value = old.get("type"), new.get("type")
        old_types, new_types = declared_old, declared_new
        if _ALL_TYPES in (declared_old, declared_new):
            # One side states no type: the enum/const values may say what it is.
            old_types, new_types = _effective_types(old), _effective_types(new)
            if _covers(old_types, new_types) and _covers(new_types, old_types):
                explicit = declared_new != _ALL_TYPES
                kind = K.TYPE_MADE_EXPLICIT if explicit else K.TYPE_MADE_IMPLICIT
                which = "const" if "const" in (old if explicit else new) else "enum"
                verb = "now states" if explicit else "no longer states"
                message = f"{_label(path)} {verb} its type, which its {which} implies"
                self.emit(kind, path, message, old_value, new_value)
                return
        if _covers(new_types, old_types):
            allowed = self.settings.type_widening == "minor"
            kind = K.TYPE_WIDENED_ALLOWED if allowed else K.TYPE_WIDENED
            self.emit(kind, path, f"type of {_label(path)} widened", old_value, new_value)
        elif _covers(old_types, new_types):
            message = f"type of {_label(path)} narrowed"
            self.emit(K.TYPE_NARROWED, path, message, old_value, new_value)
        else:
            message = (
                f"type of {_label(path)} changed from {_show(old_value)} to {_show(new_value)}"
            )
            self.emit(K.TYPE_CHANGED, path, message, old_value, new_value)

    def enum(self, old: dict, new: dict, path: str) -> None:
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if old_enum == new_enum:
            return
        if old_enum is None:
            message = f"{_label(path)} now restricted to an enum"
            self.emit(K.ENUM_ADDED, path, message, None, new_enum)
            return
        if new_enum is None:
            message = f"{_label(path)} no longer restricted to an enum"
            self.emit(K.ENUM_REMOVED, path, message, old_enum, None)
            return
        if not isinstance(old_enum, list) or not isinstance(new_enum, list):
            self.emit(
                K.KEYWORD_CHANGED, path, f"'enum' of {_label(path)} changed", old_enum, new_enum
            )
            return
        old_keys = {_key(v): v for v in old_enum}
        new_keys = {_key(v): v for v in new_enum}
        removed = [old_keys[k] for k in old_keys if k not in new_keys]
        added = [new_keys[k] for k in new_keys if k not in old_keys]
        if removed:
            message = f"enum values removed from {_label(path)}: {_show(removed)}"
            self.emit(K.ENUM_VALUES_REMOVED, path, message, removed, None)
        if added:
            message = f"enum values added to {_label(path)}: {_show(added)}"
            self.emit(K.ENUM_VALUES_ADDED, path, message, None, added)

    def bounds(self, old: dict, new: dict, path: str) -> None:
        for keyword, direction in _BOUNDS.items():
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            if before is None:
                tightened = True
            elif after is None:
                tightened = False
            else:
                try:
                    tightened = after < before if direction == "max" else after > before
                except TypeError:
                    tightened = True
            self.bound(keyword, path, before, after, tightened)

    def restrictions(self, old: dict, new: dict, path: str) -> None:
        for keyword in _RESTRICTIONS:
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            tightened = after is not None  # added or changed restricts; removed loosens
            if keyword == "uniqueItems":
                tightened = bool(after)
            self.bound(keyword, path, before, after, tightened)

    def bound(self, keyword: str, path: str, before: Any, after: Any, tightened: bool) -> None:
        kind = K.CONSTRAINT_TIGHTENED if tightened else K.CONSTRAINT_LOOSENED
        verb = "tightened" if tightened else "loosened"
        message = f"'{keyword}' of {_label(path)} {verb} ({_show(before)} -> {_show(after)})"
        self.emit(kind, path, message, before, after)

    def additional(self, old: dict, new: dict, path: str) -> None:
        before = old.get("additionalProperties", True)
        after = new.get("additionalProperties", True)
        if before == after:
            return
        if after is False:
            message = f"{_label(path)} no longer accepts additional properties"
            self.emit(K.ADDITIONAL_PROPERTIES_CLOSED, path, message, before, after)
        elif before is False or after is True or after == {}:
            message = f"{_label(path)} now accepts additional properties"
            self.emit(K.ADDITIONAL_PROPERTIES_OPENED, path, message, before, after)
        else:  # a schema for additional properties, added or changed
            message = f"'additionalProperties' of {_label(path)} changed"
            self.emit(K.KEYWORD_CHANGED, path, message, before, after)

    def properties(self, old: dict, new: dict, path: str) -> None:
        old_props = old.get("properties") or {}
        new_props = new.get("properties") or {}
        old_req = set(old.get("required") or [])
        new_req = set(new.get("required") or [])
        removed = [name for name in old_props if name not in new_props]
        added = [name for name in new_props if name not in old_props]

        # A removed and an added property with the same type and description: a rename.
        renames: dict[str, str] = {}
        free_added = list(added)
        for name in removed:
            signature = _rename_signature(old_props[name])
            for candidate in free_added:
                if _rename_signature(new_props[candidate]) == signature:
                    renames[name] = candidate
                    free_added.remove(candidate)
                    break
        for old_name, new_name in renames.items():
            required = old_name in old_req or new_name in new_req
            kind = K.PROPERTY_RENAMED_REQUIRED if required else K.PROPERTY_RENAMED_OPTIONAL
            message = (
                f"{'required' if required else 'optional'} property '{_join(path, old_name)}' "
                f"renamed to '{_join(path, new_name)}'"
            )
            self.emit(kind, _join(path, old_name), message, old_name, new_name)
        for name in removed:
            if name in renames:
                continue
            sub = _join(path, name)
            if name in old_req:
                message = f"required property '{sub}' removed"
                self.emit(K.PROPERTY_REMOVED_REQUIRED, sub, message, old_props[name], None)
            else:
                message = f"optional property '{sub}' removed"
                self.emit(K.PROPERTY_REMOVED_OPTIONAL, sub, message, old_props[name], None)
        for name in free_added:
            sub = _join(path, name)
            if name in new_req:
                message = f"required property '{sub}' added"
                self.emit(K.PROPERTY_ADDED_REQUIRED, sub, message, None, new_props[name])
            else:
                message = f"optional property '{sub}' added"
                self.emit(K.PROPERTY_ADDED_OPTIONAL, sub, message, None, new_props[name])
        for name in old_props:
            if name not in new_props:
                continue
            sub = _join(path, name)
            if name not in old_req and name in new_req:
                message = f"property '{sub}' is now required"
                self.emit(K.PROPERTY_MADE_REQUIRED, sub, message, False, True)
            elif name in old_req and name not in new_req:
                message = f"property '{sub}' is now optional"
                self.emit(K.PROPERTY_MADE_OPTIONAL, sub, message, True, False)
            self.node(old_props[name], new_props[name], sub)


def _rename_signature(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    return _key({"type": node.get("type"), "description": node.get("description", "")})
