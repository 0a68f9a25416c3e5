"""The row checks of one event table, as ONE aggregate query the warehouse runs.

Each check is a violation condition over one column (`price < 0`); the query counts, for
every check, the violating rows and the first and last `received_at` among them, in one
pass over the rows of the window. The checks come from the event's schemas, all versions
merged as the dbt build merges them (`core/build/events.py`): a property is required only
when every version requires it.

Samples are a second, bounded query (at most N distinct values per check), run only for
the checks that found something: values, never rows.

A named page or screen (a Segment PAGE/SCREEN rule keyed `Home`) shares `pages`/`screens`
with the others: its queries read only its rows (`row_filter`, see `name_filter`), as its
dbt model does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from reflekt.core.audit import sql
from reflekt.core.build import schema_tests
from reflekt.core.build.casts import INTEGER_PATTERN, NUMBER_PATTERN
from reflekt.core.build.coltypes import declared_types, warehouse_family
from reflekt.core.build.events import MergedProperty
from reflekt.core.warehouse import WarehouseColumn

# The formats the warehouse can check; no backslash, so every dialect reads them alike.
FORMAT_PATTERNS = {
    "date-time": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?"
    "([Zz]|[-+][0-9]{2}(:?[0-9]{2})?)?$",
    "date": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "email": "^[^@ ]+@[^@ ]+[.][^@ ]+$",
    "uuid": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
}
MAX_DAILY_DAYS = 31  # the daily volume of longer windows is not broken down


@dataclass(frozen=True)
class Check:
    """One violation condition over one column."""

    code: str  # RA2xx
    column: str  # the warehouse column
    property: str  # dotted path in the schema
    condition: str  # SQL: true for a violating row
    detail: str  # what the rule is, for the message: "enum [a, b]", "minimum 0"
    samples: bool = True  # worth showing example values (not for a null)


@dataclass(frozen=True)
class TableQuery:
    """The aggregate query of one table, and what each of its result columns means."""

    table: str
    sql: str
    checks: tuple[Check, ...]
    has_window: bool  # the table has `received_at`: the window and the volume apply
    days: tuple[datetime, ...] = ()  # the start of each day of the daily volume
    has_id: bool = False


def _column_checks(prop: MergedProperty, column: WarehouseColumn, dialect: str) -> list[Check]:
    ref = sql.ident(column.name, dialect)
    spec = prop.spec
    dotted = ".".join(prop.column.path)
    family = warehouse_family(column.data_type)
    numeric = family in (None, "integer", "number")
    text = sql.as_text(ref, dialect)
    checks: list[Check] = []

    def add(code: str, condition: str, detail: str, samples: bool = True) -> None:
        checks.append(Check(code, column.name, dotted, condition, detail, samples))

    if prop.required:
        add("RA201", f"{ref} is null", "required", samples=False)
    values = schema_tests.accepted_values(spec)
    if values is not None:
        try:
            if all(isinstance(value, str) for value in values):
                listed = ", ".join(sql.literal(value, dialect) for value in values)
                add("RA202", f"{ref} is not null and {text} not in ({listed})", "enum")
            elif numeric and not any(isinstance(value, bool) for value in values):
                listed = ", ".join(sql.number(value) for value in values)
                add("RA202", f"{ref} is not null and {ref} not in ({listed})", "enum")
            elif family == "boolean" and all(isinstance(value, bool) for value in values):
                listed = ", ".join("true" if value else "false" for value in values)
                add("RA202", f"{ref} is not null and {ref} not in ({listed})", "enum")
        except sql.UnrepresentableValue:
            pass  # an enum value the warehouse cannot hold: no row can equal it either way
    bounds = schema_tests.bounds(spec) if family in ("integer", "number") else {}
    if bounds:
        parts = []
        if "min_value" in bounds:
            op = "<=" if bounds.get("exclusive_min") else "<"
            parts.append(f"{ref} {op} {sql.number(bounds['min_value'])}")
        if "max_value" in bounds:
            op = ">=" if bounds.get("exclusive_max") else ">"
            parts.append(f"{ref} {op} {sql.number(bounds['max_value'])}")
        shown = ", ".join(f"{key} {value}" for key, value in bounds.items())
        add("RA203", f"{ref} is not null and ({' or '.join(parts)})", shown)
    pattern = spec.get("pattern")
    if isinstance(pattern, str):
        try:
            match = sql.regex_match(text, pattern, dialect)
            add("RA204", f"{ref} is not null and not {match}", f"pattern {pattern}")
        except sql.UnrepresentableValue:
            pass
    lengths = schema_tests.length_bounds(spec)
    if lengths:
        size = sql.length(ref, dialect)
        parts = []
        if "min_length" in lengths:
            parts.append(f"{size} < {lengths['min_length']}")
        if "max_length" in lengths:
            parts.append(f"{size} > {lengths['max_length']}")
        shown = ", ".join(f"{key} {value}" for key, value in lengths.items())
        add("RA205", f"{ref} is not null and ({' or '.join(parts)})", shown)
    kind = spec.get("format")
    if family == "text" and isinstance(kind, str) and kind in FORMAT_PATTERNS:
        match = sql.regex_match(f"trim({ref})", FORMAT_PATTERNS[kind], dialect)
        add("RA206", f"{ref} is not null and not {match}", f"format {kind}")
    types = declared_types(spec)
    if family == "text" and len(types) == 1 and types[0] in ("number", "integer", "boolean"):
        if types[0] == "boolean":
            condition = f"lower(trim({ref})) not in ('true', 'false')"
        else:
            wanted = NUMBER_PATTERN if types[0] == "number" else INTEGER_PATTERN
            condition = f"not {sql.regex_match(f'trim({ref})', wanted, dialect)}"
        add("RA207", f"{ref} is not null and {condition}", f"type {types[0]}")
    return checks


def name_filter(columns: Sequence[WarehouseColumn], name: str, dialect: str) -> str | None:
    """The rows of one named page or screen: `name = '<name>'`, the name an exact literal.

    None when the table has no `name` column (its pages cannot be told apart). A name the
    warehouse cannot hold (NUL on Postgres) matches no row.
    """
    column = next((c for c in columns if c.name.lower() == "name"), None)
    if column is None:
        return None
    try:
        return f"{sql.ident(column.name, dialect)} = {sql.literal(name, dialect)}"
    except sql.UnrepresentableValue:
        return "1 = 0"


def table_checks(
    properties: Sequence[MergedProperty], columns: Sequence[WarehouseColumn], dialect: str
) -> tuple[Check, ...]:
    """Every check of a table: each property that became a column, in property order."""
    by_lower = {column.name.lower(): column for column in reversed(columns)}
    checks: list[Check] = []
    seen: set[str] = set()
    for prop in properties:
        column = by_lower.get(prop.column.column)
        if column is None or prop.column.column in seen:
            continue
        seen.add(prop.column.column)
        checks.extend(_column_checks(prop, column, dialect))
    return tuple(checks)


def _relation(database: str, schema: str, table: str, dialect: str) -> str:
    """`schema.table`; on BigQuery `project.dataset.table` (the project of `--source`)."""
    parts = (database, schema, table) if dialect == "bigquery" and database else (schema, table)
    return ".".join(sql.ident(part, dialect) for part in parts)


def table_query(
    *,
    schema: str,
    table: str,
    columns: Sequence[WarehouseColumn],
    checks: Sequence[Check],
    since: datetime,
    until: datetime,
    previous_since: datetime,
    dialect: str,
    row_filter: str = "",
    database: str = "",
) -> TableQuery:
    """The one aggregate query of a table, or of its rows matching `row_filter` (SQL)."""
    by_lower = {column.name.lower(): column for column in reversed(columns)}
    relation = _relation(database, schema, table, dialect)
    received = by_lower.get("received_at")
    received_ref = sql.ident(received.name, dialect) if received else None
    id_column = by_lower.get("id")
    select = ["count(*) as n"]
    if received_ref:
        select += [f"min({received_ref}) as first_seen", f"max({received_ref}) as last_seen"]
    if id_column is not None:
        id_ref = sql.ident(id_column.name, dialect)
        select.append(f"count({id_ref}) - count(distinct {id_ref}) as duplicates")
    for index, check in enumerate(checks):
        select.append(f"sum(case when {check.condition} then 1 else 0 end) as c{index}")
        if received_ref:
            select += [
                f"min(case when {check.condition} then {received_ref} end) as f{index}",
                f"max(case when {check.condition} then {received_ref} end) as l{index}",
            ]
    days: list[datetime] = []
    narrowed = f" and {row_filter}" if row_filter else ""
    where = f"\nwhere {row_filter}" if row_filter else ""
    if received_ref:
        start, end = sql.timestamp(since, dialect), sql.timestamp(until, dialect)
        where = f"\nwhere {received_ref} >= {start} and {received_ref} < {end}{narrowed}"
        previous = sql.timestamp(previous_since, dialect)
        select.append(
            f"(select count(*) from {relation} where {received_ref} >= {previous} "
            f"and {received_ref} < {start}{narrowed}) as previous_n"
        )
        day = datetime(since.year, since.month, since.day)
        while day < until:
            days.append(day)
            day += timedelta(days=1)
        if len(days) > MAX_DAILY_DAYS:
            days = []
        for index, start_day in enumerate(days):
            low = sql.timestamp(max(start_day, since), dialect)
            high = sql.timestamp(min(start_day + timedelta(days=1), until), dialect)
            select.append(
                f"sum(case when {received_ref} >= {low} and {received_ref} < {high} "
                f"then 1 else 0 end) as v{index}"
            )
    text = "select\n    " + ",\n    ".join(select) + f"\nfrom {relation}{where}"
    return TableQuery(
        table, text, tuple(checks), received_ref is not None, tuple(days), id_column is not None
    )


def samples_query(
    *,
    schema: str,
    table: str,
    columns: Sequence[WarehouseColumn],
    checks: Sequence[tuple[int, Check]],
    since: datetime,
    until: datetime,
    limit: int,
    dialect: str,
    row_filter: str = "",
    database: str = "",
) -> str:
    """Up to `limit` distinct violating values of each of `checks` (index, check), as text,
    among the rows matching `row_filter` (SQL; "" for every row)."""
    by_lower = {column.name.lower(): column for column in reversed(columns)}
    relation = _relation(database, schema, table, dialect)
    received = by_lower.get("received_at")
    window = f" and {row_filter}" if row_filter else ""
    if received is not None:
        ref = sql.ident(received.name, dialect)
        window = (
            f" and {ref} >= {sql.timestamp(since, dialect)}"
            f" and {ref} < {sql.timestamp(until, dialect)}{window}"
        )
    parts = []
    for index, check in checks:
        value = sql.as_text(sql.ident(check.column, dialect), dialect)
        parts.append(
            f"select check_index, sample_value from (select distinct {index} as check_index, "
            f"{value} as sample_value from {relation} where ({check.condition}){window} "
            f"order by 2 limit {int(limit)}) as s{index}"
        )
    return "\nunion all\n".join(parts)


def row_value(row: Any, name: str) -> Any:
    """A value of a result row by column name (drivers differ in case)."""
    mapping = row._mapping if hasattr(row, "_mapping") else row
    if name in mapping:
        return mapping[name]
    for key in mapping:
        if str(key).lower() == name:
            return mapping[key]
    return None
