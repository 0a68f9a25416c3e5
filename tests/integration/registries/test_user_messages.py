"""What a user reads when things go wrong (or need confirming): one clear message, right exit."""

from __future__ import annotations

import os
import pty
import socket
import subprocess
import sys

from click.testing import CliRunner
from registry_fakes import SEGMENT_TOKEN, track_rule

from reflekt.cli import cli

PROPS = {"cart_id": {"type": "string", "description": "The cart."}}


def _invoke(project, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)])


def _flat(text: str) -> str:
    return " ".join(text.split())


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _profile(project, url: str, token: str = SEGMENT_TOKEN) -> None:
    project.write_profiles(
        {
            "version": 1.0,
            "dev": {"registry": [{"type": "segment", "api_token": token, "api_url": url}]},
        }
    )


def test_a_closed_port_is_one_short_message_without_retries(make_project):
    project = make_project()
    _profile(project, f"http://127.0.0.1:{_closed_port()}")

    result = _invoke(project, "pull", "-s", "segment/shop")

    assert result.exit_code == 3
    output = _flat(result.output)
    assert "cannot reach the Segment registry at http://127.0.0.1:" in output
    assert "connection refused (nothing listens at that address)" in output
    assert "attempts" not in output  # refused is not retried: waiting would not help
    assert "HTTPConnectionPool" not in output and "Traceback" not in output
    assert "api_url of profile 'dev'" in output
    assert output.count("Error:") == 1

    verbose = _flat(_invoke(project, "pull", "-s", "segment/shop", "--verbose").output)
    assert verbose.count("cannot reach the Segment registry") == 1  # printed once, as the error
    assert "-> connection refused" in verbose  # the request log line


def test_an_empty_token_is_a_config_error_before_any_request(segment, make_project):
    project = make_project()
    _profile(project, segment.url, token="")

    result = _invoke(project, "pull", "-s", "segment/shop")

    assert result.exit_code == 2
    assert "the Segment api_token of profile 'dev' is empty" in _flat(result.output)
    assert segment.requests == []


def test_a_failure_after_some_batches_says_how_far_the_push_got(segment, segment_project):
    project = segment_project()
    for i in range(250):
        name = "Event_" + "".join(chr(ord("a") + int(d)) for d in f"{i:03d}").capitalize()
        project.add_schema(f"segment/shop/{name}/1-0", PROPS)
    segment.add_plan("shop")
    segment.fail_next("503", count=20, after=1, methods=("PATCH",))

    failed = _invoke(project, "push", "-s", "segment/shop")

    assert failed.exit_code == 3
    output = _flat(failed.output)
    assert "still answers HTTP 503 after 5 attempts" in output
    assert "200 of 250 rules were already sent" in output
    assert "run the same command again: it only sends what still differs" in output
    segment.failures.clear()
    again = _invoke(project, "push", "-s", "segment/shop")
    assert again.exit_code == 0, again.output
    assert "50 created, 0 updated, 200 unchanged" in again.output


def test_ctrl_c_during_a_later_batch_says_how_far_the_push_got(segment, segment_project):
    """The user stops a push while Segment holds its second PATCH: under `Interrupted.` it
    says how many rules were sent and that the same command finishes the job."""
    project = segment_project()
    for i in range(250):
        name = "Event_" + "".join(chr(ord("a") + int(d)) for d in f"{i:03d}").capitalize()
        project.add_schema(f"segment/shop/{name}/1-0", PROPS)
    segment.add_plan("shop")
    segment.fail_next("hold", count=1, after=1, methods=("PATCH",))  # the second batch
    code, err = segment.interrupt_when_held(project.root, "push", "-s", "segment/shop")

    assert code == 130, err
    assert "Traceback" not in err and "Error:" not in err
    lines = err.splitlines()
    note = _flat(" ".join(lines[lines.index("Interrupted.") + 1 :]))
    assert note.startswith("200 of 250 rules were already sent")
    assert "run the same command again: it only sends what still differs" in note
    again = _invoke(project, "push", "-s", "segment/shop")
    assert again.exit_code == 0, again.output
    assert "50 created, 0 updated, 200 unchanged" in again.output


def test_push_warns_when_a_rule_breaks_within_its_version(segment, segment_project):
    segment.add_plan("shop", [track_rule("Cart Viewed")])
    project = segment_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS, required=["cart_id"])

    result = _invoke(project, "push", "-s", "segment/shop", "--dry-run")

    assert result.exit_code == 0, result.output
    output = _flat(result.output)
    assert "Warning: 1 rule(s) would get a breaking change within their version" in output
    assert "(Cart Viewed@1)" in output and "`reflekt diff`" in output


def test_deleting_rules_that_are_not_in_the_plan_says_so(segment, segment_project):
    segment.add_plan("shop", [track_rule("Other Event")])
    project = segment_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)

    result = _invoke(project, "push", "-s", "segment/shop", "--delete", "--yes")

    assert result.exit_code == 0, result.output
    assert "Nothing to delete: none of the selected rules is in segment/shop." in result.output
    assert segment.calls("DELETE") == []


def test_verbose_says_why_and_how_long_it_waits(segment, segment_project):
    segment.add_plan("shop", [track_rule("Cart Viewed")])
    project = segment_project()
    segment.fail_next("429", count=1, retry_after=7)

    result = _invoke(project, "pull", "-s", "segment/shop", "--verbose")

    assert result.exit_code == 0, result.output
    assert (
        "waiting 0 s (rate limited; the registry asked for 7 s, capped by REFLEKT_HTTP_MAX_WAIT)"
        ", then retry 1 of 4" in result.output
    )
    assert SEGMENT_TOKEN not in result.output


