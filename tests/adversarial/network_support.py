"""Hostile registries on 127.0.0.1: servers that drip, never stop, never answer or rate-limit.

Why not registry_fakes: those follow the contract; these break it on purpose, one way each.
Every behaviour is bounded (a byte budget, a time budget, a call budget) and the server stops
by itself when the test ends, so a client bug cannot hang the suite.

`HostileSegment(rules=...)` serves `GET /tracking-plans` (one LIVE plan `shop`, id `tp_1`)
normally and hands `GET /tracking-plans/tp_1/rules` to `on_rules(request)`, a callable
returning a `Reply` or writing to the socket itself (`Stream`). `HostileAvo` does the same for
`GET /workspaces/ws1/branches/main/export/v1` with `on_export`. `calls(path)` counts requests.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SEGMENT_TOKEN = "sgmt-hostile-token-5e1f"
AVO_ACCOUNT = ("reflekt_sa_h0st", "avo-hostile-secret-77")
PLAN = {"id": "tp_1", "name": "shop", "type": "LIVE", "slug": "shop"}
MAX_SECONDS = 20.0  # no hostile answer lasts longer than this, whatever the client does


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    number: int  # 1 for the first call of this path


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)


Stream = Callable[[BaseHTTPRequestHandler, threading.Event], None]
Behaviour = Callable[[Request], "Reply | Stream"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class HostileServer:
    """A threaded HTTP server whose routes are plain callables; stops itself on `stop()`."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.log: list[Request] = []
        self.peers: set[tuple[str, int]] = set()  # client addresses: one per TCP connection
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._dispatch(self)

            do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def calls(self, path_suffix: str = "") -> int:
        with self.lock:
            return sum(1 for r in self.log if r.path.endswith(path_suffix))

    def route(self, request: Request) -> Reply | Stream:
        raise NotImplementedError

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)
        with self.lock:
            number = 1 + sum(1 for r in self.log if r.path == split.path)
            request = Request(handler.command, split.path, dict(parse_qsl(split.query)), number)
            self.log.append(request)
            self.peers.add(handler.client_address[:2])
        reply = self.route(request)
        try:
            if isinstance(reply, Reply):
                send(handler, reply)
            else:
                reply(handler, self.stopping)
        except OSError:  # the client hung up: that is what a bounded client does
            handler.close_connection = True


def send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
    if "Date" in reply.headers:
        # The reply names its own time: no second, automatic `Date` a second later.
        handler.log_request(reply.status)
        handler.send_response_only(reply.status)
        handler.send_header("Server", handler.version_string())
    else:
        handler.send_response(reply.status)
    handler.send_header("Content-Type", "application/json")
    if "Content-Length" not in reply.headers:
        handler.send_header("Content-Length", str(len(data)))
    for key, value in reply.headers.items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(data)


# -- hostile behaviours (each bounded) --------------------------------------------------------


def drip_body(total: int = 400, every: float = 0.02) -> Stream:
    """A valid-looking answer announced as `total` bytes, sent one byte per `every` seconds."""

    def stream(handler: BaseHTTPRequestHandler, stopping: threading.Event) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(total))
        handler.end_headers()
        handler.wfile.flush()
        _drip(handler, b" " * total, every, stopping)

    return stream


def drip_headers(every: float = 0.02, count: int = 400) -> Stream:
    """A status line, then header bytes one at a time (a slowloris answer)."""

    def stream(handler: BaseHTTPRequestHandler, stopping: threading.Event) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        handler.wfile.flush()
        _drip(handler, b"X-Slow: " + b"a" * count, every, stopping)

    return stream


def _drip(
    handler: BaseHTTPRequestHandler, data: bytes, every: float, stop: threading.Event
) -> None:
    ends = time.monotonic() + MAX_SECONDS
    for byte in data:
        if stop.is_set() or time.monotonic() > ends:
            return
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        stop.wait(every)


def endless_body(limit: int = 64 * 1024 * 1024) -> Stream:
    """A chunked answer that goes on (up to `limit` bytes) until the client hangs up."""

    def stream(handler: BaseHTTPRequestHandler, stopping: threading.Event) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.wfile.write(b"1\r\n[\r\n")
        chunk = b'"endless",' * 6000
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        sent = 0
        ends = time.monotonic() + MAX_SECONDS
        while sent < limit and not stopping.is_set() and time.monotonic() < ends:
            handler.wfile.write(frame)
            sent += len(chunk)
        handler.close_connection = True

    return stream


