"""Lint event schemas against the project's conventions.

    report = lint_project(project, paths)      # paths from core.select.resolve_select
    report.errors, report.warnings, report.by_schema()

Rules live in `reflekt/core/lint/rules/` (one small function per rule, with a code, a name,
a default severity, a docstring saying why, and Bad/Good examples that a test lints); see
that package's docstring for how to add one.
"""

from __future__ import annotations

from reflekt.core.lint.base import (
    EventContext,
    Issue,
    PropertyRef,
    Rule,
    SchemaContext,
    event_rule,
    schema_rule,
)
from reflekt.core.lint.engine import (
    RuleSetting,
    active_rules,
    all_rules,
    lint_documents,
    lint_project,
    rule_names,
    rule_settings,
)
from reflekt.core.lint.findings import Finding, LintReport

__all__ = [
    "EventContext",
    "Finding",
    "Issue",
    "LintReport",
    "PropertyRef",
    "Rule",
    "RuleSetting",
    "SchemaContext",
    "active_rules",
    "all_rules",
    "event_rule",
    "lint_documents",
    "lint_project",
    "rule_names",
    "rule_settings",
    "schema_rule",
]
