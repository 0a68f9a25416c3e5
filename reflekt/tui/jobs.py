"""The TUI's long jobs as plain functions: a worker thread runs one and posts its answer.

Each job calls the same core function as the CLI command and returns the message for the
screen: the result, or the failure (a ReflektError, or a bug: a notification either way,
never a traceback). Nothing here reads a widget: what a job needs comes in as arguments, read
on the UI thread before the worker started. Progress goes out through `post`.

The registry and build modules are imported by the job that needs them, on first use: they
are heavy, and the TUI's first screen does not need them.

Worker threads are `DetachedExecutor`'s daemon threads: on quit Textual cancels the workers,
and nothing then waits for a job still blocked on a slow registry (asyncio's default pool
would be joined at exit, leaving a blank terminal until the request times out). Files are
written atomically or journaled by the core, so a job cut short leaves no half-written file.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.message import Message

from reflekt.core.collector import collector_paused
from reflekt.core.fsutil import pause_for_tests
from reflekt.core.lint import lint_project
from reflekt.core.lint.engine import PARALLEL_THRESHOLD, cache_complete
from reflekt.core.lint.findings import Finding, LintReport
from reflekt.core.lint.prime import PrimeRun, prime_lint_cache, start_prime
from reflekt.core.listing_cache import load_listing, save_listing
from reflekt.core.profiles import Profile, load_profile
from reflekt.core.progress import Progress
from reflekt.core.project import Project
from reflekt.core.schemas import iter_schema_folders, sorted_listing
from reflekt.tui.lint_scheduler import files_to_lint
from reflekt.tui.messages import (
    DOCS_FAILED,
    AuditDone,
    AuditFailed,
    AuditProfileLoaded,
    AuditProgress,
    BuildDone,
    BuildFailed,
    BuildProgress,
    DbtDone,
    DbtFailed,
    DbtProgress,
    DiffDone,
    DiffFailed,
    DiffProgress,
    DocsDone,
    DocsProgress,
    IndexLoaded,
    JobFailed,
    LintFailed,
    LintFinished,
    LintProgress,
    ProfileFailed,
    ProfileLoaded,
    PullDone,
    PushDone,
    PushPreviewed,
    RegistryRetrying,
)
from reflekt.tui.model import Changes, SchemaIndex
from reflekt.tui.shared_lint import Stamp, shared_findings

Post = Callable[[Message], object]  # a widget's thread-safe `post_message`

LINT_STREAM_EVERY_S = 0.25  # seconds between two progress messages (with the findings)
# A whole-project lint of this many files over a cold cache runs in a process on every core
# (`_prime`); fewer take less time than starting it.
PRIME_ABOVE = PARALLEL_THRESHOLD
DIFF_PROGRESS_EVERY = 200  # events between two progress messages


class DetachedExecutor(ThreadPoolExecutor):
    """Each call in its own daemon thread, and a shutdown that waits for none of them.

    The app's event loop uses it for its thread workers (`loop.set_default_executor`, which
    takes a ThreadPoolExecutor; the pool's own threads are never started).
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:  # handed to the awaiting worker, as a pool does
                future.set_exception(error)
            else:
                future.set_result(result)

        threading.Thread(target=run, name="reflekt-job", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to join: a job still running is abandoned with its cancelled worker."""


def retries_to(post: Post) -> Callable[[int, int | None, str], None]:
    """A progress callback that passes on the registry client's backoff lines only (push and
    pull have no progress line; a wait they make should not look like a hang)."""
    from reflekt.core.registries.http import is_backoff

    def progress(done: int, total: int | None, message: str) -> None:
        if is_backoff(message):
            post(RegistryRetrying(message))

    return progress


def load_index_job(project: Project) -> IndexLoaded:
    """The schema files by name, for the first screen: from the listing saved last time
    when there is one (no walk of schemas/), else from a walk; grouped into folders here,
    not on the UI thread."""
    prime = None
    with collector_paused(freeze=True):  # see core/collector.py
        listing = load_listing(project)
        if listing is not None:
            index = SchemaIndex.from_paths(project, listing)
        else:
            paths, prime = _walk_priming(project)
            index = SchemaIndex.from_paths(project, paths)
        index.folder_tree()
    return IndexLoaded(index, from_listing=listing is not None, prime=prime)


def _walk_priming(project: Project) -> tuple[list[str], PrimeRun | None]:
    """`list_schema_paths`, starting the priming process (`early_prime`) as soon as the walk
    has counted PRIME_ABOVE files rather than at its end (0.6 s later for 50,000 files)."""
    by_folder: dict[str, list[str]] = {}
    count, prime, asked = 0, None, False
    for folder, files in iter_schema_folders(project.schemas_dir):
        by_folder[folder] = files
        count += len(files)
        if not asked and count >= PRIME_ABOVE:
            asked, prime = True, early_prime(project, count)
    return sorted_listing(by_folder), prime


def early_prime(project: Project, files: int) -> PrimeRun | None:
    """The priming process (`_prime`), started as soon as a walk counted the files, when the
    first lint will need it: it runs while the first screen is drawn, not after (a cold
    start of 50,000 schemas painted for 1.2 s before its lint began). A listing from last
    time means a lint cache too, so that start does not ask (asking costs 15 ms)."""
    if files < PRIME_ABOVE or (os.cpu_count() or 1) < 2 or cache_complete(project):
        return None
    return start_prime(project.root)


def settle_index_job(index: SchemaIndex, from_listing: bool) -> Changes:
    """After the first screen: stat every file (the disk watch compares mtimes); for an
    index drawn from the saved listing, walk schemas/ too, and say what differs (files
    added or removed since), saving the listing for the next start when it changed (an
    index from a walk had its listing saved when the walk was done). First parses the
    versions the tree's labels show (a few tens of ms), before the walk."""
    index.parse_versions()
    if from_listing:
        changes = index.poll()
    else:
        index.take_mtimes()
        changes = Changes()
    if changes.added or changes.removed:
        save_listing(index.project, index.paths())
    return changes


