"""The pure builder: files for a small project, checked against golden files and by rule."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import duckdb
import jinja2
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from reflekt.core.build.dbt import build_package, header_schema_ids, is_generated, sql_literal
from reflekt.core.build.events import EventSchema
from reflekt.core.errors import ConfigError
from reflekt.core.project import DbtConfig, load_project
from reflekt.core.schemas import Version
from reflekt.core.warehouse import SchemaColumns, SourceArg, WarehouseColumn

GOLDEN = Path(__file__).parent / "golden"
COMMON = [
    "id",
    "event_text",
    "event",
    "original_timestamp",
    "sent_at",
    "received_at",
    "timestamp",
    "anonymous_id",
    "user_id",
    "context_ip",
    "context_page_url",
]


def cols(*names: str) -> tuple[WarehouseColumn, ...]:
    return tuple(WarehouseColumn(name, "varchar") for name in names)


def small_build(config: DbtConfig | None = None, source_type: str = "duckdb", upper=False):
    cart = EventSchema(
        "segment/shop/Cart_Viewed/1-0.json",
        "Cart Viewed",
        Version(1, 0),
        "User viewed their cart.",
        {"code_owner": "greg"},
        {
            "cart_id": {"type": "string", "description": "Cart id."},
            "user_id": {"type": "string", "description": "Duplicate of the common column."},
            "created_at": {"type": "string", "description": "Creation time."},
            "data_attr": {
                "type": "string",
                "description": "Not a timestamp.",
                "enum": ["a", "it's {{ x }}"],  # data, never Jinja or SQL
                "maxLength": 20,
            },
            "nested": {
                "type": "object",
                "properties": {
                    "innerVal": {
                        "type": "number",
                        "description": "Inner.",
                        "minimum": 0,
                        "exclusiveMaximum": 1.5,
                    }
                },
                # required inside an optional object: no not_null
                "required": ["innerVal"],
            },
        },
    )
    cart2 = EventSchema(
        "segment/shop/CartViewed/2-0.json",
        "CartViewed",
        Version(2, 0),
        "User viewed their cart.",
        {},
        {"cart_id": {"type": "string", "description": "Cart id.", "pattern": "^c'\\d+$"}},
        required=("cart_id",),
    )
    identify = EventSchema(
        "segment/shop/Identify/1-0.json",
        "Identify",
        Version(1, 0),
        "Segment identify() call.",
        {},
        {"email": {"type": "string", "description": "Email."}},
    )
    missing = EventSchema(
        "segment/shop/Order_Refunded/1-0.json",
        "Order Refunded",
        Version(1, 0),
        "",
        {},
        {},
    )
    case = (lambda n: n.upper()) if upper else (lambda n: n)
    tables = {
        "cart_viewed": cols(
            *map(
                case,
                [*COMMON, "uuid_ts", "cart_id", "created_at", "data_attr", "nested_inner_val"],
            )
        ),
        "identifies": cols(
            *map(case, [c for c in COMMON if not c.startswith("event")] + ["email"])
        ),
        "users": cols(*map(case, ["id", "received_at", "uuid_ts", "email"])),
        "tracks": cols(*map(case, COMMON)),
    }
    # A numeric column: its schema's minimum/exclusiveMaximum become a range test.
    tables["cart_viewed"] = tuple(
        WarehouseColumn(c.name, "double") if c.name.lower() == "nested_inner_val" else c
        for c in tables["cart_viewed"]
    )
    return build_package(
        project_name="Demo Proj",
        config=config
        or DbtConfig(
            models_filter="where received_at >= '2022-01-01'\nand 1=1",
            docs_tests={"id": ("unique", "not_null")},
        ),
        schemas=[cart, cart2, identify, missing],
        columns=SchemaColumns("segment_prod", tables),
        source=SourceArg("wh", "raw", "segment_prod"),
        source_type=source_type,
    )


def test_golden_files():
    """The whole package, byte for byte. REFLEKT_UPDATE_GOLDEN=1 rewrites the golden files."""
    package = small_build()
    if os.environ.get("REFLEKT_UPDATE_GOLDEN"):
        for rel, text in package.files.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8")
    golden = {
        p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
        for p in GOLDEN.rglob("*")
        if p.is_file()
    }
    assert package.files == golden


def test_build_is_deterministic():
    assert small_build().files == small_build().files


def test_no_column_twice_and_docs_match_sql(render):
    """`docs.columns: all` lists exactly the model's columns, in its order, each typed."""
    package = small_build(DbtConfig(docs_tests={"id": ("unique",)}, docs_columns="all"))
    for model in package.models:
        names = [c.name for c in model.columns]
        assert len(names) == len(set(names)), model.name
        docs = yaml.safe_load(package.files[model.docs_path])
        assert [c["name"] for c in docs["models"][0]["columns"]] == names
        assert all(c["data_type"] for c in docs["models"][0]["columns"])
        assert docs["models"][0]["name"] == model.name
        assert model.sql_path.endswith(f"/{model.name}.sql")
    cart = next(m for m in package.models if m.name == "stg_segment_prod__cart_viewed")
    assert [c.sql for c in cart.columns].count("user_id") == 1
    assert "created_at" in [c.name for c in cart.columns]  # not created_at_tstamp
    assert "data_attr" in [c.name for c in cart.columns]


