"""The build wizard: schemas → what to build → preview files → write, on `build_dbt` or
`build_code`.

Step 2 chooses the artifact: a dbt package (source and SDK) or typed tracking code
(language, SDK, output folder). Every step calls the same core function as `reflekt build
dbt` (or `reflekt build code`): step 3 runs it with
`dry_run=True` (nothing written; the WritePlan says what would be new, changed, unchanged),
step 4 runs it for real with a progress bar, then offers `dbt build` on the written package
(as `reflekt demo` runs it). All run in thread workers, which get what the user chose (a
`BuildRequest` read from the widgets on the UI thread) and post their progress and result
back as messages (`reflekt.tui.messages`). Step 2's source, database and schema are
remembered per project and profile (`reflekt.tui.wizard_memory`).
"""

from __future__ import annotations

import shlex
import threading
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
    Checkbox,
    ContentSwitcher,
    DataTable,
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
from reflekt.tui.jobs import (
    WIZARD_DBT_DIR,
    WIZARD_DBT_SCHEMA,
    BuildRequest,
    build_job,
    dbt_build_job,
    load_profile_job,
)
from reflekt.tui.messages import (
    BuildDone,
    BuildFailed,
    BuildProgress,
    DbtDone,
    DbtFailed,
    DbtProgress,
    ProfileFailed,
    ProfileLoaded,
)
from reflekt.tui.safe_text import clean
from reflekt.tui.screens.wizard_steps import LATER_STEPS, sdk_options
from reflekt.tui.search import search_lines, search_table
from reflekt.tui.widgets.check_tree import CheckTree
from reflekt.tui.widgets.stable_footer import StableFooter
from reflekt.tui.wizard_memory import WizardChoice, load_choice, save_choice

if TYPE_CHECKING:
    from pathlib import Path

    from reflekt.core.build.dbt_runner import DbtRunResult
    from reflekt.core.build.pipeline import BuildResult
    from reflekt.core.codegen.pipeline import CodeResult

STEPS = ("Choose schemas", "Choose source and SDK", "Preview files", "Write")
CODE_STEPS = ("Choose schemas", "Choose language and output", "Preview files", "Write")
STATUS_STYLE = {"new": "green", "changed": "yellow", "unchanged": "dim", "removed": "red"}
SKIPPED_SHOWN = 5  # skipped tables named before "… and N more" (x shows them all)
DBT_LOG_LINES = 20  # lines of dbt's log shown when it fails