def test_a_503_then_200_says_retrying_with_the_attempt(segment, segment_project):
    """Issue 13 #20: the backoff after a 503 reads `retrying (503, 2 of 5)` on the progress
    line (and, with --verbose, on stderr), then the pull goes through."""
    segment.add_plan("shop", [track_rule("Cart Viewed")])
    project = segment_project()
    segment.fail_next("503", count=2, methods=("GET",))

    result = _invoke(project, "pull", "-s", "segment/shop", "--verbose")

    assert result.exit_code == 0, result.output
    assert "retrying (503, 2 of 5) in 0 s" in result.stderr
    assert "retrying (503, 3 of 5) in 0 s" in result.stderr
    assert [r.status for r in segment.calls("GET")][:3] == [503, 503, 200]
    assert "1 created" in _flat(result.output)


def _run_in_terminal(project, answer: bytes, *args: str) -> tuple[int, str]:
    """Run reflekt with a pseudo-terminal as standard input, answering its question."""
    master, slave = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reflekt", *args, "--project-dir", str(project.root)],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    os.close(slave)
    try:
        os.write(master, answer)
        out, _ = proc.communicate(timeout=120)
    finally:
        os.close(master)
    return proc.returncode, out.decode()


def test_delete_in_a_terminal_lists_the_rules_before_asking(segment, segment_project):
    segment.add_plan("shop", [track_rule("Cart Viewed"), track_rule("Other Event")])
    project = segment_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)

    code, output = _run_in_terminal(project, b"n\n", "push", "-s", "segment/shop", "--delete")

    assert code == 0, output
    assert "will delete  Cart Viewed@1" in output
    assert "Delete these 1 rule(s) from segment/shop? [y/N]" in output
    assert "Nothing deleted." in output
    assert len(segment.plan_named("shop").rules) == 2

    code, output = _run_in_terminal(project, b"y\n", "push", "-s", "segment/shop", "--delete")

    assert code == 0, output
    assert "Deleted: segment/shop: 1 deleted." in output
    assert [r["key"] for r in segment.plan_named("shop").rules] == ["Other Event"]


def test_pull_dry_run_says_what_would_change_in_each_file(segment, segment_project):
    segment.add_plan("shop", [track_rule("Cart Viewed"), track_rule("Order Completed")])
    project = segment_project()
    assert _invoke(project, "pull", "-s", "segment/shop").exit_code == 0
    cart = project.schemas_dir / "segment/shop/Cart_Viewed/1-0.json"
    cart.write_text(cart.read_text().replace('"required": []', '"required": ["cart_id"]'))
    order = project.schemas_dir / "segment/shop/Order_Completed/1-0.json"
    order.write_text(order.read_text().replace("\n  ", "\n    "))  # other indentation only
    before = (cart.read_bytes(), order.read_bytes())

    result = _invoke(project, "pull", "-s", "segment/shop", "--dry-run")

    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    at = lines.index("would update schemas/segment/shop/Cart_Viewed/1-0.json")
    assert lines[at + 1] == "property 'cart_id' is now optional"
    at = lines.index("would update schemas/segment/shop/Order_Completed/1-0.json")
    assert lines[at + 1] == "layout only (same schema, other formatting)"
    assert (cart.read_bytes(), order.read_bytes()) == before


def test_an_empty_avo_secret_is_a_config_error(avo, avo_project):
    project = avo_project(secret="")

    result = _invoke(project, "pull", "-s", "avo/main")

    assert result.exit_code == 2
    assert "the Avo service_account_secret of profile 'dev' is empty" in _flat(result.output)
    assert avo.requests == []


def test_an_api_url_that_is_not_the_segment_api(make_project, tmp_path):
    """A web server that answers HTML (a proxy page, a wrong host): say so, not "not found"."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Html(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            status = 200 if self.path.startswith("/ok") else 404
            body = b"<html>sign in</html>"
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Html)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        project = make_project()
        for url, status in ((base, 404), (f"{base}/ok", 200)):
            _profile(project, url)
            result = _invoke(project, "pull", "-s", "segment/shop")
            assert result.exit_code == 3
            output = _flat(result.output)
            assert f"{url} does not answer like the Segment API (HTTP {status}, not JSON)" in output
            assert "check the api_url of profile 'dev'" in output
            assert "not found" not in output
    finally:
        server.shutdown()
        server.server_close()


def test_an_unknown_plan_names_the_plans_the_token_sees(segment, segment_project):
    segment.add_plan("ecommerce")
    segment.add_plan("web")
    project = segment_project()

    wrong_case = _flat(_invoke(project, "pull", "-s", "segment/Ecommerce").output)
    unknown = _invoke(project, "pull", "-s", "segment/shop")

    assert "did you mean 'ecommerce'? (names are case-sensitive)" in wrong_case
    assert unknown.exit_code == 3
    assert "no tracking plan named 'shop' in the workspace" in _flat(unknown.output)
    assert "plans the token sees: ecommerce, web" in _flat(unknown.output)


def test_pushing_an_older_minor_says_a_newer_one_exists(segment, segment_project):
    project = segment_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)
    project.add_schema(
        "segment/shop/Cart_Viewed/1-1",
        {**PROPS, "items": {"type": "integer", "description": "Items."}},
    )

    result = _invoke(project, "push", "-s", "segment/shop/Cart_Viewed/1-0", "--dry-run")

    assert result.exit_code == 0, result.output
    assert (
        "note: Cart_Viewed: pushed 1-0 as version 1, although 1-1 exists locally (not selected)"
        in _flat(result.output)
    )
