"""Columns and their statistics -> the properties of a drafted schema (pure).

- Type: from the column's type family (`coltypes.warehouse_family`): text -> string,
  integer -> integer, number -> number, boolean -> boolean, timestamps -> string with
  `format: date-time` (a `date` column `format: date`), arrays -> array, other JSON types
  (json, jsonb, variant, super, struct, map) -> object; a type in no family -> string
  (it contradicts no column). A number stored as text stays a string: the column is what
  the data is, and `reflekt build dbt` reports no drift for it.
- Nesting (Segment joins nested keys with `_`, which cannot always be undone): columns are
  grouped by the part of their name before the first `_`; a group becomes one object
  property, `{prefix: {properties: {rest: ...}}}`, only when at least two columns share the
  prefix, no column is named the prefix itself, and the object flattens back to exactly those
  columns. One level only: `address_geo_lat` becomes `address.geo_lat`. Anything else stays
  flat. Review the result: `order_id` with `order_total` becomes `order: {id, total}`.
- Required: a column with no null in the sample window (and at least one row); an object is
  required when one of its properties is.
- Enum: the distinct values the sampling found (sorted), for string columns only.
- Descriptions are left empty, so that `reflekt lint` lists what is left to document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reflekt.core.build import segment
from reflekt.core.build.coltypes import warehouse_family
from reflekt.core.imports.sampling import TableStats
from reflekt.core.warehouse import WarehouseColumn

_FAMILY_TYPES = {"text": "string", "integer": "integer", "number": "number", "boolean": "boolean"}
_ARRAY_TYPES = ("array", "list")


def json_type(data_type: str) -> dict[str, Any]:
    """The JSON Schema type of a column of `data_type` (see the module doc)."""
    family = warehouse_family(data_type)
    lower = data_type.strip().lower()
    if family in _FAMILY_TYPES:
        return {"type": _FAMILY_TYPES[family]}
    if family == "time":
        if lower == "date":
            return {"type": "string", "format": "date"}
        if lower.startswith("time") and not lower.startswith("timestamp"):
            return {"type": "string", "format": "time"}
        return {"type": "string", "format": "date-time"}
    if family == "json":
        is_array = lower.endswith("[]") or lower.split("(")[0].strip() in _ARRAY_TYPES
        return {"type": "array" if is_array else "object"}
    return {"type": "string"}


def _leaf(column: WarehouseColumn, stats: TableStats | None) -> tuple[dict[str, Any], bool]:
    name = column.name.lower()
    spec: dict[str, Any] = {"description": "", **json_type(column.data_type)}
    if stats is not None and name in stats.enums and spec["type"] == "string":
        spec["enum"] = list(stats.enums[name])
    required = stats is not None and stats.rows > 0 and stats.non_null.get(name) == stats.rows
    return spec, required


def _groups(names: list[str], all_columns: frozenset[str]) -> dict[str, list[str]]:
    """prefix -> the column names nested under it (see the module doc)."""
    by_prefix: dict[str, list[str]] = {}
    for name in names:
        prefix, sep, rest = name.partition("_")
        if sep and prefix and rest and not rest.startswith("_"):
            by_prefix.setdefault(prefix, []).append(name)
    groups: dict[str, list[str]] = {}
    for prefix, members in by_prefix.items():
        if len(members) < 2 or prefix in all_columns:
            continue
        nested = {
            prefix: {"type": "object", "properties": {m[len(prefix) + 1 :]: {} for m in members}}
        }
        if sorted(c.column for c in segment.flatten_properties(nested)) == sorted(members):
            groups[prefix] = members
    return groups


def draft_properties(
    columns: tuple[WarehouseColumn, ...],
    stats: TableStats | None,
    all_columns: frozenset[str],
) -> tuple[dict[str, Any], list[str]]:
    """`properties` and `required` of a drafted schema from its property columns."""
    by_name = {column.name.lower(): column for column in columns}
    names = sorted(by_name)
    groups = _groups(names, all_columns)
    nested_in = {member: prefix for prefix, members in groups.items() for member in members}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name in names:
        if name in nested_in:
            continue
        spec, is_required = _leaf(by_name[name], stats)
        properties[name] = spec
        if is_required:
            required.append(name)
    for prefix, members in groups.items():
        children: dict[str, Any] = {}
        child_required: list[str] = []
        for member in sorted(members):
            rest = member[len(prefix) + 1 :]
            children[rest], is_required = _leaf(by_name[member], stats)
            if is_required:
                child_required.append(rest)
        properties[prefix] = {
            "description": "",
            "type": "object",
            "properties": children,
            "required": child_required,
        }
        if child_required:
            required.append(prefix)
    return _sorted(properties), sorted(required)


def _sorted(properties: Mapping[str, Any]) -> dict[str, Any]:
    return {name: properties[name] for name in sorted(properties)}
