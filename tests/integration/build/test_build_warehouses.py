"""Introspection and builds against Postgres, Redshift (its dialect on Postgres) and Snowflake
(fakesnow), plus one real `dbt build` with dbt-postgres."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator

import pytest

from reflekt.core.build.dbt_runner import build_package_with_dbt, dbt_adapter_installed, dbt_command
from reflekt.core.build.pipeline import build_dbt
from reflekt.core.profiles import SourceConfig, load_profile
from reflekt.core.project import load_project
from reflekt.core.warehouse import check_source, introspect

PG = {"host": "127.0.0.1", "port": 5432, "database": "test", "user": "postgres"}
_PG_TYPES = {
    "VARCHAR": "text",
    "TIMESTAMP": "timestamp",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
}


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


@pytest.fixture
def pg_schema(small_project) -> Iterator[str]:
    """A uniquely named Postgres schema holding the small project's raw tables (dropped after)."""
    import duckdb
    import sqlalchemy

    engine = _pg_engine()
    try:
        engine.connect().close()
    except sqlalchemy.exc.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    schema = f"reflekt_build_{uuid.uuid4().hex[:10]}"
    source = duckdb.connect(str(small_project.db_path), read_only=True)
    try:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f"create schema {schema}"))
            tables = source.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'segment_prod' order by 1"
            ).fetchall()
            for (table,) in tables:
                types = dict(
                    source.execute(
                        "select column_name, data_type from information_schema.columns "
                        "where table_schema = 'segment_prod' and table_name = ?",
                        [table],
                    ).fetchall()
                )
                cursor = source.execute(f"select * from segment_prod.{table}")
                names = [d[0] for d in cursor.description]
                columns = ", ".join(f'"{n}" {_PG_TYPES[types[n]]}' for n in names)
                connection.execute(sqlalchemy.text(f'create table {schema}."{table}" ({columns})'))
                rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
                params = ", ".join(f":p{i}" for i in range(len(names)))
                insert = sqlalchemy.text(f'insert into {schema}."{table}" values ({params})')
                connection.execute(
                    insert, [{f"p{i}": row[n] for i, n in enumerate(names)} for row in rows]
                )
        yield schema
    finally:
        source.close()
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f"drop schema if exists {schema} cascade"))
            connection.execute(sqlalchemy.text(f"drop schema if exists {schema}_stg cascade"))
        engine.dispose()


def _profiles(small_project, source: dict) -> None:
    small_project.project.write_profiles({"version": 1.0, "dev": {"source": [source]}})


@pytest.mark.postgres
def test_postgres_build_then_real_dbt_build(small_project, pg_schema, query_counter, tmp_path):
    _profiles(small_project, {"id": "pg", "type": "postgres", **PG})
    project = load_project(small_project.root)
    profile = load_profile(project)
    result = build_dbt(project, profile, None, f"pg.test.{pg_schema}")
    assert len(query_counter.introspection) == 1
    assert sorted(result.built) == sorted(
        f"stg_{pg_schema}__{t}" for t in ("cart_viewed", "identifies", "users", "pages", "tracks")
    )
    assert result.skipped_tables == ("order_refunded",)
    if not (dbt_command() and dbt_adapter_installed("postgres")):
        pytest.skip("dbt-postgres is not installed")
    runs = build_package_with_dbt(
        result.package_dir,
        profile.source("pg"),
        tmp_path / "downstream",
        target_schema=f"{pg_schema}_stg",
    )
    build = runs[-1]
    assert build.command == ("build",), runs[0].log[-3000:]
    assert build.ok, build.log[-4000:]
    assert build.models_built == 5
    # unique + not_null on each model's id (Cart Viewed's `required: [cart_id]` is 1-0's
    # only: 2-0 rows may lack it, so no not_null).
    assert build.tests_passed == 10


@pytest.mark.postgres
def test_redshift_dialect_introspects_postgres(small_project, pg_schema, query_counter):
    source = SourceConfig("rs", "redshift", {**PG, "sslmode": "disable"})
    columns = introspect(source, pg_schema)
    assert len(query_counter.introspection) == 1
    assert set(columns.tables) == {
        "cart_viewed",
        "identifies",
        "pages",
        "tracks",
        "users",
    }
    import duckdb

    names = [c.name for c in columns.columns("cart_viewed")]
    raw = duckdb.connect(str(small_project.db_path), read_only=True)
    try:
        cursor = raw.execute("select * from segment_prod.cart_viewed limit 0")
        created = [d[0] for d in cursor.description]
    finally:
        raw.close()
    assert names == created, "every column, in the table's own order"
    assert check_source(source, pg_schema).startswith("connected to rs (redshift")


