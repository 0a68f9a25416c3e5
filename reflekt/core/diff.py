"""Structural diff of two event schemas, classified by the seed's versioning rules.

Why: users must know before a push whether a change breaks consumers of the data. A change is
MAJOR when data valid under the old schema may be invalid under the new one (or the other way
round for required fields), MINOR when it is compatible, NONE when it only touches
documentation (descriptions, metadata).

Public API (pure, no I/O):

- `diff_schemas(old: dict, new: dict) -> list[Change]`: typed changes between two schema
  bodies (recursing into nested objects and array items). `$id`, `$schema` and `self` are
  ignored: they name the file, they do not describe the data.
- `classify(changes) -> str`: the highest class, "MAJOR" | "MINOR" | "NONE".
- `required_version(base: Version, change_class: str) -> Version`: the lowest version a file
  with such changes should carry.
- `event_diff(...) -> EventDiff` and `DiffReport`: per event, the changes, their class, the
  local and required versions and a verdict. `reflekt.core.registries.compare()` builds a report
  from a selection against a registry or a git ref.

Change codes are stable (they appear in JSON output and CI annotations):

| code | class |
|---|---|
| EVENT_ADDED / EVENT_REMOVED | MINOR / MAJOR |
| PROPERTY_ADDED_REQUIRED / PROPERTY_ADDED_OPTIONAL | MAJOR / MINOR |
| PROPERTY_REMOVED_REQUIRED / PROPERTY_REMOVED_OPTIONAL | MAJOR / MINOR |
| PROPERTY_RENAMED_REQUIRED / PROPERTY_RENAMED_OPTIONAL | MAJOR / MINOR |
| PROPERTY_MADE_REQUIRED / PROPERTY_MADE_OPTIONAL | MAJOR / MINOR |
| TYPE_CHANGED / TYPE_NARROWED / TYPE_WIDENED | MAJOR / MAJOR / MINOR |
| ENUM_VALUES_REMOVED / ENUM_ADDED | MAJOR / MAJOR |
| ENUM_VALUES_ADDED / ENUM_REMOVED | MINOR / MINOR |
| ADDITIONAL_PROPERTIES_CLOSED / ADDITIONAL_PROPERTIES_OPENED | MAJOR / MINOR |
| CONSTRAINT_TIGHTENED / CONSTRAINT_LOOSENED | MAJOR / MINOR |
| KEYWORD_CHANGED | MINOR |
| DESCRIPTION_CHANGED / METADATA_CHANGED / ANNOTATION_CHANGED | NONE |

Types: `"type": "any"` (the seed's data type, stored by Segment) and a property without a
type both accept every value. So `any` -> `string` is TYPE_NARROWED (MAJOR: data collected
under `any` may not be a string), `string` -> `any` is TYPE_WIDENED (MINOR), and no type <->
`any` is no change.

`metadata.segment_rule` (what a pull kept of a Segment rule beyond the schema, so that a push
erases nothing) is not compared: it describes the registry's copy, not the data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reflekt.core.schemas import Version

MAJOR = "MAJOR"
MINOR = "MINOR"
NONE = "NONE"
_RANK = {NONE: 0, MINOR: 1, MAJOR: 2}

# Verdicts of an event comparison.
UNCHANGED = "unchanged"
COMPATIBLE = "compatible"  # changes, and the version was bumped enough
BREAKING = "breaking"  # a MAJOR change without a MAJOR version bump
UNBUMPED = "unbumped"  # a MINOR change without a version bump
NEW = "new"
REMOVED = "removed"

# Keys of a schema body that name the file rather than describe the data.
_IGNORED_TOP = frozenset({"$id", "$schema", "self"})
# Metadata keys holding a registry's content beyond the schema (see the module docstring).
_KEPT_METADATA = frozenset({"segment_rule"})
_ANNOTATIONS = frozenset({"title", "examples", "default", "$comment", "deprecated", "readOnly"})
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
_ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})


@dataclass(frozen=True)
class Change:
    """One difference between two schemas.

    `path` is the property path (`cart_id`, `address.city`, `products[].sku`), empty for the
    event itself. `old`/`new` are the values compared (None when absent).
    """

    code: str
    path: str
    change_class: str
    message: str
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "path": self.path,
            "class": self.change_class,
            "message": self.message,
            "old": self.old,
            "new": self.new,
        }


def classify(changes: Iterable[Change]) -> str:
    """The highest class among the changes ("NONE" for no change)."""
    result = NONE
    for change in changes:
        if _RANK[change.change_class] > _RANK[result]:
            result = change.change_class
    return result


def required_version(base: Version, change_class: str) -> Version:
    """The lowest version that a schema with `change_class` changes over `base` must carry."""
    if change_class == MAJOR:
        return Version(base.major + 1, 0)
    if change_class == MINOR:
        return Version(base.major, base.minor + 1)
    return base


def diff_schemas(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Typed changes turning schema body `old` into `new` (both JSON Schema objects)."""
    changes: list[Change] = []
    old_top = {k: v for k, v in (old or {}).items() if k not in _IGNORED_TOP}
    new_top = {k: v for k, v in (new or {}).items() if k not in _IGNORED_TOP}
    if old_top.get("description", "") != new_top.get("description", ""):
        changes.append(
            Change(
                "DESCRIPTION_CHANGED",
                "",
                NONE,
                "event description changed",
                old_top.get("description"),
                new_top.get("description"),
            )
        )
    old_metadata, new_metadata = _metadata(old_top), _metadata(new_top)
    if old_metadata != new_metadata:
        changes.append(
            Change("METADATA_CHANGED", "", NONE, "metadata changed", old_metadata, new_metadata)
        )
    _diff_node(old_top, new_top, "", changes, top=True)
    return changes


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


