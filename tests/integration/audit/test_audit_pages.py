"""Named pages (Segment PAGE rules keyed `Home`, `Checkout`) share the `pages` table: the
audit checks each on its own rows (`name = '<page>'`), as the dbt build models them, on
DuckDB and the local PostgreSQL. Rows of a page no schema names are nobody's."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from audit_support import DIALECTS, NOW, Warehouse, new_project, run_audit, warehouse_with
from audit_support import write_schema as schema

HOSTILE = 'it\'s \\ "Kasse" ünï'  # a quote, a backslash, double quotes, unicode
PAGE = {"segment_rule_type": "PAGE"}
COLUMNS = {
    "id": "varchar",
    "received_at": "timestamp",
    "name": "varchar",
    "path": "varchar",
    "hero_variant": "varchar",  # Home: required, enum [a, b]
    "cart_total": "double precision",  # Checkout: required, minimum 0
    "coupon": "varchar",  # the hostile page: required
    "promo": "varchar",  # no schema knows it
}


def _row(index: int, name: str, hours: float, **values) -> dict:
    received = (NOW - timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")
    return {"id": f"p{index}", "received_at": received, "name": name, "path": "/", **values}


ROWS = [
    # Home: 5 rows in the window, 2 without hero_variant, 1 outside the enum; 1 the week before.
    _row(1, "Home", 1, hero_variant="a"),
    _row(2, "Home", 2, hero_variant="a"),
    _row(3, "Home", 3),
    _row(4, "Home", 4),
    _row(5, "Home", 5, hero_variant="c"),
    _row(6, "Home", 24 * 8, hero_variant="a"),
    # Checkout: clean.
    *(_row(10 + i, "Checkout", 6 + i, cart_total=10.0 + i) for i in range(3)),
    # A page no schema names: every value wrong, never counted.
    *(_row(20 + i, "Pricing", 10 + i, hero_variant="zzz", cart_total=-1.0) for i in range(4)),
    # The hostile name: 2 rows, 1 without coupon.
    _row(30, HOSTILE, 20, coupon="SAVE"),
    _row(31, HOSTILE, 21),
    # Legacy: rows only in the week before the window.
    _row(40, "Legacy", 24 * 9),
    _row(41, "Legacy", 24 * 10),
]


@pytest.fixture(params=DIALECTS)
def warehouse(request, tmp_path: Path) -> Iterator[Warehouse]:
    with warehouse_with(request.param, tmp_path, {"pages": (COLUMNS, ROWS)}) as made:
        yield made


def _project(root: Path, warehouse: Warehouse) -> None:
    new_project(root, warehouse.source)
    text = {"type": "string", "description": "Text."}
    home = {"hero_variant": {**text, "enum": ["a", "b"]}, "banner_id": text}  # banner_id: no column
    schema(root, "Home", "Home", home, ["hero_variant"], PAGE)
    total = {"cart_total": {"type": "number", "description": "Total.", "minimum": 0}}
    schema(root, "Checkout", "Checkout", total, ["cart_total"], PAGE)
    schema(root, "Kasse", HOSTILE, {"coupon": text}, ["coupon"], PAGE)
    schema(root, "Legacy", "Legacy", {}, [], PAGE)


def test_each_named_page_is_audited_on_its_own_rows(tmp_path, warehouse) -> None:
    root = tmp_path / "project"
    _project(root, warehouse)
    result = run_audit(root, warehouse, "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    found = {(f["code"], f["event"], f["column"] or f["property"]): f for f in document["findings"]}
    assert set(found) == {
        ("RA201", "Home", "hero_variant"),
        ("RA202", "Home", "hero_variant"),
        ("RA201", HOSTILE, "coupon"),
        ("RA103", "Home", "banner_id"),
        ("RA104", f"Checkout, Home, Legacy, {HOSTILE}", "promo"),  # the table's, once
        ("RA209", "Legacy", ""),
    }, "nothing for Checkout, nothing from the Pricing rows, no RA102 for pages"
    required = found[("RA201", "Home", "hero_variant")]
    assert (required["violating"], required["checked"]) == (2, 5), "Home's rows only"
    assert required["table"] == "pages" and required["page"] == "Home"
    assert required["message"].startswith("pages (Home).hero_variant: 2 of 5 row(s) (40.00%)")
    assert required["schema_id"] == "segment/shop/Home/1-0.json"
    enum = found[("RA202", "Home", "hero_variant")]
    assert (enum["violating"], enum["checked"], enum["samples"]) == (1, 5, ["c"])
    hostile = found[("RA201", HOSTILE, "coupon")]
    assert (hostile["violating"], hostile["checked"], hostile["page"]) == (1, 2, HOSTILE)
    assert hostile["message"].startswith(f"pages ({HOSTILE}).coupon: 1 of 2 row(s)")
    never_seen = found[("RA103", "Home", "banner_id")]
    assert never_seen["message"] == "pages (Home): property banner_id has no column banner_id"
    assert never_seen["schema_id"] == "segment/shop/Home/1-0.json"
    unplanned = found[("RA104", f"Checkout, Home, Legacy, {HOSTILE}", "promo")]
    assert unplanned["page"] == "" and unplanned["message"].startswith("pages: column promo")
    legacy = found[("RA209", "Legacy", "")]
    assert legacy["checked"] == 2 and legacy["message"].startswith("pages (Legacy): no row since")
    volume = {v["page"]: (v["table"], v["rows"], v["previous_rows"]) for v in document["volume"]}
    assert volume == {
        "Home": ("pages", 5, 1),
        "Checkout": ("pages", 3, 0),
        HOSTILE: ("pages", 2, 0),
        "Legacy": ("pages", 0, 2),
    }
    home_daily = next(v["daily"] for v in document["volume"] if v["page"] == "Home")
    assert sum(day["rows"] for day in home_daily) == 5
    # One aggregate query per page, one samples query (Home's enum), one introspection.
    assert (document["events"], document["tables"], document["queries"]) == (4, 1, 1 + 4 + 1)


def test_text_markdown_and_dry_run_name_the_page(tmp_path, warehouse) -> None:
    root = tmp_path / "project"
    _project(root, warehouse)
    text = run_audit(root, warehouse).stdout
    assert "pages (Home).hero_variant: 2 of 5 row(s) (40.00%) have no value (required)" in text
    assert "Checkout" not in text.replace(f"Checkout, Home, Legacy, {HOSTILE}", "")
    assert "10 row(s) checked in 1 table(s); no rows in pages (Legacy)" in text
    assert f"pages ({HOSTILE}).coupon: 1 of 2 row(s)" in text
    markdown = run_audit(root, warehouse, "--format", "markdown").stdout
    assert "pages \\(Home\\)\\.hero\\_variant\\: 2 of 5 row\\(s\\)" in markdown, markdown
    assert "| 2 / 5 |" in markdown
    dry = run_audit(root, warehouse, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "and name = 'Home'" in dry.stderr and "and name = 'Checkout'" in dry.stderr
    assert "and name = 'it''s \\ \"Kasse\" ünï'" in dry.stderr, "quotes doubled, the rest as is"
    assert "Pricing" not in dry.stderr
    assert "Dry run: 5 queries for 1 table(s); none ran." in dry.stderr


def test_an_unnamed_page_schema_audits_the_whole_table(tmp_path, warehouse) -> None:
    root = tmp_path / "project"
    _project(root, warehouse)
    total = {"cart_total": {"type": "number", "description": "Total.", "minimum": 0}}
    schema(root, "Page", "Page", total, [], PAGE)  # a plain page rule: every page() call
    result = run_audit(root, warehouse, "--format", "json", "--select", "segment/shop/Page")
    document = json.loads(result.stdout)
    [out_of_range] = [f for f in document["findings"] if f["code"] == "RA203"]
    assert (out_of_range["violating"], out_of_range["checked"]) == (4, 14), "every page's rows"
    assert out_of_range["page"] == "" and out_of_range["message"].startswith("pages.cart_total:")
    [volume] = document["volume"]
    assert (volume["table"], volume["page"], volume["rows"]) == ("pages", "", 14)
    dry = run_audit(root, warehouse, "--dry-run", "--select", "segment/shop/Page")
    assert "name =" not in dry.stderr


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "redshift", "snowflake", "bigquery"])
def test_named_page_sql_golden(dialect: str) -> None:
    """A named page's aggregate query per dialect, byte for byte: its name an exact literal
    in the window and in the window before. REFLEKT_UPDATE_GOLDEN=1 rewrites the files."""
    from reflekt.core.audit.checks import name_filter, table_checks, table_query
    from reflekt.core.build.events import EventSchema, ModelledEvent
    from reflekt.core.schemas import Version
    from reflekt.core.warehouse import WarehouseColumn

    page = EventSchema(
        "segment/shop/Kasse/1-0.json",
        HOSTILE,
        Version(1, 0),
        metadata=PAGE,
        properties={"coupon": {"type": "string"}},
        required=("coupon",),
    )
    columns = tuple(
        WarehouseColumn(name, "varchar") for name in ("id", "received_at", "name", "coupon")
    )
    row_filter = name_filter(columns, HOSTILE, dialect)
    assert row_filter is not None
    query = table_query(
        schema="segment_prod",
        table="pages",
        columns=columns,
        checks=table_checks(ModelledEvent("pages__kasse", (page,)).properties(), columns, dialect),
        since=NOW - timedelta(days=2),
        until=NOW,
        previous_since=NOW - timedelta(days=4),
        dialect=dialect,
        row_filter=row_filter,
    )
    golden = Path(__file__).parent / "golden" / f"pages_{dialect}.sql"
    if os.environ.get("REFLEKT_UPDATE_GOLDEN"):
        golden.write_text(query.sql + "\n", encoding="utf-8")
    assert query.sql + "\n" == golden.read_text(encoding="utf-8")
    assert name_filter(columns[:2], HOSTILE, dialect) is None, "no name column: no slice"
