"""Textual's Footer, rebuilt only when the keys it shows change.

Textual's Footer recomposes (a widget per key, each styled three times as its `compact`
watcher adds and removes a class) after every `refresh_bindings` and every focus change.
Opening the build wizard did that six times for the same keys: about half of the open's UI
time at 50,000 schemas. This footer's `recompose` (public API: Footer queues it) rebuilds
only when what it would show (each shown key, its description, whether it is enabled)
differs from what it shows.
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
        self._shown: tuple[object, ...] | None = None  # what the last rebuild drew

    async def recompose(self) -> None:
        """Rebuild the keys only when they changed (Footer asks after every binding refresh)."""
        if not self.is_attached:
            return
        shown = (self.show_command_palette, self.combine_groups, shown_keys(self.screen))
        if shown == self._shown:
            return
        self._shown = shown
        await super().recompose()
