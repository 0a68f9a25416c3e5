"""How a project wants some changes classified (`diff:` in reflekt_project.yml).

Why: whether a widened type (`integer` -> `number`, `"null"` added) breaks anything depends on
what the team promises. By default it is MAJOR, as the seed's versioning says ("change a
property's type"): the warehouse column changes type. `diff.type_widening: minor` is for teams
that version by data validity (data collected before stays valid). The setting picks which
kind is emitted (TYPE_WIDENED or TYPE_WIDENED_ALLOWED), never a class beside the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from reflekt.core.project import Project

TypeWidening = Literal["major", "minor"]
TYPE_WIDENING_CHOICES: Final[tuple[TypeWidening, ...]] = ("major", "minor")


@dataclass(frozen=True)
class DiffSettings:
    """The project's diff options; the defaults are the seed's versioning rules."""

    type_widening: TypeWidening = "major"

    @classmethod
    def of(cls, project: Project | None) -> DiffSettings:
        """The settings of `project` (the defaults without one)."""
        if project is None:
            return cls()
        return cls(type_widening="minor" if project.diff_type_widening == "minor" else "major")


DEFAULT_SETTINGS: Final = DiffSettings()
