"""`reflekt audit` on DuckDB and the local PostgreSQL, with planted violations of every kind.

The audit must find exactly what was planted (codes and counts), nothing else, with every
row-level check done by the warehouse: one aggregate query per table, plus one bounded
samples query where something was found.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from audit_support import DIALECTS, NOW, Warehouse, new_project, warehouse_with, write_schema
from audit_support import run_audit as _audit
from audit_support import values_sql as _values
from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core.scaffold import NewProject, create_project

HOSTILE = ["it's", "50%_off", "back\\slash", "ünïcødé", "x" * 300]

ORDER_COLUMNS = {
    "id": "varchar",
    "received_at": "timestamp",
    "event": "varchar",
    "event_text": "varchar",
    "order_id": "varchar",  # required
    "currency": "varchar",  # enum, with hostile values
    "total": "double precision",  # minimum 0
    "coupon": "varchar",  # pattern ^[A-Z]+$, maxLength 8
    "email": "varchar",  # format email
    "quantity": "varchar",  # integer stored as text
    "totl": "double precision",  # no schema knows it (a typo of total)
}
CURRENCIES = ["USD", "EUR", *HOSTILE]


def _order(index: int, **values: Any) -> dict[str, Any]:
    row = {
        "id": f"m{index}",
        "received_at": (NOW - timedelta(hours=index + 1)).strftime("%Y-%m-%d %H:%M:%S"),
        "event": "order_completed",
        "event_text": "Order Completed",
        "order_id": f"o{index}",
        "currency": CURRENCIES[index % len(CURRENCIES)],
        "total": 10.0 + index,
        "coupon": "SAVE",
        "email": f"user{index}@example.com",
        "quantity": str(index % 5),
        "totl": None,
    }
    row.update(values)
    return row


ORDERS = [_order(index) for index in range(40)]
# The planted violations, one kind per row (rows 0..9 of the window):
ORDERS[0]["order_id"] = None  # RA201 x2
ORDERS[1]["order_id"] = None
ORDERS[2]["currency"] = "usd"  # RA202 x1 (case matters)
ORDERS[3]["total"] = -5.0  # RA203 x1
ORDERS[4]["coupon"] = "save10"  # RA204 x1 (pattern), RA205 no: 6 chars
ORDERS[5]["coupon"] = "ABCDEFGHIJ"  # RA205 x1 (maxLength 8)
ORDERS[6]["email"] = "not an email"  # RA206 x1
ORDERS[7]["quantity"] = "two"  # RA207 x1
ORDERS[8]["totl"] = 3.0
ORDERS.append({**ORDERS[9], "received_at": ORDERS[9]["received_at"]})  # RA208: re-delivered
OLD = _order(99, received_at=(NOW - timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S"))
OLD["currency"] = "never-counted"  # outside the window: not a finding
ORDERS.append(OLD)
# A table whose volume dropped to zero: rows only in the week before the window.
CART_COLUMNS = {"id": "varchar", "received_at": "timestamp", "cart_id": "varchar"}
CARTS = [
    {"id": f"c{i}", "received_at": (NOW - timedelta(days=8)).strftime("%Y-%m-%d %H:%M:%S"),
     "cart_id": "x"} for i in range(3)
]  # fmt: skip
UNPLANNED_COLUMNS = {"id": "varchar", "received_at": "timestamp"}


_schema = write_schema


def _project(root: Path, source: dict[str, Any]) -> None:
    new_project(root, source)
    _schema(
        root,
        "Order_Completed",
        "Order Completed",
        {
            "order_id": {"type": "string", "description": "Order."},
            "currency": {"type": "string", "description": "Currency.", "enum": CURRENCIES},
            "total": {"type": "number", "description": "Total.", "minimum": 0},
            "coupon": {
                "type": "string",
                "description": "Coupon.",
                "pattern": "^[A-Z]+$",
                "maxLength": 8,
            },
            "email": {"type": "string", "description": "Email.", "format": "email"},
            "quantity": {"type": "integer", "description": "Quantity."},
            "gift": {"type": "boolean", "description": "Never sent."},
        },
        ["order_id"],
    )
    _schema(root, "Cart_Viewed", "Cart Viewed", {"cart_id": {"type": "string", "description": "Cart."}}, [])  # fmt: skip
    _schema(root, "Order_Refunded", "Order Refunded", {}, [])  # no table


TABLES = {
    "order_completed": (ORDER_COLUMNS, ORDERS),
    "cart_viewed": (CART_COLUMNS, CARTS),
    "coupon_spun": (UNPLANNED_COLUMNS, [{"id": "u1", "received_at": "2025-03-09 00:00:00"}]),
}
EXPECTED = {
    ("RA101", "order_refunded", ""),
    ("RA102", "coupon_spun", ""),
    ("RA103", "order_completed", "gift"),
    ("RA104", "order_completed", "totl"),
    ("RA105", "order_completed", "quantity"),
    ("RA201", "order_completed", "order_id"),
    ("RA202", "order_completed", "currency"),
    ("RA203", "order_completed", "total"),
    ("RA204", "order_completed", "coupon"),
    ("RA205", "order_completed", "coupon"),
    ("RA206", "order_completed", "email"),
    ("RA207", "order_completed", "quantity"),
    ("RA208", "order_completed", "id"),
    ("RA209", "cart_viewed", ""),
}
COUNTS = {"RA201": 2, "RA202": 1, "RA203": 1, "RA204": 1, "RA205": 1, "RA206": 1, "RA207": 1}


@pytest.fixture(params=DIALECTS)
def warehouse(request, tmp_path: Path) -> Iterator[Warehouse]:
    with warehouse_with(request.param, tmp_path, TABLES) as made:
        yield made


def test_audit_finds_exactly_the_planted_violations(tmp_path, warehouse) -> None:
    root = tmp_path / "project"
    _project(root, warehouse.source)
    result = _audit(root, warehouse, "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    found = {(f["code"], f["table"], f["column"] or f["property"]) for f in document["findings"]}
    assert found == EXPECTED
    by_code = {}
    for finding in document["findings"]:
        by_code.setdefault(finding["code"], 0)
        by_code[finding["code"]] += finding["violating"] or 0
    for code, count in COUNTS.items():
        assert by_code[code] == count, code
    orders = [f for f in document["findings"] if f["table"] == "order_completed"]
    checked = {
        f["checked"] for f in orders if f["code"].startswith("RA20") and f["code"] != "RA209"
    }
    assert checked == {41}, "the row in the week before is outside the window"
    currency = next(f for f in orders if f["code"] == "RA202")
    assert currency["samples"] == ["usd"] and currency["first_seen"].startswith("2025-03-10")
    assert next(f for f in orders if f["code"] == "RA201")["samples"] == []
    # One aggregate query per audited table, one samples query where something was found.
    # (coupon_spun has no schema: structure only.)
    assert document["queries"] == 1 + 2 + 1
    volume = {v["table"]: v for v in document["volume"]}
    assert volume["cart_viewed"]["rows"] == 0 and volume["cart_viewed"]["previous_rows"] == 3
    assert sum(day["rows"] for day in volume["order_completed"]["daily"]) == 41


def test_hostile_enum_values_are_compared_literally(tmp_path, warehouse) -> None:
    root = tmp_path / "project"
    _project(root, warehouse.source)
    result = _audit(root, warehouse, "--format", "json", "--select", "segment/shop/Order_Completed")
    document = json.loads(result.stdout)
    [currency] = [f for f in document["findings"] if f["code"] == "RA202"]
    assert currency["violating"] == 1, "every hostile value of the enum matched itself"
    assert "RA102" not in {f["code"] for f in document["findings"]}, "only with every schema"
    assert document["audited"] == ["segment/shop/Order_Completed/1-0.json"], "the event audited"


def test_thresholds_and_severities_from_the_project(tmp_path, warehouse) -> None:
    root = tmp_path / "project"
    _project(root, warehouse.source)
    config_path = root / "reflekt_project.yml"
    config = yaml.safe_load(config_path.read_text())
    config["audit"] = {
        "rules": {"RA105": "off", "required-missing": "warning", "RA101": "off"},
        "max_violation_rate": 0.03,  # 1 of 41 (2.4%) is tolerated, 2 of 41 (4.9%) is not
    }
    config_path.write_text(yaml.safe_dump(config))
    result = _audit(root, warehouse, "--format", "json")
    document = json.loads(result.stdout)
    codes = {f["code"]: f for f in document["findings"]}
    assert "RA105" not in codes and "RA101" not in codes
    assert set(codes) >= {"RA201", "RA209"}, "2 of 41 rows, and a volume drop, are reported"
    assert codes["RA201"]["severity"] == "warning", "a rule named by its name"
    for code in ("RA202", "RA203", "RA204", "RA205", "RA206", "RA207", "RA208"):
        assert code not in codes, f"{code}: 1 of 41 rows is under the tolerated rate"


def test_text_output_sql_and_dry_run(tmp_path, warehouse) -> None:
    root = tmp_path / "project"
    _project(root, warehouse.source)
    result = _audit(root, warehouse, "--sample", "0")
    assert result.exit_code == 1
    assert "order_completed.currency: 1 of 41 row(s) (2.44%) hold a value outside the enum" in (
        result.stdout
    )
    assert "e.g." not in result.stdout, "--sample 0 shows no value"
    dry = _audit(root, warehouse, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "sum(case when" in dry.stderr and "Dry run: 3 queries for 2 table(s)" in dry.stderr


def test_fail_on_and_bad_input(tmp_path, warehouse) -> None:
    root = tmp_path / "project"
    _project(root, warehouse.source)
    assert _audit(root, warehouse, "--fail-on", "never").exit_code == 0
    bad = CliRunner().invoke(
        cli,
        ["audit", "--project-dir", str(root), "--source", warehouse.source_arg, "--since", "soon"],
    )
    assert bad.exit_code == 2 and "--since 'soon' is not a duration or a date" in bad.output
    assert "Traceback" not in bad.output
    missing = CliRunner().invoke(cli, ["audit", "--project-dir", str(root)])
    assert missing.exit_code == 2 and "needs --source" in missing.output


def test_readme_code_table_agrees_with_the_rules() -> None:
    from reflekt.core.audit.docs import END, START, rule_table

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    assert readme.split(START, 1)[1].split(END, 1)[0] == "\n" + rule_table(), (
        "the audit table in README.md is stale: run `python -m reflekt.core.audit.docs README.md`"
    )


def test_list_rules_lists_every_code() -> None:
    from reflekt.core.audit.rules import RULES

    result = CliRunner().invoke(cli, ["audit", "--list-rules"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == [r.code for r in RULES]


def test_snowflake_sql_runs_through_fakesnow(tmp_path) -> None:
    """The Snowflake dialect's SQL (upper-case storage, regexp_instr, backslash-doubled
    literals) runs: fakesnow translates it to DuckDB and back."""
    import warnings

    import fakesnow
    import sqlalchemy

    from reflekt.core.profiles import load_profile
    from reflekt.core.project import load_project
    from reflekt.core.warehouse import engine_url

    root = tmp_path / "project"
    settings = {"account": "acct", "user": "u", "password": "pw", "database": "RAW"}
    _project(root, {"id": "sf", "type": "snowflake", **settings})
    source = load_profile(load_project(root)).source("sf")
    with warnings.catch_warnings(), fakesnow.patch():
        warnings.simplefilter("ignore")
        engine = sqlalchemy.create_engine(engine_url(source))
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("create schema raw.segment_prod"))
            columns = {k: v.replace("double precision", "double") for k, v in ORDER_COLUMNS.items()}
            ddl = ", ".join(f"{name} {kind}" for name, kind in columns.items())
            connection.execute(
                sqlalchemy.text(f"create table raw.segment_prod.order_completed ({ddl})")
            )
            for row in ORDERS:
                # fakesnow hands `\\` to DuckDB as two backslashes, where Snowflake reads
                # one: the backslash value is left out here (the other dialects test it).
                row = {**row, "currency": row["currency"].replace("\\", "/")}
                if "/" in row["currency"]:
                    row["currency"] = "USD"
                connection.execute(
                    sqlalchemy.text(
                        "insert into raw.segment_prod.order_completed values "
                        f"({_values(row, ORDER_COLUMNS)})".replace(":", "\\:")
                    )
                )
        engine.dispose()
        result = CliRunner().invoke(
            cli,
            ["audit", "--project-dir", str(root), "--source", "sf.raw.segment_prod",
             "--select", "segment/shop/Order_Completed", "--since", "7d",
             "--until", NOW.isoformat(), "--format", "json"],
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    counts = {}
    for finding in document["findings"]:
        counts[finding["code"]] = counts.get(finding["code"], 0) + (finding["violating"] or 0)
    assert {code: counts.get(code) for code in COUNTS} == COUNTS


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "redshift", "snowflake", "bigquery"])
def test_dialect_sql_golden(dialect: str) -> None:
    """The aggregate query of one table per dialect, byte for byte.
    REFLEKT_UPDATE_GOLDEN=1 rewrites the files."""
    import os

    from reflekt.core.audit.checks import table_checks, table_query
    from reflekt.core.build.events import EventSchema, ModelledEvent
    from reflekt.core.schemas import Version
    from reflekt.core.warehouse import WarehouseColumn

    schema = EventSchema(
        "segment/shop/Order_Completed/1-0.json",
        "Order Completed",
        Version(1, 0),
        properties={
            "currency": {"type": "string", "enum": ["it's", "back\\slash"]},
            "total": {"type": "number", "minimum": 0, "exclusiveMaximum": 100},
            "coupon": {"type": "string", "pattern": "^[A-Z]+$", "maxLength": 8},
            "quantity": {"type": "integer"},
        },
        required=("currency",),
    )
    columns = (
        WarehouseColumn("id", "varchar"),
        WarehouseColumn("received_at", "timestamp"),
        WarehouseColumn("currency", "varchar"),
        WarehouseColumn("total", "double"),
        WarehouseColumn("coupon", "varchar"),
        WarehouseColumn("quantity", "varchar"),
    )
    event = ModelledEvent("order_completed", (schema,))
    checks = table_checks(event.properties(), columns, dialect)
    query = table_query(
        schema="segment_prod",
        table="order_completed",
        columns=columns,
        checks=checks,
        since=NOW - timedelta(days=2),
        until=NOW,
        previous_since=NOW - timedelta(days=4),
        dialect=dialect,
    )
    golden = Path(__file__).parent / "golden" / f"{dialect}.sql"
    if os.environ.get("REFLEKT_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(query.sql + "\n", encoding="utf-8")
    assert query.sql + "\n" == golden.read_text(encoding="utf-8")


def test_ci_formats(tmp_path, warehouse) -> None:
    """markdown for a PR comment; github annotations on the property's line of the schema."""
    root = tmp_path / "project"
    _project(root, warehouse.source)
    markdown = _audit(root, warehouse, "--format", "markdown").stdout
    assert markdown.startswith("## Reflekt audit\n"), markdown
    assert "| `RA202` value\\-not\\-allowed | ❌ error |" in markdown
    assert r"| \"usd\" |" in markdown  # the sample, escaped as cell text
    github = _audit(root, warehouse, "--format", "github").stdout
    schema = root / "schemas/segment/shop/Order_Completed/1-0.json"
    line = next(
        number
        for number, text in enumerate(schema.read_text().splitlines(), start=1)
        if '"currency": {' in text
    )
    assert f"::error file=schemas/segment/shop/Order_Completed/1-0.json,line={line}," in github, (
        github
    )


