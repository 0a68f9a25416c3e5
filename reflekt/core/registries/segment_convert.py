"""Segment rules <-> Reflekt schema bodies (pure conversions, no I/O).

Why a separate module: the mapping is the contract of round trips (a push followed by a pull
gives the same files), so it is small, symmetric and tested on its own.

- `rule_to_remote(rule, plan, vendor) -> RemoteSchema | None` (None for COMMON/ALIAS rules and
  rules that cannot be named). TRACK: `self.name` = key, description = `jsonSchema.description`,
  `metadata` = labels, fields from `jsonSchema.properties.properties`. IDENTIFY/GROUP: fields
  from `jsonSchema.properties.traits`; PAGE/SCREEN: from `jsonSchema.properties.properties`;
  named by their key, or `Identify`/`Group`/`Page`/`Screen` when they have none.
  Single-element type lists collapse to a string.
- `schema_to_rule(body, major) -> dict`: the RuleInputV1 (`type`, `key`, `version`, `jsonSchema`).
- `rule_identity(rule) -> (type, key, version)`: how Segment tells rules apart.

How the rule type survives a round trip (the seed's file format has no field for it):
- by name, as the original did: an event named `Identify`, `Group`, `Page` or `Screen` is a
  keyless rule of that type; any other name is a TRACK rule keyed by the name;
- where the name would say otherwise (a PAGE rule keyed "Home", a TRACK rule keyed "Page"),
  pull writes `metadata.segment_rule_type` (`PAGE`, `SCREEN`, `IDENTIFY`, `GROUP`, `TRACK`) and
  push reads it. The marker is never sent to Segment as a label.
"""

from __future__ import annotations

import copy
from typing import Any

from reflekt.core.errors import ReflektError
from reflekt.core.registries.base import RemoteSchema
from reflekt.core.schemas import (
    JSON_SCHEMA_DRAFT7,
    Version,
    event_folder_name,
    new_schema_body,
    schema_id_for,
)

SPECIAL_NAMES = {"IDENTIFY": "Identify", "GROUP": "Group", "PAGE": "Page", "SCREEN": "Screen"}
TRAITS_TYPES = frozenset({"IDENTIFY", "GROUP"})
SKIPPED_TYPES = frozenset({"COMMON", "ALIAS"})
PUSHABLE_TYPES = ("TRACK", "IDENTIFY", "GROUP", "PAGE", "SCREEN")
RULE_TYPE_KEY = "segment_rule_type"
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


class RuleTypeError(ReflektError):
    """`metadata.segment_rule_type` holds something Segment does not know."""


def rule_type_of(body: dict[str, Any]) -> str:
    """The Segment rule type of a schema body: its marker, else what its name implies."""
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    marker = metadata.get(RULE_TYPE_KEY)
    if marker is None:
        self_block = body.get("self") if isinstance(body.get("self"), dict) else {}
        return implied_type(str(self_block.get("name") or ""))
    kind = str(marker).strip().upper()
    if kind not in PUSHABLE_TYPES:
        raise RuleTypeError(
            f"{body.get('$id') or 'schema'}: metadata.{RULE_TYPE_KEY} is '{marker}', "
            f"expected one of {', '.join(PUSHABLE_TYPES)}",
            hint=f"remove metadata.{RULE_TYPE_KEY} for a TRACK event named after the file's folder",
        )
    return kind


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
    json_schema = rule.get("jsonSchema") or {}
    if not isinstance(json_schema, dict):
        json_schema = {}
    sections = json_schema.get("properties")
    if not isinstance(sections, dict):
        sections = {}
    section = sections.get("traits" if kind in TRAITS_TYPES else "properties") or {}
    if not isinstance(section, dict):
        section = {}
    description = json_schema.get("description")
    if description is None:
        description = DEFAULT_DESCRIPTIONS.get(kind, "")
    labels = json_schema.get("labels")
    metadata = (
        {k: v for k, v in labels.items() if k != RULE_TYPE_KEY} if isinstance(labels, dict) else {}
    )
    if implied_type(name) != kind:
        metadata[RULE_TYPE_KEY] = kind
    raw_properties = section.get("properties") or {}
    properties = (
        {name: collapse_types(sub) for name, sub in raw_properties.items()}
        if isinstance(raw_properties, dict)
        else {}
    )
    folder = event_folder_name(name)
    body = new_schema_body(
        schema_id_for("segment", plan, name, version),
        vendor=vendor,
        name=name,
        version=version,
        description=str(description),
        metadata=metadata,
        properties=properties if isinstance(properties, dict) else {},
        required=[r for r in section.get("required") or [] if isinstance(r, str)]
        if isinstance(section.get("required"), list)
        else [],
        additional_properties=section.get("additionalProperties", False),
    )
    return RemoteSchema("segment", plan, folder, name, version, body)


def schema_to_rule(body: dict[str, Any], major: int) -> dict[str, Any]:
    """The rule Segment stores for a Reflekt schema body (version = MAJOR)."""
    self_block = body.get("self") if isinstance(body.get("self"), dict) else {}
    name = str(self_block.get("name") or "")
    kind = rule_type_of(body)
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    labels = {k: copy.deepcopy(v) for k, v in metadata.items() if k != RULE_TYPE_KEY}
    section: dict[str, Any] = {
        "type": "object",
        "properties": copy.deepcopy(body.get("properties") or {}),
        "required": list(body.get("required") or []),
    }
    if "additionalProperties" in body:
        section["additionalProperties"] = body["additionalProperties"]
    json_schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DRAFT7,
        "type": "object",
        "labels": labels,
        "description": body.get("description", ""),
        "properties": {
            "context": {},
            "traits": section if kind in TRAITS_TYPES else {},
            "properties": {} if kind in TRAITS_TYPES else section,
        },
    }
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
