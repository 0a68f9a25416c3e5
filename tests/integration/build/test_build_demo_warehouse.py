"""The demo warehouse: Segment-shaped, a few thousand rows, deterministic, gaps on purpose."""

from __future__ import annotations

from pathlib import Path

import duckdb

from reflekt.core.build.segment import flatten_properties
from reflekt.core.schemas import list_schema_files, load_schema
from reflekt.demo.warehouse import DEMO_SKIPPED_EVENTS, create_demo_warehouse

DEMO_SCHEMAS = Path(__file__).resolve().parents[3] / "reflekt" / "demo" / "project" / "schemas"


def dump(path: Path) -> dict[str, list[tuple]]:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'segment_prod' order by 1"
            ).fetchall()
        ]
        return {
            table: connection.execute(f"select * from segment_prod.{table} order by id").fetchall()
            for table in tables
        }
    finally:
        connection.close()


def test_demo_warehouse_is_deterministic_and_segment_shaped(tmp_path):
    files = list_schema_files(DEMO_SCHEMAS)
    first = create_demo_warehouse(tmp_path / "a.duckdb", files, DEMO_SCHEMAS, DEMO_SKIPPED_EVENTS)
    second = create_demo_warehouse(tmp_path / "b.duckdb", files, DEMO_SCHEMAS, DEMO_SKIPPED_EVENTS)
    assert dump(tmp_path / "a.duckdb") == dump(tmp_path / "b.duckdb")
    assert first.tables == second.tables
    assert 2000 <= first.total_rows <= 20000
    assert first.skipped_events == ("Order Refunded", "Product Shared")
    assert "order_refunded" not in first.tables and "product_shared" not in first.tables
    assert {"identifies", "users", "pages", "tracks", "cart_viewed"} <= set(first.tables)
    # tracks summarises every track() call.
    track_tables = set(first.tables) - {"identifies", "users", "pages", "tracks"}
    assert first.tables["tracks"] == sum(first.tables[t] for t in track_tables)

    connection = duckdb.connect(str(tmp_path / "a.duckdb"), read_only=True)
    try:
        columns = {
            name
            for (name,) in connection.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'segment_prod' and table_name = 'order_completed'"
            ).fetchall()
        }
    finally:
        connection.close()
    order_completed = [f for f in files if "Order_Completed" in str(f)]
    for path in order_completed:
        body = load_schema(path, DEMO_SCHEMAS).body
        assert {p.column for p in flatten_properties(body["properties"])} <= columns
    assert {"id", "received_at", "event_text", "context_page_url", "user_id"} <= columns
