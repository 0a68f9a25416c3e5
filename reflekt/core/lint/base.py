"""The pieces a lint rule is made of: the Rule record, the decorators that register rules,
the contexts rules read, and the Issue they yield.

See `reflekt/core/lint/rules/__init__.py` for how to write a rule module.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from reflekt.core.jsonpath import ITEMS, JsonPath, property_steps
from reflekt.core.lint.examples import Example
from reflekt.core.lint.findings import SEVERITIES, Severity
from reflekt.core.lint.locate import Locator
from reflekt.core.platforms.segment import column_name
from reflekt.core.schemas import object_at

if TYPE_CHECKING:
    from reflekt.core.lint.meta import MetaChecks
    from reflekt.core.project import Project
    from reflekt.core.schemas import SchemaDocument

Scope = Literal["schema", "event", "project"]
SCOPE_SCHEMA: Scope = "schema"
SCOPE_EVENT: Scope = "event"
SCOPE_PROJECT: Scope = "project"
_CODE_RE = re.compile(r"^RF[0-9]{3}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, init=False)
class Issue:
    """What a rule yields; the engine turns it into a Finding (file, line, severity, code).

    `at` is the JSON path of the offending key in the document (e.g.
    `("properties", "cart_id")`): the engine turns it into a line and column. Give `line`
    (and `column`) instead when you know them. Per-event rules set `document` to the version
    the issue is about; per-schema rules leave it None (the schema being checked).
    """

    message: str
    at: JsonPath = ()
    property: str | None = None
    suggestion: str | None = None
    line: int | None = None
    column: int | None = None
    document: SchemaDocument | None = None

    def __init__(
        self,
        message: str,
        at: JsonPath = (),
        property: str | None = None,
        suggestion: str | None = None,
        line: int | None = None,
        column: int | None = None,
        document: SchemaDocument | None = None,
    ) -> None:
        """The dataclass's own, in one `object.__setattr__` (of the instance's dict) where
        a frozen dataclass makes one per field: 0.9 us an issue against 0.6, and a cold
        lint of 50,000 files yields 450,000."""
        object.__setattr__(
            self,
            "__dict__",
            {
                "message": message,
                "at": at,
                "property": property,
                "suggestion": suggestion,
                "line": line,
                "column": column,
                "document": document,
            },
        )


@dataclass(frozen=True)
class Rule:
    """One lint rule: a stable code, a kebab-case name, a default severity, a check, and
    Bad/Good examples that a test lints (see `reflekt.core.lint.examples`)."""

    code: str
    name: str
    severity: Severity
    summary: str
    scope: Scope
    check: Callable[[Any], Iterable[Issue]] = field(repr=False, compare=False)
    doc: str = field(default="", repr=False, compare=False)
    needs_body: bool = True
    examples: tuple[Example, ...] = field(default=(), repr=False, compare=False)
    # Advice some teams want: runs only when `lint: rules:` gives it a severity.
    off_by_default: bool = False

    @property
    def default_setting(self) -> str:
        """What the rule runs at when `lint: rules:` does not name it."""
        return "off" if self.off_by_default else self.severity

    def __post_init__(self) -> None:
        # `rule.__doc__` is the rule's own docstring (why it exists).
        object.__setattr__(self, "__doc__", self.doc)

    @property
    def bad_examples(self) -> tuple[Example, ...]:
        return tuple(example for example in self.examples if example.verdict == "bad")

    @property
    def good_examples(self) -> tuple[Example, ...]:
        return tuple(example for example in self.examples if example.verdict == "good")

    @property
    def bad_example(self) -> str:
        """The Bad examples as documentation shows them."""
        return "\n\n".join(example.text() for example in self.bad_examples)

    @property
    def good_example(self) -> str:
        """The Good examples as documentation shows them."""
        return "\n\n".join(example.text() for example in self.good_examples)


_REGISTRY: dict[str, Rule] = {}


def _register(rule: Rule) -> Rule:
    if not _CODE_RE.match(rule.code):
        raise ValueError(f"lint rule code '{rule.code}' must look like RF123")
    if not _NAME_RE.match(rule.name):
        raise ValueError(f"lint rule name '{rule.name}' must be kebab-case")
    if rule.severity not in SEVERITIES:
        raise ValueError(f"lint rule {rule.code}: severity must be error or warning")
    if not rule.bad_examples or not rule.good_examples:
        raise ValueError(f"lint rule {rule.code}: give a bad(...) and a good(...) example")
    if not rule.doc:
        raise ValueError(f"lint rule {rule.code}: the docstring says why the rule exists")
    for other in _REGISTRY.values():
        if other.code == rule.code and other.check is not rule.check:
            raise ValueError(f"lint rule code {rule.code} is used twice")
        if other.name == rule.name and other.code != rule.code:
            raise ValueError(f"lint rule name {rule.name} is used twice")
    _REGISTRY[rule.code] = rule
    return rule


RuleCheck = Callable[[Any], Iterable[Issue]]


def _decorator(
    scope: Scope,
    code: str,
    name: str,
    summary: str,
    severity: Severity,
    needs_body: bool,
    examples: Sequence[Example],
    off_by_default: bool = False,
) -> Callable[[RuleCheck], RuleCheck]:
    def decorate(func: RuleCheck) -> RuleCheck:
        _register(
            Rule(
                code=code,
                name=name,
                severity=severity,
                summary=summary,
                scope=scope,
                check=func,
                doc=inspect.cleandoc(func.__doc__ or ""),
                needs_body=needs_body,
                examples=tuple(examples),
                off_by_default=off_by_default,
            )
        )
        return func

    return decorate


def schema_rule(
    code: str,
    name: str,
    *,
    summary: str,
    examples: Sequence[Example],
    severity: Severity = "error",
    needs_body: bool = True,
) -> Callable[[RuleCheck], RuleCheck]:
    """Register `func(ctx: SchemaContext) -> Iterable[Issue]`, run once per schema file.

    With `needs_body=False` the rule also runs on files that could not be parsed
    (`ctx.body` is then None); by default it only sees files with a JSON object body.
    """
    return _decorator(SCOPE_SCHEMA, code, name, summary, severity, needs_body, examples)


def event_rule(
    code: str,
    name: str,
    *,
    summary: str,
    examples: Sequence[Example],
    severity: Severity = "error",
) -> Callable[[RuleCheck], RuleCheck]:
    """Register `func(ctx: EventContext) -> Iterable[Issue]`, run once per event folder."""
    return _decorator(SCOPE_EVENT, code, name, summary, severity, False, examples)


def project_rule(
    code: str,
    name: str,
    *,
    summary: str,
    examples: Sequence[Example],
    severity: Severity = "warning",
    off_by_default: bool = True,
) -> Callable[[RuleCheck], RuleCheck]:
    """Register `func(ctx: ProjectContext) -> Iterable[Issue]`, run once per lint with the
    newest version of every event of the project (whatever is selected; issues on files
    outside the selection are dropped). Not cached: it reads every event's newest file, so
    such rules are advice, off unless the project switches them on."""
    return _decorator(SCOPE_PROJECT, code, name, summary, severity, False, examples, off_by_default)


def registered_rules() -> dict[str, Rule]:
    return dict(_REGISTRY)


class PropertyRef(NamedTuple):
    """One property anywhere in a schema (top level, nested object, or array items).

    A named tuple, not a frozen dataclass: a cold lint of 50,000 schemas makes 500,000 of
    them, and a frozen dataclass's `__init__` (a `setattr` per field) cost 0.3 s of that."""

    name: str
    dotted: str  # "products.items.sku"
    schema: Any  # its sub-schema: normally a dict, but bad input may hold anything
    at: JsonPath  # path of its key: ("properties", "products", "items", "properties", "sku")
    scope: str  # "" for columns of the event table, else the dotted path of the array holding it
    column_path: tuple[str, ...]  # names from the scope down to this property

    @property
    def column(self) -> str:
        """The warehouse column within `scope`, named exactly as the dbt build names it."""
        return column_name(self.column_path)