def lint_job(
    project: Project,
    index: SchemaIndex,
    ids: tuple[str, ...] | None,
    post: Post,
    shared_stamp: Stamp | None = None,
    prime: PrimeRun | None = None,
) -> LintFinished | LintFailed:
    """Lint the files through the lint cache (what did not change costs a stat), posting
    each chunk's findings as it is done so the tree and panel fill while it runs.
    `prime`: the priming process the index's load started (`early_prime`), waited for
    here instead of starting one.

    The shared definitions are checked on their own too, as `reflekt lint` checks them
    (`tui/shared_lint.py`): on a whole-project run, and on a partial one when they changed
    since `shared_stamp` (the stamp of the definitions' findings the screen holds)."""
    stats: dict[str, str] = {}  # path: stat_key, taken with the mtimes
    if ids is None:
        index.take_mtimes(stats)  # before reading: an edit from now on is seen by the next poll
    pause_for_tests("lint")
    covered, paths = files_to_lint(index, ids)
    total = len(paths)
    if prime is not None:
        prime.wait(_prime_progress(covered, post))
    elif ids is None and total >= PRIME_ABOVE and (os.cpu_count() or 1) > 1:
        _prime(project, covered, post)
    done = 0
    pending: list[Finding] = []
    last = time.monotonic()

    def chunk(findings: list[Finding]) -> None:
        pending.extend(findings)

    def progress(linted: int, _total: int | None, _message: str) -> None:
        nonlocal done, last, pending
        done = linted
        now = time.monotonic()
        if now - last >= LINT_STREAM_EVERY_S or done == total:
            last = now
            post(LintProgress(done, total, covered, tuple(pending)))
            pending = []

    try:
        report = lint_project(
            project,
            paths,
            progress,
            cache=True,
            whole_project=ids is None,
            on_findings=chunk,
            lazy=True,
            stats=stats,
        )
        index.mark_unreadable(unreadable_ids(index, report), covered)
        stamp, shared = shared_findings(project, ids is None, shared_stamp)
    except Exception as error:  # a ReflektError, or a bug in a rule
        return LintFailed(error)
    return LintFinished(covered, report, shared, stamp)


def _prime(project: Project, covered: tuple[str, ...] | None, post: Post) -> None:
    """Over a cold cache, lint the whole project in a process of its own on every core
    (`core/lint/prime.py`), showing its progress; the lint that follows takes the warm path.
    If it fails, that lint does the work in this thread."""
    if cache_complete(project):
        return
    prime_lint_cache(project.root, _prime_progress(covered, post))


