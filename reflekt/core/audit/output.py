"""The audit's own formats: text for people (counts, samples, volume) and JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence

from reflekt.core.audit.report import AuditReport, TableVolume
from reflekt.core.escape import terminal_text


def format_text(report: AuditReport) -> str:
    """Findings grouped by table: code, severity, message, when, samples; then the volume."""
    lines: list[str] = []
    by_table: dict[str, list] = {}
    for finding in report.findings:
        by_table.setdefault(finding.table, []).append(finding)
    for table, findings in by_table.items():
        lines.append(table)
        for finding in findings:
            lines.append(f"  {finding.code}  {finding.severity:<7}  {finding.message}")
            if finding.first_seen:
                lines.append(f"         seen {finding.first_seen} .. {finding.last_seen}")
            if finding.samples:
                shown = ", ".join(
                    json.dumps(value, ensure_ascii=False) for value in finding.samples
                )
                lines.append(f"         e.g. {shown}")
        lines.append("")
    quiet = [volume.label for volume in report.volumes if volume.rows == 0]
    if report.volumes:
        tables = {volume.table for volume in report.volumes}
        lines.append(
            f"{rows_checked(report.volumes)} row(s) checked in {len(tables)} table(s)"
            + (f"; no rows in {', '.join(quiet)}" if quiet else "")
        )
    lines.append(report.summary_line())
    note = report.empty_window_note()
    if note:
        lines.append(note)
    return terminal_text("\n".join(lines)) + "\n"


def rows_checked(volumes: Sequence[TableVolume]) -> int:
    """Distinct rows: a table audited whole counts once, however many named pages read it;
    else the sum of its pages' rows (each page's rows are its own)."""
    whole = {volume.table: volume.rows for volume in volumes if not volume.page}
    pages = sum(volume.rows for volume in volumes if volume.page and volume.table not in whole)
    return sum(whole.values()) + pages


def format_json(report: AuditReport) -> str:
    """One document: window, findings (with counts and samples), volume per table (per
    named page or screen of `pages`/`screens`)."""
    document = {
        "source": report.source,
        "since": report.since.isoformat(sep=" "),
        "until": report.until.isoformat(sep=" "),
        "events": report.events,
        "audited": list(report.audited),
        "tables": report.tables,
        "queries": len(report.queries),
        "summary": {"errors": report.errors, "warnings": report.warnings},
        "findings": [finding.as_dict() for finding in report.findings],
        "volume": [
            {
                "table": volume.table,
                "event": volume.event,
                "page": volume.page,
                "rows": volume.rows,
                "previous_rows": volume.previous_rows,
                "first_seen": volume.first_seen,
                "last_seen": volume.last_seen,
                "daily": [{"day": day, "rows": rows} for day, rows in volume.daily],
            }
            for volume in report.volumes
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_SEVERITY_MARK = {"error": "\u274c error", "warning": "\u26a0\ufe0f warning"}


def format_markdown(report: AuditReport) -> str:
    """GitHub-flavoured Markdown (a PR comment, a wiki page): the summary, then a table of
    findings per table (code, severity, message, rows, seen, samples). Outside text escaped."""
    from reflekt.core.escape import markdown_cell, markdown_text
    from reflekt.core.output.markdown import collapsible, table

    mark = "\u274c" if report.errors else "\u26a0\ufe0f" if report.warnings else "\u2705"
    parts = ["## Reflekt audit\n", f"{mark} **{markdown_text(report.summary_line())}**\n"]
    by_table: dict[str, list] = {}
    for finding in report.findings:
        by_table.setdefault(finding.table, []).append(finding)
    for name, findings in by_table.items():
        rows = []
        for finding in findings:
            counts = (
                f"{finding.violating} / {finding.checked}" if finding.violating is not None else ""
            )
            seen = f"{finding.first_seen} .. {finding.last_seen}" if finding.first_seen else ""
            samples = ", ".join(json.dumps(value, ensure_ascii=False) for value in finding.samples)
            rows.append(
                (
                    f"`{finding.code}` {markdown_cell(finding.name)}",
                    _SEVERITY_MARK.get(finding.severity, ""),
                    markdown_cell(finding.message),
                    counts,
                    markdown_cell(seen),
                    markdown_cell(samples),
                )
            )
        body = table(("Rule", "Severity", "Finding", "Rows", "Seen", "Examples"), rows)
        parts.append(f"### {markdown_text(name)}\n")
        parts.append(collapsible(len(rows), f"{len(rows)} findings", body))
    return "\n".join(parts)
