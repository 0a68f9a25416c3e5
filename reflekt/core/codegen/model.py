"""The selected schemas as language-neutral event types: what every emitter generates from.

One `CodeEvent` per event folder (`segment/ecommerce/Cart_Viewed`), from its newest version
in the selection, or one per major version with `--version-policy all`. Its properties are a
`TypeNode` tree read from the JSON Schema by `type_of`, which understands what real plans
hold: `type` lists (`["string", "null"]`), `enum`/`const`, nested objects and arrays,
`anyOf`/`oneOf`, `additionalProperties`/`patternProperties`. What it cannot express as a
type (`allOf`, `$ref`, `not`, a schema nested deeper than `MAX_DEPTH`) becomes `AnyType`
with a note, never an error: the code still compiles and accepts what the schema does.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from reflekt.core.build import segment
from reflekt.core.build.events import newest_first
from reflekt.core.schemas import Version

if TYPE_CHECKING:
    from reflekt.core.build.events import EventSchema

MAX_DEPTH = 24  # nesting kept as types; deeper parts are AnyType (bounded work and output)

CallKind = Literal["track", "identify", "page", "screen", "group"]
ScalarKind = Literal["string", "number", "integer", "boolean", "null"]
JsonScalar = str | int | float | bool | None
VersionPolicy = Literal["newest", "all"]

# Keywords whose value is noted in the doc comment (bounds and patterns no type can say).
NOTED_KEYWORDS = (
    "format",
    "pattern",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "default",
)


@dataclass(frozen=True)
class Doc:
    """What a doc comment says: the description, then one note per noted keyword."""

    description: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scalar:
    kind: ScalarKind


@dataclass(frozen=True)
class Literals:
    """`enum` or `const`: exactly these JSON scalars."""

    values: tuple[JsonScalar, ...]


@dataclass(frozen=True)
class ArrayType:
    items: TypeNode


@dataclass(frozen=True)
class UnionType:
    options: tuple[TypeNode, ...]


@dataclass(frozen=True)
class AnyType:
    """Any JSON value: the schema allows what no type here says."""


@dataclass(frozen=True)
class Field:
    wire: str  # the property's name in the payload, exactly as the schema spells it
    type: TypeNode
    required: bool
    doc: Doc = Doc()


@dataclass(frozen=True)
class ObjectType:
    """An object with known fields; `extra` when other keys are allowed too (JSON Schema's
    default, unless `additionalProperties: false`)."""

    fields: tuple[Field, ...] = ()
    extra: bool = True


TypeNode = Scalar | Literals | ArrayType | UnionType | AnyType | ObjectType


@dataclass(frozen=True)
class CodeEvent:
    """One event to generate a type and a wrapper for."""

    wire_name: str  # what the call sends: `track("Cart Viewed")`, `page("Home")`
    call: CallKind
    keyed: bool  # a named page()/screen() (Segment rule `Home`): the name is sent too
    schema_id: str  # the version it was generated from
    version: Version
    folder: str  # the event folder, `segment/ecommerce/Cart_Viewed`
    properties: ObjectType
    doc: Doc = Doc()
    major: int | None = None  # set with `--version-policy all`: one type per major version
    # What names this event's section of a generated file and the `--check` report: the
    # wire name (`Cart Viewed`, `Cart Viewed v2` by major), with the folder when two
    # selected folders send the same name.
    key: str = ""


def code_events(
    schemas: Iterable[EventSchema], policy: VersionPolicy = "newest"
) -> list[CodeEvent]:
    """The events to generate, sorted by key: per event folder its newest version, or with
    policy `all` the newest version of each major."""
    folders: dict[str, list[EventSchema]] = {}
    for schema in schemas:
        folders.setdefault(schema.schema_id.rsplit("/", 1)[0], []).append(schema)
    events: list[CodeEvent] = []
    for folder, group in sorted(folders.items()):
        versions = newest_first(group)
        if policy == "newest":
            events.append(_event(folder, versions[0], None))
            continue
        majors: dict[int, EventSchema] = {}
        for schema in versions:
            majors.setdefault(schema.version.major, schema)
        events.extend(_event(folder, schema, major) for major, schema in sorted(majors.items()))
    return _keyed(events)


def _keyed(events: Sequence[CodeEvent]) -> list[CodeEvent]:
    """Each event with its unique key, sorted by it."""

    def base(event: CodeEvent) -> str:
        return event.wire_name if event.major is None else f"{event.wire_name} v{event.major}"

    counts = Counter(base(event) for event in events)
    keyed = [
        replace(
            event,
            key=base(event) if counts[base(event)] == 1 else f"{base(event)} ({event.folder})",
        )
        for event in events
    ]
    return sorted(keyed, key=lambda event: (event.key, event.folder))


def _event(folder: str, schema: EventSchema, major: int | None) -> CodeEvent:
    call, _table = schema.call()
    body = {
        "properties": schema.properties,
        "required": list(schema.required),
        "additionalProperties": not schema.closed,
    }
    properties = _object(body, schema.properties, 0)
    return CodeEvent(
        wire_name=schema.name,
        call=call.name,  # type: ignore[arg-type]
        keyed=segment.is_keyed_call(schema.name, call),
        schema_id=schema.schema_id,
        version=schema.version,
        folder=folder,
        properties=properties,
        doc=Doc(schema.description, _metadata_notes(schema.metadata)),
        major=major,
    )


def _metadata_notes(metadata: Mapping[str, Any]) -> tuple[str, ...]:
    """`code_owner: team` lines for the event's doc comment (scalar metadata only)."""
    return tuple(
        f"{key}: {value}"
        for key, value in sorted(metadata.items())
        if isinstance(key, str) and isinstance(value, (str, int, float, bool))
    )