def walk_properties(body: dict[str, Any]) -> list[PropertyRef]:
    """Every property of a schema, depth first, including nested objects and array items.

    Nested object properties flatten into `parent_child` columns (as Segment's warehouses
    do); properties of array items are a new scope (arrays land as JSON).
    """
    found: list[PropertyRef] = []
    _visit(found, body, (), "", "", ())
    return found


def _visit(
    found: list[PropertyRef],
    node: Any,
    at: JsonPath,
    dotted: str,
    scope: str,
    column: tuple[str, ...],
) -> None:
    """`walk_properties` of one node. A function of the module, not a closure that calls
    itself: that is a reference cycle, which kept every schema's properties alive until
    the cyclic collector ran (a fifth of a cold lint's CPU went to that collector)."""
    props = node.get("properties")
    if props.__class__ is dict:
        for name, sub in props.items():
            key_at = (*at, "properties", name)
            sub_dotted = f"{dotted}.{name}" if dotted else name
            sub_column = (*column, name)
            found.append(PropertyRef(name, sub_dotted, sub, key_at, scope, sub_column))
            if sub.__class__ is dict and ("properties" in sub or "items" in sub):
                _visit(found, sub, key_at, sub_dotted, scope, sub_column)
    items = node.get("items")
    if items is None:
        return
    if isinstance(items, dict):
        items_dotted = f"{dotted}.items" if dotted else "items"
        _visit(found, items, (*at, "items"), items_dotted, items_dotted, ())
    elif isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                items_dotted = f"{dotted}.items[{index}]" if dotted else f"items[{index}]"
                _visit(found, item, (*at, "items", index), items_dotted, items_dotted, ())


