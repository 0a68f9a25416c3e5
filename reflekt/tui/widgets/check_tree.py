"""A tree with checkboxes: registry → plan → event, for choosing what the build wizard models.

Textual has no checkbox tree, so this is a Tree whose labels carry `[x]`, `[ ]` or `[-]`
(some ticked). Space ticks the node under the cursor: on a plan or a registry it ticks (or,
when all are ticked, unticks) every event below it. Enter expands and collapses as usual.

A project can hold 25,000 events, so the ticks live in a `CheckModel` (no widgets), nodes
are created only when their branch first opens (`FastTree.set_lazy`), and a node's box and
counts are read from the model when its line is drawn (`render_label`): a tick changes the
model and repaints the shown lines, it does not relabel every node.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from reflekt.tui.check_model import ROOT, CheckModel, State, name_of, parent_of
from reflekt.tui.safe_text import clean
from reflekt.tui.widgets.fast_tree import FastTree

EXPAND_ALL_BELOW = 300  # events: above this, plans start collapsed
BOXES: dict[State, str] = {"all": "[x] ", "none": "[ ] ", "some": "[-] "}


@dataclass
class CheckData:
    """One node: its key (`segment/ecommerce`) and its name (`ecommerce`)."""

    key: str
    name: str


class CheckTree(FastTree[CheckData]):
    """Events grouped by registry and plan, each node with a checkbox."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_check", "Tick/untick", id="wizard.tick"),
        Binding("a", "check_all", "Tick all", id="wizard.tick_all"),
        Binding("n", "check_none", "Tick none", id="wizard.tick_none"),
    ]

    class Changed(Message):
        """The set of ticked events changed: by hand, `touched` ticked (`checked`) or
        unticked; () when the tree was (re)filled."""

        def __init__(
            self, tree: CheckTree, touched: tuple[str, ...] = (), checked: bool = False
        ) -> None:
            super().__init__()
            self.tree = tree
            self.touched = touched
            self.checked = checked

        @property
        def control(self) -> CheckTree:
            return self.tree

    def __init__(self, **kwargs) -> None:
        self.model = CheckModel()  # first: setting show_root below draws labels
        self._expand_all = True
        super().__init__("schemas", data=CheckData(ROOT, "schemas"), **kwargs)
        self._made: dict[str, TreeNode[CheckData]] = {ROOT: self.root}  # created, by key
        self.show_root = False
        self.guide_depth = 3

    @property
    def keys(self) -> list[str]:
        """The events shown, in the order given to `set_events`."""
        return self.model.keys

    @property
    def checked(self) -> set[str]:
        """The ticked events (the model's set: read it, tick through `set_checked`)."""
        return self.model.checked

    # -- building ---------------------------------------------------------------------------

    def set_events(self, keys: Iterable[str], checked: Iterable[str] | None = None) -> None:
        """Show these event keys (in order), ticked (all of them unless `checked` is given)."""
        self.model = CheckModel(keys, checked)
        self._expand_all = len(self.model.keys) <= EXPAND_ALL_BELOW
        with self.bulk():
            self.clear()
            self._made = {ROOT: self.root}
            self._fill(self.root)
        if self.last_line >= 0 or self.keys:
            self.cursor_line = 0
        self.post_message(self.Changed(self))

    def _fill(self, node: TreeNode[CheckData]) -> None:
        """Add the node's children; a folder's own children wait until it opens (unless the
        project is small, or it is a registry: those open at once)."""
        assert node.data is not None
        for key in self.model.children(node.data.key):
            data = CheckData(key, name_of(key))
            label = Text(clean(data.name))
            if not self.model.is_folder(key):
                self._made[key] = node.add_leaf(label, data=data)
                continue
            expand = self._expand_all or node is self.root
            child = self._made[key] = node.add(label, data=data, expand=expand)
            if expand:
                self._fill(child)
            else:
                self.set_lazy(child, self._fill)

    def node_of(self, key: str) -> TreeNode[CheckData] | None:
        """The node of `key`, creating the branches above it (they stay as they were: open
        or closed); None for a key not in the tree."""
        if key in self._made:
            return self._made[key]
        if key not in self.model:
            return None
        parent = self.node_of(parent_of(key))
        if parent is not None:
            self.ensure_filled(parent)
        return self._made.get(key)

    def reveal(self, key: str) -> bool:
        """Open the branches above `key` and move the cursor to it (False: no such key)."""
        node = self.node_of(key)
        if node is None:
            return False
        above = node.parent
        while above is not None and above is not self.root:
            above.expand()
            above = above.parent
        if self.last_line >= 0:  # reading it lays the opened lines out, so `line` is right
            self.move_cursor(node)
        return True

    @property
    def cursor_key(self) -> str | None:
        """The key of the node under the cursor (None when there is none)."""
        node = self.cursor_node
        return node.data.key if node is not None and node.data is not None else None

    def key_matches(self, query: str) -> list[int]:
        """Tree-order positions of every node (shown or not) whose name holds `query`."""
        return self.model.matches(query)

    def reveal_position(self, position: int) -> None:
        """Show the node at a tree-order position (from `key_matches`) under the cursor."""
        self.reveal(self.model.tree_order()[position])

    def cursor_position(self) -> int:
        """The tree-order position of the node under the cursor (-1: none)."""
        key = self.cursor_key
        return -1 if key is None else self.model.order(key)

    # -- ticking ----------------------------------------------------------------------------

    def state(self, node: TreeNode[CheckData]) -> State:
        """ "all", "none" or "some" of the events at or below the node ticked."""
        return self.model.state(node.data.key) if node.data else "none"

    def set_checked(self, node: TreeNode[CheckData], checked: bool) -> None:
        """Tick or untick every event at or below the node."""
        leaves = self.model.set_checked(node.data.key, checked) if node.data else []
        self.repaint_labels()
        self.post_message(self.Changed(self, tuple(leaves), checked))

    def repaint_labels(self) -> None:
        """Redraw every shown line: a line is cached by its nodes' update counts, so touching
        the top-level nodes (every line's path starts at one) drops the whole cache."""
        for node in self.root.children:
            node.refresh()
        self.refresh()

    def action_toggle_check(self) -> None:
        node = self.cursor_node
        if node is None or node.data is None:
            return
        self.set_checked(node, self.state(node) != "all")

    def action_check_all(self) -> None:
        self.set_checked(self.root, True)

    def action_check_none(self) -> None:
        self.set_checked(self.root, False)

    def ticked(self) -> list[str]:
        """The ticked event keys, in the order given to `set_events` (the wizard gives tree
        order)."""
        return self.model.ticked()

    def ticked_selects(self) -> list[str]:
        """The ticked events as few selects as possible: a fully ticked plan is one select."""
        return self.model.ticked_selects()

    # -- labels -----------------------------------------------------------------------------

    def label_of(self, node: TreeNode[CheckData]) -> Text:
        """What the node's line says (without the open/closed icon): box, name, counts."""
        data = node.data
        assert data is not None
        state = self.model.state(data.key)
        text = Text(BOXES[state], style="bold green" if state == "all" else "yellow")
        if state == "none":
            text.stylize("dim")
        text.append_text(node.label if isinstance(node.label, Text) else Text(node.label))
        if self.model.is_folder(data.key):
            ticked, total = self.model.ticked_count(data.key), self.model.total(data.key)
            text.append(f"  {ticked}/{total}", style="dim")
        return text

    def get_label_width(self, node: TreeNode[CheckData]) -> int:
        """Measured on the rendered line: the box and the ticked counts are not in the label."""
        return Tree.get_label_width(self, node)

    def render_label(self, node: TreeNode[CheckData], base_style: Style, style: Style) -> Text:
        """Textual's line for the node (its icon), with the label read from the model now."""
        drawn = super().render_label(node, base_style, style)
        icon = drawn[: len(drawn) - len(node.label)]
        label = self.label_of(node)
        label.stylize(style)
        return Text.assemble(icon, label)
