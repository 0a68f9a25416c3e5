"""One modelled event from all its schema versions: the properties a staging model selects.

Rows in a Segment table carry no schema version: `cart_viewed` holds the rows of every
version ever sent (and of every schema folder whose event lands there: `Cart Viewed` and
`CartViewed` both do). So the rows get one model, whose columns are the union of the
properties of all those schemas (those that became columns), each typed and described by the
newest version that has it. A property is required (a `not_null` test) only when every
version requires it: rows sent under a version that did not have it are null there, rightly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reflekt.core.build import schema_tests, segment

if TYPE_CHECKING:
    from reflekt.core.build.dbt import EventSchema


@dataclass(frozen=True)
class MergedProperty:
    """A property column of an event, as its newest version that has it declares it."""

    column: segment.PropertyColumn
    spec: Mapping[str, Any]  # the leaf schema of the property
    required: bool  # required (the parents too) in every version of the event


@dataclass(frozen=True)
class ModelledEvent:
    """Every schema version whose rows one model selects, newest first."""

    key: str  # what groups them: the table (and page/screen name) they land in
    versions: tuple[EventSchema, ...]

    @property
    def newest(self) -> EventSchema:
        return self.versions[0]

    @property
    def schema_ids(self) -> tuple[str, ...]:
        """Oldest first, as the generated files' headers list them."""
        return tuple(schema.schema_id for schema in reversed(self.versions))

    def properties(self, sdk: str = "segment") -> tuple[MergedProperty, ...]:
        """The newest version's columns in its order, then older versions' other columns
        (named by `sdk`'s rule)."""
        merged: dict[str, MergedProperty] = {}
        for schema in self.versions:
            for column in segment.flatten_properties(schema.properties, sdk):
                if column.column in merged:
                    continue
                spec, _ = schema_tests.property_rule(
                    schema.properties, schema.required, column.path
                )
                merged[column.column] = MergedProperty(
                    column, spec, _required_everywhere(self.versions, column.path)
                )
        return tuple(merged.values())


def _required_everywhere(versions: Sequence[EventSchema], path: Sequence[str]) -> bool:
    return all(
        schema_tests.property_rule(schema.properties, schema.required, path)[1]
        for schema in versions
    )


def newest_first(schemas: Iterable[EventSchema]) -> tuple[EventSchema, ...]:
    """By version, newest first; equal versions by schema id (a stable order)."""
    by_id = sorted(schemas, key=lambda s: s.schema_id)
    return tuple(sorted(by_id, key=lambda s: s.version, reverse=True))


def group_versions(
    schemas: Iterable[EventSchema], key: Callable[[EventSchema], str]
) -> list[ModelledEvent]:
    """`schemas` grouped by `key` (sorted), each group's versions newest first."""
    groups: dict[str, list[EventSchema]] = {}
    for schema in schemas:
        groups.setdefault(key(schema), []).append(schema)
    return [ModelledEvent(name, newest_first(group)) for name, group in sorted(groups.items())]
