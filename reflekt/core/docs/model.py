"""The event catalog as data: what `reflekt build docs` shows, before any HTML or Markdown.

Why a model of its own: the HTML site, the Markdown pages and the tests read the same
values (the changelog, the properties table, the property conflicts), so the two outputs
never tell one plan differently. `catalog()` is pure: it takes the schema files already
read, the lint findings, the dbt models and the audit figures, and returns frozen values.

- the changelog of a version is `diff_schemas(previous, this)` of the diff core, so each
  line carries the change's code and class exactly as `reflekt diff` reports them;
- the properties table walks nested objects and array items (depth-indented rows);
- the property index flags one property name declared with different types, or different
  descriptions, across events (each event's newest version).

Names and descriptions are kept as written here; the renderers escape them for where they
land (`reflekt.core.escape`, Jinja autoescape).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from reflekt.core.build.events import EventSchema
from reflekt.core.build.segment import SDK_LAYOUTS, layout_for
from reflekt.core.diff import DiffSettings, diff_schemas
from reflekt.core.names import check_folder_component, event_folder

MAX_DEPTH = 32  # nested levels shown in a properties table (deeper ones are cut)
BOUND_KEYWORDS = (
    ("minimum", "≥"),
    ("exclusiveMinimum", ">"),
    ("maximum", "≤"),
    ("exclusiveMaximum", "<"),
    ("minLength", "length ≥"),
    ("maxLength", "length ≤"),
    ("minItems", "items ≥"),
    ("maxItems", "items ≤"),
    ("multipleOf", "multiple of"),
)
USES_SHOWN = 12  # events named per property (or per variant of a conflict) before "and N more"
OWNER_KEY = "code_owner"
NO_OWNER = "(no owner)"


@dataclass(frozen=True)
class SchemaFile:
    """One schema file as read: the builder's view, the parsed body and the text."""

    schema: EventSchema
    body: Mapping[str, Any]
    text: str

    @property
    def schema_id(self) -> str:
        return self.schema.schema_id


@dataclass(frozen=True)
class PropertyRow:
    """One row of a properties table (a nested property is a row below its parent)."""

    path: str  # `products[].sku`
    name: str  # `sku`
    depth: int  # 0 for a top-level property
    types: tuple[str, ...]  # as declared (`("string", "null")`); () for none
    required: bool
    description: str = ""
    values: tuple[str, ...] = ()  # `enum` values, JSON-written
    const: str | None = None  # the `const` value, JSON-written
    format: str = ""
    pattern: str = ""
    bounds: tuple[str, ...] = ()  # `≥ 0`, `length ≤ 40`
    items: str = ""  # the item type of an array of scalars (`string`)

    @property
    def type_text(self) -> str:
        text = " | ".join(self.types) if self.types else "any"
        return f"{text}<{self.items}>" if self.items else text


@dataclass(frozen=True)
class ChangeLine:
    """One change between a version and the one before it (from the diff core)."""

    code: str
    change_class: str  # MAJOR | MINOR | NONE
    path: str
    message: str


@dataclass(frozen=True)
class LintLine:
    """One lint finding of a schema file."""

    severity: str  # error | warning
    rule: str  # RF311
    rule_name: str
    message: str
    line: int | None = None
    property: str | None = None


@dataclass(frozen=True)
class ModelColumn:
    name: str
    data_type: str = ""
    description: str = ""


@dataclass(frozen=True)
class DbtModel:
    """A model of the last `reflekt build dbt`, read from its generated docs file (and the
    table from its generated SQL)."""

    name: str
    path: str  # relative to the project root
    columns: tuple[ModelColumn, ...] = ()
    sdk: str = ""  # the `--sdk` the build was given (its docs block names it); "" unknown
    call: str = ""  # the call type of its rows (track, page, ...; `users`); "" unknown
    table: str = ""  # the warehouse table its SQL reads (its `source()`); "" unknown


@dataclass(frozen=True)
class AuditFinding:
    code: str
    rule: str
    severity: str
    message: str
    property: str = ""
    violating: int | None = None
    checked: int | None = None
    rate: float | None = None
    last_seen: str = ""


