"""Bounded network: hostile registries cannot hold a pull for long, fill memory or page forever.

Each test points a real project at a hostile local server (network_support) and runs the
public entry points (`reflekt pull` through Click, or `pull()` of the core with a progress
callback). Bounds are set small through the documented `REFLEKT_HTTP_*` variables or a
`RetryPolicy`; the assertions are on exit codes, messages, announced waits and the number of
calls the server saw, never on elapsed time.
"""

from __future__ import annotations

import gzip
import os
import pty
import re
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from click.testing import CliRunner
from network_support import (
    HostileAvo,
    HostileSegment,
    Reply,
    drip_body,
    drip_headers,
    endless_body,
    point_at_avo,
    point_at_segment,
    rules_page,
    silence,
    snapshot,
    track_rule,
)

from reflekt.cli import cli
from reflekt.core.errors import RegistryError
from reflekt.core.profiles import load_profile
from reflekt.core.project import load_project
from reflekt.core.registries import RetryPolicy, pull

RULES = "/tracking-plans/tp_1/rules"


@pytest.fixture(autouse=True)
def _no_real_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries happen, but never wait; each test sets the bound it exercises."""
    for name in ("DEADLINE", "TOTAL", "TIMEOUT", "MAX_BYTES", "MAX_PAGES", "RETRIES"):
        monkeypatch.delenv(f"REFLEKT_HTTP_{name}", raising=False)
    monkeypatch.setenv("REFLEKT_HTTP_MAX_WAIT", "0")


def _pull(project, select: str = "segment/shop", *extra: str):
    return CliRunner().invoke(
        cli, ["pull", "-s", select, "--project-dir", str(project.root), *extra]
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def _failed_cleanly(result, project, before) -> str:
    """Exit 3, one message, no traceback, no file changed. Returns the flattened output."""
    output = _flat(result.output)
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert snapshot(project.root) == before
    return output


# -- an overall deadline per answer ------------------------------------------------------------


@pytest.mark.parametrize("behaviour", [drip_body, drip_headers], ids=["body", "headers"])
def test_a_dripping_server_is_cut_off_at_the_deadline(make_project, monkeypatch, behaviour) -> None:
    """One byte every 20 ms for 400 bytes would take 8 s; the deadline is 1 s."""
    monkeypatch.setenv("REFLEKT_HTTP_DEADLINE", "1")
    monkeypatch.setenv("REFLEKT_HTTP_RETRIES", "1")
    project = make_project()
    with HostileSegment(on_rules=lambda request: behaviour()) as server:
        point_at_segment(project, server)
        before = snapshot(project.root)
        output = _failed_cleanly(_pull(project), project, before)
        assert "the answer did not complete within 1s (REFLEKT_HTTP_DEADLINE)" in output
        assert "cannot reach the Segment registry" in output
        assert server.calls(RULES) == 1


def test_a_dripping_server_is_retried_within_the_call_budget(make_project, monkeypatch) -> None:
    """Deadline 1 s per answer, 1.5 s per call: a second try gets what is left, then stops."""
    monkeypatch.setenv("REFLEKT_HTTP_DEADLINE", "1")
    monkeypatch.setenv("REFLEKT_HTTP_TOTAL", "1.5")
    project = make_project()
    with HostileSegment(on_rules=lambda request: drip_body()) as server:
        point_at_segment(project, server)
        before = snapshot(project.root)
        output = _failed_cleanly(_pull(project), project, before)
        assert re.search(r"did not complete within 0\.\d+s \(REFLEKT_HTTP_TOTAL\)", output)
        assert re.search(r"\(after 2 attempts in 1\.\d s\)", output), output
        assert server.calls(RULES) == 2


# -- a cap on the answer's size ----------------------------------------------------------------


def test_an_endless_body_is_cut_at_the_size_cap(make_project, monkeypatch) -> None:
    monkeypatch.setenv("REFLEKT_HTTP_MAX_BYTES", "200000")
    project = make_project()
    with HostileSegment(on_rules=lambda request: endless_body()) as server:
        point_at_segment(project, server)
        before = snapshot(project.root)
        output = _failed_cleanly(_pull(project), project, before)
        assert f"answer to GET {RULES} is larger than 195 KiB" in output
        assert "REFLEKT_HTTP_MAX_BYTES" in output
        assert server.calls(RULES) == 1  # a size problem is not retried


def test_an_announced_huge_body_is_refused_before_reading(make_project, monkeypatch) -> None:
    monkeypatch.setenv("REFLEKT_HTTP_MAX_BYTES", "1000")
    huge = Reply(body=b"", headers={"Content-Length": str(10**12)})
    project = make_project()
    with HostileSegment(on_rules=lambda request: huge) as server:
        point_at_segment(project, server)
        before = snapshot(project.root)
        output = _failed_cleanly(_pull(project), project, before)
        assert "is larger than 1000 bytes (it announces 931 GiB)" in output


def test_a_gzip_bomb_from_avo_is_cut_at_the_size_cap(make_project, monkeypatch) -> None:
    """5 MB of spaces compress to a few KB; the cap applies to what they unpack to."""
    monkeypatch.setenv("REFLEKT_HTTP_MAX_BYTES", "100000")
    bomb = gzip.compress(b"[" + b" " * 5_000_000 + b"]")
    reply = Reply(body=bomb, headers={"Content-Encoding": "gzip"})
    project = make_project()
    with HostileAvo(on_export=lambda request: reply) as server:
        point_at_avo(project, server)
        before = snapshot(project.root)
        output = _failed_cleanly(_pull(project, "avo/main"), project, before)
        assert "the Avo registry's answer to GET /workspaces/ws1/branches/main" in output
        assert "is larger than 97.7 KiB" in output


# -- a cap on pages ----------------------------------------------------------------------------


def _endless_pages(total: int | None, cursor=lambda n: f"c{n}"):
    def on_rules(request):
        n = request.number
        return rules_page([track_rule(f"Event {n}")], total=total, next_cursor=cursor(n))

    return on_rules


def test_endless_pages_stop_where_total_entries_says(make_project) -> None:
    """totalEntries 3 with one rule a page: 3 pages, plus 2 of slack; the 6th is refused."""
    project = make_project()
    with HostileSegment(on_rules=_endless_pages(total=3)) as server:
        point_at_segment(project, server)
        before = snapshot(project.root)
        output = _failed_cleanly(_pull(project), project, before)
        assert "goes on beyond the 3 rules it announced (pagination.totalEntries)" in output
        assert server.calls(RULES) == 6


def test_endless_pages_without_a_total_stop_at_the_page_cap(make_project, monkeypatch) -> None:
    monkeypatch.setenv("REFLEKT_HTTP_MAX_PAGES", "20")
    project = make_project()
    with HostileSegment(on_rules=_endless_pages(total=None)) as server:
        point_at_segment(project, server)
        before = snapshot(project.root)
        output = _failed_cleanly(_pull(project), project, before)
        assert f"listing of rules (GET {RULES}) goes on beyond 20 pages" in output
        assert "REFLEKT_HTTP_MAX_PAGES" in output
        assert server.calls(RULES) == 20


def test_a_repeated_cursor_stops_the_listing(make_project) -> None:
    project = make_project()
    with HostileSegment(on_rules=_endless_pages(total=None, cursor=lambda n: "same")) as server:
        point_at_segment(project, server)
        before = snapshot(project.root)
        output = _failed_cleanly(_pull(project), project, before)
        assert "repeated a page cursor while listing rules" in output
        assert server.calls(RULES) == 2


def test_a_listing_that_ends_as_announced_is_pulled_whole(make_project) -> None:
    """The bounds do not cut a plan that pages normally (3 pages of one rule, total 3)."""
    project = make_project()

    def on_rules(request):
        n = request.number
        cursor = f"c{n}" if n < 3 else None
        return rules_page([track_rule(f"Event {n}")], total=3, next_cursor=cursor)

    with HostileSegment(on_rules=on_rules) as server:
        point_at_segment(project, server)
        result = _pull(project)
        assert result.exit_code == 0, result.output
        assert "3 created" in result.output
        assert server.calls(RULES) == 3
        assert len(server.peers) == 1  # streamed answers read to the end reuse the connection


# -- a bounded total for a server that never answers -------------------------------------------


def test_a_silent_server_is_given_up_within_the_call_budget(make_project, monkeypatch) -> None:
    monkeypatch.setenv("REFLEKT_HTTP_TIMEOUT", "0.2")
    monkeypatch.setenv("REFLEKT_HTTP_TOTAL", "1")
    project = make_project()
    with HostileSegment(on_rules=lambda request: silence) as server:
        point_at_segment(project, server)
        before = snapshot(project.root)
        output = _failed_cleanly(_pull(project), project, before)
        assert re.search(r"no answer within 0\.\d+s \(after [2-5] attempts in 1\.\d s\)", output)
        assert "REFLEKT_HTTP_TOTAL bounds one call with its retries" in output
        assert 2 <= server.calls(RULES) <= 5


def test_the_call_budget_also_shortens_the_read_timeout(make_project, monkeypatch) -> None:
    """The default read timeout (20 s) is cut to what is left of the budget (0.5 s)."""
    monkeypatch.setenv("REFLEKT_HTTP_TOTAL", "0.5")
    project = make_project()
    with HostileSegment(on_rules=lambda request: silence) as server:
        point_at_segment(project, server)
        before = snapshot(project.root)
        output = _failed_cleanly(_pull(project), project, before)
        assert "no answer within 0.5s" in output
        assert server.calls(RULES) == 1


def test_the_default_bounds_stay_well_under_a_minute() -> None:
    """A server that never answers costs at most `total` per call (308 s before the fix)."""
    policy = RetryPolicy()
    assert policy.total <= 30
    assert policy.deadline <= policy.total
    assert policy.read_timeout < policy.total
    assert policy.max_bytes == 64 * 1024 * 1024
    assert policy.max_pages * 200 >= 100_000  # a plan of 100,000 rules still pulls


# -- 429 without Retry-After, and Retry-After values that mean nothing -------------------------


def _rate_limited(times: int, *, headers=None, body=None):
    """429 for the first `times` calls of the rules listing, then a valid page."""
    body = body if body is not None else {"errors": [{"type": "RequestError"}]}

    def on_rules(request):
        if request.number <= times:
            return Reply(429, body, dict(headers or {}))
        return rules_page([track_rule()], total=1, next_cursor=None)

    return on_rules


def _core_pull(project, policy: RetryPolicy) -> tuple[list[str], object]:
    messages: list[str] = []
    loaded = load_project(project.root)
    result = pull(
        loaded,
        load_profile(loaded, None),
        "segment/shop",
        progress=lambda done, total, message: messages.append(message),
        policy=policy,
    )
    return [m for m in messages if m.startswith("waiting")], result


def test_x_ratelimit_reset_is_honoured_and_announced(make_project) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    headers = {
        "X-RateLimit-Reset": format_datetime(now + timedelta(seconds=58), usegmt=True),
        "Date": format_datetime(now, usegmt=True),
    }
    project = make_project()
    with HostileSegment(on_rules=_rate_limited(1, headers=headers)) as server:
        point_at_segment(project, server)
        waits, result = _core_pull(project, RetryPolicy(max_wait=0))
        assert waits == [
            "waiting 0 s (rate limited; the registry asked for 58 s, capped by "
            "REFLEKT_HTTP_MAX_WAIT), then retry 1 of 4"
        ]
        assert server.calls(RULES) == 2
        assert len(result.created) == 1


def test_ms_before_next_in_the_body_is_honoured_and_announced(make_project) -> None:
    body = {
        "errors": [
            {
                "type": "RequestError",
                "message": "Too many requests",
                "data": {"remainingPoints": 0, "msBeforeNext": 57647, "consumedPoints": 21},
            }
        ]
    }
    project = make_project()
    with HostileSegment(on_rules=_rate_limited(2, body=body)) as server:
        point_at_segment(project, server)
        waits, result = _core_pull(project, RetryPolicy(max_wait=0))
        assert [w.split(")")[0] for w in waits] == [
            "waiting 0 s (rate limited; the registry asked for 58 s, capped by "
            "REFLEKT_HTTP_MAX_WAIT"
        ] * 2
        assert server.calls(RULES) == 3
        assert len(result.created) == 1


def test_a_short_wait_the_server_asks_for_is_waited_as_asked(make_project) -> None:
    project = make_project()
    with HostileSegment(on_rules=_rate_limited(1, headers={"Retry-After": "0.01"})) as server:
        point_at_segment(project, server)
        waits, _ = _core_pull(project, RetryPolicy(max_wait=1))
        assert waits == ["waiting 0.01 s (rate limited as Retry-After asks), then retry 1 of 4"]


def test_retry_after_as_an_http_date_is_understood(make_project) -> None:
    when = datetime.now(UTC) + timedelta(seconds=120)
    headers = {"Retry-After": format_datetime(when, usegmt=True)}
    project = make_project()
    with HostileSegment(on_rules=_rate_limited(1, headers=headers)) as server:
        point_at_segment(project, server)
        waits, _ = _core_pull(project, RetryPolicy(max_wait=0))
        assert len(waits) == 1
        assert re.match(r"waiting 0 s \(rate limited; the registry asked for 1(19|20) s", waits[0])


@pytest.mark.parametrize("value", ["nan", "-5", "inf", "-inf", "soon", "1e999", " "])
def test_a_meaningless_retry_after_falls_back_to_exponential_backoff(make_project, value) -> None:
    """Before: `Retry-After: nan` gave 5 calls in 0.4 s. Now a growing, bounded backoff."""
    project = make_project()
    with HostileSegment(on_rules=_rate_limited(99, headers={"Retry-After": value})) as server:
        point_at_segment(project, server)
        policy = RetryPolicy(rate_backoff=0.001, max_wait=1)
        messages: list[str] = []
        loaded = load_project(project.root)
        with pytest.raises(RegistryError) as caught:
            pull(
                loaded,
                load_profile(loaded, None),
                "segment/shop",
                progress=lambda done, total, message: messages.append(message),
                policy=policy,
            )
        assert "still answers HTTP 429 after 5 attempts" in str(caught.value)
        assert caught.value.exit_code == 3
        waits = [m.split(" (")[0] for m in messages if m.startswith("waiting")]
        assert waits == [f"waiting {w} s" for w in ("0.001", "0.002", "0.004", "0.008")]
        assert server.calls(RULES) == 5


def test_the_rate_limit_wait_is_shown_by_the_cli(make_project) -> None:
    body = {"errors": [{"type": "RequestError", "data": {"msBeforeNext": 57647}}]}
    project = make_project()
    with HostileSegment(on_rules=_rate_limited(1, body=body)) as server:
        point_at_segment(project, server)
        result = _pull(project, "segment/shop", "--verbose")
        assert result.exit_code == 0, result.output
        assert "waiting 0 s (rate limited; the registry asked for 58 s" in _flat(result.output)
        assert server.calls(RULES) == 2


def test_the_rate_limit_wait_is_on_the_terminal_progress_line(make_project) -> None:
    """On a terminal the progress bar's text becomes the wait (the CLI's one real wait: 1 s)."""
    project = make_project()
    headers = {"Retry-After": "1"}
    with HostileSegment(on_rules=_rate_limited(1, headers=headers)) as server:
        point_at_segment(project, server)
        code, terminal, out = _run_with_terminal_stderr(
            project, {"REFLEKT_HTTP_MAX_WAIT": "1"}, "pull", "-s", "segment/shop"
        )
        assert code == 0, terminal + out
        assert "waiting 1 s (rate limited as Retry-After asks), then retry 1 of 4" in terminal
        assert "1 created" in out
        assert server.calls(RULES) == 2


def _run_with_terminal_stderr(project, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run `python -m reflekt` with stderr on a pseudo-terminal; return code, stderr, stdout."""
    master, slave = pty.openpty()
    environment = {**os.environ, **env, "NO_COLOR": "1", "COLUMNS": "200", "TERM": "xterm"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reflekt", *args, "--project-dir", str(project.root)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=environment,
    )
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        out, _ = proc.communicate(timeout=60)
    finally:
        reader.join(timeout=5)
        os.close(master)
    return proc.returncode, b"".join(chunks).decode(errors="replace"), out.decode()


