"""Diff reports as text for people, JSON for scripts, and the formats CI systems read.

`FORMATS[name](report, project_root=None) -> str` (the shape of lint's table in
`findings.py`), pure and deterministic, for text, json, github (workflow annotations), sarif
(2.1.0), junit (junit-10.xsd), markdown (GitHub-flavoured) and gitlab (Code Quality).
Unchanged events are counted in the summary but not listed (JUnit lists them as passing
cases). Locations are the event's local file (`schemas/<id>`; the event folder when the file
is gone), at line 1: a change is about the file, not a line. `KIND_FORMATS[name](kinds) ->
str` renders the table of change kinds (`reflekt diff --list-changes`).

Levels, the same in every format: a MAJOR change of a breaking event (and a removal against
git) is an error, a MINOR change of an unbumped event a warning, the rest notes; what fails
follows the default `--fail-on breaking`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from reflekt.core.diff import (
    BREAKING,
    COMPATIBLE,
    KINDS,
    MAJOR,
    MINOR,
    NEW,
    REMOVED,
    UNBUMPED,
    UNCHANGED,
    Change,
    ChangeKind,
    DiffReport,
    EventDiff,
)
from reflekt.core.escape import markdown_cell, markdown_text, terminal_text

Formatter = Callable[[DiffReport, Path | None], str]
KindFormatter = Callable[[Iterable[ChangeKind]], str]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(report: DiffReport) -> str:
    """`Compared 12 events with segment/ecommerce: 1 needs a MAJOR version bump, 2 bumped
    correctly (MINOR), 9 unchanged.` (`DiffReport.summary_line`, the outcome's words)."""
    return report.summary_line()


def _versions(event: EventDiff) -> str:
    local = str(event.local_version) if event.local_version else "-"
    base = str(event.base_version) if event.base_version else "-"
    return f"local {local}, base {base}"


def format_text(report: DiffReport, project_root: Path | None = None) -> str:
    lines: list[str] = []
    for event in report.events:
        if event.verdict == UNCHANGED:
            continue
        lines.append(f"{event.event_key}  {event.outcome}  ({_versions(event)})")
        lines.append(f"  {event.note}")
        for change in event.changes:
            where = f" {change.path}:" if change.path else ""
            lines.append(f"    {change.change_class:<5} {change.code}{where} {change.message}")
        lines.append("")
    lines.append(summary_line(report))
    return terminal_text("\n".join(lines)) + "\n"  # names may hold terminal controls


def format_json(report: DiffReport, project_root: Path | None = None) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return terminal_text(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: DiffReport, project_root: Path | None = None) -> str:
    """`::error file=...,title=...::message` lines that GitHub Actions shows on the PR."""
    lines: list[str] = []
    for event in report.events:
        if event.verdict == UNCHANGED:
            continue
        level = {BREAKING: "error", UNBUMPED: "warning"}.get(event.verdict, "notice")
        file = _file(event)
        changes = "; ".join(change.message for change in event.changes)
        title = f"reflekt diff: {event.outcome}"
        if event.verdict in (NEW, REMOVED):
            changes = ""  # the note says it all
        message = f"{event.note}. {changes}" if changes else event.note
        lines.append(
            f"::{level} file={_escape_property(file)},title={_escape_property(title)}::"
            f"{_escape_data(message)}"
        )
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _file(event: EventDiff) -> str:
    """The event's local file relative to the project root (its folder when it is gone)."""
    return f"schemas/{event.local_id}" if event.local_id else f"schemas/{event.event_key}"


def _fails(report: DiffReport, event: EventDiff) -> bool:
    """Whether this event fails the default `--fail-on breaking` (see `DiffReport.exit_code`)."""
    return event.verdict == BREAKING or (event.verdict == REMOVED and report.removal_breaks)


def _level(report: DiffReport, event: EventDiff, change: Change) -> str:
    """error, warning or note (see the module docstring)."""
    if event.verdict == BREAKING and change.change_class == MAJOR:
        return "error"
    if event.verdict == REMOVED and report.removal_breaks:
        return "error"
    if event.verdict == UNBUMPED and change.change_class == MINOR:
        return "warning"
    return "note"


_KIND_LEVEL = {MAJOR: "error", MINOR: "warning"}


def _message(event: EventDiff, change: Change) -> str:
    """`shop/Cart_Viewed: required property 'x' added (MAJOR change, version not bumped:
    should be 2-0)`: one change and what it means for the event's version (SARIF, GitLab)."""
    return f"{event.event_key}: {change.message} ({event.outcome})"


def format_sarif(report: DiffReport, project_root: Path | None = None) -> str:
    """SARIF 2.1.0: the change kinds are the rules, each change of a changed event a result."""
    from reflekt.core.output.sarif import physical_location, sarif_log

    index = {kind.code: i for i, kind in enumerate(KINDS)}
    rules = [
        {
            "id": kind.code,
            "shortDescription": {"text": kind.purpose},
            "defaultConfiguration": {"level": _KIND_LEVEL.get(kind.change_class, "note")},
            "properties": {"class": kind.change_class, "category": kind.category},
        }
        for kind in KINDS
    ]
    results: list[dict[str, Any]] = []
    for event in report.changed:
        for change in event.changes:
            properties: dict[str, Any] = {
                "event": event.event_key,
                "verdict": event.verdict,
                "class": change.change_class,
                "outcome": event.outcome,
            }
            if change.path:
                properties["property"] = change.path
            if event.required_version is not None:
                properties["requiredVersion"] = str(event.required_version)
            results.append(
                {
                    "ruleId": change.code,
                    "ruleIndex": index[change.code],
                    "level": _level(report, event, change),
                    "message": {"text": _message(event, change)},
                    "locations": [
                        {"physicalLocation": physical_location(_file(event), 1, None, project_root)}
                    ],
                    "properties": properties,
                }
            )
    return sarif_log("reflekt diff", rules, results, project_root)


def _plan(event_key: str) -> str:
    """`segment/shop` of `segment/shop/Cart_Viewed`: the JUnit suite an event belongs to."""
    return event_key.rsplit("/", 1)[0] if "/" in event_key else event_key


def format_junit(report: DiffReport, project_root: Path | None = None) -> str:
    """JUnit XML: a suite per plan (or branch), a case per compared event; an event that
    fails `--fail-on breaking` is a failure, other changes are in `system-out`."""
    from reflekt.core.output import junit

    root = junit.testsuites(f"reflekt diff against {report.against}")
    suites: dict[str, Any] = {}
    for event in sorted(report.events, key=lambda e: e.event_key):
        plan = _plan(event.event_key)
        if plan not in suites:
            suites[plan] = junit.testsuite(root, plan)
        case = junit.testcase(suites[plan], plan, event.event_key)
        if event.verdict == UNCHANGED:
            continue
        lines = [f"{_file(event)}: {event.outcome} ({event.note})"]
        lines += [
            f"  {c.change_class} {c.code}{' ' + c.path + ':' if c.path else ''} {c.message}"
            for c in event.changes
        ]
        if _fails(report, event):
            junit.fail(case, event.verdict, event.outcome, "\n".join(lines))
        else:
            junit.output(case, "\n".join(lines))
    return junit.document(root)


_VERDICT_MARK = {
    BREAKING: "\u274c",
    UNBUMPED: "\u26a0\ufe0f",
    COMPATIBLE: "\u2705",
    NEW: "\U0001f195",
    REMOVED: "\U0001f5d1\ufe0f",
}


def _version(version: object) -> str:
    return str(version) if version else "-"


def format_markdown(report: DiffReport, project_root: Path | None = None) -> str:
    """GitHub-flavoured Markdown (PR comments, `$GITHUB_STEP_SUMMARY`): the summary line, a
    table of the changed events (outcome, versions, the version needed), then a
    table per event of its changes with their codes; lists past `markdown.LONG` rows are
    collapsed under `<details>`. Every outside string is escaped (`markdown_cell`)."""
    from reflekt.core.output.markdown import collapsible, table

    changed = report.changed
    failing = any(_fails(report, event) for event in changed)
    mark = "\u274c" if failing else "\u26a0\ufe0f" if report.count(UNBUMPED) else "\u2705"
    parts = ["## Reflekt diff\n", f"{mark} **{markdown_text(summary_line(report))}**\n"]
    if not changed:
        return "\n".join(parts)

    def outcome(event: EventDiff) -> str:
        """`✅ MAJOR change, version bumped: OK`, bold when the event fails the run."""
        marked = f"{_VERDICT_MARK[event.verdict]} {markdown_text(event.outcome)}"
        return f"**{marked}**" if _fails(report, event) else marked

    overview = table(
        ("Event", "Outcome", "Local", "Base", "Version needed"),
        [
            (
                markdown_cell(event.event_key),
                outcome(event),
                _version(event.local_version),
                _version(event.base_version),
                _version(event.required_version),
            )
            for event in changed
        ],
    )
    parts.append(collapsible(len(changed), _plural(len(changed), "changed event"), overview))
    for event in changed:
        parts.append(f"### {markdown_text(event.event_key)}\n")
        name = f"Event {markdown_text(event.name)}: " if event.name else ""
        parts.append(f"{outcome(event)} \u2014 {name}{markdown_text(event.note)}\n")
        rows = [
            (
                f"`{change.code}`",
                change.change_class,
                markdown_cell(change.path),
                markdown_cell(change.message),
            )
            for change in event.changes
        ]
        body = table(("Change", "Class", "Property", "Details"), rows)
        parts.append(collapsible(len(rows), _plural(len(rows), "change"), body))
    return "\n".join(parts)


def format_gitlab(report: DiffReport, project_root: Path | None = None) -> str:
    """GitLab Code Quality (Code Climate JSON): one issue per change of a changed event."""
    from reflekt.core.output.gitlab import Issue, render

    issues = [
        Issue(
            check_name=f"reflekt diff {change.code}",
            description=_message(event, change),
            path=_file(event),
            line=1,
            level=_level(report, event, change),
            category="Compatibility",
            key=("reflekt-diff", event.event_key, change.code, change.path, change.message),
        )
        for event in report.changed
        for change in event.changes
    ]
    return render(issues)


FORMATS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
    "junit": format_junit,
    "markdown": format_markdown,
    "gitlab": format_gitlab,
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