@dataclass(frozen=True)
class AuditVolume:
    rows: int
    previous_rows: int | None = None
    first_seen: str = ""
    last_seen: str = ""


@dataclass(frozen=True)
class AuditFigures:
    """What `reflekt audit --format json` said about one event."""

    source: str
    since: str
    until: str
    audited: bool  # the audit looked at this event (one without findings is then clean)
    findings: tuple[AuditFinding, ...] = ()
    volume: AuditVolume | None = None


@dataclass(frozen=True)
class AuditData:
    """The parts of an audit report the catalog uses (see `inputs.read_audit`)."""

    source: str
    since: str
    until: str
    audited: frozenset[str]  # newest schema ids audited
    findings: tuple[Mapping[str, Any], ...]
    volume: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class DocVersion:
    schema_id: str
    version: str  # `1-0`
    description: str
    metadata: tuple[tuple[str, str], ...]  # (key, value as text)
    properties: tuple[PropertyRow, ...]
    text: str  # the file as written
    changes: tuple[ChangeLine, ...] = ()  # against `previous`
    change_class: str = "NONE"
    previous: str | None = None  # the version before (`1-0`), None for the first
    lint: tuple[LintLine, ...] = ()
    deprecated: bool = False

    # (counted once: the facets, the search data, the index and the page each ask)
    @cached_property
    def lint_errors(self) -> int:
        return sum(1 for line in self.lint if line.severity == "error")

    @cached_property
    def lint_warnings(self) -> int:
        return len(self.lint) - self.lint_errors


@dataclass(frozen=True)
class Landing:
    """Where an event's rows land: the SDK's call and table, and its dbt model."""

    call: str
    table: str
    model: DbtModel | None = None
    sdk: str = "segment"  # whose warehouse layout (`segment.SDK_LAYOUTS`)
    sdk_label: str = "Segment"  # how the pages name it ("RudderStack call")


@dataclass(frozen=True)
class DocEvent:
    key: str  # `segment/ecommerce/Cart_Viewed` (the event folder)
    name: str  # `Cart Viewed` (the newest version's `self.name`)
    plan: str  # `segment/ecommerce`
    page: str  # `events/segment/ecommerce/Cart_Viewed` (no suffix: .html or .md is added)
    versions: tuple[DocVersion, ...]  # newest first
    owners: tuple[str, ...]
    landing: Landing
    audit: AuditFigures | None = None

    @property
    def newest(self) -> DocVersion:
        return self.versions[0]

    @property
    def description(self) -> str:
        return self.newest.description

    @property
    def deprecated(self) -> bool:
        return self.newest.deprecated

    @cached_property
    def status(self) -> tuple[str, ...]:
        """The status facet's values: `errors`, `warnings`, `deprecated`, else `clean`."""
        newest = self.newest
        found = [
            *(["errors"] if newest.lint_errors else []),
            *(["warnings"] if newest.lint_warnings else []),
            *(["deprecated"] if newest.deprecated else []),
        ]
        return tuple(found) or ("clean",)


@dataclass(frozen=True)
class PropertyUse:
    event: str  # event key
    event_name: str
    page: str
    types: str  # type text
    description: str


@dataclass(frozen=True)
class PropertyEntry:
    """One property path across every event that declares it."""

    path: str
    uses: tuple[PropertyUse, ...]

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(sorted({use.types for use in self.uses}))

    @property
    def variants(self) -> tuple[tuple[str, str, tuple[PropertyUse, ...]], ...]:
        """(types, description, uses) per distinct declaration, the most used first: how a
        conflict reads (`string`, "The cart.": 12 events; `integer`, ...: 1 event)."""
        groups: dict[tuple[str, str], list[PropertyUse]] = {}
        for use in self.uses:
            groups.setdefault((use.types, use.description.strip()), []).append(use)
        ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
        return tuple((types, text, tuple(uses)) for (types, text), uses in ordered)

    @property
    def type_conflict(self) -> bool:
        return len(self.types) > 1

    @property
    def description_conflict(self) -> bool:
        return len({use.description.strip() for use in self.uses if use.description.strip()}) > 1


