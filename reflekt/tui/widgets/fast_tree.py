"""A Tree that stays fast with thousands of nodes: children filled lazily, on first expansion.

A tree of 5,000 schemas holds 2,500 events with their versions; building every version node
on each filter keystroke would cost more than the keystroke budget. A node added with
`set_lazy(node, fill)` gets its children only when it is first expanded (the public
`Tree.NodeExpanded` message) or when code needs them (`ensure_filled`).

This class uses Textual's public Tree API only. An earlier version also overrode the private
`Tree._invalidate` (one redraw per bulk of adds) and `Tree._toggle_node`; measured on the
5,000-schema benchmark they saved nothing that matters (first screen and filter keystrokes
unchanged, ~10% of the lint panel's 0.2 s redraw), so they went: a Textual upgrade cannot
break them. At 50,000 schemas a filter keystroke can fill a plan of 1,250 events, and a
refresh per node added shows: `bulk()` holds them through the public `refresh` (each add
still drops Textual's line cache itself, so lines read inside the block are current).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ClassVar, Generic, Self, TypeVar

from rich.cells import cell_len
from rich.text import Text, TextType
from textual import on
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

T = TypeVar("T")

# The keys of every tree (the lint panel's findings list, not a Tree, has them too).
TREE_KEYS: list[BindingType] = [
    Binding("right,l", "expand_node", "Expand", show=False, id="tree.expand"),
    Binding("left,h", "collapse_node", "Collapse", show=False, id="tree.collapse"),
    Binding("k", "cursor_up", "Up", show=False, id="tree.up"),
    Binding("j", "cursor_down", "Down", show=False, id="tree.down"),
]


class FastTree(Tree[T], Generic[T]):
    """Tree with lazy children (`set_lazy(node, fill)`) and a `bulk()` block for many adds.

    Every tree of the app is one of these, so the vi and arrow keys below work in all of them
    (schema tree, audit findings, the build wizard's tree) under one set of ids; the lint
    panel's findings list (a Line API widget, not a Tree) declares the same `TREE_KEYS`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [*TREE_KEYS]

    def __init__(self, *args, **kwargs) -> None:
        self._bulk_depth = 0
        self._held: tuple[bool, bool] | None = None  # (repaint, layout) held in bulk()
        super().__init__(*args, **kwargs)
        self._lazy: dict[int, Callable[[TreeNode[T]], None]] = {}

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Add many nodes: the refresh each add asks for is held until the block ends, then
        made once (a refresh per node was a tenth of filling a plan of 1,250 events)."""
        self._bulk_depth += 1
        try:
            yield
        finally:
            self._bulk_depth -= 1
            if not self._bulk_depth and self._held is not None:
                repaint, layout = self._held
                self._held = None
                super().refresh(repaint=repaint, layout=layout)

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Self:
        """Inside `bulk()`, a refresh of the whole widget waits for the block's end (merged
        with the others: nothing is drawn before the event loop's next turn anyway)."""
        if self._bulk_depth and not regions and not recompose:
            held_repaint, held_layout = self._held or (False, False)
            self._held = (held_repaint or repaint, held_layout or layout)
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def clear(self):
        self._lazy.clear()
        return super().clear()

    def get_label_width(self, node: TreeNode[T]) -> int:
        """The width `render_label` would give, without rendering: Textual renders (copies
        and restyles) every line's label to measure it at each rebuild of the lines, a
        second and a half of a 50,000-schema first screen and most of a filter keystroke."""
        label = node.label.plain
        # Printable ASCII is a cell a character (rich checks each character in Python).
        width = len(label) if label.isascii() and label.isprintable() else cell_len(label)
        if node.allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            return cell_len(icon) + width
        return width

    def process_label(self, label: TextType) -> Text:
        """A one-line `Text` as it is: Textual splits every label into lines to keep the
        first (a copy per node, an eighth of filling a plan of 1,250 events)."""
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def set_lazy(self, node: TreeNode[T], fill: Callable[[TreeNode[T]], None]) -> None:
        """`fill(node)` adds the node's children the first time they are needed."""
        self._lazy[id(node)] = fill

    def is_lazy(self, node: TreeNode[T]) -> bool:
        """Whether the node's children are still to be filled."""
        return id(node) in self._lazy

    def ensure_filled(self, node: TreeNode[T]) -> None:
        fill = self._lazy.pop(id(node), None)
        if fill is not None:
            with self.bulk():
                fill(node)

    @on(Tree.NodeExpanded)
    def _fill_on_expand(self, message: Tree.NodeExpanded[T]) -> None:
        if message.node.tree is self:
            self.ensure_filled(message.node)

    def action_expand_node(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            self.ensure_filled(node)
            node.expand()

    def action_collapse_node(self) -> None:
        """Close the node under the cursor, or (when closed, or a leaf) go to its parent."""
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.children:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)
