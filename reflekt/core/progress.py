"""The one progress callback every long core job reports through: lint, registries, build.

Why one shape: the CLI draws a rich bar and the TUI a progress widget from the same calls,
so no front end adapts argument orders with lambdas.

`Progress = Callable[[int, int | None, str], None]`: `(done, total, message)`.
- `done`: steps finished so far; `total`: steps in all, or None while unknown (finding a plan,
  a rate-limit wait); `message`: what is happening, for people ("reading rules").
- `no_progress`: the default, which ignores every call.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, "int | None", str], None]


def no_progress(done: int, total: int | None, message: str) -> None:
    """The default progress callback: ignore."""


__all__ = ["Progress", "no_progress"]
