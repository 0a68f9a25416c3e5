"""Search inside a pane (`ctrl+f`, then `n` / `N`): tables, trees, row lists, the raw JSON.

Matching is case-insensitive on what the pane shows (a table's cells, a tree's labels, a
row list's rows, the file's lines). A match is shown where the user looks: the table's,
tree's or list's cursor moves to it, the raw JSON highlights its line and scrolls there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from rich.text import Text
from textual.widgets import DataTable, Tree


def _plain(value: Any) -> str:
    return value.plain if isinstance(value, Text) else str(value)


def table_matches(table: DataTable, query: str) -> list[int]:
    """Rows (indexes) with a cell holding `query`."""
    wanted = query.casefold()
    return [
        row
        for row in range(table.row_count)
        if any(wanted in _plain(cell).casefold() for cell in table.get_row_at(row))
    ]


def tree_matches(tree: Tree, query: str) -> list[int]:
    """Lines of the tree's shown nodes whose label holds `query` (folded branches are not
    searched: what is not drawn cannot be pointed at)."""
    wanted = query.casefold()
    lines = []
    line = 0
    while (node := tree.get_node_at_line(line)) is not None:
        if wanted in _plain(node.label).casefold():
            lines.append(line)
        line += 1
    return lines


class RowList(Protocol):
    """A list drawn a row at a time (the lint panel's findings): its rows' plain text, top
    to bottom, and a cursor to move (and scroll to)."""

    cursor_line: int

    def row_texts(self) -> Iterable[str]: ...

    def move_cursor(self, line: int) -> None: ...


def row_matches(rows: RowList, query: str) -> list[int]:
    """Lines of the list's shown rows holding `query` (closed files' findings are not
    searched, as in a tree)."""
    wanted = query.casefold()
    return [line for line, text in enumerate(rows.row_texts()) if wanted in text.casefold()]


def line_matches(text: str, query: str) -> list[int]:
    """1-based numbers of the lines of `text` holding `query`."""
    wanted = query.casefold()
    return [number for number, line in enumerate(text.splitlines(), 1) if wanted in line.casefold()]


@dataclass(frozen=True)
class SearchResult:
    """Where the search landed: the match's position among all of them."""

    query: str
    matches: tuple[int, ...]
    position: int  # index into matches; -1 when there is none

    @property
    def line(self) -> int:
        """The match itself (a row, tree line or text line); 0 when there is none."""
        return self.matches[self.position] if self.position >= 0 else 0

    @property
    def status(self) -> str:
        if self.position < 0:
            return f"No match for {self.query!r}."
        return f"Match {self.position + 1} of {len(self.matches)} for {self.query!r}."


def step(matches: list[int], current: int, forward: bool) -> int:
    """The index of the match after (or before) `current`, wrapping around; -1 for none."""
    if not matches:
        return -1
    if forward:
        after = [i for i, match in enumerate(matches) if match > current]
        return after[0] if after else 0
    before = [i for i, match in enumerate(matches) if match < current]
    return before[-1] if before else len(matches) - 1


def search_table(table: DataTable, query: str, forward: bool) -> SearchResult:
    """Move the table's cursor to the next (or previous) row holding `query`."""
    rows = table_matches(table, query)
    index = step(rows, table.cursor_row, forward)
    if index >= 0:
        table.move_cursor(row=rows[index])
    return SearchResult(query, tuple(rows), index)


@runtime_checkable
class KeyedTree(Protocol):
    """A tree that creates its nodes only when a branch opens (the build wizard's), so it
    searches every node itself, by position in tree order, and opens the way to a match."""

    def key_matches(self, query: str) -> list[int]: ...

    def cursor_position(self) -> int: ...

    def reveal_position(self, position: int) -> None: ...


def search_keyed_tree(tree: KeyedTree, query: str, forward: bool) -> SearchResult:
    """Move the cursor to the next (or previous) node holding `query`, opened or not;
    `result.line` is the match's position in tree order, not a shown line."""
    positions = tree.key_matches(query)
    index = step(positions, tree.cursor_position(), forward)
    if index >= 0:
        tree.reveal_position(positions[index])
    return SearchResult(query, tuple(positions), index)


def search_tree(tree: Tree, query: str, forward: bool) -> SearchResult:
    """Move the tree's cursor to the next (or previous) shown node holding `query` (in a
    `KeyedTree`, any node: its branches open to show the match)."""
    if isinstance(tree, KeyedTree):
        return search_keyed_tree(tree, query, forward)
    lines = tree_matches(tree, query)
    index = step(lines, tree.cursor_line, forward)
    if index >= 0:
        tree.cursor_line = lines[index]
    return SearchResult(query, tuple(lines), index)


def search_rows(rows: RowList, query: str, forward: bool) -> SearchResult:
    """Move the list's cursor to the next (or previous) shown row holding `query`."""
    lines = row_matches(rows, query)
    index = step(lines, rows.cursor_line, forward)
    if index >= 0:
        rows.move_cursor(lines[index])
    return SearchResult(query, tuple(lines), index)


def search_lines(text: str, query: str, current: int, forward: bool) -> SearchResult:
    """The next (or previous) line of `text` after line `current` holding `query`; the caller
    highlights `result.line` (0 when there is none)."""
    lines = line_matches(text, query)
    return SearchResult(query, tuple(lines), step(lines, current, forward))
