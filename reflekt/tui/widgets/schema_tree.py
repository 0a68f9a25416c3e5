"""The schema tree: registry → plan/branch → event → versions, with lint and version badges.

It is rebuilt from the `SchemaIndex` on every filter keystroke, so building must stay cheap:
version leaves of an event are only added when the event is expanded (lazily), unless the
filter is narrow enough to show them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from reflekt.tui.model import FolderNode, SchemaEntry, SchemaIndex

# Show the versions of every matching event when the filter leaves at most this many events.
EXPAND_EVENTS_UP_TO = 30

Counts = dict[str, tuple[int, int]]  # schema id -> (errors, warnings)


@dataclass(frozen=True)
class NodeInfo:
    """What a tree node stands for: a folder (`key` is its path) or a schema file (its id)."""

    kind: str  # "folder" | "event" | "version"
    key: str


def badge(errors: int, warnings: int) -> Text:
    text = Text()
    if errors:
        text.append(f" ✗{errors}", style="bold red")
    if warnings:
        text.append(f" ▲{warnings}", style="yellow")
    return text


class SchemaTree(Tree[NodeInfo]):
    """Tree of the project's schemas. Highlighting a node shows it in the schema view."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,l", "expand_node", "Expand", show=False, id="tree.expand"),
        Binding("left,h", "collapse_node", "Collapse", show=False, id="tree.collapse"),
        Binding("k", "cursor_up", "Up", show=False, id="tree.up"),
        Binding("j", "cursor_down", "Down", show=False, id="tree.down"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__("schemas", **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self._index: SchemaIndex | None = None
        self._counts: Counts = {}
        self._folder_counts: dict[str, tuple[int, int]] = {}
        self._event_nodes: dict[str, TreeNode[NodeInfo]] = {}
        self._folders: dict[str, FolderNode] = {}
        self.filter_text = ""
        self.shown_events = 0
        self.shown_schemas = 0

    # -- building ---------------------------------------------------------------------------

    def show(self, index: SchemaIndex, counts: Counts | None = None, filter_text: str = "") -> None:
        """(Re)build the tree for `index`, narrowed by `filter_text`, keeping the cursor."""
        current = self.cursor_node.data if self.cursor_node is not None else None
        self._index = index
        if counts is not None:
            self._counts = counts
        self.filter_text = filter_text
        self._compute_folder_counts()
        ids = index.matching(filter_text) if filter_text.strip() else None
        self.shown_schemas = len(index) if ids is None else len(ids)
        root_folder = index.folder_tree(ids)
        self._event_nodes = {}
        self._folders = {}
        events = root_folder.event_count()
        self.shown_events = events
        expand_events = bool(filter_text.strip()) and events <= EXPAND_EVENTS_UP_TO
        self.clear()
        self._add_folder(self.root, root_folder, expand_events, top=True)
        self.root.expand()
        if current is not None:
            self.select_key(current.key, post=False)

    def _add_folder(
        self, parent: TreeNode[NodeInfo], folder: FolderNode, expand_events: bool, top: bool
    ) -> None:
        for child in folder.folders.values():
            if child.is_event and not child.folders:
                self._add_event(parent, child, expand_events)
                continue
            node = parent.add(self._folder_label(child), NodeInfo("folder", child.key), expand=True)
            self._folders[child.key] = child
            if child.is_event:  # a folder with both versions and sub-folders: rare
                self._add_event(node, child, expand_events)
            self._add_folder(node, child, expand_events, top=False)
        for entry in folder.entries if top else ():
            parent.add_leaf(self._version_label(entry, None), NodeInfo("version", entry.id))

    def _add_event(self, parent: TreeNode[NodeInfo], event: FolderNode, expand: bool) -> None:
        node = parent.add(self._event_label(event), NodeInfo("event", event.key), expand=expand)
        self._event_nodes[event.key] = node
        self._folders[event.key] = event
        if expand:
            self._fill_event(node)

    def _fill_event(self, node: TreeNode[NodeInfo]) -> None:
        if node.children or node.data is None:
            return
        event = self._folders.get(node.data.key)
        if event is None:
            return
        latest = event.latest()
        for entry in event.entries:
            node.add_leaf(self._version_label(entry, latest), NodeInfo("version", entry.id))

    def _on_tree_node_expanded(self, message: Tree.NodeExpanded[NodeInfo]) -> None:
        if message.node.data is not None and message.node.data.kind == "event":
            self._fill_event(message.node)

    # -- labels -----------------------------------------------------------------------------

    def _compute_folder_counts(self) -> None:
        totals: dict[str, list[int]] = {}
        for schema_id, (errors, warnings) in self._counts.items():
            parts = schema_id.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                slot = totals.setdefault("/".join(parts[:depth]), [0, 0])
                slot[0] += errors
                slot[1] += warnings
        self._folder_counts = {key: (v[0], v[1]) for key, v in totals.items()}

    def _folder_label(self, folder: FolderNode) -> Text:
        text = Text(folder.name, style="bold")
        text.append(f" ({folder.event_count()})", style="dim")
        text.append_text(badge(*self._folder_counts.get(folder.key, (0, 0))))
        return text

    def _event_label(self, event: FolderNode) -> Text:
        text = Text(event.name)
        latest = event.latest()
        if latest is not None:
            text.append(f" {latest.version_text}", style="cyan")
        broken = sum(1 for e in event.entries if e.broken)
        if broken:
            text.append(" ✗ unreadable", style="bold red")
        text.append_text(badge(*self._folder_counts.get(event.key, (0, 0))))
        return text

    def _version_label(self, entry: SchemaEntry, latest: SchemaEntry | None) -> Text:
        text = Text(entry.id.rpartition("/")[2].removesuffix(".json"))
        if latest is not None and entry is latest:
            text.append(" latest", style="dim cyan")
        if entry.broken:
            problem = entry.doc.problems[-1] if entry.doc.problems else None
            where = f" ({problem.line}:{problem.column})" if problem else ""
            message = problem.message if problem else "cannot be read"
            text.append(f" ✗ {message}{where}", style="bold red")
        text.append_text(badge(*self._counts.get(entry.id, (0, 0))))
        return text

    def set_counts(self, counts: Counts) -> None:
        """New lint counts: relabel the nodes in place (no rebuild)."""
        self._counts = counts
        self._compute_folder_counts()
        self._relabel(self.root)

    def _relabel(self, node: TreeNode[NodeInfo]) -> None:
        for child in node.children:
            info = child.data
            if info is None:
                continue
            if info.kind == "folder" and info.key in self._folders:
                child.set_label(self._folder_label(self._folders[info.key]))
            elif info.kind == "event" and info.key in self._folders:
                child.set_label(self._event_label(self._folders[info.key]))
            elif info.kind == "version" and self._index is not None:
                entry = self._index.get(info.key)
                if entry is not None:
                    event = self._folders.get(entry.folder)
                    latest = event.latest() if event is not None else None
                    child.set_label(self._version_label(entry, latest))
            self._relabel(child)

    # -- navigation -------------------------------------------------------------------------

    def select_key(self, key: str, post: bool = True) -> bool:
        """Move the cursor to a schema id or folder key (expanding what is needed)."""
        folder_key = key.rpartition("/")[0] if key.endswith(".json") else key
        event_node = self._event_nodes.get(folder_key)
        target: TreeNode[NodeInfo] | None = None
        if event_node is not None:
            if key.endswith(".json"):
                self._fill_event(event_node)
                event_node.expand()
                for child in event_node.children:
                    if child.data is not None and child.data.key == key:
                        target = child
                        break
            else:
                target = event_node
        if target is None:
            target = self._find(self.root, key)
        if target is None:
            return False
        parent = target.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        _ = self._tree_lines  # rebuild lines now so the node knows its line
        self.move_cursor(target)
        if post:
            self.post_message(Tree.NodeHighlighted(target))
        return True

    def _find(self, node: TreeNode[NodeInfo], key: str) -> TreeNode[NodeInfo] | None:
        for child in node.children:
            if child.data is not None and child.data.key == key:
                return child
            if child.data is not None and key.startswith(child.data.key + "/"):
                found = self._find(child, key)
                if found is not None:
                    return found
        return None

    def schema_id_at_cursor(self) -> str | None:
        """The schema under the cursor: a version, or the latest version of an event."""
        node = self.cursor_node
        if node is None or node.data is None or self._index is None:
            return None
        if node.data.kind == "version":
            return node.data.key
        event = self._folders.get(node.data.key)
        if node.data.kind == "event" and event is not None:
            latest = event.latest() or (event.entries[-1] if event.entries else None)
            return latest.id if latest is not None else None
        return None

    def selection_key(self) -> str | None:
        """The path under the cursor (folder, event or file), for `--select`-like scoping."""
        node = self.cursor_node
        if node is None or node.data is None:
            return None
        return node.data.key.removesuffix(".json")

    def action_expand_node(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            if node.data is not None and node.data.kind == "event":
                self._fill_event(node)
            node.expand()

    def action_collapse_node(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.children:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)
