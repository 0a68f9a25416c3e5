"""Which shared definition a change comes from: `reflekt diff` names it.

Why: when `common/products/1-0.json` changes, every event that references it changes; the
user must see that the cause is the definition, not twenty separate edits. A schema read
with its `$ref`s inlined knows where each inlined part came from (`Resolution.origins`,
JSON paths); a change names the innermost definition holding its property path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from reflekt.core.diff.changes import Change
from reflekt.core.jsonpath import ITEMS, JsonPath, property_steps


def property_path(at: JsonPath) -> str | None:
    """The diff's path of a JSON path: `properties/products/items/properties/sku` ->
    `products[].sku`; None when it leads somewhere the diff names no property (`anyOf`)."""
    steps, whole = property_steps(at)
    if not whole or any(type(step) is int for step in steps):
        return None
    parts: list[str] = []
    for step in steps:
        if step is ITEMS:
            parts[-1] += "[]"
        else:
            parts.append(str(step))
    return ".".join(parts)


def property_origins(origins: Mapping[JsonPath, str]) -> dict[str, str]:
    """The origins by the diff's property paths (those it can name)."""
    named: dict[str, str] = {}
    for at, ref in origins.items():
        path = property_path(at)
        if path is not None:
            named[path] = ref
    return named


def _covers(origin: str, path: str) -> bool:
    if not origin:
        return True
    return path == origin or path.startswith((origin + ".", origin + "[]"))


def with_causes(changes: Iterable[Change], origins: Mapping[JsonPath, str]) -> tuple[Change, ...]:
    """`changes`, each naming the shared definition its path is in (the longest origin)."""
    named = property_origins(origins)
    if not named:
        return tuple(changes)
    ordered = sorted(named, key=len, reverse=True)
    out: list[Change] = []
    for change in changes:
        cause = next((named[o] for o in ordered if _covers(o, change.path)), None)
        if cause is None:
            out.append(change)
            continue
        where = "the shared definition" if cause.startswith("common/") else "the definition"
        message = f"{change.message} (from {where} {cause})"
        out.append(replace(change, cause=cause, message=message))
    return tuple(out)
