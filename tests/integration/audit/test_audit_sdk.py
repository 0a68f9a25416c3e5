"""`reflekt audit --sdk rudderstack`, and the notes that say when an audit vouches for nothing.

A RudderStack warehouse (the demo's generator, shaped as RudderStack's destination writes it:
`channel`, `rudder_id`, a reserved-word event in `_order` with a `_from` column, and the
`rudder_discards` table RudderStack keeps for values it could not load), audited as what it
is and as a Segment one.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from rudder_support import demo_with_order

from reflekt.cli import cli
from reflekt.core.project import load_project
from reflekt.core.schemas import list_schema_files
from reflekt.demo.warehouse import create_demo_warehouse

SOURCE = "wh.warehouse.rudder_prod"
WINDOW = ["--since", "2024-01-01", "--until", "2024-04-08"]  # the generator's rows


@pytest.fixture(scope="module")
def rudder_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rudder-audit") / "project"
    demo_with_order(root)
    project = load_project(root)
    db_path = root / "warehouse.duckdb"
    files = list_schema_files(project.schemas_dir)
    create_demo_warehouse(
        db_path, files, project.schemas_dir, set(), schema="rudder_prod", sdk="rudderstack"
    )
    connection = duckdb.connect(str(db_path))
    try:  # what RudderStack writes for a value it could not load as its column's type
        connection.execute(
            "create table rudder_prod.rudder_discards (column_name varchar, column_value "
            "varchar, reason varchar, received_at timestamp, row_id varchar, table_name "
            "varchar, uuid_ts timestamp)"
        )
        connection.execute(
            "insert into rudder_prod.rudder_discards values ('price', 'N/A', 'incompatible "
            "schema conversion from string to float', '2024-02-01', 'x', 'product_viewed', "
            "'2024-02-01')"
        )
    finally:
        connection.close()
    (root / "reflekt_profiles.yml").write_text(
        json.dumps(
            {
                "version": 1.0,
                "demo": {"source": [{"id": "wh", "type": "duckdb", "path": str(db_path)}]},
            }
        ),
        encoding="utf-8",
    )
    return root


def _audit(root: Path, *args: str):
    return CliRunner().invoke(cli, ["audit", "--project-dir", str(root), "--source", SOURCE, *args])


def _findings(result) -> list[dict]:
    return json.loads(result.stdout)["findings"]


def test_a_rudderstack_warehouse_audited_as_one(rudder_project: Path) -> None:
    result = _audit(rudder_project, *WINDOW, "--sdk", "rudderstack", "--format", "json")

    assert result.exit_code == 1, result.output  # the planted faults are errors
    findings = _findings(result)
    unplanned = {f["column"] for f in findings if f["code"] == "RA104"}
    assert unplanned == {"totl"}  # the planted typo only: not channel, rudder_id or _from
    assert not [f for f in findings if f["code"] == "RA102"]  # rudder_discards is no event
    assert "Order" not in {f["event"] for f in findings if f["code"] in ("RA101", "RA103")}
    codes = {(f["code"], f["column"]) for f in findings}
    assert {("RA202", "currency"), ("RA203", "total"), ("RA105", "price")} <= codes
    assert "Hint:" not in result.stderr and "Note:" not in result.stderr


def test_a_rudderstack_warehouse_audited_as_segment_says_which_flag(rudder_project: Path) -> None:
    result = _audit(rudder_project, *WINDOW, "--format", "json")

    findings = _findings(result)
    unplanned = {f["column"] for f in findings if f["code"] == "RA104"}
    assert {"channel", "rudder_id"} <= unplanned  # what the flag is for
    # Segment's naming looks for `order`; RudderStack wrote the reserved word as `_order`.
    assert "Order" in {f["event"] for f in findings if f["code"] == "RA101"}
    assert "rudder_discards" in {f["table"] for f in findings if f["code"] == "RA102"}
    assert "Hint:" in result.stderr and "--sdk rudderstack" in result.stderr
    assert "Traceback" not in result.output


def test_an_empty_window_says_nothing_was_checked(rudder_project: Path) -> None:
    """The default window (the last 7 days) holds none of the 2024 rows: a clean-looking
    run that checked nothing says so, in the text and beside the other formats."""
    text = _audit(rudder_project, "--sdk", "rudderstack")
    assert "no row was checked" in text.stdout
    assert "--since" in text.stdout.rsplit("no row was checked", 1)[1]

    as_json = _audit(rudder_project, "--sdk", "rudderstack", "--format", "json")
    json.loads(as_json.stdout)  # the document itself stays pure JSON
    assert "Note:" in as_json.stderr and "no row was checked" in as_json.stderr

    checked = _audit(rudder_project, *WINDOW, "--sdk", "rudderstack")
    assert "no row was checked" not in checked.output


def test_an_unknown_sdk_is_a_usage_error(rudder_project: Path) -> None:
    result = _audit(rudder_project, "--sdk", "snowplow")
    assert result.exit_code == 2
    assert "snowplow" in result.output and "Traceback" not in result.output


def test_import_of_rudderstack_tables_then_audit_finds_no_drift(rudder_project: Path) -> None:
    """`import warehouse --sdk rudderstack` drafts the events, not RudderStack's own columns
    (`channel`, `rudder_id`) or tables (`rudder_discards`), and names `_order` back to
    `Order`; an audit of the drafts over the same window finds no structural drift. Read as
    Segment's, the drafts hold `rudder_id`, and the import says which flag fits."""

    def run(*args: str):
        return CliRunner().invoke(
            cli, ["import", "warehouse", "--project-dir", str(rudder_project), "--source",
                  SOURCE, "--since", WINDOW[1], *args],
        )  # fmt: skip

    as_segment = run("--plan", "as_segment", "--dry-run")
    assert as_segment.exit_code == 0, as_segment.output
    assert "use --sdk rudderstack" in " ".join(as_segment.stderr.split())

    imported = run("--plan", "drafted", "--sdk", "rudderstack", "--format", "json")
    assert imported.exit_code == 0, imported.output
    document = json.loads(imported.stdout)
    tables = {item["table"]: item for item in document["written"]}
    assert tables["_order"]["event"] == "Order"
    assert "rudder_discards" in {item["table"] for item in document["skipped"]}
    plan = rudder_project / "schemas/segment/drafted"
    for drafted in plan.rglob("1-0.json"):
        properties = json.loads(drafted.read_text())["properties"]
        assert not {"channel", "rudder_id", "loaded_at"} & set(properties), drafted
    order = json.loads((plan / "Order/1-0.json").read_text())
    assert "_from" in order["properties"]  # the column RudderStack wrote, which maps back

    audited = _audit(
        rudder_project, *WINDOW, "--sdk", "rudderstack", "--select", "segment/drafted",
        "--format", "json",
    )  # fmt: skip
    drift = [f for f in _findings(audited) if f["code"] in ("RA101", "RA103", "RA104", "RA105")]
    assert drift == [], drift
