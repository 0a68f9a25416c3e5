"""The lint panel's list: schema files with their findings, drawn a visible line at a time.

Why not a Textual `Tree`: a Tree holds a node per row and measures every row on each
rebuild, 3.7 s of the UI thread for 450,000 findings over 50,000 files. This is a Line API
widget (`ScrollView` with `render_line`): its virtual height is the number of rows, and a row
is built only when it is drawn, from `FindingGroups` (the files, sorted) and `RowLayout`
(which line is which, from the open files alone). It looks and answers keys like the Tree
it replaces: `▶`/`▼` file rows with their ✗/▲ badges, findings under open files with tree
guides, the Tree's component classes (`tree--cursor`, ...), the keys of every tree (j/k,
l/h, space, shift+arrows), enter and a click to select, and the widest row seen so far as
its scroll width.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reflekt.core.lint.findings import Finding
from reflekt.tui.safe_text import clean
from reflekt.tui.widgets.fast_tree import TREE_KEYS
from reflekt.tui.widgets.finding_groups import FindingGroups, RowLayout, index_of

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}
ICON_OPEN, ICON_CLOSED = "▼ ", "▶ "
GUIDE_LAST, GUIDE_MIDDLE = "└ ", "├ "  # Tree's guides at guide_depth 2
TOGGLE = Style(meta={"toggle": True})

Parts = list[tuple[str, str]]  # (text, style): one source for a row's label and its plain text


def finding_parts(finding: Finding) -> Parts:
    """A finding's row: severity, rule, line:column, message, suggestion, rule name."""
    severity = finding.severity
    where = f"{finding.line}:{finding.column or 1}" if finding.line else "-"
    parts = [
        (f"{severity:<7}", SEVERITY_STYLE.get(severity, "")),
        (f" {finding.rule:<6}", "bold"),
        (f" {where:>6}  ", "dim"),
        (clean(finding.message), ""),
    ]
    if finding.suggestion:
        parts.append((f"  → {clean(finding.suggestion)}", "green"))
    parts.append((f"  [{finding.rule_name}]", "dim"))
    return parts


def group_parts(schema_id: str, errors: int, warnings: int) -> Parts:
    """A file's row: its id, then its error and warning counts."""
    parts = [(clean(schema_id), "bold")]
    if errors:
        parts.append((f" ✗{errors}", "bold red"))
    if warnings:
        parts.append((f" ▲{warnings}", "yellow"))
    return parts


def parts_text(parts: Parts, style: str = "") -> Text:
    return Text.assemble(*parts, style=style)


def parts_plain(parts: Parts) -> str:
    return "".join(text for text, _ in parts)


@dataclass(frozen=True)
class Row:
    """One line of the list: a schema file (`finding` None) or one of its findings."""

    line: int
    schema_id: str
    finding: Finding | None
    label: Text
    is_last: bool = False  # the last finding of its file (its guide ends there)


