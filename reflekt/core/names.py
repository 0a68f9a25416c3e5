"""Registry names -> folder names: one documented, injective, filesystem-safe rule.

Why: an event name comes from outside (a Segment rule key, an Avo event name) and becomes a
folder under `schemas/<registry>/<plan>/`. A name such as `..`, `.git`, `Cart/Viewed` or
`Cart\tViewed` must neither leave that folder nor silently share a folder with another event.

The rule (`event_folder(name)`), applied to the NFC form of the name, character by character:
- a space becomes `_` (the seed's rule: `Cart Viewed` -> `Cart_Viewed`);
- letters, digits, marks, punctuation and symbols stay as they are, except the ones below;
- these become `%XX`, the upper-case hex of each of their UTF-8 bytes (a lone surrogate is
  encoded as if it were a character): `%` itself (so the escape is reversible), `/` `\\`
  `:` `*` `?` `"` `<` `>` `|` (separators and characters Windows or macOS reserve), `{` `}`
  (so no template syntax can form in a path), every control, format (bidi overrides,
  zero-width), private-use, unassigned or surrogate code point, and every space other than
  U+0020 (tab, no-break space, line separator, ...); a combining mark right after an escape
  is escaped too (so the folder is itself NFC);
- a leading `.` and a trailing `.` become `%2E` (no hidden folders, no `.`/`..`, nothing
  Windows would strip);
- a folder that would end in `.json` (any case) has that `.` escaped (`0.json` -> `0%2Ejson`):
  an event folder never looks like a schema file to lint, pull or `--select`;
- a folder whose part before the first `.` is a Windows device name (CON, PRN, AUX, NUL,
  COM0-9, LPT0-9, CONIN$, CONOUT$, any case) has its first character escaped (`%4EUL`);
- the empty name is the folder `%`;
- a folder longer than `MAX_FOLDER_BYTES` (200) UTF-8 bytes keeps as many whole characters
  (or escapes) as fit in 182 bytes, then `%~` and the first 16 hex digits of the SHA-256 of
  the full folder: stable across runs and machines. `%~` is produced by nothing else.

So the folder never holds `/`, a control character or a reserved name, is never `.`, `..` or
empty, is at most 200 bytes, and is NFC. The rule is injective except for one documented
equivalence inherited from the seed: a space and a literal `_` give the same folder
(`Cart Viewed` and `Cart_Viewed` -> `Cart_Viewed`). `folder_key(name)` is that equivalence:
two names share a folder exactly when their keys are equal. Pull reports such pairs as
collisions (and the NFC/NFD forms of one name) instead of letting one overwrite the other;
the real name always stays in `self.name`.

- `event_folder(name) -> str`, `folder_key(name) -> str`, `name_of_folder(folder) -> str|None`
  (the canonical name back, spaces for `_`; None for a hashed folder).
- `check_folder_component(text, *, what) -> str | None`: why `text` is not usable as one
  folder as given (plan names in `--select`), None when fine.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_FOLDER_BYTES = 200
HASH_MARK = "%~"
HASH_DIGITS = 16
EMPTY_FOLDER = "%"
_ALWAYS_ESCAPED = frozenset('%/\\:*?"<>|{}')
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
_MARK_CATEGORIES = frozenset({"Mn", "Mc", "Me"})
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_ -]{1,200}")  # see `event_folder`
WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")}
)


def _hex(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


def _must_escape(char: str) -> bool:
    if char == " ":
        return False
    return char in _ALWAYS_ESCAPED or unicodedata.category(char) in _ESCAPED_CATEGORIES


def _units(name: str) -> list[str]:
    """The folder as a list of units: one per character of the NFC name."""
    units: list[str] = []
    escaped_before = False
    for index, char in enumerate(name):
        category = unicodedata.category(char)
        if char == "." and index in (0, len(name) - 1):
            unit = _hex(char)
        elif char == " ":
            unit = "_"
        elif _must_escape(char) or (category in _MARK_CATEGORIES and escaped_before):
            unit = _hex(char)
        else:
            unit = char
        escaped_before = unit.startswith("%")
        units.append(unit)
    if len(units) >= 5 and units[-5] == "." and "".join(units[-4:]).lower() == "json":
        units[-5] = _hex(".")
    stem = "".join(units).split(".", 1)[0]
    if stem.upper() in WINDOWS_DEVICES:
        units[0] = _hex(units[0])
    return units


def _nfc(name: str) -> str:
    try:
        return unicodedata.normalize("NFC", name)
    except UnicodeError:  # pragma: no cover - normalize accepts every str today
        return name


def event_folder(name: str) -> str:
    """The folder of an event named `name` (see the module docstring for the rule)."""
    if _PLAIN_NAME.fullmatch(name) and name.upper() not in WINDOWS_DEVICES:
        # ASCII letters, digits, `_`, `-` and spaces, short: nothing to escape, already NFC
        # (lint asks this of every schema; the rule below goes character by character).
        return name.replace(" ", "_")
    name = _nfc(str(name))
    if not name:
        return EMPTY_FOLDER
    units = _units(name)
    folder = "".join(units)
    if len(folder.encode("utf-8")) <= MAX_FOLDER_BYTES:
        return folder
    digest = hashlib.sha256(folder.encode("utf-8")).hexdigest()[:HASH_DIGITS]
    budget = MAX_FOLDER_BYTES - len(HASH_MARK) - HASH_DIGITS
    kept: list[str] = []
    used = 0
    for unit in units:
        size = len(unit.encode("utf-8"))
        if used + size > budget:
            break
        kept.append(unit)
        used += size
    return "".join(kept) + HASH_MARK + digest


def folder_key(name: str) -> str:
    """Names with equal keys share a folder: the NFC form with `_` written as a space."""
    return _nfc(str(name)).replace("_", " ")


def name_of_folder(folder: str) -> str | None:
    """The canonical name a folder stands for (`_` read as a space); None when hashed."""
    if HASH_MARK in folder:
        return None
    if folder == EMPTY_FOLDER:
        return ""
    out = bytearray()
    i = 0
    while i < len(folder):
        if folder[i] == "%" and _is_hex(folder[i + 1 : i + 3]):
            out.append(int(folder[i + 1 : i + 3], 16))
            i += 3
            continue
        out.extend((" " if folder[i] == "_" else folder[i]).encode("utf-8", "surrogatepass"))
        i += 1
    try:
        return out.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None


def _is_hex(text: str) -> bool:
    return len(text) == 2 and all(c in "0123456789ABCDEF" for c in text)


def check_folder_component(text: str, *, what: str = "name") -> str | None:
    """Why `text` cannot be one folder as it is (None when it can)."""
    if not text.strip():
        return f"the {what} is empty"
    if text in (".", "..") or text.strip() in (".", ".."):
        return f"the {what} '{text}' would leave its folder"
    if text.startswith("."):
        return f"the {what} '{text}' starts with '.' (a hidden folder)"
    if any(c in "/\\" for c in text):
        return f"the {what} '{text}' holds a path separator"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in text):
        return f"the {what} {text!r} holds control or format characters"
    if len(text.encode("utf-8", "surrogatepass")) > 255:
        return f"the {what} is longer than 255 bytes"
    return None