def property_types(schema: Any) -> list[Any] | None:
    """The types a property declares: its `type` (string or list), or those of all its
    `anyOf`/`oneOf` branches. None when it declares none."""
    if not isinstance(schema, dict):
        return None
    declared = schema.get("type")
    if declared is not None:
        return list(declared) if isinstance(declared, list) else [declared]
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list) and branches:
            collected: list[Any] = []
            for branch in branches:
                branch_types = property_types(branch)
                if branch_types is None:
                    return None
                collected.extend(branch_types)
            return collected
    return None


class SchemaContext:
    """What a per-schema rule sees: the project, the document, compiled meta-schemas."""

    def __init__(
        self, project: Project, doc: SchemaDocument, file: str, meta: MetaChecks | None
    ) -> None:
        self.project = project
        self.doc = doc
        self.file = file
        self.meta = meta

    @property
    def body(self) -> dict[str, Any] | None:
        return self.doc.body

    @property
    def schema_id(self) -> str:
        return self.doc.schema_id.path

    @property
    def self_block(self) -> dict[str, Any]:
        """The `self` object, or {} when it is missing or not an object."""
        return object_at(self.body or {}, "self")

    @cached_property
    def properties(self) -> list[PropertyRef]:
        return walk_properties(self.body) if isinstance(self.body, dict) else []

    @cached_property
    def locator(self) -> Locator:
        return Locator.of(self.doc)


@dataclass
class EventContext:
    """What a per-event rule sees: every version of one event folder, sorted by version.

    `documents` holds only files whose name is a MAJOR-MINOR version (RF203 reports the
    others), sorted numerically; `doc.body` is None for files that could not be parsed.
    `selected` holds the schema ids being linted: an issue on another version is dropped.
    """

    project: Project
    event_key: str  # "segment/ecommerce/Cart_Viewed"
    documents: list[SchemaDocument]
    selected: frozenset[str] = frozenset()

    def pairs(self) -> Iterator[tuple[SchemaDocument, SchemaDocument]]:
        """(previous, current) for each consecutive pair of versions."""
        yield from zip(self.documents, self.documents[1:], strict=False)


@dataclass
class ProjectContext:
    """What a project rule sees: the newest version of every event, in listing order
    (`doc.body` is None for a file that could not be parsed: skip it). Set
    `Issue.document` to the file an issue is about."""

    project: Project
    documents: list[SchemaDocument]


def property_path(at: JsonPath) -> str | None:
    """The dotted property a JSON path is in: `properties/a/items/properties/b/type` -> `a.items.b`.

    None when the path is not inside a property.
    """
    steps, _ = property_steps(at)
    while steps and type(steps[-1]) is not str:
        steps.pop()
    parts = ["items" if s is ITEMS else f"items[{s}]" if type(s) is int else str(s) for s in steps]
    return ".".join(parts) if parts else None


def unresolved_ref(schema: Any) -> bool:
    """A sub-schema still holding a `$ref` once shared definitions are inlined: one that
    did not resolve. RF104 reports it; rules about what it would define skip it."""
    return isinstance(schema, dict) and isinstance(schema.get("$ref"), str)
