"""What lint produces: one Finding per problem, gathered in a LintReport."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from reflekt.core.lint.stored import StoredFindings

Severity = Literal["error", "warning"]  # what a finding is; an error fails `reflekt lint`
SeveritySetting = Literal["error", "warning", "off"]  # what `lint: rules:` may set a rule to

SEVERITY_ERROR: Severity = "error"
SEVERITY_WARNING: Severity = "warning"
SEVERITIES: tuple[Severity, ...] = (SEVERITY_ERROR, SEVERITY_WARNING)


@dataclass(frozen=True, slots=True, init=False)
class Finding:
    """One problem in one schema file, located as precisely as we can.

    Slotted: the TUI holds 450,000 of them for a plan of 50,000 schemas.
    """

    schema_id: str  # the $id path: "segment/ecommerce/Cart_Viewed/1-0.json"
    file: str  # path relative to the project root: "schemas/segment/.../1-0.json"
    line: int | None
    column: int | None
    rule: str  # stable code: "RF311"
    rule_name: str  # "property-casing"
    severity: Severity
    message: str
    property: str | None = None  # dotted path: "products.items.sku"
    suggestion: str | None = None  # e.g. the corrected name
    # Where in the JSON the issue is (("properties", "cartId")), for the fixes
    # (`core/lint/fixes.py`); () when the rule did not say.
    path: tuple[str | int, ...] = ()

    def __init__(
        self,
        schema_id: str,
        file: str,
        line: int | None,
        column: int | None,
        rule: str,
        rule_name: str,
        severity: Severity,
        message: str,
        property: str | None = None,
        suggestion: str | None = None,
        path: tuple[str | int, ...] = (),
    ) -> None:
        """The dataclass's own, through the slots' setters: a frozen dataclass sets each
        field with `object.__setattr__`, 1.1 us a finding against 0.7 (a cold lint of
        50,000 files makes 450,000)."""
        _SET_ID(self, schema_id)
        _SET_FILE(self, file)
        _SET_LINE(self, line)
        _SET_COLUMN(self, column)
        _SET_RULE(self, rule)
        _SET_NAME(self, rule_name)
        _SET_SEVERITY(self, severity)
        _SET_MESSAGE(self, message)
        _SET_PROPERTY(self, property)
        _SET_SUGGESTION(self, suggestion)
        _SET_PATH(self, path)

    def __reduce__(self) -> tuple[type[Finding], tuple]:
        """Pickled as its fields in order: lint's forked workers send every finding to the
        parent, and the dataclass default (`fields()` per object, a `setattr` per field)
        took 7 s of the parent's CPU for 450,000 findings, half of it after this."""
        return (Finding, finding_fields(self))


# A finding's fields in order as a plain tuple (`Finding(*fields)` is the finding again):
# how a priming run's workers send the findings that only go to the cache, since making
# 450,000 Findings again took 1.5 s of the parent's CPU (`lint_project(store_only=True)`).
FINDING_FIELDS = tuple(each.name for each in fields(Finding))  # in the class's order
finding_fields = operator.attrgetter(*FINDING_FIELDS)
(
    _SET_ID,
    _SET_FILE,
    _SET_LINE,
    _SET_COLUMN,
    _SET_RULE,
    _SET_NAME,
    _SET_SEVERITY,
    _SET_MESSAGE,
    _SET_PROPERTY,
    _SET_SUGGESTION,
    _SET_PATH,
) = (Finding.__dict__[name].__set__ for name in FINDING_FIELDS)


def sort_key(finding: Finding) -> tuple:
    """Deterministic order: file, line, column, rule, message."""
    return (finding.file, finding.line or 0, finding.column or 0, finding.rule, finding.message)


@dataclass
class LintReport:
    """All findings of one lint run, plus how many schemas were linted.

    A lazy run (`lint_project(..., lazy=True)`, the TUI's) leaves the findings of unchanged
    files in the index: `stored` holds those, counted but not decoded, and `findings` the
    rest. The counts below cover both.
    """

    findings: list[Finding]
    schemas: int
    files: list[str] = field(default_factory=list)  # every linted file, relative to the root
    stored: StoredFindings | None = None

    @property
    def errors(self) -> int:
        found = sum(1 for finding in self.findings if finding.severity == SEVERITY_ERROR)
        return found + (self.stored.errors if self.stored is not None else 0)

    @property
    def warnings(self) -> int:
        found = sum(1 for finding in self.findings if finding.severity == SEVERITY_WARNING)
        return found + (self.stored.warnings if self.stored is not None else 0)

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed): what decides exit code 0."""
        return self.errors == 0

    def by_schema(self) -> dict[str, list[Finding]]:
        """Findings grouped by file (relative path), files in sorted order."""
        grouped: dict[str, list[Finding]] = {}
        for finding in sorted(self.findings, key=sort_key):
            grouped.setdefault(finding.file, []).append(finding)
        return grouped
