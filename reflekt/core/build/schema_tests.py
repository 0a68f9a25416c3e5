"""dbt tests derived from the event schemas: what the tracking plan promises, checked in SQL.

`required` becomes `not_null`; `enum`/`const` `reflekt_accepted_values`; `minimum`/`maximum`
(and the exclusive forms, draft-4 booleans or later numbers) `reflekt_accepted_range`;
`minLength`/`maxLength` `reflekt_length_range`; `pattern` `reflekt_matches_pattern`. The
generic tests ship in the package's own `macros/` (no dbt_utils), adapter-dispatched.

Arguments are nested under `arguments:`, as dbt 1.10.5 and later read them (the top-level
form is deprecated there).

dbt's own `accepted_values` writes `'{{ value }}'` without escaping the quote, so an enum
value is never given to it: the package's macro quotes every string per adapter. Every value
from a schema is data: strings go through `escape.jinja_text` (dbt renders test arguments
with Jinja), numbers must be finite numbers, anything else (objects, mixed enums) gives no
test.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from reflekt.core import escape
from reflekt.core.build.coltypes import warehouse_family

MACROS_PATH = "macros/reflekt_schema_tests.sql"


def property_rule(
    properties: Mapping[str, Any], required: Sequence[str], path: Sequence[str]
) -> tuple[Mapping[str, Any], bool]:
    """The spec of the (flattened) property at `path`, and whether it is required: every
    object on the way must be required too (else a missing parent leaves the column null)."""
    spec: Mapping[str, Any] = {"properties": properties, "required": list(required)}
    is_required = True
    for name in path:
        children = spec.get("properties")
        names = spec.get("required")
        is_required = is_required and isinstance(names, list) and name in names
        child = children.get(name) if isinstance(children, dict) else None
        spec = child if isinstance(child, dict) else {}
    return spec, is_required


def _number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and (isinstance(value, int) or math.isfinite(value))
    )


def _length(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _values(spec: Mapping[str, Any]) -> list[Any] | None:
    """The accepted values as test arguments (strings escaped for dbt's Jinja)."""
    values = accepted_values(spec)
    if values is not None and all(isinstance(value, str) for value in values):
        return [escape.jinja_text(value) for value in values]
    return values


def accepted_values(spec: Mapping[str, Any]) -> list[Any] | None:
    """The accepted values of `enum` (or `const`), all strings or all numbers/booleans;
    None when the property has neither, or mixes kinds (no test can compare those)."""
    if "const" in spec:
        raw: Any = [spec["const"]]
    elif isinstance(spec.get("enum"), list):
        raw = spec["enum"]
    else:
        return None
    values = [value for value in raw if value is not None]  # null: not_null's business
    if not values:
        return None
    if all(isinstance(value, str) for value in values):
        return values
    if all(_number(value) or isinstance(value, bool) for value in values):
        return values
    return None


def bounds(spec: Mapping[str, Any]) -> dict[str, Any]:
    """`min_value`/`max_value` and `exclusive_min`/`exclusive_max` of a number property."""
    args: dict[str, Any] = {}
    for key, bound, strict in (
        ("minimum", "min_value", "exclusiveMinimum"),
        ("maximum", "max_value", "exclusiveMaximum"),
    ):
        exclusive = spec.get(strict)
        if _number(exclusive):  # draft 6+: the exclusive bound itself
            args[bound] = exclusive
            args[f"exclusive_{bound[:3]}"] = True
        elif _number(spec.get(key)):
            args[bound] = spec[key]
            if exclusive is True:  # draft 4: a flag on minimum/maximum
                args[f"exclusive_{bound[:3]}"] = True
    return args


def _numeric_column(data_type: str) -> bool:
    """False when the warehouse column is known not to hold numbers (a number stored as text
    would make `total > 100` an SQL error, not a finding: the drift report names it)."""
    return warehouse_family(data_type) in (None, "integer", "number")


def length_bounds(spec: Mapping[str, Any]) -> dict[str, int]:
    """`min_length`/`max_length` of a string property."""
    return {
        bound: spec[key]
        for key, bound in (("minLength", "min_length"), ("maxLength", "max_length"))
        if _length(spec.get(key))
    }


def derived_tests(
    spec: Mapping[str, Any],
    required: bool,
    severity: str,
    user_tests: Sequence[Any] = (),
    data_type: str = "",
) -> tuple[Any, ...]:
    """The dbt tests (YAML data, strings already escaped) the property's schema implies;
    () with `severity` off. A `not_null` the user configured in `docs.tests` is not repeated.
    Numeric tests (ranges, numeric enums) need a column of a numeric `data_type` (or an
    unknown one); string tests cast the column to text, so any column takes them."""
    if severity == "off":
        return ()
    numeric = _numeric_column(data_type)
    config = {"config": {"severity": severity}}
    tests: list[Any] = []
    user_names = {
        test if isinstance(test, str) else next(iter(test), "")
        for test in user_tests
        if isinstance(test, str | dict)
    }
    if required and "not_null" not in user_names:
        tests.append({"not_null": dict(config)})
    values = _values(spec)
    if values is not None and (numeric or all(isinstance(value, str) for value in values)):
        tests.append({"reflekt_accepted_values": {"arguments": {"values": values}, **config}})
    bounds_args = bounds(spec) if numeric else {}
    if bounds_args:
        tests.append({"reflekt_accepted_range": {"arguments": bounds_args, **config}})
    lengths = length_bounds(spec)
    if lengths:
        tests.append({"reflekt_length_range": {"arguments": lengths, **config}})
    if isinstance(spec.get("pattern"), str):
        pattern = escape.jinja_text(spec["pattern"])
        tests.append({"reflekt_matches_pattern": {"arguments": {"pattern": pattern}, **config}})
    return tuple(tests)
