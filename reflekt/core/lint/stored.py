"""The findings of unchanged files as the lint index holds them, decoded when asked for.

Why: a warm whole-project lint of 50,000 schemas with 450,000 findings spends about 3 s
building Finding objects nobody looks at (the TUI shows a file's findings when it is opened)
and holds 70 MB of them. The index stores each file's rows as one string headed by its
error count (`RowTable.value`), so the counts per file cost a string split, and a file's
findings are decoded in microseconds when they are shown. The CLI prints every finding and
takes the eager path; `lint_project(..., lazy=True)` returns this in `LintReport.stored`.

A stored value that does not decode (an index someone edited: the load checks the layout,
not every row) is not trusted: that file's own rules run again, so what is shown is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from reflekt.core.lint.cache import RowTable

if TYPE_CHECKING:
    from reflekt.core.lint.findings import Finding

Relint = Callable[[str], list["Finding"]]  # a schema id -> its file rules' findings, uncached


class StoredFindings:
    """Per schema id: its error and warning counts, and its findings when asked (`of`)."""

    __slots__ = ("_counts", "_relint", "_relinted", "_table", "_values", "errors", "total")

    def __init__(
        self,
        table: RowTable,
        values: dict[str, str],
        counts: dict[str, tuple[int, int]],
        relint: Relint,
    ) -> None:
        self._table = table
        self._values = values  # schema id -> the index's value for its rows
        self._counts = counts  # schema id -> (errors, warnings); only ids with findings
        self._relint = relint
        self._relinted: dict[str, list[Finding]] = {}  # ids whose stored value did not decode
        self.errors = sum(errors for errors, _ in counts.values())
        self.total = self.errors + sum(warnings for _, warnings in counts.values())

    @classmethod
    def empty(cls) -> StoredFindings:
        return cls(RowTable(), {}, {}, lambda _schema_id: [])

    def __len__(self) -> int:
        return self.total

    def __contains__(self, schema_id: object) -> bool:
        return schema_id in self._counts

    @property
    def warnings(self) -> int:
        return self.total - self.errors

    @property
    def counts(self) -> dict[str, tuple[int, int]]:
        """(errors, warnings) per schema id with findings (read only)."""
        return self._counts

    def of(self, schema_id: str) -> list[Finding]:
        """The findings of one file, in the order lint gave them."""
        value = self._values.get(schema_id)
        if value is None:
            return list(self._relinted.get(schema_id, ()))
        found = self._table.findings(value)
        if (
            found is None
            or len(found) != sum(self._counts[schema_id])
            or any(finding.schema_id != schema_id for finding in found)
        ):
            found = self._relinted[schema_id] = self._relint(schema_id)
            self._values.pop(schema_id, None)
            if found:
                errors = sum(1 for finding in found if finding.severity == "error")
                self._recount(schema_id, (errors, len(found) - errors))
            else:
                self._recount(schema_id, None)
        return found

    def _recount(self, schema_id: str, counts: tuple[int, int] | None) -> None:
        old_errors, old_warnings = self._counts.pop(schema_id, (0, 0))
        self.errors -= old_errors
        self.total -= old_errors + old_warnings
        if counts is not None:
            self._counts[schema_id] = counts
            self.errors += counts[0]
            self.total += counts[0] + counts[1]

    def all(self) -> list[Finding]:
        """Every finding, decoded (O(findings): for callers that need them all)."""
        return [finding for schema_id in sorted(self._counts) for finding in self.of(schema_id)]

    def ids_with_rule(self, rule: str) -> list[str]:
        """The schema ids with a finding of this rule code, decoding only the candidates:
        rows refer to the rule by its position in the table, so a file's value that does not
        hold that number cannot have such a finding."""
        try:
            position = self._table.strings.index(rule)
        except ValueError:
            return []
        needle = f",{position},"
        candidates = [key for key, value in self._values.items() if needle in value]
        return [key for key in candidates if any(f.rule == rule for f in self.of(key))]

    def without(self, schema_ids: Iterable[str]) -> StoredFindings:
        """These findings less those of `schema_ids` (files linted again, or gone)."""
        drop = set(schema_ids).intersection(self._counts)
        if not drop:
            return self
        values = {key: value for key, value in self._values.items() if key not in drop}
        counts = {key: count for key, count in self._counts.items() if key not in drop}
        rest = StoredFindings(self._table, values, counts, self._relint)
        rest._relinted.update((k, v) for k, v in self._relinted.items() if k not in drop)
        return rest
