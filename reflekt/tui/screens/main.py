"""The main screen: schema tree on the left, schema / lint / diff tabs on the right.

Everything slow (reading 5,000 files, linting, registry calls) runs in thread workers that
call the same core functions as the CLI and hand their results back with `call_from_thread`.
A failure is a ReflektError shown as a notification and in the panel, never a traceback.
"""

from __future__ import annotations

import gc
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static, TabbedContent, TabPane, Tree
from textual.worker import Worker, get_current_worker

from reflekt.core.errors import ReflektError
from reflekt.core.output.summary import summary_line
from reflekt.core.project import Project
from reflekt.core.secrets import redact
from reflekt.tui.model import Changes, SchemaIndex
from reflekt.tui.widgets.diff_view import DiffView
from reflekt.tui.widgets.lint_panel import LintPanel
from reflekt.tui.widgets.schema_tree import Counts, SchemaTree
from reflekt.tui.widgets.schema_view import SchemaView


def lint_available() -> bool:
    """Whether the core lint engine is installed in this checkout."""
    try:
        from reflekt.core.lint import lint_documents  # noqa: F401
    except ImportError:
        return False
    return True


LINT_DELAY_S = 0.25
LINT_DELAY_ABOVE = 500  # schemas: small projects lint at once


def _freeze_long_lived() -> None:
    """Move what is loaded so far out of the garbage collector's sight.

    The index and the findings of 5,000 schemas are a million long-lived objects; without
    this, a full collection now and then stalls a keystroke for ~200 ms.
    """
    gc.freeze()


def error_text(error: BaseException) -> str:
    """One line for a notification: the error and its hint, secrets masked."""
    if isinstance(error, ReflektError):
        text = str(error)
        if error.hint:
            text += f"\nHint: {error.hint}"
        return redact(text)
    return redact(f"{type(error).__name__}: {error}")


