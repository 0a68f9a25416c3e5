"""Drift between the schemas and the warehouse, found from the build's one introspection.

A build already reads every column (and its `data_type`) of the `--source` schema. Compared
with the schemas of each table it models, that tells an analytics engineer what the plan and
the data disagree on, without another query:

- `unplanned_column`: a column of the table that no schema version of its events knows (and
  that is not one of Segment's own columns). A likely typo of a planned property is named in
  `suggestion` (`totl` -> `total`).
- `never_seen`: a schema property with no column in the table (never sent, or sent under
  another name).
- `type_mismatch`: the column's type contradicts the property's JSON type (see
  `CONTRADICTIONS`).

Property -> column naming is the build's own (`segment.flatten_properties`, the rule lint's
RF314 uses through `PropertyRef.column`), so drift and the generated models never disagree.
Only tables built from event schemas are compared: `users` repeats `identifies`' traits and
`tracks` holds Segment's columns only.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reflekt.core.build import segment
from reflekt.core.build.casts import cast_for
from reflekt.core.build.coltypes import declared_types, warehouse_family
from reflekt.core.build.events import EventSchema
from reflekt.core.warehouse import SchemaColumns

UNPLANNED = "unplanned_column"
NEVER_SEEN = "never_seen"
TYPE_MISMATCH = "type_mismatch"
KINDS = (UNPLANNED, NEVER_SEEN, TYPE_MISMATCH)

# Columns Segment's warehouse destinations write besides the common columns of
# `segment.common_columns` (load bookkeeping, and each call's own fields). Any `context_*`
# column is Segment's too: the libraries send context fields the list does not name.
_SEGMENT_OWN = frozenset({"id", "uuid", "uuid_ts", "loaded_at", "received_at", "event_text"})
_CALL_OWN: Mapping[str, frozenset[str]] = {
    "track": frozenset({"event", "event_text"}),
    "page": frozenset({"name", "category", "path", "referrer", "search", "title", "url"}),
    "screen": frozenset({"name", "category"}),
    "group": frozenset({"group_id"}),
    "identify": frozenset(),
    "alias": frozenset({"previous_id"}),
}

# The contradictions: a property of this JSON type in a column of one of these families is a
# type mismatch. `string` contradicts nothing (every value casts to text without loss, and
# Segment types ISO-8601 strings as timestamps); `integer` in a float column is fine (Segment
# keeps JSON numbers as floats; Snowflake reports both as NUMBER).
CONTRADICTIONS: Mapping[str, frozenset[str]] = {
    "integer": frozenset({"text", "boolean", "time", "json"}),
    "number": frozenset({"text", "boolean", "time", "json"}),
    "boolean": frozenset({"text", "integer", "number", "time", "json"}),
    "object": frozenset({"integer", "number", "boolean", "time"}),
    "array": frozenset({"integer", "number", "boolean", "time"}),
}

_SUGGEST_CUTOFF = 0.75


@dataclass(frozen=True)
class DriftItem:
    """One disagreement between a table's schemas and its columns.

    `column` is the warehouse's spelling, `property` the schema's dotted path; either is ""
    when there is none (an unplanned column has no property, a never-seen property no column).
    """

    event: str  # the event name(s) of the table's schemas, `, `-joined when several
    table: str
    kind: str  # one of KINDS
    column: str = ""
    property: str = ""
    schema_type: str = ""
    warehouse_type: str = ""
    suggestion: str = ""  # unplanned columns: the closest planned property, if any

    def as_dict(self) -> dict[str, str]:
        return {
            "event": self.event,
            "table": self.table,
            "kind": self.kind,
            "column": self.column,
            "property": self.property,
            "schema_type": self.schema_type,
            "warehouse_type": self.warehouse_type,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class DriftReport:
    """Every drift item of a build, ordered by table, kind, then column/property."""

    items: tuple[DriftItem, ...] = ()

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)

    def unplanned(self) -> list[tuple[str, str]]:
        """(table, column) of each unplanned column (what `other_sdk_hint` reads)."""
        return [(item.table, item.column) for item in self.items if item.kind == UNPLANNED]

    def __bool__(self) -> bool:
        return bool(self.items)

    def summary_line(self) -> str:
        """`drift: 3 unplanned columns, 2 never-seen properties, 1 type mismatch`."""
        if not self.items:
            return "drift: none"
        parts = [
            _plural(self.count(UNPLANNED), "unplanned column"),
            _plural(self.count(NEVER_SEEN), "never-seen property", "never-seen properties"),
            _plural(self.count(TYPE_MISMATCH), "type mismatch", "type mismatches"),
        ]
        return "drift: " + ", ".join(parts)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def describe(item: DriftItem) -> str:
    """One line of plain text for a drift item (callers escape it for their target)."""
    if item.kind == UNPLANNED:
        hint = f" (did you mean {item.suggestion}?)" if item.suggestion else ""
        return f"{item.table}: column {item.column} ({item.warehouse_type}) is in no schema{hint}"
    if item.kind == NEVER_SEEN:
        return f"{item.table}: property {item.property} has no column {item.column}"
    cast = cast_for(item.schema_type.split("|"), item.warehouse_type)
    if cast == "string":
        note = "; the model casts it to text"
    elif cast:
        article = "an" if cast[0] in "aeiou" else "a"
        note = f"; the model casts it (values that are not {article} {cast} become null)"
    else:
        note = ""
    return (
        f"{item.table}: {item.property} is {item.schema_type} in the schema, but column "
        f"{item.column} is {item.warehouse_type}{note}"
    )


# --- types ---------------------------------------------------------------------------------


def contradicts(types: Sequence[str], data_type: str) -> bool:
    """True when no declared type fits a column of `data_type` (see `CONTRADICTIONS`)."""
    family = warehouse_family(data_type)
    if family is None or not types:
        return False
    return all(family in CONTRADICTIONS.get(kind, frozenset()) for kind in types)


# --- finding drift ----------------------------------------------------------------------------


@dataclass
class _Planned:
    event: str
    dotted: str
    spec: Any


@dataclass
class _TableSchemas:
    call: str
    events: list[str]
    planned: dict[str, list[_Planned]]  # column -> its properties, newest version first
    seen: set[tuple[str, str, str]] = field(default_factory=set)  # (column, event, dotted)


def _leaf(properties: Mapping[str, Any], path: Sequence[str]) -> Any:
    node: Any = {"properties": properties}
    for part in path:
        props = node.get("properties") if isinstance(node, dict) else None
        node = props.get(part) if isinstance(props, dict) else None
    return node


def _tables(
    schemas: Iterable[EventSchema], columns: SchemaColumns, sdk: str = "segment"
) -> dict[str, _TableSchemas]:
    """The schemas of each table, as the build maps them (`segment.call_for_event`)."""
    found: dict[str, _TableSchemas] = {}
    newest_first = sorted(schemas, key=lambda s: s.version, reverse=True)
    for schema in newest_first:
        call, table = schema.call(columns.tables, sdk)
        entry = found.setdefault(table, _TableSchemas(call.name, [], {}))
        if schema.name not in entry.events:
            entry.events.append(schema.name)
        held: set[str] | None = None
        for prop in segment.flatten_properties(schema.properties, sdk):
            name = prop.column
            if prop.alternates:
                # The name the table holds, of those the SDK's rule allows (`_from`, `from`).
                if held is None:
                    held = {column.name.lower() for column in columns.columns(table) or ()}
                if name not in held:
                    name = next((n for n in prop.alternates if n in held), name)
            dotted = ".".join(prop.path)
            if (name, schema.name, dotted) in entry.seen:
                continue  # an older version's copy: the newest one's type counts
            entry.seen.add((name, schema.name, dotted))
            entry.planned.setdefault(name, []).append(
                _Planned(schema.name, dotted, _leaf(schema.properties, prop.path))
            )
    return found


def other_sdk_hint(
    unplanned: Iterable[tuple[str, str]], sdk: str, flag: str = "--sdk rudderstack"
) -> str | None:
    """When a Segment reading of the tables calls RudderStack's own `rudder_id` column
    unplanned ((table, column) pairs): the tables are likely RudderStack's, built or audited
    without `--sdk rudderstack`; say which flag reads them as what they are."""
    if sdk != "segment":
        return None
    tables = {table for table, column in unplanned if column.lower() == "rudder_id"}
    if not tables:
        return None
    return (
        f"{len(tables)} table(s) hold RudderStack's own rudder_id column: if RudderStack "
        f"loads this warehouse, use {flag} (its table and column naming, its own columns)."
    )


def is_segment_column(name: str, call: str, sdk: str = "segment") -> bool:
    """A column the SDK's destination writes itself: never unplanned."""
    lower = name.lower()
    return lower.startswith("context_") or lower in _segment_columns(call, sdk)


