"""One reported change, and the class of a list of them.

A `Change` holds its `ChangeKind`; its code and class are read from the kind, so they always
agree with the table in `kinds.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reflekt.core.diff.kinds import NONE, RANK, ChangeClass, ChangeKind


@dataclass(frozen=True)
class Change:
    """One difference between two schemas.

    `path` is the property path (`cart_id`, `address.city`, `products[].sku`), empty for the
    event itself. `old`/`new` are the values compared (None when absent). `cause`: the
    shared definition (`$ref`) the changed part comes from, when it does (`causes.py`).
    """

    kind: ChangeKind
    path: str
    message: str
    old: Any = None
    new: Any = None
    cause: str | None = None

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def change_class(self) -> ChangeClass:
        return self.kind.change_class

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "path": self.path,
            "class": self.change_class,
            "message": self.message,
            "old": self.old,
            "new": self.new,
            **({"cause": self.cause} if self.cause else {}),
        }


def classify(changes: Iterable[Change]) -> ChangeClass:
    """The highest class among the changes ("NONE" for no change)."""
    result: ChangeClass = NONE
    for change in changes:
        if RANK[change.change_class] > RANK[result]:
            result = change.change_class
    return result
