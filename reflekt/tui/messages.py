"""What thread workers hand back to the UI thread: one typed message per result.

A worker never touches a widget; it posts one of these to the screen or widget that started
it (`post_message` is thread-safe), and a handler declared with `@on(...)` updates the display
on the UI thread. The messages do not bubble: a result is for the one that asked for it.
Their fields are set once (see `WorkerMessage`): a handler reads a result, never edits it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from reflekt.core.audit.report import AuditReport
    from reflekt.core.build.dbt_runner import DbtRunResult
    from reflekt.core.build.pipeline import BuildResult
    from reflekt.core.diff import DiffReport
    from reflekt.core.docs.pipeline import DocsResult
    from reflekt.core.lint.findings import Finding, LintReport
    from reflekt.core.lint.prime import PrimeRun
    from reflekt.core.profiles import Profile
    from reflekt.core.registries.base import PullResult, PushResult
    from reflekt.tui.model import Changes, SchemaIndex, TreeShape


class WorkerMessage(Message, bubble=False):
    """A worker's result. Public fields cannot be reassigned once set."""

    def __init_subclass__(cls, bubble: bool | None = False, **kwargs: object) -> None:
        # Textual's default is to bubble; a result stays with the one that asked for it.
        super().__init_subclass__(bubble=bubble, **kwargs)  # type: ignore[arg-type]

    def __setattr__(self, name: str, value: object) -> None:
        if not name.startswith("_") and name in self.__dict__:
            raise AttributeError(f"{type(self).__name__}.{name} is read-only")
        super().__setattr__(name, value)


# -- main screen: index, lint, disk --------------------------------------------------------------


class IndexLoaded(WorkerMessage):
    """The project's schema files were listed (none read yet).

    `from_listing`: the names came from the listing saved last time, not from a walk of
    schemas/ (the walk follows: `settle_index_job`).
    """

    def __init__(
        self, index: SchemaIndex, from_listing: bool = False, prime: PrimeRun | None = None
    ) -> None:
        super().__init__()
        self.index = index
        self.from_listing = from_listing
        self.prime = prime  # the priming process the load started, for the first lint


class FilterShaped(WorkerMessage):
    """The tree's shape for a filter, computed in a worker (large projects)."""

    def __init__(self, index: SchemaIndex, shape: TreeShape) -> None:
        super().__init__()
        self.index = index
        self.shape = shape


class LintProgress(WorkerMessage):
    """`done` of `total` files linted so far, and the findings since the last progress.

    `ids` are the ids the run covers (None: the whole project), as in `LintFinished`.
    """

    def __init__(
        self,
        done: int,
        total: int,
        ids: tuple[str, ...] | None = None,
        findings: tuple[Finding, ...] = (),
    ) -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.ids = ids
        self.findings = findings


class LintFinished(WorkerMessage):
    """A lint run ended; `ids` are the schema ids it re-linted (None: the whole project).

    `shared`: the shared definitions' own findings (`tui/shared_lint.py`), when the run
    computed them (None: those held are still right); `shared_stamp`, the definitions'
    stamp they were computed at."""

    def __init__(
        self,
        ids: tuple[str, ...] | None,
        report: LintReport,
        shared: tuple[Finding, ...] | None = None,
        shared_stamp: tuple | None = None,
    ) -> None:
        super().__init__()
        self.ids = ids
        self.report = report
        self.shared = shared
        self.shared_stamp = shared_stamp


class LintFailed(WorkerMessage):
    """A lint run raised (a ReflektError, or a bug in a rule)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class DiskPolled(WorkerMessage):
    """The schema files' mtimes were compared with the index; `changes` may be empty."""

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self.changes = changes


# -- main screen: registry jobs ------------------------------------------------------------------


class PullDone(WorkerMessage):
    def __init__(self, result: PullResult) -> None:
        super().__init__()
        self.result = result


class PushPreviewed(WorkerMessage):
    """What a push of `select` would change, to confirm before anything is sent."""

    def __init__(self, select: str, profile: Profile, report: DiffReport, force: bool) -> None:
        super().__init__()
        self.select = select
        self.profile = profile
        self.report = report
        self.force = force


class PushDone(WorkerMessage):
    def __init__(self, result: PushResult) -> None:
        super().__init__()
        self.result = result


class RegistryRetrying(WorkerMessage):
    """The registry client is backing off before a retry: `retrying (503, 2 of 5) in 0.5 s`."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


DOCS_FAILED = "Build docs failed"  # the JobFailed title of the palette's "Build docs"


class DocsProgress(WorkerMessage):
    """How far the palette's "Build docs" is: (done, total, what it is doing)."""

    def __init__(self, done: int, total: int | None, text: str) -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.text = text


class DocsDone(WorkerMessage):
    """`reflekt build docs` wrote the event catalog (the palette's "Build docs")."""

    def __init__(self, result: DocsResult) -> None:
        super().__init__()
        self.result = result


class JobFailed(WorkerMessage):
    """A registry job raised; `title` names it in the notification ("Pull failed")."""

    def __init__(self, title: str, error: BaseException) -> None:
        super().__init__()
        self.title = title
        self.error = error


# -- main screen: diff ----------------------------------------------------------------------------


class DiffProgress(WorkerMessage):
    """A line saying how far the comparison is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class DiffDone(WorkerMessage):
    def __init__(self, report: DiffReport) -> None:
        super().__init__()
        self.report = report


class DiffFailed(WorkerMessage):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


# -- build wizard --------------------------------------------------------------------------------


class ProfileLoaded(WorkerMessage):
    def __init__(self, profile: Profile) -> None:
        super().__init__()
        self.profile = profile


class ProfileFailed(WorkerMessage):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class BuildProgress(WorkerMessage):
    def __init__(self, done: int, total: int, message: str) -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.message = message


class BuildDone(WorkerMessage):
    """A build ended: the preview (`dry_run`) or the write."""

    def __init__(self, result: BuildResult, dry_run: bool) -> None:
        super().__init__()
        self.result = result
        self.dry_run = dry_run


class BuildFailed(WorkerMessage):
    def __init__(self, error: BaseException, dry_run: bool) -> None:
        super().__init__()
        self.error = error
        self.dry_run = dry_run


class AuditProgress(WorkerMessage):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class AuditDone(WorkerMessage):
    def __init__(self, report: AuditReport) -> None:
        super().__init__()
        self.report = report


class AuditFailed(WorkerMessage):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class AuditProfileLoaded(WorkerMessage):
    """The profile, for the audit panel's source picker (the build wizard loads its own)."""

    def __init__(self, profile: Profile) -> None:
        super().__init__()
        self.profile = profile


# -- build wizard: dbt build after Write ---------------------------------------------------------


class DbtProgress(WorkerMessage):
    def __init__(self, done: int, total: int, message: str) -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.message = message


class DbtDone(WorkerMessage):
    """dbt ran (`runs`: deps, then build unless deps failed), or did not (`missing` says why)."""

    def __init__(self, runs: tuple[DbtRunResult, ...], missing: str | None = None) -> None:
        super().__init__()
        self.runs = runs
        self.missing = missing


class DbtFailed(WorkerMessage):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error
