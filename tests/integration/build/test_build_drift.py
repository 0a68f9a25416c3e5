"""The drift report of `reflekt build dbt`: unplanned columns, never-seen properties, type
mismatches, from the build's one introspection query (real DuckDB and Postgres)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core.build.drift import contradicts, find_drift
from reflekt.core.build.segment import flatten_properties, is_flattened
from reflekt.core.lint.base import walk_properties
from reflekt.core.warehouse import SchemaColumns, WarehouseColumn

SOURCE = "wh.warehouse.segment_prod"
HOSTILE = "\x1b[31m[red]evil"
PROPERTIES_V1 = {
    "total": {"type": "number", "description": "Order total."},
    "price": {"type": "number", "description": "Unit price."},
    "is_gift": {"type": "boolean", "description": "A gift?"},
    "coupon": {"type": "string", "description": "Coupon code."},
    "never_sent": {"type": "string", "description": "Planned, never sent."},
    "shipping": {
        "type": "object",
        "description": "Shipping.",
        "properties": {"zipCode": {"type": "string", "description": "Zip."}},
    },
}
PROPERTIES_V2 = {**PROPERTIES_V1, "giftNote": {"type": "string", "description": "Gift note."}}
# order_completed as Segment loads it, with the faults: `totl` (a typo of `total`), `price` and
# `is_gift` as text, a hostile column name; `never_sent` has no column.
DRIFTING_COLUMNS = [
    ("id", "varchar"),
    ("received_at", "timestamp"),
    ("uuid_ts", "timestamp"),
    ("event", "varchar"),
    ("event_text", "varchar"),
    ("user_id", "varchar"),
    ("context_ip", "varchar"),
    ("context_some_new_field", "varchar"),
    ("totl", "double"),
    ("price", "varchar"),
    ("is_gift", "varchar"),
    ("coupon", "varchar"),
    ("shipping_zip_code", "varchar"),
    ("gift_note", "varchar"),
    (HOSTILE, "varchar"),
]
CLEAN_COLUMNS = [
    ("id", "varchar"),
    ("received_at", "timestamp"),
    ("event", "varchar"),
    ("event_text", "varchar"),
    ("total", "double"),
    ("price", "double"),
    ("is_gift", "boolean"),
    ("coupon", "varchar"),
    ("never_sent", "varchar"),
    ("shipping_zip_code", "varchar"),
    ("gift_note", "varchar"),
]
TRACKS_COLUMNS = [("id", "varchar"), ("received_at", "timestamp"), ("event", "varchar")]


def _create_duckdb(path: Path, columns: list[tuple[str, str]]) -> None:
    import duckdb

    connection = duckdb.connect(str(path))
    try:
        connection.execute("create schema segment_prod")
        for table, cols in (("order_completed", columns), ("tracks", TRACKS_COLUMNS)):
            spec = ", ".join(f'"{name}" {kind}' for name, kind in cols)
            connection.execute(f"create table segment_prod.{table} ({spec})")
    finally:
        connection.close()


def _project(make_project, tmp_path: Path, columns: list[tuple[str, str]], folder: str):
    project = make_project(name="drift shop", folder=folder)
    for version, properties in (("1-0", PROPERTIES_V1), ("2-0", PROPERTIES_V2)):
        project.add_schema(
            f"segment/shop/Order_Completed/{version}",
            properties,
            name="Order Completed",
            description="An order was completed.",
        )
    db_path = tmp_path / f"{folder}_db" / "warehouse.duckdb"
    db_path.parent.mkdir()
    _create_duckdb(db_path, columns)
    project.write_profiles(
        {"version": 1.0, "dev": {"source": [{"id": "wh", "type": "duckdb", "path": str(db_path)}]}}
    )
    return project


@pytest.fixture
def drifting(make_project, tmp_path: Path):
    return _project(make_project, tmp_path, DRIFTING_COLUMNS, "drifting")


@pytest.fixture
def clean(make_project, tmp_path: Path):
    return _project(make_project, tmp_path, CLEAN_COLUMNS, "clean")


def invoke(project, *args: str):
    return CliRunner().invoke(cli, ["build", "dbt", "--project-dir", str(project.root), *args])


def _drift(stdout: str) -> list[dict]:
    return json.loads(stdout)["drift"]


def test_text_report_lists_each_kind_and_exits_0(drifting, query_counter):
    result = invoke(drifting, "--source", SOURCE)
    assert result.exit_code == 0, result.output
    assert len(query_counter.introspection) == 1
    out = result.stdout
    assert "drift: 2 unplanned columns, 2 never-seen properties, 2 type mismatches" in out
    assert "column totl (DOUBLE) is in no schema (did you mean total?)" in out
    assert "property never_sent has no column never_sent" in out
    assert "property total has no column total" in out
    assert "price is number in the schema, but column price is VARCHAR" in out
    assert "is_gift is boolean in the schema, but column is_gift is VARCHAR" in out
    # Segment's own columns, other versions' properties and nested leaves are planned.
    for planned in ("uuid_ts", "context_some_new_field", "gift_note", "shipping_zip_code"):
        assert f"column {planned} " not in out
    assert "coupon" not in out  # a string in a text column


def test_hostile_column_name_is_printed_neutralised(drifting):
    result = invoke(drifting, "--source", SOURCE)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "column \\x1b[31m[red]evil (VARCHAR) is in no schema" in result.stdout
    as_json = invoke(drifting, "--source", SOURCE, "--format", "json")
    assert "\x1b" not in as_json.stdout  # JSON escapes it, and a script reads it back
    assert HOSTILE in {item["column"] for item in _drift(as_json.stdout)}


def test_json_report_has_the_documented_shape(drifting, query_counter):
    result = invoke(drifting, "--source", SOURCE, "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(query_counter.introspection) == 1
    doc = json.loads(result.stdout)
    assert {"stg_segment_prod__order_completed", "stg_segment_prod__tracks"} <= set(doc["built"])
    assert doc["skipped"] == []
    assert doc["drift_summary"].startswith("drift: 2 unplanned columns")
    keys = {
        "event",
        "table",
        "kind",
        "column",
        "property",
        "schema_type",
        "warehouse_type",
        "suggestion",
    }
    assert all(set(item) == keys for item in doc["drift"])
    by_kind = {(item["kind"], item["column"]): item for item in doc["drift"]}
    assert set(by_kind) == {
        ("unplanned_column", HOSTILE),
        ("unplanned_column", "totl"),
        ("never_seen", "never_sent"),
        ("never_seen", "total"),
        ("type_mismatch", "price"),
        ("type_mismatch", "is_gift"),
    }
    assert by_kind[("unplanned_column", "totl")] == {
        "event": "Order Completed",
        "table": "order_completed",
        "kind": "unplanned_column",
        "column": "totl",
        "property": "",
        "schema_type": "",
        "warehouse_type": "DOUBLE",
        "suggestion": "total",
    }
    assert by_kind[("type_mismatch", "price")]["schema_type"] == "number"
    assert by_kind[("type_mismatch", "price")]["warehouse_type"] == "VARCHAR"
    assert by_kind[("never_seen", "total")]["property"] == "total"


def test_fail_on_drift_exits_1_and_still_builds(drifting):
    result = invoke(drifting, "--source", SOURCE, "--fail-on-drift")
    assert result.exit_code == 1, result.output
    assert "drift: 2 unplanned columns" in result.stdout
    assert (drifting.root / "artifacts/dbt/drift_shop/dbt_project.yml").is_file()


def test_dry_run_reports_drift_and_writes_nothing(drifting):
    result = invoke(drifting, "--source", SOURCE, "--dry-run", "--fail-on-drift")
    assert result.exit_code == 1, result.output
    assert "Would build" in result.stdout
    assert "did you mean total?" in result.stdout
    assert not (drifting.root / "artifacts/dbt/drift_shop").exists()


def test_selecting_one_version_keeps_the_other_versions_columns_planned(drifting):
    result = invoke(
        drifting,
        "--source",
        SOURCE,
        "--select",
        "segment/shop/Order_Completed/1-0",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    columns = {
        item["column"] for item in _drift(result.stdout) if item["kind"] == "unplanned_column"
    }
    assert columns == {"totl", HOSTILE}  # gift_note is planned by 2-0


def test_clean_warehouse_reports_no_drift(clean, query_counter):
    result = invoke(clean, "--source", SOURCE, "--fail-on-drift")
    assert result.exit_code == 0, result.output
    assert "drift: none" in result.stdout
    assert len(query_counter.introspection) == 1
    result = invoke(clean, "--source", SOURCE, "--format", "json")
    assert _drift(result.stdout) == []


def test_details_are_capped_unless_verbose(make_project, tmp_path: Path):
    extra = [(f"unplanned_{index:02d}", "varchar") for index in range(30)]
    project = _project(make_project, tmp_path, CLEAN_COLUMNS + extra, "many")
    result = invoke(project, "--source", SOURCE)
    assert result.exit_code == 0, result.output
    assert "drift: 30 unplanned columns, 0 never-seen properties, 0 type mismatches" in (
        result.stdout
    )
    assert "column unplanned_19 " in result.stdout
    assert "column unplanned_20 " not in result.stdout
    assert "… and 10 more" in result.stdout
    verbose = invoke(project, "--source", SOURCE, "--verbose")
    assert "column unplanned_29 " in verbose.stdout
    assert "more (--verbose" not in verbose.stdout


def test_drift_names_columns_as_the_build_and_lint_do():
    body = {"properties": PROPERTIES_V2}
    # RF314's columns: every property but the flattened objects (their leaves are columns).
    lint_columns = {ref.column for ref in walk_properties(body) if not is_flattened(ref.schema)}
    assert {p.column for p in flatten_properties(PROPERTIES_V2)} == lint_columns


@pytest.mark.parametrize(
    ("types", "data_type", "expected"),
    [
        (("number",), "VARCHAR", True),
        (("integer",), "character varying(256)", True),
        (("integer",), "DOUBLE", False),
        (("number",), "NUMBER(38,0)", False),
        (("boolean",), "text", True),
        (("boolean",), "BOOLEAN", False),
        (("string",), "BIGINT", False),
        (("string",), "TIMESTAMP WITH TIME ZONE", False),
        (("number", "string"), "VARCHAR", False),
        (("array",), "VARCHAR", False),
        (("object",), "BIGINT", True),
        (("number",), "GEOGRAPHY", False),
        ((), "VARCHAR", False),
    ],
)
def test_contradictions_table(types, data_type, expected):
    assert contradicts(types, data_type) is expected


def test_snowflake_upper_case_columns_match_planned_properties():
    from reflekt.core.build.events import EventSchema

    schema = EventSchema.from_body(
        "segment/shop/Order_Completed/1-0.json",
        {"self": {"name": "Order Completed"}, "properties": PROPERTIES_V2},
    )
    columns = SchemaColumns(
        "SEGMENT_PROD",
        {
            "order_completed": tuple(
                WarehouseColumn(name.upper(), kind.upper()) for name, kind in CLEAN_COLUMNS
            )
        },
    )
    assert not find_drift([schema], columns, {"order_completed"})


# --- Postgres ---------------------------------------------------------------------------------

PG = {"host": "127.0.0.1", "port": 5432, "database": "test", "user": "postgres"}
_PG_TYPES = {"varchar": "text", "timestamp": "timestamp", "double": "double precision"}


@pytest.fixture
def pg_drifting(drifting) -> Iterator[str]:
    """The drifting tables in a uniquely named Postgres schema (dropped after)."""
    import sqlalchemy

    url = sqlalchemy.engine.URL.create(
        "postgresql+psycopg2",
        username=PG["user"],
        host=PG["host"],
        port=PG["port"],
        database=PG["database"],
    )
    engine = sqlalchemy.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        engine.connect().close()
    except sqlalchemy.exc.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    schema = f"reflekt_drift_{uuid.uuid4().hex[:10]}"
    try:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f"create schema {schema}"))
            for table, cols in (("order_completed", DRIFTING_COLUMNS), ("tracks", TRACKS_COLUMNS)):
                spec = ", ".join(
                    '"{}" {}'.format(name.replace('"', '""'), _PG_TYPES[kind])
                    for name, kind in cols
                )
                connection.execute(sqlalchemy.text(f"create table {schema}.{table} ({spec})"))
        drifting.write_profiles(
            {"version": 1.0, "dev": {"source": [{"id": "pg", "type": "postgres", **PG}]}}
        )
        yield schema
    finally:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f"drop schema if exists {schema} cascade"))
        engine.dispose()


@pytest.mark.postgres
def test_postgres_drift(drifting, pg_drifting, query_counter):
    result = invoke(drifting, "--source", f"pg.test.{pg_drifting}", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(query_counter.introspection) == 1
    found = {
        (item["kind"], item["column"], item["warehouse_type"]) for item in _drift(result.stdout)
    }
    assert found == {
        ("unplanned_column", HOSTILE, "text"),
        ("unplanned_column", "totl", "double precision"),
        ("never_seen", "never_sent", ""),
        ("never_seen", "total", ""),
        ("type_mismatch", "price", "text"),
        ("type_mismatch", "is_gift", "text"),
    }
