"""FastTree: lazy children through Textual's public Tree API only.

FastTree used to override the private `Tree._invalidate` and `Tree._toggle_node`. Measured on
the 5,000-schema benchmark they were not needed, so they went; the first test fails loudly if
a private Tree method is overridden again (a Textual upgrade could silently break it), the
others check that lazy filling still works for every way a node opens.
"""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.widgets import Tree

from reflekt.tui.widgets.check_tree import CheckTree
from reflekt.tui.widgets.fast_tree import FastTree
from reflekt.tui.widgets.lint_panel import FindingsTree
from reflekt.tui.widgets.schema_tree import SchemaTree


def test_no_tree_widget_overrides_a_private_textual_tree_method():
    for cls in (FastTree, SchemaTree, FindingsTree, CheckTree):
        for klass in cls.__mro__:
            if klass.__module__.startswith("textual"):
                break
            private = sorted(
                name
                for name in vars(klass)
                if name.startswith("_")
                and not name.startswith("__")
                and callable(getattr(Tree, name, None))
            )
            assert not private, (
                f"{klass.__name__} overrides private Tree method(s) {private}: a Textual "
                "upgrade can change them silently; use the public API (or guard them with a "
                "test that fails when Textual changes them)"
            )


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield FastTree("root", id="tree")


def _lazy_tree(app: Host):
    tree = app.query_one(FastTree)
    tree.root.expand()
    lazy = tree.root.add("lazy")
    tree.set_lazy(lazy, lambda node: node.add_leaf("filled"))
    return tree, lazy


def _children(node) -> list[str]:
    return [str(child.label) for child in node.children]


def test_lazy_children_fill_when_opened_with_the_keyboard():
    async def main() -> None:
        app = Host()
        async with app.run_test() as pilot:
            tree, lazy = _lazy_tree(app)
            assert tree.is_lazy(lazy) and not lazy.children
            tree.focus()
            await pilot.pause()
            tree.move_cursor(lazy)
            await pilot.pause()
            await pilot.press("space")
            await pilot.pause()
            assert lazy.is_expanded
            assert _children(lazy) == ["filled"]
            assert not tree.is_lazy(lazy)
            await pilot.press("space", "space")  # closed and opened again: filled once
            await pilot.pause()
            assert _children(lazy) == ["filled"]

    asyncio.run(main())


def test_lazy_children_fill_when_expanded_from_code_or_needed():
    async def main() -> None:
        app = Host()
        async with app.run_test() as pilot:
            tree, lazy = _lazy_tree(app)
            lazy.expand()
            await pilot.pause()
            assert _children(lazy) == ["filled"]
            other = tree.root.add("other")
            tree.set_lazy(other, lambda node: node.add_leaf("now"))
            tree.ensure_filled(other)  # no expansion, no message: at once
            assert _children(other) == ["now"]

    asyncio.run(main())


def test_a_label_is_measured_as_textual_would_render_it():
    """FastTree measures a line's label without rendering it; the width must be what
    Textual's render-and-measure gives, open or closed, with wide and styled text."""
    from rich.text import Text

    async def main() -> None:
        app = Host()
        async with app.run_test() as pilot:
            tree = app.query_one(FastTree)
            tree.root.expand()
            folder = tree.root.add(Text.assemble(("plan", "bold"), " (3) ", ("✗9", "red")))
            folder.add_leaf("Évènement_購入 1-0 ⚠2")
            leaf = tree.root.add_leaf("")
            nodes = [tree.root, folder, folder.children[0], leaf]
            for opened in (False, True):
                folder.expand() if opened else folder.collapse()
                await pilot.pause()
                for node in nodes:
                    assert tree.get_label_width(node) == Tree.get_label_width(tree, node)

    asyncio.run(main())
