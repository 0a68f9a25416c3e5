"""`reflekt lint --fix` and `core/lint/fixes.py`: the safe fixes, exact edits, and refusals."""

from __future__ import annotations

import json

from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core.lint.fixes import apply_fixes, plan_fixes
from reflekt.core.platforms.segment import RULE_TYPE_KEY

TEXT = {"type": "string", "description": "A text."}
CART = "segment/shop/Cart_Viewed"


def _fix(proj, *args: str):
    return CliRunner().invoke(cli, ["lint", "--fix", "--project-dir", str(proj.root), *args])


def test_id_and_version_are_set_and_nothing_else_changes(proj) -> None:
    path = proj.add(f"{CART}/1-0")
    original = path.read_text()
    broken = original.replace(f'"{CART}/1-0.json"', '"segment/shop/CartViewed/1-0.json"')
    broken = broken.replace('"version": "1-0"', '"version": "1-7"')
    path.write_text(broken)
    assert {f.rule for f in proj.lint().findings} == {"RF201", "RF203"}
    result = _fix(proj)
    assert result.exit_code == 0, result.output
    assert path.read_text() == original  # byte for byte: only the two values changed
    assert f'RF201 `$id` set to "{CART}/1-0.json"' in result.output
    assert 'RF203 `self.version` set to "1-0"' in result.output
    assert "Fixed 2 problem(s) in 1 file(s)." in result.output
    assert "no problems found" in result.output


def test_a_missing_id_is_inserted_first_with_the_file_s_indent(proj) -> None:
    path = proj.add(f"{CART}/1-0")
    body = json.loads(path.read_text())
    del body["$id"]
    path.write_text(json.dumps(body, indent=4) + "\n")
    assert _fix(proj).exit_code == 0
    text = path.read_text()
    assert text.startswith('{\n    "$id": "segment/shop/Cart_Viewed/1-0.json",\n    "$schema"')
    assert json.loads(text) == {"$id": f"{CART}/1-0.json", **body}


def test_a_nested_property_and_its_required_entry_are_renamed(proj) -> None:
    item = {"type": "object", "properties": {"productId": TEXT}, "required": ["productId"]}
    products = {"type": "array", "description": "Items.", "items": item}
    path = proj.add(f"{CART}/1-0", {"cartId": TEXT, "products": products}, required=["cartId"])
    before = json.loads(path.read_text())
    result = _fix(proj)
    assert result.exit_code == 0, result.output
    after = json.loads(path.read_text())
    assert list(after["properties"]) == ["cart_id", "products"]  # order kept
    assert after["required"] == ["cart_id"]
    item_after = after["properties"]["products"]["items"]
    assert item_after == {**item, "properties": {"product_id": TEXT}, "required": ["product_id"]}
    assert 'RF311 property "products.items.productId" renamed to "product_id"' in result.output
    before["properties"] = after["properties"]
    before["required"] = after["required"]
    assert after == before  # nothing else changed


def test_a_name_another_version_has_is_not_renamed(proj) -> None:
    proj.add(f"{CART}/1-0", {"cartId": TEXT})
    newer = proj.add(f"{CART}/1-1", {"cartId": TEXT, "itemCount": TEXT})
    result = _fix(proj)
    assert result.exit_code == 1, result.output  # the two cartId findings remain
    properties = json.loads(newer.read_text())["properties"]
    assert list(properties) == ["cartId", "item_count"]
    assert (
        "not fixed schemas/segment/shop/Cart_Viewed/1-1.json:" in result.output
        and 'version 1-0 has "cartId" too: renaming breaks the data already sent' in result.output
    )


def test_taken_names_registry_schemas_and_loose_json_are_left(proj) -> None:
    taken = proj.add(f"{CART}/1-0", {"cartId": TEXT, "cart_id": TEXT})
    pulled = proj.add(
        "segment/shop/Order_Completed/1-0", {"orderId": TEXT}, metadata={RULE_TYPE_KEY: "TRACK"}
    )
    loose = proj.add("segment/shop/Page_Viewed/1-0", {"pageUrl": TEXT})
    loose.write_text(loose.read_text().replace('"A text."\n', '"A text.",\n', 1))
    texts = {p: p.read_text() for p in (taken, pulled, loose)}
    result = _fix(proj)
    assert result.exit_code == 1
    assert {p: p.read_text() for p in texts} == texts
    assert 'a property "cart_id" already exists there' in result.output
    assert "the schema was pulled from a registry: rename the property there" in result.output
    assert "Page_Viewed/1-0.json:" in result.output, result.output
    assert "RF311 the file is not strict JSON: fix RF101 first" in result.output
    assert "Nothing to fix." in result.output


