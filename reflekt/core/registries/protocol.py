"""The Registry protocol, and the compare-base protocol that a registry and a git ref share.

Why: pull, push and diff are the same jobs whatever the registry; only fetching, pushing and
naming differ. The generic jobs (`sync.pull`, `sync.push`, `compare.compare`) call these
methods on the implementation `table.registry_for(name)` gives, never `if registry == ...`.

- `RegistryContext`: what every call needs besides the selection (project, profile, retry
  policy, Segment's plan type, the folder of `push --to-dir`).
- `BaseVersions`: the schemas `reflekt diff` compares the local files with, and a label.
- `CompareBase`: `compare_base(context, selects, progress) -> BaseVersions`. Every registry is
  one; the git ref of `--against git:<ref>` is another (`git_base.GitBase`), not a registry.
- `Registry`: a compare base that also pulls, previews a push and pushes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from reflekt.core.progress import Progress
from reflekt.core.schemas import Version

if TYPE_CHECKING:  # pragma: no cover
    from reflekt.core.errors import ReflektError
    from reflekt.core.profiles import Profile, RegistryConfig
    from reflekt.core.project import Project
    from reflekt.core.registries.base import PushResult, RemoteSchema
    from reflekt.core.registries.http import RetryPolicy

# event_key -> version -> (schema id, body)
Versions = dict[str, dict[Version, tuple[str, dict[str, Any]]]]


@dataclass(frozen=True)
class RegistryContext:
    """The project and connection settings of one job (`profile` None: a git base only)."""

    project: Project
    profile: Profile | None = None
    policy: RetryPolicy | None = None
    plan_type: str | None = None  # Segment's --plan-type (None: LIVE); others ignore it
    to_dir: Path | None = None  # push --to-dir: write a static registry there (Iglu)


@dataclass(frozen=True)
class BaseVersions:
    """What a compare base holds for a selection.

    `removal_breaks`: whether a schema present in the base and gone locally is a breaking
    removal (against git: yes; against a registry: the local selection may simply not hold it).
    `unchanged`: the events the base found identical to the local side without reading them
    (`git_base`: the same files, byte for byte): `versions` leaves them out, and the diff
    reports each as unchanged from its local versions.
    """

    versions: Versions = field(default_factory=dict)
    label: str = ""
    removal_breaks: bool = False
    unchanged: frozenset[str] = frozenset()


@runtime_checkable
class CompareBase(Protocol):
    """Where `reflekt diff` reads the versions it compares the local schemas with."""

    def compare_base(
        self, context: RegistryContext, selects: Sequence[str], progress: Progress
    ) -> BaseVersions:
        """The base's versions of the selected events (`selects` as given on the command line,
        all naming this base)."""
        ...


@runtime_checkable
class Registry(CompareBase, Protocol):
    """A schema registry: `schemas/<name>/<plan>/...` mirror its plans (or branches).

    Implementations are stateless (one instance per table entry); every call gets the
    context. A new registry is one module implementing this plus one entry in `table`.
    """

    name: str  # the first part of --select and the folder under schemas/ ("segment")
    plan_kind: str  # what the second part names, for messages ("tracking plan", "branch")

    def check(
        self, config: RegistryConfig, profile_name: str | None, policy: RetryPolicy | None
    ) -> str:
        """One small request: a short OK description, or a RegistryError."""
        ...

    def pull(self, context: RegistryContext, plan: str, progress: Progress) -> list[RemoteSchema]:
        """Every event of one plan (or branch), converted to Reflekt schema bodies."""
        ...

    def pulled_version(self, remote: RemoteSchema, local: Sequence[Version]) -> Version:
        """The local file version a pulled event lands in (`local`: the event's versions)."""
        ...

    def describe(self, remote: RemoteSchema) -> str:
        """The event for a note ("the PAGE rule 'Home' (version 1)")."""
        ...

    def push_refused(self) -> ReflektError | None:
        """Why this registry takes no push (None when it does), before any work is done."""
        ...

    def push_preview(
        self,
        context: RegistryContext,
        plan: str,
        files: Sequence[Path],
        *,
        delete: bool,
        progress: Progress,
    ) -> PushResult:
        """What `push` would do, sending nothing (a dry run)."""
        ...

    def push(
        self,
        context: RegistryContext,
        plan: str,
        files: Sequence[Path],
        *,
        delete: bool,
        progress: Progress,
    ) -> PushResult:
        """Publish the schema files (already linted) to the plan, or delete their events."""
        ...
