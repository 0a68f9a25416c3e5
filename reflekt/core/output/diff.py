"""Diff reports as text for people, JSON for scripts, and GitHub workflow annotations.

`FORMATS[name](report: DiffReport) -> str`, pure and deterministic. Unchanged events are
counted in the summary but not listed in text output. `KIND_FORMATS[name](kinds) -> str`
renders the table of change kinds (`reflekt diff --list-changes`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from reflekt.core.diff import (
    BREAKING,
    COMPATIBLE,
    NEW,
    REMOVED,
    UNBUMPED,
    UNCHANGED,
    ChangeKind,
    DiffReport,
    EventDiff,
)
from reflekt.core.escape import terminal_text

Formatter = Callable[[DiffReport], str]
KindFormatter = Callable[[Iterable[ChangeKind]], str]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(report: DiffReport) -> str:
    """`Compared 12 events with segment/ecommerce: 1 breaking, 2 compatible, 9 unchanged.`"""
    counts = report.summary()
    parts = [f"{counts[v]} {v}" for v in (BREAKING, UNBUMPED, COMPATIBLE, NEW, REMOVED, UNCHANGED)]
    shown = [p for p in parts if not p.startswith("0 ")] or ["nothing to compare"]
    return (
        f"Compared {_plural(len(report.events), 'event')} with {report.against}: "
        + ", ".join(shown)
        + "."
    )


def _versions(event: EventDiff) -> str:
    local = str(event.local_version) if event.local_version else "-"
    base = str(event.base_version) if event.base_version else "-"
    return f"local {local}, base {base}"


def format_text(report: DiffReport) -> str:
    lines: list[str] = []
    for event in report.events:
        if event.verdict == UNCHANGED:
            continue
        lines.append(
            f"{event.event_key}  [{event.verdict}]  {event.change_class}  ({_versions(event)})"
        )
        lines.append(f"  {event.note}")
        for change in event.changes:
            where = f" {change.path}:" if change.path else ""
            lines.append(f"    {change.change_class:<5} {change.code}{where} {change.message}")
        lines.append("")
    lines.append(summary_line(report))
    return terminal_text("\n".join(lines)) + "\n"  # names may hold terminal controls


def format_json(report: DiffReport) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return terminal_text(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: DiffReport) -> str:
    """`::error file=...,title=...::message` lines that GitHub Actions shows on the PR."""
    lines: list[str] = []
    for event in report.events:
        if event.verdict == UNCHANGED:
            continue
        level = {BREAKING: "error", UNBUMPED: "warning"}.get(event.verdict, "notice")
        file = f"schemas/{event.local_id}" if event.local_id else f"schemas/{event.event_key}"
        changes = "; ".join(change.message for change in event.changes)
        title = f"reflekt diff: {event.verdict} ({event.change_class})"
        if event.verdict in (NEW, REMOVED):
            changes = ""  # the note says it all
        message = f"{event.note}. {changes}" if changes else event.note
        lines.append(
            f"::{level} file={_escape_property(file)},title={_escape_property(title)}::"
            f"{_escape_data(message)}"
        )
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


FORMATS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
}


def format_kinds_text(kinds: Iterable[ChangeKind]) -> str:
    """One kind a line: code, class, category, purpose (aligned columns)."""
    kinds = list(kinds)
    code_width = max(len("CODE"), *(len(kind.code) for kind in kinds))
    category_width = max(len("CATEGORY"), *(len(kind.category) for kind in kinds))
    rows = [("CODE", "CLASS", "CATEGORY", "CHANGE")]
    rows += [(k.code, k.change_class, k.category, k.purpose) for k in kinds]
    lines = [
        f"{code:<{code_width}}  {klass:<5}  {category:<{category_width}}  {purpose}"
        for code, klass, category, purpose in rows
    ]
    return "\n".join(lines) + "\n"


def format_kinds_json(kinds: Iterable[ChangeKind]) -> str:
    rows = [
        {"code": k.code, "class": k.change_class, "category": k.category, "purpose": k.purpose}
        for k in kinds
    ]
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


KIND_FORMATS: dict[str, KindFormatter] = {
    "text": format_kinds_text,
    "json": format_kinds_json,
}
