"""Segment Public API client: tracking plans and their rules.

Why: the original read at most 200 rules and used PUT (refused above 200 rules); this client
follows the cursor pagination to the end and writes with PATCH / DELETE in batches of 200.

`SegmentClient(config: SegmentRegistryConfig, profile: str | None, policy=None)`:
- `list_plans(plan_type=None, progress=None) -> list[dict]`,
  `find_plan(name, plan_type=None, progress=None) -> dict | None`,
  `create_plan(name, plan_type="LIVE") -> dict`
- `list_rules(plan_id, progress=None) -> list[dict]` (every page)
- `upsert_rules(plan_id, rules, progress=None)` (PATCH, batches of `RULES_PER_REQUEST`)
- `delete_rules(plan_id, rules, progress=None)` (DELETE with the `rules` query array, at
  most `DELETE_RULES_PER_REQUEST` = 20 rules per call)
- `check() -> str`: a short description when the token is accepted.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from reflekt.core.errors import ConfigError, RegistryError
from reflekt.core.platforms.segment import DEFAULT_PLAN_TYPE
from reflekt.core.profiles import SegmentRegistryConfig
from reflekt.core.progress import Progress, no_progress
from reflekt.core.registries import answers
from reflekt.core.registries.http import HttpClient, RetryPolicy
from reflekt.core.signals import Terminated

PAGE_SIZE = 200
RULES_PER_REQUEST = 200
# The remove list travels in the query string (`rules.0[type]=...`); servers that parse it
# with the common Node `qs` defaults turn arrays of more than 20 items into objects.
DELETE_RULES_PER_REQUEST = 20
PAGE_SLACK = 2  # pages beyond what totalEntries implies (items added while reading)
_ITEM_CHECKS = {"trackingPlans": answers.segment_plan, "rules": answers.segment_rule}


@contextmanager
def _partial(done: int, total: int, verb: str) -> Iterator[None]:
    """Say how far a batched write got when a later batch fails or the user stops it with
    Ctrl-C (the plan is half-updated; an interrupt's note is printed under `Interrupted.`)."""
    try:
        yield
    except RegistryError as error:
        if done:
            error.message += (
                f" ({done} of {total} rules were already {verb}; once fixed, run the same "
                "command again: it only sends what still differs)"
            )
            error.args = (error.message,)
        raise
    except (KeyboardInterrupt, Terminated) as stop:
        stop.add_note(
            f"{done} of {total} rules were already {verb}, and the batch being sent may have "
            "been applied; run the same command again: it only sends what still differs"
        )
        raise


class SegmentClient:
    """Calls of the Segment Public API used by pull, push, diff and debug."""

    def __init__(
        self,
        config: SegmentRegistryConfig,
        profile: str | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.config = config
        if not config.api_token.reveal().strip():
            where = f" of profile '{profile}'" if profile else ""
            raise ConfigError(
                f"the Segment api_token{where} is empty",
                hint="set it in reflekt_profiles.yml, or export the environment variable "
                "it reads (e.g. SEGMENT_API_TOKEN)",
            )
        self.http = HttpClient(
            config.api_url,
            registry="Segment",
            profile=profile,
            headers={
                "Authorization": f"Bearer {config.api_token.reveal()}",
                "Content-Type": "application/json",
            },
            policy=policy,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SegmentClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _data(self, body: Any, where: str = "") -> dict[str, Any]:
        return answers.segment_data(body, where)

    def _pages(self, path: str, key: str, what: str, progress: Progress | None) -> list[dict]:
        """Every item of a paginated list, following `pagination.next` to the last page.

        Bounded: a repeated cursor, more items or pages than the first page's `totalEntries`
        implies (plus `PAGE_SLACK` pages, for rules added meanwhile) or more than
        `policy.max_pages` pages is an error, so a server that pages forever cannot keep a
        pull running. Items are shape-checked here (`answers.segment_plan` / `segment_rule`)
        before anything converts them.
        """
        check = _ITEM_CHECKS.get(key)
        items: list[dict] = []
        cursor: str | None = None
        seen: set[str] = set()
        announced: int | None = None
        first_size = 0
        max_pages = self.http.policy.max_pages
        progress = progress or no_progress
        where = f"GET {path}"
        for number in range(1, max_pages + 2):
            if number > max_pages:
                raise RegistryError(
                    f"the Segment registry's listing of {key} ({where}) goes on beyond "
                    f"{max_pages} pages ({len(items)} {key} so far)",
                    hint=f"the cap is REFLEKT_HTTP_MAX_PAGES; raise it if the plan really "
                    f"holds more than {max_pages * PAGE_SIZE} {key}",
                )
            params: dict[str, Any] = {"pagination.count": PAGE_SIZE}
            if cursor:
                params["pagination.cursor"] = cursor
            body = self.http.request("GET", path, params=params, what=what, progress=progress)
            page = answers.segment_page(self._data(body, where), key, where)
            for item in page.items:
                items.append(check(item, len(items), where) if check else item)
            if number == 1:
                announced, first_size = page.total, len(page.items)
            if announced is not None and (
                len(items) > announced + PAGE_SIZE
                or number > math.ceil(announced / max(first_size, 1)) + PAGE_SLACK
            ):
                raise RegistryError(
                    f"the Segment registry's listing of {key} ({where}) goes on beyond the "
                    f"{announced} {key} it announced (pagination.totalEntries): "
                    f"{len(items)} after {number} pages",
                    hint="the registry's pagination is broken; try again later",
                )
            progress(len(items), page.total, f"reading {key}")
            cursor = page.next
            if not cursor or not page.items:
                return items
            if cursor in seen:
                raise RegistryError(
                    f"the Segment registry repeated a page cursor while listing {key} ({where})"
                )
            seen.add(cursor)
        raise AssertionError("unreachable")  # pragma: no cover

    def list_plans(
        self, plan_type: str | None = None, progress: Progress | None = None
    ) -> list[dict[str, Any]]:
        """Every tracking plan, or only those of `plan_type` (`GET /tracking-plans?type=`).

        Names are not unique across types (a library or template may share a live plan's
        name): the filter is asked of the server and applied again here to plans that say
        their type (one that says none was filtered by the server). `progress` hears of
        rate-limit waits.
        """
        if plan_type is None:
            return self._pages("/tracking-plans", "trackingPlans", "tracking plans", progress)
        path = f"/tracking-plans?type={quote(plan_type)}"
        plans = self._pages(path, "trackingPlans", "tracking plans", progress)
        return [p for p in plans if str(p.get("type") or plan_type).upper() == plan_type]

    def find_plan(
        self, name: str, plan_type: str | None = None, progress: Progress | None = None
    ) -> dict[str, Any] | None:
        """The tracking plan called `name` (exact match) of `plan_type` (any type if None)."""
        for plan in self.list_plans(plan_type, progress):
            if plan.get("name") == name:
                return plan
        return None

    def create_plan(self, name: str, plan_type: str = DEFAULT_PLAN_TYPE) -> dict[str, Any]:
        data = self._data(
            self.http.request(
                "POST", "/tracking-plans", json={"name": name, "type": plan_type}, idempotent=False
            )
        )
        plan = data.get("trackingPlan")
        if not isinstance(plan, dict) or not plan.get("id"):
            raise RegistryError("the Segment registry created the plan but returned no id")
        return plan

    def list_rules(self, plan_id: str, progress: Progress | None = None) -> list[dict[str, Any]]:
        return self._pages(
            f"/tracking-plans/{plan_id}/rules", "rules", f"tracking plan '{plan_id}'", progress
        )

    def upsert_rules(
        self, plan_id: str, rules: list[dict[str, Any]], progress: Progress | None = None
    ) -> int:
        """PATCH the rules in batches ("non-existent rules are added"). Returns calls made."""
        progress = progress or no_progress
        calls = 0
        for start in range(0, len(rules), RULES_PER_REQUEST):
            batch = rules[start : start + RULES_PER_REQUEST]
            with _partial(start, len(rules), "sent"):
                self.http.request(
                    "PATCH",
                    f"/tracking-plans/{plan_id}/rules",
                    json={"rules": batch},
                    idempotent=True,  # an upsert: sending it twice gives the same plan
                    what=f"tracking plan '{plan_id}'",
                    progress=progress,  # a rate-limit wait shows on the progress line
                )
            calls += 1
            progress(min(start + len(batch), len(rules)), len(rules), "pushing rules")
        return calls

    def delete_rules(
        self, plan_id: str, rules: list[dict[str, Any]], progress: Progress | None = None
    ) -> int:
        """DELETE rules by (type, key, version), in batches. Returns calls made."""
        progress = progress or no_progress
        calls = 0
        for start in range(0, len(rules), DELETE_RULES_PER_REQUEST):
            batch = rules[start : start + DELETE_RULES_PER_REQUEST]
            params: list[tuple[str, Any]] = []
            for index, rule in enumerate(batch):
                params.append((f"rules.{index}[type]", rule["type"]))
                if rule.get("key"):
                    params.append((f"rules.{index}[key]", rule["key"]))
                params.append((f"rules.{index}[version]", rule["version"]))
            with _partial(start, len(rules), "deleted"):
                self.http.request(
                    "DELETE",
                    f"/tracking-plans/{plan_id}/rules",
                    params=params,
                    what=f"tracking plan '{plan_id}'",
                )
            calls += 1
            progress(min(start + len(batch), len(rules)), len(rules), "deleting rules")
        return calls

    def check(self) -> str:
        data = self._data(
            self.http.request("GET", "/tracking-plans", params={"pagination.count": 1})
        )
        total = (data.get("pagination") or {}).get("totalEntries")
        plans = f", {total} tracking plan(s)" if isinstance(total, int) else ""
        return f"Segment at {self.config.api_url}: token accepted{plans}"
