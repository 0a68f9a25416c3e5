"""Segment rules <-> Reflekt schema bodies (pure conversions, no I/O).

Why a separate module: the mapping is the contract of round trips (a push followed by a pull
gives the same files), so it is small, symmetric and tested on its own.

- `rule_to_remote(rule, plan, vendor) -> RemoteSchema | None` (None for COMMON/ALIAS rules and
  rules that cannot be named). TRACK: `self.name` = key, description = `jsonSchema.description`,
  `metadata` = labels, fields from `jsonSchema.properties.properties`. IDENTIFY/GROUP: fields
  from `jsonSchema.properties.traits`; PAGE/SCREEN: from `jsonSchema.properties.properties`;
  named `Identify`/`Group`/`Page`/`Screen`. Single-element type lists collapse to a string.
- `schema_to_rule(body, major) -> dict`: the RuleInputV1 (`type`, `key`, `version`, `jsonSchema`).
- `rule_identity(rule) -> (type, key, version)`: how Segment tells rules apart.
"""

from __future__ import annotations

import copy
from typing import Any

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
    sections = json_schema.get("properties") or {}
    section = sections.get("traits" if kind in TRAITS_TYPES else "properties") or {}
    if not isinstance(section, dict):
        section = {}
    description = json_schema.get("description")
    if description is None:
        description = DEFAULT_DESCRIPTIONS.get(kind, "")
    metadata = json_schema.get("labels") or {}
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
        metadata=dict(metadata) if isinstance(metadata, dict) else {},
        properties=properties if isinstance(properties, dict) else {},
        required=list(section.get("required") or []),
        additional_properties=section.get("additionalProperties", False),
    )
    return RemoteSchema("segment", plan, folder, name, version, body)


def schema_to_rule(body: dict[str, Any], major: int) -> dict[str, Any]:
    """The rule Segment stores for a Reflekt schema body (version = MAJOR)."""
    self_block = body.get("self") if isinstance(body.get("self"), dict) else {}
    name = str(self_block.get("name") or "")
    kind = name.upper() if name.upper() in SPECIAL_NAMES else "TRACK"
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
        "labels": copy.deepcopy(body.get("metadata") or {}),
        "description": body.get("description", ""),
        "properties": {
            "context": {},
            "traits": section if kind in TRAITS_TYPES else {},
            "properties": {} if kind in TRAITS_TYPES else section,
        },
    }
    rule: dict[str, Any] = {"type": kind, "version": major, "jsonSchema": json_schema}
    if kind == "TRACK":
        rule["key"] = name
    return rule


def rule_identity(rule: dict[str, Any]) -> tuple[str, str, int]:
    """(type, key, version): Segment's identity of a rule."""
    try:
        version = int(rule.get("version") or 0)
    except (TypeError, ValueError):
        version = 0
    return (str(rule.get("type") or "").upper(), str(rule.get("key") or ""), version)


def rule_label(rule: dict[str, Any]) -> str:
    kind, key, version = rule_identity(rule)
    return f"{key or SPECIAL_NAMES.get(kind, kind)}@{version}"
