"""A tree with checkboxes: registry → plan → event, for choosing what the build wizard models.

Textual has no checkbox tree, so this is a Tree whose labels carry `[x]`, `[ ]` or `[-]`
(some ticked). Space ticks the node under the cursor: on a plan or a registry it ticks (or,
when all are ticked, unticks) every event below it. Enter expands and collapses as usual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets.tree import TreeNode

from reflekt.tui.safe_text import clean
from reflekt.tui.widgets.fast_tree import FastTree

EXPAND_ALL_BELOW = 300  # events: above this, plans start collapsed


@dataclass
class CheckData:
    """One node: its key (`segment/ecommerce`) and the event keys at or below it."""

    key: str
    name: str
    leaves: list[str] = field(default_factory=list)

    @property
    def is_event(self) -> bool:
        return len(self.leaves) == 1 and self.leaves[0] == self.key


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
        super().__init__("schemas", data=CheckData("", "schemas"), **kwargs)
        self.show_root = False
        self.guide_depth = 3
        self.keys: list[str] = []
        self.checked: set[str] = set()

    # -- building ---------------------------------------------------------------------------

    def set_events(self, keys: Iterable[str], checked: Iterable[str] | None = None) -> None:
        """Show these event keys (in order), ticked (all of them unless `checked` is given)."""
        self.keys = list(dict.fromkeys(keys))
        self.checked = set(self.keys if checked is None else checked) & set(self.keys)
        expand = len(self.keys) <= EXPAND_ALL_BELOW
        with self.bulk():
            self.clear()
            self.root.data = CheckData("", "schemas", list(self.keys))
            nodes: dict[str, TreeNode[CheckData]] = {"": self.root}
            for key in self.keys:
                parts = key.split("/")
                for depth in range(1, len(parts) + 1):
                    node_key = "/".join(parts[:depth])
                    if node_key in nodes:
                        data = nodes[node_key].data
                        assert data is not None
                        data.leaves.append(key)
                        continue
                    parent = nodes["/".join(parts[: depth - 1])]
                    data = CheckData(node_key, parts[depth - 1], [key])
                    if depth == len(parts):
                        node = parent.add_leaf("", data=data)
                    else:
                        node = parent.add("", data=data, expand=expand or depth == 1)
                    nodes[node_key] = node
            self._relabel(self.root)
        if self.last_line >= 0 or self.keys:
            self.cursor_line = 0
        self.post_message(self.Changed(self))

    # -- ticking ----------------------------------------------------------------------------

    def state(self, node: TreeNode[CheckData]) -> str:
        """ "all", "none" or "some" of the events at or below the node ticked."""
        leaves = node.data.leaves if node.data else []
        ticked = sum(1 for key in leaves if key in self.checked)
        if leaves and ticked == len(leaves):
            return "all"
        return "some" if ticked else "none"

    def set_checked(self, node: TreeNode[CheckData], checked: bool) -> None:
        """Tick or untick every event at or below the node."""
        leaves = node.data.leaves if node.data else []
        if checked:
            self.checked.update(leaves)
        else:
            self.checked.difference_update(leaves)
        with self.bulk():
            self._relabel(self.root)
        self.post_message(self.Changed(self, tuple(leaves), checked))

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
        """The ticked event keys, in tree order."""
        return [key for key in self.keys if key in self.checked]

    def ticked_selects(self) -> list[str]:
        """The ticked events as few selects as possible: a fully ticked plan is one select."""
        out: list[str] = []

        def walk(node: TreeNode[CheckData]) -> None:
            for child in node.children:
                state = self.state(child)
                if state == "all" and child.data is not None:
                    out.append(child.data.key)
                elif state == "some":
                    walk(child)

        walk(self.root)
        return out

    # -- labels -----------------------------------------------------------------------------

    def _relabel(self, node: TreeNode[CheckData]) -> None:
        for child in node.children:
            child.set_label(self._label(child))
            self._relabel(child)

    def _label(self, node: TreeNode[CheckData]) -> Text:
        data = node.data
        assert data is not None
        state = self.state(node)
        box = {"all": "[x] ", "none": "[ ] ", "some": "[-] "}[state]
        text = Text(box, style="bold green" if state == "all" else "yellow" if state else "")
        if state == "none":
            text.stylize("dim")
        text.append(clean(data.name))
        if not data.is_event:
            ticked = sum(1 for key in data.leaves if key in self.checked)
            text.append(f"  {ticked}/{len(data.leaves)}", style="dim")
        return text