def _diff_node(old: Any, new: Any, path: str, out: list[Change], top: bool = False) -> None:
    """Compare two (sub)schemas at `path`."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        if old != new:
            out.append(Change("KEYWORD_CHANGED", path, MINOR, f"{_label(path)} changed", old, new))
        return
    if not top and old.get("description", "") != new.get("description", ""):
        out.append(
            Change(
                "DESCRIPTION_CHANGED",
                path,
                NONE,
                f"description of {_label(path)} changed",
                old.get("description"),
                new.get("description"),
            )
        )
    _diff_type(old, new, path, out)
    _diff_enum(old, new, path, out)
    _diff_bounds(old, new, path, out)
    _diff_restrictions(old, new, path, out)
    if "properties" in old or "properties" in new or "required" in old or "required" in new:
        _diff_properties(old, new, path, out)
    _diff_additional(old, new, path, out)
    if "items" in old or "items" in new:
        items_path = f"{path}[]" if path else "[]"
        old_items, new_items = old.get("items", {}), new.get("items", {})
        if isinstance(old_items, dict) and isinstance(new_items, dict):
            _diff_node(old_items, new_items, items_path, out)
        elif old_items != new_items:
            out.append(
                Change(
                    "KEYWORD_CHANGED",
                    items_path,
                    MINOR,
                    "array items changed",
                    old_items,
                    new_items,
                )
            )
    for key in sorted((set(old) | set(new)) - _HANDLED):
        if old.get(key) != new.get(key):
            code, klass = ("KEYWORD_CHANGED", MINOR)
            out.append(
                Change(
                    code,
                    path,
                    klass,
                    f"'{key}' of {_label(path)} changed",
                    old.get(key),
                    new.get(key),
                )
            )
    for key in sorted(_ANNOTATIONS & (set(old) | set(new))):
        if old.get(key) != new.get(key):
            out.append(
                Change(
                    "ANNOTATION_CHANGED",
                    path,
                    NONE,
                    f"'{key}' of {_label(path)} changed",
                    old.get(key),
                    new.get(key),
                )
            )


def _types(node: dict[str, Any]) -> frozenset[str]:
    value = node.get("type")
    if value is None or value == "any":
        return _ALL_TYPES
    if isinstance(value, str):
        value = [value]
    types = {str(t) for t in value}
    if "any" in types:
        return _ALL_TYPES
    return frozenset(types)


def _accepts(types: frozenset[str], kind: str) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


def _diff_type(old: dict, new: dict, path: str, out: list[Change]) -> None:
    old_types, new_types = _types(old), _types(new)
    if old_types == new_types:
        return
    widened = all(_accepts(new_types, kind) for kind in old_types)
    narrowed = all(_accepts(old_types, kind) for kind in new_types)
    old_value, new_value = old.get("type"), new.get("type")
    if widened:
        out.append(
            Change(
                "TYPE_WIDENED", path, MINOR, f"type of {_label(path)} widened", old_value, new_value
            )
        )
    elif narrowed:
        out.append(
            Change(
                "TYPE_NARROWED",
                path,
                MAJOR,
                f"type of {_label(path)} narrowed",
                old_value,
                new_value,
            )
        )
    else:
        out.append(
            Change(
                "TYPE_CHANGED",
                path,
                MAJOR,
                f"type of {_label(path)} changed from {_show(old_value)} to {_show(new_value)}",
                old_value,
                new_value,
            )
        )


def _show(value: Any) -> str:
    if value is None:
        return "any"
    return json.dumps(value, ensure_ascii=False)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _diff_enum(old: dict, new: dict, path: str, out: list[Change]) -> None:
    old_enum, new_enum = old.get("enum"), new.get("enum")
    if old_enum == new_enum:
        return
    if old_enum is None:
        out.append(
            Change(
                "ENUM_ADDED",
                path,
                MAJOR,
                f"{_label(path)} now restricted to an enum",
                None,
                new_enum,
            )
        )
        return
    if new_enum is None:
        out.append(
            Change(
                "ENUM_REMOVED",
                path,
                MINOR,
                f"{_label(path)} no longer restricted to an enum",
                old_enum,
                None,
            )
        )
        return
    old_keys = {_key(v): v for v in old_enum}
    new_keys = {_key(v): v for v in new_enum}
    removed = [old_keys[k] for k in old_keys if k not in new_keys]
    added = [new_keys[k] for k in new_keys if k not in old_keys]
    if removed:
        out.append(
            Change(
                "ENUM_VALUES_REMOVED",
                path,
                MAJOR,
                f"enum values removed from {_label(path)}: {_show(removed)}",
                removed,
                None,
            )
        )
    if added:
        out.append(
            Change(
                "ENUM_VALUES_ADDED",
                path,
                MINOR,
                f"enum values added to {_label(path)}: {_show(added)}",
                None,
                added,
            )
        )


def _diff_bounds(old: dict, new: dict, path: str, out: list[Change]) -> None:
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
        _bound_change(keyword, path, before, after, tightened, out)


def _diff_restrictions(old: dict, new: dict, path: str, out: list[Change]) -> None:
    for keyword in _RESTRICTIONS:
        before, after = old.get(keyword), new.get(keyword)
        if before == after:
            continue
        tightened = after is not None  # added or changed restricts; removed loosens
        if keyword == "uniqueItems":
            tightened = bool(after)
        _bound_change(keyword, path, before, after, tightened, out)


def _bound_change(
    keyword: str, path: str, before: Any, after: Any, tightened: bool, out: list[Change]
) -> None:
    if tightened:
        out.append(
            Change(
                "CONSTRAINT_TIGHTENED",
                path,
                MAJOR,
                f"'{keyword}' of {_label(path)} tightened ({_show(before)} -> {_show(after)})",
                before,
                after,
            )
        )
    else:
        out.append(
            Change(
                "CONSTRAINT_LOOSENED",
                path,
                MINOR,
                f"'{keyword}' of {_label(path)} loosened ({_show(before)} -> {_show(after)})",
                before,
                after,
            )
        )


def _diff_additional(old: dict, new: dict, path: str, out: list[Change]) -> None:
    before = old.get("additionalProperties", True)
    after = new.get("additionalProperties", True)
    if before == after:
        return
    if before is not False and after is False:
        out.append(
            Change(
                "ADDITIONAL_PROPERTIES_CLOSED",
                path,
                MAJOR,
                f"{_label(path)} no longer accepts additional properties",
                before,
                after,
            )
        )
    elif before is False:
        out.append(
            Change(
                "ADDITIONAL_PROPERTIES_OPENED",
                path,
                MINOR,
                f"{_label(path)} now accepts additional properties",
                before,
                after,
            )
        )
    else:
        out.append(
            Change(
                "KEYWORD_CHANGED",
                path,
                MINOR,
                f"'additionalProperties' of {_label(path)} changed",
                before,
                after,
            )
        )


def _rename_signature(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    return _key({"type": node.get("type"), "description": node.get("description", "")})


def _diff_properties(old: dict, new: dict, path: str, out: list[Change]) -> None:
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
        was_required = old_name in old_req or new_name in new_req
        code = "PROPERTY_RENAMED_REQUIRED" if was_required else "PROPERTY_RENAMED_OPTIONAL"
        out.append(
            Change(
                code,
                _join(path, old_name),
                MAJOR if was_required else MINOR,
                f"{'required' if was_required else 'optional'} property '{_join(path, old_name)}' "
                f"renamed to '{_join(path, new_name)}'",
                old_name,
                new_name,
            )
        )
    for name in removed:
        if name in renames:
            continue
        sub = _join(path, name)
        if name in old_req:
            out.append(
                Change(
                    "PROPERTY_REMOVED_REQUIRED",
                    sub,
                    MAJOR,
                    f"required property '{sub}' removed",
                    old_props[name],
                    None,
                )
            )
        else:
            out.append(
                Change(
                    "PROPERTY_REMOVED_OPTIONAL",
                    sub,
                    MINOR,
                    f"optional property '{sub}' removed",
                    old_props[name],
                    None,
                )
            )
    for name in free_added:
        sub = _join(path, name)
        if name in new_req:
            out.append(
                Change(
                    "PROPERTY_ADDED_REQUIRED",
                    sub,
                    MAJOR,
                    f"required property '{sub}' added",
                    None,
                    new_props[name],
                )
            )
        else:
            out.append(
                Change(
                    "PROPERTY_ADDED_OPTIONAL",
                    sub,
                    MINOR,
                    f"optional property '{sub}' added",
                    None,
                    new_props[name],
                )
            )
    for name in old_props:
        if name not in new_props:
            continue
        sub = _join(path, name)
        if name not in old_req and name in new_req:
            out.append(
                Change(
                    "PROPERTY_MADE_REQUIRED",
                    sub,
                    MAJOR,
                    f"property '{sub}' is now required",
                    False,
                    True,
                )
            )
        elif name in old_req and name not in new_req:
            out.append(
                Change(
                    "PROPERTY_MADE_OPTIONAL",
                    sub,
                    MINOR,
                    f"property '{sub}' is now optional",
                    True,
                    False,
                )
            )
        _diff_node(old_props[name], new_props[name], sub, out)


@dataclass(frozen=True)
class EventDiff:
    """The comparison of one event: local schema against the base (registry or git ref).

    `local_version` is the latest local version (None: the event exists only in the base);
    `base_version` the version it was compared with (None: a new event). `required_version`
    is what the local file should carry given the changes; `verdict` one of unchanged,
    compatible, breaking, unbumped, new, removed; `note` one readable sentence.
    """

    event_key: str
    name: str
    local_version: Version | None
    base_version: Version | None
    changes: tuple[Change, ...]
    change_class: str
    required_version: Version | None
    verdict: str
    note: str
    local_id: str | None = None
    # The two schemas compared (None where the event is on one side only), so views such as
    # the TUI's side by side need no second read or fetch.
    base_body: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    local_body: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event_key,
            "name": self.name,
            "local_id": self.local_id,
            "local_version": str(self.local_version) if self.local_version else None,
            "base_version": str(self.base_version) if self.base_version else None,
            "required_version": str(self.required_version) if self.required_version else None,
            "class": self.change_class,
            "verdict": self.verdict,
            "note": self.note,
            "changes": [change.to_dict() for change in self.changes],
        }


def event_diff(
    event_key: str,
    name: str,
    local: tuple[Version, dict[str, Any]] | None,
    base: tuple[Version, dict[str, Any]] | None,
    local_id: str | None = None,
) -> EventDiff:
    """Compare the local latest version of an event with its base version."""
    if local is None and base is None:
        raise ValueError("event_diff needs a local or a base schema")
    if base is None:
        assert local is not None
        version = local[0]
        change = Change(
            "EVENT_ADDED", "", MINOR, f"new event (version {version})", None, str(version)
        )
        return EventDiff(
            event_key,
            name,
            version,
            None,
            (change,),
            MINOR,
            None,
            NEW,
            f"new event, version {version}",
            local_id,
            local_body=local[1],
        )
    if local is None:
        version = base[0]
        change = Change("EVENT_REMOVED", "", MAJOR, "event removed", str(version), None)
        return EventDiff(
            event_key,
            name,
            None,
            version,
            (change,),
            MAJOR,
            None,
            REMOVED,
            f"event not in the local selection (base has {version})",
            local_id,
            base_body=base[1],
        )
    local_version, local_body = local
    base_version, base_body = base
    changes = tuple(diff_schemas(base_body, local_body))
    change_class = classify(changes)
    needed = required_version(base_version, change_class)
    if not changes:
        verdict, note = UNCHANGED, "no change"
    elif change_class == MAJOR and local_version.major <= base_version.major:
        verdict = BREAKING
        note = f"breaking change: this needs {needed}, the file says {local_version}"
    elif change_class == MINOR and not local_version > base_version:
        verdict = UNBUMPED
        note = f"compatible change: this needs {needed}, the file says {local_version}"
    elif change_class == NONE:
        verdict, note = COMPATIBLE, "documentation only"
    else:
        verdict = COMPATIBLE
        note = f"{change_class.lower()} change, bumped to {local_version}"
        if needed is not None and local_version != needed:
            note += f" ({needed} would do)"
    return EventDiff(
        event_key,
        name,
        local_version,
        base_version,
        changes,
        change_class,
        needed,
        verdict,
        note,
        local_id,
        base_body=base_body,
        local_body=local_body,
    )


FAIL_ON = ("breaking", "any", "never")


@dataclass(frozen=True)
class DiffReport:
    """A selection compared with a base: `against` names it (`segment/ecommerce`, `git:HEAD`)."""

    against: str
    events: tuple[EventDiff, ...] = field(default_factory=tuple)
    # Against a git ref, a removed schema file is a removal in the change under review (a
    # breaking one). Against a registry, "removed" only means "not in the local selection":
    # push leaves such rules alone, so they do not fail the check.
    removal_breaks: bool = False

    def count(self, verdict: str) -> int:
        return sum(1 for event in self.events if event.verdict == verdict)

    @property
    def changed(self) -> list[EventDiff]:
        return [event for event in self.events if event.verdict != UNCHANGED]

    @property
    def breaking(self) -> list[EventDiff]:
        return [event for event in self.events if event.verdict == BREAKING]

    def summary(self) -> dict[str, int]:
        verdicts = (UNCHANGED, COMPATIBLE, UNBUMPED, BREAKING, NEW, REMOVED)
        return {verdict: self.count(verdict) for verdict in verdicts}

    def exit_code(self, fail_on: str = "breaking") -> int:
        """1 when the report fails the `--fail-on` policy, else 0."""
        if fail_on == "never":
            return 0
        if fail_on == "any":
            return 1 if self.changed else 0
        if self.removal_breaks and self.count(REMOVED):
            return 1
        return 1 if self.breaking else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "against": self.against,
            "summary": self.summary(),
            "events": [event.to_dict() for event in self.events],
        }
