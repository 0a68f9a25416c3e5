"""The table of change kinds: one class per code, emitted as declared, documented from it.

The scan runs every case of diff_cases_support.py (plus a new and a removed event): each
change's class must be its code's class in the table, every code emitted must be in the
table, and every kind of the table must be emitted by some case. A static scan checks that
the diff builds changes only from kinds of the table.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from diff_cases_support import CASES, event

import reflekt.core.diff as diff_package
from reflekt.cli import cli
from reflekt.core.diff import BY_CODE, KINDS, Change, diff_schemas, event_diff
from reflekt.core.diff.docs import END, START, change_table, with_change_table
from reflekt.core.diff.kinds import CATEGORIES, RANK
from reflekt.core.schemas import Version

README = Path(__file__).resolve().parents[3] / "README.md"
DIFF_SOURCES = sorted(Path(diff_package.__file__).parent.glob("*.py"))


def _emitted() -> list[Change]:
    changes: list[Change] = []
    for case in CASES:
        changes += diff_schemas(case.old, case.new, case.settings)
    body = event({})
    for local, base in (((Version(1, 0), body), None), (None, (Version(1, 0), body))):
        changes += event_diff("s/p/E", "E", local, base).changes
    return changes


def test_codes_are_unique_and_each_kind_is_well_formed():
    codes = [kind.code for kind in KINDS]
    assert len(codes) == len(set(codes))
    assert {kind.code: kind for kind in KINDS} == BY_CODE
    for kind in KINDS:
        assert kind.code.isupper() and " " not in kind.code
        assert kind.change_class in RANK
        assert kind.category in CATEGORIES
        assert kind.purpose.endswith(".") and "\n" not in kind.purpose


def test_every_emitted_change_carries_its_tables_class():
    emitted = _emitted()
    for change in emitted:
        assert change.code in BY_CODE, change
        assert change.kind is BY_CODE[change.code], change
        assert change.change_class == BY_CODE[change.code].change_class
        assert change.to_dict()["class"] == BY_CODE[change.code].change_class


def test_every_kind_of_the_table_is_emitted_by_some_case():
    assert {change.code for change in _emitted()} == set(BY_CODE)


def test_expected_classes_in_the_cases_agree_with_the_table():
    for case in CASES:
        for code, change_class in case.expected:
            assert BY_CODE[code].change_class == change_class, (case.id, code)


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _change_calls(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _called(node) in ("Change", "ChangeKind", "_kind")
    ]


def test_the_diff_builds_changes_only_from_kinds_of_the_table():
    """No free-form code or class: Change gets a kind (`K.NAME` or a variable holding one),
    kinds are declared in kinds.py only, and every `K.NAME` used is a kind of the table."""
    table_names = {kind.code for kind in KINDS}
    for source in DIFF_SOURCES:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for call in _change_calls(tree):
            if _called(call) == "Change":
                first = call.args[0] if call.args else None
                assert not isinstance(first, ast.Constant), (source.name, call.lineno)
            else:
                assert source.name == "kinds.py", (source.name, call.lineno)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "K"
                and node.attr.isupper()
            ):
                assert node.attr in table_names, (source.name, node.lineno, node.attr)
    kinds_tree = ast.parse((Path(diff_package.__file__).parent / "kinds.py").read_text())
    declared = {
        target.id: call.args[0].value  # type: ignore[attr-defined]
        for node in kinds_tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        for target in node.targets
        if isinstance(target, ast.Name)
        for call in [node.value]
        if isinstance(call.func, ast.Name) and call.func.id == "_kind"
    }
    assert declared == {code: code for code in table_names}  # the name is the code


def test_readme_change_table_is_in_sync_with_the_table():
    text = README.read_text(encoding="utf-8")
    assert with_change_table(text) == text, (
        "the change table in README.md is stale: run `python -m reflekt.core.diff.docs README.md`"
    )


def test_change_table_lists_every_kind_once():
    table = change_table()
    for kind in KINDS:
        assert table.count(f"| `{kind.code}` | {kind.change_class} | {kind.category} |") == 1
    assert table.count("\n") == len(KINDS) + 2


def test_with_change_table_replaces_only_between_markers():
    updated = with_change_table(f"before\n{START}\nold table\n{END}\nafter\n")
    assert updated.startswith(f"before\n{START}\n| Code | Class |")
    assert updated.endswith(f"{END}\nafter\n")
    assert "old table" not in updated
    with pytest.raises(ValueError):
        with_change_table("no markers here")


def test_list_changes_prints_the_table(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no project needed
    result = CliRunner().invoke(cli, ["diff", "--list-changes"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["CODE", "CLASS", "CATEGORY", "CHANGE"]
    assert len(lines) == len(KINDS) + 1
    for line, kind in zip(lines[1:], KINDS, strict=True):
        assert line.split()[:3] == [kind.code, kind.change_class, kind.category]
        assert line.endswith(kind.purpose)


def test_list_changes_as_json_and_to_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["diff", "--list-changes", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"code": k.code, "class": k.change_class, "category": k.category, "purpose": k.purpose}
        for k in KINDS
    ]
    target = tmp_path / "kinds.json"
    written = CliRunner().invoke(
        cli, ["diff", "--list-changes", "-f", "json", "--output", str(target)]
    )
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text(encoding="utf-8"))[0]["code"] == KINDS[0].code
