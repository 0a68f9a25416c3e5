"""Helpers for driving the Reflekt app in tests (imported by the TUI tests)."""

from __future__ import annotations

from pathlib import Path

SEGMENT_TOKEN = "sgmt-tui-token-51c2"


async def settle(pilot, rounds: int = 6) -> None:
    """Let workers finish and their results reach the screen (no sleeps)."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def make_app(root: Path, **kwargs):
    """The app exactly as `reflekt tui` builds it; no disk polling unless asked."""
    from reflekt.tui.app import create_app

    kwargs.setdefault("watch_interval", 0)
    return create_app(root, **kwargs)


def drive(app, scenario, size: tuple[int, int] = (120, 40)):
    """Run `scenario(pilot)` against the app headless; returns what the scenario returns.

    No pytest-asyncio here: each test runs its own event loop. Notifications are shown as
    toasts (Textual hides them in tests unless asked), so tests read them as the user does.
    """
    import asyncio

    async def main():
        async with app.run_test(size=size, notifications=True) as pilot:
            await settle(pilot)
            return await scenario(pilot)

    return asyncio.run(main())


def plain(renderable, width: int = 110) -> str:
    """Any rich renderable as plain text (for asserting on what a Static shows)."""
    import io

    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), color_system=None, force_terminal=False)
    console.print(renderable)
    return console.file.getvalue()


def toasts(app) -> list[str]:
    """The text of every notification on the screen now (title, newline, message), as shown.

    Read from the toasts the screen renders, not from the app's private list.
    """
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def track_rule(key: str, properties: dict, required: list[str], version: int = 1) -> dict:
    """A TRACK rule as the Segment API returns it."""
    return {
        "key": key,
        "type": "TRACK",
        "version": version,
        "jsonSchema": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "labels": {},
            "description": f"{key} event.",
            "properties": {
                "context": {},
                "traits": {},
                "properties": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": False,
                },
            },
        },
    }


def use_segment(project, server, token: str = SEGMENT_TOKEN) -> None:
    """Point the project's `dev` profile at the local server."""
    project.write_profiles(
        {
            "version": 1.0,
            "dev": {"registry": [{"type": "segment", "api_token": token, "api_url": server.url}]},
        }
    )
