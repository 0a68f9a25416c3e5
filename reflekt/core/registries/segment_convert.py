"""Segment rules <-> Reflekt schema bodies (pure conversions, no I/O).

Why a separate module: the mapping is the contract of round trips (a push followed by a pull
gives the same files), so it is small, symmetric and tested on its own.

- `rule_to_remote(rule, plan, vendor) -> RemoteSchema | None` (None for COMMON/ALIAS rules and
  rules that cannot be named). TRACK: `self.name` = key, description = `jsonSchema.description`,
  `metadata` = labels, fields from `jsonSchema.properties.properties`. IDENTIFY/GROUP: fields
  from `jsonSchema.properties.traits`; PAGE/SCREEN: from `jsonSchema.properties.properties`;
  named by their key, or `Identify`/`Group`/`Page`/`Screen` when they have none.
  Single-element type lists collapse to a string.
- `schema_to_rule(body, major, stored=None) -> dict`: the RuleInputV1 (`type`, `key`,
  `version`, `jsonSchema`), written onto `stored` (the rule as the plan holds it) if given.
- `rule_identity(rule) -> (type, key, version)`: how Segment tells rules apart.

How the rule type survives a round trip (the seed's file format has no field for it):
- by name, as the original did: an event named `Identify`, `Group`, `Page` or `Screen` is a
  keyless rule of that type; any other name is a TRACK rule keyed by the name;
- where the name would say otherwise (a PAGE rule keyed "Home", a TRACK rule keyed "Page"),
  pull writes `metadata.segment_rule_type` (`PAGE`, `SCREEN`, `IDENTIFY`, `GROUP`, `TRACK`) and
  push reads it. The marker is never sent to Segment as a label.

What Reflekt owns of a rule, and what it keeps (a push never erases what it does not own):
- owned: `jsonSchema.description`, `jsonSchema.labels` (as `metadata`), and the event's section
  (`properties.properties`, or `properties.traits` for IDENTIFY/GROUP): its `properties`,
  `required` and `additionalProperties`. Everything else of `jsonSchema` is foreign: `$schema`,
  the root `type` and `required`, `context`, the other section, unknown keywords.
- pull keeps the foreign part under `metadata.segment_rule` (`{"jsonSchema": ...}`), only
  when it holds more than the usual skeleton (`{"context": {}, "traits": {}}` and `$schema`).
- push merges onto the rule as Segment stores it (`merge_json_schema(..., minimal=True)`):
  only the owned fields that differ from what a pull of that rule gives are replaced, so an
  untouched rule is sent back byte-for-byte and an edit changes only what was edited. Where
  the rule is not in the plan, the content kept at pull is the base (or the skeleton).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from reflekt.core.errors import RuleTypeError
from reflekt.core.platforms.segment import KEPT_KEY, RESERVED_METADATA, RULE_TYPE_KEY
from reflekt.core.registries.base import RemoteSchema
from reflekt.core.schemas import (
    JSON_SCHEMA_DRAFT7,
    Version,
    event_folder_name,
    new_schema_body,
    object_at,
    schema_id_for,
)

SPECIAL_NAMES = {"IDENTIFY": "Identify", "GROUP": "Group", "PAGE": "Page", "SCREEN": "Screen"}
TRAITS_TYPES = frozenset({"IDENTIFY", "GROUP"})
SKIPPED_TYPES = frozenset({"COMMON", "ALIAS"})
PUSHABLE_TYPES = ("TRACK", "IDENTIFY", "GROUP", "PAGE", "SCREEN")
DEFAULT_DESCRIPTIONS = {
    "IDENTIFY": "Segment identify() call.",
    "GROUP": "Segment group() call.",
    "PAGE": "Segment page() call.",
    "SCREEN": "Segment screen() call.",
}


def collapse_types(node: Any) -> Any:
    """A copy of a (sub)schema with single-element `type` lists as strings, recursively."""
    if isinstance(node, list):
        return [collapse_types(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "type" and isinstance(value, list) and len(value) == 1:
            out[key] = value[0]
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: collapse_types(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict | list):
            out[key] = collapse_types(value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def rule_name(rule: dict[str, Any]) -> str | None:
    """The Reflekt event name of a rule (None when it maps to no local schema)."""
    kind = str(rule.get("type") or "").upper()
    key = rule.get("key") or ""
    if kind in SKIPPED_TYPES:
        return None
    if kind == "TRACK":
        return key or None
    if kind in SPECIAL_NAMES:
        return key or SPECIAL_NAMES[kind]
    return None


def implied_type(name: str) -> str:
    """The rule type an event name stands for when no marker says otherwise."""
    upper = name.strip().upper()
    return upper if upper in SPECIAL_NAMES else "TRACK"


def rule_type_of(body: dict[str, Any]) -> str:
    """The Segment rule type of a schema body: its marker, else what its name implies."""
    metadata = object_at(body, "metadata")
    marker = metadata.get(RULE_TYPE_KEY)
    if marker is None:
        self_block = object_at(body, "self")
        return implied_type(str(self_block.get("name") or ""))
    kind = str(marker).strip().upper()
    if kind not in PUSHABLE_TYPES:
        raise RuleTypeError(
            f"{body.get('$id') or 'schema'}: metadata.{RULE_TYPE_KEY} is '{marker}', "
            f"expected one of {', '.join(PUSHABLE_TYPES)}",
            hint=f"remove metadata.{RULE_TYPE_KEY} for a TRACK event named after the file's folder",
        )
    return kind


_ABSENT: Any = object()  # `additionalProperties` not written in the schema file


@dataclass(frozen=True)
class OwnedPart:
    """What Reflekt represents of a rule's jsonSchema, as the schema file holds it."""

    description: str
    labels: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    additional_properties: Any = False  # `_ABSENT` when the file does not say