class BuildWizard(Screen[None]):
    """Four steps; Next/Back buttons (ctrl+n / ctrl+b) and Esc to leave."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", id="wizard.next"),
        Binding("ctrl+b", "back", "Back", id="wizard.back"),
        Binding("escape", "close", "Close", id="wizard.close"),
        Binding("x", "toggle_skipped", "All skipped", id="wizard.skipped"),
        Binding("d", "run_dbt", "dbt build", id="wizard.dbt_build"),
        Binding("y", "yank_cli", "Copy CLI line", id="wizard.yank"),
        # The preview's search; on step 1 the tree's own `n` (tick none) comes first.
        Binding("ctrl+f", "search", "Search", show=False, id="wizard.search"),
        Binding("n", "search_step(True)", "Next match", show=False, id="wizard.search_next"),
        Binding("N", "search_step(False)", "Previous match", show=False, id="wizard.search_prev"),
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
        self.events = events  # event folder keys, in tree order (read-only: the index's)
        self._lowered: list[tuple[str, str]] | None = None  # (key, lower-cased) per event
        self.preselect = preselect
        self.step = 0
        self.profile: Profile | None = None
        self.preview: BuildResult | CodeResult | None = None  # the dry run's
        self.result: BuildResult | CodeResult | None = None  # the write's
        self.rows: dict[str, str] = {}  # path -> status
        self._select_typed = False
        self._source_note = ""
        # Ticks made by hand (space, a, n) by event key: typing a select keeps them.
        self._hand: dict[str, bool] = {}
        self._memory = WizardChoice()
        self._request: BuildRequest | None = None  # the last preview's or write's
        self._source_id = ""  # the source of the write (for dbt)
        self._all_skipped = False  # x: every skipped table, not the first few
        self._dbt_running = False
        self._dbt_cancel = threading.Event()  # set: the running dbt is stopped (wizard closed)
        self._search_query = ""  # the last ctrl+f search of the preview
        self._search_in_file = False  # it searched the shown file's text, not the file list
        self._shown_file = ""  # the file the preview shows
        self.file_match = 0  # the shown file's line (1-based) of the last match; 0: none
        self._asked_steps: set[int] = {0}  # steps whose widgets are mounted or on their way
        self._mounted_steps: set[int] = {0}  # steps whose widgets are mounted
        self._profile_error = ""  # why the profile could not be loaded ("" : it was, or not yet)

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
                # Steps 2-4 get their widgets on their first visit (`_mount_step`).
                for step in LATER_STEPS:
                    yield Vertical(id=f"step-{step}")
            yield Static("", id="wizard-cli", classes="dim")
            with Horizontal(classes="buttons"):
                yield Button("Back", id="wizard-back")
                yield Button("Next", variant="primary", id="wizard-next")
                yield Button("Run dbt build (d)", id="wizard-dbt")
        yield Input(placeholder="search the preview (Enter; then n / N)", id="wizard-search")
        yield StableFooter()

    async def on_mount(self) -> None:
        tree = self.query_one("#wizard-events", CheckTree)
        tree.set_events(self.events, self._matching(self.preselect) if self.preselect else None)
        await self._show_step(0)
        self._load_profile(self.project, self.profile_name)  # for step 2, while step 1 is used

    async def _mount_step(self, step: int) -> None:
        """Give the step its widgets the first time it is shown (step 1's are composed)."""
        if step not in LATER_STEPS or step in self._asked_steps:
            return
        self._asked_steps.add(step)
        await self.query_one(f"#step-{step}", Vertical).mount_all(LATER_STEPS[step]())
        self._mounted_steps.add(step)
        if step == 1:
            self._show_profile()  # loaded (or failed) while step 1 was shown

    # -- step 1: schemas ----------------------------------------------------------------------

    def _selected_by(self, select: str) -> list[str]:
        """The events `select` names as `reflekt build dbt --select` reads it: the folder,
        what lies below it, or the event above the version it names."""
        prefix = normalize_select(select)
        if not prefix:
            return list(self.events)
        below = prefix + "/"
        # The prefix and its folders: the keys for which `prefix.startswith(key + "/")`.
        named = {prefix, *(prefix[:at] for at, char in enumerate(prefix) if char == "/")}
        return [key for key in self.events if key in named or key.startswith(below)]

    def _matching(self, select: str) -> list[str]:
        """The events a select names, or whose key holds every word (as the main filter)."""
        words = select.lower().split()
        if not words:
            return list(self.events)
        named = set(self._selected_by(select))
        if self._lowered is None:  # once: the select box matches on every keystroke
            self._lowered = [(key, key.lower()) for key in self.events]
        if len(words) == 1:
            word = words[0]
            return [key for key, low in self._lowered if key in named or word in low]
        return [key for key, low in self._lowered if key in named or all(w in low for w in words)]

    def _fill_events(self, select: str) -> None:
        """Show the events the select matches: ticked as by hand, else ticked (a select
        names what to build)."""
        self._select_typed = True
        shown = self._matching(select)
        tree = self.query_one("#wizard-events", CheckTree)
        tree.set_events(shown, [key for key in shown if self._hand.get(key, True)])

    @on(CheckTree.Changed, "#wizard-events")
    def _ticks_changed(self, message: CheckTree.Changed) -> None:
        for key in message.touched:  # space, a, n: kept when the select changes
            self._hand[key] = message.checked
        tree = self.query_one("#wizard-events", CheckTree)
        ticked, shown = len(tree.checked), len(tree.keys)
        text = Text(f"{ticked} of {shown} event{'s' * (shown != 1)} ticked")
        if self.preselect and ticked < shown and not self._select_typed:
            text.append(f" (your selection in the tree: {clean(self.preselect)}; a ticks all)")
        # Ticked by hand, not shown: the hand-made ticks are of shown events, so of events.
        hidden = sum(1 for key, on in self._hand.items() if on and not tree.model.is_event(key))
        if hidden:
            text.append(
                f"; {hidden} ticked event{'s' * (hidden != 1)} hidden by the select "
                f"(not built; clear the select to see {'them' if hidden != 1 else 'it'})",
                style="yellow",
            )
        if not shown:
            select = self.query_one("#wizard-select", Input).value.strip()
            text = Text(
                f"No event matches the select '{clean(select)}'."
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
        ticked = tree.ticked()
        if tree.keys and len(ticked) == len(tree.keys):
            if not text:
                return None
            if self._selected_by(text) == tree.keys:  # an exact select, not filter words
                return [text]
        return fewest_selects(ticked, self.events)

    @on(Input.Submitted, "#wizard-select")
    def _select_submitted(self) -> None:
        self.query_one("#wizard-events", CheckTree).focus()

    # -- step 2: what to build ----------------------------------------------------------------

    def artifact(self) -> str:
        """dbt or code, as step 2 chooses (dbt until step 2 is shown)."""
        if 1 not in self._mounted_steps:
            return "dbt"
        return str(self.query_one("#wizard-artifact", Select).value)

    @on(Select.Changed, "#wizard-artifact")
    def _artifact_changed(self) -> None:
        code = self.artifact() == "code"
        self.query_one("#wizard-dbt-fields").display = not code
        self.query_one("#wizard-code-fields").display = code
        note = self.query_one("#wizard-source-note", Static)
        note.display = not code
        self._show_title()
        self._update_buttons()

    @on(Select.Changed, "#wizard-lang")
    def _lang_changed(self, message: Select.Changed) -> None:
        """The SDKs of the language, its default chosen, and its default folder shown."""
        from reflekt.core.codegen.emit import LANGUAGES

        lang = str(message.value)
        sdk = self.query_one("#wizard-code-sdk", Select)
        sdk.set_options(sdk_options(lang))
        sdk.value = LANGUAGES[lang].sdks[0]
        self.query_one("#wizard-out", Input).placeholder = LANGUAGES[lang].default_out

    @work(thread=True, exclusive=True, group="wizard-profile")
    def _load_profile(self, project: Project, profile_name: str | None) -> None:
        self.post_message(load_profile_job(project, profile_name))

    @on(ProfileLoaded)
    def _profile_loaded(self, message: ProfileLoaded) -> None:
        self.profile = message.profile
        if 1 in self._mounted_steps:
            self._show_profile()

    @on(ProfileFailed)
    def _profile_failed(self, failed: ProfileFailed) -> None:
        message = self._profile_error = error_text(failed.error)
        self.notify(message, title="Profile", severity="error", timeout=8)
        if 1 in self._mounted_steps:
            self._show_profile()

    def _show_profile(self) -> None:
        """Step 2's source list from the profile (the last choice chosen again), or why
        there is none; nothing while the profile is still loading."""
        select = self.query_one("#wizard-source", Select)
        note = self.query_one("#wizard-source-note", Static)
        profile = self.profile
        if profile is None:
            if self._profile_error:
                select.prompt = "no profile"
                note.update(Text(self._profile_error, style="red"))
            return
        ready = [(f"{s.id} ({s.type})", s.id) for s in profile.sources]
        # Sources reading an unset variable are listed too: choosing one says what to set.
        missing = [
            (f"{u.name} ({u.type}) · unavailable: a variable is not set", u.name)
            for u in profile.unavailable
            if u.kind == "source"
        ]
        options = ready + missing
        select.set_options(options)
        if not options:
            select.prompt = "no sources"
            note.update(
                Text(
                    f"Profile '{profile.name}' has no `source:` entries: add one to "
                    f"{profile.path.name} (type duckdb, postgres, redshift, snowflake or bigquery).",
                    style="yellow",
                )
            )
            return
        select.prompt = "choose a source"  # not "loading…" as the blank entry of the list
        self._source_note = f"Profile '{profile.name}', {len(ready)} source(s)." + (
            f" {len(missing)} unavailable (an environment variable is not set)." if missing else ""
        )
        note.update(Text(clean(self._source_note)))
        memory = self._memory = load_choice(self.project, profile.name)
        schema = self.query_one("#wizard-schema", Input)
        if memory.schema and not schema.value:
            schema.value = memory.schema
        if memory.sdk:
            self.query_one("#wizard-sdk", Select).value = memory.sdk
        ready_ids = [source_id for _, source_id in ready]
        chosen = memory.source if memory.source in ready_ids else ready[0][1] if ready else None
        if chosen is not None:
            select.value = chosen
            self._source_chosen(chosen)  # now: step 2 focuses the first empty field next

    @on(Select.Changed, "#wizard-source")
    def _source_changed(self, message: Select.Changed) -> None:
        if message.value is not Select.BLANK:
            self._source_chosen(str(message.value))

    def _source_chosen(self, source_id: str) -> None:
        """The source's database (the remembered one, else its default), or what to set."""
        if self.profile is None:
            return
        database = self.query_one("#wizard-database", Input)
        note = self.query_one("#wizard-source-note", Static)
        error = self._unavailable_error(source_id)
        if error is not None:
            note.update(Text(error, style="red"))
            database.value = ""
            return
        note.update(Text(clean(self._source_note)))
        if source_id == self._memory.source and self._memory.database:
            database.value = self._memory.database
        else:
            database.value = default_database(self.profile.source(source_id))

    def _unavailable_error(self, source_id: str) -> str | None:
        """Why the source cannot be used (the variable to set), or None when it can."""
        for item in self.profile.unavailable if self.profile is not None else ():
            if item.kind == "source" and item.name == source_id:
                return error_text(item.error)
        return None

    def _first_missing_source_field(self) -> tuple[Widget, str] | None:
        """The first empty field of step 2 (to focus it), or None when all are set."""
        if self.artifact() == "code":
            return None  # every field of code has a default
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
        selects = None if (chosen := self.selects()) is None else tuple(chosen)
        if self.artifact() == "code":
            return BuildRequest(
                selects=selects,
                source="",
                sdk=str(self.query_one("#wizard-code-sdk", Select).value),
                dry_run=dry_run,
                artifact="code",
                lang=str(self.query_one("#wizard-lang", Select).value),
                out=self.query_one("#wizard-out", Input).value.strip(),
                validate=self.query_one("#wizard-validate", Checkbox).value,
            )
        return BuildRequest(
            selects=selects,
            source=self.source_arg() or "",
            sdk=str(self.query_one("#wizard-sdk", Select).value),
            dry_run=dry_run,
        )

    @work(thread=True, exclusive=True, group="wizard-build")
    def _build(self, project: Project, profile: Profile | None, request: BuildRequest) -> None:
        answer = build_job(project, profile, request, self.post_message)
        if not get_current_worker().is_cancelled:  # a newer preview or write replaced it
            self.post_message(answer)

    def _start_build(self, dry_run: bool) -> None:
        if self.profile is None and self.artifact() == "dbt":  # step 2 needs one for dbt
            return
        request = self._request = self.build_request(dry_run)
        self.query_one("#wizard-cli", Static).update(
            Text(f"CLI: {clean(cli_line(request, self.profile_name))}", style="dim")
        )
        self._build(self.project, self.profile, request)

    async def _start_preview(self) -> None:
        """Step 3: a fresh dry run (also on coming back from a write: the files changed)."""
        self.preview = None
        await self._show_step(2)
        self.query_one("#wizard-files", DataTable).clear()
        self.query_one("#wizard-file", Static).update("")
        self.query_one("#wizard-preview-summary", Static).update("")
        self.query_one("#wizard-files").loading = True
        self._update_buttons()
        self._start_build(dry_run=True)

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
            self.notify(summary_line(done.result, root=self.project.root), title="Build")
        self._update_buttons()

    def _show_preview(self, result: BuildResult | CodeResult) -> None:
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
        if _is_dbt(result):
            text = Text(f"{len(result.built)} model(s) from {result.schema_count} schema(s): ")
            _append_counts(text, plan, "hand-written kept", "dim")
            self._append_dbt_lines(text, result)
        else:
            text = Text(f"{len(result.events)} event(s) from {result.schema_count} schema(s): ")
            _append_counts(text, plan, "hand-written kept (not overwritten)", "yellow")
            where = result.out_dir.relative_to(self.project.root).as_posix()
            text.append(f"\n{result.options.lang} ({result.options.sdk}) in {clean(where)}/")
        self.query_one("#wizard-preview-summary", Static).update(text)
        if table.row_count:
            table.move_cursor(row=0)
            self._show_file(table.coordinate_to_cell_key((0, 0)).row_key.value)
        table.focus()

    @property
    def _dbt_sdk(self) -> str:
        """The SDK of the last preview or write: its drift read the tables as that SDK's."""
        return self._request.sdk if self._request is not None else "segment"

    def _append_dbt_lines(self, text: Text, result: BuildResult) -> None:
        """The package, the skipped tables (the first few unless x), the drift line."""
        text.append(f"\npackage artifacts/dbt/{clean(result.package_dir.name)}")
        if result.skipped:
            tables = result.skipped_tables
            shown = tables if self._all_skipped else tables[:SKIPPED_SHOWN]
            text.append(f"\nskipped (no table): {', '.join(map(clean, shown))}", style="yellow")
            text.append(_more(len(tables), self._all_skipped, sep=" "))
        _append_drift(text, result, self._dbt_sdk)

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

    def _show_file(self, rel: str, highlight: int = 0) -> None:
        """Show `rel`; `highlight`: a search match's line, numbered and marked."""
        if rel != self._shown_file:
            self._shown_file, self.file_match = rel, 0
        lexer = {
            "sql": "sql",
            "yml": "yaml",
            "md": "markdown",
            "ts": "typescript",
            "py": "python",
        }.get(rel.rsplit(".", 1)[-1], "text")
        self.query_one("#wizard-file", Static).update(
            Syntax(
                self.file_text(rel),
                lexer,
                theme="ansi_dark",
                background_color="default",
                line_numbers=bool(highlight),
                highlight_lines={highlight} if highlight else None,
            )
        )

    # -- search in the preview (ctrl+f, n / N) ------------------------------------------------

    def action_search(self) -> None:
        """ctrl+f: search the file list, or the shown file when it has the focus."""
        self._search_in_file = self.query_one("#wizard-file-scroll").has_focus_within
        box = self.query_one("#wizard-search", Input)
        box.display = True
        box.focus()

    def _close_search(self) -> None:
        self.query_one("#wizard-search", Input).display = False
        self.query_one("#wizard-file-scroll" if self._search_in_file else "#wizard-files").focus()

    @on(Input.Submitted, "#wizard-search")
    def _search_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        self._search_query = message.value.strip()
        self._close_search()
        if self._search_query:
            self.action_search_step(True)

    def action_search_step(self, forward: bool) -> None:
        """n / N: the next or previous match of the last search (wrapping)."""
        query = self._search_query
        if not query:
            self.notify("ctrl+f searches the preview first.", timeout=3)
            return
        if self._search_in_file:
            text = self.file_text(self._shown_file)
            result = search_lines(text, query, self.file_match, forward)
            if result.line:
                self.file_match = result.line
                self._show_file(self._shown_file, highlight=self.file_match)
                self.query_one("#wizard-file-scroll", VerticalScroll).scroll_to(
                    y=max(0, self.file_match - 3), animate=False
                )
        else:
            result = search_table(self.query_one("#wizard-files", DataTable), query, forward)
        self.notify(clean(result.status), timeout=3, markup=False)

    def _show_summary(self, result: BuildResult | CodeResult) -> None:
        plan = result.plan
        bar = self.query_one("#wizard-progress", ProgressBar)
        bar.update(total=100, progress=100)
        if not _is_dbt(result):
            text = Text("Code generated\n\n", style="bold green")
            text.append(f"{summary_line(result, root=self.project.root)}\n")
            if plan.kept:
                text.append(
                    f"hand-written files left alone: {', '.join(plan.kept)}\n", style="yellow"
                )
            text.append(
                "\nCommit the files; `reflekt build code ... --check` in CI tells when they no "
                "longer match the schemas. Esc returns to the schemas.",
                style="dim",
            )
            self.query_one("#wizard-summary", Static).update(text)
            self.query_one("#wizard-progress-text", Static).update("done")
            return
        text = Text("Build finished\n\n", style="bold green")
        text.append(f"{summary_line(result, root=self.project.root)}\n")
        if plan.kept:
            text.append(f"hand-written files left alone: {', '.join(plan.kept)}\n", style="dim")
        if result.skipped:
            text.append("\nskipped tables (not in the warehouse):\n", style="yellow")
            skipped = result.skipped
            shown = skipped if self._all_skipped else skipped[:SKIPPED_SHOWN]
            for skip in shown:
                about = f"  ({clean(skip.schema_id)})" if skip.schema_id else ""  # "" for tracks
                text.append(f"  {clean(skip.table)}{about}: {clean(skip.reason)}\n", style="yellow")
            more = _more(len(skipped), self._all_skipped, sep="  ")
            if more:
                text.append(more)
                text.append("\n")
        _append_drift(text, result, self._dbt_sdk)
        text.append(
            f"\nd runs `dbt build` on the package (in .reflekt_cache/{WIZARD_DBT_DIR}/, "
            "as `reflekt demo` does). Esc returns to the schemas.",
            style="dim",
        )
        self.query_one("#wizard-summary", Static).update(text)
        self.query_one("#wizard-progress-text", Static).update("done")

    def action_yank_cli(self) -> None:
        """y: copy the `reflekt build dbt ...` line of the last preview or write (OSC 52)."""
        if self._request is None:
            self.notify("The CLI line shows from the preview on.", severity="warning")
            return
        line = cli_line(self._request, self.profile_name)
        self.app.copy_to_clipboard(line)
        self.notify(clean(f"Copied: {line}"), title="Copied", markup=False)

    def action_toggle_skipped(self) -> None:
        """x: every skipped table, or the first few again (a list can hold 2,000 names)."""
        self._all_skipped = not self._all_skipped
        if self.step == 2 and self.preview is not None:
            self._show_preview(self.preview)
        elif self.step == 3 and self.result is not None:
            self._show_summary(self.result)

    # -- after the write: dbt build -----------------------------------------------------------

    @work(thread=True, exclusive=True, group="wizard-dbt")
    def _dbt(
        self,
        project: Project,
        profile: Profile,
        source_id: str,
        package: Path,
        cancel: threading.Event,
    ) -> None:
        self.post_message(
            dbt_build_job(project, profile, source_id, package, self.post_message, cancel)
        )

    def _cancel_dbt(self) -> None:
        """Stop a running dbt (its process group): closing or quitting does not wait for it."""
        self._dbt_cancel.set()
        self.workers.cancel_group(self, "wizard-dbt")

    def _wrote_dbt(self) -> bool:
        return self.result is not None and _is_dbt(self.result)

    def action_run_dbt(self) -> None:
        if not self._wrote_dbt() or self.profile is None or self._dbt_running:
            return
        assert _is_dbt(self.result)
        self._dbt_running = True
        self._update_buttons()
        self.query_one("#wizard-dbt-summary", Static).update(Text("\n⟳ dbt deps…", style="cyan"))
        self._dbt_cancel = threading.Event()
        self._dbt(
            self.project, self.profile, self._source_id, self.result.package_dir, self._dbt_cancel
        )

    @on(DbtProgress)
    def _dbt_progress(self, message: DbtProgress) -> None:
        bar = self.query_one("#wizard-progress", ProgressBar)
        bar.update(total=message.total, progress=message.done)
        self.query_one("#wizard-progress-text", Static).update(message.message)
        self.query_one("#wizard-dbt-summary", Static).update(
            Text(f"\n⟳ {message.message}", style="cyan")
        )

    @on(DbtDone)
    def _dbt_done(self, done: DbtDone) -> None:
        self._dbt_running = False
        self.query_one("#wizard-progress", ProgressBar).update(total=100, progress=100)
        self.query_one("#wizard-progress-text", Static).update("done")
        text = dbt_report(done.runs, done.missing)
        self.query_one("#wizard-dbt-summary", Static).update(text)
        last = done.runs[-1] if done.runs else None
        severity = "information" if last is None or last.ok else "error"
        self.notify(text.plain.strip().splitlines()[0], title="dbt", severity=severity)
        self._update_buttons()

    @on(DbtFailed)
    def _dbt_failed(self, failed: DbtFailed) -> None:
        self._dbt_running = False
        message = error_text(failed.error)
        self.query_one("#wizard-progress-text", Static).update("dbt failed")
        self.query_one("#wizard-dbt-summary", Static).update(
            Text(f"\n✗ dbt: {message}", style="red")
        )
        self.notify(message, title="dbt failed", severity="error", timeout=10)
        self._update_buttons()

    # -- navigation ---------------------------------------------------------------------------

    async def _show_step(self, step: int) -> None:
        await self._mount_step(step)
        self.step = step
        self.query_one("#wizard-steps", ContentSwitcher).current = f"step-{step}"
        self._show_title()
        self.query_one("#wizard-cli").display = step >= 2
        self._update_buttons()
        if step == 1:  # the first empty field (Next when all are filled in)
            missing = self._first_missing_source_field()
            (missing[0] if missing else self.query_one("#wizard-next")).focus()
            return
        focus = {0: "#wizard-events", 2: "#wizard-files", 3: "#wizard-next"}
        self.query_one(focus[step]).focus()

    def _show_title(self) -> None:
        code = self.artifact() == "code"
        what, names = ("Build tracking code", CODE_STEPS) if code else ("Build dbt package", STEPS)
        self.query_one("#wizard-title", Static).update(
            f"{what} · step {self.step + 1} of 4 · {names[self.step]}"
        )

    def _update_buttons(self) -> None:
        back = self.query_one("#wizard-back", Button)
        nxt = self.query_one("#wizard-next", Button)
        back.disabled = (
            self.step == 0 or (self.step == 3 and self.result is None) or self._dbt_running
        )
        labels = {0: "Next", 1: "Preview", 2: "Write files", 3: "Close"}
        nxt.label = labels[self.step]
        nxt.disabled = (self.step == 2 and self.preview is None) or (
            self.step == 3 and self.result is None
        )
        dbt = self.query_one("#wizard-dbt", Button)
        dbt.display = self.step == 3 and self._wrote_dbt()
        dbt.disabled = self._dbt_running
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """x only with a capped list to expand; d only after the write (and not twice)."""
        if action == "toggle_skipped":
            shown = self.preview if self.step == 2 else self.result if self.step == 3 else None
            return shown is not None and len(getattr(shown, "skipped", ())) > SKIPPED_SHOWN
        if action == "run_dbt":
            return self.step == 3 and self._wrote_dbt() and not self._dbt_running
        if action in ("search", "search_step"):  # the preview's; n stays the tree's on step 1
            return self.step == 2 and self.preview is not None
        return True

    async def action_next(self) -> None:
        if self.step == 0:
            if not self.query_one("#wizard-events", CheckTree).checked:
                self.notify("Tick at least one event (space ticks).", severity="warning")
                return
            await self._show_step(1)
        elif self.step == 1 and self.artifact() == "code":
            await self._start_preview()
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
            self._remember_source()
            await self._start_preview()
        elif self.step == 2:
            if self.preview is None:
                return
            self.result = None
            self._source_id = str(self.query_one("#wizard-source", Select).value)
            await self._show_step(3)
            self.query_one("#wizard-summary", Static).update("")
            self.query_one("#wizard-dbt-summary", Static).update("")
            self._start_build(dry_run=False)
        else:
            self.action_close()

    def _remember_source(self) -> None:
        """Step 2's values for the next opening (a failed save only loses the convenience)."""
        if self.profile is None:
            return
        choice = WizardChoice(
            str(self.query_one("#wizard-source", Select).value),
            self.query_one("#wizard-database", Input).value.strip(),
            self.query_one("#wizard-schema", Input).value.strip(),
            str(self.query_one("#wizard-sdk", Select).value),
        )
        self._memory = choice
        save_choice(self.project, self.profile.name, choice)

    async def action_back(self) -> None:
        if self._dbt_running:
            self.notify("dbt is running: wait for its summary.", severity="warning")
        elif self.step == 3 and self.result is not None:
            await self._start_preview()  # the write changed the files: the old preview is stale
        elif self.step > 0 and not (self.step == 3 and self.result is None):
            await self._show_step(self.step - 1)

    def action_close(self) -> None:
        if self.query_one("#wizard-search", Input).display:
            self._close_search()  # Esc in the search box closes the box, not the wizard
            return
        self._cancel_dbt()
        self.dismiss(None)

    def on_unmount(self) -> None:
        self._cancel_dbt()  # the app quits with the wizard open

    @on(Button.Pressed, "#wizard-next")
    async def _next_pressed(self) -> None:
        await self.action_next()

    @on(Button.Pressed, "#wizard-back")
    async def _back_pressed(self) -> None:
        await self.action_back()


def _append_counts(text: Text, plan, kept: str, kept_style: str) -> None:
    """The preview's file counts, each in its status's colour."""
    text.append(f"{len(plan.new)} new", style="green")
    text.append(f", {len(plan.changed)} changed", style="yellow")
    text.append(f", {len(plan.unchanged)} unchanged", style="dim")
    if plan.removed:
        text.append(f", {len(plan.removed)} to remove", style="red")
    if plan.kept:
        text.append(f", {len(plan.kept)} {kept}", style=kept_style)


def _is_dbt(result: object) -> bool:
    """A dbt build's result (a BuildResult), not a code build's (without importing either)."""
    return hasattr(result, "package")


def _append_drift(text: Text, result: BuildResult, sdk: str) -> None:
    """The build's drift summary line (counts only; `reflekt build dbt` lists the details),
    and which SDK choice fits when Segment's reading found RudderStack's own columns."""
    from reflekt.core.build.drift import other_sdk_hint

    drift = result.drift
    text.append(f"\n{drift.summary_line()}", style="yellow" if drift else "dim")
    hint = other_sdk_hint(drift.unplanned(), sdk, flag="the SDK choice rudderstack")
    if hint:
        text.append(f"\n{clean(hint)}", style="yellow")


def _more(total: int, expanded: bool, sep: str) -> Text:
    """After the first SKIPPED_SHOWN of `total` names: `… and 1,995 more (x shows all)`, or,
    once expanded, how to fold the list again ("" for a short list)."""
    if total <= SKIPPED_SHOWN:
        return Text("")
    if expanded:
        return Text(f"{sep}(x shows fewer)", style="dim")
    return Text(f"{sep}… and {total - SKIPPED_SHOWN:,} more (x shows all)", style="yellow")


def fewest_selects(ticked: list[str], events: list[str]) -> list[str]:
    """Ticked event keys as few selects as possible: a folder (plan, registry) all of whose
    events in the project are ticked is one select. The tree may show only some of them
    (filtered), so the count is over `events`, not over the tree."""
    chosen = set(ticked)
    total: dict[str, int] = {}
    ticked_in: dict[str, int] = {}
    for key in events:
        parts = key.split("/")
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            total[folder] = total.get(folder, 0) + 1
            if key in chosen:
                ticked_in[folder] = ticked_in.get(folder, 0) + 1
    out: list[str] = []
    for key in ticked:
        parts = key.split("/")
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if ticked_in.get(folder, 0) == total.get(folder):
                if folder not in out:
                    out.append(folder)
                break
    return out


def cli_line(request: BuildRequest, profile: str | None) -> str:
    """The `reflekt build dbt` (or `build code`) command the wizard runs (the preview's with
    --dry-run)."""
    if request.artifact == "code":
        return _code_cli_line(request)
    words = ["reflekt", "build", "dbt"]
    for select in request.selects or ():
        words += ["--select", select]
    words += ["--source", request.source]
    if request.sdk != "segment":
        words += ["--sdk", request.sdk]
    if profile:
        words += ["--profile", profile]
    if request.dry_run:
        words.append("--dry-run")
    return shlex.join(words)


def _code_cli_line(request: BuildRequest) -> str:
    words = ["reflekt", "build", "code", "--lang", request.lang, "--sdk", request.sdk]
    for select in request.selects or ():
        words += ["--select", select]
    if request.out:
        words += ["--out", request.out]
    if request.validate:
        words.append("--validate")
    if request.dry_run:
        words.append("--dry-run")
    return shlex.join(words)


def dbt_report(runs: tuple[DbtRunResult, ...], missing: str | None) -> Text:
    """What dbt did after the write, as `reflekt demo` says it (or why it did not run)."""
    if missing is not None:
        return Text(f"\ndbt did not run: {clean(missing)}", style="yellow")
    last = runs[-1]
    if last.ok:
        text = Text(f"\n{clean(last.summary_line())}", style="bold green")
        text.append(f" (views in schema {WIZARD_DBT_SCHEMA})", style="dim")
        for test in last.warned_tests[:SKIPPED_SHOWN]:
            text.append(f"\n  WARN {clean(test.describe())}", style="yellow")
        hidden = len(last.warned_tests) - SKIPPED_SHOWN
        if hidden > 0:
            text.append(f"\n  … and {hidden:,} more warned", style="yellow")
        return text
    text = Text(
        f"\ndbt {' '.join(last.command)} failed ({last.models_failed} model(s) and "
        f"{last.tests_failed} test(s) failed):\n",
        style="bold red",
    )
    text.append(clean("\n".join(last.log.splitlines()[-DBT_LOG_LINES:])))
    return text
