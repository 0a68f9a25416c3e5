"""BigQuery against the `bqemulator` (BigQuery's REST API on DuckDB): the one introspection
query, nested column types, a build whose models run there (dedupe, safe casts), the
CLI's errors, and `reflekt debug --connect`."""

from __future__ import annotations

import json
import uuid

import pytest
import yaml
from bqemulator_support import render_model
from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core.build.dbt_runner import build_package_with_dbt
from reflekt.core.build.pipeline import build_dbt
from reflekt.core.errors import WarehouseError
from reflekt.core.profiles import load_profile
from reflekt.core.project import load_project
from reflekt.core.warehouse import check_source, introspect

CART_VIEWED = (
    "id STRING, received_at TIMESTAMP, uuid_ts TIMESTAMP, event STRING, event_text STRING, "
    "user_id STRING, anonymous_id STRING, cart_id STRING, products_count STRING, "
    "`order` STRING, nested_inner_val FLOAT64, context_page_url STRING, "
    "ctx STRUCT<a STRING, b INT64>, tags ARRAY<STRING>"
)
# m1 delivered twice (the first delivery wins), m2's count is not a number, m3's is.
CART_ROWS = [
    ("m1", "2024-01-01 10:00:00", "first", "3"),
    ("m1", "2024-01-02 10:00:00", "second", "4"),
    ("m2", "2024-01-01 11:00:00", "c2", "N/A"),
    ("m3", "2024-01-01 12:00:00", "c3", " 7 "),
]
TRACKS = "id STRING, received_at TIMESTAMP, uuid_ts TIMESTAMP, event STRING, user_id STRING"


@pytest.fixture
def bq_dataset(bq_emulator):
    """A fresh dataset with `cart_viewed` (text-typed count, a re-delivery) and `tracks`."""
    client = bq_emulator.client()
    dataset = f"segment_{uuid.uuid4().hex[:10]}"
    client.create_dataset(dataset)
    client.query(f"create table `{dataset}`.cart_viewed ({CART_VIEWED})").result()
    values = ", ".join(
        f"('{i}', timestamp '{t}', timestamp '{t}', 'cart_viewed', 'Cart Viewed', 'u1', null, "
        f"'{cart}', '{count}', 'o', 1.5, null, struct('x', 1), ['t'])"
        for i, t, cart, count in CART_ROWS
    )
    client.query(f"insert into `{dataset}`.cart_viewed values {values}").result()
    client.query(f"create table `{dataset}`.tracks ({TRACKS})").result()
    client.query(
        f"insert into `{dataset}`.tracks values "
        "('m1', timestamp '2024-01-01 10:00:00', null, 'cart_viewed', 'u1')"
    ).result()
    return bq_emulator, client, dataset


def _profile(small_project, emulator, **extra) -> None:
    small_project.project.write_profiles(
        {"version": 1.0, "dev": {"source": [{"id": "bq", **emulator.source_settings(**extra)}]}}
    )


def test_introspection_is_one_query_with_nested_types(small_project, bq_dataset, query_counter):
    emulator, _, dataset = bq_dataset
    _profile(small_project, emulator)
    source = load_profile(load_project(small_project.root)).source("bq")
    columns = introspect(source, dataset, database=emulator.project)
    assert len(query_counter.introspection) == 1
    assert "`test-proj`.`" in query_counter.introspection[0]
    assert set(columns.tables) == {"cart_viewed", "tracks"}
    types = {c.name: c.data_type for c in columns.columns("cart_viewed")}
    assert types["ctx"] == "STRUCT<a STRING, b INT64>"
    assert types["tags"] == "ARRAY<STRING>"
    assert [c.name for c in columns.columns("cart_viewed")][:3] == ["id", "received_at", "uuid_ts"]


def test_build_then_models_run_on_bigquery(small_project, bq_dataset, query_counter):
    emulator, client, dataset = bq_dataset
    _profile(small_project, emulator)
    project = load_project(small_project.root)
    profile = load_profile(project)
    result = build_dbt(project, profile, None, f"bq.{emulator.project}.{dataset}")
    assert len(query_counter.introspection) == 1
    assert sorted(result.built) == [f"stg_{dataset}__cart_viewed", f"stg_{dataset}__tracks"]
    models = result.package_dir / "models" / dataset
    text = (models / f"stg_{dataset}__cart_viewed.sql").read_text(encoding="utf-8")
    assert "safe_cast(trim(products_count) as int64)" in text
    assert "{{ adapter.quote('order') }}" in text
    sources = next(
        t for f in result.package_dir.rglob("*.yml") if "sources:" in (t := f.read_text("utf-8"))
    )
    assert "database: true" in sources and f"database: {emulator.project}" in sources

    sql = render_model(text, emulator.project, dataset)
    rows = {row["event_id"]: dict(row) for row in client.query(sql).result()}
    assert sorted(rows) == ["m1", "m2", "m3"], "one row per message id"
    assert rows["m1"]["cart_id"] == "first", "the first delivery is kept"
    assert rows["m1"]["products_count"] == 3
    assert rows["m2"]["products_count"] is None, "a bad value is null, the model runs"
    assert rows["m3"]["products_count"] == 7
    assert rows["m1"]["call_type"] == "track"

    tracks = (models / f"stg_{dataset}__tracks.sql").read_text(encoding="utf-8")
    tracks_rows = list(client.query(render_model(tracks, emulator.project, dataset)).result())
    assert [row["event_id"] for row in tracks_rows] == ["m1"]


