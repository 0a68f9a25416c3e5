"""Fixtures of the import tests: Segment-shaped warehouses (DuckDB, Postgres) and projects."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from importer_support import DUCKDB_TYPES, PG_TYPES, load

PG = {"host": "127.0.0.1", "port": 5432, "database": "test", "user": "postgres"}


@pytest.fixture(scope="session")
def duckdb_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file holding schema `segment_prod` with the tables of importer_support."""
    import sqlalchemy as sa

    path = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    engine = sa.create_engine(f"duckdb:///{path}")
    try:
        load(engine, "segment_prod", DUCKDB_TYPES, datetime.now(UTC).replace(tzinfo=None))
    finally:
        engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_warehouse() -> Iterator[str]:
    """The same tables in a uniquely named Postgres schema (dropped after): its name."""
    import sqlalchemy as sa

    url = sa.engine.URL.create(
        "postgresql+psycopg2",
        username=PG["user"],
        host=PG["host"],
        port=PG["port"],
        database=PG["database"],
    )
    engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        engine.connect().close()
    except sa.exc.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    schema = f"reflekt_import_{uuid.uuid4().hex[:10]}"
    try:
        load(engine, schema, PG_TYPES, datetime.now(UTC).replace(tzinfo=None))
        yield schema
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'drop schema if exists "{schema}" cascade'))
        engine.dispose()


@dataclass
class QueryCounter:
    statements: list[str] = field(default_factory=list)

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)


@pytest.fixture
def query_counter() -> Iterator[QueryCounter]:
    """Every SQL statement any engine sends during the test."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    counter = QueryCounter()
    event.listen(Engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(Engine, "before_cursor_execute", counter)


@pytest.fixture
def duck_project(make_project: Callable[..., Any], duckdb_warehouse: Path) -> Any:
    """A fresh project whose profile's source `wh` is the DuckDB warehouse."""
    project = make_project("shop")
    project.write_profiles(
        {
            "version": 1.0,
            "dev": {"source": [{"id": "wh", "type": "duckdb", "path": str(duckdb_warehouse)}]},
        }
    )
    return project


@pytest.fixture
def pg_project(make_project: Callable[..., Any], pg_warehouse: str) -> Any:
    project = make_project("shop")
    project.write_profiles(
        {"version": 1.0, "dev": {"source": [{"id": "pg", "type": "postgres", **PG}]}}
    )
    return project
