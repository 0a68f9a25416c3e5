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
from dataclasses import dataclass, field
from typing import Any

from reflekt.core.build import schema_tests, segment
from reflekt.core.platforms.segment import RULE_TYPE_KEY, snake_case
from reflekt.core.schemas import Version, object_at


@dataclass(frozen=True)
class EventSchema:
    """What the builder needs from one schema file."""

    schema_id: str
    name: str
    version: Version
    description: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    properties: Mapping[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()  # the top-level `required` (schema-derived `not_null`)
    closed: bool = False  # `additionalProperties: false` at the top (typed code: no other keys)

    def call(
        self, tables: Mapping[str, Any] | None = None, sdk: str = "segment"
    ) -> tuple[segment.CallType, str]:
        """The call and table of this event's rows in `sdk`'s layout: by its name, or by the
        rule type a pull kept in its metadata (`segment.call_for_event`)."""
        rule_type = self.metadata.get(RULE_TYPE_KEY)
        return segment.call_for_event(
            self.name, tables, rule_type if isinstance(rule_type, str) else None, sdk
        )

    def target(
        self, tables: Mapping[str, Any] | None = None, sdk: str = "segment"
    ) -> tuple[segment.CallType, str, str]:
        """The call, table and model suffix of this event's rows: a named page or screen
        (a Segment PAGE/SCREEN rule keyed `Home`) is its own slice of `pages`/`screens`,
        suffix `__home` (its rows: `name = 'Home'`); any other event has suffix ""."""
        call, table = self.call(tables, sdk)
        keyed = segment.is_keyed_call(self.name, call)
        return call, table, f"__{snake_case(self.name)}" if keyed else ""

    @classmethod
    def from_body(cls, schema_id: str, body: Mapping[str, Any]) -> EventSchema:
        """From a parsed schema file (`self.name`, else the event folder)."""
        parts = schema_id.split("/")
        self_block = object_at(body, "self")
        name = self_block.get("name") or (parts[-2].replace("_", " ") if len(parts) > 1 else "")
        version = Version.try_parse(parts[-1]) or Version.try_parse(
            str(self_block.get("version", ""))
        )
        metadata = body.get("metadata")
        if not isinstance(metadata, dict):
            metadata = object_at(self_block, "metadata")
        properties = body.get("properties")
        required = body.get("required")
        return cls(
            schema_id=schema_id,
            name=str(name),
            version=version or Version(1, 0),
            description=str(body.get("description") or ""),
            metadata=metadata,
            properties=properties if isinstance(properties, dict) else {},
            required=tuple(str(name) for name in required if isinstance(name, str))
            if isinstance(required, list)
            else (),
            closed=body.get("additionalProperties") is False,
        )


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
