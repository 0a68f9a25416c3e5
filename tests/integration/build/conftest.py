"""Fixtures of the build tests: small projects, real DuckDB warehouses, a query counter."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reflekt.core.schemas import list_schema_files
from reflekt.demo.warehouse import create_demo_warehouse

DEMO_PROJECT = Path(__file__).resolve().parents[3] / "reflekt" / "demo" / "project"
SOURCE = "wh.warehouse.segment_prod"
TRICKY_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "segment/ecommerce/Tricky_Thing_Happened/1-0.json",
    "description": "An event with every name that could break the SQL: it's tricky.",
    "self": {
        "vendor": "com.reflekt_demo",
        "name": "Tricky Thing Happened",
        "format": "jsonschema",
        "version": "1-0",
    },
    "metadata": {"owner": "greg's {{ team }}", "nested": {"a": {"b": "c}}"}}},
    "type": "object",
    "properties": {
        "order": {"type": "string", "description": "A reserved word."},
        "select": {"type": "integer", "description": "Another one."},
        "user_id": {"type": "string", "description": "Same as the common column."},
        "page_url": {"type": "string", "description": "Same as context_page_url's alias."},
        "call_type": {"type": "string", "description": "Same as a generated column."},
        "camelCase": {"type": "boolean", "description": "Snake-cased by Segment."},
        "address": {
            "type": "object",
            "description": "Flattened with _.",
            "properties": {"zipCode": {"type": "string", "description": "It's the zip."}},
        },
    },
    "required": [],
    "additionalProperties": False,
}


def add_small_schemas(project) -> None:
    """A small project: a track event in two versions, identify, page, and a missing event."""
    project.add_schema(
        "segment/shop/Cart_Viewed/1-0",
        {
            "cart_id": {"type": "string", "description": "Cart id."},
            "user_id": {"type": "string", "description": "A property named like a column."},
            "page_url": {"type": "string", "description": "Clashes with context_page_url."},
            "products_count": {"type": "integer", "description": "How many products."},
            "nested": {
                "type": "object",
                "description": "Nested object.",
                "properties": {"innerVal": {"type": "number", "description": "Inner value."}},
            },
        },
        name="Cart Viewed",
        description="User viewed their cart.",
        metadata={"code_owner": "greg's team", "tags": {"tier": {"level": 1}}},
        required=["cart_id"],
    )
    project.add_schema(
        "segment/shop/Cart_Viewed/2-0",
        {
            "cart_id": {"type": "string", "description": "Cart id."},
            "order": {"type": "string", "description": "A reserved word."},
        },
        name="Cart Viewed",
        description="User viewed their cart.",
    )
    project.add_schema(
        "segment/shop/Identify/1-0",
        {"email": {"type": "string", "description": "Email of the user."}},
        name="Identify",
        description="Segment identify() call.",
    )
    project.add_schema(
        "segment/shop/Page/1-0",
        {"title": {"type": "string", "description": "Page title."}},
        name="Page",
        description="User viewed a page.",
    )
    project.add_schema(
        "segment/shop/Order_Refunded/1-0",
        {"order_id": {"type": "string", "description": "Order id."}},
        name="Order Refunded",
        description="An order was refunded.",
    )


def duckdb_profile(project, db_path: Path, source_id: str = "wh") -> None:
    project.write_profiles(
        {
            "version": 1.0,
            "dev": {"source": [{"id": source_id, "type": "duckdb", "path": str(db_path)}]},
        }
    )


@dataclass
class SmallProject:
    project: object  # tests.conftest.ProjectBuilder
    db_path: Path

    @property
    def root(self) -> Path:
        return self.project.root

    @property
    def package_dir(self) -> Path:
        return self.root / "artifacts" / "dbt" / "small_shop"


@pytest.fixture
def small_project(make_project, tmp_path: Path) -> SmallProject:
    """A project with the small schemas and a DuckDB warehouse missing `order_refunded`."""
    project = make_project(name="small shop")
    add_small_schemas(project)
    db_path = tmp_path / "warehouse.duckdb"
    files = list_schema_files(project.schemas_dir)
    create_demo_warehouse(db_path, files, project.schemas_dir, {"Order Refunded"}, seed=3)
    duckdb_profile(project, db_path)
    return SmallProject(project, db_path)


class QueryCounter:
    """Counts SQL statements sent through any SQLAlchemy engine (an event listener)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    @property
    def introspection(self) -> list[str]:
        return [s for s in self.statements if "information_schema" in s.lower()]


@pytest.fixture
def query_counter() -> Iterator[QueryCounter]:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    counter = QueryCounter()
    event.listen(Engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(Engine, "before_cursor_execute", counter)


@pytest.fixture(scope="session")
def demo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped demo project with its DuckDB warehouse (two events left out)."""
    root = tmp_path_factory.mktemp("demo") / "project"
    shutil.copytree(DEMO_PROJECT, root)
    # The hard cases, so that dbt itself proves them: a filter with a quote, a reserved word,
    # names that clash with common columns, metadata with quotes and Jinja braces.
    config = root / "reflekt_project.yml"
    text = config.read_text(encoding="utf-8")
    assert "      prefix: stg_\n" in text
    config.write_text(
        text.replace(
            "      prefix: stg_\n",
            "      prefix: stg_\n      filter: |-\n        where received_at >= '2023-01-01'\n"
            "        and 1 = 1\n",
        ),
        encoding="utf-8",
    )
    tricky = root / "schemas/segment/ecommerce/Tricky_Thing_Happened/1-0.json"
    tricky.parent.mkdir(parents=True)
    tricky.write_text(json.dumps(TRICKY_SCHEMA, indent=2), encoding="utf-8")
    return root
