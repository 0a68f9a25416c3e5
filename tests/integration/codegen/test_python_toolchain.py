"""The generated Python package with the real tools: `mypy --strict` accepts it and the right
calls, rejects the wrong ones by their error codes, and the wrappers send through the real
segment-analytics-python Client to a local stand-in for Segment's tracking API."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from python_codegen_support import (
    EVIL,
    demo_events,
    hostile_events,
    run_mypy,
    write_package,
)
from typescript_support import clash_events, versioned_clash_events
from typescript_toolchain_support import TrackingApi

from reflekt.core.codegen import python
from reflekt.core.escape import python_string

pytest.importorskip("segment.analytics")

GOOD_USAGE = '''\
from typing import Any

import demo_tracking
import demo_validated
import hostile_tracking
from segment.analytics import Client  # type: ignore[import-untyped]


class Recorder:
    """Any object with the five calls is a client."""

    def track(self, **kwargs: object) -> None: ...
    def identify(self, **kwargs: object) -> None: ...
    def group(self, **kwargs: object) -> None: ...
    def page(self, **kwargs: object) -> None: ...
    def screen(self, **kwargs: object) -> None: ...


def main(client: Any) -> None:
    demo_tracking.set_client(Client("key", host="http://127.0.0.1:1", sync_mode=True))
    demo_tracking.set_client(Recorder())
    demo_tracking.set_client(None)
    demo_validated.set_violation_handler(lambda violations: print(violations[0].path))
    demo_tracking.cart_viewed(
        {"cart_id": "c", "products": [{"product_id": "p", "price": 1, "quantity": 2}]},
        user_id="u",
    )
    demo_tracking.identify({"email": "e"}, user_id="u")
    demo_tracking.identify(user_id="u")
    demo_tracking.page({"title": "t"}, name="Home", anonymous_id="a")
    demo_tracking.product_list_filtered(
        {"list_id": "l", "filters": [{"type": "t", "value": "v"}]}, user_id="u"
    )
    hostile_tracking.group({"name": "n"}, group_id="g", user_id="u")
    hostile_tracking.home_2({"x": 1}, anonymous_id="a", extra_properties={"k": [1, {"a": None}]})
    hostile_tracking.class_(
        {"class": "c", "nested": {"class": "n"}, "order id": "o", "mixed enum": 1.5,
         "const": __CONST__},
        user_id="u",
    )
    props: hostile_tracking.ClassProperties = {"class": "c", "nested": {"class": "n"}}
    hostile_tracking.class_(props, user_id="u")
'''

# Each line ends with the mypy error code it must give (a wrong item of an optional
# `X | None` argument is an arg-type error: mypy cannot say which union member was meant).
BAD_USAGE = """\
import demo_tracking
import hostile_tracking


class Incomplete:
    def track(self, **kwargs: object) -> None: ...


demo_tracking.cart_viewed({"cart_id": 1}, user_id="u")  # expect: typeddict-item
demo_tracking.cart_viewed({}, user_id="u")  # expect: typeddict-item
demo_tracking.cart_viewed({"cart_id": "c"}, user_id=5)  # expect: arg-type
demo_tracking.cart_viewed({"cart_id": "c", "nope": 1}, user_id="u")  # expect: typeddict-unknown-key
demo_tracking.cart_viewed({"cart_id": "c"}, event="x")  # expect: call-arg
demo_tracking.set_client(Incomplete())  # expect: arg-type
demo_tracking.page({"title": 1}, user_id="u")  # expect: arg-type
hostile_tracking.group({"name": "n"}, user_id="u")  # expect: call-arg
hostile_tracking.class_({"class": "c", "nested": {"class": "n"}, "floats": "no"}, user_id="u")  # expect: typeddict-item
hostile_tracking.class_({"class": "c", "nested": {}}, user_id="u")  # expect: typeddict-item
"""


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo and hostile packages, once per SDK choice, and the usage examples."""
    folder = tmp_path_factory.mktemp("python_code")
    hostile = hostile_events()
    write_package(demo_events(), folder, "demo_tracking")
    write_package(hostile, folder, "hostile_tracking")
    write_package(hostile, folder, "hostile_rudder", "rudder")
    write_package(hostile, folder, "hostile_types", "none")
    write_package(hostile, folder, "hostile_validated", validate=True)
    write_package(demo_events(), folder, "demo_validated", validate=True)
    write_package(clash_events(), folder, "clash_tracking", validate=True)
    write_package(versioned_clash_events(), folder, "clash_versioned", validate=True)
    const = python_string(EVIL)
    (folder / "good_usage.py").write_text(GOOD_USAGE.replace("__CONST__", const), "utf-8")
    (folder / "bad_usage.py").write_text(BAD_USAGE, "utf-8")
    return folder


