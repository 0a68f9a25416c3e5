"""`--sdk rudderstack`: RudderStack's naming rule, the differences table, and golden files of a
small plan built against a RudderStack-shaped schema."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reflekt.core.build import common_docs, segment
from reflekt.core.build.dbt import SDKS, build_package
from reflekt.core.build.drift import find_drift
from reflekt.core.build.events import EventSchema
from reflekt.core.platforms import rudderstack
from reflekt.core.project import DbtConfig
from reflekt.core.schemas import Version
from reflekt.core.warehouse import SchemaColumns, SourceArg, WarehouseColumn

GOLDEN = Path(__file__).parent / "golden_rudderstack"
RESERVED = segment.RESERVED_WORDS | segment.REDSHIFT_RESERVED_WORDS
COMMON = [
    "id",
    "anonymous_id",
    "user_id",
    "received_at",
    "sent_at",
    "original_timestamp",
    "timestamp",
    "uuid_ts",
    "channel",
    "rudder_id",
    "context_ip",
    "context_library_name",
    "context_source_id",
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Cart Viewed", "cart_viewed"),
        ("CartViewed", "cart_viewed"),
        ("cart-viewed", "cart_viewed"),
        ("Plan v2 Selected", "plan_v2_selected"),  # numbers stay with their letters
        ("abc123def", "abc123_def"),  # lodash splits after a number run
        ("k3_namespace", "k3_namespace"),
        ("HTMLParser", "html_parser"),
        ("3D Model Viewed", "_3d_model_viewed"),  # a leading digit gets `_`
        ("9mega", "_9mega"),
        ("_private", "_private"),  # leading underscores are kept (Segment drops them)
        ("__x y", "__x_y"),
        ("Cízǔ", "c_z"),  # non-ASCII letters separate runs and are dropped
        ("mega&", "mega"),
        ("User's Cart", "user_s_cart"),
        ("1st Order", "_1st_order"),
    ],
)
def test_rudderstack_snake_case(name, expected):
    assert rudderstack.snake_case(name) == expected


def test_a_name_with_nothing_usable_is_still_a_valid_identifier():
    name = rudderstack.snake_case("🛒")
    assert name.startswith("_") and len(name) == 9 and name == rudderstack.snake_case("🛒")
    assert name != rudderstack.snake_case("🎁")


def test_segment_and_rudderstack_differ_where_their_rules_do():
    """The same names through both rules: equal for ordinary names, not for these."""
    assert segment.snake_case("Cart Viewed") == rudderstack.snake_case("Cart Viewed")
    assert segment.snake_case("_private") == "private" != rudderstack.snake_case("_private")
    assert segment.snake_case("abc123def") == "abc123def" != rudderstack.snake_case("abc123def")


@pytest.mark.parametrize(
    ("event", "tables"),
    [
        ("Cart Viewed", ("cart_viewed",)),
        ("Order", ("_order", "order")),  # a reserved word: `_order` first
        ("Group", ("_group", "group")),
        ("From", ("_from", "from")),
        ("Users", ("_users",)),  # RudderStack's own tables are never an event's
        ("Identifies", ("_identifies",)),
        ("Pages", ("_pages",)),
        ("Aliases", ("_aliases",)),
        ("Accounts", ("_accounts",)),
        ("3D Viewed", ("_3d_viewed",)),
    ],
)
def test_event_table_candidates(event, tables):
    assert rudderstack.event_table_candidates(event, RESERVED) == tables


def test_the_build_takes_the_table_the_warehouse_holds():
    """`_order` when the warehouse has it, `order` when only that (a destination whose list
    does not reserve it), `_order` when neither (reported as missing under that name)."""
    call = segment.call_for_event
    assert call("Order", {"_order": ()}, sdk="rudderstack") == (segment.TRACK, "_order")
    assert call("Order", {"order": ()}, sdk="rudderstack") == (segment.TRACK, "order")
    assert call("Order", {}, sdk="rudderstack") == (segment.TRACK, "_order")
    assert call("Order", {"order": ()}) == (segment.TRACK, "order")  # Segment: as before


def test_alias_calls_land_in_aliases_for_rudderstack_only():
    assert segment.call_for_event("Alias", sdk="rudderstack") == (segment.ALIAS, "aliases")
    assert segment.call_for_event("Alias") == (segment.TRACK, "alias")
    # The special names are shared: identify/page/screen/group tables are the same.
    for name, table in [("Identify", "identifies"), ("Page Viewed", "pages"), ("Group", "groups")]:
        assert segment.call_for_event(name, sdk="rudderstack")[1] == table
        assert segment.call_for_event(name)[1] == table


def test_the_differences_table():
    """Everything but the table's rows is shared: the same columns minus Protocols' plus
    RudderStack's own (`channel`, `rudder_id`, ...), in the same order."""
    assert SDKS == ("segment", "rudderstack")
    seg = [c.source for c in segment.common_columns("track")]
    rud = [c.source for c in segment.common_columns("track", "rudderstack")]
    protocols = [c for c in seg if c.startswith("context_protocols_")]
    assert len(protocols) == 3 and not set(protocols) & set(rud)
    extras = [c for c in rud if c not in seg]
    assert extras[:2] == ["channel", "rudder_id"] and "context_request_ip" in extras
    assert [c for c in seg if c not in protocols] == [c for c in rud if c not in extras]
    assert segment.layout_for("segment").extra_columns == ()
    with pytest.raises(ValueError, match="unsupported sdk"):
        segment.layout_for("snowplow")


