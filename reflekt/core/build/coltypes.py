"""Warehouse column types and JSON Schema types, compared: what drift reports and casts use.

`warehouse_family` reads the `data_type` the one introspection query reports (`VARCHAR(256)`,
`double precision`, `TIMESTAMP WITH TIME ZONE`) as a family; `declared_types` reads the JSON
types a property declares.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Warehouse type families, from the `data_type` information_schema reports (lower case, size
# and precision stripped). A type in none of them (geography, interval, ...) is never a
# mismatch.
_FAMILIES: Mapping[str, frozenset[str]] = {
    "text": frozenset(
        {
            "varchar",
            "character varying",
            "text",
            "string",
            "char",
            "character",
            "bpchar",
            "nvarchar",
            "nchar",
            "uuid",
        }
    ),
    "integer": frozenset(
        {
            "integer",
            "int",
            "bigint",
            "smallint",
            "tinyint",
            "int2",
            "int4",
            "int8",
            "hugeint",
            "ubigint",
            "uinteger",
            "usmallint",
            "utinyint",
            "uhugeint",
            "int64",
            "byteint",
        }
    ),
    "number": frozenset(
        {
            "numeric",
            "decimal",
            "number",
            "double",
            "double precision",
            "real",
            "float",
            "float4",
            "float8",
            "float64",
            "bignumeric",
        }
    ),
    "boolean": frozenset({"boolean", "bool"}),
    "time": frozenset(
        {
            "timestamp",
            "timestamp without time zone",
            "timestamp with time zone",
            "timestamptz",
            "timestamp_ntz",
            "timestamp_ltz",
            "timestamp_tz",
            "datetime",
            "date",
            "time",
            "time without time zone",
            "time with time zone",
        }
    ),
    "json": frozenset(
        {"json", "jsonb", "variant", "object", "array", "super", "struct", "map", "list"}
    ),
}


_SIZE = re.compile(r"\s*\(.*\)\s*$")
_NESTED = ("struct<", "array<", "struct(", "map(")


def warehouse_family(data_type: str) -> str | None:
    """The family of an information_schema `data_type` (`VARCHAR(256)` -> text), or None."""
    name = _SIZE.sub("", data_type.strip().lower())
    if name.endswith("[]") or name.startswith(_NESTED):
        return "json"  # DuckDB and Postgres arrays; BigQuery's `STRUCT<a STRING>`, `ARRAY<..>`
    for family, names in _FAMILIES.items():
        if name in names:
            return family
    return None


def declared_types(spec: Any) -> tuple[str, ...]:
    """The JSON types a property declares (`type`, or its anyOf/oneOf branches), no `null`."""
    if not isinstance(spec, dict):
        return ()
    declared = spec.get("type")
    types: list[str] = []
    if isinstance(declared, str):
        types.append(declared)
    elif isinstance(declared, list):
        types.extend(item for item in declared if isinstance(item, str))
    elif declared is None:
        for key in ("anyOf", "oneOf"):
            branches = spec.get(key)
            if isinstance(branches, list):
                for branch in branches:
                    types.extend(declared_types(branch))
    return tuple(dict.fromkeys(kind for kind in types if kind != "null"))
