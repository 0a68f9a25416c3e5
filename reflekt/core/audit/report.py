"""What an audit found: findings with counts, per-table volume, and the queries it ran."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from reflekt.core.audit.rules import Severity, rule
from reflekt.core.lint.findings import Finding, LintReport
from reflekt.core.lint.locate import Locator

MAX_SAMPLE_CHARS = 200  # a sample value longer than this is cut (values may be personal data)


@dataclass(frozen=True)
class AuditFinding:
    code: str
    severity: Severity
    event: str  # the event name ("" for a table without schema)
    table: str
    message: str
    schema_id: str = ""  # the newest schema of the event ("" when there is none)
    column: str = ""
    property: str = ""  # dotted path in the schema
    violating: int | None = None  # rows breaking the rule (row checks)
    checked: int | None = None  # rows the check looked at
    first_seen: str = ""  # received_at of the first / last violating row (ISO)
    last_seen: str = ""
    samples: tuple[str, ...] = ()
    suggestion: str = ""
    page: str = ""  # a named page or screen: the `name` its rows of `table` have

    @builtins.property
    def name(self) -> str:
        return rule(self.code).name

    @builtins.property
    def rate(self) -> float | None:
        if self.violating is None or not self.checked:
            return None
        return self.violating / self.checked

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.name,
            "severity": self.severity,
            "event": self.event,
            "table": self.table,
            "schema_id": self.schema_id,
            "column": self.column,
            "property": self.property,
            "message": self.message,
            "violating": self.violating,
            "checked": self.checked,
            "rate": None if self.rate is None else round(self.rate, 6),
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "samples": list(self.samples),
            "suggestion": self.suggestion,
            "page": self.page,
        }


@dataclass(frozen=True)
class TableVolume:
    """The rows of one audited table, or of one named page's (screen's) rows of it."""

    table: str
    rows: int  # in the window
    previous_rows: int | None  # in the window before (None without `received_at`)
    daily: tuple[tuple[str, int], ...] = ()  # (day, rows)
    first_seen: str = ""
    last_seen: str = ""
    event: str = ""  # the event audited on these rows
    page: str = ""  # a named page or screen: the `name` of its rows ("" for the whole table)

    @property
    def label(self) -> str:
        """`order_completed`, `pages (Home)`: as the findings' messages name it."""
        return f"{self.table} ({self.page})" if self.page else self.table


@dataclass(frozen=True)
class AuditReport:
    source: str
    since: datetime
    until: datetime
    findings: tuple[AuditFinding, ...]
    volumes: tuple[TableVolume, ...] = ()
    queries: tuple[str, ...] = ()
    events: int = 0  # events audited
    tables: int = 0  # tables whose rows were checked
    dry_run: bool = False
    # BigQuery dry run: the bytes each row query (`queries[1:]`) would scan, BigQuery's estimate.
    bytes_scanned: tuple[int, ...] = ()
    schema_files: dict[str, str] = field(default_factory=dict)  # schema id -> relative file
    # The newest schema id of every event audited: which events a clean report vouches for
    # (an event missing here was not looked at; one here without findings is clean).
    audited: tuple[str, ...] = ()

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "warning")

    def fails(self, fail_on: str) -> bool:
        """True when a finding is at or above `fail_on` (error | warning | never)."""
        if fail_on == "never":
            return False
        if fail_on == "warning":
            return bool(self.findings)
        return self.errors > 0

    def empty_window_note(self, widen: str = "--since") -> str | None:
        """Why a clean report vouches for nothing, when every audited table is empty in the
        window: the row checks checked no row (a warehouse loaded long ago, like the demo's,
        or a window in the future). None when some row was checked."""
        if self.dry_run or not self.volumes or any(volume.rows for volume in self.volumes):
            return None
        tables = len({volume.table for volume in self.volumes})
        return (
            f"No row of the {tables} audited table(s) was received between "
            f"{self.since:%Y-%m-%d %H:%M} and {self.until:%Y-%m-%d %H:%M} UTC, so no row was "
            f"checked: widen the window with {widen} (30d, 90d, or a date such as 2024-01-01)."
        )

    def sdk_note(self, sdk: str, flag: str = "--sdk rudderstack") -> str | None:
        """`drift.other_sdk_hint` over this audit's unplanned columns (RA104)."""
        from reflekt.core.build.drift import other_sdk_hint

        unplanned = ((f.table, f.column) for f in self.findings if f.code == "RA104")
        return other_sdk_hint(unplanned, sdk, flag)

    def summary_line(self) -> str:
        window = f"{self.since:%Y-%m-%d %H:%M} to {self.until:%Y-%m-%d %H:%M} UTC"
        head = (
            f"Audited {self.events} event(s), {self.tables} table(s) checked row by row "
            f"({window}, {len(self.queries)} quer{'y' if len(self.queries) == 1 else 'ies'})"
        )
        if self.dry_run:
            return f"Dry run: {len(self.queries)} quer{'y' if len(self.queries) == 1 else 'ies'} "
        if not self.findings:
            return f"{head}: no problems found."
        return f"{head}: {self.errors} error(s), {self.warnings} warning(s)."

    def as_lint_report(self, project_root: Path) -> LintReport:
        """The findings as lint findings (file, line of the property), for the formats CI
        systems read (github annotations, SARIF, JUnit): one formatter table for both."""
        findings: list[Finding] = []
        locators: dict[str, Locator] = {}
        for item in self.findings:
            file = self.schema_files.get(item.schema_id, "")
            line = column = None
            if file:
                if file not in locators:
                    try:
                        locators[file] = Locator((project_root / file).read_text("utf-8"))
                    except (OSError, UnicodeDecodeError):
                        locators[file] = Locator("")
                path: list[str] = []
                for part in item.property.split(".") if item.property else ():
                    path += ["properties", part]
                line, column = locators[file].position(path)
            findings.append(
                Finding(
                    schema_id=item.schema_id or item.table,
                    file=file or f"warehouse:{self.source}/{item.table}",
                    line=line,
                    column=column,
                    rule=item.code,
                    rule_name=item.name,
                    severity=item.severity,
                    message=item.message,
                    property=item.property or None,
                    suggestion=item.suggestion or None,
                )
            )
        return LintReport(findings, self.events, sorted({f.file for f in findings}))


def clip(value: Any) -> str:
    text = "null" if value is None else str(value)
    return text if len(text) <= MAX_SAMPLE_CHARS else text[:MAX_SAMPLE_CHARS] + "…"
