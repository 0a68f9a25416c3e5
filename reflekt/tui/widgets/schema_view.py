"""The schema view: one schema version as a properties table plus metadata, or its raw JSON.

It only displays a `SchemaDocument` the core has read; a file the core could not parse is
shown with its problems (line:column) above the raw text.
"""

from __future__ import annotations

import json

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Static

from reflekt.tui.model import FolderSummary, SchemaEntry, property_rows
from reflekt.tui.safe_text import clean, markup_literal, plain
from reflekt.tui.search import SearchResult, search_lines
from reflekt.tui.widgets.table_fit import ROW_AUTO_HEIGHT, fit_columns, natural_widths

COLUMNS = ("property", "type", "req", "description")  # req: required
COLUMN_CAPS = (30, 24, None, None)  # the description takes the rest, wrapped
MIN_DESCRIPTION = 16


# How the plan summary names the last diff's verdicts.
VERDICT_WORDS = {"unbumped": "not bumped (need a new version)", "breaking": "breaking, bumped"}


class SchemaView(Vertical):
    """Header, properties table, metadata; `r` switches to the raw JSON."""

    can_focus = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entry: SchemaEntry | None = None
        self.raw = False
        self._raw_match = 0  # the raw JSON line of the last search match
        self.highlighted_property: str | None = None
        self.summary: FolderSummary | None = None

    def compose(self) -> ComposeResult:
        yield Static("Select a schema in the tree.", id="schema-header")
        with ContentSwitcher(initial="schema-structured", id="schema-switcher"):
            with Vertical(id="schema-structured"):
                table: DataTable = DataTable(id="properties", cursor_type="row", zebra_stripes=True)
                table.add_columns(*COLUMNS)
                yield table
                yield Static("", id="schema-metadata")
            with VerticalScroll(id="schema-raw"):
                yield Static("", id="schema-raw-text")

    def show(
        self,
        entry: SchemaEntry | None,
        highlight: str | None = None,
        empty: str = "Select a schema in the tree.",
    ) -> None:
        """Display `entry` (None clears the view, saying `empty`); `highlight` selects a row."""
        self.entry = entry
        self.summary = None
        self.highlighted_property = None
        header = self.query_one("#schema-header", Static)
        table = self.query_one("#properties", DataTable)
        metadata = self.query_one("#schema-metadata", Static)
        table.clear()
        # The column names only over rows: under a plan's summary or "select a schema" an
        # empty table's header read as a schema without properties.
        if table.show_header != (entry is not None):
            table.show_header = entry is not None
        if entry is None:
            header.update(empty)
            metadata.update("")
            self._show_raw_text()
            return
        header.update(self._header(entry))
        body = entry.doc.body
        rows = property_rows(body)
        texts = [
            (clean("  " * row.depth + row.name), clean(row.type), "yes", clean(row.description))
            for row in rows
        ]
        # The view's width: the table's own is 0 while it is hidden (raw JSON shown).
        natural = natural_widths(COLUMNS, texts, COLUMN_CAPS)
        fit_columns(table, natural, 3, MIN_DESCRIPTION, self.size.width)
        for row, (name, _, _, _) in zip(rows, texts, strict=True):
            required = Text("yes", style="bold") if row.required else Text("no", style="dim")
            table.add_row(
                plain(name),
                markup_literal(row.type),
                required,
                Text(clean(row.description)),
                key=row.path,
                height=ROW_AUTO_HEIGHT,
            )
        metadata.update(self._metadata(body))
        self._show_raw_text()
        switcher = self.query_one("#schema-switcher", ContentSwitcher)
        if entry.broken:
            switcher.current = "schema-raw"
        else:
            switcher.current = "schema-raw" if self.raw else "schema-structured"
        if highlight:
            self.highlight_property(highlight)

    class PropertyWanted(Message):
        """Enter on a property row: the screen shows that property in full."""

        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        if message.data_table.id != "properties" or self.entry is None:
            return
        message.stop()
        self.post_message(self.PropertyWanted(str(message.row_key.value)))

    def on_resize(self) -> None:
        """Column widths depend on the table's width: lay the rows out again."""
        if self.entry is not None:
            table = self.query_one("#properties", DataTable)
            cursor = table.cursor_row
            highlighted = self.highlighted_property
            self.show(self.entry, highlight=highlighted)
            if highlighted is None and 0 <= cursor < table.row_count:
                table.move_cursor(row=cursor)

    def show_summary(self, summary: FolderSummary) -> None:
        """A registry or plan node: its counts, not the last schema shown (stale).

        The same summary again (a filter keystroke that leaves the plan's counts as they
        were) redraws nothing; another one over a summary rewrites the header only: the
        table, metadata and raw text are already empty."""
        switcher = self.query_one(ContentSwitcher)
        if self.entry is None and self.summary is not None:
            if summary == self.summary and switcher.current == "schema-structured":
                return
        else:
            self.show(None)
        self.summary = summary
        text = Text()
        text.append(clean(summary.key), style="bold")
        events, versions = summary.events, summary.versions
        text.append(f"\n{events} event{'s' * (events != 1)}, ")
        text.append(f"{versions} version{'s' * (versions != 1)}")
        errors, warnings = summary.errors, summary.warnings
        text.append("\nlint: ")
        text.append(f"{errors} error{'s' * (errors != 1)}", style="bold red" if errors else "green")
        text.append(", ")
        text.append(
            f"{warnings} warning{'s' * (warnings != 1)}", style="yellow" if warnings else ""
        )
        if summary.unreadable:
            text.append(f"\n✗ {summary.unreadable} unreadable", style="bold red")
        if summary.diff_verdicts:
            shown = ", ".join(
                f"{count} {VERDICT_WORDS.get(verdict, verdict)}"
                for verdict, count in summary.diff_verdicts
            )
            text.append(f"\nlast diff: {shown}")
        text.append("\nd: diff with the registry · 2: its lint findings (s: scope)", style="dim")
        self.query_one("#schema-header", Static).update(text)
        switcher.current = "schema-structured"

    def focus_content(self) -> None:
        """Focus what the view shows: the raw text (after `r`) or the properties table."""
        self.query_one("#schema-raw" if self.raw else "#properties").focus()

    def focus_properties(self) -> None:
        self.query_one("#properties", DataTable).focus()

    def highlight_property(self, name: str) -> bool:
        """Move the table cursor to a property (by path `a.b` or plain name)."""
        table = self.query_one("#properties", DataTable)
        if self.entry is None:
            return False
        rows = property_rows(self.entry.doc.body)
        for index, row in enumerate(rows):
            if name in (row.path, row.name):
                self.raw = False
                if not self.entry.broken:
                    self.query_one(
                        "#schema-switcher", ContentSwitcher
                    ).current = "schema-structured"
                table.move_cursor(row=index)
                self.highlighted_property = row.path
                return True
        return False

    def _header(self, entry: SchemaEntry) -> Text:
        text = Text()
        text.append(clean(entry.id), style="bold")
        body = entry.doc.body
        if body is not None:
            own = body.get("self") if isinstance(body.get("self"), dict) else {}
            name = own.get("name")
            if name:
                text.append(f"\nname: {clean(name)}")
            text.append(f"   version: {clean(own.get('version') or entry.version_text)}")
            description = body.get("description")
            if isinstance(description, str) and description:
                text.append(f"\n{clean(description)}", style="italic")
        for problem in entry.doc.problems:
            style = "bold red" if entry.broken else "yellow"
            text.append(
                f"\n✗ line {problem.line}:{problem.column}: {clean(problem.message)}", style=style
            )
        return text

    def _metadata(self, body: dict | None) -> Text:
        text = Text("metadata", style="bold underline")
        metadata = body.get("metadata") if isinstance(body, dict) else None
        if not isinstance(metadata, dict) or not metadata:
            text.append("\n(none)", style="dim")
            return text
        for key, value in metadata.items():
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            text.append(f"\n{clean(key)}: ", style="bold")
            text.append(clean(shown))
        return text

    def _show_raw_text(self, highlight: int | None = None) -> None:
        raw = self.query_one("#schema-raw-text", Static)
        if self.entry is None:
            raw.update("")
            return
        raw.update(
            Syntax(
                clean(self.entry.doc.text),
                "json",
                line_numbers=True,
                word_wrap=False,
                theme="ansi_dark",
                background_color="default",
                highlight_lines={highlight} if highlight else None,
            )
        )

    def find_in_raw(self, query: str, forward: bool = True) -> SearchResult:
        """The next (or previous) line of the raw JSON holding `query`: highlighted, and
        scrolled into view."""
        text = self.entry.doc.text if self.entry is not None else ""
        result = search_lines(text, query, self._raw_match, forward)
        if result.line:
            self._raw_match = result.line
            self._show_raw_text(highlight=self._raw_match)
            self.query_one("#schema-raw", VerticalScroll).scroll_to(
                y=max(0, self._raw_match - 3), animate=False
            )
        return result

    def action_toggle_raw(self) -> None:
        if self.entry is None or self.entry.broken:
            return
        self.raw = not self.raw
        switcher = self.query_one("#schema-switcher", ContentSwitcher)
        switcher.current = "schema-raw" if self.raw else "schema-structured"
