"""One HTTP session per registry: timeouts, retries, Retry-After, clear errors, safe logs.

Why: registries rate-limit (429 + Retry-After) and fail transiently (502/503/504, resets);
a pull of thousands of rules must survive that, and every failure must end as one clear
RegistryError without ever showing a token.

- `RetryPolicy`: attempts, exponential backoff, cap on any wait (Retry-After included), and
  timeouts. `RetryPolicy.from_env()` reads `REFLEKT_HTTP_MAX_WAIT` (seconds, cap on any one
  wait), `REFLEKT_HTTP_RETRIES` (attempts) and `REFLEKT_HTTP_TIMEOUT` (read timeout).
- `HttpClient(base_url, registry=..., profile=..., auth=..., policy=...)` with
  `.request(method, path, params=, json=, idempotent=) -> Any` (the decoded JSON body).

429 is retried for every call (the server did not act on it); 502/503/504 and connection
errors only for idempotent calls. `--verbose` logs method, URL, status and timing to the
`reflekt.registries.http` logger; headers (hence tokens) are never logged.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reflekt.core.errors import RegistryError
from reflekt.core.secrets import redact

log = logging.getLogger("reflekt.registries.http")

RETRY_STATUSES = frozenset({502, 503, 504})


class RegistryNotFoundError(RegistryError):
    """HTTP 404: the plan, branch or workspace does not exist."""


class RegistryAuthError(RegistryError):
    """HTTP 401/403: the registry rejected the credentials."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. The defaults suit the real services; tests pass `max_wait=0`."""

    attempts: int = 5
    backoff: float = 0.5  # first wait, doubled at each retry
    max_wait: float = 30.0  # cap on any single wait, Retry-After included
    connect_timeout: float = 10.0
    read_timeout: float = 60.0

    @classmethod
    def from_env(cls) -> RetryPolicy:
        """Defaults, overridden by REFLEKT_HTTP_MAX_WAIT / _RETRIES / _TIMEOUT when set."""
        policy = cls()
        values: dict[str, Any] = {}
        for env, key, kind in (
            ("REFLEKT_HTTP_MAX_WAIT", "max_wait", float),
            ("REFLEKT_HTTP_RETRIES", "attempts", int),
            ("REFLEKT_HTTP_TIMEOUT", "read_timeout", float),
        ):
            raw = os.environ.get(env)
            if raw:
                try:
                    values[key] = kind(raw)
                except ValueError:
                    log.warning("ignoring %s=%r (not a number)", env, raw)
        if not values:
            return policy
        return cls(**{**policy.__dict__, **values})

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        wanted = retry_after if retry_after is not None else self.backoff * (2 ** (attempt - 1))
        return max(0.0, min(wanted, self.max_wait))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def error_message(body: Any, fallback: str) -> str:
    """The server's own message from a Segment (`errors[]`) or Avo (`error`/`message`) body."""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            texts = []
            for item in errors:
                if isinstance(item, dict):
                    text = str(item.get("message") or item.get("type") or "")
                    if item.get("field"):
                        text = f"{text} (field: {item['field']})"
                    texts.append(text)
            if any(texts):
                return "; ".join(t for t in texts if t)
        for key in ("message", "error"):
            if isinstance(body.get(key), str) and body[key]:
                return body[key]
    return fallback


