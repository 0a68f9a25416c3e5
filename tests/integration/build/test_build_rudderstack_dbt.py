"""`--sdk rudderstack` for real: a RudderStack-shaped DuckDB warehouse (re-delivered rows, a
late batch, numbers as text, `channel`/`rudder_id`, a reserved-word event table), the package
built for it and a real `dbt build` on DuckDB and on Postgres; and `reflekt demo --sdk
rudderstack` end to end.

dbt is slow: one module-scoped run per warehouse, the tests read its results.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from rudder_support import demo_with_order

from reflekt.cli import cli
from reflekt.core.build.dbt_runner import (
    DbtRunResult,
    build_package_with_dbt,
    dbt_adapter_installed,
    dbt_command,
)
from reflekt.core.build.pipeline import BuildResult, build_dbt
from reflekt.core.profiles import load_profile
from reflekt.core.project import load_project
from reflekt.core.schemas import list_schema_files
from reflekt.demo.warehouse import DEMO_FAULTS, DemoWarehouseSummary, create_demo_warehouse

pytestmark = [
    pytest.mark.dbt,
    pytest.mark.skipif(dbt_command() is None, reason="dbt is not installed"),
]

SCHEMA = "rudder_prod"
PG = {"host": "127.0.0.1", "port": 5432, "database": "test", "user": "postgres"}
_PG_TYPES = {
    "VARCHAR": "text",
    "TIMESTAMP": "timestamp",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
}


@dataclass
class RudderWarehouse:
    root: Path
    db_path: Path
    summary: DemoWarehouseSummary


@pytest.fixture(scope="module")
def rudder_warehouse(tmp_path_factory: pytest.TempPathFactory) -> RudderWarehouse:
    """The demo project plus `Order`, and its RudderStack-shaped DuckDB warehouse."""
    root = tmp_path_factory.mktemp("rudder") / "project"
    demo_with_order(root)
    project = load_project(root)
    db_path = root / "warehouse.duckdb"
    files = list_schema_files(project.schemas_dir)
    summary = create_demo_warehouse(
        db_path, files, project.schemas_dir, {"Order Refunded"}, schema=SCHEMA, sdk="rudderstack"
    )
    (root / "reflekt_profiles.yml").write_text(
        json.dumps(
            {
                "version": 1.0,
                "demo": {
                    "source": [
                        {"id": "wh", "type": "duckdb", "path": str(db_path)},
                        {"id": "pg", "type": "postgres", **PG},
                    ]
                },
            }
        ),
        encoding="utf-8",
    )
    return RudderWarehouse(root, db_path, summary)


def _columns(db_path: Path, schema: str, table: str) -> list[str]:
    import duckdb

    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        return [
            row[0]
            for row in connection.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
        ]
    finally:
        connection.close()


def test_the_warehouse_is_rudderstack_shaped(rudder_warehouse: RudderWarehouse) -> None:
    """Names as RudderStack writes them, and the real-data faults."""
    summary = rudder_warehouse.summary
    assert "_order" in summary.tables and "order" not in summary.tables
    assert {"tracks", "identifies", "users", "pages", "cart_viewed"} <= set(summary.tables)
    order = _columns(rudder_warehouse.db_path, SCHEMA, "_order")
    assert {"_from", "plan_v2", "amount", "channel", "rudder_id", "uuid_ts"} <= set(order)
    assert "context_protocols_violations" not in order
    assert summary.redelivered > 0 and summary.late > 0
    price = DEMO_FAULTS.text_number.split(".")[1]
    assert price in _columns(rudder_warehouse.db_path, SCHEMA, "product_viewed")


@dataclass
class DbtRun:
    build: BuildResult
    dbt_build: DbtRunResult


def _build_and_run(root: Path, source: str, downstream: Path, target_schema: str) -> DbtRun:
    """`reflekt build dbt --sdk rudderstack --source <source>`, then dbt deps + build."""
    project = load_project(root)
    profile = load_profile(project)
    build = build_dbt(project, profile, None, source, "rudderstack")
    runs = build_package_with_dbt(
        build.package_dir,
        profile.source(source.split(".")[0]),
        downstream,
        target_schema=target_schema,
    )
    return DbtRun(build, runs[-1])


@pytest.fixture(scope="module")
def duckdb_run(rudder_warehouse: RudderWarehouse, tmp_path_factory) -> DbtRun:
    return _build_and_run(
        rudder_warehouse.root,
        f"wh.{rudder_warehouse.db_path.stem}.{SCHEMA}",
        tmp_path_factory.mktemp("duck_downstream"),
        "reflekt_staging",
    )


def test_duckdb_dbt_build_passes(duckdb_run: DbtRun, rudder_warehouse: RudderWarehouse) -> None:
    run = duckdb_run.dbt_build
    assert run.command == ("build",) and run.ok, run.log[-4000:]
    assert run.models_failed == 0 and run.tests_failed == 0, run.failures
    assert run.models_built == len(duckdb_run.build.built)
    assert "stg_rudder_prod___order" in duckdb_run.build.built
    assert duckdb_run.build.skipped_tables == ("order_refunded",)
    # The demo's planted violations warn, as on Segment.
    assert sorted(test.describe() for test in run.warned_tests) == [
        "reflekt_accepted_range on stg_rudder_prod__order_completed.total: 1 row",
        "reflekt_accepted_values on stg_rudder_prod__order_completed.currency: 2 rows",
    ]


def test_duckdb_models_dedupe_cast_and_keep_rudderstack_columns(
    duckdb_run: DbtRun, rudder_warehouse: RudderWarehouse
) -> None:
    import duckdb

    assert duckdb_run.dbt_build.ok
    connection = duckdb.connect(str(rudder_warehouse.db_path), read_only=True)
    try:
        raw, distinct = connection.execute(
            f"select count(*), count(distinct id) from {SCHEMA}.cart_viewed"
        ).fetchone()
        staged = connection.execute(
            "select count(*), count(distinct event_id), count(channel), count(rudder_id) "
            "from reflekt_staging.stg_rudder_prod__cart_viewed"
        ).fetchone()
        price_type = connection.execute(
            "select data_type from information_schema.columns where table_schema = "
            "'reflekt_staging' and table_name = 'stg_rudder_prod__product_viewed' "
            "and column_name = 'price'"
        ).fetchone()
        order_rows = connection.execute(
            'select count(*), count("_from"), count(plan_v2) '
            'from reflekt_staging."stg_rudder_prod___order"'
        ).fetchone()
    finally:
        connection.close()
    assert raw > distinct, "the warehouse holds re-delivered rows"
    assert staged == (distinct, distinct, distinct, distinct)
    assert price_type == ("DOUBLE",), "the number RudderStack loaded as text is cast"
    assert order_rows[0] > 0 and order_rows[1] == order_rows[0] == order_rows[2]


def test_duckdb_drift_and_docs_say_rudderstack(duckdb_run: DbtRun) -> None:
    build = duckdb_run.build
    kinds = {(item.table, item.kind, item.column) for item in build.drift.items}
    assert ("order_completed", "unplanned_column", "totl") in kinds
    # RudderStack's own columns are not unplanned.
    assert not any(item.column in ("channel", "rudder_id") for item in build.drift.items)
    text = (build.package_dir / "models/_reflekt_rudderstack_columns.md").read_text()
    assert "**RudderStack's columns.**" in text and "Segment" not in text
    source = build.package.source_block["description"]
    assert source == f"Raw RudderStack event data in duckdb schema {SCHEMA}."


# --- Postgres ---------------------------------------------------------------------------------


def _pg_engine():
    import sqlalchemy

    url = sqlalchemy.engine.URL.create(
        "postgresql+psycopg2",
        username=PG["user"],
        host=PG["host"],
        port=PG["port"],
        database=PG["database"],
    )
    return sqlalchemy.create_engine(url, connect_args={"connect_timeout": 5})


@pytest.fixture(scope="module")
def pg_schema(rudder_warehouse: RudderWarehouse) -> Iterator[str]:
    """The RudderStack-shaped tables copied into a fresh Postgres schema (dropped after)."""
    import duckdb
    import sqlalchemy

    engine = _pg_engine()
    try:
        engine.connect().close()
    except sqlalchemy.exc.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    schema = f"reflekt_rudder_{uuid.uuid4().hex[:10]}"
    source = duckdb.connect(str(rudder_warehouse.db_path), read_only=True)
    try:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f"create schema {schema}"))
            for table in sorted(rudder_warehouse.summary.tables):
                types = dict(
                    source.execute(
                        "select column_name, data_type from information_schema.columns "
                        "where table_schema = ? and table_name = ?",
                        [SCHEMA, table],
                    ).fetchall()
                )
                cursor = source.execute(f'select * from {SCHEMA}."{table}"')
                names = [d[0] for d in cursor.description]
                columns = ", ".join(f'"{n}" {_PG_TYPES[types[n]]}' for n in names)
                connection.execute(sqlalchemy.text(f'create table {schema}."{table}" ({columns})'))
                params = ", ".join(f":p{i}" for i in range(len(names)))
                insert = sqlalchemy.text(f'insert into {schema}."{table}" values ({params})')
                rows = cursor.fetchall()
                if rows:
                    connection.execute(
                        insert, [{f"p{i}": value for i, value in enumerate(row)} for row in rows]
                    )
        # Closed before the tests run: an open read-only connection in this process makes
        # DuckDB refuse any other configuration of the file (a later command's read-write).
        source.close()
        yield schema
    finally:
        source.close()
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f"drop schema if exists {schema} cascade"))
            connection.execute(sqlalchemy.text(f"drop schema if exists {schema}_stg cascade"))
        engine.dispose()


@pytest.fixture(scope="module")
def pg_run(rudder_warehouse: RudderWarehouse, pg_schema: str, tmp_path_factory) -> DbtRun:
    if not dbt_adapter_installed("postgres"):
        pytest.skip("dbt-postgres is not installed")
    # A project of its own: one package holding the DuckDB source too would not build here.
    root = tmp_path_factory.mktemp("rudder_pg") / "project"
    shutil.copytree(
        rudder_warehouse.root, root, ignore=shutil.ignore_patterns("artifacts", ".reflekt_cache")
    )
    return _build_and_run(
        root,
        f"pg.{PG['database']}.{pg_schema}",
        tmp_path_factory.mktemp("pg_downstream"),
        f"{pg_schema}_stg",
    )


@pytest.mark.postgres
def test_postgres_dbt_build_passes(pg_run: DbtRun, pg_schema: str) -> None:
    run = pg_run.dbt_build
    assert run.command == ("build",) and run.ok, run.log[-4000:]
    assert run.models_failed == 0 and run.tests_failed == 0, run.failures
    assert run.models_built == len(pg_run.build.built)
    assert f"stg_{pg_schema}___order" in pg_run.build.built
    assert len(run.warned_tests) == 2


@pytest.mark.postgres
def test_postgres_models_dedupe_and_cast(pg_run: DbtRun, pg_schema: str) -> None:
    import sqlalchemy

    assert pg_run.dbt_build.ok
    engine = _pg_engine()
    try:
        with engine.connect() as connection:
            raw, distinct = connection.execute(
                sqlalchemy.text(f"select count(*), count(distinct id) from {pg_schema}.cart_viewed")
            ).one()
            staged = connection.execute(
                sqlalchemy.text(
                    "select count(*), count(distinct event_id), count(channel) "
                    f"from {pg_schema}_stg.stg_{pg_schema}__cart_viewed"
                )
            ).one()
            price_type = connection.execute(
                sqlalchemy.text(
                    "select data_type from information_schema.columns where table_schema = "
                    f"'{pg_schema}_stg' and table_name = 'stg_{pg_schema}__product_viewed' "
                    "and column_name = 'price'"
                )
            ).one()
    finally:
        engine.dispose()
    assert raw > distinct
    assert tuple(staged) == (distinct, distinct, distinct)
    assert price_type[0] in ("double precision", "numeric")


# --- the demo -------------------------------------------------------------------------------


def test_demo_with_sdk_rudderstack_end_to_end(tmp_path: Path) -> None:
    """`reflekt demo --sdk rudderstack`: RudderStack tables, package, and a passing dbt
    build."""
    folder = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--dir", str(folder), "--sdk", "rudderstack"])
    assert result.exit_code == 0, result.output
    assert "RudderStack tables" in result.output
    assert "dbt build: 27 model(s) built" in result.output, result.output
    assert "--sdk rudderstack" in result.output
    # The audit over the demo's window, as RudderStack's tables: the planted faults, and of
    # the unplanned columns only the planted typo (not `channel`, `rudder_id`).
    audit_line = next(line for line in result.output.splitlines() if line.startswith("audit"))
    assert "(2024-01-01 to 2024-04-01)" in audit_line and " 0 rows checked" not in audit_line
    assert "RA202 order_completed.currency" in result.output
    assert "unplanned-column (RA104) 1," in result.output
    assert "--since 2024-01-01 --until 2024-04-01 --sdk rudderstack" in result.output
    report = json.loads((folder / "artifacts/audit.json").read_text())
    assert {f["column"] for f in report["findings"] if f["code"] == "RA104"} == {"totl"}
    page = folder / "artifacts/docs/events/segment/ecommerce/Order_Completed.html"
    assert "Data quality" in page.read_text() and "RA202" in page.read_text()
    models = folder / "artifacts/dbt/reflekt_demo/models"
    assert (models / "rudderstack_prod/stg_rudderstack_prod__cart_viewed.sql").is_file()
    sql = (models / "rudderstack_prod/stg_rudderstack_prod__cart_viewed.sql").read_text()
    assert "channel," in sql and "rudder_id," in sql and "Segment" not in sql


def test_switching_the_demo_sdk_drops_the_other_sdks_models(tmp_path: Path) -> None:
    """A demo run with the other `--sdk` before: its generated models go (its schema is not
    in the fresh warehouse, dbt would fail on them); a file the user wrote there stays."""
    from reflekt.demo.layout import lay_out_demo
    from reflekt.demo.warehouse import run_demo_build

    root = lay_out_demo(tmp_path / "demo").root
    run_demo_build(load_project(root), run_dbt=False)
    segment_models = root / "artifacts/dbt/reflekt_demo/models/segment_prod"
    assert (segment_models / "stg_segment_prod__cart_viewed.sql").is_file()
    mine = segment_models / "my_model.sql"
    mine.write_text("select 1\n", encoding="utf-8")
    report = run_demo_build(load_project(root), run_dbt=False, sdk="rudderstack")
    assert report.build.package.source_name == "rudderstack_prod"
    assert sorted(p.name for p in segment_models.iterdir()) == ["my_model.sql"]


def test_building_rudderstack_tables_as_segment_hints_the_flag(
    rudder_warehouse: RudderWarehouse,
) -> None:
    """Without `--sdk`, RudderStack's own columns drift as unplanned in every table: the
    build says which flag reads them as what they are; with it, nothing to hint."""
    root = rudder_warehouse.root
    args = ["build", "dbt", "--project-dir", str(root), "--source", f"wh.warehouse.{SCHEMA}"]

    as_segment = CliRunner().invoke(cli, [*args, "--dry-run"])
    assert as_segment.exit_code == 0, as_segment.output
    assert "column rudder_id (VARCHAR) is in no schema" in as_segment.stdout
    hint = " ".join(as_segment.stderr.split())
    assert "Hint:" in hint and "use --sdk rudderstack" in hint

    as_rudderstack = CliRunner().invoke(cli, [*args, "--dry-run", "--sdk", "rudderstack"])
    assert as_rudderstack.exit_code == 0, as_rudderstack.output
    assert "rudder_id" not in as_rudderstack.stdout and "Hint:" not in as_rudderstack.stderr
