"""GitLab Code Quality reports (Code Climate issues), shared by the lint and diff reports.

GitLab reads a JSON array of issues with `description`, `check_name`, `fingerprint`,
`severity` (info, minor, major, critical, blocker), `location.path` and
`location.lines.begin`; Code Climate's spec adds `type: "issue"` and `categories`.

Why the fingerprint leaves the line out: GitLab compares fingerprints between the merge
request and its target branch to say which issues are new, so a finding that only moved
(a line inserted above it) must keep its fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

SEVERITY = {"error": "major", "warning": "minor", "note": "info"}  # SARIF-style level -> GitLab


@dataclass(frozen=True)
class Issue:
    """One Code Quality issue; `key` holds what identifies it (no line number)."""

    check_name: str
    description: str
    path: str
    line: int
    level: str  # error | warning | note
    category: str  # a Code Climate category: Style, Compatibility, ...
    key: tuple[str, ...]


def render(issues: list[Issue]) -> str:
    """The report as JSON text; equal keys get distinct, still stable, fingerprints."""
    seen: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for issue in issues:
        base = hashlib.sha256("\x00".join(issue.key).encode("utf-8", "surrogatepass")).hexdigest()
        count = seen.get(base, 0)
        seen[base] = count + 1
        fingerprint = (
            base if count == 0 else hashlib.sha256(f"{base}\x00{count}".encode()).hexdigest()
        )
        rows.append(
            {
                "type": "issue",
                "check_name": issue.check_name,
                "description": issue.description,
                "categories": [issue.category],
                "fingerprint": fingerprint,
                "severity": SEVERITY[issue.level],
                "location": {"path": issue.path, "lines": {"begin": max(issue.line, 1)}},
            }
        )
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
