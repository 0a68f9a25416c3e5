"""Identifiers for generated code, by one stable rule (the README's "Names in generated code").

1. The wire name is folded to ASCII (NFKD, accents dropped: `Café` -> `Cafe`) and cut into
   words at every character that is not a letter or digit and at case changes
   (`casing.split_words`: `Order ID` -> Order, ID; `cartViewed` -> cart, Viewed).
2. The words are joined in the style the language uses for that kind of name: PascalCase
   for types, camelCase for TypeScript functions, snake_case for Python functions.
   Acronyms stay (`Order ID` -> `OrderID`, `orderID`, `order_id`).
3. A name with no letter or digit left becomes the fallback (`Event`, `event`). A name that
   starts with a digit gets a leading `_` (`1st Visit` -> `_1stVisit`). A reserved word of
   the language, or a name the generated module itself uses, gets a trailing `_`
   (`delete` -> `delete_`).
4. Names that still collide (`Cart Viewed` and `CartViewed` both give `CartViewed`) are
   taken in the order of their wire names (code point order): the first keeps the name, the
   next get `_2`, `_3`, ... So a collision is decided by the names alone, never by file order.
5. Within one module the kinds are named in one order, the same in every language
   (`name_events`): first every event's type, then every event's function, each kind in
   the events' wire-name order (then major version, then folder); then the nested types,
   as each event's section is written (sections in event-key order, fields in schema
   order). So where names of two kinds clash (`1st Visit`: the type and the TypeScript
   function are both `_1stVisit`), the type keeps the name and the function gets `_2`.

The wire name (what `track()` sends) is always the event's real name: only the identifiers
that code calls are made here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from reflekt.core.casing import split_words

if TYPE_CHECKING:
    from reflekt.core.codegen.model import CodeEvent

Style = Literal["pascal", "camel", "snake"]


def words_of(wire: str) -> list[str]:
    """The ASCII words of a name (rule 1)."""
    folded = unicodedata.normalize("NFKD", wire).encode("ascii", "ignore").decode("ascii")
    return split_words(folded)


def _capitalised(word: str) -> str:
    return word if len(word) > 1 and word.isupper() else word[:1].upper() + word[1:].lower()


def styled(wire: str, style: Style, fallback: str) -> str:
    """`wire` as one identifier in `style` (rules 1-3, without the reserved words)."""
    words = words_of(wire)
    if not words:
        return fallback
    if style == "snake":
        text = "_".join(word.lower() for word in words)
    elif style == "pascal":
        text = "".join(_capitalised(word) for word in words)
    else:
        text = words[0].lower() + "".join(_capitalised(word) for word in words[1:])
    return f"_{text}" if text[0].isdigit() else text


class Namer:
    """Hands out identifiers unique within one scope (a module, or one type's fields).

    `reserved` are the language's keywords and the names the generated code uses itself;
    a styled name equal to one gets a trailing `_` (rule 3). Every name handed out is
    remembered, so later calls never reuse it (rule 4 within a call, first come across calls).
    """

    def __init__(self, reserved: Collection[str] = ()) -> None:
        self._reserved = frozenset(reserved)
        self._taken: set[str] = set()

    def take(self, name: str) -> str:
        """`name` itself if free, else `name_2`, `name_3`, ...; then taken."""
        if name in self._reserved:
            name = f"{name}_"
        candidate, number = name, 1
        while candidate in self._taken or candidate in self._reserved:
            number += 1
            candidate = f"{name}_{number}"
        self._taken.add(candidate)
        return candidate

    def assign(
        self, wires: Iterable[str], style: Style, *, fallback: str, suffix: str = ""
    ) -> dict[str, str]:
        """An identifier for each distinct wire name, `styled(...) + suffix`, collisions
        settled in wire-name order (rule 4)."""
        return {
            wire: self.take(styled(wire, style, fallback) + suffix) for wire in sorted(set(wires))
        }


@dataclass(frozen=True)
class EventIdentifiers:
    """An event's two module-level names: its (properties) type and its function."""

    type: str
    function: str


def naming_order(event: CodeEvent) -> tuple[str, int, str]:
    """Where an event's names come within a kind (rules 4 and 5): by wire name, then
    major version, then folder."""
    return (event.wire_name, event.major or 0, event.folder)


def section_order(events: Iterable[CodeEvent]) -> list[CodeEvent]:
    """The events in the order their sections are written (event key, then folder): the
    order in which their nested types are named (rule 5)."""
    return sorted(events, key=lambda event: (event.key, event.folder))


def name_events(
    events: Sequence[CodeEvent],
    namer: Namer,
    *,
    type_name: Callable[[CodeEvent], str],
    function_name: Callable[[CodeEvent], str],
) -> dict[str, EventIdentifiers]:
    """Each event's type and function names, by event key, in the one order of rule 5:
    every type, then every function (each in `naming_order`), taken from `namer`; the
    nested types come after, from the same namer. `type_name` and `function_name` give an
    event's styled name in the language (`styled(...)` with its affixes)."""
    ordered = sorted(events, key=naming_order)
    types = {event.key: namer.take(type_name(event)) for event in ordered}
    functions = {event.key: namer.take(function_name(event)) for event in ordered}
    return {key: EventIdentifiers(types[key], functions[key]) for key in types}