def test_incremental_models_are_partitioned_and_clustered(small_project, bq_dataset):
    emulator, _, dataset = bq_dataset
    _profile(small_project, emulator)
    config = small_project.root / "reflekt_project.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["artifacts"]["dbt"]["models"]["materialized"] = "incremental"
    config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    project = load_project(small_project.root)
    result = build_dbt(project, load_profile(project), None, f"bq.{emulator.project}.{dataset}")
    model = result.package_dir / "models" / dataset / f"stg_{dataset}__cart_viewed.sql"
    text = model.read_text(encoding="utf-8")
    assert "incremental_strategy = 'merge'" in text
    assert (
        "partition_by = {'field': 'received_at_tstamp', 'data_type': 'timestamp', "
        "'granularity': 'day'}" in text
    )
    assert "cluster_by = ['event', 'user_id']" in text


def test_missing_dataset_and_debug_connect(small_project, bq_dataset):
    emulator, _, dataset = bq_dataset
    _profile(small_project, emulator, dataset=dataset)
    source = load_profile(load_project(small_project.root)).source("bq")
    assert check_source(source) == (
        f"connected to bq (bigquery project {emulator.project}), schema {dataset}"
    )
    with pytest.raises(WarehouseError, match="dataset 'nope' not found"):
        introspect(source, "nope", database=emulator.project)
    ok = CliRunner().invoke(cli, ["debug", "--connect", "--project-dir", str(small_project.root)])
    assert ok.exit_code == 0, ok.output
    assert f"schema {dataset}" in ok.output
    _profile(small_project, emulator, dataset="missing_dataset")
    failed = CliRunner().invoke(
        cli, ["debug", "--connect", "--project-dir", str(small_project.root)]
    )
    assert failed.exit_code == 3, failed.output
    assert "dataset 'missing_dataset' not found" in failed.output


def test_bad_project_in_source_is_a_usage_error(small_project, bq_dataset):
    emulator, _, dataset = bq_dataset
    _profile(small_project, emulator)
    result = CliRunner().invoke(
        cli,
        [
            "build",
            "dbt",
            "--project-dir",
            str(small_project.root),
            "--source",
            f"bq.Bad`Project.{dataset}",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "is not a BigQuery project and dataset" in result.output


def test_audit_runs_on_bigquery_and_a_dry_run_prints_bytes(small_project, bq_dataset):
    emulator, _, dataset = bq_dataset
    _profile(small_project, emulator)
    base = ["audit", "--project-dir", str(small_project.root)]
    source = ["--source", f"bq.{emulator.project}.{dataset}", "--since", "3650d"]
    dry = CliRunner().invoke(cli, [*base, *source, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    # The emulator estimates 0 bytes; the table is read in the project of --source.
    assert f"would scan 0 bytes: `{emulator.project}`.{dataset}.cart_viewed" in dry.output
    assert "INFORMATION_SCHEMA.COLUMNS" in dry.output
    assert "BigQuery would scan 0 bytes; none ran." in dry.output
    ran = CliRunner().invoke(
        cli, [*base, *source, "--maximum-bytes-billed", "1000000000", "--format", "json"]
    )
    assert ran.exit_code in (0, 1), ran.output
    report = json.loads(ran.stdout)
    volumes = {v["table"]: v["rows"] for v in report["volume"]}
    assert volumes["cart_viewed"] == len(CART_ROWS)


@pytest.mark.dbt
@pytest.mark.parametrize("materialized", ["view", "incremental"])
def test_real_dbt_build_on_the_emulator(
    small_project, bq_dataset, dbt_bigquery_command, monkeypatch, tmp_path, materialized
):
    """dbt-bigquery (`api_endpoint`) builds and tests the package; an incremental model is
    built, then a re-delivery and a new message arrive and a second run merges them."""
    emulator, client, dataset = bq_dataset
    _profile(small_project, emulator)
    config = small_project.root / "reflekt_project.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["artifacts"]["dbt"]["models"]["materialized"] = materialized
    config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("REFLEKT_DBT", dbt_bigquery_command)
    project = load_project(small_project.root)
    profile = load_profile(project)
    result = build_dbt(project, profile, None, f"bq.{emulator.project}.{dataset}")
    target = f"{dataset}_stg"
    runs = build_package_with_dbt(
        result.package_dir, profile.source("bq"), tmp_path / "downstream", target_schema=target
    )
    build = runs[-1]
    assert build.command == ("build",), runs[0].log[-3000:]
    assert build.ok, build.log[-4000:]
    assert build.models_built == 2
    assert build.tests_failed == 0 and build.tests_passed >= 4
    model = f"`{target}`.`stg_{dataset}__cart_viewed`"
    rows = {r["event_id"]: dict(r) for r in client.query(f"select * from {model}").result()}
    assert sorted(rows) == ["m1", "m2", "m3"]
    assert rows["m1"]["cart_id"] == "first" and rows["m2"]["products_count"] is None
    if materialized != "incremental":
        return
    client.query(
        f"insert into `{dataset}`.cart_viewed (id, received_at, uuid_ts, cart_id, "
        "products_count) values "
        "('m1', timestamp '2023-12-31 10:00:00', timestamp '2024-01-03 10:00:00', 'earlier', '9'),"
        "('m4', timestamp '2024-01-03 10:00:00', timestamp '2024-01-03 10:00:00', 'c4', '4')"
    ).result()
    again = build_package_with_dbt(
        result.package_dir,
        profile.source("bq"),
        tmp_path / "downstream",
        target_schema=target,
        commands=(("run",),),
    )
    assert again[-1].ok, again[-1].log[-4000:]
    rows = {r["event_id"]: dict(r) for r in client.query(f"select * from {model}").result()}
    assert sorted(rows) == ["m1", "m2", "m3", "m4"], "merged on event_id"
    assert rows["m1"]["cart_id"] == "earlier", "the first delivery wins, also when late"
