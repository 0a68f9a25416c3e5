"""The package holds on data shaped like a real Segment warehouse, with real `dbt build`.

Segment delivers at least once: a message may land twice (same `id`, later `received_at` or
`uuid_ts`), and `groups` holds both the message `id` and the account's `group_id`. One
warehouse per adapter (DuckDB; the local PostgreSQL server, read once as Postgres and once
through the Redshift dialect), one Reflekt build and one `dbt build` + `dbt source freshness`
each; the tests read their results.
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
from reflekt.core.profiles import load_profile
from reflekt.core.project import load_project
from reflekt.core.scaffold import NewProject, create_project
from reflekt.core.schemas import dump_schema, new_schema_body

pytestmark = [
    pytest.mark.dbt,
    pytest.mark.skipif(dbt_command() is None, reason="dbt is not installed"),
]

PG = {"host": "127.0.0.1", "port": 5432, "database": "test", "user": "postgres"}
COMMON = {
    "id": "varchar",
    "received_at": "timestamp",
    "uuid_ts": "timestamp",
    "sent_at": "timestamp",
    "original_timestamp": "timestamp",
    "timestamp": "timestamp",
    "anonymous_id": "varchar",
    "user_id": "varchar",
    "context_ip": "varchar",
}
TRACK = {**COMMON, "event": "varchar", "event_text": "varchar"}


def _row(message_id: str, received: str, loaded: str, **values: Any) -> dict[str, Any]:
    """One delivery of a message: `received` and `loaded` are times on 2024-01-01."""
    received_at = f"2024-01-01 {received}"
    return {
        "id": message_id,
        "received_at": received_at,
        "uuid_ts": f"2024-01-01 {loaded}",
        "sent_at": received_at,
        "original_timestamp": received_at,
        "timestamp": received_at,
        "anonymous_id": "anon-1",
        "user_id": values.pop("user_id", "user-1"),
        "context_ip": "10.0.0.1",
        **values,
    }


def _cart(message_id: str, received: str, loaded: str, cart_id: str) -> dict[str, Any]:
    return _row(
        message_id,
        received,
        loaded,
        event="cart_viewed",
        event_text="Cart Viewed",
        cart_id=cart_id,
        language="en",
        tag="promo",
    )


# Each table: columns and rows. `late` marks the re-delivered copies, which the models must
# drop; the first delivery is the earliest received_at, then the earliest uuid_ts.
CART_ROWS = [
    _cart("c1", "10:00", "11:00", "first"),
    _cart("c2", "10:01", "11:00", "first"),
    _cart("c2", "10:05", "12:00", "late"),  # re-delivered: later received_at and uuid_ts
    _cart("c2", "10:09", "13:00", "late"),  # and once more
    _cart("c3", "10:02", "11:00", "first"),
    _cart("c3", "10:02", "11:30", "late"),  # same received_at, loaded again later
    _cart("c4", "10:03", "11:00", "first"),
]
TABLES: dict[str, tuple[dict[str, str], list[dict[str, Any]]]] = {
    # `language` and `tag` are Redshift reserved words, ordinary names elsewhere.
    "cart_viewed": (
        {**TRACK, "cart_id": "varchar", "language": "varchar", "tag": "varchar"},
        CART_ROWS,
    ),
    "tracks": (TRACK, [{k: row[k] for k in TRACK} for row in CART_ROWS]),
    "identifies": (
        {**COMMON, "email": "varchar"},
        [
            _row("i1", "09:00", "10:00", email="first@example.com"),
            _row("i1", "09:30", "10:30", email="late@example.com"),
            _row("i2", "09:01", "10:00", email="two@example.com", user_id="user-2"),
        ],
    ),
    "users": (
        {"id": "varchar", "received_at": "timestamp", "uuid_ts": "timestamp", "email": "varchar"},
        [
            {
                "id": "user-1",
                "received_at": "2024-01-01 09:00",
                "uuid_ts": "2024-01-01 10:00",
                "email": "first@example.com",
            },
            {
                "id": "user-2",
                "received_at": "2024-01-01 09:01",
                "uuid_ts": "2024-01-01 10:00",
                "email": "two@example.com",
            },
        ],
    ),
    "pages": (
        {**COMMON, "name": "varchar", "title": "varchar"},
        [
            _row("p1", "08:00", "09:00", name="Home", title="first"),
            _row("p1", "08:10", "09:10", name="Home", title="late"),
            _row("p2", "08:01", "09:00", name="Cart", title="first"),
        ],
    ),
    # No uuid_ts: the dedupe orders by received_at alone, freshness reads received_at.
    "screens": (
        {**{k: v for k, v in COMMON.items() if k != "uuid_ts"}, "name": "varchar"},
        [
            {k: v for k, v in _row("s1", "07:00", "08:00", name="Home").items() if k != "uuid_ts"},
            {k: v for k, v in _row("s1", "07:30", "08:00", name="Late").items() if k != "uuid_ts"},
        ],
    ),
    # Segment's groups table: `id` is the message, `group_id` the account.
    "groups": (
        {**COMMON, "group_id": "varchar", "name": "varchar"},
        [
            _row("g-msg-1", "06:00", "07:00", group_id="acct-1", name="Acme"),
            _row("g-msg-1", "06:20", "07:20", group_id="acct-1", name="Acme late"),
            _row("g-msg-2", "06:01", "07:00", group_id="acct-2", name="Globex"),
            _row("g-msg-3", "06:02", "07:00", group_id="acct-1", name="Acme again"),
        ],
    ),
}
DISTINCT_IDS = {table: len({row["id"] for row in rows}) for table, (_, rows) in TABLES.items()}
# model suffix -> (raw table, the model's message id column)
MODELS = {
    "cart_viewed": ("cart_viewed", "event_id"),
    "tracks": ("tracks", "event_id"),
    "identifies": ("identifies", "identify_id"),
    "users": ("users", "user_id"),
    "pages": ("pages", "page_id"),
    "screens": ("screens", "screen_id"),
    "groups": ("groups", "group_message_id"),
}


def _create_tables(execute, schema: str) -> None:
    """The raw tables through `execute(sql, rows)`, portable DuckDB/Postgres SQL."""
    execute(f"create schema {schema}", None)
    for table, (columns, rows) in TABLES.items():
        ddl = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
        execute(f'create table {schema}."{table}" ({ddl})', None)
        names = list(columns)
        quoted = ", ".join(f'"{name}"' for name in names)
        for row in rows:
            values = ", ".join("null" if row.get(n) is None else _literal(row[n]) for n in names)
            execute(f'insert into {schema}."{table}" ({quoted}) values ({values})', None)


def _literal(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _add_schema(root: Path, schema_id: str, properties: dict[str, Any], name: str) -> None:
    body = new_schema_body(
        f"{schema_id}.json",
        vendor="com.example",
        name=name,
        version="1-0",
        description=f"{name} calls.",
        properties=properties,
    )
    path = root / "schemas" / f"{schema_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_schema(body), encoding="utf-8")


def _write_profiles(root: Path, source: dict[str, Any]) -> None:
    profiles = {"version": 1.0, "dev": {"source": [source]}}
    (root / "reflekt_profiles.yml").write_text(yaml.safe_dump(profiles), encoding="utf-8")


def _add_schemas(root: Path) -> None:
    _add_schema(
        root,
        "segment/shop/Cart_Viewed/1-0",
        {
            "cart_id": {"type": "string", "description": "Cart id."},
            "language": {"type": "string", "description": "Language of the cart page."},
            "tag": {"type": "string", "description": "Campaign tag."},
        },
        name="Cart Viewed",
    )
    _add_schema(
        root,
        "segment/shop/Identify/1-0",
        {"email": {"type": "string", "description": "Email."}},
        name="Identify",
    )
    _add_schema(
        root,
        "segment/shop/Page/1-0",
        {"title": {"type": "string", "description": "Title."}},
        name="Page",
    )
    _add_schema(
        root,
        "segment/shop/Screen/1-0",
        {"name": {"type": "string", "description": "Screen name."}},
        name="Screen",
    )
    _add_schema(
        root,
        "segment/shop/Group/1-0",
        {"name": {"type": "string", "description": "Account name."}},
        name="Group",
    )


@dataclass
class RealBuild:
    kind: str
    build: BuildResult
    runs: list[DbtRunResult]
    work_dir: Path
    source_name: str
    target_schema: str
    query: Any  # (sql) -> list of rows, against the warehouse


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


@pytest.fixture(scope="module", params=["duckdb", "postgres", "redshift"])
def real(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealBuild]:
    kind = request.param
    root = tmp_path_factory.mktemp(f"real_{kind}") / "project"
    create_project(
        root,
        NewProject(
            name="real shop",
            vendor="com.example",
            profile="dev",
            profiles_path="reflekt_profiles.yml",
        ),
    )
    _add_schemas(root)
    cleanup = None
    if kind == "duckdb":
        import duckdb

        db_path = root / "warehouse.duckdb"
        schema = "segment_prod"
        connection = duckdb.connect(str(db_path))
        _create_tables(lambda sql, _: connection.execute(sql), schema)
        connection.close()
        _write_profiles(root, {"id": "wh", "type": "duckdb", "path": str(db_path)})
        source_arg = f"wh.warehouse.{schema}"
        target_schema = "reflekt_staging"

        def query(sql: str) -> list[tuple]:
            con = duckdb.connect(str(db_path), read_only=True)
            try:
                return con.execute(sql).fetchall()
            finally:
                con.close()
    else:
        import sqlalchemy

        if not dbt_adapter_installed("postgres"):
            pytest.skip("dbt-postgres is not installed")
        engine = _pg_engine()
        try:
            engine.connect().close()
        except sqlalchemy.exc.OperationalError:
            pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
        schema = f"reflekt_real_{uuid.uuid4().hex[:10]}"
        target_schema = f"{schema}_stg"
        with engine.begin() as connection:
            _create_tables(lambda sql, _: connection.execute(sqlalchemy.text(sql)), schema)
        if kind == "postgres":
            _write_profiles(root, {"id": "pg", "type": "postgres", **PG})
        else:  # Redshift's SQL dialect (sqlalchemy-redshift, dbt on Postgres)
            _write_profiles(root, {"id": "pg", "type": "redshift", "sslmode": "disable", **PG})
        source_arg = f"pg.test.{schema}"

        def query(sql: str) -> list[tuple]:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(sqlalchemy.text(sql)).all()]

        def cleanup() -> None:
            with engine.begin() as connection:
                connection.execute(sqlalchemy.text(f"drop schema if exists {schema} cascade"))
                connection.execute(
                    sqlalchemy.text(f"drop schema if exists {target_schema} cascade")
                )
            engine.dispose()

    try:
        loaded = load_project(root)
        profile = load_profile(loaded)
        build = build_dbt(loaded, profile, None, source_arg)
        work_dir = root.parent / "downstream"
        runs = build_package_with_dbt(
            build.package_dir,
            profile.source(source_arg.split(".")[0]),
            work_dir,
            target_schema=target_schema,
            commands=[["build"], ["source", "freshness"]],
        )
        yield RealBuild(
            kind, build, runs, work_dir, build.package.source_name, target_schema, query
        )
    finally:
        if cleanup is not None:
            cleanup()


def test_dbt_build_passes_its_default_tests_on_redelivered_rows(real: RealBuild) -> None:
    deps, build = real.runs[0], real.runs[1]
    assert deps.ok, deps.log[-3000:]
    assert build.ok, build.log[-4000:]
    assert build.models_failed == 0 and build.tests_failed == 0, build.failures
    assert build.models_built == len(MODELS)
    # `id: [unique, not_null]` of the seed's reflekt_project.yml, on every model's id.
    assert build.tests_passed == 2 * len(MODELS)


def test_each_model_has_one_row_per_message(real: RealBuild) -> None:
    for suffix, (table, id_column) in MODELS.items():
        model = f"{real.target_schema}.stg_{real.source_name}__{suffix}"
        [(rows, distinct)] = real.query(
            f"select count(*), count(distinct {id_column}) from {model}"
        )
        assert (rows, distinct) == (DISTINCT_IDS[table], DISTINCT_IDS[table]), suffix
    raw = f"{real.build.package.source_block['schema']}.cart_viewed"
    assert real.query(f"select count(*) from {raw}") == [(len(CART_ROWS),)], "raw rows stay"


def test_the_first_delivery_is_kept(real: RealBuild) -> None:
    prefix = f"{real.target_schema}.stg_{real.source_name}"
    carts = real.query(f"select event_id, cart_id from {prefix}__cart_viewed order by event_id")
    assert carts == [("c1", "first"), ("c2", "first"), ("c3", "first"), ("c4", "first")]
    [(email,)] = real.query(f"select email from {prefix}__identifies where identify_id = 'i1'")
    assert email == "first@example.com"
    assert real.query(f"select name from {prefix}__screens") == [("Home",)]
    [(uuid_ts,)] = real.query(f"select uuid_ts from {prefix}__cart_viewed where event_id = 'c3'")
    assert str(uuid_ts).startswith("2024-01-01 11:00")


def test_groups_keep_the_account_and_name_the_message(real: RealBuild) -> None:
    model = f"{real.target_schema}.stg_{real.source_name}__groups"
    rows = real.query(f"select group_message_id, group_id, name from {model} order by 1")
    assert rows == [
        ("g-msg-1", "acct-1", "Acme"),
        ("g-msg-2", "acct-2", "Globex"),
        ("g-msg-3", "acct-1", "Acme again"),
    ]
    docs = yaml.safe_load(
        (
            real.build.package_dir
            / real.build.package.models_dir
            / f"_stg_{real.source_name}__groups.yml"
        ).read_text()
    )
    columns = {column["name"]: column for column in docs["models"][0]["columns"]}
    assert columns["group_message_id"]["data_tests"] == ["unique", "not_null"]
    # The account: a common column with no test (an account has many group() calls), so
    # described in the package's docs block of group() columns, not in each model.
    assert "group_id" not in columns
    blocks = (real.build.package_dir / "models/_reflekt_segment_columns.md").read_text()
    group_block = blocks.split("{% docs reflekt_segment_group_columns %}")[1]
    assert "| `group_id` | `group_id` |" in group_block.split("{% enddocs %}")[0]


def test_sources_have_loaded_at_field_and_freshness(real: RealBuild) -> None:
    sources = yaml.safe_load((real.build.package_dir / real.build.package.sources_path).read_text())
    [source] = sources["sources"]
    assert source["freshness"] == {"warn_after": {"count": 24, "period": "hour"}}
    loaded_at = {table["name"]: table.get("loaded_at_field") for table in source["tables"]}
    assert loaded_at == {
        table: ("received_at" if table == "screens" else "uuid_ts") for table in TABLES
    }
    # dbt itself reads them: the 2024 rows are stale, a warning (not an error) per table.
    freshness = real.runs[2]
    assert freshness.command == ("source", "freshness")
    assert freshness.returncode == 0, freshness.log[-3000:]
    results = json.loads((real.work_dir / "target" / "sources.json").read_text())["results"]
    assert {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results} == {
        table: "warn" for table in TABLES
    }


def test_redshift_reserved_words_are_renamed_on_redshift_only(real: RealBuild) -> None:
    model = f"stg_{real.source_name}__cart_viewed"
    docs = yaml.safe_load(
        (real.build.package_dir / real.build.package.models_dir / f"_{model}.yml").read_text()
    )
    names = [column["name"] for column in docs["models"][0]["columns"]]
    expected = ["language_", "tag_"] if real.kind == "redshift" else ["language", "tag"]
    assert [name for name in names if name.startswith(("language", "tag"))] == expected
    sql = (real.build.package_dir / real.build.package.models_dir / f"{model}.sql").read_text()
    if real.kind == "redshift":
        assert "{{ adapter.quote('timestamp') }} as tstamp" in sql
        assert "{{ adapter.quote('language') }} as language_" in sql
    else:
        assert "        timestamp as tstamp,\n" in sql
    language, tag = expected
    rows = real.query(
        f"select {language}, {tag} from {real.target_schema}.{model} where event_id = 'c1'"
    )
    assert rows == [("en", "promo")]


def test_snowflake_sql_dedupes_through_fakesnow(tmp_path: Path) -> None:
    """The Snowflake build's SQL (upper-case columns, the dedupe window) runs on fakesnow."""
    import warnings
    from types import SimpleNamespace

    import fakesnow
    import jinja2
    import sqlalchemy

    from reflekt.core.warehouse import engine_url

    root = tmp_path / "project"
    create_project(
        root,
        NewProject(
            name="real shop",
            vendor="com.example",
            profile="dev",
            profiles_path="reflekt_profiles.yml",
        ),
    )
    _add_schemas(root)
    settings = {"account": "acct", "user": "u", "password": "pw", "database": "RAW"}
    _write_profiles(root, {"id": "sf", "type": "snowflake", **settings})
    project = load_project(root)
    profile = load_profile(project)
    context = {
        "config": lambda **kwargs: "",
        "source": lambda source_name, table: f"raw.segment_prod.{table}",
        "adapter": SimpleNamespace(quote=lambda name: '"' + name.replace('"', '""') + '"'),
        "dbt": SimpleNamespace(type_string=lambda: "varchar"),
    }
    with warnings.catch_warnings(), fakesnow.patch():
        warnings.simplefilter("ignore")
        engine = sqlalchemy.create_engine(engine_url(profile.source("sf")))
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("create schema raw.segment_prod"))
            columns, rows = TABLES["groups"]
            _create_tables_one(connection, "raw.segment_prod", "groups", columns, rows)
        build = build_dbt(project, profile, ["segment/shop/Group"], "sf.raw.segment_prod")
        sql = (build.package_dir / "models/segment_prod/stg_segment_prod__groups.sql").read_text()
        rendered = jinja2.Environment().from_string(sql).render(context)
        with engine.connect() as connection:
            result = connection.execute(sqlalchemy.text(rendered))
            lowered = [{k.lower(): v for k, v in row.items()} for row in result.mappings()]
            got = sorted((row["group_message_id"], row["group_id"]) for row in lowered)
        engine.dispose()
    assert "partition by id\n" in sql and "received_at nulls last, uuid_ts nulls last" in sql
    assert got == [("g-msg-1", "acct-1"), ("g-msg-2", "acct-2"), ("g-msg-3", "acct-1")]


def _create_tables_one(connection, schema: str, table: str, columns, rows) -> None:
    """One raw table, unquoted names (Snowflake stores them upper case, as Segment's do)."""
    import sqlalchemy

    ddl = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    connection.execute(sqlalchemy.text(f"create table {schema}.{table} ({ddl})"))
    names = list(columns)
    for row in rows:
        values = ", ".join(_literal(row[name]) for name in names)
        insert = f"insert into {schema}.{table} ({', '.join(names)}) values ({values})"
        connection.execute(sqlalchemy.text(insert))
