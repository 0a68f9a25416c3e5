"""The TUI's index holds facts, not bodies: files are listed, read when shown, and the
first screen may come from the listing saved last time."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading

import pytest
from pause_support import Pause
from textual.widgets import Static
from tui_support import drive, make_app, settle, toasts

from reflekt.core.lint import lint_project
from reflekt.core.listing_cache import listing_path, load_listing, save_listing
from reflekt.core.project import load_project
from reflekt.core.schemas import list_schema_paths
from reflekt.tui.jobs import lint_job, settle_index_job
from reflekt.tui.messages import IndexLoaded, LintProgress
from reflekt.tui.model import DocCache, SchemaIndex
from reflekt.tui.widgets.findings_tree import FindingsTree
from reflekt.tui.widgets.lint_panel import LintPanel
from reflekt.tui.widgets.schema_tree import SchemaTree

CART = "segment/shop/Cart_Viewed/1-0.json"
ORDER = "segment/shop/Order_Completed/1-0.json"
BROKEN = "segment/shop/Broken_Event/1-0.json"


def _builder(make_project):
    builder = make_project()
    builder.add_schema("segment/shop/Cart_Viewed/1-0", {"cartId": {"type": "string"}})
    builder.add_schema("segment/shop/Order_Completed/1-0")
    broken = builder.root / "schemas" / BROKEN
    broken.parent.mkdir(parents=True)
    broken.write_text('{"self": {', encoding="utf-8")
    return builder


def test_loading_reads_no_file_and_shown_documents_are_read_on_demand(make_project):
    builder = _builder(make_project)
    index = SchemaIndex.load(load_project(builder.root))
    assert sorted(index.entries) == sorted([BROKEN, CART, ORDER])
    assert not any(key in index.docs for key in index.entries)
    assert index.broken_count == 0  # not known before a read or a lint
    assert index.get(BROKEN).doc.body is None
    assert index.get(BROKEN).broken and index.broken_count == 1
    assert index.get(CART).doc.body["properties"]["cartId"] == {"type": "string"}


def test_the_document_cache_is_bounded_and_rereads_what_it_dropped(make_project):
    builder = _builder(make_project)
    project = load_project(builder.root)
    index = SchemaIndex.load(project)
    index.docs = DocCache(project.schemas_dir, size=1)
    for entry in index.entries.values():
        entry._docs = index.docs
    cart, order = index.get(CART), index.get(ORDER)
    assert cart.doc.body is not None
    assert order.doc.body is not None
    assert CART not in index.docs and ORDER in index.docs
    (builder.root / "schemas" / CART).write_text('{"edited": true}', encoding="utf-8")
    assert cart.doc.body == {"edited": True}  # read again from disk, as it is now


def test_lint_streams_every_finding_of_a_first_run_and_marks_unreadable_files(make_project):
    builder = _builder(make_project)
    project = load_project(builder.root)
    index = SchemaIndex.load(project)
    posted = []
    finished = lint_job(project, index, None, posted.append)
    streamed = [f for m in posted if isinstance(m, LintProgress) for f in m.findings]
    assert sorted(map(repr, streamed)) == sorted(map(repr, finished.report.findings))
    assert {f.schema_id for f in streamed} >= {CART, BROKEN}
    assert index.get(BROKEN).broken and not index.get(CART).broken
    assert posted[-1].done == posted[-1].total == 3


@pytest.mark.parametrize("large_above", [None, 0], ids=["small", "large"])
def test_a_second_start_draws_from_the_saved_listing_then_finds_what_changed(
    make_project, monkeypatch, large_above
):
    """Also as a large project, where the walk for what changed waits for the first lint."""
    if large_above is not None:
        import reflekt.tui.screens.main as main_screen

        monkeypatch.setattr(main_screen, "LINT_DELAY_ABOVE", large_above)
    builder = _builder(make_project)

    async def first(pilot):
        await settle(pilot)
        return sorted(pilot.app.main_screen.index.entries)

    assert drive(make_app(builder.root), first) == sorted([BROKEN, CART, ORDER])
    project = load_project(builder.root)
    assert load_listing(project) is not None
    # Between the two starts: one file removed, one added.
    (builder.root / "schemas" / ORDER).unlink()
    builder.add_schema("segment/shop/Checkout_Started/1-0", {"badName": {"type": "string"}})
    added = "segment/shop/Checkout_Started/1-0.json"

    async def second(pilot):
        await settle(pilot)
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        ids = {f.schema_id for f in screen.findings}
        return sorted(screen.index.entries), tree.select_key(ORDER), added in ids, ORDER in ids

    entries, order_shown, added_linted, order_linted = drive(make_app(builder.root), second)
    assert entries == sorted([BROKEN, added, CART])
    assert not order_shown and not order_linted
    assert added_linted  # its camelCase property is flagged: the new file was linted
    listing = load_listing(project)
    assert listing is not None and not any(p.endswith(ORDER) for p in listing)
    assert listing_path(project).is_file()


def test_a_first_start_closed_during_its_first_lint_leaves_the_listing_for_the_next(
    make_project, monkeypatch, tmp_path
):
    """A large project settles after its first lint; the listing its walk produced is saved
    when the walk is done, so a TUI closed while that lint runs still leaves it, and the
    second start is drawn from it."""
    import reflekt.tui.screens.main as main_screen

    monkeypatch.setattr(main_screen, "LINT_DELAY_ABOVE", 0)
    builder = _builder(make_project)
    project = load_project(builder.root)
    assert load_listing(project) is None
    pause = Pause(tmp_path / "pause", "lint")
    for key, value in pause.env.items():
        monkeypatch.setenv(key, value)
    before = set(threading.enumerate())
    reached = []

    async def first():
        async with make_app(builder.root).run_test(size=(120, 40)) as pilot:
            await asyncio.to_thread(pause.wait_here)  # first screen shown, its lint held
            reached.append(True)
            screen = pilot.app.main_screen
            shown = sorted(screen.index.entries), screen.linted_schemas
            await pilot.press("q")
        return shown

    try:
        shown = asyncio.run(first())
    finally:
        monkeypatch.delenv("REFLEKT_TEST_PAUSE_AT")
        held = [t for t in threading.enumerate() if t.name == "reflekt-job" and t not in before]
        if reached:
            pause.resume()
        pause.close()
    for thread in held:  # the first lint, let go: it ends before the second start
        thread.join(60)
    assert shown == (sorted([BROKEN, CART, ORDER]), 0)  # closed before its lint was done
    walked = [str(path) for path in list_schema_paths(project.schemas_dir)]
    assert load_listing(project) == walked

    loaded = []  # the IndexLoaded messages of the second start

    def hook(message):
        if isinstance(message, IndexLoaded):
            loaded.append(message)

    async def second():
        app = make_app(builder.root)
        async with app.run_test(size=(120, 40), notifications=True, message_hook=hook) as pilot:
            await settle(pilot)
            screen = pilot.app.main_screen
            status = str(screen.query_one("#tree-status", Static).render())
            return (
                sorted(screen.index.entries),
                status,
                toasts(app),
                sorted(map(repr, screen.findings)),
            )

    entries, status, shown_toasts, findings = asyncio.run(second())
    assert [message.from_listing for message in loaded] == [True]
    assert entries == sorted([BROKEN, CART, ORDER])
    assert status == "3 schemas · 1 unreadable" and shown_toasts == []
    assert findings == sorted(map(repr, lint_project(project).findings))


def test_a_large_project_filters_in_a_worker_and_shows_the_last_keystroke(
    make_project, monkeypatch
):
    import reflekt.tui.screens.main as main_screen

    monkeypatch.setattr(main_screen, "FILTER_IN_WORKER_ABOVE", 0)  # every project is "large"
    builder = _builder(make_project)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        await pilot.press("slash", *"orderx", "backspace")
        await settle(pilot)
        status = str(screen.query_one("#tree-status").render())
        return tree.filter_text, tree.shown_schemas, status

    text, shown, status = drive(make_app(builder.root), scenario)
    assert (text, shown) == ("order", 1)
    assert status.startswith("1 of 3 schemas match")


def test_typing_a_filter_over_many_events_fills_no_closed_plan(
    make_project,
):
    builder = make_project()
    for number in range(410):  # above EXPAND_FOLDERS_UP_TO: the filter shows plans closed
        builder.add_schema(f"segment/shop/Event_{number:03d}_Viewed/1-0")
    first = "segment/shop/Event_000_Viewed/1-0.json"

    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        view = screen.query_one("#schema-view")
        assert tree.select_key(first)
        await settle(pilot)
        await pilot.press("slash", *"event")
        await settle(pilot)
        plan = tree.cursor_node
        return (
            tree.filter_text,
            tree.shown_events,
            plan.data.key,
            tree.is_lazy(plan),
            view.summary.key if view.summary else None,
        )

    text, events, cursor_key, unfilled, shown = drive(make_app(builder.root), scenario)
    assert (text, events) == ("event", 410)
    assert cursor_key == "segment/shop" and unfilled  # waits on the closed plan
    assert shown == "segment/shop"  # the view follows the cursor: the plan's summary


HOSTILE_EVENTS = ["Cart_{{_config(x)_}}", 'Quote_\\"_Event', "Jinja_{%_raw_%}"]


def _hostile_project(make_project):
    """Names and descriptions as real plans have them: Jinja braces, quotes, backslashes,
    a file name that is not UTF-8, a version outside the numbering."""
    builder = make_project()
    schemas = builder.root / "schemas" / "segment" / "shop"
    for folder in HOSTILE_EVENTS:
        path = schemas / folder / "1-0.json"
        path.parent.mkdir(parents=True)
        body = {"description": "{{ var('x') }} \\\" {% raw %}", "properties": {}}
        path.write_text(json.dumps(body), encoding="utf-8")
    raw = os.fsencode(schemas / "Bad") + b"_\xff"
    os.makedirs(raw)
    with open(raw + b"/1-0.json", "w", encoding="utf-8") as handle:
        handle.write("{}")
    return builder


def test_hostile_names_come_back_from_the_saved_listing_as_the_walk_gave_them(make_project):
    builder = _hostile_project(make_project)

    async def start(pilot):
        await settle(pilot)
        index = pilot.app.main_screen.index
        return sorted(index.entries), sorted(k for k, e in index.entries.items() if e.broken)

    walked = drive(make_app(builder.root), start)
    listed = drive(make_app(builder.root), start)  # second start: from the saved listing
    assert walked == listed
    ids, broken = walked
    assert {f"segment/shop/{name}/1-0.json" for name in HOSTILE_EVENTS} <= set(ids)
    assert broken == ["segment/shop/Bad_\\xff/1-0.json"]  # the name, shown escaped


def test_an_interrupted_listing_save_leaves_the_last_listing_whole(make_project, tmp_path):
    builder = _builder(make_project)
    project = load_project(builder.root)
    old = [str(builder.root / "schemas" / CART)]
    assert save_listing(project, old)
    pause = Pause(tmp_path / "pause", "write")
    script = (
        "import sys; from pathlib import Path; from reflekt.core.project import load_project;"
        "from reflekt.core.listing_cache import save_listing;"
        "save_listing(load_project(Path(sys.argv[1])), ['x'] * 10)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(builder.root)],
        env={**os.environ, **pause.env},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        pause.wait(proc)  # the new listing is in its temp file, not yet in place
        proc.kill()
        proc.wait()
    finally:
        pause.close()
    assert load_listing(project) == old
    leftovers = [p.name for p in listing_path(project).parent.iterdir()]
    assert [name for name in leftovers if not name.startswith(".")] == ["listing.json"]


def test_a_warm_start_shows_the_findings_left_in_the_lint_index(make_project, monkeypatch):
    """The second start lints from the index and decodes no finding until a file is shown:
    the badges, the panel and the unreadable mark are those of the first start."""
    from reflekt.core import fsutil

    monkeypatch.setattr(fsutil, "RACY_NS", -1_000_000_000)  # files written just now: trusted
    builder = _builder(make_project)

    async def look(pilot):
        await settle(pilot)
        screen = pilot.app.main_screen
        panel = screen.query_one(LintPanel)
        tree = panel.query_one(FindingsTree)
        seen = {
            "stored": len(screen.lint.stored),
            "counts": screen.lint.counts(),
            "broken": screen.index.get(BROKEN).broken,
            "summary": str(panel.query_one("#lint-summary", Static).render()),
        }
        for line in range(tree.row_count):  # every file open: each finding's row
            row = tree.row_at(line)
            if row is not None and row.finding is None and row.schema_id not in tree.open:
                tree.open.add(row.schema_id)
        tree._relayout()
        seen["rows"] = list(tree.row_texts())
        seen["findings"] = sorted(map(repr, screen.findings))
        return seen

    first = drive(make_app(builder.root), look)
    second = drive(make_app(builder.root), look)
    assert first["stored"] == 0 and second["stored"] > 0  # the second came from the index
    for name in ("counts", "broken", "summary", "rows", "findings"):
        assert second[name] == first[name], name
    assert second["broken"] and any("RF101" in row for row in second["rows"])
    expected = lint_project(load_project(builder.root)).findings
    assert second["findings"] == sorted(map(repr, expected))


def test_an_edit_made_while_the_first_lint_runs_is_seen_by_the_poll_after_it(make_project):
    """In a large project the walk for what changed runs after the first lint; the lint job
    takes the files' mtimes before it reads them, so an edit made meanwhile is a change."""
    builder = _builder(make_project)
    project = load_project(builder.root)
    save_listing(project, SchemaIndex.load(project).paths())
    index = SchemaIndex.from_paths(project, load_listing(project))
    cart = builder.root / "schemas" / CART
    edited = []

    def post(message):
        if isinstance(message, LintProgress) and not edited:
            cart.write_text(cart.read_text(encoding="utf-8").replace("cartId", "cartID"))
            later = os.stat(cart).st_mtime_ns + 5_000_000_000
            os.utime(cart, ns=(later, later))
            edited.append(True)

    lint_job(project, index, None, post)
    assert edited
    changes = settle_index_job(index, from_listing=True)
    assert changes.modified == (CART,)


