"""What the filter shows as it is typed: the plan summary, the status line, the tree's nodes.

Issue 14 (a filter keystroke at 50,000 schemas): the plan summary now counts the tree's own
folder instead of matching the filter again, an unchanged summary or status line is not
rewritten, and FastTree's `bulk()` holds the tree's refreshes until its block ends. These
tests pin what the user sees through those shortcuts.
"""

from __future__ import annotations

import asyncio
import re

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static
from tui_support import drive, make_app, plain, settle

import reflekt.tui.screens.main as main_screen
from reflekt.core.project import load_project
from reflekt.tui.model import SchemaIndex
from reflekt.tui.widgets.fast_tree import FastTree
from reflekt.tui.widgets.schema_tree import SchemaTree
from reflekt.tui.widgets.schema_view import SchemaView


def header_text(screen) -> str:
    return plain(screen.query_one("#schema-header", Static).render())


def status_text(screen) -> str:
    return str(screen.query_one("#tree-status", Static).render())


def test_a_plan_summary_counts_what_the_filter_leaves_as_it_is_typed(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        assert tree.select_key("segment/ecommerce")
        await pilot.pause()
        # Cart_Viewed (2 versions), Order_Completed, Broken_Event.
        assert "3 events, 4 versions" in header_text(screen)
        await pilot.press("slash")
        seen = []
        for key in "cart":
            await pilot.press(key)
            await settle(pilot)
            seen.append(header_text(screen))
        assert tree.cursor_node.data.key == "segment/ecommerce"  # the plan still shows
        assert "1 event, 2 versions" in seen[-1]  # Cart_Viewed only
        assert "segment/ecommerce" in seen[-1]
        await pilot.press(*"_viewed/1-1")
        await settle(pilot)
        assert "1 event, 1 version" in header_text(screen)
        await pilot.press("escape")  # the filter cleared: the whole plan again
        await settle(pilot)
        assert tree.filter_text == ""
        assert "3 events, 4 versions" in header_text(screen)
        assert screen.query_one(SchemaView).entry is None

    drive(make_app(shop.root), scenario)


def test_a_plan_summary_after_a_schema_drops_its_rows_and_a_new_one_rewrites_the_header(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        view = screen.query_one(SchemaView)
        table = screen.query_one("#properties")
        assert tree.select_key("segment/ecommerce/Cart_Viewed/1-0.json")
        await pilot.pause()
        assert table.row_count > 0 and "Cart_Viewed" in header_text(screen)
        assert tree.select_key("segment/ecommerce")
        await pilot.pause()
        assert view.entry is None and table.row_count == 0
        assert "3 events, 4 versions" in header_text(screen)
        assert tree.select_key("segment/marketing")  # a summary over a summary
        await pilot.pause()
        text = header_text(screen)
        assert "segment/marketing" in text and "1 event, 1 version" in text
        assert "ecommerce" not in text and table.row_count == 0

    drive(make_app(shop.root), scenario)


def test_the_status_line_follows_each_keystroke_and_the_cleared_filter(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        statuses = [status_text(screen)]
        await pilot.press("slash")
        for key in ("c", "a", "r", "t", "backspace", "backspace", "backspace", "backspace"):
            await pilot.press(key)
            await settle(pilot)
            statuses.append(status_text(screen))
        return statuses

    statuses = drive(make_app(shop.root), scenario)
    whole = "5 schemas · 1 unreadable"
    # c: the four under segment/ecommerce; ca, car, cart: Cart_Viewed's two versions.
    four, two = "4 of 5 schemas match · 1 unreadable", "2 of 5 schemas match · 1 unreadable"
    assert statuses == [whole, four, two, two, two, two, two, four, whole]


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield FastTree("root", id="tree")


def test_nodes_added_in_a_bulk_block_are_drawn_when_it_ends():
    async def main() -> tuple[str, str, int]:
        app = Host()
        async with app.run_test(size=(40, 12)) as pilot:
            tree = app.query_one(FastTree)
            tree.show_root = False
            tree.root.expand()
            await pilot.pause()
            before = app.export_screenshot()
            with tree.bulk():
                with tree.bulk():  # nested: held until the outer block ends
                    for number in range(30):
                        tree.root.add_leaf(f"node_{number:02d}")
                assert tree.last_line == 29  # lines read inside the block are current
            await pilot.pause()
            return before, app.export_screenshot(), tree.last_line

    before, after, last = asyncio.run(main())
    assert "node_00" not in before
    assert "node_00" in after and "node_09" in after
    assert last == 29


def test_a_label_keeps_its_first_line_only_and_a_one_line_label_shows_as_given():
    async def main() -> tuple[str, str, str]:
        app = Host()
        async with app.run_test(size=(40, 12)) as pilot:
            tree = app.query_one(FastTree)
            tree.root.expand()
            two = tree.root.add_leaf(Text("first line\nsecond line"))
            one = tree.root.add_leaf(Text("Cart_Viewed ✗2", style="bold"))
            markup = tree.root.add_leaf("[b]bold[/b] text")
            await pilot.pause()
            screen = app.export_screenshot()
            assert "second line" not in screen
            return two.label.plain, one.label.plain, markup.label.plain

    assert asyncio.run(main()) == ("first line", "Cart_Viewed ✗2", "bold text")


def test_the_unreadable_count_follows_lint_marks_reads_and_removed_files(shop):
    """The status line's count is cached between keystrokes; each way a flag or the files
    change shows in it."""
    broken = "segment/ecommerce/Broken_Event/1-0.json"
    cart = "segment/ecommerce/Cart_Viewed/1-0.json"
    index = SchemaIndex.load(load_project(shop.root))
    counts = [index.broken_count]  # nothing read or linted yet
    index.mark_unreadable([broken, cart], None)
    counts.append(index.broken_count)
    index.mark_unreadable([broken], None)
    counts.append(index.broken_count)
    (shop.schemas_dir / broken).unlink()
    index.poll()
    counts.append(index.broken_count)
    assert index.get(cart).doc.body is not None  # a read: readable after all
    counts.append(index.broken_count)
    shop.write_raw("schemas/" + broken, "{")
    index.poll()  # read in the poll: unreadable again
    counts.append(index.broken_count)
    assert counts == [0, 2, 1, 0, 0, 1]


def _label_of(tree: SchemaTree, key: str) -> str:
    line = 0
    while (node := tree.get_node_at_line(line)) is not None:
        if node.data is not None and node.data.key == key:
            return node.label.plain
        line += 1
    raise AssertionError(f"{key} is not shown")


def _errors(label: str) -> int:
    return sum(int(number) for number in re.findall(r"✗(\d+)", label))


def test_a_filter_worker_gets_the_counts_as_they_are_after_a_change_in_place(shop, monkeypatch):
    """A filter worker gets a copy of the counts kept between keystrokes (made again when
    they change): the same keystroke result from the kept copy, and after a file is deleted
    a shape without it and its findings. (Counts changed in place while the first lint
    streams are covered by the copy's version check, not by this test.)"""
    monkeypatch.setattr(main_screen, "FILTER_IN_WORKER_ABOVE", 0)  # every project is "large"
    bad = "segment/ecommerce/Checkout_Started/1-0"
    shop.add_schema(
        bad,
        {"cartID": {"type": "string", "description": "The cart."}},  # RF311: camelCase
        description="A user started checkout.",
    )

    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        await pilot.press("slash", "e")
        await settle(pilot)
        labels = [_label_of(tree, "segment/ecommerce")]
        await pilot.press("c")  # "ec": the same counts, the kept copy
        await settle(pilot)
        labels.append(_label_of(tree, "segment/ecommerce"))
        (shop.schemas_dir / f"{bad}.json").unlink()
        screen.check_for_changes()
        await settle(pilot)
        await pilot.press("o")  # "eco": a new shape, from counts without the deleted file
        await settle(pilot)
        labels.append(_label_of(tree, "segment/ecommerce"))
        return tree.filter_text, labels

    text, (first, again, after) = drive(make_app(shop.root), scenario)
    assert text == "eco"
    assert again == first and "(4)" in first
    assert "(3)" in after  # Checkout_Started is gone
    assert _errors(after) < _errors(first)  # and so are its RF311 errors


def test_a_folder_summary_from_the_tree_equals_the_count_over_its_ids(shop):
    """The summary is read off the tree's folders and badge totals: the same events,
    versions, errors, warnings and unreadable files as counting the ids under the folder,
    with and without a filter (the shop holds findings and an unreadable file)."""
    from reflekt.tui.model import FolderSummary

    def folder_summary(index, key, counts, shown):
        """The count over the ids under `key` (what the screen did on every keystroke)."""
        ids = [i for i in (index.entries if shown is None else shown) if i.startswith(key + "/")]
        return FolderSummary(
            key,
            len({i.rpartition("/")[0] for i in ids}),
            len(ids),
            sum(counts.get(i, (0, 0))[0] for i in ids),
            sum(counts.get(i, (0, 0))[1] for i in ids),
            sum(1 for i in ids if index.entries[i].broken),
        )

    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        await settle(pilot)
        compared = []
        for text in ("", "cart", "e", "broken", "no such thing"):
            tree.show(screen.index, None, text)
            shown = screen.index.matching(text) if text else None
            for key in list(tree._folders):
                got = tree.folder_summary(key)
                ids = list(shown if shown is not None else screen.index.entries)
                if not any(i.startswith(key + "/") for i in ids):
                    continue
                assert got == folder_summary(screen.index, key, screen.lint.counts(), shown)
                compared.append(got)
        assert tree.folder_summary("segment/nowhere") is None
        return compared

    compared = drive(make_app(shop.root), scenario)
    assert len(compared) > 6
    assert any(s.errors or s.warnings for s in compared)
    assert any(s.unreadable for s in compared)
