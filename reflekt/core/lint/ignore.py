"""`lint.ignore` in reflekt_project.yml: rules switched off for some schemas or properties.

Why: a project-wide `lint.rules: {RF301: off}` is too coarse for one legacy event whose name
cannot change (data already flows under it). reflekt 0.6 wrote `"lint": false` into the
schema's `self` or a property; here the switch lives in the project file, next to the other
lint settings, so schema files stay plain JSON Schema (nothing non-standard reaches a
registry) and one look at reflekt_project.yml shows every exception::

    lint:
      ignore:
        - select: segment/ecommerce/Legacy_Event        # a plan, an event, or one version
          rules: [event-casing, event-numbers]          # codes or names; none: every rule
        - select: segment/ecommerce/Cart_Viewed/1-0
          property: legacyProp                          # and the properties nested in it
          rules: [property-casing]
          reason: "sent by the iOS app since 2019"

A finding is dropped when some entry selects its schema, names its rule (or names none) and,
when the entry has a `property`, the finding is about that property or one inside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reflekt.core.errors import ConfigError
from reflekt.core.project import LintIgnore, Project
from reflekt.core.select import normalize_select


@dataclass(frozen=True)
class _Entry:
    select: str  # normalised: "segment/ecommerce/Legacy_Event"
    codes: frozenset[str]  # empty: every rule
    property: str | None


class LintIgnores:
    """The project's `lint.ignore` entries, resolved to rule codes, ready to match findings."""

    def __init__(self, project: Project, known: Mapping[str, str]) -> None:
        self.entries = tuple(_resolve(project, entry, known) for entry in project.lint_ignores)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def ignores(self, schema_id: str, code: str, prop: str | None) -> bool:
        """Whether a finding of rule `code` on `schema_id` (about `prop`) is switched off."""
        stem = schema_id.removesuffix(".json")
        for entry in self.entries:
            if entry.codes and code not in entry.codes:
                continue
            if entry.select and stem != entry.select and not stem.startswith(entry.select + "/"):
                continue
            if entry.property is not None and not _within(prop, entry.property):
                continue
            return True
        return False


def _within(prop: str | None, parent: str) -> bool:
    return prop is not None and (prop == parent or prop.startswith(parent + "."))


def _resolve(project: Project, entry: LintIgnore, known: Mapping[str, str]) -> _Entry:
    codes = set()
    for rule in entry.rules:
        if rule not in known:
            raise ConfigError(
                f"lint.ignore: unknown rule '{rule}' (select {entry.select})",
                file=project.config_path,
                hint="`reflekt lint --list-rules` shows the codes and names",
            )
        codes.add(known[rule])
    return _Entry(normalize_select(entry.select), frozenset(codes), entry.property)