def test_event_keys_name_each_event_once_in_order_and_follow_the_files(make_project):
    builder = _builder(make_project)
    builder.add_schema("segment/shop/Cart_Viewed/1-1", {"cartId": {"type": "string"}})
    index = SchemaIndex.load(load_project(builder.root))
    events = [
        "segment/shop/Broken_Event",
        "segment/shop/Cart_Viewed",
        "segment/shop/Order_Completed",
    ]
    assert index.event_keys() == events
    builder.add_schema("segment/other/Email_Opened/1-0")
    index.poll()
    assert index.event_keys() == ["segment/other/Email_Opened", *events]


def test_an_edited_shared_definition_is_seen_by_the_next_poll_and_lint(make_project):
    """A schema's properties come partly from schemas/.reflekt/common/: editing only that
    file is a change of the schemas (re-read, so the detail shows no stale property), and
    the next lint through the cache reports what the new definition says."""
    builder = make_project()
    common = builder.root / "schemas" / ".reflekt" / "common" / "cart" / "1-0.json"
    common.parent.mkdir(parents=True)
    common.write_text(json.dumps({"type": "string", "description": "The cart."}), "utf-8")
    builder.add_schema("segment/shop/Cart_Viewed/1-0", {"cart": {"$ref": "common/cart/1-0.json"}})
    project = load_project(builder.root)
    index = SchemaIndex.load(project)
    assert index.get(CART).doc.body["properties"]["cart"]["type"] == "string"
    assert lint_job(project, index, None, lambda message: None).report.findings == []

    assert not index.poll()  # nothing changed
    edited = {"type": "object", "description": "The cart.", "properties": {"cartId": {}}}
    common.write_text(json.dumps(edited), "utf-8")
    changes = index.poll()

    assert changes.modified == (CART,)
    assert index.get(CART).doc.body["properties"]["cart"]["properties"] == {"cartId": {}}
    report = lint_job(project, index, None, lambda message: None).report
    assert {f.rule for f in report.findings} >= {"RF311"}  # cartId, from the definition
