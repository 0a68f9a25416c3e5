"""Lint findings as text for people, JSON for scripts, and the formats CI systems read.

`FORMATS[name](report, project_root) -> str`. File paths are relative to the project root,
as in each Finding. Output is deterministic (findings sorted by file, line, column, rule).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reflekt import __version__
from reflekt.core.escape import terminal_text
from reflekt.core.lint.findings import Finding, LintReport, sort_key

Formatter = Callable[[LintReport, Path], str]


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


def format_text(report: LintReport, project_root: Path) -> str:
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
    return sorted(report.findings, key=sort_key)


def format_json(report: LintReport, project_root: Path) -> str:
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


def format_github(report: LintReport, project_root: Path) -> str:
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


def format_sarif(report: LintReport, project_root: Path) -> str:
    """SARIF 2.1.0 (GitHub code scanning and other static-analysis dashboards)."""
    from reflekt.core.lint import all_rules

    rules = all_rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for f in _sorted(report):
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": f.file, "uriBaseId": "PROJECTROOT"},
        }
        if f.line is not None:
            region: dict[str, Any] = {"startLine": f.line}
            if f.column is not None:
                region["startColumn"] = f.column
            physical["region"] = region
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _SARIF_LEVEL.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [{"physicalLocation": physical}],
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
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "reflekt",
                        "version": __version__,
                        "informationUri": "https://github.com/GClunies/reflekt",
                        "rules": [
                            {
                                "id": rule.code,
                                "name": rule.name,
                                "shortDescription": {"text": rule.summary},
                                "fullDescription": {
                                    "text": " ".join(rule.doc.split("\n\n")[0].split())
                                },
                                "defaultConfiguration": {"level": rule.severity},
                            }
                            for rule in rules
                        ],
                    }
                },
                "originalUriBaseIds": {
                    "PROJECTROOT": {"uri": project_root.resolve().as_uri() + "/"}
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


_XML_BAD = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """Text XML 1.0 can hold (control characters written as \\uXXXX)."""
    return _XML_BAD.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def format_junit(report: LintReport, project_root: Path) -> str:
    """JUnit XML: a test suite per schema file; each error is a failing test case.

    A file without findings is one passing case; warnings are passing cases whose text is
    in `system-out`, so dashboards show them without failing the build.
    """
    import xml.etree.ElementTree as ET

    grouped = report.by_schema()
    files = sorted(set(report.files) | set(grouped))
    root = ET.Element(
        "testsuites",
        name="reflekt lint",
        tests="0",
        failures=str(report.errors),
        errors="0",
    )
    total = 0
    for file in files:
        findings = grouped.get(file, [])
        suite = ET.SubElement(root, "testsuite", name=_xml_text(file), errors="0")
        failures = 0
        cases = 0
        if not findings:
            ET.SubElement(suite, "testcase", classname=_xml_text(file), name="lint", file=file)
            cases = 1
        for f in findings:
            name = f"{f.rule} {f.rule_name}" + (f" ({f.property})" if f.property else "")
            case = ET.SubElement(
                suite,
                "testcase",
                classname=_xml_text(file),
                name=_xml_text(name),
                file=_xml_text(file),
            )
            if f.line is not None:
                case.set("line", str(f.line))
            where = f"{file}:{location(f)}" if f.line is not None else file
            text = _xml_text(f"{where}: {f.severity} {f.rule} {f.message}")
            if f.severity == "error":
                failure = ET.SubElement(case, "failure", type=f.rule, message=_xml_text(f.message))
                failure.text = text
                failures += 1
            else:
                ET.SubElement(case, "system-out").text = text
            cases += 1
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
        total += cases
    root.set("tests", str(total))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


FORMATS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
    "junit": format_junit,
}
