"""Findings as a warm lazy lint leaves them in the lint index (`StoredFindings`), for the
TUI's tests of what it shows from them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from reflekt.core.lint.cache import RowTable
from reflekt.core.lint.findings import Finding
from reflekt.core.lint.stored import StoredFindings


def stored_of(
    findings: Iterable[Finding], relint: Callable[[str], list[Finding]] | None = None
) -> StoredFindings:
    """One stored value per file, as the index holds them (`RowTable.value`)."""
    table = RowTable()
    by_file: dict[str, list[Finding]] = {}
    for item in findings:
        by_file.setdefault(item.schema_id, []).append(item)
    values = {key: table.value(items) for key, items in by_file.items()}
    counts = {}
    for key, items in by_file.items():
        errors = sum(f.severity == "error" for f in items)
        counts[key] = (errors, len(items) - errors)
    return StoredFindings(table, values, counts, relint or (lambda _key: []))
