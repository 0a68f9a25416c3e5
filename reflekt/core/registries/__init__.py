"""Schema registries (Segment, Avo, Iglu): the Registry protocol, its table, HTTP, pull/push/diff
jobs.

Public API (the CLI and the TUI call these; all pure except for network and file writes):

- `pull(project, profile, select, dry_run=False, progress=None, policy=None) -> PullResult`
- `push(project, profile, selects, *, force=False, delete=False, dry_run=False, progress=None,
  policy=None) -> PushResult`; `push_preview(...)`: the same, sending nothing.
- `compare(project, profile, selects, against=None, progress=None, policy=None) -> DiffReport`
- `check_registry(registry_config, profile_name=None, policy=None) -> str`: a short OK
  description, or raises RegistryError (used by `reflekt debug --connect`).
- `registry_for(name) -> Registry` (`table`), `Registry` / `CompareBase` (`protocol`).
- `RetryPolicy`, `PullResult`, `PushResult`, `RemoteSchema`; progress is `core.progress`.

Layout: `protocol` (the interfaces), `table` (name -> implementation; how to add a registry),
one module per registry (`segment_registry` + `segment` + `segment_convert`, `avo`), the
generic jobs (`sync`, `compare`), the git base of `--against` (`git_base`), `http`, `answers`.

Submodules load lazily so that importing this package does not import `requests`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from reflekt.core.profiles import RegistryConfig
    from reflekt.core.registries.http import RetryPolicy

_LAZY = {
    "pull": "reflekt.core.registries.sync",
    "push": "reflekt.core.registries.sync",
    "push_preview": "reflekt.core.registries.sync",
    "fetch_remote": "reflekt.core.registries.sync",
    "compare": "reflekt.core.registries.compare",
    "registry_for": "reflekt.core.registries.table",
    "Registry": "reflekt.core.registries.protocol",
    "CompareBase": "reflekt.core.registries.protocol",
    "RetryPolicy": "reflekt.core.registries.http",
    "PullResult": "reflekt.core.registries.base",
    "PushResult": "reflekt.core.registries.base",
    "RemoteSchema": "reflekt.core.registries.base",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)


def check_registry(
    registry_config: RegistryConfig,
    profile_name: str | None = None,
    policy: RetryPolicy | None = None,
) -> str:
    """Ask the registry whether it accepts the profile's credentials (one small request)."""
    from reflekt.core.registries.table import registry_for

    registry = registry_for(str(getattr(registry_config, "type", "?")))
    return registry.check(registry_config, profile_name, policy)


__all__ = [
    "CompareBase",
    "PullResult",
    "PushResult",
    "Registry",
    "RemoteSchema",
    "RetryPolicy",
    "check_registry",
    "compare",
    "fetch_remote",
    "pull",
    "push",
    "push_preview",
    "registry_for",
]