def test_plan_is_pure_and_apply_writes_all(proj) -> None:
    path = proj.add(f"{CART}/1-0", {"cartId": TEXT})
    path.chmod(0o640)
    before = path.read_text()
    plan = plan_fixes(proj.root, proj.lint().findings)
    assert path.read_text() == before, "planning writes nothing"
    assert [fix.rule for fix in plan.fixes] == ["RF311"]
    apply_fixes(proj.root, plan)
    assert json.loads(path.read_text())["properties"] == {"cart_id": TEXT}
    assert path.stat().st_mode & 0o777 == 0o640, "the file keeps its mode"


def test_fix_versions_moves_a_breaking_minor_bump_to_the_next_major(proj) -> None:
    proj.add(f"{CART}/1-0", {"cart_id": TEXT})
    minor = proj.add(f"{CART}/1-1", {"cart_id": TEXT}, required=["cart_id"])
    before = json.loads(minor.read_text())
    assert [f.rule for f in proj.lint().findings] == ["RF601"]
    plain = _fix(proj)
    assert minor.exists() and plain.exit_code == 1, "--fix alone never moves a file"
    result = _fix(proj, "--fix-versions")
    assert result.exit_code == 0, result.output
    major = minor.with_name("2-0.json")
    assert not minor.exists() and major.exists()
    after = json.loads(major.read_text())
    assert after["$id"] == f"{CART}/2-0.json" and after["self"]["version"] == "2-0"
    assert {**after, "$id": before["$id"], "self": before["self"]} == before
    assert f"fixed schemas/{CART}/1-1.json: RF601 moved to schemas/{CART}/2-0.json" in (
        result.output
    )
    assert "no problems found" in result.output


def test_fix_versions_refuses_when_later_versions_or_the_target_exist(proj) -> None:
    proj.add(f"{CART}/1-0", {"cart_id": TEXT})
    proj.add(f"{CART}/1-1", {"cart_id": TEXT}, required=["cart_id"])
    proj.add(f"{CART}/1-2", {"cart_id": TEXT}, required=["cart_id"])
    result = _fix(proj, "--fix-versions")
    assert result.exit_code == 1
    assert "RF601 1-2.json come after 1-1.json: only the newest version moves" in result.output
    assert sorted(p.name for p in (proj.schemas_dir / CART).iterdir()) == [
        "1-0.json",
        "1-1.json",
        "1-2.json",
    ]
    usage = CliRunner().invoke(cli, ["lint", "--fix-versions", "--project-dir", str(proj.root)])
    assert usage.exit_code == 2 and "--fix-versions goes with --fix" in usage.output


def test_hostile_property_names_are_renamed_as_json_data(proj) -> None:
    """Names with quotes, Jinja and a backslash: the key is replaced as a JSON string, the
    rest of the file stays exactly as it was."""
    hostile = {'cart"Id': TEXT, "cartId{{ x }}": TEXT, "keep_me\\n": TEXT}
    path = proj.add(f"{CART}/1-0", hostile, required=['cart"Id'])
    before = json.loads(path.read_text())
    result = _fix(proj)
    after = json.loads(path.read_text())
    assert list(after["properties"]) == ["cart_id", "cart_id_x", "keep_me_n"]
    assert after["required"] == ["cart_id"]
    assert {k: v for k, v in after.items() if k not in ("properties", "required")} == {
        k: v for k, v in before.items() if k not in ("properties", "required")
    }
    assert 'renamed to "cart_id_x"' in result.output


def test_an_interrupted_fix_writes_no_file(proj, tmp_path) -> None:
    """Ctrl-C while the fixed files are staged: exit 130, every schema as it was."""
    import os
    import signal
    import subprocess
    import sys

    from pause_support import Pause

    first = proj.add(f"{CART}/1-0", {"cartId": TEXT})
    second = proj.add("segment/shop/Order_Completed/1-0", {"orderId": TEXT})
    texts = {p: p.read_text() for p in (first, second)}
    pause = Pause(tmp_path / "pause", "staging")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reflekt", "lint", "--fix", "--project-dir", str(proj.root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **pause.env},
    )  # fmt: skip
    try:
        pause.wait(proc)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        pause.close()
    assert proc.returncode == 130, err
    assert {p: p.read_text() for p in texts} == texts
    assert "Traceback" not in err
