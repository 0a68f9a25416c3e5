"""Which warehouse tables are Segment event tables, and which of their columns are properties.

Segment's own knowledge lives in `build/segment.py` and `build/drift.py`; this module only
reads it, so an import and a build never disagree on what a property column is:
- `identifies` -> `Identify`, `pages` -> `Page`, `screens` -> `Screen`, `groups` -> `Group`;
  `users` (the latest traits, a copy of identifies') and `tracks` (a summary of every track
  call) are skipped; any other table holding Segment's `id` and `received_at` is the table of
  one track() event.
- A column is a property when it is not one of Segment's own (`drift.is_segment_column`:
  common columns, `context_*`, the call's own fields) and its name is one Segment writes
  (`segment.snake_case(name) == name`): a property named by the column then maps back to that
  very column. Any other name (quotes, `%`, unicode) no property can produce: it is reported,
  not imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reflekt.core.build import segment
from reflekt.core.build.drift import is_segment_column
from reflekt.core.warehouse import WarehouseColumn

RECEIVED_AT = "received_at"
EVENT_TEXT = "event_text"

# Segment's tables of the non-track calls, and the event name each one's schema takes.
CALL_TABLES = {
    "identifies": ("identify", "Identify"),
    "pages": ("page", "Page"),
    "screens": ("screen", "Screen"),
    "groups": ("group", "Group"),
}
SKIPPED_TABLES = {
    segment.USERS_TABLE: "Segment's copy of the latest identify() traits (the Identify schema "
    "comes from `identifies`)",
    segment.TRACKS_TABLE: "Segment's summary of every track() call (each event has its own table)",
}


@dataclass(frozen=True)
class EventTable:
    """A Segment event table: its call type, fallback event name and property columns."""

    table: str  # lower case, as introspection keys it
    call: str  # track | identify | page | screen | group
    default_name: str  # the event name when no event_text value names it
    properties: tuple[WarehouseColumn, ...]  # as the warehouse spells them
    unnamed: tuple[str, ...]  # columns no property name maps to (reported, not imported)
    received_at: str  # the column's name as the warehouse spells it
    event_text: str | None  # likewise, when the table has one
    all_columns: frozenset[str]  # every column, lower case
    sdk: str = "segment"  # whose destination wrote it (its naming, its own columns)


def is_segment_name(name: str) -> bool:
    """True when Segment could have written `name` (it snake_cases every name it writes)."""
    return segment.snake_case(name) == name


def title_case(table: str) -> str:
    """`order_completed` -> `Order Completed` (a name whose snake_case is the table again)."""
    return " ".join(part[:1].upper() + part[1:] for part in table.split("_") if part)


def event_table(
    table: str, columns: Sequence[WarehouseColumn], sdk: str = "segment"
) -> EventTable | str:
    """The EventTable of `table` as `sdk`'s destination wrote it, or why it is skipped (a
    plain sentence)."""
    layout = segment.layout_for(sdk)
    if table in SKIPPED_TABLES:
        return SKIPPED_TABLES[table]
    if table in layout.own_tables:
        return f"{layout.label}'s own table (no event of the plan)"
    by_lower = {column.name.lower(): column for column in columns}
    if "id" not in by_lower or RECEIVED_AT not in by_lower:
        return f"not a {layout.label} event table (it has no `id` and `received_at` columns)"
    if table in CALL_TABLES:
        call, default_name = CALL_TABLES[table]
    elif table in layout.event_tables(title_case(table)):
        call, default_name = "track", title_case(table)
    elif table in layout.event_tables(table):
        call, default_name = "track", table  # a table such as `_2fa`: its own name maps back
    else:
        return (
            f"not a name {layout.label} writes ({layout.label} snake_cases event names into "
            "table names)"
        )
    properties: list[WarehouseColumn] = []
    unnamed: list[str] = []
    for column in columns:
        lower = column.name.lower()
        if is_segment_column(lower, call, sdk):
            continue
        if _maps_back(lower, sdk):
            properties.append(column)
        else:
            unnamed.append(column.name)
    event_text = by_lower.get(EVENT_TEXT)
    return EventTable(
        table=table,
        call=call,
        default_name=default_name,
        properties=tuple(properties),
        unnamed=tuple(unnamed),
        received_at=by_lower[RECEIVED_AT].name,
        event_text=event_text.name if event_text is not None and call == "track" else None,
        all_columns=frozenset(by_lower),
        sdk=sdk,
    )


def _maps_back(column: str, sdk: str) -> bool:
    """A property named `column` is written to that very column by `sdk`'s destination."""
    if sdk == "segment":
        return is_segment_name(column)
    return column in segment.layout_for(sdk).property_columns((column,))


def event_name(table: EventTable, observed: str | None) -> str:
    """The event's name: the one event_text value of the sample when it maps back to the
    table (`Order Completed` for `order_completed`), else the table's default name."""
    if (
        observed
        and observed.strip() == observed
        and table.table in segment.layout_for(table.sdk).event_tables(observed)
    ):
        return observed
    return table.default_name