def silence(handler: BaseHTTPRequestHandler, stopping: threading.Event) -> None:
    """Read the request, then say nothing until the test ends (or MAX_SECONDS)."""
    stopping.wait(MAX_SECONDS)
    handler.close_connection = True


def rules_page(rules: list[Any], *, total: int | None, next_cursor: str | None) -> Reply:
    pagination: dict[str, Any] = {"current": "MA=="}
    if total is not None:
        pagination["totalEntries"] = total
    if next_cursor is not None:
        pagination["next"] = next_cursor
    return Reply(body={"data": {"rules": rules, "pagination": pagination}})


def track_rule(key: Any = "Cart Viewed", **schema: Any) -> dict[str, Any]:
    """A TRACK rule as Segment returns it."""
    section = {
        "type": "object",
        "properties": {"cart_id": {"type": ["string"], "description": "The cart."}},
        "required": ["cart_id"],
    }
    json_schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "labels": {},
        "description": "A cart was viewed.",
        "properties": {"context": {}, "traits": {}, "properties": section},
        **schema,
    }
    return {"key": key, "type": "TRACK", "version": 1, "jsonSchema": json_schema}


# -- the two registries -----------------------------------------------------------------------


class HostileSegment(HostileServer):
    """One plan `shop`; its rules answer comes from `on_rules` (a valid page by default)."""

    def __init__(self, on_rules: Behaviour | None = None) -> None:
        super().__init__()
        self.on_rules: Behaviour = on_rules or (
            lambda request: rules_page([track_rule()], total=1, next_cursor=None)
        )
        self.on_plans: Behaviour = lambda request: Reply(
            body={"data": {"trackingPlans": [PLAN], "pagination": {"current": "MA=="}}}
        )

    def route(self, request: Request) -> Reply | Stream:
        if request.path == "/tracking-plans":
            return self.on_plans(request)
        if request.path == "/tracking-plans/tp_1/rules":
            return self.on_rules(request)
        return Reply(404, {"errors": [{"type": "not-found", "message": "no route"}]})


AVO_EXPORT_PATH = "/workspaces/ws1/branches/main/export/v1"


def avo_event(name: Any = "Cart Viewed", **fields: Any) -> dict[str, Any]:
    """An exported Avo event (jsonSchema format)."""
    return {
        "id": "ev1",
        "name": name,
        "description": "A cart was viewed.",
        "tags": ["Tier 1"],
        "categories": ["cat1"],
        "rules": {
            "$schema": "http://json-schema.org/draft-06/schema#",
            "type": "object",
            "properties": {
                "properties": {
                    "type": "object",
                    "properties": {"cart_id": {"id": "p1", "type": "string"}},
                    "required": ["cart_id"],
                    "additionalProperties": False,
                }
            },
        },
        **fields,
    }


def avo_export(events: list[Any] | None = None) -> dict[str, Any]:
    return {
        "name": "Exported Tracking Plan: main",
        "events": [avo_event()] if events is None else events,
        "categories": {"cat1": {"id": "cat1", "name": "Cart"}},
    }


class HostileAvo(HostileServer):
    def __init__(self, on_export: Behaviour | None = None) -> None:
        super().__init__()
        self.on_export: Behaviour = on_export or (lambda request: Reply(body=avo_export()))

    def route(self, request: Request) -> Reply | Stream:
        if request.path == AVO_EXPORT_PATH:
            return self.on_export(request)
        return Reply(404, {"error": "Branch not found"})


# -- projects pointing at them ----------------------------------------------------------------


def point_at_segment(project: Any, server: HostileServer) -> None:
    project.write_profiles(
        {
            "version": 1.0,
            "dev": {
                "registry": [{"type": "segment", "api_token": SEGMENT_TOKEN, "api_url": server.url}]
            },
        }
    )


def point_at_avo(project: Any, server: HostileServer) -> None:
    project.write_profiles(
        {
            "version": 1.0,
            "dev": {
                "registry": [
                    {
                        "type": "avo",
                        "workspace_id": "ws1",
                        "service_account_name": AVO_ACCOUNT[0],
                        "service_account_secret": AVO_ACCOUNT[1],
                        "api_url": server.url,
                    }
                ]
            },
        }
    )
    config = (project.root / "reflekt_project.yml").read_text()
    if "\nregistry:" not in config:
        project.set_config(config + "registry:\n  avo:\n    branches:\n      main: main\n")


def snapshot(root: Any) -> dict[str, bytes]:
    """Every file under `root` (but the run log), by relative path, with its bytes."""
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith((".logs/", ".reflekt_cache/")):
            with contextlib.suppress(OSError):
                out[rel] = path.read_bytes()
    return out
