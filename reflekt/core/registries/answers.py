"""Shape checks of registry answers, at the boundary: clean values in, or one clear error.

Why: a registry answer is outside content. The conversions after this point assume the shapes
of the documented contracts (reference/registry-contracts.md); an answer that breaks them
(a rule key that is a number, `pagination` a string, `data.rules` an object, Avo `tags` a
string, an answer nested 5,000 deep) must end as a RegistryError naming the registry, the
endpoint and what was wrong (exit 3), never as a traceback, a silently dropped event, a list
of characters or a description stored as `"{'a': 1}"`.

- `decode_json(content, registry, where, not_json)`: JSON text -> value. Refuses NaN and
  Infinity, numbers of more than `MAX_DIGITS` digits and nesting deeper than `MAX_DEPTH`.
- Segment: `segment_data(body, where)`, `segment_page(data, key, where) -> Page`,
  `segment_plan(item, index, where)`, `segment_rule(item, index, where)`.
- Avo: `avo_export(body, where)`.

Each check returns the value it was given (the shapes are only checked, never rewritten), so
what a registry sends and what Reflekt converts stay the same object.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reflekt.core.errors import AnswerShapeError, RegistryError
from reflekt.core.strictjson import nesting_depth

MAX_DEPTH = 100  # real plans nest about 10 levels; the conversions recurse on this
MAX_DIGITS = 100  # a number longer than this is not a schema keyword's value
SEGMENT_RULE_TYPES = ("COMMON", "GROUP", "IDENTIFY", "PAGE", "SCREEN", "TRACK", "ALIAS")
SHOWN = 60  # characters of an offending value shown in a message


def _refuse_constant(name: str) -> Any:
    raise _BadNumber(f"{name}, which is not JSON")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _BadNumber(f"a number of {len(text.lstrip('-'))} digits")
    return int(text)


def _bounded_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _BadNumber(f"the number {_shown(text)}, too large for a float")
    return value


class _BadNumber(ValueError):
    pass


def decode_json(
    content: bytes | str,
    registry: str,
    where: str,
    not_json: Callable[[], RegistryError] | None,
) -> Any:
    """Decode a JSON answer; `not_json()` is raised when it is not JSON at all."""
    try:
        value = json.loads(
            content,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
        )
    except _BadNumber as exc:
        raise AnswerShapeError(_where(registry, where) + f" holds {exc}") from None
    except RecursionError:
        raise AnswerShapeError(
            _where(registry, where) + f" is nested deeper than {MAX_DEPTH} levels"
        ) from None
    except ValueError:  # also UnicodeDecodeError
        if not_json is None:
            raise
        raise not_json() from None
    depth = nesting_depth(value, stop_at=MAX_DEPTH)
    if depth > MAX_DEPTH:
        raise AnswerShapeError(
            _where(registry, where) + f" is nested {depth} levels deep (at most {MAX_DEPTH})"
        )
    return value


# -- messages ---------------------------------------------------------------------------------


def _where(registry: str, where: str) -> str:
    return f"the {registry} registry's answer to {where}" if where else f"a {registry} answer"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # pragma: no cover - JSON has no other kinds


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True, default=str)
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def _bad(registry: str, where: str, path: str, value: Any, expected: str) -> AnswerShapeError:
    got = "missing (or null)" if value is None else f"{_kind(value)} ({_shown(value)})"
    return AnswerShapeError(
        f"{_where(registry, where)} is not what Reflekt can read: `{path}` is {got}, "
        f"expected {expected}",
        hint=f"the {registry} API may have changed, or the api_url is not the registry's; "
        "run with --verbose to see the requests",
    )


def _expect(ok: bool, registry: str, where: str, path: str, value: Any, expected: str) -> None:
    if not ok:
        raise _bad(registry, where, path, value, expected)


def _optional_str(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _optional_dict(value: Any) -> bool:
    return value is None or isinstance(value, dict)


def _str_list(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _schema_map(value: Any) -> bool:
    """`properties`: an object of sub-schemas (objects, or the boolean schemas true/false)."""
    return value is None or (
        isinstance(value, dict) and all(isinstance(v, dict | bool) for v in value.values())
    )


def _additional(value: Any) -> bool:
    return value is None or isinstance(value, bool | dict)


def _section(registry: str, where: str, path: str, section: Any) -> None:
    """A JSON Schema object section: `properties`, `required`, `additionalProperties`."""
    _expect(_optional_dict(section), registry, where, path, section, "an object")
    if not section:
        return
    props = section.get("properties")
    _expect(
        _schema_map(props),
        registry,
        where,
        f"{path}.properties",
        props,
        "an object of property schemas",
    )
    required = section.get("required")
    _expect(_str_list(required), registry, where, f"{path}.required", required, "a list of names")
    extra = section.get("additionalProperties")
    _expect(
        _additional(extra),
        registry,
        where,
        f"{path}.additionalProperties",
        extra,
        "true, false or a schema",
    )


# -- Segment ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a Segment listing: its items, `pagination.totalEntries` and `.next`."""

    items: list[Any]
    total: int | None
    next: str | None


