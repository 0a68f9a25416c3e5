"""Outside text (names, descriptions, messages) for widgets: never markup, never terminal codes.

Why: Textual reads a plain `str` given to a DataTable cell, a Static, a tree label or a
notification as markup (`[/red]` in a description crashed the schema view), and it passes
ESC sequences in a `Text` straight to the terminal. Widgets wrap every outside string here.

- `clean(value) -> str`: `escape.terminal_text` of `str(value)` (to append to a `Text`).
- `plain(value, style="") -> Text`: a `Text` holding exactly that (no markup parsing).
- `markup_literal(value) -> str`: for places that take markup strings (DataTable str cells):
  `clean` with rich markup escaped, so it shows as written.
"""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text

from reflekt.core.escape import terminal_text


def clean(value: object) -> str:
    return terminal_text(str(value))


def plain(value: object, style: str = "") -> Text:
    return Text(clean(value), style=style)


def markup_literal(value: object) -> str:
    return escape(clean(value))
