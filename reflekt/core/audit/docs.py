"""The README's table of audit codes, generated from `rules.RULES`.

Regenerate after adding or changing a code:

    python -m reflekt.core.audit.docs README.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from reflekt.core.audit.rules import RULES
from reflekt.core.output.readme_tables import cell, update_file

START = "<!-- audit-rules:start -->"
END = "<!-- audit-rules:end -->"


def rule_table() -> str:
    rows = ["| Code | Name | Default | Level | Finds |", "|---|---|---|---|---|"]
    rows += [
        f"| {r.code} | `{r.name}` | {r.severity} | {r.level} | {cell(r.summary)} |" for r in RULES
    ]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover - a maintenance script
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    state = "updated" if update_file(target, START, END, rule_table()) else "already up to date"
    print(f"{target}: audit table {state}")
