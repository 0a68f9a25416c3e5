"""FastTree leans on two private methods of Textual's Tree: fail loudly if they change.

`FastTree` (reflekt/tui/widgets/fast_tree.py) overrides `Tree._invalidate` (to rebuild the
tree once after adding thousands of nodes) and `Tree._toggle_node` (to fill a lazy node's
children when it is first opened). Both keep the 5,000-schema tree fast. They are not public
API: if a Textual upgrade renames or reshapes them, these tests fail, and FastTree must be
adapted (or dropped) before the upgrade goes in.
"""

from __future__ import annotations

import asyncio
import inspect

from textual.app import App, ComposeResult
from textual.widgets import Tree

from reflekt.tui.widgets.fast_tree import FastTree

UPGRADE_HINT = (
    "Textual's Tree changed: reflekt/tui/widgets/fast_tree.py overrides Tree.{name}; "
    "adapt FastTree to the new Tree before upgrading textual"
)


def test_the_private_tree_methods_fast_tree_overrides_still_exist():
    for name, params in (("_invalidate", ["self"]), ("_toggle_node", ["self", "node"])):
        method = getattr(Tree, name, None)
        assert callable(method), UPGRADE_HINT.format(name=name)
        assert list(inspect.signature(method).parameters) == params, UPGRADE_HINT.format(name=name)


def test_textual_still_calls_them_bulk_adds_and_lazy_children_work():
    """Behaviour, not just names: adds invalidate through `_invalidate`; space opens a node
    through `_toggle_node` (which fills the lazy children)."""

    class Probe(FastTree[str]):
        invalidations = 0

        def _invalidate(self) -> None:
            type(self).invalidations += 1
            super()._invalidate()

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Probe("root", id="tree")

    async def main() -> None:
        app = Host()
        async with app.run_test() as pilot:
            tree = app.query_one(Probe)
            tree.root.expand()
            await pilot.pause()
            before = Probe.invalidations
            tree.root.add_leaf("one")
            await pilot.pause()
            assert Probe.invalidations > before, UPGRADE_HINT.format(name="_invalidate")
            with tree.bulk():
                for index in range(200):
                    tree.root.add_leaf(f"leaf {index}")
                # Textual's add went through _invalidate, and FastTree deferred it.
                assert tree._bulk_dirty, UPGRADE_HINT.format(name="_invalidate")
            assert tree._bulk_dirty is False  # one invalidation at the end of the block
            assert len(tree.root.children) == 201
            lazy = tree.root.add("lazy")
            tree.set_lazy(lazy, lambda node: node.add_leaf("filled"))
            assert not lazy.children
            tree.focus()
            await pilot.pause()
            tree.move_cursor(lazy)
            await pilot.pause()
            await pilot.press("space")
            await pilot.pause()
            assert [str(child.label) for child in lazy.children] == ["filled"], UPGRADE_HINT.format(
                name="_toggle_node"
            )
            assert lazy.is_expanded

    asyncio.run(main())
