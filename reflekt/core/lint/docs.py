"""The README's lint rule table, generated from the rule registry.

Regenerate after adding or changing a rule:

    python -m reflekt.core.lint.docs README.md

A test fails when the table in README.md differs from `rule_table()`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reflekt.core.lint.engine import all_rules
from reflekt.core.output.readme_tables import cell, update_file, with_table

START = "<!-- rules:start -->"
END = "<!-- rules:end -->"


def rule_table() -> str:
    """A Markdown table of every rule: code, name, default severity, what it checks."""
    lines = ["| Code | Name | Default | Checks |", "|---|---|---|---|"]
    for rule in all_rules():
        lines.append(f"| {rule.code} | `{rule.name}` | {rule.severity} | {cell(rule.summary)} |")
    return "\n".join(lines) + "\n"


def with_rule_table(readme: str) -> str:
    """`readme` with the text between the markers replaced by the current table."""
    return with_table(readme, START, END, rule_table())


def update_readme(path: Path) -> bool:
    """Rewrite the rule table in `path`; True when the file changed."""
    return update_file(path, START, END, rule_table())


if __name__ == "__main__":  # pragma: no cover - a maintenance script
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    changed = update_readme(target)
    print(f"{target}: rule table {'updated' if changed else 'already up to date'}")
