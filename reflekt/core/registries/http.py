"""One HTTP session per registry: bounded calls, retries, rate limits, clear errors, safe logs.

Why: registries rate-limit (429) and fail transiently (502/503/504, resets); a pull of
thousands of rules must survive that, every call must end in bounded time and memory whatever
the server does (drip one byte per second, send an endless body, never answer), and every
failure must end as one clear RegistryError without ever showing a token.

- `RetryPolicy`: attempts, backoff, the cap on any wait, timeouts, the overall deadline of one
  answer, the time budget of one call (all its attempts), the cap on an answer's size and on
  the pages of a listing. `RetryPolicy.from_env()` reads the `REFLEKT_HTTP_*` variables of
  `ENV_SETTINGS` (variable, field, type, meaning; the defaults are the fields' own).
- `HttpClient(base_url, registry=..., profile=..., auth=..., policy=...)` with
  `.request(method, path, params=, json=, idempotent=, what=, progress=) -> Any` (the decoded
  JSON body, checked by `answers.decode_json`).

429 is retried for every call (the server did not act on it), waiting what the server asks:
`Retry-After` (seconds or an HTTP date), else the larger of Segment's `msBeforeNext` (body)
and `X-RateLimit-Reset` (a date), else an exponential backoff from `rate_backoff`; each wait is
capped by `max_wait` and announced on the progress line ("waiting 58 s (rate limited)").
502/503/504, timeouts and dropped connections are retried only for idempotent calls, within
the call's `total` budget, each retry announced the same way ("retrying (503, 2 of 5) in
0.5 s"; `is_backoff(message)` tells these lines apart). `--verbose` logs method, URL, status and timing to the
`reflekt.registries.http` logger; headers (hence tokens) are never logged.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from reflekt.core.errors import RegistryAuthError, RegistryError, RegistryNotFoundError
from reflekt.core.progress import Progress, no_progress
from reflekt.core.registries.answers import decode_json
from reflekt.core.secrets import redact

log = logging.getLogger("reflekt.registries.http")

RETRY_STATUSES = frozenset({502, 503, 504})
CHUNK = 64 * 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try, and how far to go. The defaults suit the real services.

    Tests pass small values (`max_wait=0`, `deadline=1`, `max_bytes=1000`): every bound is a
    field, so nothing has to wait or grow for real to be tested.
    """

    attempts: int = 5
    backoff: float = 0.5  # first wait after a failure, doubled at each retry
    rate_backoff: float = 2.0  # first wait after a 429 that says nothing, doubled
    max_wait: float = 60.0  # cap on any single wait, the server's own included
    connect_timeout: float = 5.0
    read_timeout: float = 20.0  # longest silence while waiting for bytes
    deadline: float = 30.0  # one answer, from sending the request to its last byte
    total: float = 30.0  # one call: every attempt and backoff (not rate-limit waits)
    max_bytes: int = 64 * MIB  # one answer, decompressed
    max_pages: int = 500  # one paginated listing

    @classmethod
    def from_env(cls) -> RetryPolicy:
        """Defaults, overridden by the `REFLEKT_HTTP_*` variables (see `ENV_SETTINGS`).

        A value that is not a number, negative, or not finite is ignored with a warning.
        """
        policy = cls()
        values: dict[str, Any] = {}
        for env, key, kind, _meaning in ENV_SETTINGS:
            raw = os.environ.get(env)
            if not raw:
                continue
            try:
                value = _number(raw.strip(), kind)
            except (ValueError, OverflowError):
                log.warning("ignoring %s=%r (not a valid number)", env, raw)
                continue
            if not math.isfinite(value) or value < (1 if key in _AT_LEAST_ONE else 0):
                log.warning("ignoring %s=%r (out of range)", env, raw)
                continue
            values[key] = value
        if not values:
            return policy
        return cls(**{**policy.__dict__, **values})

    def wait(self, attempt: int, retry_after: float | None, *, rate_limited: bool = False) -> float:
        """Seconds to wait before retry number `attempt` (1-based); the server's ask wins."""
        base = self.rate_backoff if rate_limited else self.backoff
        wanted = retry_after if retry_after is not None else base * (2 ** (attempt - 1))
        return max(0.0, min(wanted, self.max_wait))