def test_a_selected_event_s_findings_point_at_its_file(tmp_path, warehouse) -> None:
    """With --select only the selected events' folders are listed: the annotation still
    names the schema file (the file map holds every version of a selected event)."""
    root = tmp_path / "project"
    _project(root, warehouse.source)
    select = ("--select", "segment/shop/Order_Completed")
    github = _audit(root, warehouse, "--format", "github", *select).stdout
    assert "::error file=schemas/segment/shop/Order_Completed/1-0.json,line=" in github, github


def test_hostile_names_and_values_are_data(tmp_path) -> None:
    """Enum values with Jinja, HTML and `|`, a sampled value that is Jinja, and a column
    name no schema knows that holds quotes, `|`, HTML and Jinja: counted exactly, quoted in
    the SQL, escaped in every output, never run."""
    import duckdb

    enum = ["{{ 7*7 }}", "<script>alert(1)</script>", "a|b", "it's"]
    evil = 'evil "col"|<b>{{ x }}'
    path = tmp_path / "warehouse.duckdb"
    connection = duckdb.connect(str(path))
    connection.execute("create schema segment_prod")
    connection.execute(
        "create table segment_prod.order_completed (id varchar, received_at timestamp, "
        f'status varchar, "{evil.replace(chr(34), chr(34) * 2)}" varchar)'
    )
    for index, value in enumerate([*enum, "{% raw %}", *enum]):
        received = (NOW - timedelta(hours=index + 1)).strftime("%Y-%m-%d %H:%M:%S")
        connection.execute(
            "insert into segment_prod.order_completed values (?, ?, ?, ?)",
            [f"m{index}", received, value, "x"],
        )
    connection.close()
    root = tmp_path / "project"
    create_project(
        root, NewProject(name="shop", vendor="com.example", profile="dev", profiles_path="p.yml")
    )
    _schema(
        root,
        "Order_Completed",
        "Order Completed",
        {"status": {"type": "string", "enum": enum, "description": "{{ env_var('SECRET') }}"}},
        [],
    )
    (root / "p.yml").write_text(
        yaml.safe_dump(
            {"version": 1.0, "dev": {"source": [{"id": "wh", "type": "duckdb", "path": str(path)}]}}
        ),
        encoding="utf-8",
    )
    warehouse = Warehouse({}, "wh.warehouse.segment_prod")
    document = json.loads(_audit(root, warehouse, "--format", "json").stdout)
    codes = {(f["code"], f["column"]): f for f in document["findings"]}
    assert codes[("RA202", "status")]["violating"] == 1
    assert codes[("RA202", "status")]["samples"] == ["{% raw %}"]
    assert ("RA104", evil) in codes, "the hostile column is reported by its exact name"
    markdown = _audit(root, warehouse, "--format", "markdown").stdout
    assert "<script>" not in markdown and "<b>" not in markdown
    for line in markdown.splitlines():
        if line.startswith("| `RA"):
            assert line.count(" | ") == 5, line  # no cell broken by a `|` from the data
    text = _audit(root, warehouse).stdout
    assert "49" not in text and "{% raw %}" in text


