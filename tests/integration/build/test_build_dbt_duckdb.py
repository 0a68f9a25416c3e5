"""The generated package really runs: real `dbt parse` and `dbt build` on DuckDB.

dbt is slow (seconds per call), so one session fixture builds the shipped demo project against
its DuckDB warehouse and runs dbt once; the tests read its results.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from reflekt.core.build import common_docs, segment
from reflekt.core.build.dbt_runner import DbtRunResult, dbt_command
from reflekt.core.build.pipeline import BuildResult
from reflekt.core.project import load_project
from reflekt.demo.warehouse import run_demo_build

pytestmark = [
    pytest.mark.dbt,
    pytest.mark.skipif(dbt_command() is None, reason="dbt is not installed"),
]


@dataclass
class DbtRun:
    build: BuildResult
    deps: DbtRunResult
    parse: DbtRunResult
    dbt_build: DbtRunResult


@pytest.fixture(scope="session")
def dbt_run(demo_copy: Path) -> DbtRun:
    """The demo's own build step (warehouse, reflekt build dbt, dbt deps/parse/build)."""
    report = run_demo_build(load_project(demo_copy), dbt_commands=[["parse"], ["build"]])
    assert report.dbt_missing_reason is None
    assert len(report.dbt_runs) == 3, [r.log[-2000:] for r in report.dbt_runs]
    return DbtRun(report.build, *report.dbt_runs)


def test_every_model_builds(dbt_run: DbtRun) -> None:
    run = dbt_run.dbt_build
    assert run.ok, run.log[-4000:]
    assert run.models_failed == 0
    assert run.models_built == len(dbt_run.build.built)
    # One model per event, its versions together: 25 demo events with a table (two left
    # out on purpose) + the tricky event + users + tracks.
    assert run.models_built == 28
    assert not any("__v1_1" in name or "__v2_0" in name for name in dbt_run.build.built)


def test_every_generated_test_passes_but_the_planted_violations_warn(dbt_run: DbtRun) -> None:
    run = dbt_run.dbt_build
    assert run.tests_failed == 0, run.failures
    # `id: [unique, not_null]` is attached to the renamed id of every model (and holds on the
    # demo's re-delivered rows), plus the tests derived from the schemas (`required`,
    # `enum`, ...): the demo warehouse's few plan violations warn, the run passes.
    every_test = [t for m in dbt_run.build.package.models for c in m.columns for t in c.tests]
    assert len(every_test) > 2 * len(dbt_run.build.built)
    assert run.tests_passed + run.tests_warned == len(every_test)
    assert [test.describe() for test in run.warned_tests] == [
        "reflekt_accepted_values on stg_segment_prod__order_completed.currency: 2 rows",
        "reflekt_accepted_range on stg_segment_prod__order_completed.total: 1 row",
    ]


def test_parse_is_clean(dbt_run: DbtRun) -> None:
    assert dbt_run.deps.ok, dbt_run.deps.log
    assert dbt_run.parse.ok, dbt_run.parse.log
    assert dbt_run.parse.warnings == ()
    # The build's only warnings are the warned tests' (no deprecation, no parse warning).
    assert all(
        "order_completed" in warning or warning.startswith("Got ")
        for warning in dbt_run.dbt_build.warnings
    ), dbt_run.dbt_build.warnings


def test_missing_tables_are_skipped_not_built(dbt_run: DbtRun) -> None:
    assert dbt_run.build.skipped_tables == ("order_refunded", "product_shared")
    assert not any("order_refunded" in name for name in dbt_run.build.built)


def test_views_hold_one_row_per_message(dbt_run: DbtRun, demo_copy: Path) -> None:
    import duckdb

    connection = duckdb.connect(str(demo_copy / "warehouse.duckdb"), read_only=True)
    try:
        raw, distinct = connection.execute(
            "select count(*), count(distinct id) from segment_prod.cart_viewed"
        ).fetchone()
        staged = connection.execute(
            "select count(*), count(distinct event_id), min(call_type) "
            "from reflekt_staging.stg_segment_prod__cart_viewed"
        ).fetchone()
        columns = [
            row[0]
            for row in connection.execute(
                "select column_name from information_schema.columns "
                "where table_name = 'stg_segment_prod__cart_viewed'"
            ).fetchall()
        ]
        price_type = connection.execute(
            "select data_type from information_schema.columns "
            "where table_name = 'stg_segment_prod__product_viewed' and column_name = 'price'"
        ).fetchone()
    finally:
        connection.close()
    assert raw > distinct, "the demo warehouse holds re-delivered rows"
    assert staged == (distinct, distinct, "track")
    assert "schema_id" not in columns
    assert "value" in columns, "Cart Viewed 1-1's property is in the one model"
    assert price_type == ("DOUBLE",), "the number Segment loaded as text is cast"


def test_tricky_names_are_selected_once_and_documented(dbt_run: DbtRun, demo_copy: Path) -> None:
    import duckdb
    import yaml

    models = dbt_run.build.package_dir / "models/segment_prod"
    docs = yaml.safe_load((models / "_stg_segment_prod__tricky_thing_happened.yml").read_text())
    doc_names = [column["name"] for column in docs["models"][0]["columns"]]
    connection = duckdb.connect(str(demo_copy / "warehouse.duckdb"), read_only=True)
    try:
        cursor = connection.execute(
            "select * from reflekt_staging.stg_segment_prod__tricky_thing_happened limit 1"
        )
        view_columns = [d[0] for d in cursor.description]
        row = dict(zip(view_columns, cursor.fetchone(), strict=True))
    finally:
        connection.close()
    # The docs list the model's own columns, in the model's order; the others are Segment's,
    # described once in the package's docs block.
    assert doc_names == [name for name in view_columns if name in doc_names]
    shared = {column.alias for column in segment.common_columns("track")}
    shared |= {name for name, _ in common_docs.SHARED_LITERALS}
    assert set(view_columns) - set(doc_names) <= shared
    assert {"order_", "select_", "camel_case", "schema_metadata"} <= set(doc_names)
    assert len(set(view_columns)) == len(view_columns)
    for name in (
        "order_",
        "select_",
        "prop_page_url",
        "prop_call_type",
        "camel_case",
        "address_zip_code",
        "user_id",
    ):
        assert name in view_columns
    assert row["call_type"] == "track"
    assert json.loads(row["schema_metadata"]) == {
        "owner": "greg's {{ team }}",
        "nested": {"a": {"b": "c}}"}},
    }


def test_models_filter_is_applied_users_included(dbt_run: DbtRun) -> None:
    sql = (
        dbt_run.build.package_dir / "models/segment_prod/stg_segment_prod__pages.sql"
    ).read_text()
    assert "    where received_at >= '2023-01-01'\n    and 1 = 1\n" in sql
    users = dbt_run.build.package_dir / "models/segment_prod/stg_segment_prod__users.sql"
    assert "    where received_at >= '2023-01-01'\n" in users.read_text(), "users has received_at"
    assert dbt_run.build.package.unfiltered == ()
