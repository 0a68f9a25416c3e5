"""The footer: rebuilt when the keys it shows change, left alone when they do not."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer
from textual.widgets._footer import FooterKey
from tui_support import drive, make_app, settle

from reflekt.tui.screens.build_wizard import BuildWizard
from reflekt.tui.widgets.stable_footer import StableFooter


def footer_keys(screen) -> list[FooterKey]:
    return list(screen.query_one(Footer).query(FooterKey))


def descriptions(screen) -> list[str]:
    return [key.description for key in footer_keys(screen)]


def test_the_footer_follows_the_keys_and_keeps_its_widgets_when_they_stay(shop):
    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        wizard = pilot.app.screen
        assert isinstance(wizard, BuildWizard)
        assert "Tick all" in descriptions(wizard)  # the tree has the focus
        before = footer_keys(wizard)
        wizard.refresh_bindings()  # the same keys: no rebuild
        await settle(pilot)
        assert footer_keys(wizard) == before
        await pilot.press("a", "ctrl+n")  # step 2: the focus leaves the tree
        await settle(pilot)
        assert wizard.step == 1
        shown = descriptions(wizard)
        assert "Tick all" not in shown
        assert "Back" in shown
        await pilot.press("ctrl+b")  # back: the tree's keys again
        await settle(pilot)
        assert "Tick all" in descriptions(wizard)
        await pilot.press("escape")  # the main screen's footer, as before the wizard
        await settle(pilot)
        assert "Build" in " ".join(descriptions(pilot.app.screen))

    drive(make_app(shop.root), scenario)


class Toggling(App[None]):
    """One key, shown greyed out (check_action None) until `ready`."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("g", "go", "Go")]

    def __init__(self) -> None:
        super().__init__()
        self.ready = False

    def compose(self) -> ComposeResult:
        yield StableFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return True if action != "go" or self.ready else None

    def action_go(self) -> None:
        pass


def test_a_key_that_turns_enabled_is_redrawn_enabled():
    """The same keys with another enabled state: that is a change to draw."""

    async def main() -> tuple[bool, bool]:
        app = Toggling()
        async with app.run_test() as pilot:
            await pilot.pause()
            (go,) = [key for key in footer_keys(app.screen) if key.description == "Go"]
            before = go.has_class("-disabled")
            app.ready = True
            app.screen.refresh_bindings()
            await pilot.pause()
            (go,) = [key for key in footer_keys(app.screen) if key.description == "Go"]
            return before, go.has_class("-disabled")

    assert asyncio.run(main()) == (True, False)
