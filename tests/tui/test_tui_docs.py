"""The palette's "Build docs": writes the catalog in a worker and says where (a toast)."""

from __future__ import annotations

from tui_support import drive, make_app, settle, toasts


def test_palette_build_docs_writes_the_site_and_shows_where(shop):
    # The shop fixture has an unreadable file: leave it out, as `reflekt build docs` would
    # stop on it (exit 2) and the palette then shows that failure instead.
    (shop.root / "schemas/segment/ecommerce/Broken_Event/1-0.json").unlink()

    activity: list[str] = []

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
                activity.append(pilot.app.screen.context.activity)
                return shown
        return "\n".join(toasts(pilot.app))

    shown = drive(make_app(shop.root), scenario)
    assert "Docs built" in shown, shown
    assert "artifacts/docs/" in shown
    assert activity[0].startswith("docs built in "), "the context line says so"
    index = shop.root / "artifacts" / "docs" / "index.html"
    assert index.as_uri() in shown.replace("\n", "")
    assert "Order Completed" in index.read_text(encoding="utf-8")


def test_palette_build_docs_failure_is_a_notification(shop):
    """The unreadable file stops the build: one error toast, nothing written."""

    activity: list[str] = []

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
                activity.append(pilot.app.screen.context.activity)
                return shown
        return "\n".join(toasts(pilot.app))

    shown = drive(make_app(shop.root), scenario)
    assert "Build docs failed" in shown, shown
    assert activity == ["docs failed"]
    assert "Broken_Event" in shown
    assert not (shop.root / "artifacts" / "docs").exists()


def test_the_docs_job_reports_each_step_in_order_and_bounded(shop):
    """What the context line's bar is drawn from: steps in order, ending at the total, and
    at most one message per percent (a 5,000-schema build must not flood the UI thread)."""
    from reflekt.core.project import load_project
    from reflekt.tui.context import progress_bar_text
    from reflekt.tui.jobs import docs_job
    from reflekt.tui.messages import DocsDone, DocsProgress

    (shop.root / "schemas/segment/ecommerce/Broken_Event/1-0.json").unlink()
    posted: list[DocsProgress] = []

    done = docs_job(load_project(shop.root), posted.append)

    assert isinstance(done, DocsDone)
    assert [m.done for m in posted] == sorted(m.done for m in posted)
    assert posted[-1].done == posted[-1].total and posted[-1].text == "files written"
    assert len(posted) <= 101 + 3
    assert progress_bar_text(3, 10) == "▰▰▰▱▱▱▱▱▱▱ 30%"
    assert progress_bar_text(0, None) == "⟳"
    assert progress_bar_text(12, 10) == "▰▰▰▰▰▰▰▰▰▰ 100%"
