"""A local stand-in for Iglu Server, and a static Iglu registry served by `http.server`.

Built from reference/registry-contracts.md ("Iglu Server REST", "Iglu fake"): the `apikey`
header (a UUID, else 400 "Invalid UUID for ApiKey"; unknown or missing: public schemas
only), keys with read or write permission for a vendor prefix and a super key, the
`/api/schemas` routes (`repr=uri` lists, `repr=meta` with `metadata.isPublic`, 404 "No
schemas available" / "The schema is not found"), PUT with the URI/`self` mismatch check and SchemaVer sequencing (409 "Schema already
exists", "Preceding SchemaVer in the group is missing...", "The schema version is not
sequential", "Inconsistent schema availability..."), minimal linting (`$schema` present, `required` within `properties`) on PUT and on
`POST /api/validation/validate/schema/jsonschema`, `GET /api/meta/health`. The request log and
the failure switch are `registry_fakes.FakeServer`'s.

`StaticRegistry` serves a folder with Python's own `http.server` (folder listings on, or off
as S3 and GCS websites have them).
"""

from __future__ import annotations

import functools
import re
import threading
import uuid
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from registry_fakes import FakeServer, RequestRecord

SELF_DESC = (
    "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"
)
_VERSION = re.compile(r"^([0-9]+)-([0-9]+)-([0-9]+)$")


@dataclass
class Stored:
    schema: dict[str, Any]
    public: bool


class FakeIgluServer(FakeServer):
    """Iglu Server at `<url>/api` (`url` is the registry's base as Iglu clients use it)."""

    def __init__(self, super_key: str | None = None) -> None:
        super().__init__()
        self.super_key = super_key or str(uuid.uuid4())
        self.keys: dict[str, tuple[str, str]] = {}  # key -> (read|write, vendor prefix)
        self.schemas: dict[tuple[str, str, str, str], Stored] = {}

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def keygen(self, vendor_prefix: str) -> dict[str, str]:
        """`POST /api/auth/keygen`'s answer, done directly: {"read": uuid, "write": uuid}."""
        read, write = str(uuid.uuid4()), str(uuid.uuid4())
        self.keys[read] = ("read", vendor_prefix)
        self.keys[write] = ("write", vendor_prefix)
        return {"read": read, "write": write}

    def seed(self, schema: dict[str, Any], public: bool = False) -> None:
        own = schema["self"]
        key = (own["vendor"], own["name"], own["format"], own["version"])
        self.schemas[key] = Stored(schema, public)

    # -- permissions --------------------------------------------------------------------

    def _permission(self, record: RequestRecord) -> tuple[str, str] | str | None:
        """(level, vendor prefix), None for anonymous, or "invalid" for a non-UUID key."""
        key = record.headers.get("apikey")
        if key is None:
            return None
        try:
            uuid.UUID(key)
        except ValueError:
            return "invalid"
        if key == self.super_key:
            return ("super", "")
        return self.keys.get(key)

    @staticmethod
    def _covers(permission: Any, vendor: str, level: str) -> bool:
        if not isinstance(permission, tuple):
            return False
        kind, prefix = permission
        if kind == "super":
            return True
        if level == "write" and kind != "write":
            return False
        return vendor.startswith(prefix)

    def _readable(self, permission: Any, key: tuple[str, str, str, str]) -> bool:
        stored = self.schemas[key]
        return stored.public or self._covers(permission, key[0], "read")

    # -- routes ---------------------------------------------------------------------------

    def handle(self, record: RequestRecord) -> tuple[int, Any, dict[str, str]]:
        permission = self._permission(record)
        if permission == "invalid":
            return 400, {"message": "Invalid UUID for ApiKey"}, {}
        path = record.path
        if not path.startswith("/api/"):
            return 404, {"message": "The requested resource could not be found"}, {}
        parts = [part for part in path[len("/api/") :].split("/") if part]
        if parts == ["meta", "health"] and record.method == "GET":
            return 200, b"OK", {"Content-Type": "text/plain"}
        if parts[:1] == ["schemas"]:
            return self._schemas(record, parts[1:], permission)
        if parts == ["validation", "validate", "schema", "jsonschema"] and record.method == "POST":
            report = _lint(record.body)
            if report:
                return 400, _lint_error(report), {}
            return (
                200,
                {"message": "The schema provided is a valid self-describing schema", "report": []},
                {},
            )
        return 404, {"message": "The requested resource could not be found"}, {}

    def _schemas(
        self, record: RequestRecord, parts: list[str], permission: Any
    ) -> tuple[int, Any, dict[str, str]]:
        if record.method == "GET" and len(parts) == 4 and _VERSION.match(parts[3]):
            key = tuple(parts)
            if key not in self.schemas or not self._readable(permission, key):  # type: ignore[arg-type]
                return 404, {"message": "The schema is not found"}, {}
            stored = self.schemas[key]  # type: ignore[index]
            if dict(record.query).get("repr") == "meta":
                meta = {"createdAt": "2026-12-01T10:00:00Z", "updatedAt": "2026-12-01T10:00:00Z"}
                return 200, {**stored.schema, "metadata": {**meta, "isPublic": stored.public}}, {}
            return 200, stored.schema, {}
        if record.method == "GET" and len(parts) <= 4:
            chosen = [
                key
                for key in sorted(self.schemas, key=_order)
                if list(key[: len(parts)]) == parts
                or (len(parts) == 4 and list(key[:3]) == parts[:3] and _model(key) == parts[3])
            ]
            chosen = [key for key in chosen if self._readable(permission, key)]
            if not chosen:
                return 404, {"message": "No schemas available"}, {}
            return 200, [f"iglu:{'/'.join(key)}" for key in chosen], {}
        if record.method == "PUT" and len(parts) == 4:
            return self._put(record, tuple(parts), permission)  # type: ignore[arg-type]
        return 404, {"message": "The requested resource could not be found"}, {}

    def _put(
        self, record: RequestRecord, key: tuple[str, str, str, str], permission: Any
    ) -> tuple[int, Any, dict[str, str]]:
        match = _VERSION.match(key[3])
        if match is None:
            return 400, {"message": f"Cannot parse version {key[3]}"}, {}
        if permission is None:
            return 401, {"message": "Not enough permissions"}, {}
        if not self._covers(permission, key[0], "write"):
            return 403, {"message": "Authentication error: not authorized"}, {}
        body = record.body
        if not isinstance(body, dict):
            return 400, {"message": "Cannot decode JSON schema"}, {}
        own = body.get("self")
        uri = f"iglu:{'/'.join(key)}"
        if isinstance(own, dict):
            payload = f"iglu:{own.get('vendor')}/{own.get('name')}/{own.get('format')}/{own.get('version')}"
            if payload != uri:
                return (
                    400,
                    {
                        "uriSchemaKey": uri,
                        "payloadSchemaKey": payload,
                        "message": "Mismatch: the schema metadata does not match the payload and URI",
                    },
                    {},
                )
        report = _lint(body)
        if report:
            return 400, _lint_error(report), {}
        conflict = self._sequence(key)
        if conflict:
            return 409, {"message": conflict}, {}
        public = dict(record.query).get("isPublic", "false") == "true"
        if any(s.public != public for k, s in self.schemas.items() if k[:3] == key[:3]):
            return (
                409,
                {
                    "message": "Inconsistent schema availability. Cannot add private schema to "
                    "group with public schemas"
                    if not public
                    else "Inconsistent schema "
                    "availability. Cannot add public schema to group with private schemas"
                },
                {},
            )
        self.schemas[key] = Stored(body, public)
        return (
            201,
            {"message": "Schema created", "updated": False, "location": uri, "status": 201},
            {},
        )

    def _sequence(self, key: tuple[str, str, str, str]) -> str | None:
        """VersionCursor: published versions are immutable and come in order."""
        if key in self.schemas:
            return "Schema already exists"
        model, revision, addition = (int(x) for x in key[3].split("-"))
        group = {tuple(int(x) for x in k[3].split("-")) for k in self.schemas if k[:3] == key[:3]}
        missing = "Preceding SchemaVer in the group is missing, check that schemas published in proper order"
        if (model, revision, addition) == (1, 0, 0):
            return None
        if addition > 0:
            if (model, revision, addition - 1) not in group:
                return missing
            if any(m == model and r > revision for m, r, _a in group):
                return "The schema version is not sequential"
            return None
        if revision > 0:
            return None if any(m == model and r == revision - 1 for m, r, _a in group) else missing
        return None if any(m == model - 1 for m, _r, _a in group) else missing


