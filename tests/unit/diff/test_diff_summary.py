"""`DiffReport.tally` / `summary_line`: the counts in the words of `EventDiff.outcome`
(issue 13 #20), so a correctly bumped MAJOR change is not counted as "compatible"."""

from __future__ import annotations

import copy

from reflekt.core.diff import DiffReport, event_diff
from reflekt.core.schemas import Version, new_schema_body

PROPS = {"cart_id": {"type": "string", "description": "The cart."}}


def _body(version: str, *, required: tuple[str, ...] = (), description: str = "The cart.") -> dict:
    body = new_schema_body(
        f"segment/shop/Cart_Viewed/{version}.json",
        vendor="com.example",
        name="Cart Viewed",
        version=version,
        description="Viewed.",
        properties={"cart_id": {"type": "string", "description": description}},
    )
    body["required"] = list(required)
    return copy.deepcopy(body)


def _event(key: str, local: str, base: str, **change) -> object:
    v = Version.parse
    return event_diff(key, key, (v(local), _body(local, **change)), (v(base), _body(base)))


def test_the_summary_says_what_needs_a_bump_and_what_is_fine():
    events = (
        _event("a", "1-0", "1-0", required=("cart_id",)),  # MAJOR, not bumped
        _event("b", "1-1", "1-0", required=("cart_id",)),  # MAJOR, bumped too little
        _event("c", "2-0", "1-0", required=("cart_id",)),  # MAJOR, bumped: OK
        _event("d", "1-0", "1-0", description="Another."),  # documentation only
        _event("e", "1-0", "1-0"),  # unchanged
    )
    report = DiffReport("git:main", events)

    assert [words for words, _ in report.tally()] == [
        "2 need a MAJOR version bump",
        "1 bumped correctly (MAJOR)",
        "1 documentation only",
        "1 unchanged",
    ]
    assert [verdict for _, verdict in report.tally()] == [
        "breaking",
        "compatible",
        "compatible",
        "unchanged",
    ]
    assert report.summary_line() == (
        "Compared 5 events with git:main: 2 need a MAJOR version bump, "
        "1 bumped correctly (MAJOR), 1 documentation only, 1 unchanged."
    )
    assert report.summary()["compatible"] == 2  # the counts by verdict are unchanged
    assert report.to_dict()["summary_line"] == report.summary_line()


def test_an_empty_report_has_nothing_to_compare():
    assert DiffReport("segment/shop").summary_line() == (
        "Compared 0 events with segment/shop: nothing to compare."
    )
