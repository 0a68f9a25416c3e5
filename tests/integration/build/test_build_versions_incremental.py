"""One model per event across versions, casts, and incremental models, with real `dbt build`.

On DuckDB and the local PostgreSQL server, a warehouse shaped like Segment's: two versions of
`Order Completed` land in one table (rows carry no version), `total` was loaded as text (one
value is not a number), re-deliveries and a late batch arrive between runs. The tests read
the models dbt built.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from reflekt.core.build.dbt_runner import (
    DbtRunResult,
    dbt_adapter_installed,
    dbt_command,
    run_dbt,
    write_downstream_project,
)
from reflekt.core.build.pipeline import BuildResult, build_dbt
from reflekt.core.profiles import load_profile
from reflekt.core.project import load_project
from reflekt.core.scaffold import NewProject, create_project
from reflekt.core.schemas import dump_schema, new_schema_body

pytestmark = [
    pytest.mark.dbt,
    pytest.mark.skipif(dbt_command() is None, reason="dbt is not installed"),
]

PG = {"host": "127.0.0.1", "port": 5432, "database": "test", "user": "postgres"}
COLUMNS = {
    "id": "varchar",
    "received_at": "timestamp",
    "uuid_ts": "timestamp",
    "timestamp": "timestamp",
    "user_id": "varchar",
    "event": "varchar",
    "event_text": "varchar",
    "order_id": "varchar",
    "total": "varchar",  # a number Segment loaded as text
    "payment_method": "varchar",  # planned by 2-0 only
}


def _order(message_id: str, received: str, loaded: str, total: str, method: str | None) -> dict:
    return {
        "id": message_id,
        "received_at": received,
        "uuid_ts": loaded,
        "timestamp": received,
        "user_id": "user-1",
        "event": "order_completed",
        "event_text": "Order Completed",
        "order_id": f"order-{message_id}",
        "total": total,
        "payment_method": method,
    }


# Run 1: a 1-0-era row, 2-0-era rows, a re-delivery, and a total that is not a number.
FIRST = [
    _order("m1", "2024-01-01 10:00", "2024-01-01 11:00", "12.50", None),
    _order("m2", "2024-01-02 10:00", "2024-01-02 11:00", " 7 ", "card"),
    _order("m2", "2024-01-02 10:30", "2024-01-02 12:00", "999", "late copy"),
    _order("m3", "2024-01-03 10:00", "2024-01-03 11:00", "N/A", "cash"),
]
# Run 2: a late re-delivery of m1 (received after the original, loaded days later), a
# late batch (received on the 2nd, loaded on the 5th) and a new message.
SECOND = [
    _order("m1", "2024-01-01 10:05", "2024-01-05 09:00", "1000", "late copy"),
    _order("m4", "2024-01-02 09:00", "2024-01-05 09:00", "3.25", "card"),
    _order("m5", "2024-01-05 08:00", "2024-01-05 09:00", "1e2", "card"),
]
# Run 3: the original of m6 arrives after its re-delivery was loaded (an earlier
# received_at loaded later): the model must end with the earliest delivery.
THIRD_A = [_order("m6", "2024-01-06 10:10", "2024-01-06 11:00", "5", "late copy")]
THIRD_B = [
    _order("m6", "2024-01-06 10:00", "2024-01-06 12:00", "6", "card"),
    _order("m2", "2024-01-02 11:00", "2024-01-06 12:00", "0", "late copy"),
]


def _schema(root: Path, version: str, properties: dict[str, Any], required: list[str]) -> None:
    schema_id = f"segment/shop/Order_Completed/{version}.json"
    body = new_schema_body(
        schema_id,
        vendor="com.example",
        name="Order Completed",
        version=version,
        description=f"Order completed ({version}).",
        properties=properties,
    )
    body["required"] = required
    path = root / "schemas" / schema_id
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_schema(body), encoding="utf-8")


def _project(root: Path, materialized: str, docs_columns: str = "own") -> None:
    create_project(
        root,
        NewProject(name="shop", vendor="com.example", profile="dev", profiles_path="p.yml"),
    )
    order_id = {"type": "string", "description": "Order id."}
    total = {"type": "number", "description": "Order total.", "minimum": 0}
    _schema(root, "1-0", {"order_id": order_id, "total": total}, ["order_id"])
    method = {"type": "string", "description": "How the order was paid."}
    _schema(
        root,
        "2-0",
        {"order_id": order_id, "total": total, "payment_method": method},
        ["order_id", "payment_method"],
    )
    config_path = root / "reflekt_project.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["artifacts"]["dbt"]["models"]["materialized"] = materialized
    config["artifacts"]["dbt"]["models"]["lookback"] = "1 day"
    config["artifacts"]["dbt"]["docs"]["columns"] = docs_columns
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


@dataclass
class Warehouse:
    kind: str
    insert: Any  # (rows) -> None
    query: Any  # (sql) -> rows
    profile_source: dict[str, Any]
    source_arg: str
    schema: str
    target_schema: str

    @property
    def model(self) -> str:
        return f"stg_{self.schema}__order_completed"


def _values(row: dict[str, Any]) -> str:
    return ", ".join(
        "null" if row[name] is None else "'" + str(row[name]).replace("'", "''") + "'"
        for name in COLUMNS
    )


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request, tmp_path: Path) -> Iterator[Warehouse]:
    ddl = ", ".join(f'"{name}" {kind}' for name, kind in COLUMNS.items())
    names = ", ".join(f'"{name}"' for name in COLUMNS)
    if request.param == "duckdb":
        import duckdb

        db_path = tmp_path / "warehouse.duckdb"
        schema = "segment_prod"

        def execute(sql: str) -> list[tuple]:
            connection = duckdb.connect(str(db_path))
            try:
                return connection.execute(sql).fetchall()
            finally:
                connection.close()

        execute(f"create schema {schema}; create table {schema}.order_completed ({ddl})")
        yield Warehouse(
            "duckdb",
            lambda rows: [
                execute(f"insert into {schema}.order_completed ({names}) values ({_values(r)})")
                for r in rows
            ],
            execute,
            {"id": "wh", "type": "duckdb", "path": str(db_path)},
            f"wh.warehouse.{schema}",
            schema,
            "reflekt_staging",
        )
        return
    import sqlalchemy

    if not dbt_adapter_installed("postgres"):
        pytest.skip("dbt-postgres is not installed")
    url = sqlalchemy.engine.URL.create(
        "postgresql+psycopg2", username="postgres", host="127.0.0.1", port=5432, database="test"
    )
    engine = sqlalchemy.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        engine.connect().close()
    except sqlalchemy.exc.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    schema = f"reflekt_inc_{uuid.uuid4().hex[:10]}"

    def pg(sql: str) -> list[tuple]:
        with engine.begin() as connection:
            result = connection.execute(sqlalchemy.text(sql))
            return [tuple(row) for row in result.all()] if result.returns_rows else []

    pg(f"create schema {schema}; create table {schema}.order_completed ({ddl})")
    try:
        yield Warehouse(
            "postgres",
            lambda rows: [
                pg(f"insert into {schema}.order_completed ({names}) values ({_values(r)})")
                for r in rows
            ],
            pg,
            {"id": "pg", "type": "postgres", **PG},
            f"pg.test.{schema}",
            schema,
            f"{schema}_stg",
        )
    finally:
        pg(f"drop schema if exists {schema} cascade; drop schema if exists {schema}_stg cascade")
        engine.dispose()


def _build(root: Path, warehouse: Warehouse) -> BuildResult:
    (root / "p.yml").write_text(
        yaml.safe_dump({"version": 1.0, "dev": {"source": [warehouse.profile_source]}}),
        encoding="utf-8",
    )
    project = load_project(root)
    return build_dbt(project, load_profile(project), None, warehouse.source_arg)


def _downstream(root: Path, build: BuildResult, warehouse: Warehouse, **models: Any) -> Path:
    project = load_project(root)
    source = load_profile(project).source(warehouse.profile_source["id"])
    work_dir = root.parent / "downstream"
    write_downstream_project(work_dir, build.package_dir, source, warehouse.target_schema)
    if models:
        config_path = work_dir / "dbt_project.yml"
        config = yaml.safe_load(config_path.read_text())
        config["models"] = {build.package.package_name: models}
        config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    assert run_dbt(work_dir, source, ["deps"]).ok
    return work_dir


def _dbt_build(root: Path, work_dir: Path, warehouse: Warehouse) -> DbtRunResult:
    project = load_project(root)
    source = load_profile(project).source(warehouse.profile_source["id"])
    result = run_dbt(work_dir, source, ["build"])
    assert result.ok, result.log[-4000:]
    return result


def _model_rows(warehouse: Warehouse) -> list[tuple]:
    return warehouse.query(
        f"select event_id, total, payment_method from {warehouse.target_schema}.{warehouse.model} "
        "order by event_id"
    )


def test_one_model_for_both_versions_with_the_text_number_cast(tmp_path, warehouse):
    root = tmp_path / "project"
    _project(root, "view", docs_columns="all")  # every column typed: the contract can hold
    warehouse.insert(FIRST)
    build = _build(root, warehouse)
    assert [model.name for model in build.package.models] == [warehouse.model]
    model = build.package.models[0]
    assert model.schema_ids == (
        "segment/shop/Order_Completed/1-0.json",
        "segment/shop/Order_Completed/2-0.json",
    )
    names = [column.name for column in model.columns]
    assert "schema_id" not in names and "payment_method" in names
    work_dir = _downstream(root, build, warehouse, **{"+contract": {"enforced": True}})
    result = _dbt_build(root, work_dir, warehouse)
    # The contract holds: every column's data_type is what the model selects.
    assert result.models_built == 1
    rows = _model_rows(warehouse)
    assert [(event_id, method) for event_id, _, method in rows] == [
        ("m1", None),
        ("m2", "card"),
        ("m3", "cash"),
    ]
    totals = [None if total is None else float(total) for _, total, _ in rows]
    assert totals == [12.5, 7.0, None], "a text number is numeric; 'N/A' is null"
    [(total_sum,)] = warehouse.query(
        f"select sum(total) from {warehouse.target_schema}.{warehouse.model}"
    )
    assert float(total_sum) == 19.5
    docs = yaml.safe_load((build.package_dir / model.docs_path).read_text())
    columns = {column["name"]: column for column in docs["models"][0]["columns"]}
    assert columns["total"]["data_type"] == ("double" if warehouse.kind == "duckdb" else "float")
    tests = [next(iter(test)) for test in columns["total"].get("data_tests", [])]
    assert tests == ["reflekt_accepted_range"]
    # Required in both versions: not_null; required by 2-0 only: 1-0 rows have none.
    assert [next(iter(t)) for t in columns["order_id"]["data_tests"]] == ["not_null"]
    assert "data_tests" not in columns["payment_method"]


def test_incremental_model_stays_exact_over_three_runs(tmp_path, warehouse):
    root = tmp_path / "project"
    _project(root, "incremental")
    warehouse.insert(FIRST)
    build = _build(root, warehouse)
    sql = (build.package_dir / build.package.models[0].sql_path).read_text()
    assert "materialized = 'incremental'" in sql and "unique_key = 'event_id'" in sql
    assert build.package.models[0].materialized == "incremental"
    work_dir = _downstream(root, build, warehouse)
    _dbt_build(root, work_dir, warehouse)
    assert [r[0] for r in _model_rows(warehouse)] == ["m1", "m2", "m3"]

    warehouse.insert(SECOND)
    _dbt_build(root, work_dir, warehouse)
    rows = _model_rows(warehouse)
    assert [r[0] for r in rows] == ["m1", "m2", "m3", "m4", "m5"]
    first = {event_id: float(total) if total is not None else None for event_id, total, _ in rows}
    assert first["m1"] == 12.5, "the late re-delivery of m1 does not replace the first"
    assert first["m4"] == 3.25, "the late batch is loaded"
    assert first["m5"] == 100.0

    warehouse.insert(THIRD_A)
    _dbt_build(root, work_dir, warehouse)
    warehouse.insert(THIRD_B)
    _dbt_build(root, work_dir, warehouse)
    rows = _model_rows(warehouse)
    assert [r[0] for r in rows] == ["m1", "m2", "m3", "m4", "m5", "m6"]
    [(count, distinct)] = warehouse.query(
        f"select count(*), count(distinct event_id) from {warehouse.target_schema}.{warehouse.model}"
    )
    assert (count, distinct) == (6, 6)
    by_id = {event_id: (total, method) for event_id, total, method in rows}
    assert float(by_id["m6"][0]) == 6.0 and by_id["m6"][1] == "card", "earliest delivery"
    assert float(by_id["m2"][0]) == 7.0 and by_id["m2"][1] == "card"


def test_table_materialization(tmp_path, warehouse):
    root = tmp_path / "project"
    _project(root, "table")
    warehouse.insert(FIRST)
    build = _build(root, warehouse)
    sql = (build.package_dir / build.package.models[0].sql_path).read_text()
    assert "materialized = 'table'" in sql and "is_incremental" not in sql
    work_dir = _downstream(root, build, warehouse)
    _dbt_build(root, work_dir, warehouse)
    assert [r[0] for r in _model_rows(warehouse)] == ["m1", "m2", "m3"]