def test_the_bounds_are_read_from_the_environment(monkeypatch) -> None:
    """Each documented variable sets its bound; nonsense (nan, inf, negative, 0 tries) is ignored."""
    for name, value in {
        "DEADLINE": "2.5",
        "TOTAL": "7",
        "MAX_BYTES": "1e6",
        "MAX_PAGES": "40",
        "CONNECT_TIMEOUT": "1",
        "TIMEOUT": "3",
        "RETRIES": "2",
        "MAX_WAIT": "4",
    }.items():
        monkeypatch.setenv(f"REFLEKT_HTTP_{name}", value)
    policy = RetryPolicy.from_env()
    assert (policy.deadline, policy.total, policy.max_bytes, policy.max_pages) == (
        2.5,
        7.0,
        1_000_000,
        40,
    )
    assert (policy.connect_timeout, policy.read_timeout, policy.attempts, policy.max_wait) == (
        1.0,
        3.0,
        2,
        4.0,
    )
    for name, value in {
        "DEADLINE": "nan",
        "TOTAL": "-1",
        "MAX_BYTES": "2.5",
        "RETRIES": "0",
    }.items():
        monkeypatch.setenv(f"REFLEKT_HTTP_{name}", value)
    policy = RetryPolicy.from_env()
    defaults = RetryPolicy()
    assert (policy.deadline, policy.total, policy.max_bytes, policy.attempts) == (
        defaults.deadline,
        defaults.total,
        defaults.max_bytes,
        defaults.attempts,
    )


def test_a_broken_gzip_answer_is_one_clear_error(make_project) -> None:
    reply = Reply(body=b"this is not gzip", headers={"Content-Encoding": "gzip"})
    project = make_project()
    with HostileAvo(on_export=lambda request: reply) as server:
        point_at_avo(project, server)
        before = snapshot(project.root)
        output = _failed_cleanly(_pull(project, "avo/main"), project, before)
        assert "the answer's compression (Content-Encoding) is broken" in output
        assert server.calls("/export/v1") == 1  # not retried: it would break again
