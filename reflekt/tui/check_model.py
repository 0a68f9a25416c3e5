"""What the build wizard's checkbox tree shows, without any widget: folders, events, ticks.

The tree of a big project holds 25,000 events; a node widget per event (and relabelling each
one on every tick) cost seconds. This model holds the folder hierarchy of the event keys
(`segment/ecommerce/Cart_Viewed`: folders `segment` and `segment/ecommerce`) and, per folder,
how many of its events are ticked, kept up to date on every tick. So a node's state is O(1),
ticking a folder costs its events' set operations plus one count per folder below or above
it, and the tree creates node widgets only for the branches the user opens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Literal

State = Literal["all", "none", "some"]
ROOT = ""  # the key of the (hidden) root folder, which holds every event


def parent_of(key: str) -> str:
    """`segment/ecommerce` for `segment/ecommerce/Cart_Viewed`; ROOT for a top-level key."""
    return key.rpartition("/")[0]


def name_of(key: str) -> str:
    """The last part of the key: what the tree shows."""
    return key.rpartition("/")[2]


def _folders(parents: Iterable[str]) -> set[str]:
    """Every folder above some key: its parents and theirs, up to (not with) ROOT."""
    folders: set[str] = set()
    for parent in dict.fromkeys(parents):
        while parent and parent not in folders:
            folders.add(parent)
            parent = parent_of(parent)
    return folders


class CheckModel:
    """Event keys grouped by folder, the ticked ones, and ticked counts per folder.

    A key is a folder when another key lies below it (it may be an event too); every other
    key is an event. Children keep the order in which the keys first name them.
    """

    def __init__(self, keys: Iterable[str] = (), checked: Iterable[str] | None = None) -> None:
        self.keys: list[str] = [key for key in dict.fromkeys(keys) if key]
        self._events = set(self.keys)
        parents = [key.rpartition("/")[0] for key in self.keys]
        self._children: dict[str, list[str]] = {ROOT: []}  # folder -> nodes, first-seen order
        self._group(parents)
        self._total = self._counts(self._events, parents)
        if checked is None:
            self.checked: set[str] = set(self._events)
            self._ticked = dict(self._total)
        else:
            self.checked = self._events.intersection(checked)
            everything = len(self.checked) == len(self._events)
            self._ticked = dict(self._total) if everything else self._counts(self.checked)
        self._tree_order: list[str] | None = None  # built by the first search
        self._order: dict[str, int] | None = None

    def _group(self, parents: list[str]) -> None:
        """Each key into its folder's children, a run of keys of one folder at a time (the
        keys of a plan are next to each other): 25,000 events in a few milliseconds."""
        children = self._children
        # Keys that are events and hold other events too (rare): listed once, where first seen.
        both = self._events.intersection(_folders(parents))
        placed: set[str] = set()  # those of `both` listed already (as an event)
        for parent, run in groupby(zip(self.keys, parents, strict=True), itemgetter(1)):
            kids = children.get(parent)
            if kids is None:
                kids = self._folder(parent, placed)
            names = map(itemgetter(0), run)
            if not both:
                kids.extend(names)
                continue
            for key in names:
                if key in both:
                    if key in children:  # listed when its folder was made
                        continue
                    placed.add(key)
                kids.append(key)

    def _folder(self, key: str, placed: set[str]) -> list[str]:
        """The children list of folder `key`, creating it (after its parents, which
        `_counts` relies on) on first sight, listed in its parent unless it was already
        (as an event)."""
        children = self._children.get(key)
        if children is None:
            above = self._folder(parent_of(key), placed)
            children = self._children[key] = []
            if key not in placed:
                above.append(key)
        return children

    def _home(self, key: str) -> str:
        """The folder whose count an event adds to first: its own when it holds others."""
        return key if key in self._children else parent_of(key)

    def _counts(self, events: Collection[str], parents: list[str] | None = None) -> dict[str, int]:
        """Per folder, how many of `events` lie at or below it: counted per parent folder
        (`parents`: theirs, in any order), moved to their own folder for the events that
        hold others, then added up bottom-up."""
        if parents is None:
            parents = [key.rpartition("/")[0] for key in events]
        counts = dict.fromkeys(self._children, 0)
        counts.update(Counter(parents))
        for key in self._children.keys() & events:  # events that hold others count there
            counts[parent_of(key)] -= 1
            counts[key] += 1
        for folder in reversed(self._children):  # a folder is created after its parent
            if folder != ROOT:
                counts[parent_of(folder)] += counts[folder]
        return counts

    # -- the hierarchy ----------------------------------------------------------------------

    def __contains__(self, key: str) -> bool:
        """Whether the tree has a node for `key` (a folder or an event)."""
        return key in self._children or key in self._events

    def is_folder(self, key: str) -> bool:
        return key in self._children

    def is_event(self, key: str) -> bool:
        return key in self._events

    def children(self, key: str = ROOT) -> list[str]:
        """The keys directly below `key`, in the order the keys named them."""
        return self._children.get(key, [])

    def leaves(self, key: str = ROOT) -> list[str]:
        """The events at or below `key` (for ROOT in the order of `keys`, else tree order)."""
        if key == ROOT:
            return self.keys
        own = [key] if key in self._events else []
        return own + [node for node in self.walk(key) if node in self._events]

    def total(self, key: str = ROOT) -> int:
        if key in self._total:
            return self._total[key]
        return int(key in self._events)

    def walk(self, key: str = ROOT) -> Iterator[str]:
        """Every key below `key`, in tree order (a folder before what it holds)."""
        stack = list(reversed(self.children(key)))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(self.children(node)))

    def tree_order(self) -> list[str]:
        """Every key in tree order (built on first use: only search needs it)."""
        if self._tree_order is None:
            self._tree_order = list(self.walk())
            self._order = {node: index for index, node in enumerate(self._tree_order)}
        return self._tree_order

    def order(self, key: str) -> int:
        """The key's position in `tree_order` (-1 for an unknown key)."""
        self.tree_order()
        assert self._order is not None
        return self._order.get(key, -1)

    # -- ticks ------------------------------------------------------------------------------

    def ticked_count(self, key: str = ROOT) -> int:
        """How many events at or below `key` are ticked."""
        if key in self._ticked:
            return self._ticked[key]
        return int(key in self.checked)

    def state(self, key: str = ROOT) -> State:
        """ "all", "none" or "some" of the events at or below `key` ticked."""
        ticked = self.ticked_count(key)
        if ticked and ticked == self.total(key):
            return "all"
        return "some" if ticked else "none"

    def set_checked(self, key: str, checked: bool) -> list[str]:
        """Tick or untick every event at or below `key`; returns those events."""
        leaves = self.leaves(key)
        if not self.is_folder(key):
            self.tick(leaves, checked)
            return leaves
        changed = self._flip(leaves, checked)
        for folder in (key, *self._folders_below(key)):  # all or nothing below key now
            self._ticked[folder] = self.total(folder) if checked else 0
        step = len(changed) if checked else -len(changed)
        folder = key
        while folder != ROOT:
            folder = parent_of(folder)
            self._ticked[folder] += step
        return leaves

    def tick(self, keys: Iterable[str], checked: bool) -> None:
        """Tick (or untick) these events, one count per folder above each."""
        step = 1 if checked else -1
        for key in self._flip(keys, checked):
            folder = self._home(key)
            while True:
                self._ticked[folder] += step
                if folder == ROOT:
                    break
                folder = parent_of(folder)

    def _flip(self, keys: Iterable[str], checked: bool) -> list[str]:
        """Add (remove) the known events not yet (still) ticked; returns those that changed."""
        keys = dict.fromkeys(keys)  # each once, in order
        if checked:
            changed = [key for key in keys if key in self._events and key not in self.checked]
            self.checked.update(changed)
        else:
            changed = [key for key in keys if key in self.checked]
            self.checked.difference_update(changed)
        return changed

    def _folders_below(self, key: str) -> Iterator[str]:
        return (node for node in self.walk(key) if node in self._children)

    def ticked(self) -> list[str]:
        """The ticked events, in the order of `keys`."""
        return [key for key in self.keys if key in self.checked]

    def ticked_selects(self) -> list[str]:
        """The ticked events as few selects as possible: a fully ticked folder is one."""
        out: list[str] = []
        stack = list(reversed(self.children()))
        while stack:
            key = stack.pop()
            state = self.state(key)
            if state == "all":
                out.append(key)
            elif state == "some":
                stack.extend(reversed(self.children(key)))
        return out

    def matches(self, query: str) -> list[int]:
        """Positions in `tree_order` of the keys whose name holds `query` (any case)."""
        wanted = query.casefold()
        return [
            index
            for index, key in enumerate(self.tree_order())
            if wanted in name_of(key).casefold()
        ]
