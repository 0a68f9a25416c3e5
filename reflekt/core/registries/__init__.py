"""Schema registries (Segment, Avo): HTTP layer, conversions, pull/push/diff jobs.

Public API (the CLI and the TUI call these; all pure except for network and file writes):

- `pull(project, profile, select, dry_run=False, progress=None, policy=None) -> PullResult`
- `push(project, profile, selects, *, force=False, delete=False, dry_run=False, progress=None,
  policy=None) -> PushResult`
- `compare(project, profile, selects, against=None, progress=None, policy=None) -> DiffReport`
- `check_registry(registry_config, profile_name=None, policy=None) -> str`: a short OK
  description, or raises RegistryError (used by `reflekt debug --connect`).
- `RetryPolicy`, `Progress`, `PullResult`, `PushResult`, `RemoteSchema`.

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
    "fetch_remote": "reflekt.core.registries.sync",
    "PushRefusedError": "reflekt.core.registries.sync",
    "compare": "reflekt.core.registries.compare",
    "RetryPolicy": "reflekt.core.registries.http",
    "Progress": "reflekt.core.registries.base",
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
    from reflekt.core.profiles import AvoRegistryConfig, SegmentRegistryConfig

    if isinstance(registry_config, SegmentRegistryConfig):
        from reflekt.core.registries.segment import SegmentClient

        with SegmentClient(registry_config, profile_name, policy) as client:
            return client.check()
    if isinstance(registry_config, AvoRegistryConfig):
        from reflekt.core.registries.avo import AvoClient

        with AvoClient(registry_config, profile_name, policy) as client:
            return client.check()
    from reflekt.core.errors import ConfigError

    raise ConfigError(f"unknown registry type: {getattr(registry_config, 'type', '?')}")


__all__ = [
    "PullResult",
    "PushRefusedError",
    "PushResult",
    "RemoteSchema",
    "RetryPolicy",
    "check_registry",
    "compare",
    "fetch_remote",
    "pull",
    "push",
]