def _order(key: tuple[str, str, str, str]) -> tuple:
    return (*key[:3], tuple(int(x) for x in key[3].split("-")))


def _model(key: tuple[str, str, str, str]) -> str:
    return key[3].split("-")[0]


def _lint(body: Any) -> list[dict[str, str]]:
    """The Server's linter, minimally: `$schema` present, `required` within `properties`."""
    if not isinstance(body, dict):
        return [{"message": "Cannot decode JSON schema", "level": "ERROR", "pointer": "/"}]
    report = []
    if "$schema" not in body:
        report.append({"message": "$schema is missing", "level": "ERROR", "pointer": "/"})
    properties = body.get("properties") if isinstance(body.get("properties"), dict) else {}
    missing = [name for name in body.get("required") or [] if name not in properties]
    if missing:
        report.append(
            {
                "message": f"Elements specified as required [{','.join(missing)}] don't exist "
                "in schema properties",
                "level": "ERROR",
                "pointer": "/required",
            }
        )
    return report


def _lint_error(report: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "message": "The schema does not conform to a JSON Schema v4 specification",
        "report": report,
    }


class _QuietFiles(SimpleHTTPRequestHandler):
    listings = True

    def log_message(self, *args: Any) -> None:
        pass

    def list_directory(self, path: str):  # type: ignore[override]
        if not self.listings:  # as an S3 or GCS website: a folder is not found
            self.send_error(404, "Not Found")
            return None
        return super().list_directory(path)


class StaticRegistry:
    """A folder served over HTTP by Python's `http.server` (`listings=False`: no folder
    listings, as on S3/GCS). `requests` records the paths asked for."""

    def __init__(self, root: Path, *, listings: bool = True) -> None:
        self.root = root
        self.requests: list[str] = []
        registry = self

        class Handler(_QuietFiles):
            def do_GET(self) -> None:
                registry.requests.append(urlsplit(self.path).path)
                super().do_GET()

        Handler.listings = listings
        handler = functools.partial(Handler, directory=str(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StaticRegistry:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
