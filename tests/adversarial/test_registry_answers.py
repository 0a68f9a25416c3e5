"""No tracebacks for registry answers: every malformed answer is one clear error (exit 3).

The cases of issue 8 one by one (a rule key that is a number, `pagination` a string, a plan
without `id`, answers nested 5,000 deep, Avo `tags` that are not a list, ...), then
hypothesis mutations of a valid Segment rules page and a valid Avo export, all through
`reflekt pull` / `reflekt diff` against hostile local servers (network_support). Asserted:
the exit code is 0-3, no traceback, the message names the registry, the endpoint and the
offending field, nothing is written outside the project and a failed run changes no file.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from network_support import (
    AVO_EXPORT_PATH,
    PLAN,
    HostileAvo,
    HostileSegment,
    Reply,
    avo_event,
    avo_export,
    point_at_avo,
    point_at_segment,
    rules_page,
    snapshot,
    track_rule,
)

from reflekt.cli import cli

RULES = "/tracking-plans/tp_1/rules"


@pytest.fixture(autouse=True)
def _no_real_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFLEKT_HTTP_MAX_WAIT", "0")


def _run(project, command: str, select: str):
    return CliRunner().invoke(
        cli, [command, "-s", select, "--project-dir", str(project.root)], catch_exceptions=True
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def _deep(levels: int) -> bytes:
    return b"[" * levels + b"1" + b"]" * levels


def _raw_rules(rules_json: bytes) -> Reply:
    return Reply(body=b'{"data": {"rules": [' + rules_json + b'], "pagination": {}}}')


IDENTIFY = {
    "type": "IDENTIFY",
    "version": 1,
    "jsonSchema": {"properties": {"traits": {"properties": {"email": {"type": ["string"]}}}}},
}

SEGMENT_CASES: dict[str, tuple[Any, str]] = {
    "key is a number": (
        rules_page([track_rule(5)], total=1, next_cursor=None),
        "`data.rules[0].key` is a number (5), expected a string",
    ),
    "key is a list": (
        rules_page([track_rule(["Cart", "Viewed"])], total=1, next_cursor=None),
        "`data.rules[0].key` is a list",
    ),
    "key is an object": (
        rules_page([track_rule({"a": 1})], total=1, next_cursor=None),
        "`data.rules[0].key` is an object",
    ),
    "pagination is a string": (
        Reply(body={"data": {"rules": [track_rule()], "pagination": "next page please"}}),
        '`data.pagination` is a string ("next page please"), expected an object',
    ),
    "next is an object": (
        Reply(body={"data": {"rules": [track_rule()], "pagination": {"next": {"a": 1}}}}),
        "`data.pagination.next` is an object",
    ),
    "data.rules is an object": (
        Reply(body={"data": {"rules": {"0": track_rule()}, "pagination": {}}}),
        "`data.rules` is an object",
    ),
    "type is a list": (
        rules_page([{**track_rule(), "type": ["TRACK"]}], total=1, next_cursor=None),
        '`data.rules[0].type` is a list (["TRACK"])',
    ),
    "description is an object": (
        rules_page([track_rule(description={"a": 1})], total=1, next_cursor=None),
        "`data.rules[0] (TRACK 'Cart Viewed').jsonSchema.description` is an object",
    ),
    "required is a string": (
        rules_page(
            [track_rule(properties={"properties": {"type": "object", "required": "cart_id"}})],
            total=1,
            next_cursor=None,
        ),
        "jsonSchema.properties.properties.required` is a string",
    ),
    "a TRACK rule without a key": (
        rules_page([{**track_rule(), "key": None}], total=1, next_cursor=None),
        "expected the event name of a TRACK rule",
    ),
    "nested 5,000 deep": (
        _raw_rules(_deep(5000)),
        f"answer to GET {RULES} is nested deeper than 100 levels",
    ),
    "nested 150 deep": (_raw_rules(_deep(150)), "is nested 101 levels deep (at most 100)"),
    "NaN": (_raw_rules(b'{"type": "TRACK", "key": "A", "version": NaN}'), "holds NaN"),
    "a 5,000-digit number": (
        _raw_rules(b'{"type": "TRACK", "key": "A", "version": ' + b"7" * 5000 + b"}"),
        "holds a number of 5000 digits",
    ),
    "no data": (Reply(body={"rules": []}), f"answer to GET {RULES} has no `data` object"),
}


@pytest.mark.parametrize("command", ["pull", "diff"])
@pytest.mark.parametrize("case", sorted(SEGMENT_CASES))
def test_a_malformed_segment_answer_is_one_clear_error(make_project, case, command) -> None:
    reply, expected = SEGMENT_CASES[case]
    project = make_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0")  # diff compares what is local
    with HostileSegment(on_rules=lambda request: reply) as server:
        point_at_segment(project, server)
        before = snapshot(project.root)
        result = _run(project, command, "segment/shop")
    output = _flat(result.output)
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert expected in output
    assert "Segment" in output and f"GET {RULES}" in output
    assert snapshot(project.root) == before


def test_a_plan_without_an_id_is_one_clear_error(make_project) -> None:
    plans = Reply(body={"data": {"trackingPlans": [{"name": "shop", "type": "LIVE"}]}})
    project = make_project()
    with HostileSegment() as server:
        server.on_plans = lambda request: plans
        point_at_segment(project, server)
        before = snapshot(project.root)
        result = _run(project, "pull", "segment/shop")
    output = _flat(result.output)
    assert result.exit_code == 3, result.output
    assert (
        "`data.trackingPlans[0].id` is missing (or null), expected the plan's id (a string)"
        in output
    )
    assert "GET /tracking-plans" in output
    assert snapshot(project.root) == before


def _avo_with(**fields: Any) -> Reply:
    return Reply(body=avo_export([avo_event(**fields)]))


def _avo_required(value: Any) -> Reply:
    event = avo_event()
    event["rules"]["properties"]["properties"]["required"] = value
    return Reply(body=avo_export([event]))


AVO_CASES: dict[str, tuple[Reply, str]] = {
    "tags is a number": (_avo_with(tags=5), "`events[0] ('Cart Viewed').tags` is a number (5)"),
    "tags is a string": (
        _avo_with(tags="Tier 1"),
        "`events[0] ('Cart Viewed').tags` is a string (\"Tier 1\"), expected a list of strings",
    ),
    "categories is a number": (
        _avo_with(categories=7),
        "`events[0] ('Cart Viewed').categories` is a number",
    ),
    "required is a number": (
        _avo_required(3),
        "rules.properties.properties.required` is a number (3), expected a list of names",
    ),
    "required is a string": (_avo_required("cart_id"), "required` is a string"),
    "description is an object": (
        _avo_with(description={"a": 1}),
        "`events[0] ('Cart Viewed').description` is an object",
    ),
    "an event without a name": (_avo_with(name=None), "`events[0].name` is missing (or null)"),
    "events is an object": (
        Reply(body={"events": {"0": avo_event()}}),
        "has no `events` list (got an object)",
    ),
    "nested 5,000 deep": (
        Reply(body=b'{"events": ' + _deep(5000) + b"}"),
        "is nested deeper than 100 levels",
    ),
}


@pytest.mark.parametrize("command", ["pull", "diff"])
@pytest.mark.parametrize("case", sorted(AVO_CASES))
def test_a_malformed_avo_export_is_one_clear_error(make_project, case, command) -> None:
    reply, expected = AVO_CASES[case]
    project = make_project()
    project.add_schema("avo/main/Cart_Viewed/1-0")
    with HostileAvo(on_export=lambda request: reply) as server:
        point_at_avo(project, server)
        before = snapshot(project.root)
        result = _run(project, command, "avo/main")
    output = _flat(result.output)
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert expected in output
    assert f"the Avo registry's answer to GET {AVO_EXPORT_PATH}" in output
    assert snapshot(project.root) == before


def test_the_valid_answers_still_pull(make_project) -> None:
    """The checks refuse only what breaks the contract: the valid answers pull as before."""
    project = make_project()
    page = rules_page([track_rule(), IDENTIFY], total=2, next_cursor=None)
    with HostileSegment(on_rules=lambda request: page) as server:
        point_at_segment(project, server)
        result = _run(project, "pull", "segment/shop")
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    project = make_project(folder="avo_project")
    with HostileAvo() as server:
        point_at_avo(project, server)
        result = _run(project, "pull", "avo/main")
    assert result.exit_code == 0, result.output
    body = project.read_json("schemas/avo/main/Cart_Viewed/1-0.json")
    assert body["metadata"] == {"tags": ["Tier 1"], "categories": ["Cart"]}
    assert body["required"] == ["cart_id"]


# -- hypothesis: mutations of valid answers -----------------------------------------------------

SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-"  # names: test_names.py
RAW = "§RAW§"  # a marker for raw JSON text that json.dumps cannot produce
RAW_TEXTS = [_deep(40).decode(), _deep(150).decode(), _deep(3000).decode(), "NaN", "1e999"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.text(SAFE, max_size=8)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(SAFE, min_size=1, max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
replacements = json_values | st.sampled_from(range(len(RAW_TEXTS))).map(lambda i: f"{RAW}{i}")


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, sub in value.items():
            out.extend(_paths(sub, (*prefix, key)))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            out.extend(_paths(sub, (*prefix, index)))
    return out


def _mutate(answer: Any, path: tuple, op: str, value: Any) -> bytes:
    mutated = copy.deepcopy(answer)
    if not path:
        mutated = value
    else:
        parent = mutated
        for step in path[:-1]:
            parent = parent[step]
        if op == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    text = json.dumps(mutated, ensure_ascii=False)
    for index, raw in enumerate(RAW_TEXTS):
        text = text.replace(f'"{RAW}{index}"', raw)
    return text.encode()


SEGMENT_ANSWER = {
    "data": {
        "rules": [track_rule(labels={"team": "cart"}), IDENTIFY],
        "pagination": {"current": "MA==", "totalEntries": 2},
    }
}
SEGMENT_PLANS = {"data": {"trackingPlans": [PLAN], "pagination": {"current": "MA=="}}}
AVO_ANSWER = avo_export()
MUTATIONS = st.sampled_from(["replace", "delete"])


def _outside(tmp_path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name not in ("project", "home"))


def _check_run(project, tmp_path, outside, command: str, select: str, allowed: str) -> None:
    before = snapshot(project.root)
    result = _run(project, command, select)
    assert result.exit_code in (0, 1, 2, 3), result.output
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    after = snapshot(project.root)
    if result.exit_code != 0:
        assert after == before, result.output
    changed = {path for path in after if before.get(path) != after[path]}
    assert all(path.startswith(allowed) for path in changed), changed
    assert set(before) <= set(after)  # a pull never deletes a file
    assert _outside(tmp_path) == outside


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    target=st.sampled_from(["rules", "plans"]),
    data=st.data(),
    op=MUTATIONS,
    value=replacements,
)
def test_mutated_segment_answers_never_crash(
    make_project, tmp_path, target, data, op, value
) -> None:
    answer = SEGMENT_ANSWER if target == "rules" else SEGMENT_PLANS
    path = data.draw(st.sampled_from(_paths(answer)), label="path")
    body = _mutate(answer, path, op, value)
    project = _shared_project(make_project, tmp_path, "segment")
    outside = _outside(tmp_path)
    with HostileSegment() as server:
        if target == "rules":
            server.on_rules = lambda request: Reply(body=body)
        else:
            server.on_plans = lambda request: Reply(body=body)
        point_at_segment(project, server)
        _check_run(project, tmp_path, outside, "pull", "segment/shop", "schemas/segment/shop/")
        _check_run(project, tmp_path, outside, "diff", "segment/shop", "\0nothing")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), op=MUTATIONS, value=replacements)
def test_mutated_avo_exports_never_crash(make_project, tmp_path, data, op, value) -> None:
    path = data.draw(st.sampled_from(_paths(AVO_ANSWER)), label="path")
    body = _mutate(AVO_ANSWER, path, op, value)
    project = _shared_project(make_project, tmp_path, "avo")
    outside = _outside(tmp_path)
    with HostileAvo(on_export=lambda request: Reply(body=body)) as server:
        point_at_avo(project, server)
        _check_run(project, tmp_path, outside, "pull", "avo/main", "schemas/avo/main/")
        _check_run(project, tmp_path, outside, "diff", "avo/main", "\0nothing")


_PROJECTS: dict[tuple[str, str], Any] = {}


def _shared_project(make_project, tmp_path, kind: str):
    """One project per test (hypothesis runs many examples in one test call)."""
    key = (str(tmp_path), kind)
    if key not in _PROJECTS:
        _PROJECTS.clear()
        _PROJECTS[key] = make_project()
        _PROJECTS[key].add_schema(f"{kind}/{'shop' if kind == 'segment' else 'main'}/Local/1-0")
    return _PROJECTS[key]
