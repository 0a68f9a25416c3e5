"""Hostile local schema files (issue 8): each one is a finding or a clear error, never a
traceback or a hang.

JSON nested 10,000 deep, a 5,000-digit integer, lone surrogates, NaN/Infinity, duplicate
keys; FIFOs, a symlink to /dev/zero, a directory named like a schema, a file over the size
cap; file names that are not UTF-8. Through `reflekt lint`, `reflekt diff --against git:`
(a real git repository), `reflekt build dbt` (a real DuckDB warehouse), `reflekt pull` (a
local Segment server answering NaN) and the TUI (Textual's run_test). Runs that could hang
go through a subprocess with a timeout.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from localfiles_support import (
    HOSTILE,
    SEGMENT_TOKEN,
    FakeSegment,
    assert_no_traceback,
    deep_schema_text,
    run_reflekt,
    snapshot,
    track_rule,
)

from reflekt.cli import cli
from reflekt.core.errors import SchemaFileError
from reflekt.core.lint import lint_project
from reflekt.core.project import load_project
from reflekt.core.schemas import dump_schema, list_schema_files, new_schema_body
from reflekt.core.strictjson import MAX_NESTING, nesting_depth_exceeds
from reflekt.demo.warehouse import create_demo_warehouse

SOURCE = "wh.warehouse.segment_prod"
CART = "segment/shop/Cart_Viewed/1-0"
HOSTILE_ID = "segment/shop/Hostile_Thing/1-0.json"
NOT_UTF8_DIR = b"schemas/segment/shop/Caf\xe9_Viewed"  # Latin-1 bytes: not UTF-8


def invoke(project, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)], env=env)


def lint_json(project, *args: str) -> tuple[int, list[dict]]:
    result = invoke(project, "lint", "--format", "json", *args)
    assert_no_traceback(result)
    return result.exit_code, json.loads(result.stdout)["findings"]


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def commit_all(root: Path, message: str = "schemas") -> None:
    if not (root / ".git").exists():
        git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def write_bytes(root: Path, rel: bytes, data: bytes) -> bytes:
    path = os.path.join(os.fsencode(root), rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


@pytest.fixture
def shop(make_project):
    project = make_project(name="shop")
    project.add_schema(CART, name="Cart Viewed", description="A user viewed the cart.")
    return project


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


def use_warehouse(project, db_path: Path) -> None:
    project.write_profiles(
        {"version": 1.0, "dev": {"source": [{"id": "wh", "type": "duckdb", "path": str(db_path)}]}}
    )


# -- hostile JSON text ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_lint_reports_hostile_json_as_a_finding_with_its_line(shop, name):
    hostile = HOSTILE[name]
    shop.write_raw(f"schemas/{HOSTILE_ID}", hostile.text)
    before = snapshot(shop.root)
    code, findings = lint_json(shop)
    assert code == 1
    mine = [f for f in findings if f["schema_id"] == HOSTILE_ID]
    assert [(f["rule"], f["line"], f["column"]) for f in mine] == [
        ("RF101", hostile.line, hostile.column)
    ], mine
    assert hostile.message in mine[0]["message"]
    assert mine[0]["file"] == f"schemas/{HOSTILE_ID}"
    assert not [f for f in findings if "could not" in f["message"]]
    assert snapshot(shop.root) == before


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_build_refuses_hostile_json_with_file_and_line(shop, warehouse, name):
    hostile = HOSTILE[name]
    use_warehouse(shop, warehouse)
    shop.write_raw(f"schemas/{HOSTILE_ID}", hostile.text)
    result = invoke(shop, "build", "dbt", "--source", SOURCE)
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert f"Hostile_Thing/1-0.json:{hostile.line}:{hostile.column}:" in result.output
    assert hostile.message in result.output
    assert not (shop.root / "artifacts" / "dbt" / "shop").exists()


@pytest.mark.parametrize("name", ["arrays-10000-deep", "nan", "duplicate-keys", "lone-surrogate"])
def test_diff_against_git_with_hostile_json_at_the_ref_and_locally(shop, name):
    hostile = HOSTILE[name]
    path = shop.write_raw(f"schemas/{HOSTILE_ID}", hostile.text)
    commit_all(shop.root)
    # Locally: a clear error naming the file and line (as for any file that does not parse).
    result = invoke(shop, "diff", "--against", "git:HEAD")
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert f"Hostile_Thing/1-0.json:{hostile.line}:{hostile.column}:" in result.output
    # Fixed locally: the broken version at the ref is no base, so the event is new.
    path.write_text(deep_schema_text(2).replace("Deep_Thing", "Hostile_Thing"), encoding="utf-8")
    result = invoke(shop, "diff", "--against", "git:HEAD", "--format", "json")
    assert_no_traceback(result)
    assert result.exit_code in (0, 1), result.output
    events = {e["event"]: e["verdict"] for e in json.loads(result.stdout)["events"]}
    assert events["segment/shop/Hostile_Thing"] == "new"


# JSON that is not JSON Schema, in shapes the diff tripped over (TypeError: internal error).
NOT_JSON_SCHEMA = {
    "properties-list": '{"type": "object", "properties": [{}]}',
    "type-false": '{"type": "object", "properties": {"cart_id": {"type": false}}}',
}


@pytest.mark.parametrize("name", sorted(NOT_JSON_SCHEMA))
def test_diff_of_json_that_is_not_json_schema_is_a_clear_error(shop, name):
    commit_all(shop.root)
    (shop.schemas_dir / f"{CART}.json").write_text(NOT_JSON_SCHEMA[name], encoding="utf-8")
    result = invoke(shop, "diff", "--against", "git:HEAD")
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output
    assert f"schemas/{CART}.json: cannot compare segment/shop/Cart_Viewed" in result.output
    assert "reflekt lint --select segment/shop/Cart_Viewed" in result.output


@pytest.mark.parametrize("name", sorted(NOT_JSON_SCHEMA))
def test_pull_over_json_that_is_not_json_schema_says_it_replaced_it(make_project, name):
    server = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    try:
        server.add_plan("shop", [track_rule("Cart Viewed")])
        project = make_project(name="shop")
        _segment_profile(project, server)
        target = project.write_raw(f"schemas/{CART}.json", NOT_JSON_SCHEMA[name])
        result = invoke(
            project, "pull", "--select", "segment/shop", env={"REFLEKT_HTTP_MAX_WAIT": "0"}
        )
    finally:
        server.stop()
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    assert "the local file is not a JSON Schema the diff can read" in result.output
    assert json.loads(target.read_text(encoding="utf-8"))["self"]["name"] == "Cart Viewed"


def test_json_with_comments_and_a_hostile_value_reports_both(shop):
    text = HOSTILE["nan"].text.replace('"type": "object",', '"type": "object", // note')
    shop.write_raw(f"schemas/{HOSTILE_ID}", text)
    code, findings = lint_json(shop)
    messages = [f["message"] for f in findings if f["schema_id"] == HOSTILE_ID]
    assert code == 1
    assert any("comments are not allowed" in m for m in messages)
    assert any("NaN is not a JSON number" in m for m in messages)


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_a_duplicated_lone_surrogate_key_prints_in_every_format(shop, fmt):
    shop.write_raw(f"schemas/{HOSTILE_ID}", '{"\\ud800": 1, "\\ud800": 2}')
    result = invoke(shop, "lint", "--format", fmt)
    assert_no_traceback(result)
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    assert "\\ud800" in result.output


def test_every_nan_and_infinity_of_a_file_is_a_finding(shop):
    text = _schema_text_with('  "maximum": NaN,\n  "minimum": -Infinity,\n  "enum": [Infinity],\n')
    shop.write_raw(f"schemas/{HOSTILE_ID}", text)
    code, findings = lint_json(shop)
    assert code == 1
    mine = [
        (f["line"], f["message"].split(" is not")[0])
        for f in findings
        if f["schema_id"] == HOSTILE_ID
    ]
    assert mine == [
        (4, "invalid JSON: NaN"),
        (5, "invalid JSON: -Infinity"),
        (6, "invalid JSON: Infinity"),
    ]


def _schema_text_with(extra: str) -> str:
    return (
        '{\n  "$schema": "http://json-schema.org/draft-07/schema#",\n'
        '  "type": "object",\n' + extra + '  "properties": {}\n}\n'
    )


# -- deep but allowed -------------------------------------------------------------------------


def _deepest_allowed_levels() -> int:
    levels = 1
    while not nesting_depth_exceeds(json.loads(deep_schema_text(levels + 1))):
        levels += 1
    return levels


def test_deepest_allowed_schema_lints_diffs_and_builds(shop, warehouse):
    levels = _deepest_allowed_levels()
    deep_id = "segment/shop/Deep_Thing/1-0.json"
    path = shop.write_raw(f"schemas/{deep_id}", deep_schema_text(levels))
    code, findings = lint_json(shop)
    assert code in (0, 1)
    assert not [f for f in findings if f["rule"] == "RF101" or "could not" in f["message"]]
    # Invalid at the bottom: jsonschema lists the error there, without recursing out.
    shop.write_raw(
        "schemas/segment/shop/Deep_Bad/1-0.json",
        deep_schema_text(levels)
        .replace("Deep_Thing", "Deep_Bad")
        .replace('"type": "string"', '"type": "text"'),
    )
    _, findings = lint_json(shop)
    deep_bad = [f for f in findings if "Deep_Bad" in f["schema_id"]]
    assert "RF102" in {f["rule"] for f in deep_bad}, deep_bad
    assert not [f for f in deep_bad if "could not" in f["message"]], deep_bad
    assert max(f["line"] for f in deep_bad if f["rule"] == "RF102") > 2 * levels
    (shop.root / "schemas/segment/shop/Deep_Bad/1-0.json").unlink()
    # One level more is a finding.
    shop.write_raw("schemas/segment/shop/Deeper_Thing/1-0.json", deep_schema_text(levels + 1))
    _, findings = lint_json(shop)
    assert [f["rule"] for f in findings if "Deeper_Thing" in f["schema_id"]] == ["RF101"]
    (shop.root / "schemas/segment/shop/Deeper_Thing/1-0.json").unlink()
    # The diff walks the whole depth: a type changed at the bottom is found.
    commit_all(shop.root)
    path.write_text(
        deep_schema_text(levels).replace('"type": "string"', '"type": "integer"'),
        encoding="utf-8",
    )
    result = invoke(shop, "diff", "--against", "git:HEAD", "--format", "json")
    assert_no_traceback(result)
    assert result.exit_code == 1, result.output
    (event,) = [
        e for e in json.loads(result.stdout)["events"] if e["event"] == "segment/shop/Deep_Thing"
    ]
    assert event["verdict"] == "breaking"
    assert any(change["path"].count("p") >= levels for change in event["changes"])
    # The build flattens it without recursing out.
    use_warehouse(shop, warehouse)
    result = invoke(shop, "build", "dbt", "--source", SOURCE)
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output


DEEP_FOLDERS = 1200  # rglob recursed once per level: over 1,000 was a RecursionError


def test_a_folder_nested_1200_deep_is_listed_not_a_recursion_error(shop):
    folder = shop.schemas_dir / "segment" / "deep"
    folder.mkdir(parents=True)
    _deep_folders(folder, DEEP_FOLDERS)
    try:
        code, findings = lint_json(shop)
        assert code == 1
        deep = [f for f in findings if f["file"].startswith("schemas/segment/deep/a/a/")]
        assert deep and all(f["file"].endswith("/a/1-0.json") for f in deep)
        assert not [f for f in findings if "could not" in f["message"]]
        commit_all(shop.root)
        result = invoke(shop, "diff", "--against", "git:HEAD")
        assert_no_traceback(result)
        assert result.exit_code == 0, result.output
    finally:
        # pytest's own clean-up (shutil.rmtree) recurses per level too.
        _remove_deep_folders(folder, DEEP_FOLDERS)


def _deep_folders(folder: Path, levels: int) -> None:
    """`folder/a/a/.../a/1-0.json`, `levels` deep, one level at a time (no recursion)."""
    current = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir("a", dir_fd=current)
            below = os.open("a", os.O_RDONLY, dir_fd=current)
            os.close(current)
            current = below
        leaf = os.open("1-0.json", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=current)
        os.write(leaf, b'{"type": "object", "properties": {}}')
        os.close(leaf)
    finally:
        os.close(current)


def _remove_deep_folders(folder: Path, levels: int) -> None:
    """Undo `_deep_folders`: down to the leaf, then up through `..`, removing as it goes."""
    current = os.open(folder, os.O_RDONLY)
    depth = 0
    try:
        while depth < levels:
            try:
                below = os.open("a", os.O_RDONLY, dir_fd=current)
            except FileNotFoundError:
                break
            os.close(current)
            current, depth = below, depth + 1
        for name in os.listdir(current):
            os.unlink(name, dir_fd=current)
        while depth > 0:
            above = os.open("..", os.O_RDONLY, dir_fd=current)
            os.close(current)
            current, depth = above, depth - 1
            os.rmdir("a", dir_fd=current)
    finally:
        os.close(current)


# -- what is not a regular file, or too large --------------------------------------------------


def _odd_files(project) -> dict[str, str]:
    """A FIFO, a symlink to /dev/zero, a directory named 1-0.json: id -> expected text."""
    base = project.schemas_dir / "segment" / "shop"
    (base / "Pipe_Thing").mkdir(parents=True)
    os.mkfifo(base / "Pipe_Thing" / "1-0.json")
    (base / "Zero_Thing").mkdir()
    (base / "Zero_Thing" / "1-0.json").symlink_to("/dev/zero")
    (base / "Folder_Thing" / "1-0.json").mkdir(parents=True)
    return {
        "segment/shop/Pipe_Thing/1-0.json": "it is a FIFO (named pipe)",
        "segment/shop/Zero_Thing/1-0.json": "it is a character device (a symlink to /dev/zero)",
        "segment/shop/Folder_Thing/1-0.json": "it is a directory",
    }


def test_lint_reads_only_regular_files_and_never_hangs(shop):
    expected = _odd_files(shop)
    result = run_reflekt("lint", "--format", "json", cwd=shop.root)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    for schema_id, text in expected.items():
        mine = [f for f in findings if f["schema_id"] == schema_id]
        assert [f["rule"] for f in mine] == ["RF101"], (schema_id, findings)
        assert f"not a regular file: {text}" in mine[0]["message"]


def test_build_and_diff_refuse_a_fifo_and_dev_zero_without_hanging(shop, warehouse):
    use_warehouse(shop, warehouse)
    commit_all(shop.root)
    _odd_files(shop)
    for args in (("build", "dbt", "--source", SOURCE), ("diff", "--against", "git:HEAD")):
        result = run_reflekt(*args, cwd=shop.root)
        assert "Traceback" not in result.stderr
        assert result.returncode == 2, result.stderr
        assert "not a regular file" in result.stderr


def test_a_fifo_as_the_meta_schema_is_a_config_error_not_a_hang(shop):
    meta = shop.schemas_dir / ".reflekt" / "event-meta" / "1-0.json"
    meta.unlink()
    os.mkfifo(meta)
    for args in (("lint",), ("debug",)):
        result = run_reflekt(*args, cwd=shop.root)
        assert "Traceback" not in result.stderr
        output = result.stdout + result.stderr
        assert "not a regular file: it is a FIFO (named pipe)" in output, output
    assert run_reflekt("lint", cwd=shop.root).returncode == 2


def test_file_over_the_size_cap_is_a_finding_and_the_cap_is_configurable(shop):
    text = '{"description": "' + "x" * 5000 + '", "type": "object", "properties": {}}'
    shop.write_raw(f"schemas/{HOSTILE_ID}", text)
    result = invoke(shop, "lint", "--format", "json", env={"REFLEKT_MAX_SCHEMA_BYTES": "4096"})
    assert_no_traceback(result)
    assert result.exit_code == 1
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["schema_id"] == HOSTILE_ID]
    assert finding["rule"] == "RF101"
    assert finding["message"].startswith(
        f"file is too large to read: {len(text):,} bytes, over the limit of 4,096 bytes"
    )
    # Within the default cap (5 MiB) the same file is read.
    _, findings = lint_json(shop)
    assert not [f for f in findings if "too large" in f["message"]]
    # A cap that is not a number of bytes is a configuration error.
    result = invoke(shop, "lint", env={"REFLEKT_MAX_SCHEMA_BYTES": "5MB"})
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert "REFLEKT_MAX_SCHEMA_BYTES='5MB' is not a size in bytes" in result.output


# -- file names that are not UTF-8 -------------------------------------------------------------


@pytest.fixture
def not_utf8(shop):
    """The shop with an event folder whose name is Latin-1 bytes (not UTF-8)."""
    text = (shop.schemas_dir / f"{CART}.json").read_bytes()
    write_bytes(shop.root, NOT_UTF8_DIR + b"/1-0.json", text)
    return shop


def test_lint_reports_a_name_that_is_not_utf8_printably(not_utf8):
    code, findings = lint_json(not_utf8)
    assert code == 1
    (finding,) = [f for f in findings if "Caf" in f["file"]]
    assert finding["file"] == "schemas/segment/shop/Caf\\xe9_Viewed/1-0.json"
    assert finding["schema_id"] == "segment/shop/Caf\\xe9_Viewed/1-0.json"
    assert "the file name is not valid UTF-8" in finding["message"]
    result = invoke(not_utf8, "lint")
    assert_no_traceback(result)
    assert "schemas/segment/shop/Caf\\xe9_Viewed/1-0.json" in result.output


def test_a_surrogate_encoded_in_a_file_name_is_a_finding(shop):
    text = (shop.schemas_dir / f"{CART}.json").read_bytes()
    write_bytes(shop.root, b"schemas/segment/shop/Half_\xed\xa0\x80/1-0.json", text)
    code, findings = lint_json(shop)
    assert code == 1
    assert [f["file"] for f in findings if "Half_" in f["file"]] == [
        "schemas/segment/shop/Half_\\xed\\xa0\\x80/1-0.json"
    ]


def test_build_refuses_a_name_that_is_not_utf8(not_utf8, warehouse):
    use_warehouse(not_utf8, warehouse)
    result = invoke(not_utf8, "build", "dbt", "--source", SOURCE)
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "Caf\\xe9_Viewed/1-0.json:1:1: the file name is not valid UTF-8" in result.output
    # Left out of the build with --select, the rest builds.
    result = invoke(not_utf8, "build", "dbt", "--source", SOURCE, "--select", CART)
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output


def test_diff_against_git_with_a_name_that_is_not_utf8(not_utf8):
    commit_all(not_utf8.root)
    # In the work tree: a clear error.
    result = invoke(not_utf8, "diff", "--against", "git:HEAD")
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "the file name is not valid UTF-8" in result.output
    # Renamed since the ref: the old name shows, escaped, as removed; the new one as new.
    root = os.fsencode(not_utf8.root)
    os.rename(
        os.path.join(root, NOT_UTF8_DIR), os.path.join(root, b"schemas/segment/shop/Cafe_Viewed")
    )
    result = invoke(not_utf8, "diff", "--against", "git:HEAD", "--format", "json")
    assert_no_traceback(result)
    assert result.exit_code == 1, result.output
    events = {e["event"]: e["verdict"] for e in json.loads(result.stdout)["events"]}
    assert events["segment/shop/Caf\\xe9_Viewed"] == "removed"
    assert events["segment/shop/Cafe_Viewed"] == "new"
    result = invoke(not_utf8, "diff", "--against", "git:HEAD")
    assert_no_traceback(result)
    assert "segment/shop/Caf\\xe9_Viewed" in result.output


# -- never written ------------------------------------------------------------------------------


def test_dump_schema_refuses_what_lint_refuses():
    body = new_schema_body("a/b/C/1-0.json", vendor="v", name="C", version="1-0")
    for bad in (
        {"maximum": float("nan")},
        {"minimum": float("-inf")},
        {"description": "\ud800"},
    ):
        with pytest.raises(SchemaFileError):
            dump_schema({**body, **bad})
    deep: dict = {}
    for _ in range(MAX_NESTING + 1):
        deep = {"a": deep}
    with pytest.raises(SchemaFileError, match="nested more than 64 levels"):
        dump_schema({**body, "metadata": deep})


@pytest.mark.parametrize(
    "hostile", [float("nan"), float("inf"), "\ud800"], ids=["nan", "inf", "surrogate"]
)
def test_pull_never_writes_nan_infinity_or_lone_surrogates(make_project, hostile):
    server = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    try:
        bad = {"type": ["number"], "description": "Bad.", "maximum": hostile}
        if isinstance(hostile, str):
            bad = {"type": ["string"], "description": hostile}
        server.add_plan("shop", [track_rule("Cart Viewed", {"price": bad})])
        project = make_project(name="shop")
        _segment_profile(project, server)
        before = snapshot(project.root)
        result = invoke(
            project,
            "pull",
            "--select",
            "segment/shop",
            env={"REFLEKT_HTTP_MAX_WAIT": "0", "REFLEKT_HTTP_TIMEOUT": "10"},
        )
    finally:
        server.stop()
    assert_no_traceback(result)
    assert result.exit_code in (2, 3), result.output
    assert snapshot(project.root) == before


def test_pull_over_a_fifo_does_not_hang(make_project):
    server = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    try:
        server.add_plan("shop", [track_rule("Cart Viewed")])
        project = make_project(name="shop")
        _segment_profile(project, server)
        target = project.schemas_dir / "segment" / "shop" / "Cart_Viewed" / "1-0.json"
        target.parent.mkdir(parents=True)
        os.mkfifo(target)
        result = run_reflekt(
            "pull", "--select", "segment/shop", cwd=project.root, env={"REFLEKT_HTTP_MAX_WAIT": "0"}
        )
    finally:
        server.stop()
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 2), result.stderr
    if result.returncode == 0:  # the FIFO was replaced by the pulled schema
        assert json.loads(target.read_text(encoding="utf-8"))["self"]["name"] == "Cart Viewed"


def test_pull_over_a_file_with_duplicate_keys_says_it_replaced_it(make_project):
    server = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    try:
        server.add_plan("shop", [track_rule("Cart Viewed")])
        project = make_project(name="shop")
        _segment_profile(project, server)
        target = project.write_raw(
            "schemas/segment/shop/Cart_Viewed/1-0.json", HOSTILE["duplicate-keys"].text
        )
        result = invoke(
            project, "pull", "--select", "segment/shop", env={"REFLEKT_HTTP_MAX_WAIT": "0"}
        )
    finally:
        server.stop()
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "the local file was not usable (duplicate key" in result.output
    assert "line 5); replaced" in result.output
    assert json.loads(target.read_text(encoding="utf-8"))["self"]["name"] == "Cart Viewed"


@pytest.mark.parametrize("force", [False, True], ids=["lint-first", "force"])
def test_push_of_a_nan_schema_is_refused_before_any_request(shop, force):
    path = shop.schemas_dir / f"{CART}.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            '"type": "string"', '"maxLength": NaN, "type": "string"'
        )
    )
    server = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    try:
        server.add_plan("shop", [])
        _segment_profile(shop, server)
        args = ["push", "--select", "segment/shop", *(["--force"] if force else [])]
        result = invoke(shop, *args, env={"REFLEKT_HTTP_MAX_WAIT": "0"})
        writes = [r for r in server.requests if r.method != "GET"]
    finally:
        server.stop()
    assert_no_traceback(result)
    assert result.exit_code == (2 if force else 1), result.output
    assert "NaN is not a JSON number" in result.output
    assert "Cart_Viewed/1-0.json:" in result.output
    assert writes == []


def _segment_profile(project, server) -> None:
    project.write_profiles(
        {
            "version": 1.0,
            "dev": {
                "registry": [{"type": "segment", "api_token": SEGMENT_TOKEN, "api_url": server.url}]
            },
        }
    )


# -- many files: the forked workers ----------------------------------------------------------


def test_forked_lint_reports_hostile_files_as_findings(shop):
    text = (shop.schemas_dir / f"{CART}.json").read_text(encoding="utf-8")
    for index in range(2100):
        folder = f"Event_{index:04d}_Viewed"
        path = shop.schemas_dir / "segment" / "bulk" / folder / "1-0.json"
        path.parent.mkdir(parents=True)
        path.write_text(text.replace("segment/shop/Cart_Viewed", f"segment/bulk/{folder}"))
    for name in ("arrays-10000-deep", "objects-10000-deep", "5000-digit-integer", "nan"):
        shop.write_raw(f"schemas/segment/bulk/Hostile_{name}/1-0.json", HOSTILE[name].text)
    report = lint_project(load_project(shop.root), jobs=2)
    hostile = {f.schema_id.split("/")[2]: f for f in report.findings if "Hostile_" in f.schema_id}
    assert set(hostile) == {
        f"Hostile_{n}"
        for n in ("arrays-10000-deep", "objects-10000-deep", "5000-digit-integer", "nan")
    }
    assert {f.rule for f in hostile.values()} == {"RF101"}
    assert all(f.line is not None for f in hostile.values())
    assert not [f for f in report.findings if "could not" in f.message]


# -- the TUI ------------------------------------------------------------------------------------


def test_tui_index_and_lint_worker_survive_hostile_files(shop):
    from reflekt.tui.app import create_app

    shop.write_raw("schemas/segment/shop/Deep_Thing/1-0.json", HOSTILE["objects-10000-deep"].text)
    shop.write_raw("schemas/segment/shop/Nan_Thing/1-0.json", HOSTILE["nan"].text)
    shop.write_raw("schemas/segment/shop/Dup_Thing/1-0.json", HOSTILE["duplicate-keys"].text)
    (shop.schemas_dir / "segment/shop/Pipe_Thing").mkdir()
    os.mkfifo(shop.schemas_dir / "segment/shop/Pipe_Thing/1-0.json")
    text = (shop.schemas_dir / f"{CART}.json").read_bytes()
    write_bytes(shop.root, NOT_UTF8_DIR + b"/1-0.json", text)
    app = create_app(shop.root, watch_interval=0)

    async def scenario():
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(8):
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
            screen = pilot.app.main_screen
            assert screen.index is not None
            broken = sorted(key for key, entry in screen.index.entries.items() if entry.broken)
            findings = {(f.schema_id, f.rule) for f in screen.findings}
            # Polling the disk again sees the same files (ids are stable, even escaped ones).
            changes = screen.index.poll()
            return broken, findings, changes

    broken, findings, changes = asyncio.run(scenario())
    expected = [
        "segment/shop/Caf\\xe9_Viewed/1-0.json",
        "segment/shop/Deep_Thing/1-0.json",
        "segment/shop/Dup_Thing/1-0.json",
        "segment/shop/Nan_Thing/1-0.json",
        "segment/shop/Pipe_Thing/1-0.json",
    ]
    assert broken == expected
    assert {(schema_id, "RF101") for schema_id in expected} <= findings
    assert not changes


# -- anything at all ------------------------------------------------------------------------------

_JSONISH = st.lists(
    st.sampled_from(
        [
            *'{}[]:,"\\ \n0123456789.-+eE',
            *("NaN", "Infinity", "true", "null", "\\ud800", "//", "/*", "*/", "é", "\x00"),
            *('"type"', '"properties"'),
        ]
    ),
    max_size=120,
).map("".join)


def _mutations() -> st.SearchStrategy[str]:
    valid = deep_schema_text(3)
    return st.one_of(
        # Cut the file anywhere.
        st.integers(0, len(valid)).map(lambda cut: valid[:cut]),
        # Repeat, drop or swap a slice.
        st.tuples(st.integers(0, len(valid)), st.integers(0, 40), st.integers(1, 200)).map(
            lambda t: valid[: t[0]] + valid[t[0] : t[0] + t[1]] * t[2] + valid[t[0] :]
        ),
        # Replace a value with something json accepts but a schema must not hold.
        st.sampled_from(["NaN", "-Infinity", "1e999", "9" * 5000, '"\\udfff"', "[" * 3000]).map(
            lambda bad: valid.replace('"A level."', bad, 1)
        ),
        # A key given twice.
        st.just(valid.replace('"type": "object",', '"type": "object", "type": "object",', 1)),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.one_of(_JSONISH, _mutations()))
def test_lint_over_arbitrary_schema_text_never_crashes_or_writes(make_project, text):
    project = make_project(name="shop", folder="hypothesis")
    try:
        project.write_raw(f"schemas/{HOSTILE_ID}", text)
        before = snapshot(project.root)
        result = invoke(project, "lint", "--format", "json")
        assert_no_traceback(result)
        assert result.exit_code in (0, 1, 2), result.output
        if result.exit_code in (0, 1):
            findings = json.loads(result.stdout)["findings"]
            assert not [f for f in findings if "could not" in f["message"]], findings
        assert snapshot(project.root) == before
    finally:
        import shutil

        shutil.rmtree(project.root)


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and ±Infinity included: json.dumps writes them as literals
    | st.text(max_size=8)
    | st.sampled_from(["\ud800", "a\udfffb", "\udbff\udfff"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=40,
)


@settings(max_examples=200, deadline=None)
@given(value=_VALUES, nesting=st.integers(0, 80))
def test_what_parses_saves_and_reads_back_the_same(value, nesting):
    """Whatever Python's json would write, the strict reader either refuses it (a problem)
    or returns a body that dump_schema writes and the reader reads back unchanged."""
    from reflekt.core.schemas import parse_schema_text

    for _ in range(nesting):
        value = [value]
    text = json.dumps({"type": "object", "properties": {"p": value}})
    body, problems = parse_schema_text(text)
    if body is None:
        assert problems and all(p.line >= 1 and p.column >= 1 for p in problems)
        return
    assert not problems
    saved = dump_schema(body)
    again, problems = parse_schema_text(saved)
    assert not problems
    assert again == body


_KEYWORDS = st.sampled_from(
    [
        *("type", "properties", "items", "required", "enum", "description", "anyOf", "oneOf"),
        *("$ref", "additionalProperties", "minimum", "maxLength", "format", "pattern", "cart_id"),
    ]
)
_SHAPES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from(["string", "object", "array", "any", "null", "integer", "", "cart_id"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYWORDS, inner, max_size=4),
    max_leaves=20,
)
_BODIES = st.dictionaries(
    st.sampled_from(["self", "type", "properties", "required", "additionalProperties", "items"]),
    _SHAPES,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(base=_BODIES, local=_BODIES)
def test_diff_against_git_over_arbitrary_shapes_never_crashes(make_project, base, local):
    """Any two JSON objects as the base and the local version: a diff or a clear error."""
    project = make_project(name="shop", folder="diff-hypothesis")
    try:
        path = project.write_raw(f"schemas/{CART}.json", json.dumps(base))
        commit_all(project.root)
        path.write_text(json.dumps(local), encoding="utf-8")
        result = invoke(project, "diff", "--against", "git:HEAD")
        assert_no_traceback(result)
        assert result.exit_code in (0, 1, 2), result.output
        assert "internal error" not in result.output
    finally:
        import shutil

        shutil.rmtree(project.root)
