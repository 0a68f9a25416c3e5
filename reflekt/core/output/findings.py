"""Lint findings as text for people, JSON for scripts, and the formats CI systems read.

`FORMATS[name](report, project_root) -> str` for text, json, github (workflow annotations),
sarif (2.1.0), junit (junit-10.xsd), markdown (GitHub-flavoured, for PR comments and step
summaries) and gitlab (Code Quality). `project_root` may be None (SARIF then has no base
URI). File paths are relative to the project root, as in each Finding. Output is
deterministic (findings sorted by file, line, column, rule).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reflekt.core.escape import terminal_text

if TYPE_CHECKING:  # the lint engine loads only when a report is rendered, not for `--help`
    from reflekt.core.lint.findings import Finding, LintReport

Formatter = Callable[["LintReport", "Path | None"], str]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(report: LintReport) -> str:
    """`Linted 12 schemas: 2 errors, 1 warning.`"""
    head = f"Linted {_plural(report.schemas, 'schema')}"
    if not report.findings:
        return f"{head}: no problems found."
    return f"{head}: {_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')}."


def location(finding: Finding) -> str:
    """`12:5`, `12` or empty."""
    if finding.line is None:
        return ""
    return f"{finding.line}:{finding.column}" if finding.column else str(finding.line)


def format_text(report: LintReport, project_root: Path | None) -> str:
    """Plain text grouped by file, with a summary line (what `--format text` writes)."""
    lines: list[str] = []
    for file, findings in report.by_schema().items():
        lines.append(file)
        width = max(len(location(f)) for f in findings)
        for finding in findings:
            lines.append(
                f"  {location(finding):<{width}}  {finding.severity:<7}  {finding.rule}  "
                f"{finding.message}  [{finding.rule_name}]"
            )
        lines.append("")
    lines.append(summary_line(report))
    return terminal_text("\n".join(lines)) + "\n"  # names may hold terminal controls


def _sorted(report: LintReport) -> list[Finding]:
    from reflekt.core.lint.findings import sort_key

    return sorted(report.findings, key=sort_key)


def format_json(report: LintReport, project_root: Path | None) -> str:
    """`{"findings": [...], "summary": {"schemas", "errors", "warnings"}}`.

    Each finding: schema_id, file, line, column, rule, rule_name, severity, message,
    property (dotted path or null) and suggestion (e.g. the corrected name, or null).
    """
    data = {
        "findings": [
            {
                "schema_id": f.schema_id,
                "file": f.file,
                "line": f.line,
                "column": f.column,
                "rule": f.rule,
                "rule_name": f.rule_name,
                "severity": f.severity,
                "message": f.message,
                "property": f.property,
                "suggestion": f.suggestion,
            }
            for f in _sorted(report)
        ],
        "summary": {
            "schemas": report.schemas,
            "errors": report.errors,
            "warnings": report.warnings,
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _gh_data(text: str) -> str:
    return terminal_text(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: LintReport, project_root: Path | None) -> str:
    """GitHub Actions workflow commands: one `::error file=...,line=...::message` per finding."""
    lines = []
    for f in _sorted(report):
        params = [f"file={_gh_property(f.file)}"]
        if f.line is not None:
            params.append(f"line={f.line}")
            if f.column is not None:
                params.append(f"col={f.column}")
        params.append(f"title={_gh_property(f'{f.rule} {f.rule_name}')}")
        lines.append(f"::{f.severity} {','.join(params)}::{_gh_data(f.message)}")
    return "".join(line + "\n" for line in lines)


_SARIF_LEVEL = {"error": "error", "warning": "warning"}


def format_sarif(report: LintReport, project_root: Path | None) -> str:
    """SARIF 2.1.0 (GitHub code scanning and other static-analysis dashboards)."""
    from reflekt.core.lint import all_rules
    from reflekt.core.output.sarif import physical_location, sarif_log

    rules = all_rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for f in _sorted(report):
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _SARIF_LEVEL.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [
                {"physicalLocation": physical_location(f.file, f.line, f.column, project_root)}
            ],
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        properties: dict[str, Any] = {"schemaId": f.schema_id}
        if f.property:
            properties["property"] = f.property
        if f.suggestion:
            properties["suggestion"] = f.suggestion
        result["properties"] = properties
        results.append(result)
    descriptors = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": " ".join(rule.doc.split("\n\n")[0].split())},
            "defaultConfiguration": {"level": rule.severity},
        }
        for rule in rules
    ]
    return sarif_log("reflekt lint", descriptors, results, project_root)


def format_junit(report: LintReport, project_root: Path | None) -> str:
    """JUnit XML: a test suite per schema file; each error is a failing test case.

    A file without findings is one passing case; warnings are passing cases whose text is
    in `system-out`, so dashboards show them without failing the build. The file is the
    suite's `file`; line and column are in the text (junit-10.xsd has no place for them).
    """
    from reflekt.core.output import junit

    grouped = report.by_schema()
    root = junit.testsuites("reflekt lint")
    for file in sorted(set(report.files) | set(grouped)):
        findings = grouped.get(file, [])
        suite = junit.testsuite(root, file, file=file)
        if not findings:
            junit.testcase(suite, file, "lint")
        for f in findings:
            name = f"{f.rule} {f.rule_name}" + (f" ({f.property})" if f.property else "")
            case = junit.testcase(suite, file, name)
            where = f"{file}:{location(f)}" if f.line is not None else file
            text = f"{where}: {f.severity} {f.rule} {f.message}"
            if f.severity == "error":
                junit.fail(case, f.rule, f.message, text)
            else:
                junit.output(case, text)
    return junit.document(root)


_SEVERITY_MARK = {"error": "\u274c error", "warning": "\u26a0\ufe0f warning"}


def format_markdown(report: LintReport, project_root: Path | None) -> str:
    """GitHub-flavoured Markdown (PR comments, `$GITHUB_STEP_SUMMARY`): the summary line,
    then a table of findings per file (line, severity, rule, message), collapsed under
    `<details>` past `markdown.LONG` findings. Every outside string is escaped."""
    from reflekt.core.escape import markdown_cell, markdown_text
    from reflekt.core.output.markdown import collapsible, table

    mark = "\u274c" if report.errors else "\u26a0\ufe0f" if report.warnings else "\u2705"
    parts = ["## Reflekt lint\n", f"{mark} **{markdown_text(summary_line(report))}**\n"]
    for file, findings in report.by_schema().items():
        rows = [
            (
                location(f),
                _SEVERITY_MARK.get(f.severity, markdown_cell(f.severity)),
                f"`{f.rule}` {markdown_cell(f.rule_name)}",
                markdown_cell(f.message),
            )
            for f in findings
        ]
        body = table(("Line", "Severity", "Rule", "Message"), rows)
        parts.append(f"### {markdown_text(file)}\n")
        parts.append(collapsible(len(rows), _plural(len(rows), "finding"), body))
    return "\n".join(parts)


def format_gitlab(report: LintReport, project_root: Path | None) -> str:
    """GitLab Code Quality (Code Climate JSON): one issue per finding."""
    from reflekt.core.output.gitlab import Issue, render

    issues = [
        Issue(
            check_name=f"{f.rule} {f.rule_name}",
            description=f.message,
            path=f.file,
            line=f.line or 1,
            level=f.severity if f.severity in ("error", "warning") else "warning",
            category="Style",
            key=("reflekt-lint", f.rule, f.file, f.property or "", f.message),
        )
        for f in _sorted(report)
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
