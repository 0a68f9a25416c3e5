"""How RudderStack's warehouse destinations name tables and columns.

RudderStack's open-source warehouse transformer (rudder-server, `warehouse/transformer`:
`transformTableName`, `transformColumnName`, `safeName`, `excludeRudderCreatedTableNames`)
names a track() event's table, and a property's column, like this:

1. the name is cut into runs of ASCII letters and digits (anything else, `-`, spaces,
   accents, emoji, separates runs and is dropped) and the runs are joined with `_`;
2. the result is snake_cased word by word, lodash style, numbers kept with their letters
   (`Plan v2 Selected` -> `plan_v2_selected`, `abc123def` -> `abc123_def`);
3. leading underscores of the original name are kept (`_private` -> `_private`);
4. a name that starts with a digit gets a `_` prefix (`3D Viewed` -> `_3d_viewed`);
5. a name that is a reserved keyword of the destination warehouse gets a `_` prefix
   (`Order` -> `_order`, a property `from` -> column `_from`);
6. a track() event's table that would be one of RudderStack's own tables gets a `_` prefix
   (`Users` -> `_users`, `Pages` -> `_pages`).

RudderStack keeps one reserved-keyword list per destination; Reflekt does not ship those
lists: the caller passes its own set of SQL reserved words, and `candidates` gives both the
prefixed and the bare name, so the build takes whichever the warehouse actually holds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable

from reflekt.core.platforms.segment import safe_identifier

# Tables RudderStack writes itself: an event table never takes one of these names.
OWN_TABLES = frozenset(
    {"tracks", "pages", "screens", "aliases", "groups", "accounts", "users", "identifies"}
)

_RUN = re.compile(r"[A-Za-z0-9]+")
# ASCII characters that separate words (what lodash's `words` calls a break), as a class.
_BREAK = r"\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f"
# lodash's word pattern with numbers kept, for ASCII input, alternatives in lodash's order
# (the first that matches at a position wins).
_WORD = re.compile(
    "|".join(
        [
            r"[A-Z]?[a-z]+[0-9]+",  # abc123, Abc123
            r"[A-Z]+[0-9]+",  # ABC123
            r"[0-9]+[A-Z]?[a-z]+",  # 123abc, 123Abc
            r"[0-9]+[A-Z]+",  # 123ABC
            rf"[A-Z]?[a-z]+(?=[{_BREAK}]|[A-Z]|$)",  # a word, up to a break or a capital
            rf"[A-Z]+(?=[{_BREAK}]|[A-Z][a-z]|$)",  # an acronym before a word
            r"[A-Z]?[a-z]+",
            r"[A-Z]+",
            r"[0-9]*(?:1ST|2ND|3RD|(?![123])[0-9]TH)(?=\b|[a-z_])",
            r"[0-9]*(?:1st|2nd|3rd|(?![123])[0-9]th)(?=\b|[A-Z_])",
            r"[0-9]+",
        ]
    )
)


@functools.lru_cache(maxsize=1 << 16)
def snake_case(name: str) -> str:
    """RudderStack's snake_case of an event or property name (steps 1-4 of the module doc).

    A name with no ASCII letter, digit or leading `_` gives `_` plus a short hash
    (RudderStack drops such an event; the build still needs a valid, unique name to report
    it by).
    """
    joined = "_".join(_RUN.findall(name))
    words = "_".join(word.lower() for word in _WORD.findall(joined))
    leading = re.match(r"_*", name)
    prefix = leading.group(0) if leading else ""
    return safe_identifier(prefix + words, name)


def column_name(path: Iterable[str]) -> str:
    """The column of a (possibly nested) property before the reserved-word rule:
    `("address", "zipCode")` -> `address_zip_code` (RudderStack joins the path with `_`)."""
    return snake_case("_".join(path))


def candidates(name: str, reserved: Collection[str]) -> tuple[str, ...]:
    """The names a reserved word may have in the warehouse: `_order` (RudderStack's rule),
    then `order` (a destination whose list does not reserve it)."""
    if name.lower() in reserved:
        return ("_" + name, name)
    return (name,)


def event_table_candidates(event_name: str, reserved: Collection[str]) -> tuple[str, ...]:
    """The table names a track() event named `event_name` may land in, likeliest first."""
    table = snake_case(event_name)
    if table in OWN_TABLES:
        return ("_" + table,)
    return candidates(table, reserved)