def _prime_progress(covered: tuple[str, ...] | None, post: Post) -> Callable[[int, int], None]:
    """The priming process's progress, posted at the pace of the thread's own lint (at
    most every LINT_STREAM_EVERY_S, and its end): it prints a line a chunk, 200 for 50,000
    files, each a message for the screen. The first is posted at once (the bar moves as
    soon as the process lints)."""
    last = -LINT_STREAM_EVERY_S

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= LINT_STREAM_EVERY_S or done == total:
            last = now
            post(LintProgress(done, total, covered, ()))

    return progress


def unreadable_ids(index: SchemaIndex, report: LintReport) -> list[str]:
    """The ids of the files that cannot be parsed, for the tree's marks.

    A file that cannot be parsed has an RF101 finding (as has one that merely holds
    comments): those few are read to tell which. With RF101 switched off, a broken file is
    marked when it is shown.
    """
    suspects = {f.schema_id for f in report.findings if f.rule == "RF101"}
    if report.stored is not None:
        suspects.update(report.stored.ids_with_rule("RF101"))
    entries = (index.get(schema_id) for schema_id in sorted(suspects))
    return [entry.id for entry in entries if entry is not None and entry.doc.body is None]


def compare_job(
    project: Project,
    profile_name: str | None,
    selects: list[str],
    against: str | None,
    post: Post,
) -> DiffDone | DiffFailed:
    """Diff the selection with the registry (the profile's) or with `git:REF`."""
    from reflekt.core.registries.compare import compare

    last = ""
    retrying = retries_to(post)

    def progress(done: int, total: int | None, message: str) -> None:
        nonlocal last
        retrying(done, total, message)
        text = f"⟳ {message} {done}/{total}" if total else f"⟳ {message}"
        steady = total is None or done in (0, total) or done % DIFF_PROGRESS_EVERY == 0
        if text != last and steady:
            last = text
            post(DiffProgress(text))

    try:
        profile = None if against is not None else load_profile(project, profile_name)
        report = compare(project, profile, selects, against=against, progress=progress)
    except Exception as error:
        return DiffFailed(error)
    return DiffDone(report)


def pull_job(
    project: Project, profile_name: str | None, select: str, post: Post | None = None
) -> PullDone | JobFailed:
    from reflekt.core.registries.sync import pull

    try:
        profile = load_profile(project, profile_name)
        result = pull(project, profile, select, progress=retries_to(post) if post else None)
    except Exception as error:
        return JobFailed("Pull failed", error)
    return PullDone(result)


def push_preview_job(
    project: Project, profile_name: str | None, select: str, force: bool, post: Post | None = None
) -> PushPreviewed | JobFailed:
    """What a push would change (the diff with the registry), to confirm before sending."""
    from reflekt.core.registries.compare import compare

    try:
        profile = load_profile(project, profile_name)
        report = compare(project, profile, [select], progress=retries_to(post) if post else None)
    except Exception as error:
        return JobFailed("Push preview failed", error)
    return PushPreviewed(select, profile, report, force)


def push_job(
    project: Project, profile: Profile, select: str, force: bool, post: Post | None = None
) -> PushDone | JobFailed:
    from reflekt.core.registries.sync import push

    try:
        progress = retries_to(post) if post else None
        result = push(project, profile, [select], force=force, progress=progress)
    except Exception as error:
        return JobFailed("Push failed", error)
    return PushDone(result)


def docs_job(project: Project, post: Post | None = None) -> DocsDone | JobFailed:
    """`reflekt build docs`: the HTML catalog of every schema, in its default folder.

    `post` gets a `DocsProgress` per step (reading schemas, linting, rendering, writing)."""
    from reflekt.core.docs.pipeline import build_docs

    shown = [-1]  # the last percent posted: 5,000 schemas read are 100 messages, not 5,000

    def progress(done: int, total: int | None, text: str) -> None:
        percent = done * 100 // total if total else 0
        if post is not None and (percent != shown[0] or done == total):
            shown[0] = percent
            post(DocsProgress(done, total, text))

    try:
        result = build_docs(project, progress=progress)
    except Exception as error:
        return JobFailed(DOCS_FAILED, error)
    return DocsDone(result)


def load_profile_job(project: Project, profile_name: str | None) -> ProfileLoaded | ProfileFailed:
    try:
        return ProfileLoaded(load_profile(project, profile_name))
    except Exception as error:
        return ProfileFailed(error)


