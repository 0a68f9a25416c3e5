"""Local stand-ins for the Segment Public API and the Avo export API.

Built from reference/registry-contracts.md: Bearer/Basic auth checked first, `{"data": ...}` /
`{"errors": [...]}` envelopes, cursor pagination (base64 offsets, `next` absent on the last
page, a maximum page size), at most 200 rules per request, PUT refused above 200 existing
rules, 404/422 bodies, and an admin switch that answers 429 (with Retry-After), 503 or drops
the connection (before or after acting on the call) for the next N calls (optionally after K
more successful calls, and only calls of some methods).
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

RULE_TYPES = ("COMMON", "GROUP", "IDENTIFY", "PAGE", "SCREEN", "TRACK")
PLAN_TYPES = ("ENGAGE", "LIVE", "PROPERTY_LIBRARY", "RULE_LIBRARY", "TEMPLATE")
ZERO_TIME = "0001-01-01T00:00:00.000Z"
HOLD_LIMIT_S = 120.0  # a hang guard for a "hold" nobody releases, not a timing


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Failure:
    """Answer `mode` to `count` calls, after `after` good calls: an HTTP status ("429",
    "503"), "close" (the connection dropped, the call not acted on), "close-after" (acted
    on, then the connection dropped before the answer: the client cannot tell) or "hold"
    (no answer until `FakeServer.release()`, then dropped, not acted on: `held` is set
    when such a call arrives, so a test can interrupt the client exactly then)."""

    mode: str
    count: int
    after: int = 0
    retry_after: int = 1
    methods: tuple[str, ...] = ()


@dataclass
class RequestRecord:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: Any
    status: int = 0


class _Base(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeServer:
    """Common machinery: thread, request log, failure injection."""

    def __init__(self) -> None:
        self.requests: list[RequestRecord] = []
        self.failures: list[Failure] = []
        self.lock = threading.RLock()
        self.held = threading.Event()  # a "hold" call arrived
        self._released = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                fake._dispatch(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.httpd = _Base(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._released.set()  # a held call ends first
        self.httpd.shutdown()
        self.httpd.server_close()

    def fail_next(
        self,
        mode: str,
        count: int = 1,
        *,
        after: int = 0,
        retry_after: int = 1,
        methods: tuple[str, ...] = (),
    ) -> None:
        """Admin switch: the next `count` calls (of `methods`, after `after` good ones) fail."""
        with self.lock:
            self.failures.append(Failure(mode, count, after, retry_after, methods))

    def release(self) -> None:
        """Let the held calls end (dropped, not acted on)."""
        self._released.set()

    def interrupt_when_held(self, root: Path, *args: str) -> tuple[int, str]:
        """`reflekt <args>` on the project at `root` as a subprocess, sent SIGINT (Ctrl-C)
        once a call of it is held here (`fail_next("hold")`); its exit code and stderr."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "reflekt", *args, "--project-dir", str(root)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert self.held.wait(HOLD_LIMIT_S), f"no call of `reflekt {' '.join(args)}` held"
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=HOLD_LIMIT_S)
        finally:
            self.release()
            if proc.poll() is None:
                proc.kill()
        return proc.returncode, err

    def calls(self, method: str | None = None, path_suffix: str = "") -> list[RequestRecord]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and r.path.endswith(path_suffix)
        ]

    # -- plumbing -------------------------------------------------------------------------

    def _injected(self, method: str) -> Failure | None:
        with self.lock:
            for failure in self.failures:
                if failure.methods and method not in failure.methods:
                    continue
                if failure.after > 0:
                    failure.after -= 1
                    return None
                if failure.count > 0:
                    failure.count -= 1
                    return failure
            return None

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = "<invalid json>"
        record = RequestRecord(
            handler.command,
            split.path,
            parse_qsl(split.query, keep_blank_values=True),
            {k.lower(): v for k, v in handler.headers.items()},
            body,
        )
        with self.lock:
            self.requests.append(record)
        failure = self._injected(handler.command)
        if failure is not None and failure.mode != "close-after":
            if failure.mode == "hold":
                self.held.set()
                self._released.wait(HOLD_LIMIT_S)
                self._drop(handler, record)
                return
            if failure.mode == "close":
                self._drop(handler, record)
                return
            status = int(failure.mode)
            phrase = "Too many requests" if status == 429 else HTTPStatus(status).phrase
            payload = {
                "errors": [
                    {
                        "type": "RequestError",
                        "message": phrase,
                        "data": {"remainingPoints": 0, "msBeforeNext": 1000, "consumedPoints": 21},
                    }
                ]
            }
            headers = {"Retry-After": str(failure.retry_after)} if status == 429 else {}
            self._send(handler, record, status, payload, headers)
            return
        try:
            status, payload, headers = self.handle(record)
        except Exception as exc:  # a bug in the fake: show it as a 500
            status, payload, headers = (
                500,
                {"errors": [{"type": "fake-bug", "message": repr(exc)}]},
                {},
            )
        if failure is not None:  # "close-after": acted on, then the answer is lost
            self._drop(handler, record)
            return
        self._send(handler, record, status, payload, headers)

    @staticmethod
    def _drop(handler: BaseHTTPRequestHandler, record: RequestRecord) -> None:
        """Close the connection without an answer (`record.status` -1)."""
        record.status = -1
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.connection.shutdown(2)

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        record: RequestRecord,
        status: int,
        payload: Any,
        headers: dict[str, str],
    ) -> None:
        """Answer `payload`: JSON, or `bytes` sent as they are (`/api/meta/health`'s text).

        A `Content-Type` in `headers` replaces the default `application/json`.
        """
        record.status = status
        headers = dict(headers)
        content_type = headers.pop("Content-Type", "application/json")
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        if "gzip" in record.headers.get("accept-encoding", "") and self.gzip_ok:
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    gzip_ok = False

    def handle(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError


def _error(status: int, kind: str, message: str, fld: str | None = None) -> tuple[int, Any, dict]:
    item: dict[str, Any] = {"type": kind, "message": message}
    if fld:
        item["field"] = fld
    return status, {"errors": [item]}, {}


def _pagination_params(record: RequestRecord) -> dict[str, str]:
    """Accept `pagination.count`, `pagination[count]`, `pagination=<json>` and a body object."""
    out: dict[str, str] = {}
    for key, value in record.query:
        if key in ("pagination.count", "pagination[count]"):
            out["count"] = value
        elif key in ("pagination.cursor", "pagination[cursor]"):
            out["cursor"] = value
        elif key == "pagination":
            try:
                data = json.loads(value)
                out.update({k: str(v) for k, v in data.items()})
            except ValueError:
                pass
    if isinstance(record.body, dict) and isinstance(record.body.get("pagination"), dict):
        out.update({k: str(v) for k, v in record.body["pagination"].items()})
    return out


def _delete_rules_from_query(query: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """`rules.0[key]`, `rules[0][key]`, `rules.0.key` or `rules=<json>`."""
    import re

    found: dict[int, dict[str, Any]] = {}
    pattern = re.compile(r"^rules(?:\.(\d+)|\[(\d+)\])(?:\[(\w+)\]|\.(\w+))$")
    for key, value in query:
        if key == "rules":
            try:
                data = json.loads(value)
                return data if isinstance(data, list) else []
            except ValueError:
                continue
        match = pattern.match(key)
        if match:
            index = int(match.group(1) or match.group(2))
            field_name = match.group(3) or match.group(4)
            found.setdefault(index, {})[field_name] = value
    return [found[i] for i in sorted(found)]


@dataclass
class SegmentPlan:
    id: str
    name: str
    type: str = "LIVE"
    rules: list[dict[str, Any]] = field(default_factory=list)


class FakeSegment(FakeServer):
    """The Segment Public API tracking-plan routes."""

    def __init__(
        self,
        tokens: tuple[str, ...] = ("sgmt-test-token",),
        *,
        max_page_size: int = 200,
        rules_per_request: int = 200,
        pagination_required: bool = False,
    ) -> None:
        super().__init__()
        self.tokens = set(tokens)
        self.max_page_size = max_page_size
        self.rules_per_request = rules_per_request
        self.pagination_required = pagination_required
        self.plans: dict[str, SegmentPlan] = {}
        self._next_id = 1

    # -- seeding --------------------------------------------------------------------------

    def add_plan(
        self, name: str, rules: list[dict[str, Any]] | None = None, *, plan_type: str = "LIVE"
    ) -> SegmentPlan:
        with self.lock:
            plan_id = f"tp_fake{self._next_id:04d}"
            self._next_id += 1
            plan = SegmentPlan(plan_id, name, plan_type)
            for rule in rules or []:
                plan.rules.append(self._stored(rule))
            self.plans[plan_id] = plan
            return plan

    def plan_named(self, name: str) -> SegmentPlan | None:
        return next((p for p in self.plans.values() if p.name == name), None)

    def _stored(self, rule: dict[str, Any]) -> dict[str, Any]:
        now = _now()
        stored = {
            "type": rule["type"],
            "version": rule["version"],
            "jsonSchema": rule.get("jsonSchema"),
            "createdAt": now,
            "updatedAt": now,
            "deprecatedAt": ZERO_TIME,
        }
        if rule.get("key"):
            stored["key"] = rule["key"]
        return stored

    @staticmethod
    def identity(rule: dict[str, Any]) -> tuple[str, str, int]:
        return (str(rule.get("type")), str(rule.get("key") or ""), int(rule.get("version") or 0))

    # -- routes ---------------------------------------------------------------------------

    def handle(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        auth = record.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[len("Bearer ") :] not in self.tokens:
            return _error(401, "unauthorized", "Unauthorized: invalid or missing token")
        parts = [p for p in record.path.split("/") if p]
        if not parts or parts[0] != "tracking-plans" or len(parts) > 3:
            return _error(404, "not-found", f"no route for {record.path}")
        with self.lock:
            if len(parts) == 1:
                if record.method == "GET":
                    return self._list_plans(record)
                if record.method == "POST":
                    return self._create_plan(record)
                return _error(405, "method-not-allowed", "method not allowed")
            plan = self.plans.get(parts[1])
            if plan is None:
                return _error(404, "not-found", f"Tracking plan {parts[1]} not found")
            if len(parts) == 2:
                if record.method == "GET":
                    return self._ok({"trackingPlan": self._plan_json(plan)})
                return _error(405, "method-not-allowed", "method not allowed")
            if parts[2] != "rules":
                return _error(404, "not-found", f"no route for {record.path}")
            return self._rules(record, plan)

    def _ok(self, data: Any) -> tuple[int, Any, dict[str, str]]:
        headers = {
            "X-RateLimit-Consumed": "1",
            "X-RateLimit-Remaining": "99",
            "X-RateLimit-Reset": datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"),
        }
        return 200, {"data": data}, headers

    def _plan_json(self, plan: SegmentPlan) -> dict[str, Any]:
        return {
            "id": plan.id,
            "name": plan.name,
            "slug": plan.name.lower().replace(" ", "-"),
            "type": plan.type,
            "description": "",
            "resourceSchemaId": f"rs_{plan.id}",
            "createdAt": ZERO_TIME,
            "updatedAt": ZERO_TIME,
        }

    def _page(self, record: RequestRecord, items: list[Any]) -> tuple[int, Any, Any]:
        params = _pagination_params(record)
        if "count" not in params and self.pagination_required:
            return (
                _error(422, "input-validation", '"pagination" is required', "pagination"),
                None,
                None,
            )
        try:
            count = int(params.get("count", 200))
        except ValueError:
            count = -1
        if not 1 <= count <= self.max_page_size:
            return (
                _error(
                    422,
                    "input-validation",
                    f'"pagination.count" must be between 1 and {self.max_page_size}',
                    "pagination.count",
                ),
                None,
                None,
            )
        cursor = params.get("cursor")
        offset = 0
        if cursor:
            try:
                offset = int(base64.b64decode(cursor).decode())
            except ValueError:
                return (
                    _error(422, "input-validation", "invalid cursor", "pagination.cursor"),
                    None,
                    None,
                )
        page = items[offset : offset + count]
        pagination: dict[str, Any] = {
            "current": base64.b64encode(str(offset).encode()).decode(),
            "totalEntries": len(items),
        }
        pagination["previous"] = (
            None if offset == 0 else base64.b64encode(str(max(0, offset - count)).encode()).decode()
        )
        if offset + count < len(items):
            pagination["next"] = base64.b64encode(str(offset + count).encode()).decode()
        return None, page, pagination

    def _list_plans(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        """`GET /tracking-plans`, filtered by the optional `type` query (an enum)."""
        wanted = dict(record.query).get("type")
        if wanted is not None and wanted not in PLAN_TYPES:
            return _error(422, "input-validation", '"type" must be a valid plan type', "type")
        plans = [
            self._plan_json(p) for p in self.plans.values() if wanted is None or p.type == wanted
        ]
        error, page, pagination = self._page(record, plans)
        if error:
            return error
        return self._ok({"trackingPlans": page, "pagination": pagination})

    def _create_plan(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        body = record.body if isinstance(record.body, dict) else {}
        if not body.get("name"):
            return _error(422, "input-validation", '"name" is required', "name")
        if body.get("type") not in PLAN_TYPES:
            return _error(422, "input-validation", '"type" must be a valid plan type', "type")
        plan = self.add_plan(body["name"])
        plan.type = body["type"]
        return self._ok({"trackingPlan": self._plan_json(plan)})

    def _validate_rules(self, body: Any, *, for_delete: bool = False) -> str | None:
        if not isinstance(body, dict) or not isinstance(body.get("rules"), list):
            return '"rules" is required'
        rules = body["rules"]
        if len(rules) > self.rules_per_request:
            return f"rules must contain less than or equal to {self.rules_per_request} items"
        for index, rule in enumerate(rules):
            if not isinstance(rule, dict):
                return f'"rules[{index}]" must be an object'
            if rule.get("type") not in RULE_TYPES:
                return f'"rules[{index}].type" must be one of {", ".join(RULE_TYPES)}'
            if not isinstance(rule.get("version"), int | float) or isinstance(
                rule.get("version"), bool
            ):
                return f'"rules[{index}].version" must be a number'
            if not for_delete and "jsonSchema" not in rule:
                return f'"rules[{index}].jsonSchema" is required'
            if rule["type"] == "TRACK" and not rule.get("key"):
                return f'"rules[{index}].key" is required for TRACK rules'
        return None

    def _rules(self, record: RequestRecord, plan: SegmentPlan) -> tuple[int, Any, dict[str, str]]:
        if record.method == "GET":
            error, page, pagination = self._page(record, plan.rules)
            if error:
                return error
            return self._ok({"rules": page, "pagination": pagination})
        if record.method == "PUT":
            problem = self._validate_rules(record.body)
            if problem:
                return _error(422, "input-validation", problem, "rules")
            if len(plan.rules) > 200:
                return _error(
                    400,
                    "bad-request",
                    "Can not replace more than 200 existing rules in the tracking plan. "
                    "Please use DELETE and PATCH methods.",
                )
            plan.rules = [self._stored(rule) for rule in record.body["rules"]]
            return self._ok({"status": "SUCCESS"})
        if record.method == "PATCH":
            problem = self._validate_rules(record.body)
            if problem:
                return _error(422, "input-validation", problem, "rules")
            index = {self.identity(rule): i for i, rule in enumerate(plan.rules)}
            for rule in record.body["rules"]:
                stored = self._stored(rule)
                if rule.get("newKey"):
                    stored["key"] = rule["newKey"]
                position = index.get(self.identity(rule))
                if position is None:
                    index[self.identity(stored)] = len(plan.rules)
                    plan.rules.append(stored)
                else:
                    stored["createdAt"] = plan.rules[position]["createdAt"]
                    plan.rules[position] = stored
            return self._ok({"status": "SUCCESS"})
        if record.method == "DELETE":
            rules = _delete_rules_from_query(record.query)
            if not rules and isinstance(record.body, dict):
                rules = record.body.get("rules") or []
            for rule in rules:
                with contextlib.suppress(TypeError, ValueError):
                    rule["version"] = int(rule.get("version"))
            problem = self._validate_rules({"rules": rules}, for_delete=True)
            if problem or not rules:
                return _error(422, "input-validation", problem or '"rules" is required', "rules")
            doomed = {self.identity(rule) for rule in rules}
            plan.rules = [rule for rule in plan.rules if self.identity(rule) not in doomed]
            return self._ok({"status": "SUCCESS"})
        return _error(405, "method-not-allowed", "method not allowed")


class FakeAvo(FakeServer):
    """GET /workspaces/{ws}/branches/{branch}/export/v1 with Basic auth."""

    gzip_ok = True

    def __init__(
        self,
        workspace: str = "ws123",
        account: tuple[str, str] = ("reflekt_sa_x1", "avo-secret-value"),
    ):
        super().__init__()
        self.workspace = workspace
        self.account = account
        self.branches: dict[str, dict[str, Any]] = {}

    def set_branch(self, branch_id: str, payload: dict[str, Any]) -> None:
        self.branches[branch_id] = payload

    def handle(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        auth = record.headers.get("authorization", "")
        expected = "Basic " + base64.b64encode(":".join(self.account).encode()).decode()
        if auth != expected:
            return 401, {"error": "Unauthorized"}, {}
        parts = [p for p in record.path.split("/") if p]
        if (
            len(parts) != 6
            or parts[0] != "workspaces"
            or parts[2] != "branches"
            or parts[4:] != ["export", "v1"]
        ):
            return 404, {"message": "Not found", "warnings": []}, {}
        query = dict(record.query)
        fmt = query.get("payloadFormat", "jsonSchema")
        if fmt not in ("jsonSchema", "snowplowSchemas", "ndjson"):
            return 400, {"error": f"Invalid payloadFormat: {fmt}"}, {}
        if query.get("changedEventsOnly") in ("true", "1") and parts[3] == "main":
            return 400, {"error": "changedEventsOnly is not supported on main"}, {}
        if parts[1] != self.workspace or parts[3] not in self.branches:
            return 404, {"message": "Branch not found", "warnings": []}, {}
        return 200, self.branches[parts[3]], {}


# Credentials the fixtures give the fake servers (and the tests assert are never printed).
SEGMENT_TOKEN = "sgmt-test-token-8f3a"
AVO_ACCOUNT = ("reflekt_sa_k2j4", "avo-secret-6d1e9")


def track_rule(
    key: str,
    properties: dict[str, Any] | None = None,
    *,
    version: int = 1,
    required: list[str] | None = None,
    description: str | None = "An event.",
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A TRACK rule as Segment returns it (types as single-element lists, as the API does)."""
    props = (
        properties
        if properties is not None
        else {"cart_id": {"type": ["string"], "description": "The cart."}}
    )
    json_schema: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "labels": labels or {},
        "properties": {
            "context": {},
            "traits": {},
            "properties": {
                "type": "object",
                "properties": props,
                "required": required or [],
                "additionalProperties": False,
            },
        },
    }
    if description is not None:
        json_schema["description"] = description
    return {"key": key, "type": "TRACK", "version": version, "jsonSchema": json_schema}
