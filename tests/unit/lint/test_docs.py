"""The README's rule table matches the rule registry; rule docs are complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from reflekt.core.lint import all_rules
from reflekt.core.lint.docs import END, START, rule_table, with_rule_table

README = Path(__file__).resolve().parents[3] / "README.md"


def test_readme_rule_table_is_in_sync_with_the_registry():
    text = README.read_text(encoding="utf-8")
    assert with_rule_table(text) == text, (
        "the rule table in README.md is stale: run `python -m reflekt.core.lint.docs README.md`"
    )


def test_rule_table_lists_every_rule_once():
    table = rule_table()
    for rule in all_rules():
        assert table.count(f"| {rule.code} | `{rule.name}` | {rule.severity} |") == 1


def test_with_rule_table_replaces_only_between_markers():
    text = f"before\n{START}\nold table\n{END}\nafter\n"
    updated = with_rule_table(text)
    assert updated.startswith(f"before\n{START}\n| Code |")
    assert updated.endswith(f"{END}\nafter\n")
    assert "old table" not in updated


def test_missing_markers_are_an_error():
    with pytest.raises(ValueError):
        with_rule_table("no markers here")