def test_both_spellings_and_every_version_land_in_one_model():
    """Rows carry no version, and `Cart Viewed` and `CartViewed` both land in cart_viewed:
    one model selects the union of their columns, its header names every schema."""
    package = small_build()
    assert sorted(m.name for m in package.models) == [
        "stg_segment_prod__cart_viewed",
        "stg_segment_prod__identifies",
        "stg_segment_prod__tracks",
        "stg_segment_prod__users",
    ]
    assert [(s.schema_id, s.table) for s in package.skipped] == [
        ("segment/shop/Order_Refunded/1-0.json", "order_refunded")
    ]
    cart = next(m for m in package.models if m.name == "stg_segment_prod__cart_viewed")
    assert cart.schema_ids == (
        "segment/shop/Cart_Viewed/1-0.json",
        "segment/shop/CartViewed/2-0.json",
    )
    names = [c.name for c in cart.columns]
    # 2-0's cart_id, then 1-0's own properties; no per-row version column.
    assert names[names.index("cart_id") :] == [
        "cart_id",
        "created_at",
        "data_attr",
        "nested_inner_val",
        "call_type",
        "source_schema",
        "source_table",
    ]
    assert "schema_id" not in names
    # 2-0 requires cart_id, 1-0 did not: its rows have none, so no not_null.
    cart_id = next(c for c in cart.columns if c.name == "cart_id")
    assert [next(iter(t)) for t in cart_id.tests] == ["reflekt_matches_pattern"]


def test_tests_attach_to_renamed_columns():
    package = small_build()
    ids = {m.name: next(c for c in m.columns if c.tests) for m in package.models}
    assert ids["stg_segment_prod__cart_viewed"].name == "event_id"
    assert ids["stg_segment_prod__identifies"].name == "identify_id"
    assert ids["stg_segment_prod__users"].name == "user_id"
    assert ids["stg_segment_prod__users"].tests == ("unique", "not_null")


def test_filter_applied_to_every_table_that_has_its_columns_users_included():
    package = small_build()
    for model in ("cart_viewed", "users", "tracks", "identifies"):
        sql = package.files[f"models/segment_prod/stg_segment_prod__{model}.sql"]
        assert "    where received_at >= '2022-01-01'\n    and 1=1\n)," in sql, model
    assert package.unfiltered == ()


