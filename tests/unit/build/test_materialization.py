"""`artifacts.dbt.models.materialized` and `lookback`: config, the model SQL, the CLI's note."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core.build.dbt import build_package
from reflekt.core.build.events import EventSchema
from reflekt.core.errors import ConfigError
from reflekt.core.project import DbtConfig, Lookback, load_project
from reflekt.core.schemas import Version
from reflekt.core.warehouse import SchemaColumns, SourceArg, WarehouseColumn

MODELS = "name: p\ndefault_profile: dev\nartifacts:\n  dbt:\n    models:\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3 days", Lookback(3, "day")),
        ("1 day", Lookback(1, "day")),
        ("12 hours", Lookback(12, "hour")),
        ("2 Days", Lookback(2, "day")),
        ("7", Lookback(7, "day")),
    ],
)
def test_lookback_forms(tmp_path: Path, value: str, expected: Lookback) -> None:
    text = f"{MODELS}      materialized: incremental\n      lookback: {value}\n"
    (tmp_path / "reflekt_project.yml").write_text(text)
    dbt = load_project(tmp_path).dbt
    assert (dbt.models_materialized, dbt.models_lookback) == ("incremental", expected)


def test_defaults_are_a_view_and_three_days(tmp_path: Path) -> None:
    (tmp_path / "reflekt_project.yml").write_text("name: p\ndefault_profile: dev\n")
    dbt = load_project(tmp_path).dbt
    assert (dbt.models_materialized, str(dbt.models_lookback)) == ("view", "3 days")


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("materialized: ephemeral", "'ephemeral' is not one of: view, table, incremental"),
        ("lookback: a week", "'a week' is not a lookback"),
        ("lookback: 0 days", "a lookback is from 1 hour to 366 days"),
        ("lookback: 400 days", "a lookback is from 1 hour to 366 days"),
        ("lookback: [3]", "is not a lookback"),
    ],
)
def test_bad_values_name_the_key_and_line(tmp_path: Path, line: str, needle: str) -> None:
    (tmp_path / "reflekt_project.yml").write_text(f"{MODELS}      {line}\n")
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    assert needle in str(info.value)
    assert "reflekt_project.yml:6: artifacts.dbt.models." in str(info.value)
    assert info.value.line == 6


def test_bad_value_through_the_cli_exits_2_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "reflekt_project.yml").write_text(f"{MODELS}      lookback: soon\n")
    result = CliRunner().invoke(
        cli, ["build", "dbt", "--project-dir", str(tmp_path), "--source", "a.b.c"]
    )
    assert result.exit_code == 2, result.output
    assert "artifacts.dbt.models.lookback: 'soon' is not a lookback" in result.output
    assert "Traceback" not in result.output


def _package(config: DbtConfig, source_type: str = "duckdb", columns: tuple[str, ...] = ()):
    names = columns or ("id", "received_at", "uuid_ts", "event", "event_text", "total")
    case = str.upper if source_type == "snowflake" else str  # Snowflake reports upper case

    def table(*names: str) -> tuple[WarehouseColumn, ...]:
        return tuple(WarehouseColumn(case(name), "varchar") for name in names)

    tables = {
        "order_completed": table(*names),
        "identifies": table("id", "received_at", "uuid_ts"),
        "users": table("id", "received_at"),
    }
    schemas = [
        EventSchema("s/p/Order_Completed/1-0.json", "Order Completed", Version(1, 0)),
        EventSchema("s/p/Identify/1-0.json", "Identify", Version(1, 0)),
    ]
    return build_package(
        project_name="p",
        config=config,
        schemas=schemas,
        columns=SchemaColumns("segment_prod", tables),
        source=SourceArg("wh", "warehouse", "segment_prod"),
        source_type=source_type,
        build_tracks=False,
    )


@pytest.mark.parametrize(
    ("source_type", "strategy"), [("duckdb", "delete+insert"), ("snowflake", "merge")]
)
def test_incremental_model_sql(source_type: str, strategy: str) -> None:
    config = DbtConfig(
        models_materialized="incremental",
        models_lookback=Lookback(12, "hour"),
        models_filter="where received_at > '2024-01-01'",
    )
    package = _package(config, source_type)
    sql = package.files["models/segment_prod/stg_segment_prod__order_completed.sql"]
    assert "materialized = 'incremental'," in sql
    assert "unique_key = 'event_id'," in sql
    assert f"incremental_strategy = '{strategy}'," in sql
    assert "{% if is_incremental() %}" in sql
    # The user's filter first, then the increment: every delivery of the recent messages.
    assert "    where received_at > '2024-01-01'\n    {% if is_incremental() %}" in sql
    assert "    and id in (\n        select id\n" in sql
    assert "where uuid_ts >= coalesce(" in sql
    assert "{{ dbt.dateadd('hour', -12, 'max(uuid_ts)') }}" in sql
    # `users` is updated in place by Segment: a table, and the build says why.
    users = package.files["models/segment_prod/stg_segment_prod__users.sql"]
    assert "materialized = 'table'" in users
    assert package.not_incremental == (
        ("stg_segment_prod__users", "Segment updates `users` rows in place"),
    )


def test_incremental_watermark_falls_back_to_received_at() -> None:
    config = DbtConfig(models_materialized="incremental")
    package = _package(config, columns=("id", "received_at", "event"))
    sql = package.files["models/segment_prod/stg_segment_prod__order_completed.sql"]
    assert "    where id in (" in sql
    assert "where received_at >= coalesce(" in sql
    assert "'max(received_at_tstamp)'" in sql, "the model's own name of the column"


def test_a_table_without_id_is_built_as_a_table() -> None:
    config = DbtConfig(models_materialized="incremental")
    package = _package(config, columns=("received_at", "event"))
    sql = package.files["models/segment_prod/stg_segment_prod__order_completed.sql"]
    assert "materialized = 'table'" in sql
    assert ("stg_segment_prod__order_completed", "the table has no message `id` column") in (
        package.not_incremental
    )


def test_table_and_view() -> None:
    for kind in ("table", "view"):
        package = _package(DbtConfig(models_materialized=kind))
        sql = package.files["models/segment_prod/stg_segment_prod__order_completed.sql"]
        assert f"materialized = '{kind}'\n" in sql
        assert "is_incremental" not in sql and "unique_key" not in sql
        assert package.not_incremental == ()