# (environment variable, RetryPolicy field, type, meaning): the documented knobs.
ENV_SETTINGS: tuple[tuple[str, str, type, str], ...] = (
    ("REFLEKT_HTTP_RETRIES", "attempts", int, "attempts per call"),
    ("REFLEKT_HTTP_MAX_WAIT", "max_wait", float, "cap on any single wait (s)"),
    ("REFLEKT_HTTP_TIMEOUT", "read_timeout", float, "longest silence of the server (s)"),
    ("REFLEKT_HTTP_CONNECT_TIMEOUT", "connect_timeout", float, "time to connect (s)"),
    ("REFLEKT_HTTP_DEADLINE", "deadline", float, "one answer, first to last byte (s)"),
    ("REFLEKT_HTTP_TOTAL", "total", float, "one call with its retries (s)"),
    ("REFLEKT_HTTP_MAX_BYTES", "max_bytes", int, "size of one answer (bytes)"),
    ("REFLEKT_HTTP_MAX_PAGES", "max_pages", int, "pages of one listing"),
)


def _number(text: str, kind: type) -> float | int:
    """`kind(text)`; an int setting also takes `1e6` or `5.0` (a whole number)."""
    if kind is int:
        value = float(text)
        if not value.is_integer():
            raise ValueError(text)
        return int(value)
    return float(text)


_AT_LEAST_ONE = frozenset({"attempts", "max_pages", "max_bytes"})
_ENV_OF = {key: env for env, key, _kind, _meaning in ENV_SETTINGS}


def _finite_seconds(value: float) -> float | None:
    return value if math.isfinite(value) and value >= 0 else None


def _retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds: a number or an HTTP date; None when absent or unusable.

    `nan`, `inf`, negative numbers and unparsable text are ignored (the backoff applies).
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return _finite_seconds(float(text))
    except ValueError:
        pass
    return _seconds_until(text, now)


def _seconds_until(text: str, now: datetime | None) -> float | None:
    """Seconds from `now` to an RFC 5322 / HTTP date (0 when it is past), None if unparsable."""
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = now or datetime.now(UTC)
    try:
        return max(0.0, (when - reference).total_seconds())
    except OverflowError:
        return None


def _rate_limit_reset(headers: Mapping[str, str]) -> float | None:
    """Segment's `X-RateLimit-Reset` (a date; epoch seconds or a delta also understood).

    Measured against the answer's own `Date` header when there is one, so that a skewed local
    clock does not make Reflekt wait too long or not at all.
    """
    raw = (headers.get("X-RateLimit-Reset") or "").strip()
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        server_now = None
        date = headers.get("Date")
        if date:
            try:
                server_now = parsedate_to_datetime(date)
            except (TypeError, ValueError, IndexError, OverflowError):
                server_now = None
            if server_now is not None and server_now.tzinfo is None:
                server_now = server_now.replace(tzinfo=UTC)
        return _seconds_until(raw, server_now)
    if not math.isfinite(number) or number < 0:
        return None
    if number > 1e12:  # epoch milliseconds
        number = number / 1000 - time.time()
    elif number > 1e9:  # epoch seconds
        number = number - time.time()
    return max(0.0, number)