@dataclass(frozen=True)
class Catalog:
    project: str
    events: tuple[DocEvent, ...]
    properties: tuple[PropertyEntry, ...]
    with_audit: bool = False
    audit_source: str = ""
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @property
    def schema_count(self) -> int:
        return sum(len(event.versions) for event in self.events)


# --- building --------------------------------------------------------------------------------


def catalog(
    project: str,
    files: Iterable[SchemaFile],
    *,
    settings: DiffSettings | None = None,
    lint: Mapping[str, Sequence[LintLine]] | None = None,
    models: Mapping[str, DbtModel] | None = None,
    audit: AuditData | None = None,
) -> Catalog:
    """The catalog of every event the files belong to (events sorted by plan, then name)."""
    settings = settings or DiffSettings()
    lint = lint or {}
    models = models or {}
    sdk = package_sdk(models.values())
    by_event: dict[str, list[SchemaFile]] = {}
    for file in files:
        by_event.setdefault(event_key(file.schema_id), []).append(file)
    pages = page_paths(sorted(by_event))
    events = [
        _event(key, pages[key], versions, settings, lint, models, audit, sdk)
        for key, versions in by_event.items()
    ]
    events.sort(key=lambda event: (event.plan, event.name.casefold(), event.key))
    return Catalog(
        project=project,
        events=tuple(events),
        properties=property_index(events),
        with_audit=audit is not None,
        audit_source=audit.source if audit else "",
        facets=facet_counts(events),
    )


def package_sdk(models: Iterable[DbtModel]) -> str:
    """The SDK the dbt package was built for: the one its models name, when they name one
    only; else (no package, an older one, several SDKs) Segment's, the default of the build."""
    named = {model.sdk for model in models if model.sdk in SDK_LAYOUTS}
    return named.pop() if len(named) == 1 else "segment"


def landing(schema: EventSchema, model: DbtModel | None, sdk: str = "segment") -> Landing:
    """Where `schema`'s rows land: as its dbt model reads them when the last build wrote one
    (the SDK and call its docs name, the table of its `source()`), else as `sdk`'s layout
    names them (`EventSchema.target`)."""
    layout = layout_for(sdk)
    if model is not None and model.sdk in SDK_LAYOUTS:
        layout = layout_for(model.sdk)
    call, table, _suffix = schema.target(sdk=layout.name)
    call_name = call.name
    if model is not None and model.call in layout.calls:  # not `users`: the traits' table
        call_name = model.call
        table = model.table or table
    return Landing(call_name, table, model, layout.name, layout.label)


def event_key(schema_id: str) -> str:
    """`segment/ecommerce/Cart_Viewed/1-0.json` -> `segment/ecommerce/Cart_Viewed`."""
    return schema_id.rsplit("/", 1)[0] if "/" in schema_id else schema_id.removesuffix(".json")


def plan_of(key: str) -> str:
    return key.rsplit("/", 1)[0] if "/" in key else ""


def page_paths(keys: Sequence[str]) -> dict[str, str]:
    """Each event key's page (without suffix) under `events/`: its folders as they are when
    each is a safe folder name, else written by the one folder rule (`names.event_folder`);
    two keys that would share a page (a case-folding file system) get `~2`, `~3`."""
    taken: set[str] = set()
    pages: dict[str, str] = {}
    safe: dict[str, str] = {}  # folder name -> as a page path part (plans repeat)
    for key in sorted(keys):
        parts = []
        for part in key.split("/"):
            if part not in safe:
                safe[part] = part if check_folder_component(part) is None else event_folder(part)
            parts.append(safe[part])
        page = "events/" + "/".join(parts)
        candidate, number = page, 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{page}~{number}"
        taken.add(candidate.casefold())
        pages[key] = candidate
    return pages


