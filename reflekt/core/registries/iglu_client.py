"""HTTP to an Iglu registry: a static one (files over HTTP) or an Iglu Server (REST).

Why apart from the registry class: the two kinds list schemas differently, and the answers
(HTML folder listings, listing files, schema files) are outside content, checked here.

- Static (`url` not ending in `/api`): a schema is `GET {url}/schemas/<v>/<n>/jsonschema/<M-R-A>`.
  A vendor's schemas are found through the folder listing the file server gives
  (`{url}/schemas/<vendor>/`, then `<name>/jsonschema/`: Python's `http.server` and nginx
  `autoindex` HTML), or, when the profile names one (`listing:`), through a listing file
  under `url`: a JSON array of `iglu:` URIs (what `GET /api/schemas` answers) or of
  `schemas/...` paths, or a text file with one per line.
- Iglu Server (`url` ending in `/api`): `GET /schemas/<vendor>` (a list of `iglu:` URIs),
  `GET /schemas/<v>/<n>/jsonschema/<version>`, `POST /validation/validate/schema/jsonschema`,
  `PUT /schemas/<v>/<n>/jsonschema/<version>`; `GET /meta/health` for `debug --connect`.

The `apikey` header carries the profile's `api_key` (a Secret: never shown). Every call is
bounded by `http.HttpClient`.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

from reflekt.core.errors import (
    AnswerShapeError,
    PlanNotFoundError,
    RegistryAuthError,
    RegistryError,
    RegistryNotFoundError,
    SelectError,
)
from reflekt.core.profiles import IgluRegistryConfig
from reflekt.core.progress import Progress, no_progress
from reflekt.core.registries.answers import decode_json
from reflekt.core.registries.http import HttpClient, RetryPolicy
from reflekt.core.registries.iglu_schemaver import NAME_RE, VENDOR_RE, IgluKey, SchemaVer

MAX_LISTED = 20_000  # schemas of one vendor: far above real registries, a bound all the same


class _Links(HTMLParser):
    """The `href`s of an HTML page (a folder listing)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() == "a":
            for key, value in attrs:
                if key.lower() == "href" and value:
                    self.hrefs.append(value)


def listed_entries(html: bytes) -> list[str]:
    """The entries of one folder listing (sub-folders without their `/`), each once, sorted.

    Links that leave the folder (`../`, `/x`, `?C=N;O=D`, `http://...`, `a/b`) are not entries.
    """
    parser = _Links()
    try:
        parser.feed(html.decode("utf-8", "replace"))
        parser.close()
    except (ValueError, AssertionError):  # pragma: no cover - HTMLParser is lenient
        return []
    entries = set()
    for href in parser.hrefs:
        if href.startswith(("/", "?", "#", ".")) or "://" in href:
            continue
        name = unquote(href.split("?", 1)[0].split("#", 1)[0]).removesuffix("/")
        if name and "/" not in name:
            entries.add(name)
    return sorted(entries)


def parse_listing(content: bytes, where: str) -> list[IgluKey]:
    """A listing file: a JSON array of URIs or paths, or one per line (others ignored)."""
    text = content.decode("utf-8", "replace")
    items: list[Any]
    if text.lstrip().startswith("["):
        items = decode_json(content, "Iglu", where, not_json=None)
        if not isinstance(items, list):  # pragma: no cover - starts with [
            items = []
    else:
        items = text.splitlines()
    keys = []
    for item in items:
        if isinstance(item, str):
            key = IgluKey.parse(item)
            if key is not None:
                keys.append(key)
    return keys