@pytest.mark.postgres
def test_redshift_build_through_the_cli(small_project, pg_schema):
    from click.testing import CliRunner

    from reflekt.cli import cli

    _profiles(small_project, {"id": "rs", "type": "redshift", "sslmode": "disable", **PG})
    result = CliRunner().invoke(
        cli,
        [
            "build",
            "dbt",
            "--project-dir",
            str(small_project.root),
            "--source",
            f"rs.test.{pg_schema}",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Built 5 model(s)" in result.output


def test_snowflake_introspection_and_build_with_fakesnow(small_project, query_counter):
    import fakesnow
    import sqlalchemy

    from reflekt.core.warehouse import engine_url

    settings = {
        "account": "acct",
        "user": "reflekt",
        "password": "sf-secret-123",
        "database": "RAW",
        "warehouse": "wh",
        "role": "transformer",
    }
    _profiles(small_project, {"id": "sf", "type": "snowflake", **settings})
    project = load_project(small_project.root)
    profile = load_profile(project)
    source = profile.source("sf")
    with warnings.catch_warnings(), fakesnow.patch():
        warnings.simplefilter("ignore")
        engine = sqlalchemy.create_engine(engine_url(source))
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("create schema raw.segment_prod"))
            # Unquoted identifiers are stored upper case; "order" was created quoted.
            connection.execute(
                sqlalchemy.text(
                    "create table raw.segment_prod.cart_viewed (id varchar, received_at timestamp, "
                    'event_text varchar, user_id varchar, cart_id varchar, "order" varchar, '
                    "nested_inner_val double)"
                )
            )
            connection.execute(
                sqlalchemy.text(
                    "create table raw.segment_prod.tracks (id varchar, received_at timestamp, "
                    "event varchar)"
                )
            )
        engine.dispose()
        query_counter.statements.clear()
        result = build_dbt(project, profile, ["segment/shop/Cart_Viewed"], "sf.raw.segment_prod")
        assert check_source(source, "segment_prod").startswith("connected to sf (snowflake")
    assert len([s for s in query_counter.introspection]) == 2  # the build's one + the check's
    assert result.package.source_block["schema"] == "SEGMENT_PROD"
    assert set(result.built) == {"stg_segment_prod__cart_viewed", "stg_segment_prod__tracks"}
    sql = (result.package_dir / "models/segment_prod/stg_segment_prod__cart_viewed.sql").read_text()
    assert "        id as event_id,\n" in sql
    assert "        nested_inner_val,\n" in sql
    assert "{{ adapter.quote('order') }} as order_," in sql, "2-0's property, in the one model"


def test_snowflake_introspects_the_database_named_by_source(small_project, query_counter):
    """The profile's database is ANALYTICS; the raw events are in RAW (`--source sf.raw...`)."""
    import fakesnow
    import sqlalchemy

    from reflekt.core.warehouse import engine_url

    settings = {"account": "acct", "user": "u", "password": "pw", "database": "ANALYTICS"}
    _profiles(small_project, {"id": "sf", "type": "snowflake", **settings})
    project = load_project(small_project.root)
    profile = load_profile(project)
    source = profile.source("sf")
    with warnings.catch_warnings(), fakesnow.patch():
        warnings.simplefilter("ignore")
        engine = sqlalchemy.create_engine(engine_url(source))
        with engine.begin() as connection:
            for sql in (
                "create database raw",
                "create schema raw.segment_prod",
                "create table raw.segment_prod.cart_viewed (id varchar, cart_id varchar)",
                "create schema analytics.segment_prod",
                "create table analytics.segment_prod.pages (id varchar)",
            ):
                connection.execute(sqlalchemy.text(sql))
        engine.dispose()
        query_counter.statements.clear()
        result = build_dbt(project, profile, ["segment/shop/Cart_Viewed"], "sf.raw.segment_prod")
    [query] = query_counter.introspection
    assert "from raw.information_schema.columns" in query
    assert "stg_segment_prod__cart_viewed" in result.built
    assert result.package.source_block["database"] == "raw"


def test_snowflake_bad_account_is_a_warehouse_error(small_project):
    """A real connection attempt to an account that cannot resolve: exit 3, password masked."""
    from click.testing import CliRunner

    from reflekt.cli import cli

    password = "sf-password-never-shown"
    _profiles(
        small_project,
        {
            "id": "sf",
            "type": "snowflake",
            "account": "acct.invalid",
            "user": "u",
            "password": password,
            "database": "RAW",
        },
    )
    result = CliRunner().invoke(
        cli, ["debug", "--connect", "--project-dir", str(small_project.root)]
    )
    assert password not in result.output
    assert result.exit_code == 3, result.output
    assert "cannot connect to source sf (snowflake account acct.invalid)" in result.output
