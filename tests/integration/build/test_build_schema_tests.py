"""Schema-derived tests (`required`, `enum`, `const`, ranges, lengths, `pattern`) under a real
`dbt build`, on a warehouse with planted plan violations.

One warehouse per adapter and severity; each runs one Reflekt build and one `dbt build`, and
the tests read dbt's own run_results.json and manifest.json. Hostile enum values and patterns
(Jinja, quotes, backslashes) must reach the SQL as exact literals.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from reflekt.core.build.dbt_runner import (
    DbtRunResult,
    build_package_with_dbt,
    dbt_adapter_installed,
    dbt_command,
)
from reflekt.core.build.pipeline import BuildResult, build_dbt
from reflekt.core.build.schema_tests import MACROS_PATH
from reflekt.core.errors import ConfigError
from reflekt.core.profiles import load_profile
from reflekt.core.project import load_project
from reflekt.core.scaffold import NewProject, create_project
from reflekt.core.schemas import dump_schema, new_schema_body

pytestmark = [
    pytest.mark.dbt,
    pytest.mark.skipif(dbt_command() is None, reason="dbt is not installed"),
]

PG = {"host": "127.0.0.1", "port": 5432, "database": "test", "user": "postgres"}
# `{{ log(...) }}` would print CANARYXYZ if dbt ever rendered the value as Jinja.
CANARY = "{{ log('CANARY' ~ 'XYZ', info=True) }}"
HOSTILE_VALUES = [CANARY, "it's", "back\\slash", "{% raw %}"]
HOSTILE_PATTERN = "^it's\\d$|\\{\\{"  # a quote, backslashes, and `{{` itself
PROPERTIES: dict[str, Any] = {
    "cart_id": {"type": "string", "description": "Required."},
    "status": {"type": "string", "enum": ["open", "closed"], "description": "An enum."},
    "total": {"type": "number", "minimum": 0, "maximum": 100, "description": "At most 100."},
    "coupon": {"type": "string", "maxLength": 5, "minLength": 1, "description": "Short."},
    "sku": {"type": "string", "pattern": "^SKU-[0-9]+$", "description": "A pattern."},
    "qty": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10, "description": ""},
    "level": {"type": "integer", "enum": [1, 2, 3], "description": "A numeric enum."},
    "kind": {"type": "string", "const": "web", "description": "A const."},
    "hostile": {"type": "string", "enum": HOSTILE_VALUES, "description": "Hostile values."},
    "hostile_pattern": {"type": "string", "pattern": HOSTILE_PATTERN, "description": ""},
    "never_sent": {"type": "string", "enum": ["x"], "description": "Has no column."},
    # A number Segment stored as text: the model casts it, so its range test runs too.
    "price": {"type": "number", "maximum": 10, "enum": [1, 150], "description": "As text."},
    # A string enum on an integer column: compared as text.
    "code": {"type": "string", "enum": ["7"], "description": "Stored as a number."},
}
REQUIRED = ["cart_id", "kind", "never_sent"]
COLUMNS = {
    "id": "varchar",
    "received_at": "timestamp",
    "uuid_ts": "timestamp",
    "event": "varchar",
    "event_text": "varchar",
    "user_id": "varchar",
    "cart_id": "varchar",
    "status": "varchar",
    "total": "double precision",
    "coupon": "varchar",
    "sku": "varchar",
    "qty": "integer",
    "level": "integer",
    "kind": "varchar",
    "hostile": "varchar",
    "hostile_pattern": "varchar",
    "price": "varchar",
    "code": "integer",
}
GOOD = {
    "cart_id": "c",
    "status": "open",
    "total": 100,
    "coupon": "ABCDE",
    "sku": "SKU-1",
    "qty": 9,
    "level": 3,
    "kind": "web",
    "hostile_pattern": "it's7",
    "price": "1",
    "code": 7,
}
# One violation per row: the column it breaks, and the value.
VIOLATIONS = {
    "cart_id": None,
    "status": "lost",
    "total": 150,
    "coupon": "TOOLONG",
    "sku": "bad",
    "price": "150",  # in the enum, above the maximum
}
# The schema-derived tests that must warn (or fail): test name, model column.
BROKEN = {
    ("not_null", "cart_id"),
    ("reflekt_accepted_values", "status"),
    ("reflekt_accepted_range", "total"),
    ("reflekt_length_range", "coupon"),
    ("reflekt_matches_pattern", "sku"),
    ("reflekt_accepted_range", "price"),
}
PASSING = {
    ("reflekt_accepted_range", "qty"),
    ("reflekt_accepted_values", "level"),
    ("reflekt_accepted_values", "kind"),
    ("not_null", "kind"),
    ("reflekt_accepted_values", "hostile"),
    ("reflekt_matches_pattern", "hostile_pattern"),
    ("reflekt_accepted_values", "code"),
    ("reflekt_accepted_values", "price"),  # numeric once cast
    # the seed's docs.tests `id: [unique, not_null]`
    ("unique", "event_id"),
    ("not_null", "event_id"),
}


def _rows() -> list[dict[str, Any]]:
    rows = []
    values = [*HOSTILE_VALUES, *HOSTILE_VALUES]
    for index in range(len(VIOLATIONS) + 2):
        rows.append({**GOOD, "hostile": values[index % len(values)]})
    rows[-1]["hostile_pattern"] = "x{{y"
    for row, (column, value) in zip(rows, VIOLATIONS.items(), strict=False):
        row[column] = value
    for index, row in enumerate(rows):
        row.update(
            id=f"m{index}",
            received_at="2024-01-01 10:00",
            uuid_ts="2024-01-01 11:00",
            event="cart_viewed",
            event_text="Cart Viewed",
            user_id="u1",
        )
    return rows


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _create_table(execute, schema: str) -> None:
    execute(f"create schema {schema}")
    ddl = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    execute(f"create table {schema}.cart_viewed ({ddl})")
    for row in _rows():
        values = ", ".join(_literal(row.get(name)) for name in COLUMNS)
        execute(f"insert into {schema}.cart_viewed ({', '.join(COLUMNS)}) values ({values})")


def _new_project(root: Path, severity: str | None) -> None:
    create_project(
        root,
        NewProject(name="tested shop", vendor="com.example", profile="dev", profiles_path="p.yml"),
    )
    body = new_schema_body(
        "segment/shop/Cart_Viewed/1-0.json",
        vendor="com.example",
        name="Cart Viewed",
        version="1-0",
        description="Cart views.",
        properties=PROPERTIES,
        required=REQUIRED,
    )
    path = root / "schemas" / "segment" / "shop" / "Cart_Viewed" / "1-0.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_schema(body), encoding="utf-8")
    _set_docs(root, tests={"kind": ["not_null"]}, schema_tests=severity)


def _set_docs(root: Path, **keys: Any) -> None:
    config_path = root / "reflekt_project.yml"
    config = yaml.safe_load(config_path.read_text())
    docs = config.setdefault("artifacts", {}).setdefault("dbt", {}).setdefault("docs", {})
    docs.setdefault("tests", {}).update(keys.pop("tests", {}))
    for key, value in keys.items():
        if value is None:
            docs.pop(key, None)
        else:
            docs[key] = value
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))


@dataclass
class SchemaBuild:
    build: BuildResult
    run: DbtRunResult
    work_dir: Path
    statuses: dict[tuple[str, str], str]  # (test name, column) -> run_results status


def _statuses(work_dir: Path) -> dict[tuple[str, str], str]:
    manifest = json.loads((work_dir / "target" / "manifest.json").read_text())
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    statuses: dict[tuple[str, str], str] = {}
    for result in results:
        node = manifest["nodes"][result["unique_id"]]
        if node["resource_type"] != "test":
            continue
        key = (node["test_metadata"]["name"], node["column_name"])
        assert key not in statuses, f"test {key} generated twice"
        statuses[key] = result["status"]
    return statuses


def _build(root: Path, source_arg: str, target_schema: str) -> SchemaBuild:
    loaded = load_project(root)
    profile = load_profile(loaded)
    build = build_dbt(loaded, profile, None, source_arg)
    work_dir = root.parent / "downstream"
    runs = build_package_with_dbt(
        build.package_dir,
        profile.source(source_arg.split(".")[0]),
        work_dir,
        target_schema=target_schema,
    )
    assert runs[0].ok, runs[0].log[-3000:]
    assert len(runs) == 2, runs[-1].log[-3000:]
    return SchemaBuild(build, runs[1], work_dir, _statuses(work_dir))


def _duckdb_build(factory: pytest.TempPathFactory, severity: str | None) -> SchemaBuild:
    import duckdb

    root = factory.mktemp(f"schema_tests_{severity}") / "project"
    _new_project(root, severity)
    db_path = root / "warehouse.duckdb"
    connection = duckdb.connect(str(db_path))
    _create_table(connection.execute, "segment_prod")
    connection.close()
    profiles = {"version": 1.0, "dev": {"source": [{"id": "wh", "type": "duckdb"}]}}
    profiles["dev"]["source"][0]["path"] = str(db_path)
    (root / "p.yml").write_text(yaml.safe_dump(profiles))
    return _build(root, "wh.warehouse.segment_prod", "reflekt_staging")


@pytest.fixture(scope="module")
def warned(tmp_path_factory: pytest.TempPathFactory) -> SchemaBuild:
    return _duckdb_build(tmp_path_factory, None)  # the default: warn


@pytest.fixture(scope="module")
def failed(tmp_path_factory: pytest.TempPathFactory) -> SchemaBuild:
    return _duckdb_build(tmp_path_factory, "error")


def _expect(tested: SchemaBuild, broken_status: str) -> None:
    expected = {key: broken_status for key in BROKEN} | {key: "pass" for key in PASSING}
    assert tested.statuses == expected, tested.run.log[-4000:]


def test_violations_warn_and_dbt_build_exits_0_by_default(warned: SchemaBuild) -> None:
    assert warned.run.returncode == 0, warned.run.log[-4000:]
    _expect(warned, "warn")
    assert warned.run.ok and warned.run.tests_warned == len(BROKEN)
    assert warned.run.tests_failed == 0 and warned.run.tests_passed == len(PASSING)
    assert (warned.build.package_dir / MACROS_PATH).read_text().startswith("-- Generated by")


def test_with_schema_tests_error_the_violations_fail_the_run(failed: SchemaBuild) -> None:
    assert failed.run.returncode != 0
    _expect(failed, "fail")
    assert not failed.run.ok and failed.run.tests_failed == len(BROKEN)


def test_hostile_values_are_compared_literally_and_never_run(warned: SchemaBuild) -> None:
    assert "CANARYXYZ" not in warned.run.log
    assert warned.statuses[("reflekt_accepted_values", "hostile")] == "pass"
    # dbt renders the test arguments at compile time: the SQL holds the exact values.
    compiled = {
        path.name.split("_stg_")[0]: path.read_text()
        for path in (warned.work_dir / "target" / "compiled").rglob("reflekt_*.sql")
        if "hostile" in path.read_text()
    }
    values = ", ".join("'" + value.replace("'", "''") + "'" for value in HOSTILE_VALUES)
    assert f"cast(hostile as TEXT) not in ({values})" in compiled["reflekt_accepted_values"]
    pattern = "'" + HOSTILE_PATTERN.replace("'", "''") + "'"
    assert (
        f"regexp_matches(cast(hostile_pattern as TEXT), {pattern})"
        in (compiled["reflekt_matches_pattern"])
    )


def test_a_configured_not_null_is_not_repeated(warned: SchemaBuild) -> None:
    docs_path = next((warned.build.package_dir / "models").rglob("*cart_viewed.yml"))
    columns = {c["name"]: c for c in yaml.safe_load(docs_path.read_text())["models"][0]["columns"]}
    assert columns["kind"]["data_tests"][0] == "not_null"
    assert [t for t in columns["kind"]["data_tests"] if "not_null" in t] == ["not_null"]
    assert "never_sent" not in columns, "a property without a column gets no test"
    assert "user_id" not in columns, "a common column without tests is described once"


def test_schema_tests_off_generates_none_and_removes_the_macros(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    import duckdb

    root = tmp_path_factory.mktemp("schema_tests_off") / "project"
    _new_project(root, None)
    db_path = root / "warehouse.duckdb"
    connection = duckdb.connect(str(db_path))
    _create_table(connection.execute, "segment_prod")
    connection.close()
    profiles = {"version": 1.0, "dev": {"source": [{"id": "wh", "type": "duckdb"}]}}
    profiles["dev"]["source"][0]["path"] = str(db_path)
    (root / "p.yml").write_text(yaml.safe_dump(profiles))
    loaded = load_project(root)
    first = build_dbt(loaded, load_profile(loaded), None, "wh.warehouse.segment_prod")
    assert (first.package_dir / MACROS_PATH).is_file()
    _set_docs(root, schema_tests="off")
    loaded = load_project(root)
    second = build_dbt(loaded, load_profile(loaded), None, "wh.warehouse.segment_prod")
    assert not (second.package_dir / MACROS_PATH).exists()
    text = "".join(p.read_text() for p in (second.package_dir / "models").rglob("*.yml"))
    assert not any(f"reflekt_{kind}" in text for kind in ("accepted", "length", "matches"))
    assert text.count("not_null") == 2  # the user's: event_id and kind


@pytest.mark.parametrize("value", ["warning", "ON", 3])
def test_a_bad_schema_tests_value_is_a_config_error(tmp_path: Path, value: Any) -> None:
    root = tmp_path / "project"
    _new_project(root, None)
    _set_docs(root, schema_tests=value)
    with pytest.raises(ConfigError) as caught:
        load_project(root)
    assert "artifacts.dbt.docs.schema_tests" in str(caught.value)
    assert caught.value.exit_code == 2
    assert caught.value.line is not None


@pytest.fixture(scope="module")
def postgres_warned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SchemaBuild]:
    import sqlalchemy

    if not dbt_adapter_installed("postgres"):
        pytest.skip("dbt-postgres is not installed")
    url = sqlalchemy.engine.URL.create(
        "postgresql+psycopg2",
        username=PG["user"],
        host=PG["host"],
        port=PG["port"],
        database=PG["database"],
    )
    engine = sqlalchemy.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        engine.connect().close()
    except sqlalchemy.exc.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    schema = f"reflekt_tests_{uuid.uuid4().hex[:10]}"
    root = tmp_path_factory.mktemp("schema_tests_pg") / "project"
    _new_project(root, None)
    with engine.begin() as connection:
        _create_table(lambda sql: connection.execute(sqlalchemy.text(sql)), schema)
    profiles = {"version": 1.0, "dev": {"source": [{"id": "pg", "type": "postgres", **PG}]}}
    (root / "p.yml").write_text(yaml.safe_dump(profiles))
    try:
        yield _build(root, f"pg.test.{schema}", f"{schema}_stg")
    finally:
        with engine.begin() as connection:
            for name in (schema, f"{schema}_stg"):
                connection.execute(sqlalchemy.text(f"drop schema if exists {name} cascade"))
        engine.dispose()


@pytest.mark.postgres
def test_postgres_violations_warn(postgres_warned: SchemaBuild) -> None:
    assert postgres_warned.run.returncode == 0, postgres_warned.run.log[-4000:]
    _expect(postgres_warned, "warn")
    assert "CANARYXYZ" not in postgres_warned.run.log
