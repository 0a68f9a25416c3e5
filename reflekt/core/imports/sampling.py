"""The SQL an import pushes to the warehouse: aggregates only, never rows.

Per table, ONE aggregate query over the sample window (rows received since `since`, at most
the `sample` most recent of them when given): `count(*)`, `count(col)` of every property
column (a column whose count equals the row count has no null: required),
`count(distinct col)` of every string column (enum candidates), and `min`/`max` of
`event_text` (one value means the sample names the event). Then, for each string column with
at most `MAX_ENUM_VALUES` distinct values in at least `MIN_ENUM_ROWS` non-null rows, one
bounded query (`limit MAX_ENUM_VALUES + 1`) for its distinct values.

Queries are SQLAlchemy Core expressions: identifiers are quoted by the connection's own
dialect, the window's start is a bound parameter, and no outside text is ever formatted
into SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reflekt.core.build.coltypes import warehouse_family
from reflekt.core.imports.tables import EventTable

MAX_ENUM_VALUES = 20
MIN_ENUM_ROWS = 1000
MAX_ENUM_VALUE_CHARS = 200  # longer values are free text, not categories


@dataclass(frozen=True)
class TableStats:
    """What the sample window says about one table (counts by lower-case column name)."""

    rows: int
    non_null: Mapping[str, int] = field(default_factory=dict)
    distinct: Mapping[str, int] = field(default_factory=dict)
    enums: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    event_text: str | None = None  # the one event_text value, when there is exactly one


@dataclass(frozen=True)
class Window:
    """The sample window: rows received since `since`, at most `sample` of them."""

    since: datetime
    sample: int | None = None


def _is_text(data_type: str) -> bool:
    return warehouse_family(data_type) == "text"


def _source(sa: Any, schema: str, table: EventTable, window: Window) -> Any:
    """The rows of the window, as a FROM clause (a subquery when `sample` bounds it)."""
    names = [column.name for column in table.properties]
    if table.event_text:
        names.append(table.event_text)
    names.append(table.received_at)
    columns = (sa.column(name) for name in dict.fromkeys(names))
    relation = sa.table(table.table, *columns, schema=schema)
    received = relation.c[table.received_at]
    rows = sa.select(*relation.c).where(received >= sa.bindparam("since", window.since))
    if window.sample is not None:
        rows = rows.order_by(received.desc()).limit(int(window.sample))
    return rows.subquery("reflekt_window")


def table_stats(connection: Any, schema: str, table: EventTable, window: Window) -> TableStats:
    """Run the table's aggregate query (and its enum value queries): see the module doc."""
    import sqlalchemy as sa

    source = _source(sa, schema, table, window)
    texts = [column for column in table.properties if _is_text(column.data_type)]
    measures: list[Any] = [sa.func.count()]
    measures += [sa.func.count(source.c[column.name]) for column in table.properties]
    measures += [sa.func.count(sa.distinct(source.c[column.name])) for column in texts]
    if table.event_text:
        measures += [
            sa.func.min(source.c[table.event_text]),
            sa.func.max(source.c[table.event_text]),
        ]
    row = connection.execute(sa.select(*measures).select_from(source)).one()
    values = list(row)
    rows = int(values.pop(0))
    non_null = {c.name.lower(): int(values.pop(0)) for c in table.properties}
    distinct = {c.name.lower(): int(values.pop(0)) for c in texts}
    event_text = None
    if table.event_text:
        low, high = values.pop(0), values.pop(0)
        if low is not None and low == high:
            event_text = str(low)
    enums: dict[str, tuple[str, ...]] = {}
    for column in texts:
        lower = column.name.lower()
        if non_null[lower] >= MIN_ENUM_ROWS and 0 < distinct[lower] <= MAX_ENUM_VALUES:
            found = _distinct_values(sa, connection, source, column.name)
            if found is not None:
                enums[lower] = found
    return TableStats(rows, non_null, distinct, enums, event_text)


def _distinct_values(sa: Any, connection: Any, source: Any, name: str) -> tuple[str, ...] | None:
    """The distinct values of one column (None when they are not a small set of short
    strings: the data may have changed since the aggregate query)."""
    column = source.c[name]
    query = (
        sa.select(column)
        .select_from(source)
        .where(column.is_not(None))
        .distinct()
        .limit(MAX_ENUM_VALUES + 1)
    )
    found = [row[0] for row in connection.execute(query)]
    if not found or len(found) > MAX_ENUM_VALUES:
        return None
    if not all(isinstance(v, str) and len(v) <= MAX_ENUM_VALUE_CHARS for v in found):
        return None
    return tuple(sorted(found))