@functools.cache
def _segment_columns(call: str, sdk: str = "segment") -> frozenset[str]:
    common = {column.source for column in segment.common_columns(call, sdk)}
    return _SEGMENT_OWN | _CALL_OWN.get(call, frozenset()) | common


def _suggest(column: str, never_seen: Sequence[str], planned: Sequence[str]) -> str:
    for candidates in (never_seen, planned):
        close = difflib.get_close_matches(column, list(candidates), n=1, cutoff=_SUGGEST_CUTOFF)
        if close:
            return close[0]
    return ""


def find_drift(
    schemas: Iterable[EventSchema],
    columns: SchemaColumns,
    tables: Collection[str],
    sdk: str = "segment",
) -> DriftReport:
    """Drift of each table in `tables` (those the build modelled) against its schemas (pure).

    `schemas` should hold every version of the built events (a column that an unselected
    version plans is not unplanned).
    """
    items: list[DriftItem] = []
    for table, entry in sorted(_tables(schemas, columns, sdk).items()):
        if table not in tables or table in (segment.USERS_TABLE, segment.TRACKS_TABLE):
            continue
        table_columns = columns.columns(table) or ()
        by_lower = {column.name.lower(): column for column in table_columns}
        event = ", ".join(sorted(entry.events))
        never_seen: list[str] = []
        for column_name in sorted(entry.planned):
            column = by_lower.get(column_name)
            for planned in entry.planned[column_name]:
                types = declared_types(planned.spec)
                if column is None:
                    items.append(
                        DriftItem(
                            planned.event,
                            table,
                            NEVER_SEEN,
                            column=column_name,
                            property=planned.dotted,
                            schema_type="|".join(types),
                        )
                    )
                elif contradicts(types, column.data_type):
                    items.append(
                        DriftItem(
                            planned.event,
                            table,
                            TYPE_MISMATCH,
                            column=column.name,
                            property=planned.dotted,
                            schema_type="|".join(types),
                            warehouse_type=column.data_type,
                        )
                    )
            if column is None:
                never_seen.append(column_name)
        planned_names = sorted(entry.planned)
        for column in table_columns:
            lower = column.name.lower()
            if lower in entry.planned or is_segment_column(lower, entry.call, sdk):
                continue
            suggestion = _suggest(lower, never_seen, planned_names)
            dotted = entry.planned[suggestion][0].dotted if suggestion else ""
            items.append(
                DriftItem(
                    event,
                    table,
                    UNPLANNED,
                    column=column.name,
                    warehouse_type=column.data_type,
                    suggestion=dotted,
                )
            )
    order = {kind: index for index, kind in enumerate(KINDS)}
    items.sort(key=lambda i: (i.table, order[i.kind], i.column.lower(), i.property, i.event))
    return DriftReport(tuple(items))