@dataclass(frozen=True)
class BuildRequest:
    """What to build, as chosen in the wizard's steps 1 and 2."""

    selects: tuple[str, ...] | None  # None: every schema
    source: str  # `<source_id>.<database>.<schema>` (dbt)
    sdk: str  # dbt: segment; code: one of the language's SDKs
    dry_run: bool
    artifact: str = "dbt"  # dbt | code
    lang: str = ""  # code: typescript | python
    out: str = ""  # code: the output folder relative to the project root ("" : the default)
    validate: bool = False  # code: --validate


def build_job(
    project: Project, profile: Profile, request: BuildRequest, post: Post
) -> BuildDone | BuildFailed:
    """`reflekt build dbt` or `reflekt build code`: a preview (`dry_run`, nothing written)
    or the write."""
    from reflekt.core.build.pipeline import build_dbt

    def progress(done: int, total: int, message: str) -> None:
        post(BuildProgress(done, total, message))

    if request.artifact == "code":
        return _code_job(project, request, progress)
    try:
        result = build_dbt(
            project,
            profile,
            None if request.selects is None else list(request.selects),
            request.source,
            request.sdk,
            dry_run=request.dry_run,
            progress=progress,
        )
    except Exception as error:
        return BuildFailed(error, request.dry_run)
    return BuildDone(result, request.dry_run)


def _code_job(
    project: Project, request: BuildRequest, progress: Progress
) -> BuildDone | BuildFailed:
    from reflekt.core.codegen.pipeline import build_code

    try:
        result = build_code(
            project,
            None if request.selects is None else list(request.selects),
            request.lang,
            request.sdk,
            project.root / request.out if request.out else None,
            validate=request.validate,
            dry_run=request.dry_run,
            progress=progress,
        )
    except Exception as error:
        return BuildFailed(error, request.dry_run)
    return BuildDone(result, request.dry_run)


WIZARD_DBT_DIR = "dbt_wizard"  # under .reflekt_cache/: the downstream project dbt builds in
WIZARD_DBT_SCHEMA = "reflekt_staging"  # where dbt creates the package's views


def dbt_build_job(
    project: Project,
    profile: Profile,
    source_id: str,
    package_dir: Path,
    post: Post,
    cancel: threading.Event | None = None,
) -> DbtDone | DbtFailed:
    """`dbt deps` then `dbt build` of the written package, as `reflekt demo` runs it: in a
    throw-away downstream project that installs the package locally. Setting `cancel` stops
    the dbt that runs (the wizard closed)."""
    from reflekt.core.build.dbt_runner import (
        dbt_missing_reason,
        run_dbt,
        write_downstream_project,
    )

    try:
        source = profile.source(source_id)
        missing = dbt_missing_reason(source.type)
        if missing is not None:
            return DbtDone((), missing)
        work_dir = project.cache_dir / WIZARD_DBT_DIR
        write_downstream_project(work_dir, package_dir, source, WIZARD_DBT_SCHEMA)
        runs = []
        steps = (("deps",), ("build",))
        for done, args in enumerate(steps):
            post(DbtProgress(done, len(steps), f"dbt {' '.join(args)}…"))
            runs.append(run_dbt(work_dir, source, args, cancel=cancel))
            if not runs[-1].ok:
                break
    except Exception as error:  # a DbtRunError, a profile without that source, a bug
        return DbtFailed(error)
    return DbtDone(tuple(runs))


def audit_job(
    project: Project,
    profile_name: str | None,
    source: str,
    since: str,
    post: Post,
    sdk: str = "segment",
) -> AuditDone | AuditFailed:
    """`reflekt audit --sdk SDK` of every schema against `source` (the warehouse runs the
    checks)."""
    from reflekt.core.audit.run import audit

    def progress(done: int, total: int | None, message: str) -> None:
        post(AuditProgress(f"⟳ {message} {done}/{total}" if total else f"⟳ {message}"))

    try:
        profile = load_profile(project, profile_name)
        report = audit(project, profile, None, source, since=since, progress=progress, sdk=sdk)
    except Exception as error:
        return AuditFailed(error)
    return AuditDone(report)


def audit_profile_job(
    project: Project, profile_name: str | None
) -> AuditProfileLoaded | AuditFailed:
    try:
        return AuditProfileLoaded(load_profile(project, profile_name))
    except Exception as error:
        return AuditFailed(error)