def segment_data(body: Any, where: str) -> dict[str, Any]:
    """The `data` object of a Segment answer."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        got = body.get("data") if isinstance(body, dict) else body
        raise AnswerShapeError(
            f"{_where('Segment', where)} has no `data` object (got {_kind(got)})",
            hint="check the api_url: it must be the Public API (https://api.segmentapis.com)",
        )
    return body["data"]


def segment_page(data: dict[str, Any], key: str, where: str) -> Page:
    """`data.<key>` (a list) and `data.pagination` of a paginated Segment answer."""
    items = data.get(key)
    _expect(
        items is None or isinstance(items, list), "Segment", where, f"data.{key}", items, "a list"
    )
    pagination = data.get("pagination")
    _expect(
        _optional_dict(pagination), "Segment", where, "data.pagination", pagination, "an object"
    )
    pagination = pagination or {}
    cursor = pagination.get("next")
    _expect(
        _optional_str(cursor), "Segment", where, "data.pagination.next", cursor, "a cursor string"
    )
    total = pagination.get("totalEntries")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        total = None  # optional in the contract: only a guide for the page cap
    return Page(items or [], total, cursor or None)


def segment_plan(item: Any, index: int, where: str) -> dict[str, Any]:
    """A TrackingPlanV1: an object with a string `id`; `name` and `type` strings when given."""
    path = f"data.trackingPlans[{index}]"
    _expect(isinstance(item, dict), "Segment", where, path, item, "a tracking plan object")
    plan_id = item.get("id")
    _expect(
        isinstance(plan_id, str) and bool(plan_id.strip()),
        "Segment",
        where,
        f"{path}.id",
        plan_id,
        "the plan's id (a string)",
    )
    for field in ("name", "type"):
        _expect(
            _optional_str(item.get(field)),
            "Segment",
            where,
            f"{path}.{field}",
            item.get(field),
            "a string",
        )
    return item


def segment_rule(item: Any, index: int, where: str) -> dict[str, Any]:
    """A RuleV1, as far as pull, diff and push read it.

    `type` one of the rule types, `key` a string (required for TRACK), `version` a whole
    number, `jsonSchema` an object or null with `description` a string, `labels` an object
    and the `properties`/`traits` sections shaped as JSON Schema objects.
    """
    path = f"data.rules[{index}]"
    _expect(isinstance(item, dict), "Segment", where, path, item, "a rule object")
    kind = item.get("type")
    _expect(
        isinstance(kind, str) and kind.upper() in SEGMENT_RULE_TYPES,
        "Segment",
        where,
        f"{path}.type",
        kind,
        "one of " + ", ".join(SEGMENT_RULE_TYPES),
    )
    key = item.get("key")
    _expect(_optional_str(key), "Segment", where, f"{path}.key", key, "a string")
    if kind.upper() == "TRACK":
        _expect(bool(key), "Segment", where, f"{path}.key", key, "the event name of a TRACK rule")
    label = f"{path} ({kind} '{key}')" if key else f"{path} ({kind})"
    version = item.get("version")
    whole = (
        isinstance(version, int | float)
        and not isinstance(version, bool)
        and float(version).is_integer()
        and 0 <= version < 10**6
    )
    _expect(
        whole or version is None, "Segment", where, f"{label}.version", version, "a whole number"
    )
    schema = item.get("jsonSchema")
    _expect(_optional_dict(schema), "Segment", where, f"{label}.jsonSchema", schema, "an object")
    if not schema:
        return item
    base = f"{label}.jsonSchema"
    description = schema.get("description")
    _expect(
        _optional_str(description),
        "Segment",
        where,
        f"{base}.description",
        description,
        "a string",
    )
    labels = schema.get("labels")
    _expect(_optional_dict(labels), "Segment", where, f"{base}.labels", labels, "an object")
    sections = schema.get("properties")
    _expect(_optional_dict(sections), "Segment", where, f"{base}.properties", sections, "an object")
    for name in ("properties", "traits"):
        if sections:
            _section("Segment", where, f"{base}.properties.{name}", sections.get(name))
    return item


# -- Avo --------------------------------------------------------------------------------------

AVO_SECTIONS = ("properties", "userProperties", "groupProperties")


def avo_export(body: Any, where: str) -> dict[str, Any]:
    """An Avo export (jsonSchema format): `events` a list of events shaped as documented."""
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        got = body.get("events") if isinstance(body, dict) else body
        raise AnswerShapeError(
            f"{_where('Avo', where)} has no `events` list (got {_kind(got)})",
            hint="check the api_url and the branch id; the export must be the jsonSchema format",
        )
    categories = body.get("categories")
    _expect(_optional_dict(categories), "Avo", where, "categories", categories, "an object")
    for index, event in enumerate(body["events"]):
        _avo_event(event, index, where)
    return body


def _avo_event(event: Any, index: int, where: str) -> None:
    path = f"events[{index}]"
    _expect(isinstance(event, dict), "Avo", where, path, event, "an event object")
    name = event.get("name")
    _expect(
        isinstance(name, str) and bool(name.strip()),
        "Avo",
        where,
        f"{path}.name",
        name,
        "the event's name (a string)",
    )
    label = f"{path} ('{name}')"
    for field in ("description", "variantName", "eventType"):
        value = event.get(field)
        _expect(_optional_str(value), "Avo", where, f"{label}.{field}", value, "a string")
    for field in ("tags", "categories"):
        value = event.get(field)
        _expect(_str_list(value), "Avo", where, f"{label}.{field}", value, "a list of strings")
    rules = event.get("rules")
    _expect(_optional_dict(rules), "Avo", where, f"{label}.rules", rules, "an object")
    sections = (rules or {}).get("properties")
    _expect(
        _optional_dict(sections), "Avo", where, f"{label}.rules.properties", sections, "an object"
    )
    for section in AVO_SECTIONS:
        if sections:
            _section("Avo", where, f"{label}.rules.properties.{section}", sections.get(section))
