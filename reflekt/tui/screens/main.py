"""The main screen: schema tree on the left, schema / lint / diff tabs on the right.

Everything slow (reading 5,000 files, linting, registry calls) runs in thread workers that
call the same core functions as the CLI and post their results back as typed messages
(`reflekt.tui.messages`), handled here with `@on`. When to lint is `LintScheduler`'s call,
when to poll the disk `DiskWatch`'s. A failure is a notification and a line in the panel,
never a traceback.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import ClassVar

from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Input,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
    Tree,
)
from textual.worker import Worker, get_current_worker

from reflekt.core.errors import ReflektError
from reflekt.core.lint.findings import Finding
from reflekt.core.lint.prime import PrimeRun
from reflekt.core.listing_cache import save_listing
from reflekt.core.output.summary import summary_line
from reflekt.core.profiles import Profile
from reflekt.core.project import Project, load_project
from reflekt.tui.context import Context, git_branch, progress_bar_text, registry_hosts
from reflekt.tui.disk_watch import DiskWatch
from reflekt.tui.editor import EditorError, editor_command, run_editor
from reflekt.tui.errors import error_text
from reflekt.tui.jobs import (
    audit_job,
    audit_profile_job,
    compare_job,
    docs_job,
    lint_job,
    load_index_job,
    pull_job,
    push_job,
    push_preview_job,
    settle_index_job,
)
from reflekt.tui.lint_scheduler import LintRun, LintScheduler
from reflekt.tui.messages import (
    DOCS_FAILED,
    AuditDone,
    AuditFailed,
    AuditProfileLoaded,
    AuditProgress,
    DiffDone,
    DiffFailed,
    DiffProgress,
    DiskPolled,
    DocsDone,
    DocsProgress,
    FilterShaped,
    IndexLoaded,
    JobFailed,
    LintFailed,
    LintFinished,
    LintProgress,
    PullDone,
    PushDone,
    PushPreviewed,
    RegistryRetrying,
)
from reflekt.tui.model import (
    Counts,
    FolderNode,
    SchemaIndex,
    TreeShape,
    Verdicts,
    audit_verdicts,
    property_rows,
    shape_for,
)
from reflekt.tui.safe_text import clean
from reflekt.tui.screens.build_wizard import BuildWizard
from reflekt.tui.screens.property_detail import PropertyScreen, detail_text, spec_at
from reflekt.tui.screens.registry import (
    ChoosePlanScreen,
    ConfirmPullScreen,
    ConfirmPushScreen,
    GitRefScreen,
    ResultScreen,
    plans_under,
    push_target,
)
from reflekt.tui.search import search_rows, search_table, search_tree
from reflekt.tui.shared_lint import is_shared_id, shared_file
from reflekt.tui.widgets.audit_panel import AuditPanel
from reflekt.tui.widgets.diff_view import DiffView
from reflekt.tui.widgets.lint_panel import FindingsTree, LintPanel
from reflekt.tui.widgets.schema_tree import SchemaTree
from reflekt.tui.widgets.schema_view import SchemaView
from reflekt.tui.widgets.stable_footer import StableFooter
from reflekt.tui.wizard_memory import load_choice, save_choice
from reflekt.tui.yank import YankScreen, yank_choices

LINT_DELAY_ABOVE = 500  # schemas: a larger project lints after the tree's first paint
LISTING_SAVE_WAIT_S = 30.0  # a hang guard: a closing screen waits this long for the listing
FILTER_IN_WORKER_ABOVE = 5000  # schemas: a larger project filters in a worker thread
BADGES_EVERY_S = 2.0  # while the first lint streams in, the tree's badges update this often


def _freeze_long_lived() -> None:
    """Move what is loaded so far out of the garbage collector's sight.

    The index and the findings of 5,000 schemas are a million long-lived objects; without
    this, a full collection now and then stalls a keystroke for ~200 ms.
    """
    gc.freeze()


class MainScreen(Screen):
    """Tree + tabs. Actions here are also the command palette's entries."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # The app's own, repeated first so the footer shows them first: on 80 columns
        # they came last and were cut off. Same ids: a remap moves both.
        Binding("question_mark", "app.help", "Help", id="app.help"),
        Binding("q", "app.close_or_quit", "Quit", id="app.quit"),
        # Priority: `/` is handled before the keys typed after it are routed (they go to the
        # filter, not to a command); in a text field it is text (`action_filter` skips).
        Binding("slash", "filter", "Filter", id="main.filter", priority=True),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="main.clear_filter"),
        Binding("1", "tab('schema')", "Schema tab", show=False, id="main.tab_schema"),
        Binding("2", "tab('lint')", "Lint tab", show=False, id="main.tab_lint"),
        Binding("3", "tab('diff')", "Diff tab", show=False, id="main.tab_diff"),
        Binding("4", "tab('audit')", "Audit tab", show=False, id="main.tab_audit"),
        Binding("d", "diff", "Diff selection", id="main.diff"),
        Binding("b", "build", "Build", id="main.build"),
        Binding("t", "focus_tree", "Tree", show=False, id="main.focus_tree"),
        Binding("r", "toggle_raw", "Raw JSON", id="main.raw"),
        Binding("e", "edit_schema", "Edit", id="main.edit"),
        Binding("y", "yank", "Copy", show=False, id="main.yank"),
        Binding("ctrl+f", "search", "Search", show=False, id="main.search"),
        Binding("z", "zoom", "Zoom", show=False, id="main.zoom"),
        Binding("n", "search_step(True)", "Next match", show=False, id="main.search_next"),
        Binding("N", "search_step(False)", "Previous match", show=False, id="main.search_prev"),
        Binding("L", "lint_all", "Lint all", id="main.lint_all"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="main.reload"),
    ]

    def __init__(self, project: Project, profile: str | None, watch_interval: float = 1.0) -> None:
        super().__init__()
        self.project = project
        self.profile = profile
        self.watch_interval = watch_interval
        self.index: SchemaIndex | None = None
        self.lint = LintScheduler()
        self.disk = DiskWatch()
        self._watching = False
        self._audit_profile_asked = False
        self._status_text = ""  # what #tree-status says (rewritten only when it changes)
        # (the counts, their version, a copy) for filter workers: see _counts_copy
        self._counts_kept: tuple[Counts, int, Counts] | None = None
        self._badges_at = 0.0  # when the streamed lint counts last reached the tree
        self._reload_note: str | None = None
        self._settle_after_lint: Callable[[], object] | None = None  # see `_index_loaded`
        self._prime: PrimeRun | None = None  # started by the index's load, for the first lint
        self._listing_saved = threading.Event()  # cleared while a walk's listing is written
        self._listing_saved.set()
        self._search_query = ""  # the last ctrl+f search, and the pane it searched
        self._search_target: DataTable | Tree | str | None = (
            None  # what ctrl+r found, said when the files are read
        )

    @property
    def findings(self) -> list[Finding]:
        """Every lint finding of the project, as of the last runs (those the lint index
        holds decoded: O(findings), not for redraws)."""
        return self.lint.all_findings()

    @property
    def finding_count(self) -> int:
        return self.lint.finding_count

    @property
    def linted_schemas(self) -> int:
        return self.lint.linted_schemas

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="context")
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield Input(placeholder="/ filter schemas", id="filter")
                yield SchemaTree(id="tree")
                yield Static("Loading schemas…", id="tree-status")
            with TabbedContent(id="tabs", initial="schema"):
                with TabPane("1 Schema", id="schema"):
                    yield SchemaView(id="schema-view")
                with TabPane("2 Lint", id="lint"):
                    yield LintPanel(id="lint-panel")
                with TabPane("3 Diff", id="diff"):
                    yield DiffView(id="diff-view")
                with TabPane("4 Audit", id="audit"):
                    yield AuditPanel(id="audit-panel")
        yield Input(placeholder="search this pane (Enter; then n / N)", id="search")
        yield StableFooter()

    def on_mount(self) -> None:
        self.sub_title = self.project.name
        self.context = Context(self.project.name, self.profile)
        self._lint_started = time.monotonic()
        self.show_activity("reading schemas…")
        self._context_worker(self.project, self.profile)
        # No loading animation: repainting it 60 times a second starves the listing
        # thread of the GIL (50,000 files took 13 s instead of 2). The status line says it.
        self.load_index()

    # -- zoom ---------------------------------------------------------------------------------

    def action_zoom(self) -> None:
        """z: the pane with the focus full width (the tree, or the tabs), z again: both."""
        if self.has_class("-zoom-tree") or self.has_class("-zoom-tabs"):
            self.remove_class("-zoom-tree", "-zoom-tabs")
            return
        in_sidebar = self.query_one("#sidebar").has_focus_within
        self.add_class("-zoom-tree" if in_sidebar else "-zoom-tabs")

    # -- search in a pane ----------------------------------------------------------------------

    def _search_pane(self) -> DataTable | Tree | FindingsTree | str:
        """What ctrl+f searches: the focused table or tree, else the shown tab's own pane
        (`"raw"`: the raw JSON)."""
        focused = self.app.focused
        if isinstance(focused, DataTable | Tree | FindingsTree):
            return focused
        tab = self.query_one(TabbedContent).active
        if tab == "schema":
            view = self.query_one(SchemaView)
            return "raw" if view.raw else view.query_one("#properties", DataTable)
        if tab == "lint":
            return self.query_one(FindingsTree)
        if tab == "diff":
            return self.query_one("#diff-events", DataTable)
        return self.query_one(SchemaTree)

    def action_search(self) -> None:
        self._search_target = self._search_pane()
        box = self.query_one("#search", Input)
        box.display = True
        box.focus()

    def _close_search(self) -> None:
        self.query_one("#search", Input).display = False
        target = self._search_target
        if target == "raw":
            self.query_one(SchemaView).query_one("#schema-raw").focus()
        elif target is not None and not isinstance(target, str):
            target.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        self._search_query = message.value.strip()
        self._close_search()
        if self._search_query:
            self.action_search_step(True)

    def action_search_step(self, forward: bool) -> None:
        """n / N: the next or previous match of the last search, in the pane searched."""
        query, target = self._search_query, self._search_target
        if not query or target is None:
            self.notify("ctrl+f searches the pane first.", timeout=3)
            return
        if isinstance(target, str):
            result = self.query_one(SchemaView).find_in_raw(query, forward)
        elif isinstance(target, DataTable):
            result = search_table(target, query, forward)
        elif isinstance(target, FindingsTree):
            result = search_rows(target, query, forward)
        else:
            result = search_tree(target, query, forward)
        self.notify(clean(result.status), timeout=3, markup=False)

    # -- the context line ---------------------------------------------------------------------

    def show_activity(self, activity: str | None = None) -> None:
        """Say what the background work is doing on the context line (None: redraw it)."""
        if activity is not None:
            self.context = replace(self.context, activity=activity)
        self.query_one("#context", Static).update(self.context.render())

    @work(thread=True, group="context")
    def _context_worker(self, project: Project, profile_name: str | None) -> None:
        """The git branch and the profile's registry hosts (a profile that does not load
        leaves them out: the commands that need it say why)."""
        from reflekt.core.errors import ReflektError
        from reflekt.core.profiles import load_profile

        branch = git_branch(project.root)
        hosts: tuple[str, ...] = ()
        name = profile_name
        try:
            profile = load_profile(project, profile_name)
            hosts = registry_hosts([registry.api_url for registry in profile.registries])
            name = profile.name
        except (ReflektError, OSError):
            pass
        self.app.call_from_thread(self._context_loaded, branch, hosts, name)

    def _context_loaded(self, branch: str | None, hosts: tuple[str, ...], name: str | None) -> None:
        self.context = replace(self.context, branch=branch, registries=hosts, profile=name)
        self.show_activity()

    # -- loading ----------------------------------------------------------------------------

    def load_index(self) -> None:
        """Read every schema file through the core, in a worker (5,000 files take a while)."""
        self._load_index(self.project)

    @work(thread=True, exclusive=True, group="index")
    def _load_index(self, project: Project) -> None:
        loaded = load_index_job(project)
        if get_current_worker().is_cancelled:
            return
        if loaded.from_listing:
            self.post_message(loaded)
            return
        # A walk: its listing is saved now, for the next start, not by the settle (which a
        # large project leaves for after the first lint: a TUI closed before that would
        # leave none). After the message, so the first screen does not wait for it; the
        # screen waits for it when it closes (`on_unmount`).
        paths = loaded.index.paths()  # before the screen holds the index
        self._listing_saved.clear()
        try:
            self.post_message(loaded)
            save_listing(project, paths)
        finally:
            self._listing_saved.set()

    def on_unmount(self) -> None:
        # Quitting right after the first screen: the walk's listing may be being written.
        self._listing_saved.wait(LISTING_SAVE_WAIT_S)

    @work(thread=True, group="watch")
    def _settle_index(self, index: SchemaIndex, from_listing: bool) -> None:
        self.post_message(DiskPolled(settle_index_job(index, from_listing)))

    @on(IndexLoaded)
    def _index_loaded(self, message: IndexLoaded) -> None:
        index = self.index = message.index
        if message.prime is not None:
            self._prime = message.prime
        # As a poll (one at a time): the mtimes, and what differs from the saved listing
        # the tree was drawn from. In a large project, after the first lint: the two would
        # share the GIL, and lint is what the user waits for (its job takes the mtimes
        # first, so an edit made while it runs is still seen by this poll).
        self.disk.begin()
        settle = partial(self._settle_index, index, message.from_listing)
        if len(index) > LINT_DELAY_ABOVE:
            self._settle_after_lint = settle
        else:
            settle()
        _freeze_long_lived()
        if self._reload_note is not None:
            count = len(index)
            note, self._reload_note = self._reload_note, None
            self.notify(f"Reloaded project: {count} schema{'s' * (count != 1)}, {note}")
        tree = self.query_one(SchemaTree)
        tree.show(index, self.lint.counts(), self.query_one("#filter", Input).value)
        self._update_status()
        if tree.cursor_line < 0 and tree.last_line >= 0:
            tree.select_first_event()
        tree.focus()
        # After the first paint (a timer from now could fire before it, on a busy machine):
        # the lint thread competes for the GIL, and the tree matters first. Badges arrive
        # when lint is done.
        if len(index) > LINT_DELAY_ABOVE:
            self.call_after_refresh(self.run_lint, None)
        else:
            self.run_lint(None)
        if self.watch_interval > 0 and not self._watching:
            self._watching = True
            self.set_interval(self.watch_interval, self._timed_poll)

    def _update_status(self) -> None:
        if self.index is None:
            return
        tree = self.query_one(SchemaTree)
        total = len(self.index)
        broken = self.index.broken_count
        text = f"{total} schema{'s' * (total != 1)}"
        if tree.filter_text.strip():
            text = f"{tree.shown_schemas} of {text} match"
        if broken:
            text += f" · {broken} unreadable"
        if total == 0:
            text = "No schemas yet: `reflekt pull` or add files under schemas/"
        errors, warnings = self.lint.shared_counts
        if errors or warnings:  # the tree has no row for them: the Lint tab lists them
            text += " · shared definitions" + f" ✗{errors}" * bool(errors)
            text += f" ▲{warnings}" * bool(warnings)
        status = self.query_one("#tree-status", Static)
        if text != self._status_text:
            # One line, its height set: no layout of the screen for it.
            self._status_text = text
            status.update(text, layout=False)

    # -- tree, filter, schema view -------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, message: Input.Changed) -> None:
        if self.index is None:
            return
        tree = self.query_one(SchemaTree)
        if len(self.index) > FILTER_IN_WORKER_ABOVE:
            # Matching and grouping 50,000 paths takes a few hundred ms: in a worker, so
            # the typing stays smooth; only the newest keystroke's shape is shown.
            counts, verdicts = tree.shape_inputs()  # copied: the UI thread updates them
            self._shape_worker(self.index, message.value, self._counts_copy(counts), verdicts)
            return
        self._show_filtered(shape_for(self.index, message.value, *tree.shape_inputs()))

    def _counts_copy(self, counts: Counts) -> Counts:
        """The lint counts for a filter worker: a copy (lint updates them in place as it
        streams), made again only when they changed since, not on every keystroke. The
        verdicts need none: `SchemaTree.set_verdicts` replaces them whole."""
        version = self.lint.counts_version
        kept = self._counts_kept
        if kept is None or kept[0] is not counts or kept[1] != version:
            copy = dict(counts)
            # Only the scheduler's own dict changes with its version; another is copied anew.
            kept = self._counts_kept = (
                (counts, version, copy) if counts is self.lint.counts() else None
            )
            return copy
        return kept[2]

    # A description: Textual would repr the arguments (50,000 counts: 11 ms a keystroke).
    @work(thread=True, exclusive=True, group="filter", description="filter the tree")
    def _shape_worker(
        self, index: SchemaIndex, text: str, counts: Counts, verdicts: Verdicts
    ) -> None:
        shape = shape_for(index, text, counts, verdicts)
        if not get_current_worker().is_cancelled:
            self.post_message(FilterShaped(index, shape))

    @on(FilterShaped)
    def _filter_shaped(self, message: FilterShaped) -> None:
        current = self.query_one("#filter", Input).value
        if message.index is self.index and message.shape.filter_text == current:
            self._show_filtered(message.shape)

    def _show_filtered(self, shape: TreeShape) -> None:
        assert self.index is not None
        tree = self.query_one(SchemaTree)
        before = tree.selection_key()
        tree.show_shape(self.index, shape)
        self._update_status()
        after = tree.selection_key()
        if before is not None and after != before and tree.shown_schemas:
            if after is not None and before.startswith(after + "/") and _holds(shape, before):
                return  # still shown, in a closed folder: the cursor waits on the folder
            # The selection was filtered out: show the first match, not a hidden schema.
            tree.select_first_event()
        self.show_selected()  # also when nothing matches, or a plan's counts changed

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        tree = self.query_one(SchemaTree)
        tree.focus()
        if tree.cursor_line < 0 and tree.last_line >= 0:
            tree.cursor_line = 0

    def on_key(self, event: events.Key) -> None:
        filter_box = self.query_one("#filter", Input)
        if event.key == "escape" and self.focused is filter_box:
            event.stop()
            filter_box.value = ""
            self.query_one(SchemaTree).focus()
        elif event.key == "down" and self.focused is filter_box:
            event.stop()
            self._filter_submitted()

    @on(Tree.NodeHighlighted, "#tree")
    def _tree_highlighted(self, message: Tree.NodeHighlighted) -> None:
        self.show_selected()

    @on(Tree.NodeSelected, "#tree")
    def _tree_selected(self, message: Tree.NodeSelected) -> None:
        """Enter on a version opens it: the schema tab, focus on its properties (t: back)."""
        node = message.node
        if node.data is None or node.data.kind != "version":
            return  # a folder or an event: Enter opens or closes it
        self.show_selected()
        self.action_tab("schema")
        self.query_one(SchemaView).focus_content()

    def show_selected(self, highlight: str | None = None) -> None:
        """The schema pane shows the cursor's node: a schema, a plan's summary, or nothing."""
        tree = self.query_one(SchemaTree)
        schema_id = tree.schema_id_at_cursor()
        view = self.query_one(SchemaView)
        node = tree.cursor_node
        if self.index is not None and schema_id is not None:
            entry = self.index.get(schema_id)
            if entry is not view.entry or highlight:
                view.show(entry, highlight=highlight)
        elif self.index is not None and node is not None and node.data is not None:
            # Every folder node of the tree is one of its folders: a summary is always there.
            summary = tree.folder_summary(node.data.key)
            if summary is not None:
                verdicts = self._diff_verdicts(node.data.key)
                view.show_summary(replace(summary, diff_verdicts=verdicts))
        elif self.index is not None and node is None and tree.filter_text.strip():
            filtering = bool(tree.filter_text.strip())
            view.show(None, empty="No schema matches the filter." if filtering else "")
        self.query_one(LintPanel).set_scope_key(tree.selection_key())

    def _diff_verdicts(self, key: str) -> tuple[tuple[str, int], ...]:
        """The last diff's verdicts of the events under `key` (most serious first)."""
        report = self.query_one(DiffView).report
        if report is None:
            return ()
        counts = Counter(
            event.verdict for event in report.events if event.event_key.startswith(key + "/")
        )
        order = ("unbumped", "breaking", "removed", "new", "compatible", "unchanged")
        return tuple((verdict, counts[verdict]) for verdict in order if counts[verdict])

    def action_filter(self) -> None:
        if isinstance(self.focused, Input | TextArea):
            raise SkipAction()  # `/` typed in a text field (a select such as segment/x)
        # Focused now, not on the next turn: keys typed right after `/` are the filter's.
        self.set_focus(self.query_one("#filter", Input))

    def action_clear_filter(self) -> None:
        """Esc anywhere on the main screen: drop the filter (the cursor stays where it is);
        in the search box, close it."""
        if self.query_one("#search", Input).display:
            self._close_search()
            return
        filter_box = self.query_one("#filter", Input)
        if filter_box.value:
            filter_box.value = ""
            self.notify("Filter cleared.", timeout=2)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            searching = self.query_one("#search", Input).display
            return bool(self.query_one("#filter", Input).value) or searching or None
        return True

    def action_focus_tree(self) -> None:
        self.query_one(SchemaTree).focus()

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = tab
        if tab == "schema" and self.focused is not None and tabs in self.focused.ancestors:
            # Focus left in another tab's pane would switch straight back to that tab.
            self.query_one(SchemaView).focus_content()
        elif tab == "lint":
            self.query_one(LintPanel).focus_findings()
        elif tab == "diff":
            self.query_one(DiffView).focus_events()
        elif tab == "audit":
            self._open_audit()

    def action_toggle_raw(self) -> None:
        self.action_tab("schema")
        self.query_one(SchemaView).action_toggle_raw()

    def action_reload(self) -> None:
        """Re-read reflekt_project.yml and every file from disk, and lint again."""
        change = self.reread_config()
        self._reload_note = change if change is not None else "old settings kept"
        self.query_one("#tree-status", Static).update("Reloading schemas…")
        self.load_index()

    def reread_config(self) -> str | None:
        """Read reflekt_project.yml again (lint rules, conventions): what changed, in words.

        A broken file is shown (file:line) and the old settings stay: None.
        """
        try:
            fresh = load_project(self.project.root)
        except ReflektError as error:
            self.notify(
                f"{error_text(error)}\nThe old settings stay until it is fixed.",
                title="reflekt_project.yml not reloaded",
                severity="error",
                timeout=12,
                markup=False,
            )
            return None
        old, self.project = self.project, fresh
        changes = []
        if fresh.lint_rules != old.lint_rules:
            changes.append("lint rules changed")
        if fresh.tui_bindings != old.tui_bindings:
            self.app.project = fresh
            self.app.load_keymap(fresh)
            changes.append("key remaps applied")
        if changes:
            return ", ".join(changes)
        return "settings changed" if fresh != old else "settings unchanged"

    def action_edit_schema(self) -> None:
        """Open the selected schema in $VISUAL / $EDITOR (at the finding's line and column
        on the Lint tab), then re-read and re-lint it."""
        view = self.query_one(SchemaView)
        entry = view.entry
        path = entry.path if entry is not None else None
        line = column = None
        finding = self._finding_in_focus()
        if finding is not None and self.index is not None:
            line, column = finding.line, finding.column
            if is_shared_id(finding.schema_id):  # a shared definition's own finding
                path = shared_file(self.project, finding.schema_id)
                if path is None:
                    self.notify(
                        clean(f"{finding.schema_id} is no longer a file to open."),
                        severity="warning",
                        markup=False,
                    )
                    return
            else:
                entry = self.index.entry_for_file(finding.file) or entry
                path = entry.path if entry is not None else None
        if path is None or self.index is None:
            self.notify("Select a schema first.", severity="warning")
            return
        try:
            run_editor(self.app, editor_command(path, line=line, column=column))
        except EditorError as problem:
            self.notify(
                problem.message, title=problem.title, severity="error", timeout=problem.timeout
            )
            return
        self.check_for_changes()

    def _finding_in_focus(self) -> Finding | None:
        """The lint finding under the cursor while the Lint tab is shown, else None."""
        if self.query_one(TabbedContent).active != "lint":
            return None
        return self.query_one(LintPanel).finding_at_cursor()

    def action_yank(self) -> None:
        """Copy the selection's file path, `$id`, select string or CLI command (OSC 52)."""
        tree = self.query_one(SchemaTree)
        select = tree.selection_key()
        if select is None or self.index is None or self.project is None:
            self.notify("Select a schema or folder first.", severity="warning")
            return
        schema_id = tree.schema_id_at_cursor()
        entry = self.index.get(schema_id) if schema_id else None
        choices = yank_choices(self.project.root, select, entry.path if entry else None, schema_id)

        def copy(choice) -> None:
            if choice is None:
                return
            self.app.copy_to_clipboard(choice.text)
            self.notify(
                clean(f"Copied the {choice.label}: {choice.text}"), title="Copied", markup=False
            )

        self.app.push_screen(YankScreen(choices), copy)

    # -- watching the disk --------------------------------------------------------------------

    def _timed_poll(self) -> None:
        if self.disk.due():
            self.check_for_changes()

    def check_for_changes(self) -> Worker[None] | None:
        """Poll mtimes of schemas/ in a worker; re-read and re-lint only what changed."""
        if self.index is None or not self.disk.begin():
            return None
        return self._poll_disk(self.index)

    @work(thread=True, group="watch")
    def _poll_disk(self, index: SchemaIndex) -> None:
        self.post_message(DiskPolled(self.disk.poll(index)))

    @on(DiskPolled)
    def _disk_polled(self, message: DiskPolled) -> None:
        self.disk.end()
        changes = message.changes
        if not changes or self.index is None:
            return
        tree = self.query_one(SchemaTree)
        stale = set(changes.removed) | set(changes.changed)
        self.lint.forget(changes.removed)
        tree.show(self.index, self.lint.counts(), tree.filter_text)
        self._update_status()
        view = self.query_one(SchemaView)
        if view.entry is not None and view.entry.id in stale:
            view.show(self.index.get(view.entry.id))
        if view.entry is None:
            self.show_selected()  # the shown file was deleted: show what the cursor is on
        if changes.changed:
            self.run_lint(list(changes.changed))  # a changed definition: every schema's
        elif changes.shared:
            self.run_lint(None)  # a definition changed, and no schema to re-lint: all of it
        else:
            self.show_lint_results()

    # -- lint -------------------------------------------------------------------------------

    def action_lint_all(self) -> None:
        """Lint every schema again, under the settings in reflekt_project.yml now."""
        change = self.reread_config()
        self.action_tab("lint")
        if change is not None and self.index is not None:
            count = len(self.index)
            note = "" if change == "settings unchanged" else f" ({change})"
            self.notify(f"Linting {count} schema{'s' * (count != 1)}{note}", timeout=3)
        self.run_lint(None)

    def run_lint(self, ids: list[str] | None) -> None:
        """Lint the project (ids None) or these schema ids: now, or after the current run."""
        run = self.lint.request(ids)
        if run is not None:
            self._start_lint(run)

    def _start_lint(self, run: LintRun) -> None:
        if self.index is None:  # nothing read yet: the load lints when it is done
            self.lint.failed()
            return
        self.query_one(LintPanel).set_busy(run.busy_text)
        self._lint_started = time.monotonic()
        self.show_activity("linting…")
        prime, self._prime = (self._prime, None) if run.ids is None else (None, self._prime)
        self._lint_worker(self.project, self.index, run.ids, self.lint.shared_stamp, prime)

    @work(thread=True, group="lint", description="lint")
    def _lint_worker(
        self,
        project: Project,
        index: SchemaIndex,
        ids: tuple[str, ...] | None,
        shared_stamp: tuple | None,
        prime: PrimeRun | None = None,
    ) -> None:
        self.post_message(lint_job(project, index, ids, self.post_message, shared_stamp, prime))

    @on(LintProgress)
    def _lint_progress(self, message: LintProgress) -> None:
        panel = self.query_one(LintPanel)
        if message.findings and self.lint.streams(message.ids):
            # The first run's findings as they come: the panel fills while it runs, the
            # badges every few seconds (adding up 50,000 counts takes the UI thread 0.3 s,
            # which the lint thread would wait for).
            panel.add(self.lint.stream(message.findings))
            now = time.monotonic()
            if now - self._badges_at >= BADGES_EVERY_S:
                self._badges_at = now
                self.query_one(SchemaTree).set_counts(self.lint.counts(), self.lint.counts_version)
        panel.set_busy(f"linting {message.done}/{message.total}")
        self.show_activity(f"linting {message.done}/{message.total}…")

    def _settle_now(self) -> None:
        """The disk settle `_index_loaded` left for after the first lint, if not yet run."""
        settle, self._settle_after_lint = self._settle_after_lint, None
        if settle is not None:
            settle()

    @on(LintFailed)
    def _lint_failed(self, message: LintFailed) -> None:
        self._settle_now()
        self.lint.failed()
        self.show_activity("lint failed")
        text = error_text(message.error)
        self.notify(text, title="Lint failed", severity="error", timeout=8)
        self.query_one(LintPanel).show_failure(text)

    @on(LintFinished)
    def _lint_finished(self, message: LintFinished) -> None:
        report = message.report
        if self.index is not None:
            # A run started from the saved listing may have linted a file removed since.
            entries = self.index.entries
            if any(f.schema_id not in entries for f in report.findings):
                report.findings = [f for f in report.findings if f.schema_id in entries]
            if report.stored is not None:
                report.stored = report.stored.without(
                    [key for key in report.stored.counts if key not in entries]
                )
        after = self.lint.finished(message.ids, report, message.shared, message.shared_stamp)
        seconds = time.monotonic() - self._lint_started
        self.show_activity(f"linted {message.report.schemas} in {seconds:.1f} s")
        self.show_lint_results()
        _freeze_long_lived()
        self._settle_now()
        if after is not None:
            self._start_lint(after)

    def show_lint_results(self) -> None:
        """Redraw the tree's badges and the lint panel from the findings held."""
        tree = self.query_one(SchemaTree)
        # also relabels what lint found unreadable
        tree.set_counts(self.lint.counts(), self.lint.counts_version)
        self._update_status()
        self.query_one(LintPanel).show(
            self.lint.findings,
            len(self.index) if self.index is not None else self.lint.linted_schemas,
            tree.selection_key(),
            self.lint.stored,
        )
        if self.query_one(SchemaView).summary is not None:
            self.show_selected()  # a plan's summary counts the findings

    @on(LintPanel.Jump)
    def _jump(self, message: LintPanel.Jump) -> None:
        if is_shared_id(message.schema_id):
            # A shared definition is no schema of the tree: say where it is and how to open
            # it (its finding's file:line is in the detail line under the list).
            self.notify(
                clean(
                    f"{message.schema_id} is a shared definition (schemas/.reflekt/common/), "
                    "not a schema of the tree: e opens it at the finding's line."
                ),
                title="Shared definition",
                markup=False,
            )
            return
        self.jump_to(message.schema_id, message.property)

    @on(SchemaView.PropertyWanted)
    def _property_wanted(self, message: SchemaView.PropertyWanted) -> None:
        """The property in full (long descriptions, every constraint), in a dialog."""
        entry = self.query_one(SchemaView).entry
        spec = spec_at(entry.doc.body, message.path) if entry is not None else None
        if entry is None or spec is None:
            return
        rows = property_rows(entry.doc.body)
        required = next((row.required for row in rows if row.path == message.path), False)
        self.app.push_screen(PropertyScreen(detail_text(message.path, spec, required)))

    @on(LintPanel.FixWanted)
    def _fix(self, message: LintPanel.FixWanted) -> None:
        """Apply a finding's fix (the one `reflekt lint --fix` makes; RF601 moves the file as
        `--fix-versions` does), then re-read the changed files, which re-lints them."""
        from reflekt.core.errors import ReflektError
        from reflekt.core.lint import fixes

        finding, root = message.finding, self.project.root
        try:
            if finding.rule == "RF601":
                move = fixes.plan_renumber(root, finding)
                fixes.apply_renumber(root, move)
                done = f"moved {move.old.name} to {move.new.name}"
            elif finding.rule in fixes.FIXABLE and finding.suggestion:
                plan = fixes.plan_fixes(root, [finding])
                if not plan.fixes:
                    reason = plan.skipped[0].reason if plan.skipped else "nothing to change"
                    self.notify(clean(f"Not fixed: {reason}"), severity="warning", markup=False)
                    return
                fixes.apply_fixes(root, plan)
                done = plan.fixes[0].description
            else:
                self.notify(
                    clean(f"{finding.rule} has no automatic fix: e opens the file at its line."),
                    severity="warning",
                    markup=False,
                )
                return
        except ValueError as why:
            self.notify(clean(f"Not fixed: {why}"), severity="warning", markup=False)
            return
        except ReflektError as error:
            self.notify(
                clean(error_text(error)), title="Fix failed", severity="error", markup=False
            )
            return
        self.notify(clean(f"Fixed {finding.rule}: {done}"), title="Fix", markup=False)
        self.check_for_changes()

    @on(LintPanel.ScopeChanged)
    def _scope_changed(self) -> None:
        self.query_one(LintPanel).set_scope_key(self.query_one(SchemaTree).selection_key())

    def jump_to(self, schema_id: str, prop: str | None = None) -> bool:
        """Show a schema in the tree and the schema view; highlight a property."""
        tree = self.query_one(SchemaTree)
        if not tree.select_key(schema_id, post=False):
            filter_box = self.query_one("#filter", Input)
            with filter_box.prevent(Input.Changed):
                filter_box.value = ""
            if self.index is not None:
                tree.show(self.index, None, "")
                self._update_status()
            if not tree.select_key(schema_id, post=False):
                self.notify(f"{schema_id} is no longer in the project", severity="warning")
                return False
        self.action_tab("schema")
        view = self.query_one(SchemaView)
        if self.index is not None:
            view.show(self.index.get(schema_id))
        if prop:
            found = view.highlight_property(prop)
            if not found:
                for candidate in _property_candidates(prop):
                    if view.highlight_property(candidate):
                        break
            view.focus_properties()
        else:
            tree.focus()
        return True

    # -- registry: diff, push, pull -------------------------------------------------------

    def registry_select(self) -> str | None:
        """The tree's selection as a `--select`: a plan, or an event (never one version)."""
        tree = self.query_one(SchemaTree)
        node = tree.cursor_node
        key = tree.selection_key()
        if node is None or node.data is None or not key:
            return None
        if node.data.kind == "version":
            key = key.rpartition("/")[0]
        return key

    def _need_select(self) -> str | None:
        select = self.registry_select()
        if select is None:
            self.notify("Select an event or a plan in the tree first.", severity="warning")
        return select

    def action_diff(self, against: str | None = None) -> None:
        select = self._need_select()
        if select is None:
            return
        self.action_tab("diff")
        self._compare(self._plans_of(select) or [select], against)  # a registry root: all plans

    def _compare(self, selects: list[str], against: str | None = None) -> None:
        self.query_one(DiffView).comparing(selects, against)
        self._compare_worker(self.project, self.profile, list(selects), against)

    @work(thread=True, exclusive=True, group="diff")
    def _compare_worker(
        self, project: Project, profile_name: str | None, selects: list[str], against: str | None
    ) -> None:
        answer = compare_job(project, profile_name, selects, against, self.post_message)
        if not get_current_worker().is_cancelled:  # a newer comparison replaced this one
            self.post_message(answer)

    @on(DiffProgress)
    def _diff_progress(self, message: DiffProgress) -> None:
        self.query_one(DiffView).show_progress(message.text)

    @on(DiffDone)
    def _diff_done(self, message: DiffDone) -> None:
        self.query_one(DiffView).show_report(message.report)

    @on(DiffFailed)
    def _diff_failed(self, message: DiffFailed) -> None:
        text = error_text(message.error)
        self.notify(clean(text), title="Diff failed", severity="error", timeout=8, markup=False)
        self.query_one(DiffView).show_failure(text)

    def action_diff_git_ref(self) -> None:
        if self._need_select() is None:
            return

        def chosen(ref: str | None) -> None:
            if ref:
                self.action_diff(against=f"git:{ref}")

        self.app.push_screen(GitRefScreen(), chosen)

    @on(DiffView.GitRefWanted)
    def _git_ref_wanted(self) -> None:
        self.action_diff_git_ref()

    def _plans_of(self, select: str) -> list[str] | None:
        """A registry root's plans (`segment` -> `segment/ecommerce`, ...); None otherwise."""
        from reflekt.core.registries.table import is_registry

        if "/" in select or not is_registry(select) or self.index is None:
            return None
        return plans_under(select, (entry.folder for entry in self.index.entries.values()))

    def action_pull(self) -> None:
        """Pull the selection; on a registry root, ask which plan first (it names none)."""
        select = self._need_select()
        if select is None:
            return
        plans = self._plans_of(select)
        if plans:
            self.app.push_screen(ChoosePlanScreen("Pull", select, plans), self._confirm_pull)
        else:
            self._confirm_pull(select)

    def _confirm_pull(self, select: str | None) -> None:
        from reflekt.core.registries.table import is_registry

        if not select:
            return
        if not is_registry(select.split("/", 1)[0]):  # refused now, not after a confirm
            self.notify(f"{select} is not under a registry: nothing to pull.", severity="warning")
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.notify(f"Pulling {select}…", timeout=3)
                self._pull_worker(self.project, self.profile, select)
            else:
                self.notify("Pull cancelled: no file was written.", timeout=3)

        self.app.push_screen(ConfirmPullScreen(select), answered)

    @work(thread=True, exclusive=True, group="registry")
    def _pull_worker(self, project: Project, profile_name: str | None, select: str) -> None:
        self.post_message(pull_job(project, profile_name, select, self.post_message))

    @on(PullDone)
    def _pulled(self, message: PullDone) -> None:
        result = message.result
        title = summary_line(result)
        self.notify(title, title="Pull done")
        self.app.push_screen(
            ResultScreen(
                title,
                [
                    ("created", result.created, "green"),
                    ("updated", result.updated, "yellow"),
                    ("unchanged", result.unchanged, "dim"),
                ],
            )
        )
        self.check_for_changes()
        self._refresh_registry_diff()

    def action_push(self, force: bool = False) -> None:
        """Diff first, confirm, then push; `force` pushes despite lint errors (as --force).
        On the registry root (it names no plan), ask which plan first, as pull does."""
        select = self._need_select()
        if select is None:
            return
        plans = self._plans_of(select) if select == "segment" else None
        if plans:

            def chosen(plan: str | None) -> None:
                if plan:
                    self._push_select(plan, force)

            self.app.push_screen(ChoosePlanScreen("Push", select, plans), chosen)
            return
        self._push_select(select, force)

    def _push_select(self, select: str, force: bool) -> None:
        target = push_target(select)
        if target is None:
            self.notify(
                "Push goes to Segment or an Iglu Server: select a plan or event under "
                "segment/, or a vendor or schema under iglu/ (Avo plans are edited in Avo; "
                "pull them instead; a static Iglu registry: `reflekt push --select "
                "iglu/<vendor> --to-dir DIR`).",
                severity="warning",
            )
            return
        errors = self.lint.errors_in(select)
        if errors and not force:
            self.notify(
                f"{errors} lint error{'s' * (errors != 1)} in {select}: {target} would get "
                "schemas that break the project's rules, so nothing was sent. Fix them "
                "(2: lint tab, Enter jumps), or run 'Push selection despite lint errors' "
                "from the palette (ctrl+p).",
                title="Push refused",
                severity="error",
                timeout=10,
            )
            return
        self.notify(f"Comparing {select} with {target} before the push…", timeout=3)
        self._push_preview_worker(self.project, self.profile, select, force)

    @work(thread=True, exclusive=True, group="registry")
    def _push_preview_worker(
        self, project: Project, profile_name: str | None, select: str, force: bool
    ) -> None:
        self.post_message(push_preview_job(project, profile_name, select, force, self.post_message))

    @on(PushPreviewed)
    def _confirm_push(self, message: PushPreviewed) -> None:
        select, profile, force = message.select, message.profile, message.force

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.notify(f"Pushing {select}…", timeout=3)
                self._push_worker(self.project, profile, select, force)
            else:
                self.notify("Push cancelled: nothing was sent.", timeout=3)

        self.app.push_screen(ConfirmPushScreen(select, message.report, force=force), answered)

    @work(thread=True, exclusive=True, group="registry")
    def _push_worker(self, project: Project, profile: Profile, select: str, force: bool) -> None:
        self.post_message(push_job(project, profile, select, force, self.post_message))

    @on(PushDone)
    def _pushed(self, message: PushDone) -> None:
        result = message.result
        title = summary_line(result)
        self.notify(title, title="Push done")
        self._refresh_registry_diff()
        self.app.push_screen(
            ResultScreen(
                title,
                [
                    ("created", result.created, "green"),
                    ("updated", result.updated, "yellow"),
                    ("unchanged", result.unchanged, "dim"),
                    ("notes", result.collapsed, "dim"),
                ],
            )
        )

    def action_build_docs(self) -> None:
        """Write the event catalog (as `reflekt build docs`), in a worker."""
        self.notify("Building the docs…", timeout=3)
        self._docs_worker(self.project)

    @work(thread=True, exclusive=True, group="docs")
    def _docs_worker(self, project: Project) -> None:
        self.post_message(docs_job(project, self.post_message))

    @on(DocsProgress)
    def _docs_progress(self, message: DocsProgress) -> None:
        self.show_activity(f"docs {progress_bar_text(message.done, message.total)} {message.text}…")

    @on(DocsDone)
    def _docs_built(self, message: DocsDone) -> None:
        result = message.result
        self.show_activity(f"docs built in {result.timings.get('total', 0.0):.1f} s")
        line = summary_line(result, root=self.project.root)
        self.notify(
            clean(f"{line}\nOpen {result.index_path.as_uri()}"),
            title="Docs built",
            timeout=10,
            markup=False,
        )

    @on(RegistryRetrying)
    def _registry_retrying(self, message: RegistryRetrying) -> None:
        """The registry failed for now and the client waits before trying again: say so."""
        self.notify(clean(message.text), title="Registry", severity="warning", timeout=4)

    @on(JobFailed)
    def _job_failed(self, message: JobFailed) -> None:
        if message.title == DOCS_FAILED:
            self.show_activity("docs failed")
        self.notify(error_text(message.error), title=message.title, severity="error", timeout=10)

    def _refresh_registry_diff(self) -> None:
        """After a push or a pull, a registry diff on the diff tab is stale: compare again."""
        view = self.query_one(DiffView)
        if view.report is not None and view.against is None:
            self._compare(view.selects)

    # -- audit ------------------------------------------------------------------------------

    def _open_audit(self) -> None:
        """The first visit loads the profile, for the source picker."""
        if not self._audit_profile_asked:
            self._audit_profile_asked = True
            self._audit_profile_worker(self.project, self.profile)
        self.query_one(AuditPanel).focus_findings()

    @work(thread=True, group="audit")
    def _audit_profile_worker(self, project: Project, profile_name: str | None) -> None:
        self.post_message(audit_profile_job(project, profile_name))

    @on(TabbedContent.TabActivated, "#tabs")
    def _tab_activated(self, message: TabbedContent.TabActivated) -> None:
        if message.pane.id == "audit" and not self._audit_profile_asked:
            self._open_audit()

    @on(AuditProfileLoaded)
    def _audit_profile(self, message: AuditProfileLoaded) -> None:
        remembered = load_choice(self.project, message.profile.name)
        self.query_one(AuditPanel).set_profile(message.profile, remembered)

    @on(AuditPanel.RunWanted)
    def _audit_wanted(self, message: AuditPanel.RunWanted) -> None:
        panel = self.query_one(AuditPanel)
        panel.set_busy(f"auditing {message.source} since {message.since}…")
        profile = getattr(panel, "profile", None)
        if profile is not None:  # for the next opening (a failed save loses only that)
            save_choice(self.project, profile.name, message.choice)
        self._audit_worker(self.project, self.profile, message.source, message.since, message.sdk)

    @work(thread=True, exclusive=True, group="audit")
    def _audit_worker(
        self, project: Project, profile_name: str | None, source: str, since: str, sdk: str
    ) -> None:
        self.post_message(
            audit_job(project, profile_name, source, since, self.post_message, sdk=sdk)
        )

    @on(AuditProgress)
    def _audit_progress(self, message: AuditProgress) -> None:
        self.query_one(AuditPanel).set_busy(message.text)

    @on(AuditDone)
    def _audit_done(self, message: AuditDone) -> None:
        panel = self.query_one(AuditPanel)
        panel.show(message.report)
        panel.focus_findings()
        self.query_one(SchemaTree).set_verdicts(audit_verdicts(message.report))

    @on(AuditFailed)
    def _audit_failed(self, message: AuditFailed) -> None:
        """The panel says why; the tree drops the last audit's verdicts, which would read as
        the result of the run that just failed."""
        self.query_one(AuditPanel).show_failure(error_text(message.error))
        self.query_one(SchemaTree).set_verdicts({})

    @on(AuditPanel.Jump)
    def _audit_jump(self, message: AuditPanel.Jump) -> None:
        self.jump_to(message.schema_id, message.property)

    # -- build ------------------------------------------------------------------------------

    def action_build(self) -> None:
        """Open the build wizard, preselecting the tree's selection."""
        if self.index is None:
            return
        events = self.index.event_keys()
        self.app.push_screen(
            BuildWizard(self.project, self.profile, events, self.registry_select())
        )


def _holds(shape: TreeShape, key: str) -> bool:
    """Whether the filter's shape still shows the schema or folder `key` (a folder is in
    the shape's tree when a shown id is under it: a walk down, not a scan of the ids)."""
    if shape.shown is None:
        return True
    if key + ".json" in shape.shown:
        return True
    folder: FolderNode | None = shape.root
    for part in key.split("/"):
        folder = folder.folders.get(part) if folder is not None else None
    return folder is not None


def _property_candidates(prop: str) -> list[str]:
    """Ways the schema view may name a lint finding's property path."""
    parts = prop.split(".")
    candidates = [prop.replace(".items.", "[].").replace(".items", "[]")]
    candidates.append(parts[-1])
    return candidates