def _section_name(kind: str) -> str:
    return "traits" if kind in TRAITS_TYPES else "properties"


def _section(json_schema: dict[str, Any], kind: str) -> dict[str, Any]:
    sections = json_schema.get("properties")
    section = sections.get(_section_name(kind)) if isinstance(sections, dict) else None
    return section if isinstance(section, dict) else {}


def owned_of_rule(json_schema: Any, kind: str) -> OwnedPart:
    """What a pull of a rule with this jsonSchema writes in the schema file."""
    json_schema = json_schema if isinstance(json_schema, dict) else {}
    section = _section(json_schema, kind)
    description = json_schema.get("description")
    if description is None:
        description = DEFAULT_DESCRIPTIONS.get(kind, "")
    labels = json_schema.get("labels")
    raw_properties = section.get("properties")
    required = section.get("required")
    return OwnedPart(
        description=str(description),
        labels={k: v for k, v in labels.items() if k not in RESERVED_METADATA}
        if isinstance(labels, dict)
        else {},
        properties={name: collapse_types(sub) for name, sub in raw_properties.items()}
        if isinstance(raw_properties, dict)
        else {},
        required=[r for r in required if isinstance(r, str)] if isinstance(required, list) else [],
        additional_properties=section.get("additionalProperties", False),
    )


def owned_of_body(body: dict[str, Any]) -> OwnedPart:
    """What a schema file says of the owned part of its rule."""
    metadata = object_at(body, "metadata")
    properties = body.get("properties")
    required = body.get("required")
    return OwnedPart(
        description=body.get("description", ""),
        labels={k: v for k, v in metadata.items() if k not in RESERVED_METADATA},
        properties=properties if isinstance(properties, dict) else {},
        required=list(required) if isinstance(required, list) else [],
        additional_properties=body.get("additionalProperties", _ABSENT),
    )


def foreign_part(json_schema: Any, kind: str) -> dict[str, Any]:
    """A rule's jsonSchema without what Reflekt owns (what a push must leave as it is)."""
    if not isinstance(json_schema, dict):
        return {}
    # Copied level by level, leaving the owned parts out (a deep copy of a whole rule first
    # would copy every property only to drop it).
    foreign = {k: v for k, v in json_schema.items() if k not in ("description", "labels")}
    labels = json_schema.get("labels")
    if isinstance(labels, dict):
        reserved = {k: v for k, v in labels.items() if k in RESERVED_METADATA}
        if reserved:
            foreign["labels"] = reserved
    elif labels is not None:
        foreign["labels"] = labels  # not an object: nothing Reflekt can represent
    sections = foreign.get("properties")
    name = _section_name(kind)
    if isinstance(sections, dict) and isinstance(sections.get(name), dict):
        owned = ("properties", "required", "additionalProperties")
        section = {k: v for k, v in sections[name].items() if k not in owned}
        foreign["properties"] = {**sections, name: section}
    return copy.deepcopy(foreign)


def _is_skeleton(foreign: dict[str, Any], kind: str) -> bool:
    """Whether the foreign part is only what every rule has (nothing worth keeping)."""
    rest = dict(foreign)
    if rest.get("$schema") in (JSON_SCHEMA_DRAFT7, JSON_SCHEMA_DRAFT7.rstrip("#")):
        rest.pop("$schema")
    if rest.get("type") == "object":
        rest.pop("type")
    sections = rest.pop("properties", {})
    if not isinstance(sections, dict):
        return False
    for name, value in sections.items():
        if name == _section_name(kind) and isinstance(value, dict):
            if {k: v for k, v in value.items() if not (k == "type" and v == "object")}:
                return False
        elif name not in ("context", "traits", "properties") or value != {}:
            return False
    return not rest


