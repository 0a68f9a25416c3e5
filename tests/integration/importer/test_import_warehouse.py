"""`reflekt import warehouse` on real DuckDB and Postgres tables shaped like Segment's: the
exact schemas written, never overwriting, dry runs, errors, the SQL it pushes down, and the
acceptance check: `reflekt build dbt` on the imported schemas reports no drift."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from click.testing import CliRunner
from importer_support import CURRENCIES, HOSTILE_COLUMNS, OLD_ROWS, ORDER_ROWS

from reflekt.cli import cli

DUCK = "wh.warehouse.segment_prod"
PLAN = "segment/shop"


def invoke(project: Any, *args: str) -> Any:
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)])


def run_import(project: Any, source: str, *args: str) -> tuple[Any, dict]:
    result = invoke(
        project, "import", "warehouse", "--source", source, "--plan", "shop", "-f", "json", *args
    )
    assert result.exit_code == 0, result.output
    return result, json.loads(result.stdout)


def body(schema_id: str, name: str, properties: dict, required: list[str]) -> dict:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": schema_id,
        "description": "",
        "self": {"format": "jsonschema", "name": name, "vendor": "com.example", "version": "1-0"},
        "metadata": {},
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def prop(kind: str, **extra: Any) -> dict:
    return {"type": kind, "description": "", **extra}


ORDER_COMPLETED = body(
    "segment/shop/Order_Completed/1-0.json",
    "Order Completed",  # from event_text
    {
        # address_city + address_zip, and no `address` column: nested back
        "address": {
            "type": "object",
            "description": "",
            "properties": {
                "city": prop("string", enum=["Paris"]),
                "zip": prop("string", enum=["75001"]),  # 1,080 non-null rows: still an enum
            },
            "required": ["city"],  # zip has nulls
        },
        "coupon": prop("string"),  # nulls: not required; 300 rows of one value: no enum
        "currency": prop("string", enum=sorted(CURRENCIES)),
        "is_gift": prop("boolean"),
        "note": prop("string"),  # 1,200 distinct values: no enum
        "order_id": prop("string"),  # one column with the prefix `order`: flat
        "price_text": prop("string"),  # a number stored as text stays a string
        "quantity": prop("integer"),
        "shipping": prop("string", enum=["standard"]),
        "shipping_method": prop("string", enum=["post"]),  # a `shipping` column: flat
        "total": prop("number"),  # nulls only in rows older than the window
    },
    [
        "address",
        "currency",
        "is_gift",
        "note",
        "order_id",
        "price_text",
        "quantity",
        "shipping",
        "shipping_method",
        "total",
    ],
)
APP_OPENED = body(
    "segment/shop/App_Opened/1-0.json",
    "App Opened",  # no event_text column: Title Case of the table
    {"build_number": prop("integer")},  # 10 rows: too few for anything but required
    ["build_number"],
)
IDENTIFY = body(
    "segment/shop/Identify/1-0.json",
    "Identify",
    {"email": prop("string"), "plan": prop("string")},
    ["email"],
)
PAGE = body(
    "segment/shop/Page/1-0.json",
    "Page",
    {"section": prop("string")},  # name, url, title: Segment's own page fields
    ["section"],
)
HOSTILE = body(
    "segment/shop/Hostile_Names_Happened/1-0.json",
    "Hostile Names Happened",
    {"plain": prop("string")},
    ["plain"],
)
EXPECTED = {
    "Order_Completed": ORDER_COMPLETED,
    "App_Opened": APP_OPENED,
    "Identify": IDENTIFY,
    "Page": PAGE,
    "Hostile_Names_Happened": HOSTILE,
}
EVENT_TABLES = ("order_completed", "app_opened", "identifies", "pages")
SKIPPED_TABLES = {"not_segment", "tracks", "users", "weird-table"}


def schema_files(project: Any) -> dict[str, bytes]:
    folder = project.schemas_dir / "segment"
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(project.schemas_dir).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def assert_imported(project: Any, document: dict) -> None:
    written = {item["schema_id"]: item for item in document["written"]}
    assert sorted(written) == sorted(f"{PLAN}/{folder}/1-0.json" for folder in EXPECTED)
    assert written[f"{PLAN}/Order_Completed/1-0.json"]["rows"] == ORDER_ROWS
    for folder, expected in EXPECTED.items():
        path = project.schemas_dir / PLAN / folder / "1-0.json"
        assert json.loads(path.read_text(encoding="utf-8")) == expected, folder
    assert sorted(schema_files(project)) == sorted(written)
    tables = {item["table"] for item in document["skipped"] if not item["column"]}
    assert tables == SKIPPED_TABLES
    columns = {item["column"] for item in document["skipped"] if item["column"]}
    assert columns == set(HOSTILE_COLUMNS)


# --- DuckDB -----------------------------------------------------------------------------------


def test_import_writes_the_exact_schemas(duck_project, query_counter):
    _, document = run_import(duck_project, DUCK)
    assert_imported(duck_project, document)
    assert document["kept"] == [] and document["dry_run"] is False
    # One introspection, one aggregate query per event table, one per enum candidate: no rows.
    enums = 5  # currency, shipping, shipping_method, address_city, address_zip
    assert document["queries"] == 1 + len(EXPECTED) + enums
    assert len(query_counter.statements) == document["queries"]
    for statement in query_counter.statements[1:]:
        head = statement.lower().split("from", 1)[0]
        assert "count(" in head or "distinct" in head, statement


def test_imported_schemas_pass_lint_but_for_descriptions(duck_project):
    run_import(duck_project, DUCK)
    result = invoke(duck_project, "lint", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert findings, "empty descriptions are listed"
    assert {finding["rule"] for finding in findings} == {"RF401", "RF402"}
    # One per event, one per property (nested ones included).
    assert sum(1 for f in findings if f["rule"] == "RF401") == len(EXPECTED)
    order = [f["property"] for f in findings if "Order_Completed" in f["file"] and f["property"]]
    assert "address.city" in order and "address.zip" in order


def test_import_then_build_gives_no_drift(duck_project):
    run_import(duck_project, DUCK)
    selects: list[str] = []
    for folder in EXPECTED:
        if folder != "Hostile_Names_Happened":
            selects += ["--select", f"{PLAN}/{folder}"]
    result = invoke(duck_project, "build", "dbt", "--source", DUCK, "-f", "json", *selects)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["drift"] == []
    assert {f"stg_segment_prod__{table}" for table in EVENT_TABLES} <= set(document["built"])
    # The columns no property can name are exactly the ones the build reports.
    result = invoke(
        duck_project, "build", "dbt", "--source", DUCK, "-f", "json",
        "--select", f"{PLAN}/Hostile_Names_Happened",
    )  # fmt: skip
    drift = json.loads(result.stdout)["drift"]
    assert sorted((item["kind"], item["column"]) for item in drift) == sorted(
        ("unplanned_column", name) for name in HOSTILE_COLUMNS
    )


def clean_selects() -> list[str]:
    """--select of every imported event but the one whose hostile columns no property names."""
    selects: list[str] = []
    for folder in EXPECTED:
        if folder != "Hostile_Names_Happened":
            selects += ["--select", f"{PLAN}/{folder}"]
    return selects


def test_import_then_audit_finds_nothing(duck_project):
    """The issue's acceptance check: the data follows the schemas drafted from it, in
    structure and row by row (required, enum), over the same window."""
    run_import(duck_project, DUCK)
    result = invoke(duck_project, "audit", "--source", DUCK, "-f", "json", *clean_selects())
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["findings"] == []
    # With every schema: only the columns and tables the import reported as skipped.
    result = invoke(duck_project, "audit", "--source", DUCK, "-f", "json")
    found = {(f["code"], f["table"], f["column"]) for f in json.loads(result.stdout)["findings"]}
    assert found == {("RA104", "hostile_names_happened", name) for name in HOSTILE_COLUMNS} | {
        ("RA102", "not_segment", ""),
        ("RA102", "weird-table", ""),
    }


def test_import_never_overwrites(duck_project):
    mine = duck_project.add_schema(
        f"{PLAN}/Order_Completed/1-0",
        {"total": {"type": "number", "description": "Hand-written."}},
        name="Order Completed",
    )
    page_v2 = duck_project.add_schema(f"{PLAN}/Page/2-0", name="Page")  # any version counts
    before = {path: path.read_bytes() for path in (mine, page_v2)}
    _, document = run_import(duck_project, DUCK)
    assert sorted(item["schema_id"] for item in document["kept"]) == [
        f"{PLAN}/Order_Completed/1-0.json",
        f"{PLAN}/Page/1-0.json",
    ]
    assert {path: path.read_bytes() for path in before} == before
    assert not (duck_project.schemas_dir / PLAN / "Page" / "1-0.json").exists()
    assert len(document["written"]) == len(EXPECTED) - 2
    # A second import keeps everything and writes nothing.
    files = schema_files(duck_project)
    _, again = run_import(duck_project, DUCK)
    assert again["written"] == [] and len(again["kept"]) == len(EXPECTED)
    assert schema_files(duck_project) == files


def test_dry_run_writes_nothing(duck_project):
    result = invoke(
        duck_project, "import", "warehouse", "--source", DUCK, "--plan", "shop", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert schema_files(duck_project) == {}
    assert not (duck_project.schemas_dir / "segment").exists()
    for folder in EXPECTED:
        assert f"schemas/{PLAN}/{folder}/1-0.json" in result.stdout
    assert "Would write 5 schema(s)" in result.stdout


def test_window_and_sample_change_required_and_enum(duck_project):
    _, document = run_import(duck_project, DUCK, "--since", "60d", "--select-table", "order_*")
    assert [item["table"] for item in document["written"]] == ["order_completed"]
    assert document["written"][0]["rows"] == ORDER_ROWS + OLD_ROWS
    schema = json.loads((duck_project.schemas_dir / PLAN / "Order_Completed/1-0.json").read_text())
    assert "total" not in schema["required"]  # the old rows' nulls are in the window now

    _, document = run_import(
        duck_project, DUCK, "--sample", "100", "--select-table", "order_completed",
        "--plan", "sampled",
    )  # fmt: skip
    assert document["written"][0]["schema_id"] == "segment/sampled/Order_Completed/1-0.json"
    assert document["written"][0]["rows"] == 100
    sampled = json.loads(
        (duck_project.schemas_dir / "segment/sampled/Order_Completed/1-0.json").read_text()
    )
    assert not any("enum" in spec for spec in sampled["properties"].values())  # < 1,000 rows


def test_a_window_with_no_row_says_the_drafts_hold_columns_only(tmp_path):
    """The demo's warehouse, whose rows are from early 2024, imported with the default
    window (the last 7 days): the drafts have no `required` and no `enum`, and an import
    never overwrites, so it says how to redo it. A window holding the rows says nothing."""
    import shutil
    from pathlib import Path

    from reflekt.core.project import load_project
    from reflekt.core.schemas import list_schema_files
    from reflekt.demo.warehouse import DEMO_WINDOW, create_demo_warehouse

    root = tmp_path / "project"
    shutil.copytree(Path(__file__).resolve().parents[3] / "reflekt/demo/project", root)
    project = load_project(root)
    db_path = root / "warehouse.duckdb"
    files = list_schema_files(project.schemas_dir)
    create_demo_warehouse(db_path, files, project.schemas_dir, set())
    (root / "reflekt_profiles.yml").write_text(
        json.dumps(
            {
                "version": 1.0,
                "demo": {"source": [{"id": "wh", "type": "duckdb", "path": str(db_path)}]},
            }
        ),
        encoding="utf-8",
    )

    def run(plan: str, *args: str) -> Any:
        return CliRunner().invoke(
            cli, ["import", "warehouse", "--project-dir", str(root), "--source", DUCK,
                  "--plan", plan, "--select-table", "order_*", *args],
        )  # fmt: skip

    empty = run("stale")
    assert empty.exit_code == 0, empty.output
    note = " ".join(empty.stderr.split())
    assert "Note: no row of the 4 table(s) was received since" in note  # order_*
    assert "delete schemas/segment/stale/ and import again with an earlier --since" in note
    drafted = json.loads((root / "schemas/segment/stale/Order_Completed/1-0.json").read_text())
    assert drafted["required"] == []  # what the note is about

    full = run("full", "--since", DEMO_WINDOW[0])
    assert full.exit_code == 0, full.output
    assert "no row of" not in full.stderr
    drafted = json.loads((root / "schemas/segment/full/Order_Completed/1-0.json").read_text())
    assert drafted["required"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--source", "wh.warehouse"], 2, "is not <source_id>.<database>.<schema>"),
        (["--source", "nope.warehouse.segment_prod"], 2, "no source with id 'nope'"),
        (["--source", "wh.warehouse.missing"], 3, "schema 'missing' not found"),
        (["--source", DUCK, "--since", "last week"], 2, "--since 'last week'"),
        (["--source", DUCK, "--plan", "../evil"], 2, "(a hidden folder)"),
        (["--source", DUCK, "--plan", "a/b"], 2, "path separator"),
        (["--source", DUCK, "--plan", "a%b"], 2, "--plan"),
    ],
)
def test_errors_have_exit_codes(duck_project, args, code, message):
    if "--plan" not in args:
        args = [*args, "--plan", "shop"]
    result = invoke(duck_project, "import", "warehouse", *args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert schema_files(duck_project) == {}


def test_help_lists_import():
    result = CliRunner().invoke(cli, ["--help"])
    assert "import" in result.output
    result = CliRunner().invoke(cli, ["import", "--help"])
    assert "--select-table" in result.output and result.exit_code == 0


# --- interrupted ------------------------------------------------------------------------------


def test_interrupted_import_leaves_nothing(duck_project, tmp_path):
    """SIGINT while the writer stages the files: no schema is left behind."""
    import signal
    import subprocess
    import sys

    from pause_support import Pause

    pause = Pause(tmp_path / "pause", "staging")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reflekt", "import", "warehouse", "--source", DUCK, "--plan",
         "shop", "--project-dir", str(duck_project.root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **pause.env},
    )  # fmt: skip
    try:
        pause.wait(proc)
        proc.send_signal(signal.SIGINT)  # interrupts the pause itself: no resume
        _, err = proc.communicate(timeout=120)
    finally:
        pause.close()
    assert proc.returncode == 130, err
    assert schema_files(duck_project) == {}
    assert not (duck_project.schemas_dir / "segment").exists()  # no empty folder either


# --- Postgres ---------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_import_then_build(pg_project, pg_warehouse, query_counter):
    source = f"pg.test.{pg_warehouse}"
    _, document = run_import(pg_project, source)
    assert_imported(pg_project, document)
    assert len(query_counter.statements) == document["queries"] == 1 + len(EXPECTED) + 5
    selects: list[str] = []
    for folder in EXPECTED:
        if folder != "Hostile_Names_Happened":
            selects += ["--select", f"{PLAN}/{folder}"]
    result = invoke(pg_project, "build", "dbt", "--source", source, "-f", "json", *selects)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["drift"] == []
    result = invoke(pg_project, "audit", "--source", source, "-f", "json", *clean_selects())
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []


# --- Snowflake (fakesnow) ---------------------------------------------------------------------


def test_snowflake_import_with_fakesnow(make_project):
    """Upper-case names as Snowflake stores them, `--source`'s database in the table names."""
    import warnings

    import fakesnow
    import sqlalchemy as sa

    from reflekt.core.imports.importer import import_warehouse
    from reflekt.core.profiles import load_profile
    from reflekt.core.project import load_project
    from reflekt.core.warehouse import engine_url

    project = make_project("shop")
    settings = {"account": "acct", "user": "u", "password": "pw", "database": "RAW"}
    project.write_profiles(
        {"version": 1.0, "dev": {"source": [{"id": "sf", "type": "snowflake", **settings}]}}
    )
    loaded = load_project(project.root)
    profile = load_profile(loaded)
    with warnings.catch_warnings(), fakesnow.patch():
        warnings.simplefilter("ignore")
        engine = sa.create_engine(engine_url(profile.source("sf")))
        with engine.begin() as connection:
            connection.execute(sa.text("create schema raw.segment_prod"))
            connection.execute(
                sa.text(
                    "create table raw.segment_prod.cart_viewed (id varchar, received_at "
                    "timestamp, event_text varchar, cart_id varchar, item_count bigint)"
                )
            )
            connection.execute(
                sa.text(
                    "insert into raw.segment_prod.cart_viewed values "
                    "('1', current_timestamp, 'Cart Viewed', 'c1', 2), "
                    "('2', current_timestamp, 'Cart Viewed', null, 3)"
                )
            )
        engine.dispose()
        result = import_warehouse(loaded, profile, "sf.raw.segment_prod", "shop")
    assert [item.schema_id for item in result.written] == ["segment/shop/Cart_Viewed/1-0.json"]
    schema = project.read_json("schemas/segment/shop/Cart_Viewed/1-0.json")
    assert schema["self"]["name"] == "Cart Viewed"
    assert schema["properties"] == {
        "cart_id": {"type": "string", "description": ""},
        "item_count": {"type": "number", "description": ""},  # Snowflake says NUMBER
    }
    assert schema["required"] == ["item_count"]
