"""Textual's Footer, rebuilt only when the keys it shows change.

Textual's Footer recomposes (a widget per key, each styled three times as its `compact`
watcher adds and removes a class) on every `refresh_bindings` and every focus change, once
per call. Opening the build wizard called it six times for the same keys: 0.1 s of the UI
thread. This footer rebuilds at most once per refresh, and only when what it would show
(each shown key, its description, whether it is enabled) differs from what it shows.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

Shown = tuple[tuple[object, ...], ...]


def shown_keys(screen: Screen) -> Shown:
    """What Textual's Footer would draw for `screen` now (the parts its `compose` reads)."""
    palette = screen.app.COMMAND_PALETTE_BINDING
    return tuple(
        (
            key,
            binding.key_display,
            binding.action,
            binding.description,
            binding.group,
            enabled,
            tooltip,
            binding.tooltip,
        )
        for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
        if binding.show or key == palette
    )


class StableFooter(Footer):
    """A Footer that skips the rebuilds which would draw the same keys."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: Shown | None = None  # what the last rebuild drew
        self._pending = False  # a rebuild is queued for after the next refresh

    def bindings_changed(self, screen: Screen) -> None:
        """As Footer's, but one queued rebuild at a time (Footer queues one per call)."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        shown = shown_keys(self.screen)
        if shown == self._shown:
            return
        self._shown = shown
        await self.recompose()
