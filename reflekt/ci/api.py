"""A small, bounded client of the GitHub REST API (stdlib urllib): JSON in, JSON out.

Why not the registries' HttpClient: that one is built around a registry profile and
`requests`; this one runs a handful of calls with the workflow's token. The same house rules
hold: a timeout per call, an overall deadline, a cap on an answer's size and on the pages of a
listing, one retry of a 5xx, and the token never in a message. Redirects are followed only to
the same origin (urllib would otherwise forward the Authorization header to any host).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_API_URL = "https://api.github.com"
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


@dataclass(frozen=True)
class Limits:
    """Every bound of one session of calls; tests pass small ones."""

    timeout: float = 10.0  # seconds per attempt (connect and each read)
    deadline: float = 60.0  # seconds for all calls of one ApiClient
    max_bytes: int = 5 * 1024 * 1024  # one answer's body
    max_pages: int = 20  # of a listing (100 items a page: 2,000 comments)
    retry_wait: float = 1.0  # before the one retry of a 5xx or a dropped connection

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        """The defaults, with `REFLEKT_CI_HTTP_<FIELD>` overrides (tests set small ones)."""
        values: dict[str, Any] = {}
        for name, kind in (
            ("timeout", float),
            ("deadline", float),
            ("max_bytes", int),
            ("max_pages", int),
            ("retry_wait", float),
        ):
            raw = env.get(f"REFLEKT_CI_HTTP_{name.upper()}")
            try:
                values[name] = kind(raw) if raw else getattr(cls, name)
            except ValueError:  # a typo in a variable keeps the default
                values[name] = getattr(cls, name)
        return cls(**values)


class ApiError(Exception):
    """A call that failed, said in one line a person can act on (never with the token)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


_HINTS = {
    401: "the token was refused (401): check the action's `token` input",
    403: "the token may not do this (403): give the job `permissions: pull-requests: write` "
    "(a pull request from a fork gets a read-only token)",
    404: "not found (404): the repository or pull request does not exist, "
    "or the token cannot see it",
}


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the same scheme, host and port: the token goes nowhere else."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        old, new = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        if (old.scheme, old.netloc) != (new.scheme, new.netloc):
            raise ApiError(f"the API redirected to another host ({new.netloc}); not followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class ApiClient:
    """Calls of one run against `api_url` with `token`, within `limits`."""

    def __init__(self, api_url: str, token: str, limits: Limits | None = None) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.limits = limits or Limits()
        self._ends = time.monotonic() + self.limits.deadline
        self._opener = urllib.request.build_opener(_SameOriginRedirects())

    def __repr__(self) -> str:  # never show the token
        return f"ApiClient({self.api_url!r})"

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """The decoded JSON answer of one call (None for an empty body)."""
        return self._call(method, self._url(path), body)[0]

    def list_all(self, path: str) -> list[Any]:
        """Every item of a paginated listing, following the Link header's `next`."""
        url: str | None = self._url(path)
        items: list[Any] = []
        for _ in range(self.limits.max_pages):
            if url is None:
                return items
            page, headers = self._call("GET", url, None)
            if not isinstance(page, list):
                raise ApiError(f"GET {_path_of(url)}: expected a list, got {type(page).__name__}")
            items.extend(page)
            url = self._next_page(headers.get("Link", ""))
        if url is not None:
            raise ApiError(
                f"GET {path}: more than {self.limits.max_pages} pages; stopped (page cap)"
            )
        return items

    def _url(self, path: str) -> str:
        return self.api_url + (path if path.startswith("/") else "/" + path)

    def _next_page(self, link: str) -> str | None:
        match = _LINK_NEXT.search(link)
        if match is None:
            return None
        url = match.group(1)
        here, there = urllib.parse.urlsplit(self.api_url), urllib.parse.urlsplit(url)
        if (here.scheme, here.netloc) != (there.scheme, there.netloc):
            raise ApiError(f"the next page is on another host ({there.netloc}); not followed")
        return url

    def _call(self, method: str, url: str, body: Any) -> tuple[Any, dict[str, str]]:
        what = f"{method} {_path_of(url)}"
        for attempt in (1, 2):
            try:
                return self._once(method, url, body)
            except urllib.error.HTTPError as exc:
                exc.close()
                if exc.code >= 500 and attempt == 1:
                    self._wait_before_retry(what)
                    continue
                hint = _HINTS.get(exc.code, f"the API answered {exc.code}")
                raise ApiError(f"{what}: {hint}", exc.code) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                if attempt == 1:
                    self._wait_before_retry(what)
                    continue
                raise ApiError(f"{what}: cannot reach the API ({reason})") from None
        raise AssertionError("unreachable")

    def _wait_before_retry(self, what: str) -> None:
        if time.monotonic() + self.limits.retry_wait >= self._ends:
            raise ApiError(f"{what}: no time left to retry (deadline {self.limits.deadline:g} s)")
        time.sleep(self.limits.retry_wait)

    def _once(self, method: str, url: str, body: Any) -> tuple[Any, dict[str, str]]:
        left = self._ends - time.monotonic()
        if left <= 0:
            raise ApiError(
                f"{method} {_path_of(url)}: deadline of {self.limits.deadline:g} s passed"
            )
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        request.add_header("User-Agent", "reflekt-action")
        request.add_header("Authorization", f"Bearer {self._token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with self._opener.open(request, timeout=min(self.limits.timeout, left)) as answer:
            raw = answer.read(self.limits.max_bytes + 1)
            headers = {"Link": answer.headers.get("Link", "")}  # case-insensitive lookup
        if len(raw) > self.limits.max_bytes:
            raise ApiError(
                f"{method} {_path_of(url)}: answer larger than {self.limits.max_bytes} bytes"
            )
        if not raw.strip():
            return None, headers
        try:
            return json.loads(raw), headers
        except ValueError:
            raise ApiError(f"{method} {_path_of(url)}: the answer is not JSON") from None


def _path_of(url: str) -> str:
    """The path and query of a URL: what a message shows of a call (no host)."""
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