class FindingsTree(ScrollView, can_focus=True):
    """Schema groups with their findings; Enter jumps (`Selected`), the cursor `Highlighted`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *TREE_KEYS,
        Binding("enter", "select_cursor", "Jump to schema", id="lint.jump"),
        Binding("space", "toggle_node", "Toggle", show=False),
        Binding("shift+space", "toggle_expand_all", "Expand or collapse all", show=False),
        Binding("shift+left", "cursor_parent", "Cursor to parent", show=False),
        Binding("shift+right", "cursor_parent_next_sibling", "Next ancestor", show=False),
        Binding("shift+up", "cursor_previous_sibling", "Previous sibling", show=False),
        Binding("shift+down", "cursor_next_sibling", "Next sibling", show=False),
        Binding("up", "cursor_up", "Cursor Up", show=False),
        Binding("down", "cursor_down", "Cursor Down", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "tree--cursor",
        "tree--guides",
        "tree--guides-hover",
        "tree--guides-selected",
        "tree--highlight",
        "tree--highlight-line",
        "tree--label",
    }

    # Textual's Tree look (its DEFAULT_CSS, for this class), so the panel looks as it did.
    DEFAULT_CSS = """
    FindingsTree {
        background: $surface;
        color: $foreground;
        & > .tree--label {}
        & > .tree--guides { color: $surface-lighten-2; }
        & > .tree--guides-hover { color: $surface-lighten-2; }
        & > .tree--guides-selected { color: $block-cursor-blurred-background; }
        & > .tree--cursor {
            text-style: $block-cursor-blurred-text-style;
            background: $block-cursor-blurred-background;
        }
        & > .tree--highlight {}
        & > .tree--highlight-line { background: $block-hover-background; }
        &:focus {
            background-tint: $foreground 5%;
            & > .tree--cursor {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
            & > .tree--guides { color: $surface-lighten-3; }
            & > .tree--guides-hover { color: $surface-lighten-3; }
            & > .tree--guides-selected { color: $block-cursor-background; }
        }
        &:light {
            & > .tree--guides { color: $surface-darken-1; }
            & > .tree--guides-hover { color: $block-cursor-background; }
            & > .tree--guides-selected { color: $block-cursor-background; }
        }
    }
    FindingsTree:ansi {
        color: ansi_default;
        & > .tree--guides { color: $ansi-background; }
        &:nocolor > .tree--cursor { text-style: reverse; }
    }
    """

    cursor_line: var[int] = var(-1, always_update=True)
    """The line with the cursor, or -1 if no cursor."""
    hover_line: var[int] = var(-1)

    class Highlighted(Message):
        """The cursor is on another row (None: on no row)."""

        def __init__(self, row: Row | None) -> None:
            super().__init__()
            self.row = row

    class Selected(Message):
        """Enter (or a click) on a row."""

        def __init__(self, row: Row) -> None:
            super().__init__()
            self.row = row

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.groups = FindingGroups()
        self.keys: list[str] = []  # the files listed (sorted), a scope of `groups.keys`
        self.open: set[str] = set()
        self._layout = RowLayout([], {}, set())
        self._width = 0  # the widest row drawn since `show_groups`
        self._announced: tuple[str, Finding | None] | None = None

    # -- what is listed ------------------------------------------------------------------------

    def show_groups(self, groups: FindingGroups, keys: list[str], open_all: bool) -> None:
        """List these files (all open, or all closed); the cursor stays on its line."""
        self.groups, self.keys = groups, keys
        self.open = set(keys) if open_all else set()
        self._width = 0
        self._relayout()
        if self.cursor_line >= 0:
            self.cursor_line = min(self.cursor_line, max(self.last_line, 0))
        self._announce()

    def grow(
        self, groups: FindingGroups, keys: list[str], new: list[str], open_new: bool, at: Row | None
    ) -> None:
        """Findings were added to `groups` (files `new`, or more for listed ones): the
        cursor stays on `at`, its row before they were added."""
        self.groups, self.keys = groups, keys
        if open_new:
            self.open.update(new)
        self._relayout()
        if at is not None:
            self.move_cursor(self.line_of(at.schema_id, at.finding))
        self._announce()

    def _relayout(self) -> None:
        self._layout = RowLayout(self.keys, self.groups.sizes, self.open)
        self.virtual_size = Size(self._width, self._layout.rows)
        self.refresh()

    @property
    def row_count(self) -> int:
        return self._layout.rows

    @property
    def last_line(self) -> int:
        return self._layout.rows - 1

    def row_at(self, line: int) -> Row | None:
        """The row on a line (built now: nothing is kept per row)."""
        where = self._layout.locate(line)
        if where is None:
            return None
        group, index = where
        key = self.keys[group]
        if index < 0:
            errors = self.groups.error_count(key)
            parts = group_parts(key, errors, self.groups.size(key) - errors)
            return Row(line, key, None, parts_text(parts, style="bold"))
        members = self.groups.members(key)
        if index >= len(members):  # fewer than the index counted (`FindingGroups._resized`)
            self.call_later(self._relayout)
            return Row(line, key, None, Text(""))
        finding = members[index]
        label = parts_text(finding_parts(finding))
        return Row(line, key, finding, label, is_last=index == len(members) - 1)

    @property
    def cursor_row(self) -> Row | None:
        return self.row_at(self.cursor_line)

    def line_of(self, schema_id: str, finding: Finding | None = None) -> int:
        """The line of a file (or of one of its findings, when the file is open); -1."""
        group = index_of(self.keys, schema_id)
        if group < 0:
            return -1
        if finding is None or not self._layout.is_open(group):
            return self._layout.line_of(group)
        members = self.groups.members(schema_id)
        index = next((i for i, f in enumerate(members) if f is finding), -1)
        return self._layout.line_of(group, index)

    def row_texts(self) -> Iterator[str]:
        """The plain text of every row, top to bottom (what ctrl+f searches)."""
        groups = self.groups
        for key in self.keys:
            errors = groups.error_count(key)
            yield parts_plain(group_parts(key, errors, groups.size(key) - errors))
            if key in self.open:
                for finding in groups.members(key):
                    yield parts_plain(finding_parts(finding))

    # -- the cursor ----------------------------------------------------------------------------

    def validate_cursor_line(self, line: int) -> int:
        return -1 if self._layout.rows == 0 else min(max(line, 0), self._layout.rows - 1)

    def watch_cursor_line(self, previous: int, line: int) -> None:
        if previous != line:
            self._refresh_group_lines(previous)
            self._refresh_group_lines(line)
        self._announce()

    def watch_hover_line(self, previous: int, line: int) -> None:
        self._refresh_group_lines(previous)
        self._refresh_group_lines(line)

    def _refresh_group_lines(self, line: int) -> None:
        """Repaint a line, and the findings of a file row (their guides follow it)."""
        where = self._layout.locate(line)
        if where is None:
            return
        count = 1
        if where[1] < 0 and self._layout.is_open(where[0]):
            count += self.groups.size(self.keys[where[0]])
        top = max(line, int(self.scroll_y))
        bottom = min(line + count, int(self.scroll_y) + self.size.height)
        if bottom > top:
            self.refresh_lines(top, bottom - top)

    def _announce(self) -> None:
        """Post `Highlighted` when the cursor's row is another one than last said."""
        row = self.cursor_row
        identity = None if row is None else (row.schema_id, row.finding)
        if identity != self._announced or row is None:
            self._announced = identity
            self.post_message(self.Highlighted(row))

    def move_cursor(self, line: int) -> None:
        """Put the cursor on a line and scroll it into view."""
        self.cursor_line = line
        self._scroll_to_line(self.cursor_line)

    def _scroll_to_line(self, line: int) -> None:
        height = self.scrollable_content_region.height
        if line < 0 or height <= 0:
            return
        top = int(self.scroll_y)
        if line < top:
            self.scroll_to(y=line, animate=False)
        elif line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False)

    def on_focus(self) -> None:
        """Arriving with no cursor: put it on the first finding, so Enter jumps at once."""
        if self.cursor_line < 0 and self._layout.rows:
            first = self.keys[0]
            self.cursor_line = 1 if first in self.open and self.groups.size(first) else 0

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_to_line(self.cursor_line)

    # -- opening and closing files -------------------------------------------------------------

    def set_open(self, schema_id: str, is_open: bool) -> None:
        """Open or close a file; the cursor stays on its row (or goes to the file's row)."""
        if (schema_id in self.open) == is_open:
            return
        at = self.cursor_row
        if is_open:
            self.open.add(schema_id)
        else:
            self.open.discard(schema_id)
        self._relayout()
        if at is not None:
            if at.schema_id == schema_id and not is_open:
                at = Row(at.line, at.schema_id, None, at.label)
            self.move_cursor(self.line_of(at.schema_id, at.finding))

    def action_expand_node(self) -> None:
        row = self.cursor_row
        if row is not None and row.finding is None:
            self.set_open(row.schema_id, True)

    def action_collapse_node(self) -> None:
        """Close the file under the cursor, or (on a finding, or closed) go to its file."""
        row = self.cursor_row
        if row is None:
            return
        if row.finding is None and row.schema_id in self.open:
            self.set_open(row.schema_id, False)
        elif row.finding is not None:
            self.move_cursor(self.line_of(row.schema_id))

    def action_toggle_node(self) -> None:
        row = self.cursor_row
        if row is not None and row.finding is None:
            self.set_open(row.schema_id, row.schema_id not in self.open)

    def action_toggle_expand_all(self) -> None:
        """All files open (when every one is closed), else all closed."""
        at = self.cursor_row
        self.open = set() if self.open else set(self.keys)
        self._relayout()
        if at is not None:
            self.move_cursor(self.line_of(at.schema_id, None if not self.open else at.finding))

    # -- moving --------------------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.move_cursor(self.last_line if self.cursor_line < 0 else self.cursor_line - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(0 if self.cursor_line < 0 else self.cursor_line + 1)

    def action_page_down(self) -> None:
        page = self.scrollable_content_region.height - 1
        self.move_cursor(max(self.cursor_line, 0) + page)

    def action_page_up(self) -> None:
        page = self.scrollable_content_region.height - 1
        start = self.last_line if self.cursor_line < 0 else self.cursor_line
        self.move_cursor(start - page)

    def action_scroll_home(self) -> None:
        self.move_cursor(0)

    def action_scroll_end(self) -> None:
        self.move_cursor(self.last_line)

    def action_cursor_parent(self) -> None:
        row = self.cursor_row
        if row is not None and row.finding is not None:
            self.move_cursor(self.line_of(row.schema_id))

    def action_cursor_parent_next_sibling(self) -> None:
        row = self.cursor_row
        if row is not None and row.finding is not None:
            self._to_file(index_of(self.keys, row.schema_id) + 1)

    def action_cursor_previous_sibling(self) -> None:
        """The finding (or file) before, or the file of a first finding."""
        row = self.cursor_row
        if row is None:
            return
        if row.finding is None:
            self._to_file(index_of(self.keys, row.schema_id) - 1)
        else:
            self.move_cursor(self.cursor_line - 1)

    def action_cursor_next_sibling(self) -> None:
        """The next finding (or file); past a file's last finding, the next file."""
        row = self.cursor_row
        if row is None:
            return
        if row.finding is None or row.is_last:
            self._to_file(index_of(self.keys, row.schema_id) + 1)
        else:
            self.move_cursor(self.cursor_line + 1)

    def _to_file(self, group: int) -> None:
        if 0 <= group < len(self.keys):
            self.move_cursor(self.line_of(self.keys[group]))

    def action_select_cursor(self) -> None:
        row = self.cursor_row
        if row is not None:
            self.post_message(self.Selected(row))

    # -- the mouse -----------------------------------------------------------------------------

    def on_mouse_move(self, event: events.MouseMove) -> None:
        meta = event.style.meta
        self.hover_line = meta["line"] if meta and "line" in meta else -1

    def on_leave(self, event: events.Leave) -> None:
        self.hover_line = -1

    def on_click(self, event: events.Click) -> None:
        """A click on ▶/▼ opens or closes the file; elsewhere it selects the row."""
        meta = event.style.meta
        if "line" not in meta:
            return
        row = self.row_at(meta["line"])
        if row is None:
            return
        if meta.get("toggle") and row.finding is None:
            self.set_open(row.schema_id, row.schema_id not in self.open)
            return
        self.cursor_line = row.line
        self.post_message(self.Selected(row))

    # -- drawing -------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        line = y + scroll_y
        row = self.row_at(line)
        if row is None:
            return Strip.blank(width, self.rich_style)
        text = self._row_text(row)
        if text.cell_len > self._width:  # the widest row yet: let the list scroll to it
            self._width = text.cell_len
            self.virtual_size = Size(self._width, self._layout.rows)
        line_style = self._line_style(row)
        segments = list(text.render(self.app.console))
        pad = max(self._width, width) - text.cell_len
        if pad > 0:
            segments.append(Segment(" " * pad, line_style))
        return Strip(segments).crop(scroll_x, scroll_x + width)

    def _file_line(self, row: Row) -> int:
        return row.line if row.finding is None else self.line_of(row.schema_id)

    def _line_style(self, row: Row) -> Style:
        """The row's background: highlighted while the mouse is on it (or on its file)."""
        hover = self.hover_line >= 0 and self.hover_line in (row.line, self._file_line(row))
        style = self.get_component_rich_style("tree--highlight-line") if hover else self.rich_style
        return style + Style(meta={"line": row.line})

    def _row_text(self, row: Row) -> Text:
        """Guide (findings), ▶/▼ (files) and the label, styled as Textual's Tree does."""
        line_style = self._line_style(row)
        text = Text(style=line_style)
        if row.finding is not None:
            text.append(GUIDE_LAST if row.is_last else GUIDE_MIDDLE, style=self._guide_style(row))
        label_style = self.get_component_rich_style("tree--label", partial=True)
        if self.hover_line == row.line:
            label_style += self.get_component_rich_style("tree--highlight", partial=True)
        if self.cursor_line == row.line:
            label_style += self.get_component_rich_style("tree--cursor", partial=False)
        label = row.label.copy()
        if "\n" in label.plain:
            label = label.split()[0]  # one line per row, as a Tree label
        label.stylize(label_style)
        if row.finding is None:
            icon = ICON_OPEN if row.schema_id in self.open else ICON_CLOSED
            text.append(icon, style=line_style + TOGGLE)
        text.append(label)
        return text

    def _guide_style(self, row: Row) -> Style:
        """A finding's guide: the cursor's colour while its file row has the (focused)
        cursor, the hover colour while the mouse is on the file row."""
        style = self.get_component_rich_style("tree--guides", partial=True)
        file_line = self._file_line(row)
        if self.has_focus and self.cursor_line == file_line:
            return style + self.get_component_rich_style("tree--guides-selected", partial=True)
        if self.hover_line == file_line:
            return style + self.get_component_rich_style("tree--guides-hover", partial=True)
        return style
