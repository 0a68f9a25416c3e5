"""Leftovers of issue 8: small gaps the areas left for each other, each through a public
entry point (the CLI in a subprocess with a timeout where a run could hang, the CliRunner,
the TUI's Pilot)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from localfiles_support import run_reflekt
from network_support import HostileSegment, Reply, point_at_segment

from reflekt.cli import cli
from reflekt.core.schemas import dump_schema, list_schema_files, new_schema_body
from reflekt.demo.warehouse import create_demo_warehouse

SOURCE = "wh.warehouse.segment_prod"
CART = "segment/shop/Cart_Viewed/1-0"
MODELS = "artifacts/dbt/shop/models/segment_prod"
RULES = "/tracking-plans/tp_1/rules"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A DuckDB warehouse with Segment-shaped tables for the shop's Cart Viewed event."""
    root = tmp_path_factory.mktemp("warehouse")
    schemas = root / "schemas"
    path = schemas / f"{CART}.json"
    path.parent.mkdir(parents=True)
    body = new_schema_body(
        f"{CART}.json",
        vendor="com.example",
        name="Cart Viewed",
        version="1-0",
        properties={"cart_id": {"type": "string", "description": "The cart."}},
    )
    path.write_text(dump_schema(body), encoding="utf-8")
    db_path = root / "warehouse.duckdb"
    create_demo_warehouse(db_path, list_schema_files(schemas), schemas, seed=3)
    return db_path


@pytest.fixture
def shop(make_project, warehouse):
    project = make_project(name="shop")
    project.add_schema(CART, name="Cart Viewed", description="A user viewed the cart.")
    project.write_profiles(
        {
            "version": 1.0,
            "dev": {"source": [{"id": "wh", "type": "duckdb", "path": str(warehouse)}]},
        }
    )
    return project


# -- 1. the build writer reads only regular files ----------------------------------------------


def test_rebuild_leaves_a_fifo_and_a_dev_zero_link_in_the_package_alone(shop):
    first = run_reflekt("build", "dbt", "--source", SOURCE, cwd=shop.root)
    assert first.returncode == 0, first.stderr
    models = shop.root / MODELS
    fifo = models / "stg_segment_prod__cart_viewed.sql"
    zero = models / "__src_segment_prod.yml"
    assert fifo.is_file() and zero.is_file(), sorted(p.name for p in models.iterdir())
    fifo.unlink()
    os.mkfifo(fifo)
    zero.unlink()
    zero.symlink_to("/dev/zero")
    dangling = models / "_stg_segment_prod__cart_viewed.yml"
    dangling.unlink()
    dangling.symlink_to(models / "nowhere.yml")

    result = run_reflekt("build", "dbt", "--source", SOURCE, cwd=shop.root)  # 60 s timeout
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    for path in (fifo, zero, dangling):
        assert f"Kept {path.relative_to(shop.root / 'artifacts/dbt/shop').as_posix()}" in (
            result.stderr
        ), result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert os.readlink(zero) == "/dev/zero"
    assert os.readlink(dangling) == str(models / "nowhere.yml")


# -- 2. Reflekt's bookkeeping keys stay out of schema_metadata ----------------------------------


def test_schema_metadata_of_a_model_leaves_out_reflekts_own_keys(shop):
    kept = {"jsonSchema": {"properties": {"context": {"x_foreign": "FOREIGN-MARK"}}}}
    shop.add_schema(
        CART,
        name="Cart Viewed",
        description="A user viewed the cart.",
        metadata={"owner": "growth", "segment_rule_type": "TRACK", "segment_rule": kept},
    )
    result = run_reflekt("build", "dbt", "--source", SOURCE, cwd=shop.root)
    assert result.returncode == 0, result.stderr
    sql = (shop.root / MODELS / "stg_segment_prod__cart_viewed.sql").read_text(encoding="utf-8")
    assert "schema_metadata" in sql and "growth" in sql, sql
    assert "FOREIGN-MARK" not in sql and "segment_rule" not in sql, sql

    shop.add_schema(
        CART,
        name="Cart Viewed",
        description="A user viewed the cart.",
        metadata={"segment_rule_type": "TRACK", "segment_rule": kept},
    )
    result = run_reflekt("build", "dbt", "--source", SOURCE, cwd=shop.root)
    assert result.returncode == 0, result.stderr
    sql = (shop.root / MODELS / "stg_segment_prod__cart_viewed.sql").read_text(encoding="utf-8")
    assert "schema_metadata" not in sql and "segment_rule" not in sql, sql


# -- 3. rate-limit waits are shown off a terminal, plan lookup included -------------------------


def _once_429(then):
    """429 (asking for 58 s) on the first call of a path, then `then(request)`."""
    body = {"errors": [{"type": "RequestError", "data": {"msBeforeNext": 57647}}]}

    def behaviour(request):
        if request.number == 1:
            return Reply(429, body)
        return then(request)

    return behaviour


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
def test_rate_limit_waits_are_printed_off_a_terminal_for_plans_and_rules(
    make_project, monkeypatch, verbose
):
    monkeypatch.setenv("REFLEKT_HTTP_MAX_WAIT", "0.001")  # asked 58 s, waits 1 ms
    project = make_project()
    with HostileSegment() as server:
        server.on_plans = _once_429(server.on_plans)
        server.on_rules = _once_429(server.on_rules)
        point_at_segment(project, server)
        args = ["pull", "-s", "segment/shop", "--project-dir", str(project.root)]
        result = CliRunner().invoke(cli, [*args, *(["--verbose"] if verbose else [])])
        assert result.exit_code == 0, result.output
        assert server.calls("/tracking-plans") == 2 and server.calls(RULES) == 2
    waits = [line for line in result.stderr.splitlines() if "waiting " in line]
    expected = (
        "waiting 0.001 s (rate limited; the registry asked for 58 s, capped by "
        "REFLEKT_HTTP_MAX_WAIT), then retry 1 of 4"
    )
    assert [line.strip() for line in waits] == [expected, expected], result.stderr


# -- 5. `reflekt debug` reads the meta-schema in lint's dialect (draft-07 plus `any`) -----------


def _meta_with_type(project, type_name: str) -> None:
    path = project.schemas_dir / ".reflekt" / "event-meta" / "1-0.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    body.setdefault("properties", {})["x_flexible"] = {"type": type_name}
    path.write_text(json.dumps(body, indent=2), encoding="utf-8")


def test_a_meta_schema_using_any_passes_debug_and_lint_alike(make_project):
    project = make_project()
    project.add_schema(CART, name="Cart Viewed", x_flexible=[1, "two"])  # `any` admits it
    _meta_with_type(project, "any")
    lint = CliRunner().invoke(cli, ["lint", "--project-dir", str(project.root)])
    assert lint.exit_code == 0, lint.output
    debug = CliRunner().invoke(cli, ["debug", "--project-dir", str(project.root)])
    assert debug.exit_code == 0, debug.output
    assert "FAIL" not in debug.output

    _meta_with_type(project, "anything")  # not a type in any dialect: both refuse it
    debug = CliRunner().invoke(cli, ["debug", "--project-dir", str(project.root)])
    assert debug.exit_code == 2, debug.output
    assert "not a valid draft-07 JSON Schema at properties/x_flexible/type" in " ".join(
        debug.output.split()
    )
    lint = CliRunner().invoke(cli, ["lint", "--project-dir", str(project.root)])
    assert lint.exit_code == 2, lint.output