def rule_to_remote(rule: dict[str, Any], plan: str, vendor: str) -> RemoteSchema | None:
    """Convert one RuleV1 to a Reflekt schema (version `<rule.version>-0`)."""
    name = rule_name(rule)
    if name is None:
        return None
    kind = str(rule.get("type")).upper()
    try:
        major = int(rule.get("version") or 1)
    except (TypeError, ValueError):
        major = 1
    version = Version(max(major, 1), 0)
    json_schema = rule.get("jsonSchema")
    owned = owned_of_rule(json_schema, kind)
    metadata = dict(owned.labels)
    if implied_type(name) != kind:
        metadata[RULE_TYPE_KEY] = kind
    foreign = foreign_part(json_schema, kind)
    if not _is_skeleton(foreign, kind):
        metadata[KEPT_KEY] = {"jsonSchema": foreign}
    folder = event_folder_name(name)
    body = new_schema_body(
        schema_id_for("segment", plan, name, version),
        vendor=vendor,
        name=name,
        version=version,
        description=owned.description,
        metadata=metadata,
        properties=owned.properties,
        required=owned.required,
        additional_properties=owned.additional_properties,
    )
    return RemoteSchema("segment", plan, folder, name, version, body)


def skeleton_json_schema(kind: str) -> dict[str, Any]:
    """The jsonSchema of a rule Reflekt creates from nothing (before the owned part)."""
    return {
        "$schema": JSON_SCHEMA_DRAFT7,
        "type": "object",
        "properties": {"context": {}, "traits": {}, "properties": {}}
        | {_section_name(kind): {"type": "object"}},
    }


def kept_json_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The foreign part a pull kept in `metadata.segment_rule`, if any."""
    metadata = object_at(body, "metadata")
    kept = metadata.get(KEPT_KEY)
    if isinstance(kept, dict) and isinstance(kept.get("jsonSchema"), dict):
        return kept["jsonSchema"]
    return None


def merge_json_schema(
    base: dict[str, Any], owned: OwnedPart, kind: str, *, minimal: bool
) -> dict[str, Any]:
    """`base` with Reflekt's owned part written in; everything else is left as it is.

    `minimal=True` (base = the rule Segment stores): an owned field is written only where it
    differs from what a pull of `base` gives, and an unchanged property keeps the form Segment
    stores (`"type": ["string"]`). `minimal=False` (base = kept content or skeleton): every
    owned field is written.
    """
    out = copy.deepcopy(base)
    pulled = owned_of_rule(out, kind)
    if not minimal or owned.description != pulled.description:
        out["description"] = owned.description
    if not minimal or owned.labels != pulled.labels:
        labels = out.get("labels")
        reserved = (
            {k: v for k, v in labels.items() if k in RESERVED_METADATA}
            if isinstance(labels, dict)
            else {}
        )
        out["labels"] = {**reserved, **copy.deepcopy(owned.labels)}
    sections = out.get("properties")
    if not isinstance(sections, dict):
        sections = out["properties"] = skeleton_json_schema(kind)["properties"]
    section = sections.get(_section_name(kind))
    if not isinstance(section, dict):
        section = sections[_section_name(kind)] = {"type": "object"}
    if not minimal or owned.properties != pulled.properties:
        stored = section.get("properties") if minimal else None
        stored = stored if isinstance(stored, dict) else {}
        section["properties"] = {
            name: stored[name]
            if name in stored and collapse_types(stored[name]) == sub
            else copy.deepcopy(sub)
            for name, sub in owned.properties.items()
        }
    if not minimal or owned.required != pulled.required:
        section["required"] = list(owned.required)
    if not minimal or owned.additional_properties != pulled.additional_properties:
        if owned.additional_properties is _ABSENT:
            section.pop("additionalProperties", None)
        else:
            section["additionalProperties"] = owned.additional_properties
    return out


def schema_to_rule(
    body: dict[str, Any], major: int, stored: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The rule Segment stores for a Reflekt schema body (version = MAJOR).

    `stored` is the rule as the plan holds it (same type, key and version), if any: the
    result keeps all of it but the owned part. Else the content kept at pull is the base.
    """
    self_block = object_at(body, "self")
    name = str(self_block.get("name") or "")
    kind = rule_type_of(body)
    owned = owned_of_body(body)
    remote = stored.get("jsonSchema") if isinstance(stored, dict) else None
    if isinstance(remote, dict):
        json_schema = merge_json_schema(remote, owned, kind, minimal=True)
    else:
        base = kept_json_schema(body) or skeleton_json_schema(kind)
        json_schema = merge_json_schema(base, owned, kind, minimal=False)
    rule: dict[str, Any] = {"type": kind, "version": major, "jsonSchema": json_schema}
    if kind == "TRACK" or implied_type(name) != kind:
        rule["key"] = name  # keyless only for `Identify`, `Group`, `Page`, `Screen`
    return rule


def rule_identity(rule: dict[str, Any]) -> tuple[str, str, int]:
    """(type, key, version): Segment's identity of a rule."""
    try:
        version = int(rule.get("version") or 0)
    except (TypeError, ValueError):
        version = 0
    return (str(rule.get("type") or "").upper(), str(rule.get("key") or ""), version)


def rule_label(rule: dict[str, Any]) -> str:
    """`Cart Viewed@1`, `Identify@2`, or `Home (PAGE)@1` for a keyed rule that is not TRACK."""
    kind, key, version = rule_identity(rule)
    if not key:
        return f"{SPECIAL_NAMES.get(kind, kind)}@{version}"
    return f"{key}@{version}" if kind == "TRACK" else f"{key} ({kind})@{version}"
