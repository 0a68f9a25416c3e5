"""One progress protocol, seen through the CLI: core jobs call `(done, total, message)` and
the command hands its progress line to the job as is (no adapter).

Off a terminal the line draws nothing; with --verbose it logs each finished step as
`<message>: <done>/<total>`, so the core's own messages and counts show on stderr.
"""

from __future__ import annotations

import duckdb
from click.testing import CliRunner
from registry_fakes import track_rule

from reflekt.cli import cli


def _invoke(project, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root), "--verbose"])


def test_pull_reports_its_steps_in_order_with_counts(segment, segment_project):
    segment.add_plan("shop", [track_rule(f"Event {i}") for i in range(3)])
    project = segment_project()

    result = _invoke(project, "pull", "--select", "segment/shop")

    assert result.exit_code == 0, result.output
    assert "reading trackingPlans: 1/1" in result.stderr
    assert "reading rules: 3/3" in result.stderr
    assert "writing files: 3/3" in result.stderr
    order = [result.stderr.index(line) for line in ("reading rules: 3/3", "writing files: 3/3")]
    assert order == sorted(order)


def test_diff_reports_the_comparison(segment, segment_project):
    segment.add_plan("shop", [track_rule("Cart Viewed"), track_rule("Order Completed")])
    project = segment_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", name="Cart Viewed")

    result = _invoke(project, "diff", "--select", "segment/shop", "--fail-on", "never")

    assert result.exit_code == 0, result.output
    assert "comparing: 2/2" in result.stderr


def test_push_reports_the_rules_sent(segment, segment_project):
    project = segment_project()
    for name in ("Cart Viewed", "Order Completed"):
        project.add_schema(f"segment/shop/{name.replace(' ', '_')}/1-0", name=name)

    result = _invoke(project, "push", "--select", "segment/shop")

    assert result.exit_code == 0, result.output
    assert "pushing rules: 2/2" in result.stderr


def test_lint_of_a_large_selection_reports_through_the_same_line(make_project):
    project = make_project()
    for index in range(500):  # the lint command draws a line from 500 files on
        word = chr(65 + index // 26) + chr(97 + index % 26)  # Aa, Ab, ...: no digits (RF302)
        project.add_schema(f"segment/shop/Event_{word}/1-0", name=f"Event {word}")

    result = _invoke(project, "lint")

    assert result.exit_code == 0, result.output
    assert "linting schemas: 500/500" in result.stderr


def test_build_reports_its_last_step(make_project, tmp_path):
    project = make_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", {"cart_id": {"type": "string"}})
    db_path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db_path)) as con:
        con.execute("create schema segment_prod")
        con.execute(
            "create table segment_prod.cart_viewed (id varchar, received_at timestamp, "
            "cart_id varchar)"
        )
    project.write_profiles(
        {"dev": {"source": [{"id": "wh", "type": "duckdb", "path": str(db_path)}]}}
    )

    result = _invoke(project, "build", "dbt", "--source", "wh.warehouse.segment_prod")

    assert result.exit_code == 0, result.output
    assert "Built 1 model(s) from 1 schema(s) in artifacts/dbt/test_project/ (" in result.stdout
    assert "files written: " in result.stderr
    last = result.stderr.split("files written: ", 1)[1].split()[0]
    done, total = last.split("/")
    assert done == total and int(total) > 1
