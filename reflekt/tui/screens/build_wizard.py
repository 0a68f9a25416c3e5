"""The build wizard: schemas → source and SDK → preview files → write, on `build_dbt`.

Every step calls the same core function as `reflekt build dbt`: step 3 runs it with
`dry_run=True` (nothing written; the WritePlan says what would be new, changed, unchanged),
step 4 runs it for real with a progress bar. Both run in thread workers, which get what the
user chose (a `BuildRequest` read from the widgets on the UI thread) and post their progress
and result back as messages (`reflekt.tui.messages`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Button,
    ContentSwitcher,
    DataTable,
    Footer,
    Input,
    ProgressBar,
    Select,
    Static,
)
from textual.worker import get_current_worker

from reflekt.core.output.summary import summary_line
from reflekt.core.profiles import Profile
from reflekt.core.project import Project
from reflekt.core.select import normalize_select
from reflekt.core.warehouse import default_database
from reflekt.tui.errors import error_text
from reflekt.tui.jobs import BuildRequest, build_job, load_profile_job
from reflekt.tui.messages import (
    BuildDone,
    BuildFailed,
    BuildProgress,
    ProfileFailed,
    ProfileLoaded,
)
from reflekt.tui.widgets.check_tree import CheckTree

if TYPE_CHECKING:
    from reflekt.core.build.pipeline import BuildResult

STEPS = ("Choose schemas", "Choose source and SDK", "Preview files", "Write")
STATUS_STYLE = {"new": "green", "changed": "yellow", "unchanged": "dim", "removed": "red"}


class BuildWizard(Screen[None]):
    """Four steps; Next/Back buttons (ctrl+n / ctrl+b) and Esc to leave."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", id="wizard.next"),
        Binding("ctrl+b", "back", "Back", id="wizard.back"),
        Binding("escape", "close", "Close", id="wizard.close"),
    ]

    def __init__(
        self,
        project: Project,
        profile_name: str | None,
        events: list[str],
        preselect: str | None = None,
    ) -> None:
        super().__init__()
        self.project = project
        self.profile_name = profile_name
        self.events = events  # event folder keys, in tree order
        self.preselect = preselect
        self.step = 0
        self.profile: Profile | None = None
        self.preview: BuildResult | None = None  # the dry run's
        self.result: BuildResult | None = None  # the write's
        self.rows: dict[str, str] = {}  # path -> status
        self._select_typed = False
        self._source_note = ""

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="wizard"):
            yield Static("", id="wizard-title", classes="title")
            with ContentSwitcher(initial="step-0", id="wizard-steps"):
                with Vertical(id="step-0"):
                    yield Static(
                        "Tick the events to model: space ticks the event, plan or registry "
                        "under the cursor (a/n: all/none, enter: open/close). Or type a select "
                        "such as segment/ecommerce to narrow the tree.",
                        classes="dim",
                    )
                    yield Input(
                        placeholder="select: segment/ecommerce (empty: every schema)",
                        id="wizard-select",
                    )
                    yield CheckTree(id="wizard-events")
                    yield Static("", id="wizard-ticked", classes="dim")
                with Vertical(id="step-1"):
                    yield Static("Source (from the profile):")
                    yield Select[str]([], id="wizard-source", prompt="loading profile…")
                    yield Static("Database:")
                    yield Input(placeholder="database, e.g. raw", id="wizard-database")
                    yield Static("Schema (where the SDK writes the raw tables):")
                    yield Input(placeholder="schema, e.g. segment_prod", id="wizard-schema")
                    yield Static("SDK:")
                    yield Select[str]([("segment", "segment")], value="segment", id="wizard-sdk")
                    yield Static("", id="wizard-source-note", classes="dim")
                with Vertical(id="step-2"):
                    yield Static("", id="wizard-preview-summary")
                    with Horizontal(id="wizard-preview"):
                        table: DataTable = DataTable(id="wizard-files", cursor_type="row")
                        table.add_columns("status", "file")
                        yield table
                        with VerticalScroll(id="wizard-file-scroll"):
                            yield Static("", id="wizard-file")
                with Vertical(id="step-3"):
                    yield ProgressBar(total=100, id="wizard-progress", show_eta=False)
                    yield Static("", id="wizard-progress-text")
                    with VerticalScroll():
                        yield Static("", id="wizard-summary")
            with Horizontal(classes="buttons"):
                yield Button("Back", id="wizard-back")
                yield Button("Next", variant="primary", id="wizard-next")
        yield Footer()

    def on_mount(self) -> None:
        tree = self.query_one("#wizard-events", CheckTree)
        tree.set_events(self.events, self._matching(self.preselect) if self.preselect else None)
        self._show_step(0)
        self._load_profile(self.project, self.profile_name)

    # -- step 1: schemas ----------------------------------------------------------------------

    def _matching(self, select: str) -> list[str]:
        prefix = normalize_select(select)
        return [
            key
            for key in self.events
            if not prefix
            or key == prefix
            or key.startswith(prefix + "/")
            or prefix.startswith(key + "/")
        ]

    def _fill_events(self, select: str) -> None:
        self._select_typed = True
        self.query_one("#wizard-events", CheckTree).set_events(self._matching(select))

    @on(CheckTree.Changed, "#wizard-events")
    def _ticks_changed(self) -> None:
        tree = self.query_one("#wizard-events", CheckTree)
        ticked, shown = len(tree.checked), len(tree.keys)
        text = Text(f"{ticked} of {shown} event{'s' * (shown != 1)} ticked")
        if self.preselect and ticked < shown and not self._select_typed:
            text.append(f" (your selection in the tree: {self.preselect}; a ticks all)")
        if not shown:
            select = self.query_one("#wizard-select", Input).value.strip()
            text = Text(
                f"No event matches the select '{select}'."
                if select
                else "No schemas in this project yet: `reflekt pull` or add files to schemas/.",
                style="yellow",
            )
        elif not ticked:
            text = Text("Nothing ticked: space ticks the node under the cursor, a ticks all.")
            text.stylize("yellow")
        self.query_one("#wizard-ticked", Static).update(text)

    @on(Input.Changed, "#wizard-select")
    def _select_changed(self, message: Input.Changed) -> None:
        self._fill_events(message.value)

    def selects(self) -> list[str] | None:
        """What to pass to build_dbt: None (everything), the select string, or ticked keys."""
        tree = self.query_one("#wizard-events", CheckTree)
        text = self.query_one("#wizard-select", Input).value.strip()
        if tree.keys and len(tree.ticked()) == len(tree.keys):
            return [text] if text else None
        return tree.ticked_selects()

    @on(Input.Submitted, "#wizard-select")
    def _select_submitted(self) -> None:
        self.query_one("#wizard-events", CheckTree).focus()

    # -- step 2: source -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="wizard-profile")
    def _load_profile(self, project: Project, profile_name: str | None) -> None:
        self.post_message(load_profile_job(project, profile_name))

    @on(ProfileLoaded)
    def _profile_loaded(self, message: ProfileLoaded) -> None:
        profile = self.profile = message.profile
        select = self.query_one("#wizard-source", Select)
        ready = [(f"{s.id} ({s.type})", s.id) for s in profile.sources]
        # Sources reading an unset variable are listed too: choosing one says what to set.
        missing = [
            (f"{u.name} ({u.type}) · unavailable: a variable is not set", u.name)
            for u in profile.unavailable
            if u.kind == "source"
        ]
        options = ready + missing
        select.set_options(options)
        note = self.query_one("#wizard-source-note", Static)
        if not options:
            select.prompt = "no sources"
            note.update(
                Text(
                    f"Profile '{profile.name}' has no `source:` entries: add one to "
                    f"{profile.path.name} (type duckdb, postgres, redshift or snowflake).",
                    style="yellow",
                )
            )
            return
        select.prompt = "choose a source"  # not "loading…" as the blank entry of the list
        self._source_note = f"Profile '{profile.name}', {len(ready)} source(s)." + (
            f" {len(missing)} unavailable (an environment variable is not set)." if missing else ""
        )
        note.update(self._source_note)
        if ready:
            select.value = ready[0][1]

    @on(ProfileFailed)
    def _profile_failed(self, failed: ProfileFailed) -> None:
        message = error_text(failed.error)
        self.query_one("#wizard-source", Select).prompt = "no profile"
        self.query_one("#wizard-source-note", Static).update(Text(message, style="red"))
        self.notify(message, title="Profile", severity="error", timeout=8)

    @on(Select.Changed, "#wizard-source")
    def _source_changed(self, message: Select.Changed) -> None:
        if self.profile is None or message.value is Select.BLANK:
            return
        database = self.query_one("#wizard-database", Input)
        note = self.query_one("#wizard-source-note", Static)
        error = self._unavailable_error(str(message.value))
        if error is not None:
            note.update(Text(error, style="red"))
            database.value = ""
            return
        note.update(self._source_note)
        database.value = default_database(self.profile.source(str(message.value)))

    def _unavailable_error(self, source_id: str) -> str | None:
        """Why the source cannot be used (the variable to set), or None when it can."""
        for item in self.profile.unavailable if self.profile is not None else ():
            if item.kind == "source" and item.name == source_id:
                return error_text(item.error)
        return None

    def _first_missing_source_field(self) -> tuple[Widget, str] | None:
        """The first empty field of step 2 (to focus it), or None when all are set."""
        source = self.query_one("#wizard-source", Select)
        if source.value is Select.BLANK:
            return source, "source"
        for field_id, label in (("#wizard-database", "database"), ("#wizard-schema", "schema")):
            field = self.query_one(field_id, Input)
            if not field.value.strip():
                return field, f"{label} (where the raw tables are)" if label == "schema" else label
        return None

    def source_arg(self) -> str | None:
        source = self.query_one("#wizard-source", Select).value
        database = self.query_one("#wizard-database", Input).value.strip()
        schema = self.query_one("#wizard-schema", Input).value.strip()
        if source is Select.BLANK or not database or not schema:
            return None
        return f"{source}.{database}.{schema}"

    # -- steps 3 and 4: preview and write -----------------------------------------------------

    def build_request(self, dry_run: bool) -> BuildRequest:
        """The user's choices of steps 1 and 2, read from the widgets (on the UI thread)."""
        selects = self.selects()
        return BuildRequest(
            selects=None if selects is None else tuple(selects),
            source=self.source_arg() or "",
            sdk=str(self.query_one("#wizard-sdk", Select).value),
            dry_run=dry_run,
        )

    @work(thread=True, exclusive=True, group="wizard-build")
    def _build(self, project: Project, profile: Profile, request: BuildRequest) -> None:
        answer = build_job(project, profile, request, self.post_message)
        if not get_current_worker().is_cancelled:  # a newer preview or write replaced it
            self.post_message(answer)

    def _start_build(self, dry_run: bool) -> None:
        if self.profile is None:  # step 2 does not go on without one
            return
        self._build(self.project, self.profile, self.build_request(dry_run))

    @on(BuildProgress)
    def _progress(self, message: BuildProgress) -> None:
        if self.step == 3:
            bar = self.query_one("#wizard-progress", ProgressBar)
            bar.update(total=max(message.total, 1), progress=message.done)
            self.query_one("#wizard-progress-text", Static).update(message.message)
        else:
            self.query_one("#wizard-preview-summary", Static).update(
                Text(f"⟳ {message.message}", style="cyan")
            )

    @on(BuildFailed)
    def _build_failed(self, failed: BuildFailed) -> None:
        message = error_text(failed.error)
        self.notify(message, title="Build failed", severity="error", timeout=10)
        target = "#wizard-preview-summary" if failed.dry_run else "#wizard-summary"
        self.query_one("#wizard-files").loading = False
        self.query_one(target, Static).update(Text(f"✗ {message}", style="red"))
        self._update_buttons()

    @on(BuildDone)
    def _built(self, done: BuildDone) -> None:
        if done.dry_run:
            self.preview = done.result
            self._show_preview(done.result)
        else:
            self.result = done.result
            self._show_summary(done.result)
        self._update_buttons()

    def _show_preview(self, result: BuildResult) -> None:
        plan = result.plan
        table = self.query_one("#wizard-files", DataTable)
        table.loading = False
        table.clear()
        self.rows = {}
        for status, paths in (
            ("new", plan.new),
            ("changed", plan.changed),
            ("removed", plan.removed),
            ("unchanged", plan.unchanged),
        ):
            for path in paths:
                self.rows[path] = status
                table.add_row(Text(status, style=STATUS_STYLE[status]), path, key=path)
        text = Text()
        text.append(f"{len(result.built)} model(s) from {result.schema_count} schema(s): ")
        text.append(f"{len(plan.new)} new", style="green")
        text.append(f", {len(plan.changed)} changed", style="yellow")
        text.append(f", {len(plan.unchanged)} unchanged", style="dim")
        if plan.removed:
            text.append(f", {len(plan.removed)} to remove", style="red")
        if plan.kept:
            text.append(f", {len(plan.kept)} hand-written kept", style="dim")
        package = result.package_dir.name
        text.append(f"\npackage artifacts/dbt/{package}")
        if result.skipped:
            text.append(f"\nskipped (no table): {', '.join(result.skipped_tables)}", style="yellow")
        _append_drift(text, result)
        self.query_one("#wizard-preview-summary", Static).update(text)
        if table.row_count:
            table.move_cursor(row=0)
            self._show_file(table.coordinate_to_cell_key((0, 0)).row_key.value)
        table.focus()

    @on(DataTable.RowHighlighted, "#wizard-files")
    def _file_highlighted(self, message: DataTable.RowHighlighted) -> None:
        if message.row_key is not None and message.row_key.value is not None:
            self._show_file(message.row_key.value)

    def file_text(self, rel: str) -> str:
        """The content a file will have (new/changed) or has (unchanged)."""
        if self.preview is None:
            return ""
        plan = self.preview.plan
        if rel in plan.writes:
            return plan.writes[rel]
        if self.rows.get(rel) == "removed":
            return "(this generated file will be removed)"
        try:
            return (plan.package_dir / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""

    def _show_file(self, rel: str) -> None:
        lexer = {"sql": "sql", "yml": "yaml", "md": "markdown"}.get(rel.rsplit(".", 1)[-1], "text")
        self.query_one("#wizard-file", Static).update(
            Syntax(self.file_text(rel), lexer, theme="ansi_dark", background_color="default")
        )

    def _show_summary(self, result: BuildResult) -> None:
        plan = result.plan
        bar = self.query_one("#wizard-progress", ProgressBar)
        bar.update(total=100, progress=100)
        text = Text("Build finished\n\n", style="bold green")
        text.append(f"{summary_line(result, root=self.project.root)}\n")
        if plan.kept:
            text.append(f"hand-written files left alone: {', '.join(plan.kept)}\n", style="dim")
        if result.skipped:
            text.append("\nskipped tables (not in the warehouse):\n", style="yellow")
            for skip in result.skipped:
                about = f"  ({skip.schema_id})" if skip.schema_id else ""  # "" for tracks
                text.append(f"  {skip.table}{about}: {skip.reason}\n", style="yellow")
        _append_drift(text, result)
        text.append("\nEsc returns to the schemas.", style="dim")
        self.query_one("#wizard-summary", Static).update(text)
        self.query_one("#wizard-progress-text", Static).update("done")
        self.notify(summary_line(result, root=self.project.root), title="Build")

    # -- navigation ---------------------------------------------------------------------------

    def _show_step(self, step: int) -> None:
        self.step = step
        self.query_one("#wizard-steps", ContentSwitcher).current = f"step-{step}"
        self.query_one("#wizard-title", Static).update(
            f"Build dbt package · step {step + 1} of 4 · {STEPS[step]}"
        )
        self._update_buttons()
        focus = {0: "#wizard-events", 1: "#wizard-source", 2: "#wizard-files", 3: "#wizard-next"}
        self.query_one(focus[step]).focus()

    def _update_buttons(self) -> None:
        back = self.query_one("#wizard-back", Button)
        nxt = self.query_one("#wizard-next", Button)
        back.disabled = self.step == 0 or (self.step == 3 and self.result is None)
        labels = {0: "Next", 1: "Preview", 2: "Write files", 3: "Close"}
        nxt.label = labels[self.step]
        nxt.disabled = (self.step == 2 and self.preview is None) or (
            self.step == 3 and self.result is None
        )

    def action_next(self) -> None:
        if self.step == 0:
            if not self.query_one("#wizard-events", CheckTree).checked:
                self.notify("Tick at least one event (space ticks).", severity="warning")
                return
            self._show_step(1)
        elif self.step == 1:
            if self.profile is None:
                self.notify("The profile could not be loaded (see the message).", severity="error")
                return
            chosen = self.query_one("#wizard-source", Select).value
            unusable = None if chosen is Select.BLANK else self._unavailable_error(str(chosen))
            if unusable is not None:
                self.notify(unusable, title="Source", severity="error", timeout=8)
                self.query_one("#wizard-source", Select).focus()
                return
            missing = self._first_missing_source_field()
            if missing is not None:
                field, label = missing
                self.notify(f"Fill in the {label} first.", severity="warning")
                field.focus()
                return
            self.preview = None
            self._show_step(2)
            self.query_one("#wizard-files", DataTable).clear()
            self.query_one("#wizard-file", Static).update("")
            self.query_one("#wizard-files").loading = True
            self._update_buttons()
            self._start_build(dry_run=True)
        elif self.step == 2:
            if self.preview is None:
                return
            self.result = None
            self._show_step(3)
            self.query_one("#wizard-summary", Static).update("")
            self._start_build(dry_run=False)
        else:
            self.action_close()

    def action_back(self) -> None:
        if self.step > 0 and not (self.step == 3 and self.result is None):
            self._show_step(self.step - 1)

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#wizard-next")
    def _next_pressed(self) -> None:
        self.action_next()

    @on(Button.Pressed, "#wizard-back")
    def _back_pressed(self) -> None:
        self.action_back()


def _append_drift(text: Text, result: BuildResult) -> None:
    """The build's drift summary line (counts only; `reflekt build dbt` lists the details)."""
    drift = result.drift
    text.append(f"\n{drift.summary_line()}", style="yellow" if drift else "dim")
