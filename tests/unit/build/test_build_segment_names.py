"""Segment naming: tables and columns are valid, unique SQL identifiers for any input."""

from __future__ import annotations

import re

import duckdb
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reflekt.core.build import segment
from reflekt.core.build.dbt import build_package, is_generated
from reflekt.core.build.events import EventSchema
from reflekt.core.project import DbtConfig
from reflekt.core.schemas import Version
from reflekt.core.warehouse import SchemaColumns, SourceArg, WarehouseColumn

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
names = st.text(min_size=1, max_size=30)


def test_event_names_become_segment_tables():
    assert segment.snake_case("Cart Viewed") == "cart_viewed"
    assert segment.snake_case("CartViewed") == "cart_viewed"
    assert segment.snake_case("cart-viewed!") == "cart_viewed"
    assert segment.snake_case("Order ID Set") == "order_id_set"
    assert segment.snake_case("HTTPRequest") == "http_request"
    assert segment.snake_case("3D Viewed") == "_3d_viewed"
    assert segment.snake_case("product2Name") == "product2_name"


def test_calls_map_to_their_tables():
    assert segment.call_for_event("Identify") == (segment.IDENTIFY, "identifies")
    assert segment.call_for_event("Group") == (segment.GROUP, "groups")
    assert segment.call_for_event("Page") == (segment.PAGE, "pages")
    assert segment.call_for_event("Page Viewed") == (segment.PAGE, "pages")
    assert segment.call_for_event("Screen") == (segment.SCREEN, "screens")
    assert segment.call_for_event("Group Joined") == (segment.TRACK, "group_joined")
    # A team that tracks "Page Viewed" with track() has a page_viewed table and no pages.
    assert segment.call_for_event("Page Viewed", {"page_viewed": ()}) == (
        segment.TRACK,
        "page_viewed",
    )


def test_nested_properties_are_flattened_with_underscores():
    columns = segment.flatten_properties(
        {
            "cartId": {"type": "string", "description": "Cart."},
            "address": {
                "type": "object",
                "description": "Where.",
                "properties": {"zipCode": {"type": "string", "description": "Zip."}},
            },
            "tags": {"type": "array", "description": "Tags.", "items": {"type": "string"}},
            "blob": {"type": "object", "description": "No properties."},
        }
    )
    assert [(c.column, c.description) for c in columns] == [
        ("cart_id", "Cart."),
        ("address_zip_code", "Zip."),
        ("tags", "Tags."),
        ("blob", "No properties."),
    ]


def test_reserved_words_get_a_safe_alias():
    assert segment.safe_alias("order") == "order_"
    assert segment.safe_alias("Select") == "select_"
    assert segment.safe_alias("cart_id") == "cart_id"


@given(names)
def test_any_name_is_a_valid_identifier(name):
    table = segment.snake_case(name)
    assert IDENTIFIER.match(table)
    assert IDENTIFIER.match(segment.safe_alias(name))
    assert segment.safe_alias(name) not in segment.RESERVED_WORDS


@settings(max_examples=60, deadline=None)
@given(st.lists(names, min_size=1, max_size=12), names)
@example(["id", "Id", "call_type", "pageUrl", "order", "select", "é", "ü", "user_id"], "Identify")
@example(["schema_id", "schemaId", "source_table", "prop_call_type", "call_type"], "Page")
def test_any_property_names_give_a_model_that_runs(render, property_names, event_name):
    """Whatever the names, the model selects each warehouse column once, under a valid and
    unique alias, its docs list the same names, and DuckDB runs the SQL."""
    properties = {name: {"type": "string", "description": "d"} for name in property_names}
    _call, table = segment.call_for_event(event_name)
    columns = ["id", "received_at", "user_id", "context_page_url"]
    for prop in segment.flatten_properties(properties):
        if prop.column not in columns:
            columns.append(prop.column)
    schema = EventSchema(
        "segment/p/E/1-0.json",
        event_name,
        Version(1, 0),
        "desc",
        {"k": "it's {{ x }}"},
        properties,
    )
    package = build_package(
        project_name="p",
        config=DbtConfig(),
        schemas=[schema],
        columns=SchemaColumns(
            "segment_prod", {table: tuple(WarehouseColumn(c, "varchar") for c in columns)}
        ),
        source=SourceArg("wh", "db", "segment_prod"),
        source_type="duckdb",
    )
    (model,) = [m for m in package.models if m.table == table]
    aliases = [c.name for c in model.columns]
    assert len(set(aliases)) == len(aliases)
    assert all(IDENTIFIER.match(a) and a not in segment.RESERVED_WORDS for a in aliases)
    assert is_generated(package.files[model.sql_path])

    connection = duckdb.connect()
    connection.execute("create schema segment_prod")
    quoted = ", ".join('"' + c + '" varchar' for c in columns)
    connection.execute(f'create table segment_prod."{table}" ({quoted})')
    cursor = connection.execute(render(package.files[model.sql_path]))
    assert [d[0] for d in cursor.description] == aliases
    assert cursor.fetchall() == []


def test_redshift_reserved_words_are_renamed_on_redshift_only():
    assert segment.safe_alias("language", "redshift") == "language_"
    assert segment.safe_alias("Tag", "redshift") == "tag_"
    assert segment.safe_alias("order", "redshift") == "order_", "the common set still applies"
    assert segment.safe_alias("language") == "language"
    assert segment.safe_alias("language", "postgres") == "language"
    assert not segment.is_plain_identifier("timestamp", "redshift")
    assert segment.is_plain_identifier("timestamp", "duckdb")
    # AWS's list: 158 words, from AES128 to WITHOUT.
    assert len(segment.REDSHIFT_RESERVED_WORDS) == 158
    assert {"aes128", "bytedict", "delta32k", "text32k", "wallet", "without"} <= (
        segment.REDSHIFT_RESERVED_WORDS
    )


def test_every_redshift_reserved_word_as_a_property_gives_a_model_that_runs(render):
    """A Redshift build quotes each reserved column and aliases it with a `_`; the SQL runs."""
    words = sorted(segment.REDSHIFT_RESERVED_WORDS)
    properties = {word: {"type": "string", "description": "d"} for word in words}
    columns = ["id", "received_at", *words]  # `timestamp` is also Segment's common column
    package = build_package(
        project_name="p",
        config=DbtConfig(),
        schemas=[EventSchema("segment/p/E/1-0.json", "E", Version(1, 0), "d", {}, properties)],
        columns=SchemaColumns(
            "segment_prod", {"e": tuple(WarehouseColumn(c, "") for c in columns)}
        ),
        source=SourceArg("rs", "db", "segment_prod"),
        source_type="redshift",
    )
    (model,) = package.models
    reserved = segment.reserved_words("redshift")
    aliases = [c.name for c in model.columns]
    assert all(IDENTIFIER.match(a) and a not in reserved for a in aliases)
    props = [w for w in words if w != "timestamp"]  # selected once, as `tstamp`
    assert [a for a in aliases if a.rstrip("_") in words] == [f"{w}_" for w in props]
    sql = package.files[model.sql_path]
    assert "{{ adapter.quote('timestamp') }} as tstamp" in sql
    connection = duckdb.connect()
    connection.execute("create schema segment_prod")
    quoted = ", ".join('"' + c + '" varchar' for c in columns)
    connection.execute(f"create table segment_prod.e ({quoted})")
    connection.execute("insert into segment_prod.e (id) values ('1'), ('1')")
    cursor = connection.execute(render(sql))
    assert [d[0] for d in cursor.description] == aliases
    assert len(cursor.fetchall()) == 1, "deduped on id"