def _event(
    key: str,
    page: str,
    files: list[SchemaFile],
    settings: DiffSettings,
    lint: Mapping[str, Sequence[LintLine]],
    models: Mapping[str, DbtModel],
    audit: AuditData | None,
    sdk: str = "segment",
) -> DocEvent:
    oldest_first = sorted(files, key=lambda f: (f.schema.version, f.schema_id))
    versions: list[DocVersion] = []
    previous: SchemaFile | None = None
    for file in oldest_first:
        changes: tuple[ChangeLine, ...] = ()
        if previous is not None:
            changes = changelog(previous.body, file.body, settings)
        versions.append(_version(file, previous, changes, lint.get(file.schema_id, ())))
        previous = file
    newest = oldest_first[-1]
    model = next(
        (models[f.schema_id] for f in reversed(oldest_first) if f.schema_id in models), None
    )
    lands = landing(newest.schema, model, sdk)
    return DocEvent(
        key=key,
        name=newest.schema.name,
        plan=plan_of(key),
        page=page,
        versions=tuple(reversed(versions)),
        owners=owners_of(newest.schema.metadata),
        landing=lands,
        audit=audit_figures(
            audit, [f.schema_id for f in oldest_first], newest.schema.name, lands.table
        )
        if audit is not None
        else None,
    )


_CLASS_RANK = {"NONE": 0, "MINOR": 1, "MAJOR": 2}


def changelog(
    old: Mapping[str, Any], new: Mapping[str, Any], settings: DiffSettings
) -> tuple[ChangeLine, ...]:
    """The diff core's changes from `old` to `new`, each with its code and class."""
    return tuple(
        ChangeLine(change.code, change.change_class, change.path, change.message)
        for change in diff_schemas(dict(old), dict(new), settings)
    )


def _version(
    file: SchemaFile,
    previous: SchemaFile | None,
    changes: tuple[ChangeLine, ...],
    lint: Sequence[LintLine],
) -> DocVersion:
    schema = file.schema
    top_class = max((c.change_class for c in changes), key=_CLASS_RANK.__getitem__, default="NONE")
    return DocVersion(
        schema_id=file.schema_id,
        version=str(schema.version),
        description=schema.description,
        metadata=tuple((str(k), _text(v)) for k, v in schema.metadata.items()),
        properties=property_rows(schema.properties, schema.required),
        text=file.text,
        changes=changes,
        change_class=top_class,
        previous=str(previous.schema.version) if previous is not None else None,
        lint=tuple(lint),
        deprecated=_deprecated(file.body, schema.metadata),
    )


def _text(value: Any) -> str:
    return (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    )


def _deprecated(body: Mapping[str, Any], metadata: Mapping[str, Any]) -> bool:
    """`"deprecated": true` (the JSON Schema annotation) or `metadata.deprecated`."""
    flag = metadata.get("deprecated", body.get("deprecated"))
    return flag is True or (isinstance(flag, str) and flag.strip().lower() in ("true", "yes"))


def owners_of(metadata: Mapping[str, Any]) -> tuple[str, ...]:
    """`metadata.code_owner`: a string, or a list of them."""
    owner = metadata.get(OWNER_KEY)
    if isinstance(owner, str) and owner.strip():
        return (owner.strip(),)
    if isinstance(owner, list):
        return tuple(str(o).strip() for o in owner if isinstance(o, str) and o.strip())
    return ()


# --- properties -------------------------------------------------------------------------------


def _types(spec: Mapping[str, Any]) -> tuple[str, ...]:
    declared = spec.get("type")
    if isinstance(declared, str):
        return (declared,)
    if isinstance(declared, list):
        return tuple(str(t) for t in declared)
    return ()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def property_rows(
    properties: Mapping[str, Any], required: Iterable[str], *, _prefix: str = "", _depth: int = 0
) -> tuple[PropertyRow, ...]:
    """The properties table: each property, then its nested properties (object members and
    array items' members) one level deeper; array-of-scalar items as `array<string>`."""
    if _depth >= MAX_DEPTH or not isinstance(properties, dict):
        return ()
    needed = set(required)
    rows: list[PropertyRow] = []
    for name, raw in properties.items():
        spec: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
        path = f"{_prefix}{name}"
        items = spec.get("items") if isinstance(spec.get("items"), dict) else None
        item_type = ""
        if items is not None and not isinstance(items.get("properties"), dict):
            item_type = " | ".join(_types(items))
        enum = spec.get("enum")
        rows.append(
            PropertyRow(
                path=path,
                name=str(name),
                depth=_depth,
                types=_types(spec),
                required=name in needed,
                description=str(spec.get("description") or ""),
                values=tuple(_json(v) for v in enum) if isinstance(enum, list) else (),
                const=_json(spec["const"]) if "const" in spec else None,
                format=str(spec.get("format") or ""),
                pattern=str(spec.get("pattern") or ""),
                bounds=_bounds(spec),
                items=item_type,
            )
        )
        nested = spec.get("properties")
        if isinstance(nested, dict):
            rows += property_rows(
                nested, _names(spec.get("required")), _prefix=f"{path}.", _depth=_depth + 1
            )
        if items is not None and isinstance(items.get("properties"), dict):
            rows += property_rows(
                items["properties"],
                _names(items.get("required")),
                _prefix=f"{path}[].",
                _depth=_depth + 1,
            )
    return tuple(rows)