class IgluClient:
    """One profile's Iglu registry; `is_server` tells which API it speaks."""

    def __init__(
        self,
        config: IgluRegistryConfig,
        profile: str | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.config = config
        self.profile = profile
        headers = {}
        if config.api_key is not None and config.api_key.reveal().strip():
            headers["apikey"] = config.api_key.reveal().strip()
        self.http = HttpClient(
            config.url, registry="Iglu", profile=profile, headers=headers, policy=policy
        )

    @property
    def is_server(self) -> bool:
        return self.config.is_server

    @property
    def kind(self) -> str:
        return "Iglu Server" if self.is_server else "static Iglu registry"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> IgluClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls ---------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """`http.request`, with the Iglu meaning of a refused key."""
        try:
            return self.http.request(method, path, **kwargs)
        except RegistryAuthError as error:
            of = f" of profile '{self.profile}'" if self.profile else ""
            raise RegistryAuthError(
                error.message,
                hint=f"check the api_key{of}: Iglu Server keys are UUIDs, with read (pull) or "
                "write (push) permission for the vendor",
            ) from None

    def list_vendor(self, vendor: str, progress: Progress | None = None) -> list[IgluKey]:
        """Every jsonschema schema of `vendor`, sorted by name and version."""
        progress = progress or no_progress
        if not VENDOR_RE.match(vendor) or vendor.startswith("."):
            raise SelectError(
                f"'{vendor}' is not an Iglu vendor (letters, digits, '-', '_' and '.', not first)",
                hint="e.g. --select iglu/com.acme",
            )
        if self.is_server:
            keys = self._server_list(vendor, progress)
        elif self.config.listing:
            keys = self._listing_file(vendor, progress)
        else:
            keys = self._folder_list(vendor, progress)
        keys = sorted(
            {key for key in keys if key.vendor == vendor}, key=lambda k: (k.name, k.version)
        )
        if len(keys) > MAX_LISTED:
            raise RegistryError(f"Iglu: vendor '{vendor}' lists more than {MAX_LISTED} schemas")
        return keys

    def _server_list(self, vendor: str, progress: Progress) -> list[IgluKey]:
        progress(0, None, f"listing Iglu vendor '{vendor}'")
        path = f"/schemas/{vendor}"
        try:
            answer = self._call("GET", path, what=f"vendor '{vendor}'", progress=progress)
        except RegistryNotFoundError:
            raise PlanNotFoundError(
                f"Iglu Server: no schemas of vendor '{vendor}' (or none this api_key may read)",
            ) from None
        if not isinstance(answer, list):
            raise AnswerShapeError(
                f"the Iglu Server's answer to GET {path} is not a list of schema URIs",
                hint="check the url: an Iglu Server's ends in /api",
            )
        keys = []
        for item in answer:
            text = item if isinstance(item, str) else None
            if isinstance(item, dict) and isinstance(item.get("self"), dict):
                self_block = item["self"]
                text = "iglu:" + "/".join(
                    str(self_block.get(k)) for k in ("vendor", "name", "format", "version")
                )
            key = IgluKey.parse(text) if text else None
            if key is not None:
                keys.append(key)
        return keys

    def _listing_file(self, vendor: str, progress: Progress) -> list[IgluKey]:
        listing = str(self.config.listing)
        progress(0, None, f"reading the listing {listing}")
        path = "/" + listing
        content = self._call("GET", path, raw=True, what=f"the listing file '{listing}'")
        keys = parse_listing(content, f"GET {path}")
        if not any(key.vendor == vendor for key in keys):
            raise PlanNotFoundError(f"Iglu: the listing '{listing}' names no schema of '{vendor}'")
        return keys

    def _folder_list(self, vendor: str, progress: Progress) -> list[IgluKey]:
        progress(0, None, f"listing schemas/{vendor}/")
        try:
            names = listed_entries(self._call("GET", f"/schemas/{vendor}/", raw=True))
        except RegistryNotFoundError:
            raise PlanNotFoundError(
                f"Iglu: no folder schemas/{vendor}/ at {self.config.url} (HTTP 404)",
                hint="a file server that lists no folders (S3, GCS) needs a listing file: "
                "name it in the profile (`listing: schemas.json`, a JSON array of iglu: URIs)",
            ) from None
        keys: list[IgluKey] = []
        names = [name for name in names if NAME_RE.match(name)]
        for index, name in enumerate(names):
            progress(index, len(names), f"listing {vendor}/{name}")
            try:
                entries = listed_entries(
                    self._call("GET", f"/schemas/{vendor}/{name}/jsonschema/", raw=True)
                )
            except RegistryNotFoundError:
                continue  # a name without jsonschema schemas
            for entry in entries:
                key = IgluKey.of(vendor, name, "jsonschema", entry)
                if key is not None:
                    keys.append(key)
        return keys

    def fetch(self, key: IgluKey, progress: Progress | None = None) -> dict[str, Any] | None:
        """The schema (None when the registry does not have it), shape-checked."""
        path = "/" + key.path
        try:
            content = self._call("GET", path, what=key.uri, progress=progress, raw=True)
        except RegistryNotFoundError:
            return None

        def not_json() -> RegistryError:
            return AnswerShapeError(f"Iglu: the schema at {key.path} is not JSON")

        body = decode_json(content, "Iglu", f"GET {path}", not_json=not_json)
        return checked_schema(body, key, f"GET {path}")

    def check(self) -> str:
        if self.is_server:
            answer = self._call("GET", "/meta/health", raw=True)
            text = answer.decode("utf-8", "replace").strip()[:40]
            return f"Iglu Server at {self.config.url}: {text or 'OK'}"
        if self.config.listing:
            content = self._call("GET", "/" + self.config.listing, raw=True)
            count = len(parse_listing(content, f"GET /{self.config.listing}"))
            return f"static Iglu registry at {self.config.url}: the listing names {count} schema(s)"
        vendors = listed_entries(self._call("GET", "/schemas/", raw=True))
        vendors = [vendor for vendor in vendors if VENDOR_RE.match(vendor)]
        return f"static Iglu registry at {self.config.url}: {len(vendors)} vendor(s)"

    def is_public(self, key: IgluKey) -> bool | None:
        """Whether the Server publishes `key` publicly (`repr=meta`); None when unknown.

        Why: the Server refuses (409) a version whose availability differs from the earlier
        ones, so a new version is pushed as public as the one before it.
        """
        path = "/" + key.path
        try:
            answer = self._call("GET", path, params={"repr": "meta"}, what=key.uri)
        except RegistryNotFoundError:
            return None
        metadata = answer.get("metadata") if isinstance(answer, dict) else None
        public = metadata.get("isPublic") if isinstance(metadata, dict) else None
        return public if isinstance(public, bool) else None

    def ensure_server(self) -> None:
        """`GET /meta/health` answers: the url is an Iglu Server's (before anything is sent)."""
        try:
            self._call("GET", "/meta/health", raw=True)
        except RegistryNotFoundError:
            raise RegistryNotFoundError(
                f"no Iglu Server at {self.config.url} (GET /meta/health: HTTP 404)",
                hint="check the url of the profile: an Iglu Server's ends in /api",
            ) from None

    def validate(self, schema: dict[str, Any], key: IgluKey) -> list[str]:
        """The Server's linter on `schema`: its warnings, or a RegistryError for errors."""
        path = "/validation/validate/schema/jsonschema"
        try:
            answer = self._call("POST", path, json=schema, idempotent=True)
        except RegistryError as error:
            if error.status == 400:
                raise RegistryError(
                    f"the Iglu Server refuses {key.uri}: " + _report(error.body, error.message),
                    hint="fix the schema (`reflekt lint` checks most of what Iglu does)",
                ) from None
            raise
        return _report_lines(answer)

    def put(self, key: IgluKey, schema: dict[str, Any], public: bool | None) -> None:
        """Publish `schema` as `key` (PUT); 409 and 401/403 become clear errors."""
        path = "/" + key.path
        params = {"isPublic": "true" if public else "false"} if public is not None else None
        try:
            self._call("PUT", path, json=schema, params=params, idempotent=False, what=key.uri)
        except RegistryAuthError as error:
            raise RegistryAuthError(
                f"the Iglu Server refused to publish {key.uri}: {error.message}",
                hint=error.hint,
            ) from None
        except RegistryNotFoundError:
            raise RegistryNotFoundError(
                f"the Iglu Server at {self.config.url} has no route PUT {path} (HTTP 404)",
                hint="check the url of the profile: an Iglu Server's ends in /api",
            ) from None
        except RegistryError as error:
            if error.status == 409:
                raise published_conflict(key, _message(error.body)) from None
            if error.status == 400:
                raise RegistryError(
                    f"the Iglu Server refuses {key.uri}: " + _report(error.body, error.message)
                ) from None
            raise


def published_conflict(key: IgluKey, message: str):
    """The Server's 409: a published version (immutable) or SchemaVer out of order."""
    from reflekt.core.errors import SchemaPublishedError

    if "already exists" in message.lower():
        return SchemaPublishedError(
            f"the Iglu Server already has {key.uri} with other content (HTTP 409: {message})",
            hint="published Iglu versions are immutable: save the change as a new version "
            f"(the next ADDITION is {key.version.next_addition()})",
        )
    return SchemaPublishedError(
        f"the Iglu Server refused {key.uri} (HTTP 409): {message}",
        hint="SchemaVer versions are published in order, from 1-0-0, without gaps; push the "
        "earlier versions first (select the whole event), or choose the next free version",
    )


def checked_schema(body: Any, key: IgluKey, where: str) -> dict[str, Any]:
    """A schema file: a JSON object whose `self` is the key it was fetched as."""
    if not isinstance(body, dict):
        raise AnswerShapeError(f"Iglu: {where} is not a JSON object (the schema {key.uri})")
    self_block = body.get("self")
    got = None
    if isinstance(self_block, dict):
        got = IgluKey.of(
            str(self_block.get("vendor")),
            str(self_block.get("name")),
            str(self_block.get("format")),
            str(self_block.get("version")),
        )
    if got != key:
        shown = json.dumps(self_block, ensure_ascii=True)[:120]
        raise AnswerShapeError(
            f"Iglu: the schema at {key.path} does not correspond to its metadata (self: {shown})",
            hint="Iglu requires `self` to name the schema's own path; fix the registry file",
        )
    return body


def _message(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return "conflict"


def _report_lines(body: Any) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("report"), list):
        return []
    lines = []
    for item in body["report"]:
        if isinstance(item, dict):
            pointer = f" at {item['pointer']}" if isinstance(item.get("pointer"), str) else ""
            level = str(item.get("level") or "").lower()
            lines.append(f"{level}{pointer}: {item.get('message')}".strip(": "))
    return lines


def _report(body: Any, fallback: str) -> str:
    lines = _report_lines(body)
    head = _message(body) if isinstance(body, dict) and "message" in body else fallback
    return head + ("".join(f"\n  {line}" for line in lines[:10]) if lines else "")


__all__ = ["IgluClient", "SchemaVer", "listed_entries", "parse_listing"]