def test_filter_left_out_where_the_table_lacks_a_column_it_names():
    package = small_build(
        DbtConfig(models_filter="where context_ip != '10.0.0.1' and received_at > '2022-01-01'")
    )
    users = package.files["models/segment_prod/stg_segment_prod__users.sql"]
    cart = package.files["models/segment_prod/stg_segment_prod__cart_viewed.sql"]
    assert "where" not in users
    assert "    where context_ip != '10.0.0.1' and received_at > '2022-01-01'\n)," in cart
    assert [(u.model, u.table, u.missing) for u in package.unfiltered] == [
        ("stg_segment_prod__users", "users", ("context_ip",))
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where received_at > '2022-01-01'", ("received_at",)),
        ('where "RECEIVED_AT" > current_date', ("received_at",)),
        ("where event_text != 'user_id'", ("event_text",)),  # a literal is not a column
        ("where cast(timestamp as date) > {{ var('start', 'id') }}", ("timestamp",)),
        ("where date(sent_at) = '2022-01-01' -- user_id later", ("sent_at",)),
        ("and 1=1", ()),
    ],
)
def test_filter_columns(text, expected):
    from reflekt.core.build.dbt import filter_columns

    known = {"received_at", "event_text", "user_id", "timestamp", "date", "sent_at", "id"}
    assert filter_columns(text, known) == expected


def test_missing_users_and_tracks_tables_are_reported_as_skipped():
    package = build_package(
        project_name="p",
        config=DbtConfig(),
        schemas=[
            EventSchema("segment/p/Identify/1-0.json", "Identify", Version(1, 0)),
            EventSchema("segment/p/Cart_Viewed/1-0.json", "Cart Viewed", Version(1, 0)),
        ],
        columns=SchemaColumns("s", {"identifies": cols("id"), "cart_viewed": cols("id")}),
        source=SourceArg("a", "b", "s"),
        source_type="duckdb",
    )
    assert sorted(m.table for m in package.models) == ["cart_viewed", "identifies"]
    assert [(s.schema_id, s.table, s.reason) for s in package.skipped] == [
        ("segment/p/Identify/1-0.json", "users", "no such table in s"),
        ("", "tracks", "no such table in s"),
    ]


def test_docs_in_folder_and_prefixes():
    package = small_build(
        DbtConfig(
            sources_prefix="src_", models_prefix="base_", docs_prefix="doc_", docs_in_folder=True
        )
    )
    assert "models/segment_prod/docs/src_segment_prod.yml" in package.files
    assert "models/segment_prod/docs/doc_segment_prod__cart_viewed.yml" in package.files
    assert "models/segment_prod/base_segment_prod__cart_viewed.sql" in package.files


def test_snowflake_upper_case_columns_are_referenced_bare():
    package = small_build(source_type="snowflake", upper=True)
    sql = package.files["models/segment_prod/stg_segment_prod__cart_viewed.sql"]
    assert "        id as event_id,\n" in sql
    assert "        cart_id,\n" in sql


def test_every_file_has_the_generated_header_and_its_schemas():
    package = small_build()
    for rel, text in package.files.items():
        assert is_generated(text), rel
    sql = package.files["models/segment_prod/stg_segment_prod__cart_viewed.sql"]
    assert header_schema_ids(sql) == [
        "segment/shop/Cart_Viewed/1-0.json",
        "segment/shop/CartViewed/2-0.json",
    ]
    assert (
        header_schema_ids(package.files["models/segment_prod/stg_segment_prod__tracks.sql"]) == []
    )


@pytest.mark.parametrize("dialect", ["duckdb", "snowflake"])
@given(value=st.text(max_size=40))
def test_literals_survive_jinja_and_sql(dialect, value):
    """A literal renders through Jinja (as dbt does) to SQL that yields the value back."""
    sql = "select " + sql_literal(value, dialect) + " as v"
    rendered = jinja2.Environment().from_string(sql).render()
    if dialect == "snowflake":
        rendered = rendered.replace("\\\\", "\\")  # Snowflake reads \\ as one backslash
    assert duckdb.connect().execute(rendered).fetchone()[0] == value


