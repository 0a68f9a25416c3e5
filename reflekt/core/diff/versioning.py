"""Per event: the changes against a base, the version they call for, and a verdict.

Why: a change class alone does not tell CI what to do; what matters is whether the local
file's version promises it. `event_diff` compares the local latest version of an event with
its base (registry or git ref) and says `breaking` when a MAJOR change has no MAJOR bump,
`unbumped` when a MINOR change has no bump. `DiffReport` holds a selection's events and maps
them to an exit code under a `--fail-on` policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

from reflekt.core.diff import kinds as K
from reflekt.core.diff.changes import Change, classify
from reflekt.core.diff.kinds import MAJOR, MINOR, NONE, ChangeClass
from reflekt.core.diff.settings import DEFAULT_SETTINGS, DiffSettings
from reflekt.core.diff.structural import diff_schemas
from reflekt.core.schemas import Version

Verdict = Literal["unchanged", "compatible", "breaking", "unbumped", "new", "removed"]

UNCHANGED: Final = "unchanged"
COMPATIBLE: Final = "compatible"  # changes, and the version was bumped enough
BREAKING: Final = "breaking"  # a MAJOR change without a MAJOR version bump
UNBUMPED: Final = "unbumped"  # a MINOR change without a version bump
NEW: Final = "new"
REMOVED: Final = "removed"
VERDICTS: Final[tuple[Verdict, ...]] = (UNCHANGED, COMPATIBLE, UNBUMPED, BREAKING, NEW, REMOVED)

FailOn = Literal["breaking", "any", "never"]
FAIL_ON: Final[tuple[FailOn, ...]] = ("breaking", "any", "never")


def required_version(base: Version, change_class: ChangeClass) -> Version:
    """The lowest version that a schema with `change_class` changes over `base` must carry."""
    if change_class == MAJOR:
        return Version(base.major + 1, 0)
    if change_class == MINOR:
        return Version(base.major, base.minor + 1)
    return base


@dataclass(frozen=True)
class EventDiff:
    """The comparison of one event: local schema against the base (registry or git ref).

    `local_version` is the latest local version (None: the event exists only in the base);
    `base_version` the version it was compared with (None: a new event). `required_version`
    is what the local file should carry given the changes; `verdict` one of unchanged,
    compatible, breaking, unbumped, new, removed; `note` one readable sentence.
    """

    event_key: str
    name: str
    local_version: Version | None
    base_version: Version | None
    changes: tuple[Change, ...]
    change_class: ChangeClass
    required_version: Version | None
    verdict: Verdict
    note: str
    local_id: str | None = None
    # The two schemas compared (None where the event is on one side only), so views such as
    # the TUI's side by side need no second read or fetch.
    base_body: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    local_body: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def outcome(self) -> str:
        """The class and whether the version follows it, in words people read at a glance:
        `MAJOR change, version bumped: OK`, `MAJOR change, version not bumped: should be 2-0`.

        Why: the verdict `compatible` next to the class `MAJOR` read as a contradiction; the
        verdict says the version promises the change, and that is what this sentence says.
        """
        if self.verdict == UNCHANGED:
            return "no change"
        if self.verdict == NEW:
            return "new event"
        if self.verdict == REMOVED:
            return "removed"
        if self.change_class == NONE:
            return "documentation change only, no version bump needed: OK"
        if self.verdict == COMPATIBLE:
            return f"{self.change_class} change, version bumped: OK"
        local, base = self.local_version, self.base_version
        if local is not None and base is not None and local > base:
            return (
                f"{self.change_class} change, version bumped too little ({local}): "
                f"should be {self.required_version}"
            )
        return f"{self.change_class} change, version not bumped: should be {self.required_version}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event_key,
            "name": self.name,
            "local_id": self.local_id,
            "local_version": str(self.local_version) if self.local_version else None,
            "base_version": str(self.base_version) if self.base_version else None,
            "required_version": str(self.required_version) if self.required_version else None,
            "class": self.change_class,
            "verdict": self.verdict,
            "note": self.note,
            "outcome": self.outcome,
            "changes": [change.to_dict() for change in self.changes],
        }


def event_diff(
    event_key: str,
    name: str,
    local: tuple[Version, dict[str, Any]] | None,
    base: tuple[Version, dict[str, Any]] | None,
    local_id: str | None = None,
    settings: DiffSettings = DEFAULT_SETTINGS,
) -> EventDiff:
    """Compare the local latest version of an event with its base version.

    `settings` are the project's diff options (`DiffSettings.of(project)`).
    """
    if local is None and base is None:
        raise ValueError("event_diff needs a local or a base schema")
    if base is None:
        assert local is not None
        version = local[0]
        change = Change(K.EVENT_ADDED, "", f"new event (version {version})", None, str(version))
        return EventDiff(
            event_key,
            name,
            version,
            None,
            (change,),
            change.change_class,
            None,
            NEW,
            f"new event, version {version}",
            local_id,
            local_body=local[1],
        )
    if local is None:
        version = base[0]
        change = Change(K.EVENT_REMOVED, "", "event removed", str(version), None)
        return EventDiff(
            event_key,
            name,
            None,
            version,
            (change,),
            change.change_class,
            None,
            REMOVED,
            f"event not in the local selection (base has {version})",
            local_id,
            base_body=base[1],
        )
    local_version, local_body = local
    base_version, base_body = base
    changes = tuple(diff_schemas(base_body, local_body, settings))
    if not changes:
        return unchanged_event(event_key, name, local, base, local_id)
    change_class = classify(changes)
    needed = required_version(base_version, change_class)
    verdict: Verdict
    if change_class == MAJOR and local_version.major <= base_version.major:
        verdict = BREAKING
        note = f"breaking change: this needs {needed}, the file says {local_version}"
    elif change_class == MINOR and not local_version > base_version:
        verdict = UNBUMPED
        note = f"compatible change: this needs {needed}, the file says {local_version}"
    elif change_class == NONE:
        verdict, note = COMPATIBLE, "documentation only"
    else:
        verdict = COMPATIBLE
        note = f"{change_class.lower()} change, bumped to {local_version}"
        if needed is not None and local_version != needed:
            note += f" ({needed} would do)"
    return EventDiff(
        event_key,
        name,
        local_version,
        base_version,
        changes,
        change_class,
        needed,
        verdict,
        note,
        local_id,
        base_body=base_body,
        local_body=local_body,
    )


def unchanged_event(
    event_key: str,
    name: str,
    local: tuple[Version, dict[str, Any]],
    base: tuple[Version, dict[str, Any]],
    local_id: str | None = None,
) -> EventDiff:
    """An event with no change between `base` and `local`: what `event_diff` answers when
    the diff finds none, and what `reflekt diff --against git:REF` answers without the diff
    for an event whose files are byte-identical at the ref (`compare`)."""
    base_version = base[0]
    return EventDiff(
        event_key,
        name,
        local[0],
        base_version,
        (),
        classify(()),
        required_version(base_version, classify(())),
        UNCHANGED,
        "no change",
        local_id,
        base_body=base[1],
        local_body=local[1],
    )


# (verdict, class of a compatible event) -> the words after the count, singular and plural.
_TALLY: Final[tuple[tuple[tuple[Verdict, str], tuple[str, str]], ...]] = (
    ((BREAKING, ""), ("needs a MAJOR version bump", "need a MAJOR version bump")),
    ((UNBUMPED, ""), ("needs a MINOR version bump", "need a MINOR version bump")),
    ((REMOVED, ""), ("removed", "removed")),
    ((NEW, ""), ("new", "new")),
    ((COMPATIBLE, MAJOR), ("bumped correctly (MAJOR)", "bumped correctly (MAJOR)")),
    ((COMPATIBLE, MINOR), ("bumped correctly (MINOR)", "bumped correctly (MINOR)")),
    ((COMPATIBLE, NONE), ("documentation only", "documentation only")),
    ((UNCHANGED, ""), ("unchanged", "unchanged")),
)


@dataclass(frozen=True)
class DiffReport:
    """A selection compared with a base: `against` names it (`segment/ecommerce`, `git:HEAD`)."""

    against: str
    events: tuple[EventDiff, ...] = field(default_factory=tuple)
    # Against a git ref, a removed schema file is a removal in the change under review (a
    # breaking one). Against a registry, "removed" only means "not in the local selection":
    # push leaves such rules alone, so they do not fail the check.
    removal_breaks: bool = False

    def count(self, verdict: Verdict) -> int:
        return sum(1 for event in self.events if event.verdict == verdict)

    @property
    def changed(self) -> list[EventDiff]:
        return [event for event in self.events if event.verdict != UNCHANGED]

    @property
    def breaking(self) -> list[EventDiff]:
        return [event for event in self.events if event.verdict == BREAKING]

    def summary(self) -> dict[str, int]:
        return {verdict: self.count(verdict) for verdict in VERDICTS}

    def tally(self) -> tuple[tuple[str, Verdict], ...]:
        """The counts in the outcome's words, most urgent first, each with its verdict (for
        colour): `1 needs a MAJOR version bump`, `2 bumped correctly (MAJOR)`, `3 unchanged`.

        Why: `1 compatible` counted a correctly bumped MAJOR change as if it were compatible;
        what the reader needs is what to fix and what is fine, as `EventDiff.outcome` says.
        """
        counts: dict[tuple[Verdict, str], int] = {}
        for event in self.events:
            key = (event.verdict, event.change_class if event.verdict == COMPATIBLE else "")
            counts[key] = counts.get(key, 0) + 1
        parts: list[tuple[str, Verdict]] = []
        for (verdict, change_class), (one, many) in _TALLY:
            count = counts.get((verdict, change_class), 0)
            if count:
                parts.append((f"{count} {one if count == 1 else many}", verdict))
        return tuple(parts)

    def summary_line(self) -> str:
        """`Compared 3 events with git:main: 1 needs a MAJOR version bump, 2 unchanged.`"""
        total = len(self.events)
        words = ", ".join(part for part, _ in self.tally()) or "nothing to compare"
        return f"Compared {total} event{'' if total == 1 else 's'} with {self.against}: {words}."

    def exit_code(self, fail_on: FailOn = "breaking") -> int:
        """1 when the report fails the `--fail-on` policy, else 0."""
        if fail_on == "never":
            return 0
        if fail_on == "any":
            return 1 if self.changed else 0
        if self.removal_breaks and self.count(REMOVED):
            return 1
        return 1 if self.breaking else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "against": self.against,
            "summary": self.summary(),
            "summary_line": self.summary_line(),
            "events": [event.to_dict() for event in self.events],
        }
