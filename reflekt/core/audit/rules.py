"""The audit's finding codes: one small unit each, with its default severity (as lint's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
Level = Literal["structure", "rows"]


@dataclass(frozen=True)
class AuditRule:
    code: str
    name: str
    severity: Severity
    level: Level
    summary: str  # one line for the README's table and `--list-rules`


RULES: tuple[AuditRule, ...] = (
    AuditRule("RA101", "event-without-table", "warning", "structure",
              "A planned event has no table in the warehouse (never sent, or another name)."),
    AuditRule("RA102", "table-without-schema", "warning", "structure",
              "An event table has no schema: events are sent that the plan does not know."),
    AuditRule("RA103", "property-never-seen", "warning", "structure",
              "A schema property has no column: it was never sent (or under another name)."),
    AuditRule("RA104", "unplanned-column", "warning", "structure",
              "A column no schema version knows (the closest planned name is suggested)."),
    AuditRule("RA105", "column-type-mismatch", "error", "structure",
              "The column's warehouse type contradicts the property's JSON type."),
    AuditRule("RA201", "required-missing", "error", "rows",
              "Rows where a required property is null or missing."),
    AuditRule("RA202", "value-not-allowed", "error", "rows",
              "Values outside the property's `enum` or `const`."),
    AuditRule("RA203", "number-out-of-range", "error", "rows",
              "Numbers outside `minimum`/`maximum` (or the exclusive bounds)."),
    AuditRule("RA204", "pattern-mismatch", "warning", "rows",
              "Strings that do not match the property's `pattern`."),
    AuditRule("RA205", "length-out-of-range", "warning", "rows",
              "Strings shorter than `minLength` or longer than `maxLength`."),
    AuditRule("RA206", "format-mismatch", "warning", "rows",
              "Strings that are not the property's `format` (date-time, date, email, uuid)."),
    AuditRule("RA207", "value-not-castable", "error", "rows",
              "Values (in a text column) that are not of the property's JSON type."),
    AuditRule("RA208", "duplicate-message-ids", "warning", "rows",
              "Message ids delivered more than once (the dbt models dedupe them)."),
    AuditRule("RA209", "volume-dropped-to-zero", "error", "rows",
              "No row in the audited window, though the window before it had some."),
)  # fmt: skip

BY_CODE: dict[str, AuditRule] = {rule.code: rule for rule in RULES}
BY_NAME: dict[str, AuditRule] = {rule.name: rule for rule in RULES}


def rule(code: str) -> AuditRule:
    return BY_CODE[code]