# --- interrupted ------------------------------------------------------------------------------


def _audit_process(root: Path, warehouse: Warehouse, output: Path, pause) -> Any:
    import os
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "reflekt", "audit", "--project-dir", str(root), "--source",
         warehouse.source_arg, "--since", "7d", "--until", NOW.isoformat(), "--format", "json",
         "--output", str(output)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **pause.env},
    )  # fmt: skip


@pytest.mark.parametrize("phase", ["audit", "write"])
def test_interrupted_audit_output_leaves_the_old_file(tmp_path, warehouse, phase) -> None:
    """Ctrl-C between two tables, or with the new report written but not yet in place:
    exit 130, the earlier report is intact, no temp file or folder is left."""
    import signal

    from pause_support import Pause

    root = tmp_path / "project"
    _project(root, warehouse.source)
    output = root / "reports" / "audit.json"
    output.parent.mkdir()
    output.write_text('{"earlier": true}\n', encoding="utf-8")
    pause = Pause(tmp_path / "pause", phase)
    proc = _audit_process(root, warehouse, output, pause)
    try:
        pause.wait(proc)
        proc.send_signal(signal.SIGINT)  # interrupts the pause itself: no resume
        _, err = proc.communicate(timeout=120)
    finally:
        pause.close()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert output.read_text(encoding="utf-8") == '{"earlier": true}\n'
    assert sorted(p.name for p in output.parent.iterdir()) == ["audit.json"]


