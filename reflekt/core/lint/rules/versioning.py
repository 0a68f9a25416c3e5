"""RF6xx: each version of an event compared with the previous one (built on core/diff/).

Why: the version number is a promise to the people who query the data. A MINOR bump must
stay compatible with the data already collected; a MAJOR bump should mean something broke.
"""

from __future__ import annotations

from collections.abc import Iterator

from reflekt.core.diff import MAJOR, DiffSettings, classify, diff_schemas
from reflekt.core.lint.base import EventContext, Issue, event_rule
from reflekt.core.lint.examples import bad, good


def _at(path: str) -> tuple[str, ...]:
    """JSON path of a top-level property named by a change path (best effort)."""
    if not path:
        return ()
    head = path.split(".", 1)[0].removesuffix("[]")
    return ("properties", head)


def _pairs(ctx: EventContext):
    for previous, current in ctx.pairs():
        if not isinstance(previous.body, dict) or not isinstance(current.body, dict):
            continue
        old_version, new_version = previous.schema_id.version, current.schema_id.version
        if old_version is None or new_version is None:
            continue
        yield previous, current, old_version, new_version


_CART_ID = {"type": "string", "description": "The cart's id."}
_OPTIONAL = {"properties": {"cart_id": _CART_ID}}  # `cart_id`, optional
_REQUIRED = {"properties": {"cart_id": _CART_ID}, "required": ["cart_id"]}


@event_rule(
    "RF601",
    "breaking-change-needs-major",
    summary="A MINOR version bump contains no breaking (MAJOR) change.",
    examples=(
        bad(files={"Cart_Viewed/1-0.json": _OPTIONAL, "Cart_Viewed/1-1.json": _REQUIRED}),
        good(files={"Cart_Viewed/1-0.json": _OPTIONAL, "Cart_Viewed/2-0.json": _REQUIRED}),
        good(files={"Cart_Viewed/1-0.json": _REQUIRED, "Cart_Viewed/1-1.json": _OPTIONAL}),
    ),
)
def breaking_change_needs_major(ctx: EventContext) -> Iterator[Issue]:
    """A change incompatible with earlier data needs a new MAJOR version, not a MINOR one."""
    for previous, current, old_version, new_version in _pairs(ctx):
        if new_version.major != old_version.major:
            continue
        changes = diff_schemas(previous.body, current.body, DiffSettings.of(ctx.project))
        breaking = [c for c in changes if c.change_class == MAJOR]
        if not breaking:
            continue
        first = breaking[0]
        more = f" (and {len(breaking) - 1} more)" if len(breaking) > 1 else ""
        yield Issue(
            f"{new_version} is a MINOR bump over {old_version} but has a breaking change: "
            f"{first.message}{more}; it should be {old_version.major + 1}-0",
            at=_at(first.path),
            property=first.path or None,
            suggestion=f"{old_version.major + 1}-0",
            document=current,
        )


@event_rule(
    "RF602",
    "major-bump-without-breaking-change",
    summary="A MAJOR version bump contains at least one breaking change.",
    severity="warning",
    examples=(
        bad(files={"Cart_Viewed/1-0.json": {}, "Cart_Viewed/2-0.json": _OPTIONAL}),
        good(files={"Cart_Viewed/1-0.json": {}, "Cart_Viewed/1-1.json": _OPTIONAL}),
    ),
)
def major_bump_without_breaking_change(ctx: EventContext) -> Iterator[Issue]:
    """A new MAJOR version forces consumers to migrate; compatible changes only need MINOR."""
    for previous, current, old_version, new_version in _pairs(ctx):
        if new_version.major <= old_version.major:
            continue
        changes = diff_schemas(previous.body, current.body, DiffSettings.of(ctx.project))
        if classify(changes) == MAJOR:
            continue
        kind = "no change" if not changes else "only compatible changes"
        yield Issue(
            f"{new_version} is a MAJOR bump over {old_version} with {kind}; "
            f"{old_version.major}-{old_version.minor + 1} would do",
            suggestion=f"{old_version.major}-{old_version.minor + 1}",
            document=current,
        )
