"""BigQuery models: every generated model parses as BigQuery SQL (sqlglot), names that are
reserved words or hostile are quoted or escaped, casts are safe, string literals exact."""

from __future__ import annotations

import pytest
from bqemulator_support import render_model
from hypothesis import given
from hypothesis import strategies as st

from reflekt.core.build.dbt import build_package
from reflekt.core.build.events import EventSchema
from reflekt.core.escape import sql_string
from reflekt.core.project import DbtConfig, Lookback
from reflekt.core.schemas import Version
from reflekt.core.warehouse import SchemaColumns, SourceArg, WarehouseColumn

sqlglot = pytest.importorskip("sqlglot")
from sqlglot import exp  # noqa: E402

COMMON = {
    "id": "STRING",
    "received_at": "TIMESTAMP",
    "uuid_ts": "TIMESTAMP",
    "event": "STRING",
    "event_text": "STRING",
    "user_id": "STRING",
    "anonymous_id": "STRING",
    "name": "STRING",
}
HOSTILE = "it's \\ {{ x }} `tick` \n line"


def _columns(extra: dict[str, str]) -> tuple[WarehouseColumn, ...]:
    return tuple(WarehouseColumn(n, t) for n, t in {**COMMON, **extra}.items())


def _build(materialized: str = "view"):
    cart = EventSchema(
        "segment/shop/Cart_Viewed/1-0.json",
        "Cart Viewed",
        Version(1, 0),
        HOSTILE,
        {"owner": HOSTILE},
        {
            "price": {"type": "number", "description": HOSTILE},
            "count": {"type": "integer", "description": "A text-typed integer."},
            "gift": {"type": "boolean", "description": "A text-typed boolean."},
            "sku": {"type": "string", "description": "A number-typed string."},
            "contains": {"type": "string", "description": "BigQuery reserves it."},
            "order": {"type": "string", "description": "Reserved everywhere."},
            "ctx": {"type": "object", "description": "A STRUCT column."},
            "tags": {"type": "array", "description": "An ARRAY column."},
        },
    )
    page = EventSchema(
        "segment/shop/Home/1-0.json",
        HOSTILE,
        Version(1, 0),
        "",
        {"segment_rule_type": "PAGE"},
        {},
    )
    tables = {
        "cart_viewed": _columns(
            {
                "price": "STRING",
                "count": "STRING",
                "gift": "STRING",
                "sku": "INT64",
                "contains": "STRING",
                "order": "STRING",
                "Weird-Name": "STRING",  # not Segment's, but a warehouse may hold it
                "ctx": "STRUCT<a STRING, b INT64>",
                "tags": "ARRAY<STRING>",
            }
        ),
        "tracks": _columns({}),
        "pages": _columns({"title": "STRING"}),
    }
    return build_package(
        project_name="Shop",
        config=DbtConfig(
            models_materialized=materialized,
            models_lookback=Lookback(3, "day"),
            models_filter="where received_at >= '2024-01-01'",
        ),
        schemas=[cart, page],
        columns=SchemaColumns("segment_prod", tables),
        source=SourceArg("bq", "my-project", "segment_prod"),
        source_type="bigquery",
    )


@pytest.mark.parametrize("materialized", ["view", "incremental"])
def test_every_model_parses_as_bigquery(materialized):
    package = _build(materialized)
    assert len(package.models) == 3
    for model in package.models:
        sql = render_model(package.files[model.sql_path], "my-project", "segment_prod")
        tree = sqlglot.parse_one(sql, read="bigquery")
        raw = {(t.catalog, t.db, t.name) for t in tree.find_all(exp.Table) if t.db}
        assert raw == {("my-project", "segment_prod", model.table)}, model.name
        assert tree.find(exp.Window) is not None, "row_number() dedupe"


def test_casts_are_safe_and_names_quoted():
    package = _build()
    cart = next(m for m in package.models if m.table == "cart_viewed")
    by_name = {c.name: c for c in cart.columns}
    assert by_name["price"].sql.startswith("case when regexp_contains(trim(price), r'^")
    assert "safe_cast(trim(price) as float64)" in by_name["price"].sql
    assert "safe_cast(trim(count) as int64)" in by_name["count"].sql
    assert by_name["gift"].sql == "safe_cast(lower(trim(gift)) as bool) as gift"
    assert by_name["sku"].sql == "safe_cast(sku as string) as sku"
    assert by_name["price"].data_type == "float64"
    # BigQuery reserves `contains` (the shared list does not): quoted, aliased with `_`.
    assert by_name["contains_"].sql == "{{ adapter.quote('contains') }} as contains_"
    assert by_name["ctx"].sql == "ctx" and by_name["tags"].sql == "tags"
    assert "macros/reflekt_casts.sql" not in package.files, "no macro on BigQuery"
    sql = render_model(package.files[cart.sql_path], "my-project", "segment_prod")
    tree = sqlglot.parse_one(sql, read="bigquery")
    assert len(list(tree.find_all(exp.TryCast))) >= 4  # sqlglot reads safe_cast as TryCast


def test_incremental_config_partitions_and_clusters():
    package = _build("incremental")
    cart = next(m for m in package.models if m.table == "cart_viewed")
    text = package.files[cart.sql_path]
    assert "incremental_strategy = 'merge'" in text
    assert (
        "partition_by = {'field': 'received_at_tstamp', 'data_type': 'timestamp', "
        "'granularity': 'day'}" in text
    )
    assert "cluster_by = ['event', 'user_id']" in text
    sources = package.files[package.sources_path]
    assert "database: my-project" in sources
    assert "database: true" in sources and "identifier: true" in sources


def test_named_page_literal_is_exact():
    package = _build()
    page = next(m for m in package.models if m.table == "pages")
    sql = render_model(package.files[page.sql_path], "my-project", "segment_prod")
    tree = sqlglot.parse_one(sql, read="bigquery")
    literals = [lit.this for lit in tree.find_all(exp.Literal) if lit.is_string]
    assert any("it\\'s" in value or "it's" in value for value in literals)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_sql_string_bigquery_round_trips(value):
    """What BigQuery reads back from the literal is `value` (no raw line break, quotes and
    backslashes escaped); checked by decoding its escapes as BigQuery does."""
    literal = sql_string(value, "bigquery")
    if literal.startswith("{{"):
        return  # Jinja form: dbt prints the plain literal (tests/unit/build/test_build_package)
    assert literal[0] == literal[-1] == "'"
    body = literal[1:-1]
    assert "\n" not in body and "\r" not in body
    assert body.encode("latin-1", "backslashreplace").decode("unicode_escape") == value


def test_audit_quotes_bigquery_reserved_words():
    from reflekt.core.audit.sql import ident

    assert ident("contains", "bigquery") == "`contains`"
    assert ident("contains", "duckdb") == "contains"
    assert ident("order", "bigquery") == "`order`"
    assert ident("cart_id", "bigquery") == "cart_id"
