"""The wizard's checkbox tree over thousands of events: nodes only for the opened branches,
ticks through the model, boxes and counts drawn from it, search into unopened branches."""

from __future__ import annotations

import asyncio

from textual import on
from textual.app import App, ComposeResult

from reflekt.tui.search import search_tree
from reflekt.tui.widgets.check_tree import EXPAND_ALL_BELOW, CheckTree

# 2 registries x 3 plans x 500 events: 3,000 events, far above EXPAND_ALL_BELOW.
KEYS = [
    f"{registry}/plan_{plan}/Event_{r}_{plan}_{event:03d}"
    for r, registry in enumerate(("segment", "amplitude"))
    for plan in range(3)
    for event in range(500)
]


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.changes: list[CheckTree.Changed] = []

    def compose(self) -> ComposeResult:
        yield CheckTree(id="tree")

    @on(CheckTree.Changed)
    def _changed(self, message: CheckTree.Changed) -> None:
        self.changes.append(message)


def labels(tree: CheckTree) -> list[str]:
    return [tree.label_of(tree.get_node_at_line(i)).plain for i in range(tree.last_line + 1)]


def drawn(tree: CheckTree, line: int) -> str:
    """The line as painted (Textual's render path, not `label_of`)."""
    return "".join(segment.text for segment in tree.render_line(line))


def node_count(tree: CheckTree) -> int:
    """The node widgets that exist (shown or in closed branches)."""
    stack, count = list(tree.root.children), 0
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(node.children)
    return count


def run(scenario) -> None:
    async def main() -> None:
        app = Host()
        async with app.run_test(size=(80, 30)) as pilot:
            tree = app.query_one(CheckTree)
            tree.focus()
            await scenario(pilot, app, tree)

    asyncio.run(main())


def test_a_big_tree_opens_with_plans_closed_and_ticks_without_their_nodes():
    assert len(KEYS) > EXPAND_ALL_BELOW

    async def scenario(pilot, app: Host, tree: CheckTree) -> None:
        tree.set_events(KEYS)
        await pilot.pause()
        assert labels(tree) == [
            "[x] segment  1500/1500",
            "[x] plan_0  500/500",
            "[x] plan_1  500/500",
            "[x] plan_2  500/500",
            "[x] amplitude  1500/1500",
            "[x] plan_0  500/500",
            "[x] plan_1  500/500",
            "[x] plan_2  500/500",
        ]
        assert node_count(tree) == 8  # registries and plans: no event node yet
        assert "[x] segment  1500/1500" in drawn(tree, 0)

        await pilot.press("n")
        await pilot.pause()
        assert tree.checked == set() and tree.ticked() == []
        assert app.changes[-1].touched == tuple(KEYS) and app.changes[-1].checked is False
        assert "[ ] segment  0/1500" in drawn(tree, 0), "the painted line follows the tick"

        await pilot.press("down", "down", "space")  # segment/plan_1, never opened
        await pilot.pause()
        assert labels(tree)[:4] == [
            "[-] segment  500/1500",
            "[ ] plan_0  0/500",
            "[x] plan_1  500/500",
            "[ ] plan_2  0/500",
        ]
        assert "[x] plan_1  500/500" in drawn(tree, 2)
        assert tree.ticked_selects() == ["segment/plan_1"]
        assert len(app.changes[-1].touched) == 500 and app.changes[-1].checked is True
        assert tree.ticked() == KEYS[500:1000]
        assert node_count(tree) == 8, "ticking a plan created no node for its events"

        await pilot.press("a")
        await pilot.pause()
        assert tree.ticked_selects() == ["segment", "amplitude"]
        assert all(label.startswith("[x] ") for label in labels(tree))

        await pilot.press("space")  # plan_1 was all ticked: unticks it
        assert tree.ticked_selects() == ["segment/plan_0", "segment/plan_2", "amplitude"]

    run(scenario)


def test_search_finds_an_event_in_a_branch_never_opened_and_ticks_it():
    async def scenario(pilot, app: Host, tree: CheckTree) -> None:
        tree.set_events(KEYS)
        await pilot.pause()
        result = search_tree(tree, "event_1_2_042", True)
        await pilot.pause()
        assert result.status == "Match 1 of 1 for 'event_1_2_042'."
        assert tree.cursor_key == "amplitude/plan_2/Event_1_2_042"
        assert tree.cursor_node.parent.is_expanded
        assert labels(tree)[tree.cursor_line] == "[x] Event_1_2_042"
        await pilot.press("space")
        await pilot.pause()
        assert "[-] plan_2  499/500" in labels(tree)
        selects = tree.ticked_selects()
        assert selects[:3] == ["segment", "amplitude/plan_0", "amplitude/plan_1"]
        assert selects[3:] == [key for key in KEYS[2500:] if not key.endswith("_042")]

        # Six events end in 042, one per plan: n walks them in tree order, wrapping.
        visited = []
        for _ in range(7):
            search_tree(tree, "_042", True)
            visited.append(tree.cursor_key)
        assert visited[:6] == [key for key in KEYS if key.endswith("_042")]
        assert visited[6] == visited[0]
        assert search_tree(tree, "_042", False).position == 5
        assert search_tree(tree, "nothing", True).status == "No match for 'nothing'."

    run(scenario)


def test_a_small_tree_opens_fully():
    async def scenario(pilot, app: Host, tree: CheckTree) -> None:
        tree.set_events(["s/p/A", "s/p/B", "s/q/C"], checked=["s/p/B"])
        await pilot.pause()
        assert labels(tree) == [
            "[-] s  1/3",
            "[-] p  1/2",
            "[ ] A",
            "[x] B",
            "[ ] q  0/1",
            "[ ] C",
        ]
        assert app.changes[-1].touched == ()  # (re)filled, not ticked by hand
        assert tree.reveal("s/q/C") and tree.cursor_key == "s/q/C"
        assert not tree.reveal("s/zz") and tree.cursor_key == "s/q/C"

    run(scenario)
