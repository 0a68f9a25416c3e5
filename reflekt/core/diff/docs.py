"""The README's table of change kinds, generated from `kinds.KINDS`.

Regenerate after adding or changing a kind:

    python -m reflekt.core.diff.docs README.md

A test fails when the table in README.md differs from `change_table()`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reflekt.core.diff.kinds import KINDS
from reflekt.core.output.readme_tables import cell, update_file, with_table

START = "<!-- changes:start -->"
END = "<!-- changes:end -->"


def change_table() -> str:
    """A Markdown table of every kind: code, class, category, what it means."""
    rows = ["| Code | Class | Category | Change |", "|---|---|---|---|"]
    rows += [
        f"| `{kind.code}` | {kind.change_class} | {kind.category} | {cell(kind.purpose)} |"
        for kind in KINDS
    ]
    return "\n".join(rows) + "\n"


def with_change_table(readme: str) -> str:
    """`readme` with the text between the change-table markers replaced by the table."""
    return with_table(readme, START, END, change_table())


def update_readme(path: Path) -> bool:
    """Rewrite the change table in `path`; True when the file changed."""
    return update_file(path, START, END, change_table())


if __name__ == "__main__":  # pragma: no cover - a maintenance script
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    state = "updated" if update_readme(target) else "already up to date"
    print(f"{target}: change table {state}")
