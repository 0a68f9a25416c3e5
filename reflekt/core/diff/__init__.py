"""The diff: typed changes between two event schemas, classified by the seed's versioning.

- `kinds`: every kind of change as one table (`ChangeKind(code, change_class, category,
  purpose)`, `KINDS`); a change's class always comes from it.
- `structural`: `diff_schemas(old, new, settings) -> list[Change]`, recursing into nested
  objects and array items.
- `versioning`: `required_version`, `event_diff` (per event: changes, class, required version,
  verdict) and `DiffReport` (a selection against a registry or a git ref; built by
  `reflekt.core.registries.compare()`).
- `settings`: `DiffSettings.of(project)`, the project's `diff:` options.

Pure: no I/O.
"""

from reflekt.core.diff.changes import Change, classify
from reflekt.core.diff.kinds import (
    BY_CODE,
    KINDS,
    MAJOR,
    MINOR,
    NONE,
    ChangeClass,
    ChangeKind,
)
from reflekt.core.diff.settings import DEFAULT_SETTINGS, DiffSettings
from reflekt.core.diff.structural import diff_schemas
from reflekt.core.diff.versioning import (
    BREAKING,
    COMPATIBLE,
    FAIL_ON,
    NEW,
    REMOVED,
    UNBUMPED,
    UNCHANGED,
    VERDICTS,
    DiffReport,
    EventDiff,
    FailOn,
    Verdict,
    event_diff,
    required_version,
    unchanged_event,
)

__all__ = [
    "BREAKING",
    "BY_CODE",
    "COMPATIBLE",
    "DEFAULT_SETTINGS",
    "FAIL_ON",
    "KINDS",
    "MAJOR",
    "MINOR",
    "NEW",
    "NONE",
    "REMOVED",
    "UNBUMPED",
    "UNCHANGED",
    "VERDICTS",
    "Change",
    "ChangeClass",
    "ChangeKind",
    "DiffReport",
    "DiffSettings",
    "EventDiff",
    "FailOn",
    "Verdict",
    "classify",
    "diff_schemas",
    "event_diff",
    "required_version",
    "unchanged_event",
]