def test_metadata_with_quotes_and_braces(render):
    schema = EventSchema(
        "segment/p/E/1-0.json",
        "E",
        Version(1, 0),
        "d",
        {"owner": "greg's", "x": {"y": {"z": "}}"}}},
        {},
    )
    package = build_package(
        project_name="p",
        config=DbtConfig(),
        schemas=[schema],
        columns=SchemaColumns("s", {"e": cols("id")}),
        source=SourceArg("a", "b", "s"),
        source_type="duckdb",
    )
    connection = duckdb.connect()
    connection.execute("create schema segment_prod; create table segment_prod.e (id varchar)")
    connection.execute("insert into segment_prod.e values ('1')")
    sql = render(package.files["models/s/stg_s__e.sql"])
    row = connection.execute(sql).fetchone()
    assert json.loads(row[-1]) == {"owner": "greg's", "x": {"y": {"z": "}}"}}}
    assert "::" not in package.files["models/s/stg_s__e.sql"]


yaml_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=30)
yaml_keys = st.text(min_size=1, max_size=10)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: (
        st.lists(yaml_scalars | st.dictionaries(yaml_keys, children, max_size=3), max_size=3)
        | st.dictionaries(yaml_keys, children, max_size=3)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(min_size=1, max_size=10), yaml_values, min_size=1, max_size=4))
def test_dump_yaml_round_trips(data):
    from reflekt.core.build.dbt import dump_yaml

    assert yaml.safe_load(dump_yaml(data)) == data


def test_named_pages_read_their_rows_of_the_pages_table():
    """A Segment PAGE rule keyed `Home` (pulled with metadata.segment_rule_type) is a slice of
    `pages`; a TRACK rule keyed `Page` keeps its own table."""
    home = EventSchema(
        "segment/shop/Home/1-0.json",
        "Home",
        Version(1, 0),
        "The home page.",
        {"segment_rule_type": "PAGE"},
        {"title": {"type": "string", "description": "Title."}},
    )
    track_page = EventSchema(
        "segment/shop/Page/1-0.json",
        "Page",
        Version(1, 0),
        "A track() event named Page.",
        {"segment_rule_type": "TRACK"},
        {},
    )
    package = build_package(
        project_name="p",
        config=DbtConfig(models_filter="where received_at >= '2022-01-01'"),
        schemas=[home, track_page],
        columns=SchemaColumns(
            "segment_prod",
            {"pages": cols(*COMMON, "name", "title"), "page": cols(*COMMON)},
        ),
        source=SourceArg("wh", "raw", "segment_prod"),
        source_type="duckdb",
    )
    home_sql = package.files["models/segment_prod/stg_segment_prod__pages__home.sql"]
    assert "source('segment_prod', 'pages')" in home_sql
    assert "where received_at >= '2022-01-01'\n    and name = 'Home'" in home_sql
    assert "cast('page' as text) as call_type" in home_sql
    page_sql = package.files["models/segment_prod/stg_segment_prod__page.sql"]
    assert "source('segment_prod', 'page')" in page_sql
    assert "cast('track' as text) as call_type" in page_sql


def test_a_table_without_load_times_has_its_freshness_off():
    """dbt would otherwise look for warehouse metadata (and warn on DuckDB and Postgres)."""
    package = build_package(
        project_name="p",
        config=DbtConfig(),
        schemas=[EventSchema("segment/p/E/1-0.json", "E", Version(1, 0))],
        columns=SchemaColumns("s", {"e": cols("id")}),
        source=SourceArg("a", "b", "s"),
        source_type="duckdb",
    )
    [source] = yaml.safe_load(package.files[package.sources_path])["sources"]
    assert source["tables"] == [{"name": "e", "description": "E events.", "freshness": None}]
    assert source["freshness"] == {"warn_after": {"count": 24, "period": "hour"}}
    sql = package.files["models/s/stg_s__e.sql"]
    assert "order by id\n" in sql, "no receive or load time: any delivery, deterministic per id"


