"""build dbt (with real dbt on DuckDB), build code and build docs of schemas that reference
shared definitions (`$ref` to schemas/.reflekt/common/): each works on the inlined schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core.build.dbt_runner import dbt_adapter_installed, dbt_command
from reflekt.core.project import load_project
from reflekt.demo.warehouse import run_demo_build

ADDRESS = {
    "type": "object",
    "description": "A postal address, {{ shared }}.",
    "properties": {
        "city": {"type": "string", "description": "The city."},
        "zip_code": {"type": "string", "description": "The zip code."},
    },
    "required": ["city"],
}
MONEY = {
    "definitions": {
        "currency": {"type": "string", "description": "ISO 4217.", "enum": ["EUR", "USD"]},
        "amount": {"type": "number", "description": "An amount of money."},
    }
}


def _project(make_project, tmp_path: Path):
    project = make_project(name="refs shop")
    common = project.schemas_dir / ".reflekt" / "common"
    (common / "address").mkdir(parents=True)
    (common / "address" / "1-0.json").write_text(json.dumps(ADDRESS), encoding="utf-8")
    (common / "money").mkdir()
    (common / "money" / "1-0.json").write_text(json.dumps(MONEY), encoding="utf-8")
    for event in ("Order_Completed", "Order_Refunded"):
        project.add_schema(
            f"segment/shop/{event}/1-0",
            {
                "order_id": {"type": "string", "description": "The order."},
                "shipping": {"$ref": "common/address/1-0.json"},
                "currency": {"$ref": "common/money/1-0.json#/definitions/currency"},
                "total": {"$ref": "common/money/1-0.json#/definitions/amount"},
            },
            required=["order_id", "currency"],
        )
    db_path = tmp_path / "warehouse.duckdb"
    project.write_profiles(
        {
            "version": 1.0,
            "dev": {"source": [{"id": "duckdb", "type": "duckdb", "path": str(db_path)}]},
        }
    )
    return project


def _invoke(project, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)])


@pytest.mark.dbt
@pytest.mark.skipif(
    dbt_command() is None or not dbt_adapter_installed("duckdb"), reason="dbt-duckdb missing"
)
def test_build_dbt_models_the_inlined_properties_and_dbt_builds_it(make_project, tmp_path):
    project = _project(make_project, tmp_path)

    report = run_demo_build(load_project(project.root), dbt_commands=[["build"]], skip_events=())

    assert report.dbt_missing_reason is None
    build_run = report.dbt_runs[-1]
    assert build_run.ok, build_run.log[-4000:]
    assert build_run.tests_failed == 0, build_run.failures
    package = project.root / "artifacts" / "dbt" / "refs_shop"
    sql = next(package.rglob("*order_completed*.sql")).read_text(encoding="utf-8")
    for column in ("shipping_city", "shipping_zip_code", "currency", "total"):
        assert column in sql, sql
    docs = "\n".join(p.read_text(encoding="utf-8") for p in package.rglob("*.yml"))
    assert "accepted_values" in docs and "EUR" in docs  # the shared enum became a test
    assert "{{ shared }}" not in docs  # a description from a definition is escaped too


def test_build_code_types_the_inlined_properties(make_project, tmp_path):
    project = _project(make_project, tmp_path)

    result = _invoke(project, "build", "code", "--lang", "typescript", "--sdk", "none")

    assert result.exit_code == 0, result.output
    code = (project.root / "artifacts/code/typescript/index.ts").read_text(encoding="utf-8")
    assert "city: string;" in code and "zip_code?: string;" in code
    assert 'currency: "EUR" | "USD";' in code
    assert "total?: number;" in code
    assert "$ref" not in code


def test_build_docs_shows_the_inlined_properties(make_project, tmp_path):
    project = _project(make_project, tmp_path)

    result = _invoke(project, "build", "docs", "--format", "markdown")

    assert result.exit_code == 0, result.output
    page = next((project.root / "artifacts").rglob("Order_Completed.md")).read_text("utf-8")
    assert "`zip_code`" in page and "The zip code" in page
    assert "`EUR`" in page or "EUR" in page


def test_a_reference_that_does_not_resolve_is_a_build_error_with_file_and_line(
    make_project, tmp_path
):
    project = _project(make_project, tmp_path)
    (project.schemas_dir / ".reflekt/common/money/1-0.json").unlink()

    result = _invoke(project, "build", "code", "--lang", "typescript", "--sdk", "none")

    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert "common/money/1-0.json#/definitions/currency" in flat
    assert "Order_Completed/1-0.json" in flat