class HttpClient:
    """A requests session bound to one registry and one profile's credentials."""

    def __init__(
        self,
        base_url: str,
        *,
        registry: str,
        profile: str | None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        import requests

        self._requests = requests
        self.base_url = base_url.rstrip("/")
        self.registry = registry
        self.profile = profile
        self.policy = policy or RetryPolicy.from_env()
        self.session = requests.Session()
        self.session.headers.update(headers or {})
        if auth is not None:
            self.session.auth = auth
        self.calls = 0

    @property
    def _of_profile(self) -> str:
        return f" of profile '{self.profile}'" if self.profile else ""

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        idempotent: bool | None = None,
        what: str | None = None,
    ) -> Any:
        """Send one call (retrying as the policy allows) and return the decoded JSON body.

        `what` names the resource for a 404 message ("tracking plan 'x'").
        """
        requests = self._requests
        if idempotent is None:
            idempotent = method.upper() in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
        url = f"{self.base_url}{path}"
        last_problem = ""
        for attempt in range(1, max(1, self.policy.attempts) + 1):
            started = time.perf_counter()
            self.calls += 1
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    timeout=(self.policy.connect_timeout, self.policy.read_timeout),
                )
            except requests.exceptions.RequestException as exc:
                elapsed = (time.perf_counter() - started) * 1000
                reason, transient = _failure(exc, self.policy)
                log.debug("%s %s -> %s (%.0f ms)", method, redact(url), reason, elapsed)
                last_problem = reason
                if not transient or not idempotent or attempt >= self.policy.attempts:
                    tries = f" (after {attempt} attempts)" if attempt > 1 else ""
                    raise RegistryError(
                        f"cannot reach the {self.registry} registry at {self.base_url}: "
                        f"{reason}{tries}",
                        hint=f"check the network and the api_url{self._of_profile}",
                    ) from None
                self._sleep(attempt, None, reason)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            log.debug(
                "%s %s -> %s (%.0f ms)", method, redact(response.url), response.status_code, elapsed
            )
            status = response.status_code
            if 200 <= status < 300:
                return self._decode(response)
            retry_after = _retry_after(response.headers.get("Retry-After"))
            retryable = status == 429 or (idempotent and status in RETRY_STATUSES)
            last_problem = f"HTTP {status}"
            if retryable and attempt < self.policy.attempts:
                self._sleep(attempt, retry_after, f"HTTP {status}")
                continue
            body = _decode_quiet(response)
            if body is None and response.content and status in (404, 405):
                # Not the registry's JSON envelope: the api_url is likely not the API's.
                raise self._not_the_api(status)
            raise self._error(status, body, what, retryable)
        raise RegistryError(  # pragma: no cover - the loop always returns or raises
            f"the {self.registry} registry did not answer ({last_problem})"
        )

    def _sleep(self, attempt: int, retry_after: float | None, why: str) -> None:
        wait = self.policy.wait(attempt, retry_after)
        told = " as Retry-After asks" if retry_after is not None else ""
        log.debug(
            "%s: retry %d of %d in %.2fs%s",
            why,
            attempt,
            self.policy.attempts - 1,
            wait,
            told,
        )
        if wait > 0:
            time.sleep(wait)

    def _not_the_api(self, status: int | str) -> RegistryError:
        return RegistryError(
            f"{self.base_url} does not answer like the {self.registry} API "
            f"(HTTP {status}, not JSON)",
            hint=f"check the api_url{self._of_profile} in reflekt_profiles.yml",
        )

    def _decode(self, response: Any) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise self._not_the_api(response.status_code) from None

    def _error(self, status: int, body: Any, what: str | None, retried: bool) -> RegistryError:
        server = redact(error_message(body, ""))
        suffix = f": {server}" if server else ""
        profile = f" of profile '{self.profile}'" if self.profile else ""
        if status in (401, 403):
            return RegistryAuthError(
                f"the {self.registry} registry rejected the credentials{profile} "
                f"(HTTP {status}){suffix}",
                hint="check the token / service account in reflekt_profiles.yml "
                "(and that it has access to this workspace)",
            )
        if status == 404:
            target = what or "the requested resource"
            return RegistryNotFoundError(f"{self.registry}: {target} not found (HTTP 404){suffix}")
        if status == 422:
            return RegistryError(
                f"the {self.registry} registry refused the request (HTTP 422): "
                f"{server or 'validation failure'}"
            )
        if retried:
            return RegistryError(
                f"the {self.registry} registry still answers HTTP {status} after "
                f"{self.policy.attempts} attempts{suffix}",
                hint="the service may be rate limiting or down; try again later",
            )
        return RegistryError(f"the {self.registry} registry answered HTTP {status}{suffix}")


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it (requests wraps urllib3, which wraps the socket error)."""
    seen: list[BaseException] = []
    todo: list[Any] = [exc]
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        todo.extend([getattr(item, "reason", None), item.__cause__, item.__context__])
        todo.extend(arg for arg in item.args if isinstance(arg, BaseException))
    return seen


def _failure(exc: Exception, policy: RetryPolicy) -> tuple[str, bool]:
    """A short reason for a failed call, and whether trying again may help.

    Retried: timeouts, resets and connections closed mid-answer. Not retried: a refused
    connection (nothing listens at that address: a wrong api_url or port), an unknown host, a
    TLS failure, a malformed URL; waiting would only delay the same error.
    """
    import requests

    chain = _chain(exc)
    names = {type(item).__name__ for item in chain}
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return "the URL is not valid", False
    if isinstance(exc, requests.exceptions.InvalidSchema):
        return "the URL must start with https://", False
    if isinstance(exc, requests.exceptions.SSLError):
        return "the TLS (https) handshake failed", False
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"no connection within {policy.connect_timeout:g}s", True
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no answer within {policy.read_timeout:g}s", True
    if "NameResolutionError" in names or "gaierror" in names:
        return "the host name does not resolve", False
    if "ConnectionRefusedError" in names:
        return "connection refused (nothing listens at that address)", False
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection broke while reading the answer", True
    if names & {"RemoteDisconnected", "ConnectionResetError", "ProtocolError", "BrokenPipeError"}:
        return "the server closed the connection", True
    text = redact(str(exc))
    if len(text) > 160:
        text = text[:160] + "..."
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__), True


def _decode_quiet(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