class MainScreen(Screen):
    """Tree + tabs. Actions here are also the command palette's entries."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="main.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="main.clear_filter"),
        Binding("1", "tab('schema')", "Schema tab", show=False, id="main.tab_schema"),
        Binding("2", "tab('lint')", "Lint tab", show=False, id="main.tab_lint"),
        Binding("3", "tab('diff')", "Diff tab", show=False, id="main.tab_diff"),
        Binding("d", "diff", "Diff selection", id="main.diff"),
        Binding("b", "build", "Build", id="main.build"),
        Binding("t", "focus_tree", "Tree", show=False, id="main.focus_tree"),
        Binding("r", "toggle_raw", "Raw JSON", id="main.raw"),
        Binding("e", "edit_schema", "Edit", id="main.edit"),
        Binding("L", "lint_all", "Lint all", id="main.lint_all"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="main.reload"),
    ]

    def __init__(self, project: Project, profile: str | None, watch_interval: float = 1.0) -> None:
        super().__init__()
        self.project = project
        self.profile = profile
        self.watch_interval = watch_interval
        self.index: SchemaIndex | None = None
        self.findings: list[Any] = []
        self.linted_schemas = 0
        self.has_lint = lint_available()
        self._lint_running = False
        self._lint_pending: set[str] | None = None  # ids to re-lint after the current run
        self._lint_full_again = False  # a full lint was asked for while one was running
        self._polling = False
        self._poll_cost = 0.0
        self._last_poll_at = 0.0

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield Input(placeholder="/ filter schemas", id="filter")
                yield SchemaTree(id="tree")
                yield Static("Loading schemas…", id="tree-status")
            with TabbedContent(id="tabs", initial="schema"):
                with TabPane("1 Schema", id="schema"):
                    yield SchemaView(id="schema-view")
                if self.has_lint:
                    with TabPane("2 Lint", id="lint"):
                        yield LintPanel(id="lint-panel")
                with TabPane("3 Diff", id="diff"):
                    yield DiffView(id="diff-view")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.project.name
        self.query_one(SchemaTree).loading = True
        self.load_index()

    # -- loading ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="index")
    def load_index(self) -> SchemaIndex:
        """Read every schema file through the core (in a thread: 5,000 files take a while)."""
        index = SchemaIndex.load(self.project)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._index_loaded, index)
        return index

    def _index_loaded(self, index: SchemaIndex) -> None:
        self.index = index
        _freeze_long_lived()
        tree = self.query_one(SchemaTree)
        tree.loading = False
        tree.show(index, self.counts(), self.query_one("#filter", Input).value)
        self._update_status()
        if tree.cursor_line < 0 and tree.last_line >= 0:
            tree.select_first_event()
        tree.focus()
        if self.has_lint:
            # Shortly after the first paint: the lint thread competes for the GIL, and the
            # tree matters first. Badges arrive when lint is done.
            if len(index) > LINT_DELAY_ABOVE:
                self.set_timer(LINT_DELAY_S, lambda: self.run_lint(None))
            else:
                self.run_lint(None)
        if self.watch_interval > 0 and not getattr(self, "_timer_started", False):
            self._timer_started = True
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
        self.query_one("#tree-status", Static).update(text)

    # -- tree, filter, schema view -------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, message: Input.Changed) -> None:
        if self.index is None:
            return
        tree = self.query_one(SchemaTree)
        before = tree.selection_key()
        tree.show(self.index, None, message.value)
        self._update_status()
        if before is not None and tree.selection_key() != before and tree.shown_schemas:
            # The selection was filtered out: show the first match, not a hidden schema.
            tree.select_first_event()
            self.show_selected()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        tree = self.query_one(SchemaTree)
        tree.focus()
        if tree.cursor_line < 0 and tree.last_line >= 0:
            tree.cursor_line = 0

    def on_key(self, event: Any) -> None:
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
        view = self.query_one(SchemaView)
        target = "#schema-raw" if view.raw else "#properties"
        if view.query(target):
            view.query_one(target).focus()

    def show_selected(self, highlight: str | None = None) -> None:
        tree = self.query_one(SchemaTree)
        schema_id = tree.schema_id_at_cursor()
        if self.index is not None and schema_id is not None:
            view = self.query_one(SchemaView)
            entry = self.index.get(schema_id)
            if entry is not view.entry or highlight:
                view.show(entry, highlight=highlight)
        if self.has_lint:
            self.query_one(LintPanel).set_scope_key(tree.selection_key())

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        """Esc anywhere on the main screen: drop the filter (the cursor stays where it is)."""
        filter_box = self.query_one("#filter", Input)
        if filter_box.value:
            filter_box.value = ""
            self.notify("Filter cleared.", timeout=2)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return bool(self.query_one("#filter", Input).value) or None
        return True

    def action_focus_tree(self) -> None:
        self.query_one(SchemaTree).focus()

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.query(f"TabPane#{tab}"):
            tabs.active = tab
            if tab == "lint":
                self.query_one("#findings").focus()
            elif tab == "diff":
                self.query_one("#diff-events").focus()

    def action_toggle_raw(self) -> None:
        self.action_tab("schema")
        self.query_one(SchemaView).action_toggle_raw()

    def action_reload(self) -> None:
        """Reload every file from disk and lint again."""
        self.query_one(SchemaTree).loading = True
        self.load_index()

    def action_edit_schema(self) -> None:
        """Open the selected schema in $VISUAL / $EDITOR, then re-read and re-lint it."""
        view = self.query_one(SchemaView)
        entry = view.entry
        if entry is None or self.index is None:
            self.notify("Select a schema first.", severity="warning")
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        try:
            command = [*shlex.split(editor), str(entry.path)]
        except ValueError as exc:
            self.notify(f"Cannot read $EDITOR {editor!r}: {exc}", severity="error")
            return
        if shutil.which(command[0]) is None:
            # Checked before suspending: a failure inside suspend() would leave the
            # terminal to the (missing) editor and the app frozen.
            self.notify(
                f"The editor {command[0]!r} was not found: set $EDITOR (or $VISUAL) to an "
                "editor on your PATH, e.g. EDITOR=nano reflekt tui",
                title="Edit",
                severity="error",
                timeout=10,
            )
            return
        failure: list[BaseException] = []

        def run_editor() -> None:
            try:
                subprocess.run(command, check=False)
            except OSError as exc:  # caught here so that suspend() always resumes
                failure.append(exc)

        try:
            if self.app.is_headless:
                run_editor()
            else:
                with self.app.suspend():
                    run_editor()
        except Exception as exc:  # SuspendNotSupported and friends: never crash
            self.notify(f"Cannot open an editor here: {exc}", severity="error")
            return
        if failure:
            self.notify(f"Cannot run the editor {editor!r}: {failure[0]}", severity="error")
            return
        self.check_for_changes()

    # -- watching the disk --------------------------------------------------------------------

    def _timed_poll(self) -> None:
        """The watch timer: poll, but spend at most ~5% of the time scanning a big project."""
        if time.monotonic() - self._last_poll_at >= 20 * self._poll_cost:
            self.check_for_changes()

    def check_for_changes(self) -> Worker | None:
        """Poll mtimes of schemas/ in a worker; re-read and re-lint only what changed."""
        if self.index is None or self._polling:
            return None
        self._polling = True
        return self._poll_disk()

    @work(thread=True, group="watch")
    def _poll_disk(self) -> Changes:
        started = time.monotonic()
        try:
            changes = self.index.poll() if self.index is not None else Changes()
        except OSError:
            changes = Changes()
        self._poll_cost = time.monotonic() - started
        self._last_poll_at = time.monotonic()
        self.app.call_from_thread(self._disk_polled, changes)
        return changes

    def _disk_polled(self, changes: Changes) -> None:
        self._polling = False
        if not changes or self.index is None:
            return
        tree = self.query_one(SchemaTree)
        removed = set(changes.removed) | set(changes.changed)
        self.findings = [f for f in self.findings if f.schema_id not in set(changes.removed)]
        tree.show(self.index, self.counts(), tree.filter_text)
        self._update_status()
        view = self.query_one(SchemaView)
        if view.entry is not None and view.entry.id in removed:
            view.show(self.index.get(view.entry.id))
        if view.entry is None:
            self.show_selected()  # the shown file was deleted: show what the cursor is on
        if self.has_lint:
            if changes.changed:
                self.run_lint(list(changes.changed))
            else:
                self._lint_done_refresh()

    # -- lint -------------------------------------------------------------------------------

    def counts(self) -> Counts:
        counts: dict[str, list[int]] = {}
        for finding in self.findings:
            slot = counts.setdefault(finding.schema_id, [0, 0])
            slot[0 if finding.severity == "error" else 1] += 1
        return {key: (v[0], v[1]) for key, v in counts.items()}

    def action_lint_all(self) -> None:
        if not self.has_lint:
            return
        self.action_tab("lint")
        self.run_lint(None)

    def run_lint(self, ids: list[str] | None) -> None:
        """Lint the project (ids None) or only these schema ids, in a worker."""
        if self._lint_running:
            if ids is None:
                self._lint_pending = None
                self._lint_full_again = True
            elif self._lint_pending is not None or not self._lint_full_again:
                self._lint_pending = (self._lint_pending or set()) | set(ids)
            return
        self._lint_running = True
        self._lint_full_again = False
        self.query_one(LintPanel).set_busy("linting…" if ids is None else f"re-linting {len(ids)}")
        self._lint_worker(ids)

    @work(thread=True, group="lint")
    def _lint_worker(self, ids: list[str] | None) -> None:
        """Lint the documents the index already read (no second read of 5,000 files).

        A re-lint covers every version in the folders of the changed files, because
        per-event rules (version steps, renames) look across versions.
        """
        from reflekt.core.lint import lint_documents

        index = self.index
        if index is None:
            return
        if ids is None:
            documents = [entry.doc for entry in index.entries.values()]
        else:
            folders = {key.rpartition("/")[0] for key in ids}
            ids = [key for key, entry in index.entries.items() if entry.folder in folders]
            documents = [index.entries[key].doc for key in ids]
        state = {"last": 0}

        def progress(done: int, total: int | None, message: str) -> None:
            if done - state["last"] < 250 and done != total:
                return
            state["last"] = done
            self.app.call_from_thread(self.query_one(LintPanel).set_busy, f"linting {done}/{total}")

        try:
            report = lint_documents(self.project, documents, progress=progress)
        except ReflektError as error:
            self.app.call_from_thread(self._lint_failed, error)
            return
        except Exception as error:  # a bug in a rule must not take the UI down
            self.app.call_from_thread(self._lint_failed, error)
            return
        self.app.call_from_thread(self._lint_finished, ids, report)

    def _lint_failed(self, error: BaseException) -> None:
        self._lint_running = False
        message = error_text(error)
        self.notify(message, title="Lint failed", severity="error", timeout=8)
        panel = self.query_one(LintPanel)
        panel.set_busy(None)
        panel.query_one("#lint-summary", Static).update(f"Lint failed: {message}")

    def _lint_finished(self, ids: list[str] | None, report: Any) -> None:
        self._lint_running = False
        if ids is None:
            self.findings = list(report.findings)
            self.linted_schemas = report.schemas
        else:
            redone = set(ids)
            self.findings = [f for f in self.findings if f.schema_id not in redone]
            self.findings.extend(report.findings)
        self._lint_done_refresh()
        _freeze_long_lived()
        if self._lint_full_again:
            self._lint_full_again = False
            self._lint_pending = None
            self.run_lint(None)
        elif self._lint_pending:
            pending, self._lint_pending = sorted(self._lint_pending), None
            self.run_lint(pending)

    def _lint_done_refresh(self) -> None:
        tree = self.query_one(SchemaTree)
        tree.set_counts(self.counts())
        panel = self.query_one(LintPanel)
        panel.show(
            self.findings, self.linted_schemas or len(self.index or ()), tree.selection_key()
        )

    @on(LintPanel.Jump)
    def _jump(self, message: LintPanel.Jump) -> None:
        self.jump_to(message.schema_id, message.property)

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
            self.query_one("#properties", DataTable).focus()
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
        self.query_one(DiffView).start(self.project, self.profile, [select], against)

    def action_diff_git_ref(self) -> None:
        from reflekt.tui.screens.registry import GitRefScreen

        if self._need_select() is None:
            return

        def chosen(ref: str | None) -> None:
            if ref:
                self.action_diff(against=f"git:{ref}")

        self.app.push_screen(GitRefScreen(), chosen)

    def action_pull(self) -> None:
        select = self._need_select()
        if select is None:
            return
        from reflekt.tui.screens.registry import ConfirmPullScreen

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.notify(f"Pulling {select}…", timeout=3)
                self._pull_worker(select)
            else:
                self.notify("Pull cancelled: no file was written.", timeout=3)

        self.app.push_screen(ConfirmPullScreen(select), answered)

    @work(thread=True, exclusive=True, group="registry")
    def _pull_worker(self, select: str) -> None:
        from reflekt.core.profiles import load_profile
        from reflekt.core.registries.sync import pull

        try:
            profile = load_profile(self.project, self.profile)
            result = pull(self.project, profile, select)
        except Exception as error:  # ReflektError, or a bug: a notification either way
            self.app.call_from_thread(self._registry_failed, "Pull failed", error)
            return
        self.app.call_from_thread(self._pulled, result)

    def _pulled(self, result: Any) -> None:
        from reflekt.tui.screens.registry import ResultScreen

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
        """Diff first, confirm, then push; `force` pushes despite lint errors (as --force)."""
        select = self._need_select()
        if select is None:
            return
        if not select.startswith("segment/"):
            self.notify(
                "Push goes to Segment: select a plan or event under segment/ "
                "(Avo plans are edited in Avo; pull them instead).",
                severity="warning",
            )
            return
        errors = self.lint_errors_in(select)
        if errors and not force:
            self.notify(
                f"{errors} lint error{'s' * (errors != 1)} in {select}: Segment would get "
                "schemas that break the project's rules, so nothing was sent. Fix them "
                "(2: lint tab, Enter jumps), or run 'Push selection despite lint errors' "
                "from the palette (ctrl+p).",
                title="Push refused",
                severity="error",
                timeout=10,
            )
            return
        self.notify(f"Comparing {select} with Segment before the push…", timeout=3)
        self._push_preview_worker(select, force)

    def lint_errors_in(self, select: str) -> int:
        """Lint errors already found in the files of a select (no new lint run)."""
        return sum(
            1
            for finding in self.findings
            if finding.severity == "error"
            and (
                finding.schema_id.removesuffix(".json") == select
                or finding.schema_id.startswith(select + "/")
            )
        )

    @work(thread=True, exclusive=True, group="registry")
    def _push_preview_worker(self, select: str, force: bool) -> None:
        from reflekt.core.profiles import load_profile
        from reflekt.core.registries.compare import compare

        try:
            profile = load_profile(self.project, self.profile)
            report = compare(self.project, profile, [select])
        except Exception as error:
            self.app.call_from_thread(self._registry_failed, "Push preview failed", error)
            return
        self.app.call_from_thread(self._confirm_push, select, profile, report, force)

    def _confirm_push(self, select: str, profile: Any, report: Any, force: bool) -> None:
        from reflekt.tui.screens.registry import ConfirmPushScreen

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.notify(f"Pushing {select}…", timeout=3)
                self._push_worker(select, profile, force)
            else:
                self.notify("Push cancelled: nothing was sent.", timeout=3)

        self.app.push_screen(ConfirmPushScreen(select, report, force=force), answered)

    @work(thread=True, exclusive=True, group="registry")
    def _push_worker(self, select: str, profile: Any, force: bool) -> None:
        from reflekt.core.registries.sync import push

        try:
            result = push(self.project, profile, [select], force=force)
        except Exception as error:
            self.app.call_from_thread(self._registry_failed, "Push failed", error)
            return
        self.app.call_from_thread(self._pushed, result)

    def _pushed(self, result: Any) -> None:
        from reflekt.tui.screens.registry import ResultScreen

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

    def _refresh_registry_diff(self) -> None:
        """After a push or a pull, a registry diff on the diff tab is stale: compare again."""
        view = self.query_one(DiffView)
        if view.report is not None and view.against is None:
            view.start(self.project, self.profile, view.selects)

    def _registry_failed(self, title: str, error: BaseException) -> None:
        self.notify(error_text(error), title=title, severity="error", timeout=10)

    # -- build ------------------------------------------------------------------------------

    def action_build(self) -> None:
        """Open the build wizard, preselecting the tree's selection."""
        from reflekt.tui.screens.build_wizard import BuildWizard

        if self.index is None:
            return
        events = list(dict.fromkeys(entry.folder for entry in self.index.entries.values()))
        self.app.push_screen(
            BuildWizard(self.project, self.profile, events, self.registry_select())
        )

    # -- palette ----------------------------------------------------------------------------

    def palette_commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        """(title, help, callback) for the command palette: every action of this screen."""
        key = self._key_hint
        commands: list[tuple[str, str, Callable[[], Any]]] = [
            (
                "Filter schemas",
                f"Narrow the tree as you type{key('main.filter')}",
                self.action_filter,
            ),
            (
                "Show schema",
                f"The schema view tab{key('main.tab_schema')}",
                lambda: self.action_tab("schema"),
            ),
            (
                "Toggle raw JSON",
                f"Properties table or the file's text{key('main.raw')}",
                self.action_toggle_raw,
            ),
            (
                "Edit schema in $EDITOR",
                f"Open the selected file{key('main.edit')}",
                self.action_edit_schema,
            ),
            (
                "Reload project",
                f"Re-read every schema file and lint again{key('main.reload')}",
                self.action_reload,
            ),
            ("Quit", f"Leave Reflekt{key('app.quit')}", self.app.exit),
        ]
        select = self.registry_select()
        target = select or "the selected event or plan"
        commands += [
            (
                "Diff selection",
                f"Compare {target} with the registry{key('main.diff')}",
                self.action_diff,
            ),
            (
                "Diff selection against a git ref",
                f"Compare {target} with its files at a git ref",
                self.action_diff_git_ref,
            ),
            ("Pull selection", f"Bring {target} from the registry", self.action_pull),
            (
                "Push selection",
                f"Show the diff, then publish {target} to Segment after confirmation",
                self.action_push,
            ),
            (
                "Push selection despite lint errors",
                f"As `reflekt push --force`: diff {target}, confirm, then publish",
                lambda: self.action_push(force=True),
            ),
            ("Show diff", f"The diff tab{key('main.tab_diff')}", lambda: self.action_tab("diff")),
            (
                "Build dbt package",
                f"The build wizard: schemas, source, preview, write{key('main.build')}",
                self.action_build,
            ),
        ]
        if self.has_lint:
            commands += [
                (
                    "Lint all",
                    f"Lint every schema of the project{key('main.lint_all')}",
                    self.action_lint_all,
                ),
                (
                    "Show lint findings",
                    f"The lint tab{key('main.tab_lint')}",
                    lambda: self.action_tab("lint"),
                ),
            ]
        return commands

    def _key_hint(self, binding_id: str) -> str:
        """` (key)` for a palette entry: the key as remapped by the user, else the default."""
        keymap = getattr(self.app, "keymap", {}) or {}
        if binding_id in keymap:
            from reflekt.tui.app import pretty_keys

            return f" ({pretty_keys(keymap[binding_id])})"
        default = _binding_key(binding_id)
        return f" ({default})" if default else ""


def _binding_key(binding_id: str) -> str | None:
    """The default key of a binding id (searched on the classes that declare them)."""
    from reflekt.tui.app import binding_rows

    for _where, keys, _description, row_id in binding_rows():
        if row_id == binding_id:
            return keys
    return None


def _property_candidates(prop: str) -> list[str]:
    """Ways the schema view may name a lint finding's property path."""
    parts = prop.split(".")
    candidates = [prop.replace(".items.", "[].").replace(".items", "[]")]
    candidates.append(parts[-1])
    return candidates