def test_interrupted_first_audit_output_writes_nothing(tmp_path, warehouse) -> None:
    """No earlier report: an interrupted audit leaves no file and not the folder it made."""
    import signal

    from pause_support import Pause

    root = tmp_path / "project"
    _project(root, warehouse.source)
    output = root / "reports" / "new" / "audit.json"
    pause = Pause(tmp_path / "pause", "write")
    proc = _audit_process(root, warehouse, output, pause)
    try:
        pause.wait(proc)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        pause.close()
    assert proc.returncode == 130, err
    assert not (root / "reports").exists()


def test_a_real_audit_report_feeds_the_catalog(tmp_path, warehouse) -> None:
    """`reflekt build docs --with-audit` on what `reflekt audit --format json` really wrote
    for planted violations and hostile enum values: the event page shows the figures, and
    the hostile values (quotes, `%`, backslashes, non-ASCII) stay text."""
    root = tmp_path / "project"
    _project(root, warehouse.source)
    audited = _audit(root, warehouse, "--format", "json")
    assert audited.exit_code == 1, audited.output
    report = tmp_path / "audit.json"
    report.write_text(audited.stdout, encoding="utf-8")
    currency = next(f for f in json.loads(audited.stdout)["findings"] if f["code"] == "RA202")

    built = CliRunner().invoke(
        cli, ["build", "docs", "--project-dir", str(root), "--with-audit", str(report)]
    )

    assert built.exit_code == 0, built.output
    page = next((root / "artifacts/docs/events").rglob("Order_Completed.html"))
    text = page.read_text(encoding="utf-8")
    assert "From <code>reflekt audit</code>" in text
    assert "RA202" in text and f"{currency['violating']} of {currency['checked']}" in text
    assert "it&#39;s" in text or "it&#x27;s" in text  # an enum value, escaped, never markup
    assert "<script>" not in text.replace("<script src=", "")