def _ms_before_next(body: Any) -> float | None:
    """Segment's 429 body: `errors[].data.msBeforeNext` (milliseconds), as seconds."""
    if not isinstance(body, dict) or not isinstance(body.get("errors"), list):
        return None
    for item in body["errors"]:
        data = item.get("data") if isinstance(item, dict) else None
        value = data.get("msBeforeNext") if isinstance(data, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = _finite_seconds(float(value) / 1000)
            if seconds is not None:
                return seconds
    return None


def rate_limit_wait(headers: Mapping[str, str], body: Any) -> tuple[float | None, str]:
    """What a 429 asks to wait (seconds, None when it says nothing) and which field said so."""
    asked = _retry_after(headers.get("Retry-After"))
    if asked is not None and asked > 0:
        return asked, "Retry-After"
    hints = [
        (value, source)
        for value, source in (
            (_ms_before_next(body), "msBeforeNext"),
            (_rate_limit_reset(headers), "X-RateLimit-Reset"),
        )
        if value is not None and value > 0
    ]
    if hints:
        return max(hints)
    return None, ""


BACKOFF_PREFIXES = ("retrying (", "waiting ")


def is_backoff(message: str) -> bool:
    """Whether a progress message is the client waiting before a retry (a view that shows
    only some progress, such as the TUI's push and pull, still shows these)."""
    return message.startswith(BACKOFF_PREFIXES)


def format_seconds(seconds: float) -> str:
    """`58 s` (whole seconds, rounded up, from 1 s on), `0.5 s` or `0.001 s` below."""
    if seconds >= 1:
        return f"{math.ceil(seconds - 1e-9)} s"
    return f"{seconds:.3g} s"


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
        progress: Progress | None = None,
        raw: bool = False,
    ) -> Any:
        """Send one call (retrying as the policy allows) and return the decoded JSON body.

        `what` names the resource for a 404 message ("tracking plan 'x'"); `progress` hears
        every wait ("waiting 58 s (rate limited)") so the user sees why nothing moves.
        `raw`: return the body's bytes undecoded (a static Iglu registry's folder listing is
        HTML); an error answer is then never taken for "not the API".
        """
        if idempotent is None:
            idempotent = method.upper() in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
        url = f"{self.base_url}{path}"
        where = f"{method.upper()} {path}"
        policy = self.policy
        attempts = max(1, policy.attempts)
        call_started = time.monotonic()
        rate_waited = 0.0  # waits a 429 asked for do not count against the call's budget
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            left = policy.total - (started - call_started - rate_waited)
            self.calls += 1
            try:
                answer = self._exchange(method, url, params, json, max(left, 0.05))
            except _TooLarge as exc:
                raise RegistryError(
                    f"the {self.registry} registry's answer to {where} is larger than "
                    f"{_size(policy.max_bytes)}{exc.seen}",
                    hint=f"the cap is {_ENV_OF['max_bytes']} (bytes); raise it if the "
                    f"registry really holds that much, else check the api_url{self._of_profile}",
                ) from None
            except Exception as exc:
                reason, transient = self._reason(exc, min(policy.read_timeout, max(left, 0.05)))
                elapsed = (time.monotonic() - started) * 1000
                log.debug("%s %s -> %s (%.0f ms)", method, redact(url), reason, elapsed)
                wait = policy.wait(attempt, None)
                spent = time.monotonic() - call_started - rate_waited
                out_of_time = spent + wait >= policy.total
                if not transient or not idempotent or attempt >= attempts or out_of_time:
                    raise self._unreachable(reason, attempt, spent, out_of_time) from None
                self._sleep(wait, None, reason, attempt, progress, backoff=True)
                continue
            elapsed = (answer.finished - started) * 1000
            log.debug("%s %s -> %s (%.0f ms)", method, redact(answer.url), answer.status, elapsed)
            status = answer.status
            if 200 <= status < 300:
                return answer.content if raw else self._decode(answer, where)
            body = self._decode_quiet(answer)
            last = attempt >= attempts
            if status == 429 and not last:
                asked, source = rate_limit_wait(answer.headers, body)
                wait = policy.wait(attempt, asked, rate_limited=True)
                self._sleep(wait, asked, "rate limited", attempt, progress, source)
                rate_waited += wait
                continue
            if idempotent and status in RETRY_STATUSES and not last:
                wait = policy.wait(attempt, _retry_after(answer.headers.get("Retry-After")))
                spent = time.monotonic() - call_started - rate_waited
                if spent + wait < policy.total:
                    self._sleep(wait, None, str(status), attempt, progress, backoff=True)
                    continue
            if body is None and answer.content and status in (404, 405) and not raw:
                # Not the registry's JSON envelope: the api_url is likely not the API's.
                raise self._not_the_api(status)
            retried = attempt > 1 and (status == 429 or status in RETRY_STATUSES)
            error = self._error(status, body, what, retried, attempt)
            error.status = status
            error.body = body
            raise error
        raise RegistryError(  # pragma: no cover - the loop always returns or raises
            f"the {self.registry} registry did not answer {where}"
        )

    def _exchange(self, method: str, url: str, params: Any, json: Any, left: float) -> _Answer:
        """One request and its whole answer, within `deadline` (and what is left of `total`).

        Why a thread: a socket timeout bounds each silence, not the whole answer; a server
        that drips one byte per second (in the headers or the body) never trips it. The
        worker reads in small pieces and stops at the deadline or the size cap; this thread
        stops waiting for it at the deadline whatever it is blocked on.
        """
        policy = self.policy
        deadline = min(policy.deadline, left)
        read_timeout = min(policy.read_timeout, left)
        timeouts = (min(policy.connect_timeout, left), read_timeout)
        stop = threading.Event()
        box: dict[str, Any] = {}
        finished = threading.Event()
        give_up_at = time.monotonic() + deadline

        def work() -> None:
            try:
                box["answer"] = self._read(method, url, params, json, timeouts, give_up_at, stop)
            except BaseException as exc:  # handed to the caller, never lost
                box["error"] = exc
            finally:
                finished.set()

        worker = threading.Thread(target=work, name="reflekt-http", daemon=True)
        worker.start()
        try:
            if not finished.wait(deadline + 0.05):
                raise _Deadline(deadline, self._bound_of(deadline))
        finally:
            stop.set()
        if isinstance(box.get("error"), _Deadline):
            raise _Deadline(deadline, self._bound_of(deadline))
        if "error" in box:
            raise box["error"]
        return box["answer"]

    def _bound_of(self, seconds: float) -> str:
        """Which setting ended an exchange: the answer's deadline or the call's budget.

        The deadline unless the budget left was clearly shorter (the first attempt's budget
        is a few microseconds under `total`, which must not make it the culprit).
        """
        return _ENV_OF["deadline" if seconds >= self.policy.deadline - 0.1 else "total"]

    def _read(
        self,
        method: str,
        url: str,
        params: Any,
        json: Any,
        timeouts: tuple[float, float],
        give_up_at: float,
        stop: threading.Event,
    ) -> _Answer:
        limit = self.policy.max_bytes
        response = self.session.request(
            method, url, params=params, json=json, timeout=timeouts, stream=True
        )
        complete = False
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.strip().isdigit() and int(declared) > limit:
                raise _TooLarge(f" (it announces {_size(int(declared))})")
            chunks: list[bytes] = []
            size = 0
            while True:
                if stop.is_set() or time.monotonic() > give_up_at:
                    raise _Deadline(0, "")  # told in full by _exchange
                chunk = response.raw.read1(CHUNK, decode_content=True)
                if not chunk:
                    complete = True
                    break
                size += len(chunk)
                if size > limit:
                    raise _TooLarge("")
                chunks.append(chunk)
            return _Answer(
                response.status_code,
                response.headers,
                response.url,
                b"".join(chunks),
                time.monotonic(),
            )
        finally:
            if complete:
                response.raw.release_conn()  # read to the end: the connection can be reused
            else:
                response.close()

    def _reason(self, exc: BaseException, read_timeout: float) -> tuple[str, bool]:
        """A short reason for a failed exchange, and whether trying again may help."""
        if isinstance(exc, _Deadline):
            return f"the answer did not complete within {exc.seconds:.3g}s ({exc.bound})", True
        requests = self._requests
        if isinstance(exc, requests.exceptions.RequestException):
            return _failure(exc, self.policy, read_timeout)
        if isinstance(exc, OSError):
            return f"{type(exc).__name__}: {redact(str(exc))[:160]}", True
        if isinstance(exc, Exception):  # urllib3 / decoding errors raised while streaming
            names = {type(item).__name__ for item in _chain(exc)}
            if "ReadTimeoutError" in names:
                return f"no answer within {read_timeout:.3g}s", True
            if "DecodeError" in names:
                return "the answer's compression (Content-Encoding) is broken", False
            if names & {"ProtocolError", "IncompleteRead"}:
                return "the connection broke while reading the answer", True
            return f"{type(exc).__name__}: {redact(str(exc))[:160]}", True
        raise exc  # KeyboardInterrupt, SystemExit: not ours to handle

    def _unreachable(
        self, reason: str, attempt: int, spent: float, out_of_time: bool
    ) -> RegistryError:
        tries = f" (after {attempt} attempts)" if attempt > 1 else ""
        hint = f"check the network and the api_url{self._of_profile}"
        if out_of_time and attempt > 1:
            tries = f" (after {attempt} attempts in {spent:.1f} s)"
            hint += f"; {_ENV_OF['total']} bounds one call with its retries"
        return RegistryError(
            f"cannot reach the {self.registry} registry at {self.base_url}: {reason}{tries}",
            hint=hint,
        )

    def _sleep(
        self,
        wait: float,
        asked: float | None,
        why: str,
        attempt: int,
        progress: Progress | None,
        source: str = "",
        *,
        backoff: bool = False,
    ) -> None:
        """Wait before a retry, and say so on the progress line (and in the log).

        A backoff after a failure (`backoff`: 503, a dropped connection) reads
        `retrying (503, 2 of 5) in 0.5 s`: the attempt to come, of all; a rate-limit wait
        says how long and who asked.
        """
        if backoff:
            attempts = max(1, self.policy.attempts)
            message = f"retrying ({why}, {attempt + 1} of {attempts}) in {format_seconds(wait)}"
        else:
            told = ""
            if asked is not None and asked > wait + 0.5:
                told = (
                    f"; the registry asked for {format_seconds(asked)}, "
                    f"capped by {_ENV_OF['max_wait']}"
                )
            elif source:
                told = f" as {source} asks"
            message = (
                f"waiting {format_seconds(wait)} ({why}{told}), "
                f"then retry {attempt} of {max(1, self.policy.attempts) - 1}"
            )
        log.info("%s", message)
        (progress or no_progress)(0, None, message)
        if wait > 0:
            time.sleep(wait)

    def _not_the_api(self, status: int | str) -> RegistryError:
        return RegistryError(
            f"{self.base_url} does not answer like the {self.registry} API "
            f"(HTTP {status}, not JSON)",
            hint=f"check the api_url{self._of_profile} in reflekt_profiles.yml",
        )

    def _decode(self, answer: _Answer, where: str) -> Any:
        if not answer.content:
            return None
        return decode_json(
            answer.content, self.registry, where, not_json=lambda: self._not_the_api(answer.status)
        )

    def _decode_quiet(self, answer: _Answer) -> Any:
        """The body of an error answer, or None when it is not (usable) JSON."""
        if not answer.content:
            return None
        try:
            return decode_json(answer.content, self.registry, "", not_json=None)
        except (RegistryError, ValueError):
            return None

    def _error(
        self, status: int, body: Any, what: str | None, retried: bool, attempts: int
    ) -> RegistryError:
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
                f"{attempts} attempts{suffix}",
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


def _failure(exc: Exception, policy: RetryPolicy, read_timeout: float) -> tuple[str, bool]:
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
        return f"no answer within {read_timeout:.3g}s", True
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


@dataclass(frozen=True)
class _Answer:
    """A complete answer, read within the deadline and the size cap."""

    status: int
    headers: Mapping[str, str]
    url: str
    content: bytes
    finished: float  # time.monotonic() at the last byte


class _Deadline(Exception):
    def __init__(self, seconds: float, bound: str) -> None:
        super().__init__(seconds)
        self.seconds = seconds
        self.bound = bound


class _TooLarge(Exception):
    def __init__(self, seen: str) -> None:
        super().__init__(seen)
        self.seen = seen


def _size(count: int) -> str:
    if count >= 1024 * MIB:
        return f"{count / (1024 * MIB):.3g} GiB"
    if count >= MIB:
        return f"{count / MIB:.3g} MiB"
    if count >= 1024:
        return f"{count / 1024:.3g} KiB"
    return f"{count} bytes"
