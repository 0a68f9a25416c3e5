"""When the TUI lints, and the findings it holds: one run at a time, the rest queued.

Files change while a lint runs (the editor saves, a pull writes). Starting a second run would
race the first; dropping the change would leave stale badges. So a request during a run is
remembered, and merged: a full lint asked for swallows any partial one. No Textual here: the
screen starts the worker this says to start, and tells it when the run ended.

The findings are held in two parts: `findings`, decoded, and `stored`, those a warm run left
in the lint index (`core/lint/stored.py`), counted per file and decoded when one is shown.
The shared definitions' own findings (`tui/shared_lint.py`) are among `findings`, under
their `.reflekt/common/...` ids; a run replaces them only when it computed them again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from reflekt.core.lint.findings import Finding, LintReport
from reflekt.core.lint.stored import StoredFindings
from reflekt.tui.model import Counts, SchemaIndex
from reflekt.tui.shared_lint import is_shared_id

_schema_id = attrgetter("schema_id")
_severity = attrgetter("severity")


@dataclass(frozen=True)
class LintRun:
    """One run to start: the schema ids asked for, or None for the whole project."""

    ids: tuple[str, ...] | None = None

    @property
    def busy_text(self) -> str:
        return "linting…" if self.ids is None else f"re-linting {len(self.ids)}"


def files_to_lint(
    index: SchemaIndex, ids: Sequence[str] | None
) -> tuple[tuple[str, ...] | None, list[str]]:
    """The ids a run covers and their files' paths (lint reads them, or takes its cache's
    word; `str` paths, as `lint_project` takes them: 50,000 Paths cost 1.4 s here).

    A re-lint covers every version in the folders of the changed files, because per-event
    rules (version steps, renames) look across versions.
    """
    if ids is None:
        return None, [entry.path_text for entry in index.entries.values()]
    folders = {key.rpartition("/")[0] for key in ids}
    covered = tuple(key for key, entry in index.entries.items() if entry.folder in folders)
    return covered, [index.entries[key].path_text for key in covered]


def in_select(schema_id: str, select: str) -> bool:
    """Whether a schema id lies in a `--select` (a plan, an event, or one file)."""
    return schema_id.removesuffix(".json") == select or schema_id.startswith(select + "/")


class LintScheduler:
    """The findings so far, whether a run is going on, and what to run after it."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []  # decoded
        self.stored = StoredFindings.empty()  # the rest: counted, decoded per file
        self._counts: Counts | None = None  # per schema id, made from `findings` when asked
        self.counts_version = 0  # changes whenever the counts may have (the tree's totals)
        self.streamed = 0  # findings of the running first run already taken (`stream`)
        self.linted_schemas = 0  # schemas of the last full run
        self.running = False
        self._pending: set[str] | None = None  # ids to re-lint after the current run
        self._full_again = False  # a full lint was asked for while one was running
        # The definitions' stamp the shared findings held were computed at (None: none yet),
        # and whether any is held (a partial run then drops them before adding the new).
        self.shared_stamp: tuple | None = None
        self._holds_shared = False
        self.shared_counts = (0, 0)  # the definitions' errors and warnings (the status line)

    def request(self, ids: Iterable[str] | None) -> LintRun | None:
        """Ask for a lint of the project (None) or of these ids: the run to start now, if any."""
        if self.running:
            if ids is None:
                self._pending = None
                self._full_again = True
            elif self._pending is not None or not self._full_again:
                self._pending = (self._pending or set()) | set(ids)
            return None
        self.running = True
        self._full_again = False
        self.streamed = 0
        return LintRun(None if ids is None else tuple(ids))

    def streams(self, ids: tuple[str, ...] | None) -> bool:
        """Whether a run's partial findings can be shown as they come: on the first full
        run only (later runs would show old and new findings of a file side by side)."""
        return (
            ids is None
            and self.running
            and (self.streamed > 0 or not (self.findings or self.stored))
        )

    def stream(self, findings: Iterable[Finding]) -> list[Finding]:
        """Take partial findings of the first run (see `streams`); returns them."""
        new = list(findings)
        self.findings.extend(new)
        self.streamed += len(new)
        self._count(new)
        return new

    def finished(
        self,
        ids: tuple[str, ...] | None,
        report: LintReport,
        shared: Sequence[Finding] | None = None,
        shared_stamp: tuple | None = None,
    ) -> LintRun | None:
        """Take a run's findings (replacing those of the ids it covered), and the shared
        definitions' own findings when it computed them (`shared`, at `shared_stamp`; None:
        those held stay); the next run, if any."""
        self.running = False
        stored = report.stored if ids is None else None
        streamed_all = (
            ids is None
            and not stored
            and not self.stored
            and self.streamed == len(report.findings) == len(self.findings)
        )
        if not streamed_all:  # else the counts made while streaming are those of the report
            self._counts = None
            self.counts_version += 1
        self.streamed = 0
        if ids is None:
            self.findings = list(report.findings)
            self.stored = stored if stored is not None else StoredFindings.empty()
            self.linted_schemas = report.schemas
        else:
            redone = set(ids)
            self.findings = [f for f in self.findings if f.schema_id not in redone]
            self.findings.extend(report.findings)
            self.stored = self.stored.without(redone)
        if shared is not None:
            self._take_shared(ids, shared, shared_stamp)
        if self._full_again:
            self._full_again = False
            self._pending = None
            return self.request(None)
        if self._pending:
            pending, self._pending = sorted(self._pending), None
            return self.request(pending)
        return None

    def _take_shared(
        self, ids: tuple[str, ...] | None, shared: Sequence[Finding], stamp: tuple | None
    ) -> None:
        """The definitions' findings in place of those held (a whole run's `findings` are
        the report's: none held)."""
        self.shared_stamp = stamp
        dropped = ids is not None and self._holds_shared
        if dropped:
            self.findings = [f for f in self.findings if not is_shared_id(f.schema_id)]
        self._holds_shared = bool(shared)
        errors = sum(1 for f in shared if f.severity == "error")
        self.shared_counts = (errors, len(shared) - errors)
        if not (shared or dropped):
            return  # nothing held, nothing new: the counts stand
        self.findings.extend(shared)
        self._counts = None
        self.counts_version += 1

    def failed(self) -> None:
        """The run raised: nothing runs after it until asked again."""
        self.running = False

    def forget(self, schema_ids: Iterable[str]) -> None:
        """Drop the findings of files that are gone."""
        gone = set(schema_ids)
        if not gone:
            return
        self.findings = [f for f in self.findings if f.schema_id not in gone]
        self.stored = self.stored.without(gone)
        self.counts_version += 1
        if self._counts is not None:
            for schema_id in gone:
                self._counts.pop(schema_id, None)

    def counts(self) -> Counts:
        """Errors and warnings per schema id, for the tree's badges (kept between runs:
        the tree asks on every redraw)."""
        if self._counts is None:
            self._counts = dict(self.stored.counts)
            self._count(self.findings)
        return self._counts

    def _count(self, findings: Iterable[Finding]) -> None:
        """Add findings to the counts (tallied in C: 450,000 findings in a tenth of the
        time a loop takes on the UI thread)."""
        counts = self._counts
        if counts is None:
            return
        self.counts_version += 1
        findings = findings if isinstance(findings, list) else list(findings)
        tally = Counter(zip(map(_schema_id, findings), map(_severity, findings), strict=True))
        for (schema_id, severity), number in tally.items():
            errors, warnings = counts.get(schema_id, (0, 0))
            if severity == "error":
                counts[schema_id] = (errors + number, warnings)
            else:
                counts[schema_id] = (errors, warnings + number)

    def errors_in(self, select: str) -> int:
        """Lint errors already found in the files of a select (no new lint run)."""
        found = sum(
            1 for f in self.findings if f.severity == "error" and in_select(f.schema_id, select)
        )
        stored = self.stored.counts.items()
        return found + sum(errors for key, (errors, _) in stored if in_select(key, select))

    @property
    def finding_count(self) -> int:
        return len(self.findings) + len(self.stored)

    def all_findings(self) -> list[Finding]:
        """Every finding, the stored ones decoded (O(findings): not for redraws)."""
        return [*self.findings, *self.stored.all()] if self.stored else self.findings
