"""The README's table of change kinds, generated from `kinds.KINDS`.

Regenerate after adding or changing a kind:

    python -m reflekt.core.diff.docs README.md

A test fails when the table in README.md differs from `change_table()`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reflekt.core.diff.kinds import KINDS

START = "<!-- changes:start -->"
END = "<!-- changes:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def change_table() -> str:
    """A Markdown table of every kind: code, class, category, what it means."""
    rows = ["| Code | Class | Category | Change |", "|---|---|---|---|"]
    rows += [
        f"| `{kind.code}` | {kind.change_class} | {kind.category} | {_cell(kind.purpose)} |"
        for kind in KINDS
    ]
    return "\n".join(rows) + "\n"


def with_change_table(readme: str) -> str:
    """`readme` with the text between the change-table markers replaced by the table."""
    head, start, rest = readme.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README has no {START} ... {END} markers")
    return f"{head}{START}\n{change_table()}{END}{tail}"


def update_readme(path: Path) -> bool:
    """Rewrite the change table in `path`; True when the file changed."""
    from reflekt.core.fsutil import write_atomic

    text = path.read_text(encoding="utf-8")
    updated = with_change_table(text)
    if updated != text:
        write_atomic(path, updated)
    return updated != text


if __name__ == "__main__":  # pragma: no cover - a maintenance script
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    state = "updated" if update_readme(target) else "already up to date"
    print(f"{target}: change table {state}")