def test_descriptions_name_the_sdk():
    for column in segment.common_columns("page", "rudderstack"):
        assert "Segment" not in column.description
    assert any(
        "RudderStack" in c.description for c in segment.common_columns("page", "rudderstack")
    )
    blocks = common_docs.docs_blocks("rudderstack")
    assert "Segment" not in blocks and "{% docs reflekt_rudderstack_alias_columns %}" in blocks
    assert "{% docs reflekt_segment_track_columns %}" in common_docs.docs_blocks()


def test_reserved_property_columns_have_both_names():
    [column] = segment.flatten_properties({"from": {"type": "string"}}, "rudderstack")
    assert (column.column, column.alternates) == ("_from", ("from",))
    [column] = segment.flatten_properties({"from": {"type": "string"}})
    assert (column.column, column.alternates) == ("from", ())


def cols(*names: str, types: dict[str, str] | None = None) -> tuple[WarehouseColumn, ...]:
    return tuple(WarehouseColumn(name, (types or {}).get(name, "varchar")) for name in names)


def rudder_plan() -> list[EventSchema]:
    def schema(path: str, name: str, description: str, properties, required=()):
        return EventSchema(
            f"segment/shop/{path}/1-0.json",
            name,
            Version(1, 0),
            description,
            {},
            properties,
            required=tuple(required),
        )

    return [
        schema(
            "Cart_Viewed",
            "Cart Viewed",
            "User viewed their cart.",
            {
                "cart_id": {"type": "string", "description": "Cart id."},
                "from": {"type": "string", "description": "Where the cart was opened."},
                "total": {"type": "number", "description": "Total.", "minimum": 0},
                "plan v2": {"type": "string", "description": "Plan (v2)."},
            },
            required=["cart_id"],
        ),
        schema("Order", "Order", "An order (a reserved word).", {"sku": {"type": "string"}}),
        schema("3D_Model_Viewed", "3D Model Viewed", "A 3D model.", {"model": {"type": "string"}}),
        schema("Identify", "Identify", "Who the user is.", {"email": {"type": "string"}}),
        schema("Alias", "Alias", "The user's ids merged.", {}),
        schema("Users", "Users", "A track event named like the users table.", {}),
    ]


def rudder_tables() -> dict[str, tuple[WarehouseColumn, ...]]:
    track = [*COMMON, "event", "event_text"]
    return {
        "cart_viewed": cols(
            *track, "cart_id", "_from", "total", "plan_v2", types={"total": "double"}
        ),
        "_order": cols(*track, "sku"),
        "_3d_model_viewed": cols(*track, "model"),
        "identifies": cols(*COMMON, "email"),
        "aliases": cols(*COMMON, "previous_id"),
        "users": cols("id", "received_at", "uuid_ts", "email"),
        "tracks": cols(*track),
    }


def rudder_build():
    return build_package(
        project_name="Rudder Shop",
        config=DbtConfig(docs_tests={"id": ("unique", "not_null")}),
        schemas=rudder_plan(),
        columns=SchemaColumns("rudder_prod", rudder_tables()),
        source=SourceArg("wh", "raw", "rudder_prod"),
        source_type="postgres",
        sdk="rudderstack",
    )


def test_golden_files():
    """The whole RudderStack package, byte for byte. REFLEKT_UPDATE_GOLDEN=1 rewrites them."""
    package = rudder_build()
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


def test_rudderstack_package_by_rule():
    package = rudder_build()
    built = {model.table: model for model in package.models}
    # Reserved, digit-led and own-table names land where RudderStack puts them.
    assert set(built) == {
        "cart_viewed",
        "_order",
        "_3d_model_viewed",
        "identifies",
        "aliases",
        "users",
        "tracks",
    }
    assert [(s.schema_id, s.table) for s in package.skipped] == [
        ("segment/shop/Users/1-0.json", "_users")
    ]
    cart = {column.name: column for column in built["cart_viewed"].columns}
    assert cart["_from"].sql == "_from" and cart["plan_v2"].sql == "plan_v2"
    assert cart["channel"].sql == "channel" and cart["rudder_id"].sql == "rudder_id"
    assert cart["rudder_source_id"].sql == "context_source_id as rudder_source_id"
    aliases = {column.name for column in built["aliases"].columns}
    assert {"alias_id", "previous_id", "channel"} <= aliases
    assert built["aliases"].call == "alias"
    # No word of Segment in a RudderStack package whose schemas do not say it.
    for path, text in package.files.items():
        assert "Segment" not in text, path
    assert package.source_block["description"].startswith("Raw RudderStack event data")
    assert common_docs.docs_path("rudderstack") in package.files


def test_drift_knows_rudderstack_columns_and_names():
    """`channel`/`rudder_id` are RudderStack's, not unplanned; `_from` is the planned `from`."""
    tables = rudder_tables()
    tables["cart_viewed"] = (*tables["cart_viewed"], WarehouseColumn("totl", "double"))
    report = find_drift(
        rudder_plan(),
        SchemaColumns("rudder_prod", tables),
        {"cart_viewed", "_order"},
        "rudderstack",
    )
    assert [(i.table, i.kind, i.column) for i in report.items] == [
        ("cart_viewed", "unplanned_column", "totl")
    ]
    segment_report = find_drift(
        rudder_plan(), SchemaColumns("rudder_prod", tables), {"cart_viewed"}
    )
    unplanned = {i.column for i in segment_report.items if i.kind == "unplanned_column"}
    assert {"channel", "rudder_id", "_from"} <= unplanned
