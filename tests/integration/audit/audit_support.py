"""Shared by the audit tests: a warehouse (real DuckDB or the local PostgreSQL) holding given
tables, schema files, a project, and `reflekt audit` through the CLI."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core.scaffold import NewProject, create_project
from reflekt.core.schemas import dump_schema, new_schema_body

NOW = datetime(2025, 3, 10, 12, 0, 0)
PG = {"host": "127.0.0.1", "port": 5432, "database": "test", "user": "postgres"}
DIALECTS = ["duckdb", "postgres"]
# table -> ({column: SQL type}, rows)
Tables = Mapping[str, tuple[Mapping[str, str], Sequence[Mapping[str, Any]]]]


@dataclass
class Warehouse:
    source: dict[str, Any]
    source_arg: str


def values_sql(row: Mapping[str, Any], names) -> str:
    """A row's values as SQL literals (quotes doubled; a backslash is plain on both)."""
    out = []
    for name in names:
        value = row.get(name)
        out.append("null" if value is None else "'" + str(value).replace("'", "''") + "'")
    return ", ".join(out)


@contextmanager
def warehouse_with(dialect: str, tmp_path: Path, tables: Tables) -> Iterator[Warehouse]:
    """A schema holding `tables`: a DuckDB file, or a fresh Postgres schema dropped after."""
    statements = []
    schema = "segment_prod" if dialect == "duckdb" else f"reflekt_audit_{uuid.uuid4().hex[:8]}"
    statements.append(f"create schema {schema}")
    for table, (columns, rows) in tables.items():
        kinds = {
            k: ("double" if v == "double precision" and dialect == "duckdb" else v)
            for k, v in columns.items()
        }
        statements.append(
            f"create table {schema}.{table} ("
            + ", ".join(f'"{c}" {t}' for c, t in kinds.items())
            + ")"
        )
        for row in rows:
            statements.append(f"insert into {schema}.{table} values ({values_sql(row, columns)})")
    if dialect == "duckdb":
        import duckdb

        path = tmp_path / "warehouse.duckdb"
        connection = duckdb.connect(str(path))
        for statement in statements:
            connection.execute(statement)
        connection.close()
        yield Warehouse({"id": "wh", "type": "duckdb", "path": str(path)}, f"wh.warehouse.{schema}")
        return
    import sqlalchemy

    engine = sqlalchemy.create_engine(
        "postgresql+psycopg2://postgres@127.0.0.1:5432/test", connect_args={"connect_timeout": 5}
    )
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(sqlalchemy.text(statement.replace(":", "\\:")))
    except sqlalchemy.exc.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    try:
        yield Warehouse({"id": "pg", "type": "postgres", **PG}, f"pg.test.{schema}")
    finally:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f"drop schema if exists {schema} cascade"))
        engine.dispose()


def write_schema(
    root: Path,
    folder: str,
    name: str,
    properties: dict,
    required: list,
    metadata: dict | None = None,
) -> None:
    """`schemas/segment/shop/<folder>/1-0.json` for the event `name`."""
    schema_id = f"segment/shop/{folder}/1-0.json"
    body = new_schema_body(
        schema_id,
        vendor="com.example",
        name=name,
        version="1-0",
        description=f"{name}.",
        metadata=metadata,
        properties=properties,
    )
    body["required"] = required
    path = root / "schemas" / schema_id
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_schema(body), encoding="utf-8")


def new_project(root: Path, source: dict[str, Any]) -> None:
    """An empty project `shop` whose profile `dev` reads `source`."""
    create_project(
        root, NewProject(name="shop", vendor="com.example", profile="dev", profiles_path="p.yml")
    )
    (root / "p.yml").write_text(
        yaml.safe_dump({"version": 1.0, "dev": {"source": [source]}}), encoding="utf-8"
    )


def run_audit(root: Path, warehouse: Warehouse, *args: str):
    """`reflekt audit` of the week before NOW."""
    return CliRunner().invoke(
        cli,
        ["audit", "--project-dir", str(root), "--source", warehouse.source_arg,
         "--since", "7d", "--until", NOW.isoformat(), *args],
    )  # fmt: skip
