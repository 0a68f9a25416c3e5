"""The schema tree: registry → plan/branch → event → versions, with lint and version badges.

After an audit, each event it covered also shows the audit's verdict (`◆✗2` errors, `◆▲1`
warnings, `◆✓` clean) after its lint badge, and each folder the worst below it.

It is rebuilt from the `SchemaIndex` on every filter keystroke, so building must stay cheap
with 5,000 schemas: nodes are added in bulk, folders beyond what is shown open are filled
only when expanded, and labels are cached until the lint counts or the files change.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from reflekt.tui.model import (
    Counts,
    FolderNode,
    FolderSummary,
    SchemaEntry,
    SchemaIndex,
    TreeShape,
    Verdicts,
    folder_totals,
    folder_verdict_totals,
    shape_for,
)
from reflekt.tui.safe_text import clean, plain
from reflekt.tui.widgets.fast_tree import FastTree

# Open every folder when at most this many events are shown (else only the registries).
EXPAND_FOLDERS_UP_TO = 400
# Show the versions of every event when the filter leaves at most this many events.
EXPAND_EVENTS_UP_TO = 30


@dataclass(frozen=True)
class NodeInfo:
    """What a tree node stands for: a folder (`key` is its path) or a schema file (its id)."""

    kind: str  # "folder" | "event" | "version"
    key: str


def badge(errors: int, warnings: int, text: Text | None = None) -> Text:
    """The lint counts of a node, appended to `text` when given (a label being built: no
    Text per badge, 1,250 labels when a plan fills)."""
    text = Text() if text is None else text
    if errors:
        text.append(f" ✗{errors}", style="bold red")
    if warnings:
        text.append(f" ▲{warnings}", style="yellow")
    return text


# The audit verdict's mark: ◆ sets it apart from the lint counts in front of it.
AUDIT_MARK = "◆"


def audit_badge(verdict: tuple[int, int] | None, text: Text | None = None) -> Text:
    """The last audit's word on a node: its errors, else its warnings, else a check
    (appended to `text` when given)."""
    text = Text() if text is None else text
    if verdict is None:
        return text  # not audited
    errors, warnings = verdict
    if errors:
        text.append(f" {AUDIT_MARK}✗{errors}", style="bold red")
    elif warnings:
        text.append(f" {AUDIT_MARK}▲{warnings}", style="yellow")
    else:
        text.append(f" {AUDIT_MARK}✓", style="green")
    return text


class SchemaTree(FastTree[NodeInfo]):
    """Tree of the project's schemas. Highlighting a node shows it in the schema view."""

    # Its keys (h/j/k/l, arrows) are FastTree's: the same in every tree of the app.

    def __init__(self, **kwargs) -> None:
        super().__init__("schemas", **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self._index: SchemaIndex | None = None
        self._counts: Counts = {}
        self._folder_counts: dict[str, tuple[int, int]] = {}
        self._verdicts: Verdicts = {}
        self._folder_verdicts: Verdicts = {}
        self._folders: dict[str, FolderNode] = {}
        self._labels: dict[tuple[str, str], Text] = {}
        self._shown: frozenset[str] | None = None  # ids the filter matches (None: no filter)
        # (counts version, `_shown`) the folder totals were added up for (see set_counts)
        self._totals_of: tuple[int | None, frozenset[str] | None] | None = None
        self.filter_text = ""
        self.shown_events = 0
        self.shown_schemas = 0

    # -- building ---------------------------------------------------------------------------

    def show(self, index: SchemaIndex, counts: Counts | None = None, filter_text: str = "") -> None:
        """(Re)build the tree for `index`, narrowed by `filter_text`, keeping the cursor.

        `counts=None` keeps the current lint counts (a filter keystroke); new counts or a
        changed index drop the label cache.
        """
        if counts is not None:
            self._counts = counts
        self.show_shape(index, shape_for(index, filter_text, self._counts, self._verdicts))

    def show_shape(self, index: SchemaIndex, shape: TreeShape) -> None:
        """Build the tree from a shape computed for it (maybe in a worker, see `shape_for`)."""
        current = self.cursor_node.data if self.cursor_node is not None else None
        filtering = shape.ids is not None
        self._labels.clear()
        self._shown = shape.shown
        self._folder_counts = shape.folder_counts
        self._totals_of = None  # the shape's totals: of the counts when it was made
        self._folder_verdicts = shape.folder_verdicts
        self._index = index
        self.filter_text = shape.filter_text
        self.shown_schemas = len(index) if shape.ids is None else len(shape.ids)
        root_folder = shape.root
        self._folders = {}
        events = root_folder.event_count()
        self.shown_events = events
        open_folders = events <= EXPAND_FOLDERS_UP_TO
        open_events = filtering and events <= EXPAND_EVENTS_UP_TO
        with self.bulk():
            self.clear()
            self._fill_folder(self.root, root_folder, 0, open_folders, open_events)
            self.root.expand()
        # Keep the cursor on its node; with folders closed (many events shown) only on a
        # node already there, else on its nearest ancestor: filling the cursor's plan
        # (1,250 events) on every keystroke was most of a keystroke's cost.
        fill = open_folders
        if (current is None or not self.select_key(current.key, post=False, fill=fill)) and (
            self.cursor_line >= 0
        ):
            # The node under the cursor is gone: re-point the cursor (a var that always
            # updates) so `cursor_node` is the node now on that line, not the removed one.
            self.cursor_line = min(self.cursor_line, self.last_line)

    def shape_inputs(self) -> tuple[Counts, Verdicts]:
        """What a shape computed elsewhere needs from the tree: its counts and verdicts."""
        return self._counts, self._verdicts

    def _fill_folder(
        self,
        parent: TreeNode[NodeInfo],
        folder: FolderNode,
        depth: int,
        open_folders: bool,
        open_events: bool,
    ) -> None:
        for child in folder.folders.values():
            self._folders[child.key] = child
            if child.is_event and not child.folders:
                self._add_event(parent, child, open_events)
                continue
            expand = open_folders or depth == 0
            node = parent.add(
                self._folder_label(child), NodeInfo("folder", child.key), expand=expand
            )

            def fill(
                node: TreeNode[NodeInfo], child: FolderNode = child, depth: int = depth
            ) -> None:
                if child.is_event:  # a folder with both versions and sub-folders: rare
                    self._fill_versions(node, child)
                self._fill_folder(node, child, depth + 1, open_folders, open_events)

            if expand:
                fill(node)
            else:
                self.set_lazy(node, fill)
        if depth == 0:
            for entry in folder.entries:
                parent.add_leaf(self._version_label(entry, None), NodeInfo("version", entry.id))

    def _add_event(self, parent: TreeNode[NodeInfo], event: FolderNode, expand: bool) -> None:
        node = parent.add(self._event_label(event), NodeInfo("event", event.key), expand=expand)
        if expand:
            self._fill_versions(node, event)
        else:
            self.set_lazy(node, lambda node, event=event: self._fill_versions(node, event))

    def _fill_versions(self, node: TreeNode[NodeInfo], event: FolderNode) -> None:
        latest = event.latest()
        for entry in event.entries:
            node.add_leaf(self._version_label(entry, latest), NodeInfo("version", entry.id))

    # -- labels -----------------------------------------------------------------------------

    def _compute_folder_counts(self) -> None:
        self._folder_counts = folder_totals(self._counts, self._shown)

    def _compute_folder_verdicts(self) -> None:
        events = None if self._shown is None else {i.rpartition("/")[0] for i in self._shown}
        self._folder_verdicts = folder_verdict_totals(self._verdicts, events)

    def _folder_label(self, folder: FolderNode) -> Text:
        # Not cached: the event count depends on the filter.
        text = plain(folder.name, style="bold")
        text.append(f" ({folder.event_count()})", style="dim")
        badge(*self._folder_counts.get(folder.key, (0, 0)), text)
        audit_badge(self._folder_verdicts.get(folder.key), text)
        return text

    def _event_label(self, event: FolderNode) -> Text:
        cached = self._labels.get(("event", event.key))
        if cached is not None:
            return cached
        text = plain(event.name)
        latest = event.latest()
        if latest is not None:
            text.append(f" {latest.version_text}", style="cyan")
        if any(e.broken for e in event.entries):
            text.append(" ✗ unreadable", style="bold red")
        badge(*self._folder_counts.get(event.key, (0, 0)), text)
        audit_badge(self._verdicts.get(event.key), text)
        self._labels[("event", event.key)] = text
        return text

    def _version_label(self, entry: SchemaEntry, latest: SchemaEntry | None) -> Text:
        text = plain(entry.id.rpartition("/")[2].removesuffix(".json"))
        if latest is not None and entry is latest:
            text.append(" latest", style="dim cyan")
        if entry.broken:
            problem = entry.doc.problems[-1] if entry.doc.problems else None
            where = f" ({problem.line}:{problem.column})" if problem else ""
            message = problem.message if problem else "cannot be read"
            text.append(f" ✗ {clean(message)}{where}", style="bold red")
        badge(*self._counts.get(entry.id, (0, 0)), text)
        return text

    def set_counts(self, counts: Counts, version: int | None = None) -> None:
        """New lint counts: relabel the nodes in place (no rebuild). With the counts'
        `version` (`LintScheduler.counts_version`), the folder totals are added up again only
        when the counts or the filter changed since (50,000 ids: a quarter of a second)."""
        seen = (version, self._shown)
        same = version is not None and counts is self._counts and self._totals_of is not None
        same = same and self._totals_of[0] == version and self._totals_of[1] is self._shown
        self._counts = counts
        self._labels.clear()
        if not same:
            self._compute_folder_counts()
        self._totals_of = seen if version is not None else None
        with self.bulk():
            self._relabel(self.root)

    def set_verdicts(self, verdicts: Verdicts) -> None:
        """The last audit's verdict per event (`{}`: none): relabel in place (no rebuild).

        They replace the previous audit's; they stay through filtering and reloads.
        """
        if not verdicts and not self._verdicts:
            return
        self._verdicts = dict(verdicts)
        self._labels.clear()
        self._compute_folder_verdicts()
        with self.bulk():
            self._relabel(self.root)

    def _relabel(self, node: TreeNode[NodeInfo]) -> None:
        for child in node.children:
            info = child.data
            if info is None:
                continue
            label = None
            if info.kind == "folder" and info.key in self._folders:
                label = self._folder_label(self._folders[info.key])
            elif info.kind == "event" and info.key in self._folders:
                label = self._event_label(self._folders[info.key])
            elif info.kind == "version" and self._index is not None:
                entry = self._index.get(info.key)
                if entry is not None:
                    event = self._folders.get(entry.folder)
                    latest = event.latest() if event is not None else None
                    label = self._version_label(entry, latest)
            # Only a label that changed: each set_label queues a refresh of its line (1,250
            # open events: 0.4 s of the UI thread for a redraw that changes nothing).
            if label is not None and label != child.label:
                child.set_label(label)
            self._relabel(child)

    # -- navigation -------------------------------------------------------------------------

    def select_key(self, key: str, post: bool = True, fill: bool = True) -> bool:
        """Move the cursor to a schema id or folder key (filling and expanding as needed).

        `fill=False` fills no folder: the cursor goes to the node, or else to its nearest
        ancestor already in the tree (True then too; False when there is neither).
        """
        target = self._find(self.root, key, fill)
        if target is None:
            return False
        parent = target.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        _ = self.last_line  # (public) rebuilds the lines now, so the node knows its line
        self.move_cursor(target)
        if post:
            self.post_message(Tree.NodeHighlighted(target))
        return True

    def _find(
        self, node: TreeNode[NodeInfo], key: str, fill: bool = True
    ) -> TreeNode[NodeInfo] | None:
        for child in node.children:
            if child.data is None:
                continue
            if child.data.key == key:
                return child
            if key.startswith(child.data.key + "/"):
                if not fill and self.is_lazy(child):
                    return child  # the nearest node there is, unfilled
                self.ensure_filled(child)
                found = self._find(child, key, fill)
                if found is not None or not fill:
                    return found or child
        return None

    def select_first_event(self) -> None:
        """Put the cursor on the first event, so the schema view has something to show; or
        on the first closed folder that holds more than EXPAND_FOLDERS_UP_TO events, which
        the view summarises: filling a plan of 1,250 events to reach its first one was the
        slowest filter keystroke (the plan stays closed anyway)."""
        node = self.root
        while node.children:
            node = node.children[0]
            data = node.data
            if data is not None and data.kind in ("event", "version"):
                self.select_key(data.key)
                return
            if data is not None and self.is_lazy(node):
                folder = self._folders.get(data.key)
                if folder is not None and folder.event_count() > EXPAND_FOLDERS_UP_TO:
                    self.select_key(data.key, fill=False)
                    return
            self.ensure_filled(node)
        self.cursor_line = 0

    def folder_summary(self, key: str) -> FolderSummary | None:
        """The summary of the folder `key` as the tree shows it (its events and versions,
        the lint totals of its badge), from the tree's own folders: no walk of its ids (a
        plan of 2,500 schemas took a filter keystroke a third of its UI time). None for a
        key that is not a folder of the tree."""
        folder = self._folders.get(key)
        if folder is None or self._index is None:
            return None
        errors, warnings = self._folder_counts.get(key, (0, 0))
        unreadable = 0
        if self._index.broken_count:
            entries = self._index.entries
            unreadable = sum(1 for i in folder.schema_ids() if i in entries and entries[i].broken)
        return FolderSummary(
            key, folder.event_count(), folder.count(), errors, warnings, unreadable
        )

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
