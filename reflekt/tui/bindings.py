"""Key bindings by id: their keys as the user reads them, and the rows of the help screen.

Plain functions over classes that declare `BINDINGS`, so that the app (which knows every
screen) and a screen (which knows only itself and the app) both use them without a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding

KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": "esc"}


@dataclass(frozen=True)
class BindingRow:
    """One line of the help screen: where the binding works, its keys, what it does, its id."""

    where: str
    keys: str
    description: str
    id: str

    def cells(self) -> tuple[str, str, str, str]:
        return (self.where, self.keys, self.description, self.id)


def pretty_keys(keys: str) -> str:
    """`question_mark,escape` -> `?, esc`."""
    return ", ".join(KEY_NAMES.get(key.strip(), key.strip()) for key in keys.split(","))


def _bindings_with_ids(cls: type) -> Iterable[Binding]:
    """The bindings the class itself declares (inherited ones are listed under their class)."""
    for binding in vars(cls).get("BINDINGS", ()):
        if isinstance(binding, Binding) and binding.id:
            yield binding


def binding_rows(
    sources: Iterable[tuple[str, type]], keymap: Mapping[str, str] | None = None
) -> list[BindingRow]:
    """A row for every binding with an id on these (where, class) sources, keymap applied."""
    keymap = keymap or {}
    return [
        BindingRow(where, pretty_keys(keymap.get(b.id, b.key)), b.description, b.id)
        for where, cls in sources
        for b in _bindings_with_ids(cls)
        if b.id
    ]


def key_hint(binding_id: str, keymap: Mapping[str, str], classes: Iterable[type]) -> str:
    """` (key)` for a palette entry: the key as remapped by the user, else the default one."""
    if binding_id in keymap:
        return f" ({pretty_keys(keymap[binding_id])})"
    for cls in classes:
        for binding in _bindings_with_ids(cls):
            if binding.id == binding_id:
                return f" ({pretty_keys(binding.key)})"
    return ""
