"""Key bindings by id: their keys as the user reads them, and the rows of the help screen.

Plain functions over classes that declare `BINDINGS`, so that the app (which knows every
screen) and a screen (which knows only itself and the app) both use them without a cycle.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from textual.binding import Binding
from textual.keys import KEY_NAME_REPLACEMENTS, REPLACED_KEYS, Keys, key_to_character

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
    """A row for every binding id on these (where, class) sources, keymap applied.

    An id declared twice (a screen repeats an app key for its footer) is listed once,
    where it is first declared.
    """
    keymap = keymap or {}
    rows: dict[str, BindingRow] = {}
    for where, cls in sources:
        for b in _bindings_with_ids(cls):
            if b.id and b.id not in rows:
                rows[b.id] = BindingRow(
                    where, pretty_keys(keymap.get(b.id, b.key)), b.description, b.id
                )
    return list(rows.values())


def key_hint(binding_id: str, keymap: Mapping[str, str], classes: Iterable[type]) -> str:
    """` (key)` for a palette entry: the key as remapped by the user, else the default one."""
    if binding_id in keymap:
        return f" ({pretty_keys(keymap[binding_id])})"
    for cls in classes:
        for binding in _bindings_with_ids(cls):
            if binding.id == binding_id:
                return f" ({pretty_keys(binding.key)})"
    return ""


# -- checking the user's remaps ----------------------------------------------------------------

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
NAMED_KEYS = frozenset(
    name
    for name in (key.value.rpartition("+")[2] for key in Keys)
    if len(name) > 1 and not name.startswith("<")
)


def _key_problem(key: str) -> str | None:
    if not key:
        return "an empty key"
    if len(key) == 1:
        return None if key.isprintable() and not key.isspace() else f"{key!r} is not a key"
    *modifiers, base = key.split("+")
    unknown = [m for m in modifiers if m not in MODIFIERS]
    if unknown:
        return f"{key!r}: {unknown[0]!r} is not a modifier (ctrl, shift, alt, meta, super)"
    if len(base) == 1 or base in NAMED_KEYS:
        return None
    if key_to_character(REPLACED_KEYS.get(base, base)) is not None:  # question_mark, slash
        return None
    return f"{key!r} is not a key (a character, or a name such as escape, f5, ctrl+l)"


def keys_problem(keys: str) -> str | None:
    """Why `keys` (comma-separated, as in `tui.bindings`) cannot be bound, or None."""
    for key in keys.split(","):
        problem = _key_problem(key.strip())
        if problem:
            return problem
    return None


def normalize_key(key: str) -> str:
    """A key as Textual names it in a key event (`?` -> `question_mark`, `/` -> `slash`)."""
    key = key.strip()
    if len(key) != 1 or key.isalnum():
        return key
    name = unicodedata.name(key, key).lower().replace("-", "_").replace(" ", "_")
    return KEY_NAME_REPLACEMENTS.get(name, name)


def class_bindings(cls: type) -> list[tuple[type, Binding]]:
    """Every binding a widget/screen class has, own and inherited, with the declaring class."""
    out: list[tuple[type, Binding]] = []
    for base in cls.__mro__:
        out.extend((base, b) for b in Binding.make_bindings(vars(base).get("BINDINGS", ())))
        if not vars(base).get("inherit_bindings", True):
            break
    return out


@dataclass(frozen=True)
class KeymapCheck:
    """The remaps that can be applied, and what is wrong with the others (one line each)."""

    keymap: dict[str, str]
    problems: tuple[str, ...]


def check_keymap(
    keymap: Mapping[str, str],
    chains: Iterable[Sequence[type]],
    where: Mapping[type, str],
) -> KeymapCheck:
    """Drop remaps that are not keys, or that take a key already bound where they work.

    A chain is the classes whose bindings answer a key at one time (the focused widget, its
    screen, the app): two actions on one key there means one of them never runs. Only
    conflicts a remap makes are reported; the dropped remaps keep their default keys.
    """
    problems: list[str] = []
    valid: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        problem = keys_problem(keys)
        if problem:
            problems.append(f"{binding_id}: {problem}; the default key is kept")
        else:
            valid[binding_id] = keys
    clashes: dict[str, str] = {}
    for chain in chains:
        taken: dict[str, tuple[str, str, str]] = {}  # key -> (name, action, where)
        for cls in chain:
            for owner, binding in class_bindings(cls):
                remapped = binding.id in valid
                keys = valid[binding.id] if binding.id and remapped else binding.key
                name = binding.id or binding.action
                place = where.get(owner, owner.__name__)
                for key in (normalize_key(k) for k in keys.split(",")):
                    other = taken.get(key)
                    if other is None:
                        taken[key] = (name, binding.action, place)
                    elif other[0] != name and other[1] != binding.action:
                        for mine, theirs in ((name, other), (other[0], (name, "", place))):
                            if mine in valid and mine not in clashes:
                                clashes[mine] = f"{theirs[0]} ({theirs[2]})"
    for binding_id, other in clashes.items():
        problems.append(
            f"{binding_id}: {pretty_keys(valid.pop(binding_id))} is already {other}; "
            "the default key is kept"
        )
    return KeymapCheck(valid, tuple(problems))
