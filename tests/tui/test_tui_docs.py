"""The palette's "Build docs": writes the catalog in a worker and says where (a toast)."""

from __future__ import annotations

from tui_support import drive, make_app, settle, toasts


def test_palette_build_docs_writes_the_site_and_shows_where(shop):
    # The shop fixture has an unreadable file: leave it out, as `reflekt build docs` would
    # stop on it (exit 2) and the palette then shows that failure instead.
    (shop.root / "schemas/segment/ecommerce/Broken_Event/1-0.json").unlink()

    async def scenario(pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Build docs")
        await pilot.pause()
        await pilot.press("enter")
        for _ in range(200):  # the palette delivers on a timer, the build runs in a worker
            await settle(pilot, rounds=1)
            shown = "\n".join(toasts(pilot.app))
            if "Docs built" in shown or "failed" in shown:
                return shown
        return "\n".join(toasts(pilot.app))

    shown = drive(make_app(shop.root), scenario)
    assert "Docs built" in shown, shown
    assert "artifacts/docs/" in shown
    index = shop.root / "artifacts" / "docs" / "index.html"
    assert index.as_uri() in shown.replace("\n", "")
    assert "Order Completed" in index.read_text(encoding="utf-8")


def test_palette_build_docs_failure_is_a_notification(shop):
    """The unreadable file stops the build: one error toast, nothing written."""

    async def scenario(pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Build docs")
        await pilot.pause()
        await pilot.press("enter")
        for _ in range(200):
            await settle(pilot, rounds=1)
            shown = "\n".join(toasts(pilot.app))
            if "Build docs failed" in shown:
                return shown
        return "\n".join(toasts(pilot.app))

    shown = drive(make_app(shop.root), scenario)
    assert "Build docs failed" in shown, shown
    assert "Broken_Event" in shown
    assert not (shop.root / "artifacts" / "docs").exists()
