"""reflekt 0.6's meta-schema (`schemas/.reflekt/meta/1-0.json`) as this project's
(`schemas/.reflekt/event-meta/1-0.json`).

0.6 declared `metadata`, `lint`, `tests` and `metrics` inside `properties.self`; here
`metadata`, `tests` and `metrics` are top-level properties of a schema and `lint` is not part
of a schema at all. The user's own rules (a required `code_owner`, an enum of teams) move with
`metadata` unchanged; whether `self` required `metadata` becomes whether the root does.
A meta-schema of another shape is moved unchanged, with a note to edit it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reflekt.core.migrate.schema import MOVED_OUT_OF_SELF, dump_like
from reflekt.core.schemas import parse_schema_text

OLD_META = ".reflekt/meta/1-0.json"
NEW_META = ".reflekt/event-meta/1-0.json"


@dataclass(frozen=True)
class ConvertedMeta:
    text: str
    changes: tuple[str, ...]
    notes: tuple[str, ...] = ()


def convert_meta(text: str) -> ConvertedMeta:
    body, problems = parse_schema_text(text)
    if body is None or problems:
        return ConvertedMeta(text, (), (f"schemas/{NEW_META}: not plain JSON, moved unchanged",))
    holder = _holder(body)
    if holder is None:
        return ConvertedMeta(
            text,
            (),
            (
                f"schemas/{NEW_META}: no `properties.self` found, moved unchanged: move "
                "`metadata`, `tests` and `metrics` out of `self` by hand",
            ),
        )
    changes: list[str] = []
    out = dict(body)
    if out.get("$id") == OLD_META:
        out["$id"] = NEW_META
        changes.append(f"$id {OLD_META} -> {NEW_META}")
    block = out.get("self")
    if isinstance(block, dict) and block.get("name") == "meta":
        out["self"] = {**block, "name": "event-meta"}
        changes.append("self.name meta -> event-meta")
    props = holder["properties"]
    self_schema = dict(props["self"])
    self_props = dict(self_schema.get("properties") or {})
    self_required = list(self_schema.get("required") or [])
    new_props: dict[str, Any] = {}
    for key, value in props.items():
        new_props[key] = value
        if key != "self":
            continue
        for moved in MOVED_OUT_OF_SELF:
            if moved in self_props and moved not in props:
                new_props[moved] = self_props.pop(moved)
                changes.append(f"properties.self.properties.{moved} -> properties.{moved}")
        if "lint" in self_props:
            del self_props["lint"]
            changes.append("properties.self.properties.lint removed (lint.ignore now)")
    self_schema["properties"] = self_props
    moved_required = [k for k in self_required if k in (*MOVED_OUT_OF_SELF, "lint")]
    if moved_required:
        self_schema["required"] = [k for k in self_required if k not in moved_required]
        changes.append(f"properties.self.required: {', '.join(moved_required)} removed")
    new_props["self"] = self_schema
    holder_out = {**holder, "properties": new_props}
    root_moves = [k for k in moved_required if k in MOVED_OUT_OF_SELF]
    if root_moves:
        required = list(holder.get("required") or [])
        added = [k for k in root_moves if k not in required]
        holder_out["required"] = required + added
        if added:
            changes.append(f"required: {', '.join(added)} added")
    if holder is body:
        out.update({k: v for k, v in holder_out.items() if k not in ("$id", "self")})
    else:
        out["allOf"] = [holder_out if part is holder else part for part in out["allOf"]]
    return ConvertedMeta(dump_like(out, text), tuple(changes))


def _holder(body: dict[str, Any]) -> dict[str, Any] | None:
    """The object whose `properties` declare `self`: the root, or one `allOf` part (0.3's
    meta-schema combined draft-07 and its own rules that way)."""
    candidates = [body]
    if isinstance(body.get("allOf"), list):
        candidates.extend(part for part in body["allOf"] if isinstance(part, dict))
    for candidate in candidates:
        props = candidate.get("properties")
        if isinstance(props, dict) and isinstance(props.get("self"), dict):
            return candidate
    return None


def meta_is_06(text: str) -> bool:
    """Whether a meta-schema still declares `metadata` (or `lint`) inside `self`."""
    body, _ = parse_schema_text(text)
    holder = _holder(body) if body else None
    if holder is None:
        return False
    self_props = holder["properties"]["self"].get("properties")
    return isinstance(self_props, dict) and any(
        key in self_props for key in (*MOVED_OUT_OF_SELF, "lint")
    )
