"""Casts of property columns to their schema's JSON type, and the `data_type` of every column.

Segment types a column by the first value it loads: a `price` first sent as `"12.99"` lands
as text, and `sum(price)` then fails downstream. A property whose column's type family
contradicts its one declared JSON type is cast in the model:

- to a number, integer or boolean from text: with the package's `reflekt_cast_*` macros
  (`macros/reflekt_casts.sql`), which give null for a value that is not one (`"N/A"`) instead
  of failing the whole model; the drift report names the column, the tests see the nulls;
- to text from a number or boolean column: a plain cast to the adapter's text type, never
  lossy;
- on BigQuery, both as plain SQL with `safe_cast` (`core/build/bigquery.py`).

A column whose type already fits is selected as it is. Either way the model's column type is
known at build time, and goes into the docs YAML as `data_type` (so a team can turn on
`contract: enforced`). Dates and times, objects and arrays (Segment writes JSON text) and
properties of several types are left as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reflekt.core import escape
from reflekt.core.build.coltypes import declared_types, warehouse_family

CASTS_PATH = "macros/reflekt_casts.sql"
# What text counts as a number or an integer: the casts macros (`casts.sql.j2`) and the
# audit's RA207 use these. No backslash, so every warehouse's regex reads them alike.
NUMBER_PATTERN = "^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$"
INTEGER_PATTERN = "^[-+]?[0-9]{1,18}$"  # at most 18 digits: every value fits a bigint

# The families a JSON type fits without a cast (a JSON number may hold integers only).
_FITS: Mapping[str, frozenset[str]] = {
    "string": frozenset({"text"}),
    "integer": frozenset({"integer"}),
    "number": frozenset({"number", "integer"}),
    "boolean": frozenset({"boolean"}),
}
# Families a JSON string is cast from (a date, time or JSON column keeps its type: Segment
# types ISO-8601 strings as timestamps on purpose).
_TO_TEXT_FROM = frozenset({"integer", "number", "boolean"})

# The type each cast produces, as the adapter names it (what dbt's type macros return:
# `dbt.type_string()` is `text` but on BigQuery; numbers are doubles, never DuckDB's 4-byte
# `float`). The `data_type` of a cast column; the literal columns are cast to the `string`
# entry, written as plain SQL.
_CAST_TYPES: Mapping[str, Mapping[str, str]] = {
    # Redshift's `text` is varchar(256): a long metadata literal would not fit.
    "string": {"bigquery": "string", "redshift": "varchar(65535)", "": "text"},
    "integer": {"bigquery": "int64", "": "bigint"},
    "number": {"duckdb": "double", "bigquery": "float64", "": "float"},
    "boolean": {"bigquery": "bool", "": "boolean"},
}


@dataclass(frozen=True)
class ColumnExpression:
    """How a model selects one property column: the SQL expression and its type."""

    sql: str  # the column reference, or a cast of it
    data_type: str  # the model column's type ("" when unknown)
    cast_to: str = ""  # the JSON type it is cast to, "" when selected as it is


def cast_type(json_type: str, dialect: str) -> str:
    """The adapter's name of the type a cast to `json_type` produces."""
    names = _CAST_TYPES[json_type]
    return names.get(dialect, names[""])


def cast_for(types: Sequence[str], data_type: str) -> str:
    """The JSON type a column of `data_type` is cast to for a property of `types` (its
    declared JSON types, no null); "" when it is selected as it is."""
    if len(types) != 1 or types[0] not in _FITS:
        return ""
    json_type = types[0]
    family = warehouse_family(data_type)
    if family is None or family in _FITS[json_type]:
        return ""
    if json_type == "string":
        return json_type if family in _TO_TEXT_FROM else ""
    # From text only: a boolean in a number column fits no cast (the drift report says so).
    return json_type if family == "text" else ""


def property_expression(ref: str, spec: Any, data_type: str, dialect: str) -> ColumnExpression:
    """The select expression of a property column `ref` (already quoted as needed)."""
    json_type = cast_for(declared_types(spec), data_type)
    if not json_type:
        return ColumnExpression(ref, data_type.lower())
    if dialect == "bigquery":  # plain SQL with safe_cast, no macro (`core/build/bigquery.py`)
        from reflekt.core.build import bigquery

        return ColumnExpression(
            bigquery.safe_cast(ref, json_type), cast_type(json_type, dialect), json_type
        )
    if json_type == "string":
        sql = f"cast({ref} as {cast_type('string', dialect)})"
    else:
        sql = f"{{{{ reflekt_cast_{json_type}({_jinja_argument(ref)}) }}}}"
    return ColumnExpression(sql, cast_type(json_type, dialect), json_type)


def _jinja_argument(ref: str) -> str:
    """`ref` as a Jinja expression: a quoted identifier is already one (`adapter.quote(...)`),
    a bare one becomes a string literal."""
    if ref.startswith("{{ ") and ref.endswith(" }}"):
        return ref[3:-3]
    return escape.jinja_string(ref)


def literal_type(dialect: str) -> str:
    """The type of the model's literal columns (`cast('track' as text)`)."""
    return cast_type("string", dialect)