_BOUND_KEYS = frozenset(key for key, _label in BOUND_KEYWORDS)


def _bounds(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """`≥ 0`, `length ≤ 40`, ... in BOUND_KEYWORDS' order (most properties have none: one
    set test in C first, not nine lookups and a generator for each property)."""
    if _BOUND_KEYS.isdisjoint(spec):
        return ()
    return tuple(f"{label} {_json(spec[key])}" for key, label in BOUND_KEYWORDS if key in spec)


def _names(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def property_index(events: Sequence[DocEvent]) -> tuple[PropertyEntry, ...]:
    """Every property path of every event's newest version, with who declares it how."""
    uses: dict[str, list[PropertyUse]] = {}
    for event in events:
        for row in event.newest.properties:
            uses.setdefault(row.path, []).append(
                PropertyUse(event.key, event.name, event.page, row.type_text, row.description)
            )
    return tuple(
        PropertyEntry(path, tuple(sorted(found, key=lambda use: use.event)))
        for path, found in sorted(uses.items(), key=lambda item: (item[0].casefold(), item[0]))
    )


def facet_counts(events: Sequence[DocEvent]) -> dict[str, dict[str, int]]:
    """Events per plan, per owner and per status (the index's facets)."""
    facets: dict[str, dict[str, int]] = {"plan": {}, "owner": {}, "status": {}}
    for event in events:
        facets["plan"][event.plan] = facets["plan"].get(event.plan, 0) + 1
        for owner in event.owners or (NO_OWNER,):
            facets["owner"][owner] = facets["owner"].get(owner, 0) + 1
        for status in event.status:
            facets["status"][status] = facets["status"].get(status, 0) + 1
    return {name: dict(sorted(counts.items())) for name, counts in facets.items()}


# --- audit ------------------------------------------------------------------------------------


def audit_figures(
    audit: AuditData, schema_ids: Sequence[str], name: str, table: str
) -> AuditFigures:
    """The audit's findings and volume for one event: findings by schema id (else by event
    name), volume by event name (else by its table, whole)."""
    ids = set(schema_ids)
    findings = [
        f
        for f in audit.findings
        if f.get("schema_id") in ids or (not f.get("schema_id") and f.get("event") == name)
    ]
    volume = next((v for v in audit.volume if v.get("event") == name), None)
    if volume is None:
        volume = next(
            (v for v in audit.volume if v.get("table") == table and not v.get("page")), None
        )
    return AuditFigures(
        source=audit.source,
        since=audit.since,
        until=audit.until,
        audited=bool(ids & audit.audited),
        findings=tuple(
            AuditFinding(
                code=str(f.get("code", "")),
                rule=str(f.get("rule", "")),
                severity=str(f.get("severity", "")),
                message=str(f.get("message", "")),
                property=str(f.get("property") or ""),
                violating=_int(f.get("violating")),
                checked=_int(f.get("checked")),
                rate=_float(f.get("rate")),
                last_seen=str(f.get("last_seen") or ""),
            )
            for f in findings
        ),
        volume=AuditVolume(
            rows=_int(volume.get("rows")) or 0,
            previous_rows=_int(volume.get("previous_rows")),
            first_seen=str(volume.get("first_seen") or ""),
            last_seen=str(volume.get("last_seen") or ""),
        )
        if volume is not None
        else None,
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
