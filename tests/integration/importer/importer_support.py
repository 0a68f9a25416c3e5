"""Warehouse tables shaped like Segment's, for the import tests (DuckDB and Postgres alike).

`TABLES` holds each table's columns (name, portable type) and `rows(now)` its rows: the same
data is loaded in both warehouses through SQLAlchemy with bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

# Enum values with everything that breaks naive SQL or JSON: quotes, %, _, backslash, unicode.
CURRENCIES = ["EUR", "it's", '"quoted"', "100%", "a_b", "back\\slash", "ünïcödé ✓"]
HOSTILE_COLUMNS = ['it\'s "odd"', "100%_off", "back\\slash", "ünïcode"]
ORDER_ROWS = 1200  # >= 1,000: enough for an enum
OLD_ROWS = 50  # received 30 days ago, outside the default 7-day window: nulls that do not count

SEGMENT = [
    ("id", "text"),
    ("received_at", "timestamp"),
    ("uuid_ts", "timestamp"),
    ("sent_at", "timestamp"),
    ("original_timestamp", "timestamp"),
    ("timestamp", "timestamp"),
    ("anonymous_id", "text"),
    ("user_id", "text"),
    ("context_ip", "text"),
    ("context_library_name", "text"),
]
TRACK = [*SEGMENT, ("event", "text"), ("event_text", "text")]

TABLES: dict[str, list[tuple[str, str]]] = {
    "order_completed": [
        *TRACK,
        ("order_id", "text"),
        ("total", "double"),
        ("quantity", "bigint"),
        ("price_text", "text"),  # a number stored as text
        ("is_gift", "boolean"),
        ("coupon", "text"),  # nulls in the window
        ("currency", "text"),  # low cardinality over 1,200 rows
        ("address_city", "text"),  # nested: address.city, address.zip
        ("address_zip", "text"),
        ("shipping", "text"),  # a plain column: shipping_method stays flat
        ("shipping_method", "text"),
        ("note", "text"),  # many distinct values: no enum
    ],
    "app_opened": [*SEGMENT, ("build_number", "bigint")],  # no event_text: Title Case name
    "hostile_names_happened": [*TRACK, ("plain", "text"), *((n, "text") for n in HOSTILE_COLUMNS)],
    "identifies": [*SEGMENT, ("email", "text"), ("plan", "text")],
    "pages": [*SEGMENT, ("name", "text"), ("url", "text"), ("title", "text"), ("section", "text")],
    "users": [("id", "text"), ("received_at", "timestamp"), ("email", "text")],
    "tracks": [*TRACK],
    "weird-table": [("id", "text"), ("received_at", "timestamp"), ("x", "text")],
    "not_segment": [("key", "text"), ("value", "text")],
}

PG_TYPES = {
    "text": "text",
    "timestamp": "timestamptz",
    "double": "double precision",
    "bigint": "bigint",
    "boolean": "boolean",
}
DUCKDB_TYPES = {
    "text": "varchar",
    "timestamp": "timestamp",
    "double": "double",
    "bigint": "bigint",
    "boolean": "boolean",
}


def _common(index: int, received: datetime, prefix: str) -> dict[str, Any]:
    return {
        "id": f"{prefix}-{index}",
        "received_at": received,
        "uuid_ts": received,
        "sent_at": received,
        "original_timestamp": received,
        "timestamp": received,
        "anonymous_id": f"anon-{index}",
        "user_id": None if index % 3 == 0 else f"user-{index}",
        "context_ip": "10.0.0.1",
        "context_library_name": "analytics.js",
    }


def rows(table: str, now: datetime) -> Iterator[dict[str, Any]]:
    """The rows of `table` (naive UTC times relative to `now`)."""
    recent = now - timedelta(hours=1)
    old = now - timedelta(days=30)
    if table == "order_completed":
        for index in range(ORDER_ROWS + OLD_ROWS):
            is_old = index >= ORDER_ROWS
            yield {
                **_common(index, old if is_old else recent, "oc"),
                "event": "order_completed",
                "event_text": "Order Completed",
                "order_id": f"order-{index}",
                "total": None if is_old else index * 1.5,
                "quantity": index % 5,
                "price_text": f"{index % 50}.50",
                "is_gift": index % 2 == 0,
                "coupon": None if index % 4 else "SAVE10",
                "currency": CURRENCIES[index % len(CURRENCIES)],
                "address_city": "Paris",
                "address_zip": None if index % 10 == 0 else "75001",
                "shipping": "standard",
                "shipping_method": "post",
                "note": f"note {index}",
            }
    elif table == "app_opened":
        for index in range(10):
            yield {**_common(index, recent, "ao"), "build_number": 100 + index}
    elif table == "hostile_names_happened":
        for index in range(10):
            row = {
                **_common(index, recent, "hn"),
                "event": "hostile_names_happened",
                "event_text": "Hostile Names Happened",
                "plain": "x",
            }
            row.update({name: "it's 100% \\ ü" for name in HOSTILE_COLUMNS})
            yield row
    elif table == "identifies":
        for index in range(20):
            yield {
                **_common(index, recent, "id"),
                "email": f"u{index}@example.com",
                "plan": None if index % 2 else "pro",
            }
    elif table == "pages":
        for index in range(20):
            yield {
                **_common(index, recent, "pg"),
                "name": "Home",
                "url": "https://x.test/",
                "title": "Home",
                "section": "landing",
            }
    elif table == "users":
        yield {"id": "u1", "received_at": recent, "email": "u1@example.com"}
    elif table == "tracks":
        yield {
            **_common(0, recent, "tr"),
            "event": "order_completed",
            "event_text": "Order Completed",
        }
    elif table == "weird-table":
        yield {"id": "w1", "received_at": recent, "x": "y"}


def load(engine: Any, schema: str, types: dict[str, str], now: datetime) -> None:
    """Create `schema` and every table of TABLES in it, with their rows (bound parameters)."""
    import sqlalchemy as sa

    preparer = engine.dialect.identifier_preparer
    with engine.begin() as connection:
        # exec_driver_sql: no parameters, so the driver reads `%` in a name as itself.
        connection.exec_driver_sql(f"create schema {preparer.quote(schema)}")
        for table, columns in TABLES.items():
            spec = ", ".join(f"{preparer.quote(name)} {types[kind]}" for name, kind in columns)
            name = f"{preparer.quote(schema)}.{preparer.quote(table)}"
            connection.exec_driver_sql(f"create table {name} ({spec})")
            batch = list(rows(table, now))
            if batch:
                target = sa.table(table, *(sa.column(name) for name, _ in columns), schema=schema)
                connection.execute(sa.insert(target), batch)
