"""reflekt 0.6 command lines still run after `reflekt migrate`, each with a one-line note
naming the new form: against the local Segment and Avo stand-ins, real DuckDB and real dbt."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from migrate_support import Project06, invoke, migrated
from registry_fakes import track_rule

from reflekt import __version__
from reflekt.cli import cli
from reflekt.core.build.dbt_runner import build_package_with_dbt, dbt_command
from reflekt.core.profiles import load_profile
from reflekt.core.project import load_project
from reflekt.core.schemas import list_schema_files
from reflekt.demo.warehouse import create_demo_warehouse


def notes(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("note:")]


def test_pull_with_registry_and_a_select_without_it(project06: Project06) -> None:
    migrated(project06)
    project06.segment.add_plan("ecommerce", [track_rule("Checkout Started")])
    result = invoke(project06.root, "pull", "--registry", "segment", "--select", "ecommerce")
    assert result.exit_code == 0, result.output
    assert notes(result) == [
        "note: --registry and a select without the registry level is reflekt 0.6's form; "
        "use: reflekt pull --select segment/ecommerce"
    ]
    assert (project06.root / "schemas/segment/ecommerce/Checkout_Started/1-0.json").is_file()


def test_pull_of_an_avo_branch_with_r(project06: Project06) -> None:
    migrated(project06)
    project06.avo.set_branch("main", {"name": "main", "events": []})
    result = invoke(project06.root, "pull", "-r", "avo", "-s", "main")
    assert result.exit_code == 0, result.output
    assert "use: reflekt pull --select avo/main" in notes(result)[0]
    assert project06.avo.calls("GET", "/branches/main/export/v1")


def test_push_with_registry_f_then_delete_with_d_f(project06: Project06) -> None:
    migrated(project06)
    root = project06.root
    # Promo_Clicked lacks the code_owner the custom meta-schema requires: -F pushes anyway.
    refused = invoke(root, "push", "-r", "segment", "-s", "marketing")
    assert refused.exit_code == 1, refused.output
    pushed = invoke(root, "push", "-r", "segment", "-s", "marketing", "-F")
    assert pushed.exit_code == 0, pushed.output
    assert "use: reflekt push --select segment/marketing" in " ".join(notes(pushed))
    assert "note: -F is reflekt 0.6's flag; use --force" in notes(pushed)
    plan = project06.segment.plan_named("marketing")
    assert plan is not None and [r["key"] for r in plan.rules] == ["Promo Clicked"]
    assert "{{ config(" in plan.rules[0]["jsonSchema"]["description"]  # data, sent as is

    deleted = invoke(root, "push", "-r", "segment", "-s", "marketing/Promo_Clicked", "-D", "-F")
    assert deleted.exit_code == 0, deleted.output  # 0.6's -F: no question, even without a tty
    assert "note: -F is reflekt 0.6's flag; use --force --yes" in notes(deleted)
    assert project06.segment.plan_named("marketing").rules == []


def test_lint_with_a_select_without_the_registry_level(project06: Project06) -> None:
    migrated(project06)
    result = invoke(project06.root, "lint", "--select", "ecommerce")
    assert result.exit_code == 1  # Order_Completed's findings
    assert notes(result) == [
        "note: a select without the registry level is reflekt 0.6's form; use: reflekt lint "
        "--select segment/ecommerce"
    ]
    assert "couponCode" in result.stdout and "Promo_Clicked" not in result.stdout


def test_a_select_naming_another_registry_than_registry_is_refused(project06: Project06) -> None:
    migrated(project06)
    result = invoke(project06.root, "pull", "-r", "avo", "-s", "segment/ecommerce")
    assert result.exit_code == 2
    assert "names registry 'segment'" in result.stderr


def test_report_is_the_markdown_catalog(project06: Project06) -> None:
    migrated(project06)
    result = invoke(project06.root, "report", "--select", "ecommerce/Cart_Viewed", "--to-file")
    assert result.exit_code == 0, result.output
    assert notes(result) == [
        "note: `reflekt report` is reflekt 0.6's command; use: reflekt build docs --format "
        "markdown --select segment/ecommerce/Cart_Viewed (pages in artifacts/docs-md/)"
    ]
    pages = list((project06.root / "artifacts/docs-md").rglob("Cart_Viewed*.md"))
    assert pages and "Cart Viewed" in pages[0].read_text()


def test_report_without_to_file_prints_the_page_as_06_did(project06: Project06) -> None:
    migrated(project06)
    docs = project06.root / "artifacts/docs-md"
    existed = docs.exists()
    result = invoke(project06.root, "report", "--select", "ecommerce/Cart_Viewed")
    assert result.exit_code == 0, result.output
    assert notes(result) == [
        "note: `reflekt report` is reflekt 0.6's command; use: reflekt build docs --format "
        "markdown --select segment/ecommerce/Cart_Viewed (it writes the pages to artifacts/docs-md/)"
    ]
    assert result.stdout.startswith("<!-- Generated by Reflekt (reflekt build docs)")
    assert "\n# Cart Viewed\n" in result.stdout and "note:" not in result.stdout
    assert docs.exists() == existed


def test_legacy_version_is_parseable_like_06s() -> None:
    for argv in (["--legacy-version"], ["--version", "--legacy-version"]):
        result = CliRunner().invoke(cli, argv)
        assert result.exit_code == 0
        assert re.fullmatch(r"Reflekt CLI Version: (\S+)\n", result.output).group(1) == __version__
    assert CliRunner().invoke(cli, ["--version"]).output == f"reflekt {__version__}\n"


def test_help_lists_migrate_and_imports_nothing_heavy() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reflekt", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "migrate" in done.stdout and "report" in done.stdout
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert not any(
        name.split(".")[0] in ("sqlalchemy", "textual", "jsonschema", "requests", "yaml")
        for name in imported
    )
    assert not any(name.startswith("reflekt.core.migrate") for name in imported)


@pytest.mark.dbt
@pytest.mark.skipif(dbt_command() is None, reason="dbt is not installed")
def test_build_with_artifact_dbt_and_a_real_dbt_build(project06: Project06, tmp_path: Path) -> None:
    migrated(project06)
    root = project06.root
    # As the migrate report says: the 0.6 package is removed so the build regenerates it.
    project06.git("rm", "-r", "-q", "artifacts/dbt/shop_06")
    shutil.rmtree(root / "artifacts/dbt/shop_06", ignore_errors=True)
    schemas = root / "schemas"
    files = [p for p in list_schema_files(schemas) if "/segment/" in p.as_posix()]
    create_demo_warehouse(project06.db_path, files, schemas, seed=5)

    result = invoke(
        root,
        "build",
        "--artifact",
        "dbt",
        "--select",
        "ecommerce",
        "--select",
        "marketing",
        "--sdk",
        "segment",
        "--source",
        "wh.wh.segment_prod",
    )
    assert result.exit_code == 0, result.output
    assert notes(result)[0] == (
        "note: --artifact is reflekt 0.6's option; use: reflekt build dbt --select ecommerce "
        "--select marketing --sdk segment --source wh.wh.segment_prod --project-dir " + str(root)
    )
    package = root / "artifacts/dbt/shop_06"
    models = sorted(p.name for p in (package / "models/segment_prod").glob("*.sql"))
    assert "stg_segment_prod__cart_viewed.sql" in models
    assert "stg_segment_prod__legacy_checkout_v2.sql" in models
    # the hostile description reaches the docs as data
    docs = "".join(p.read_text() for p in (package / "models/segment_prod").glob("*.yml"))
    assert "drop table x" in docs

    project = load_project(root)
    source = load_profile(project).source("wh")
    runs = build_package_with_dbt(package, source, tmp_path / "downstream")
    assert all(run.ok for run in runs), runs[-1].log[-4000:]
    assert runs[-1].models_failed == 0 and runs[-1].models_built >= 4