def type_of(spec: Any, depth: int = 0) -> TypeNode:
    """The type a JSON Schema (sub)schema allows."""
    if not isinstance(spec, Mapping) or depth > MAX_DEPTH:
        return AnyType()
    if "const" in spec:
        return _literals([spec["const"]])
    enum = spec.get("enum")
    if isinstance(enum, list) and enum:
        return _literals(enum)
    for key in ("anyOf", "oneOf"):
        options = spec.get(key)
        if isinstance(options, list) and options:
            base = {k: v for k, v in spec.items() if k not in ("anyOf", "oneOf")}
            return _union(
                [
                    type_of({**base, **o} if isinstance(o, Mapping) else o, depth + 1)
                    for o in options
                ]
            )
    if any(key in spec for key in ("allOf", "$ref", "not")):
        return AnyType()
    declared = spec.get("type")
    kinds = declared if isinstance(declared, list) else [declared] if declared else []
    kinds = [kind for kind in kinds if isinstance(kind, str)]
    if not kinds:
        if "properties" in spec:
            kinds = ["object"]
        elif "items" in spec:
            kinds = ["array"]
        else:
            return AnyType()
    return _union([_of_kind(kind, spec, depth) for kind in dict.fromkeys(kinds)])


def _of_kind(kind: str, spec: Mapping[str, Any], depth: int) -> TypeNode:
    if kind in ("string", "number", "integer", "boolean", "null"):
        return Scalar(kind)  # type: ignore[arg-type]
    if kind == "array":
        items = spec.get("items")
        if isinstance(items, list):  # draft-04 tuple form: any of its item schemas
            return ArrayType(
                _union([type_of(item, depth + 1) for item in items]) if items else AnyType()
            )
        return ArrayType(type_of(items, depth + 1) if isinstance(items, Mapping) else AnyType())
    if kind == "object":
        properties = spec.get("properties")
        return _object(spec, properties if isinstance(properties, Mapping) else {}, depth)
    return AnyType()


def _object(spec: Mapping[str, Any], properties: Mapping[str, Any], depth: int) -> ObjectType:
    required = spec.get("required")
    required_names = (
        {name for name in required if isinstance(name, str)}
        if isinstance(required, list)
        else set()
    )
    fields = tuple(
        Field(
            wire=str(name),
            type=type_of(sub, depth + 1),
            required=name in required_names,
            doc=doc_of(sub),
        )
        for name, sub in properties.items()
    )
    additional = spec.get("additionalProperties", True)
    extra = additional is not False or bool(spec.get("patternProperties"))
    return ObjectType(fields, extra)


def doc_of(spec: Any) -> Doc:
    """The description and noted keywords of a (sub)schema."""
    if not isinstance(spec, Mapping):
        return Doc()
    description = spec.get("description")
    notes = tuple(f"{key}: {_note_value(spec[key])}" for key in NOTED_KEYWORDS if key in spec)
    return Doc(description if isinstance(description, str) else "", notes)


def _note_value(value: Any) -> str:
    import json

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:199] + "…"


def _literals(values: Sequence[Any]) -> TypeNode:
    """JSON scalars as literals; a non-scalar or non-finite value (an object in an enum)
    makes the whole type AnyType, since no literal type says it."""
    kept: list[JsonScalar] = []
    for value in values:
        if isinstance(value, float) and not math.isfinite(value):
            return AnyType()
        if value is not None and not isinstance(value, (str, int, float, bool)):
            return AnyType()
        if not any(type(value) is type(seen) and value == seen for seen in kept):
            kept.append(value)
    return Literals(tuple(kept))


def _union(options: Sequence[TypeNode]) -> TypeNode:
    """One option as itself; AnyType absorbs the rest; duplicates dropped."""
    flat: list[TypeNode] = []
    for option in options:
        parts = option.options if isinstance(option, UnionType) else (option,)
        for part in parts:
            if isinstance(part, AnyType):
                return AnyType()
            if part not in flat:
                flat.append(part)
    if not flat:
        return AnyType()
    return flat[0] if len(flat) == 1 else UnionType(tuple(flat))
