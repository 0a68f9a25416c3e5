"""Values shared by the registries: pulled schemas, pull/push results.

Why: the CLI and the TUI render the same results; the core only returns data (their one
summary line is `core.output.summary.summary_line`; progress is `core.progress.Progress`).

- `RemoteSchema`: one schema as the registry holds it, already converted to a Reflekt body.
- `PullResult` / `PushResult`: what changed (schema ids), for the summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reflekt.core.schemas import Version


@dataclass(frozen=True)
class RemoteSchema:
    """A registry's event, converted to a Reflekt schema body.

    `event_folder` is the folder under the plan/branch (`Cart_Viewed`); `version` is what the
    registry stores (Segment: MAJOR only, so `M-0`; Avo: always `1-0`; Iglu: the mapping of
    `iglu_schemaver`).
    """

    registry: str
    plan: str
    event_folder: str
    name: str
    version: Version
    body: dict[str, Any]
    notes: tuple[str, ...] = ()  # what a pull must tell of it (Iglu: a REVISION bump)

    @property
    def event_key(self) -> str:
        return f"{self.registry}/{self.plan}/{self.event_folder}"


@dataclass(frozen=True)
class PullResult:
    """Schema ids (paths under schemas/) created, updated or unchanged by a pull."""

    registry: str
    plan: str
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    dry_run: bool = False
    notes: tuple[str, ...] = ()  # registry events that could not be pulled, and why
    # per updated schema id: the diff (core.diff Change list) from the local file to the pull
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    def to_dict(self) -> dict[str, Any]:
        return {
            "registry": self.registry,
            "plan": self.plan,
            "dry_run": self.dry_run,
            "created": list(self.created),
            "updated": list(self.updated),
            "unchanged": list(self.unchanged),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class PushResult:
    """Rules (as `Event Name@version`) created, updated, unchanged or deleted by a push.

    `collapsed` lists notes such as "Cart_Viewed: 1-0, 1-1 -> pushed 1-1 as version 1".
    `plan_created` is True when the tracking plan did not exist. `delete`: the job removed
    (or, with `dry_run`, would remove) the `deleted` rules instead of pushing.
    """

    registry: str
    plan: str
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    collapsed: tuple[str, ...] = ()
    plan_created: bool = False
    dry_run: bool = False
    lint_errors: int = 0
    forced: bool = False
    requests: int = 0
    details: dict[str, Any] = field(default_factory=dict)
    delete: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "registry": self.registry,
            "plan": self.plan,
            "dry_run": self.dry_run,
            "plan_created": self.plan_created,
            "created": list(self.created),
            "updated": list(self.updated),
            "unchanged": list(self.unchanged),
            "deleted": list(self.deleted),
            "collapsed": list(self.collapsed),
            "lint_errors": self.lint_errors,
            "forced": self.forced,
        }