def test_the_dedupe_row_number_never_clashes_with_a_raw_column(render):
    package = build_package(
        project_name="p",
        config=DbtConfig(),
        schemas=[EventSchema("segment/p/E/1-0.json", "E", Version(1, 0))],
        columns=SchemaColumns("s", {"e": cols("id", "received_at", "reflekt_delivery_num")}),
        source=SourceArg("a", "b", "s"),
        source_type="duckdb",
    )
    sql = package.files["models/s/stg_s__e.sql"]
    assert "where reflekt_delivery_num_ = 1 or id is null" in sql
    connection = duckdb.connect()
    connection.execute("create schema s")
    connection.execute(
        "create table s.e (id varchar, received_at timestamp, reflekt_delivery_num int)"
    )
    connection.execute(
        "insert into s.e values ('1', '2024-01-01 10:00', 7), ('1', '2024-01-01 09:00', 8), "
        "(null, null, 9), (null, null, 10)"
    )
    rows = connection.execute(render(sql, schema="s")).fetchall()
    assert sorted(row[0] or "" for row in rows) == ["", "", "1"], "null ids kept for not_null"
    [first] = [row for row in rows if row[0] == "1"]
    assert str(first[1]) == "2024-01-01 09:00:00", "the first delivery"


def test_common_columns_are_described_once():
    """Segment's columns live in one docs block per call type; a model's docs list its own
    columns (and a common one only for its tests), and its description shows the block."""
    package = small_build(DbtConfig(docs_tests={"id": ("unique",)}))
    blocks = package.files["models/_reflekt_segment_columns.md"]
    for call in ("track", "page", "screen", "identify", "group", "users"):
        assert f"{{% docs reflekt_segment_{call}_columns %}}" in blocks
    assert blocks.count("| `received_at_tstamp` | `received_at` |") == 6
    assert "| `call_type` | (set by the model) |" in blocks
    cart = next(m for m in package.models if m.name == "stg_segment_prod__cart_viewed")
    docs = yaml.safe_load(package.files[cart.docs_path])["models"][0]
    listed = [c["name"] for c in docs["columns"]]
    assert listed == ["event_id", "cart_id", "created_at", "data_attr", "nested_inner_val"]
    assert "description" not in docs["columns"][0]  # the block describes event_id
    assert docs["columns"][0]["data_tests"] == ["unique"]
    assert docs["description"].endswith('\n\n{{ doc("reflekt_segment_track_columns") }}')
    every_docs = "".join(package.files[m.docs_path] for m in package.models)
    assert "When Segment received the message" not in every_docs
    users = next(m for m in package.models if m.name == "stg_segment_prod__users")
    users_doc = yaml.safe_load(package.files[users.docs_path])["models"][0]
    assert users_doc["description"].endswith('{{ doc("reflekt_segment_users_columns") }}')


def test_docs_blocks_hold_no_jinja_but_their_tags():
    """The blocks are constant text: nothing in them renders but the docs tags themselves."""
    blocks = small_build().files["models/_reflekt_segment_columns.md"]
    body = re.sub(r"\{% (end)?docs( \w+)? %\}", "", blocks)
    assert not re.search(r"\{[{%#]", body)


@pytest.mark.parametrize(("value", "expected"), [("own", "own"), ("all", "all"), (None, "own")])
def test_docs_columns_config(tmp_path: Path, value: str | None, expected: str) -> None:
    line = f"      columns: {value}\n" if value else ""
    text = f"name: p\ndefault_profile: dev\nartifacts:\n  dbt:\n    docs:\n{line}"
    (tmp_path / "reflekt_project.yml").write_text(text)
    assert load_project(tmp_path).dbt.docs_columns == expected


def test_bad_docs_columns_names_the_key_and_line(tmp_path: Path) -> None:
    text = "name: p\ndefault_profile: dev\nartifacts:\n  dbt:\n    docs:\n      columns: some\n"
    (tmp_path / "reflekt_project.yml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    assert "reflekt_project.yml:6: artifacts.dbt.docs.columns: 'some' is not one of: own, all" in (
        str(info.value)
    )