@pytest.fixture(scope="module")
def mypy_run(packages: Path) -> tuple[int, str]:
    """One `mypy --strict` run over every package and both usage files."""
    targets = ["demo_tracking", "hostile_tracking", "hostile_rudder", "hostile_types"]
    targets += ["hostile_validated", "demo_validated", "clash_tracking", "clash_versioned"]
    return run_mypy([*targets, "good_usage.py", "bad_usage.py"], packages)


def errors_by_file(output: str) -> dict[str, list[tuple[int, str, str]]]:
    found: dict[str, list[tuple[int, str, str]]] = {}
    for match in re.finditer(r"^(.+?):(\d+): error: (.*?)  \[([a-z-]+)\]$", output, re.M):
        found.setdefault(match.group(1), []).append(
            (int(match.group(2)), match.group(4), match.group(3))
        )
    return found


def test_mypy_strict_accepts_the_packages_and_right_calls(mypy_run: tuple[int, str]) -> None:
    code, output = mypy_run
    errors = errors_by_file(output)
    assert "Traceback" not in output and "crashed" not in output, output
    assert set(errors) == {"bad_usage.py"}, output  # only the wrong calls fail
    assert code == 1


def test_mypy_strict_rejects_wrong_calls_by_code(mypy_run: tuple[int, str]) -> None:
    _code, output = mypy_run
    expected = {
        number: line.rsplit("# expect: ", 1)[1]
        for number, line in enumerate(BAD_USAGE.splitlines(), 1)
        if "# expect: " in line
    }
    got: dict[int, set[str]] = {}
    for number, error_code, _message in errors_by_file(output).get("bad_usage.py", []):
        got.setdefault(number, set()).add(error_code)
    assert set(got) == set(expected), output  # every wrong line, and nothing else
    for number, error_code in expected.items():
        assert error_code in got[number], (number, output)


def test_wrappers_send_through_the_real_sdk(packages: Path, tracking_api: TrackingApi) -> None:
    hostile = hostile_events()
    evil = next(e for e in hostile if e.wire_name == EVIL)
    evil_function = python.event_names(hostile)[evil.key].function
    host = tracking_api.url
    script = f"""
import sys
sys.path.insert(0, {str(packages)!r})
from segment.analytics import Client
import demo_tracking, hostile_tracking

client = Client("test-key", host={host!r}, sync_mode=True, max_retries=0)
demo_tracking.set_client(client)
hostile_tracking.set_client(client)
demo_tracking.cart_viewed(
    {{"cart_id": "c1", "products": [{{"product_id": "p1", "price": 9.5, "quantity": 2}}]}},
    user_id="u1",
)
demo_tracking.identify({{"email": "a@example.com"}}, user_id="u1")
demo_tracking.page({{"title": "T"}}, name="Landing", anonymous_id="a1")
hostile_tracking.{evil_function}(
    {{"class": "c", "nested": {{"class": "n", "order id": "o"}}, "order id": "x\\u2028y"}},
    user_id="u2",
    extra_properties={{{python_string(EVIL)}: "untyped", "class": "loses"}},
)
hostile_tracking.group({{"name": "Acme"}}, group_id="g1", user_id="u2")
hostile_tracking.home_2({{"x": 3}}, anonymous_id="a2")
try:
    demo_tracking.cart_viewed({{"cart_id": "c"}})
except ValueError as error:
    print("refused:", error)
"""
    env = {**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "refused: user_id or anonymous_id is required"
    assert {path for path, _auth, _body in tracking_api.requests} == {"/v1/batch"}
    messages = tracking_api.messages()
    assert [(m["type"], m.get("event") or m.get("name")) for m in messages] == [
        ("track", "Cart Viewed"),
        ("identify", None),
        ("page", "Landing"),
        ("track", EVIL),
        ("group", None),
        ("page", "Home"),
    ]
    cart, identify, page, evil_track, group, home = messages
    assert cart["userId"] == "u1"
    assert cart["properties"] == {
        "cart_id": "c1",
        "products": [{"product_id": "p1", "price": 9.5, "quantity": 2}],
    }
    assert identify["traits"] == {"email": "a@example.com"} and identify["userId"] == "u1"
    assert page["properties"] == {"title": "T"} and page["anonymousId"] == "a1"
    assert evil_track["properties"] == {
        EVIL: "untyped",
        "class": "c",  # a typed key wins over the same key in extra_properties
        "nested": {"class": "n", "order id": "o"},
        "order id": "x\u2028y",
    }
    assert group["groupId"] == "g1" and group["traits"] == {"name": "Acme"}
    assert home["properties"] == {"x": 3} and home["anonymousId"] == "a2"
