"""Naming conventions: precise patterns to check a name, and `suggest` to correct one.

The original reflekt checked casing by round-tripping names through `inflection`, which
rejected good names (`Order ID` -> "Order Id", `user_id` titleized to "User") and always
rejected digits. Here each casing is one documented regular expression; digits are allowed
by every pattern and are a separate check (`numbers: false` in the project conventions).

- `title`: words separated by single spaces; each word is a capital followed by lower-case
  letters or digits (`Cart`), an acronym of capitals and digits (`ID`, `URL`), or, after the
  first word, a number with an optional lower-case or capital suffix (`2`, `3D`, `2fa`).
  Good: `Cart Viewed`, `Order ID`. Bad: `cart viewed`, `CartViewed`, `Cart  Viewed`.
- `snake`: lower-case letters and digits in words joined by single `_`, starting with a
  letter. Good: `cart_id`, `step2_done`. Bad: `cartId`, `Cart_ID`, `_cart`, `cart__id`.
- `camel`: a lower-case letter, then only letters and digits. Good: `cartId`, `productSKU`.
  Bad: `CartId`, `cart_id`.
- `pascal`: a capital letter, then only letters and digits. Good: `CartViewed`, `OrderID`.
  Bad: `cartViewed`, `Cart_Viewed`.
- `snake_or_camel`: `snake` or `camel`, as Snowplow's schemas name properties (Iglu Central
  has both `link_click.targetUrl` and `web_page.id`). Good: `targetUrl`, `target_url`.
  Bad: `TargetUrl`, `target-url`.
- `any`: any non-empty name.

`camel` with `capitalize_camel: true` means PascalCase (as in the seed); callers pass
`NamingConvention.effective_casing`.

The warehouse column a property lands on is not a casing question: it is
`reflekt.core.platforms.segment.snake_case` (Segment's rule), used by both the dbt build and
lint's column-collision rule (RF314), so the two never disagree.
"""

from __future__ import annotations

import re

_TITLE_WORD = r"(?:[A-Z](?:[a-z0-9]*|[A-Z0-9]+)|[0-9](?:[a-z0-9]*|[A-Z0-9]*))"

PATTERNS: dict[str, re.Pattern[str]] = {
    "title": re.compile(rf"[A-Z](?:[a-z0-9]*|[A-Z0-9]+)(?: {_TITLE_WORD})*"),
    "snake": re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*"),
    "camel": re.compile(r"[a-z][a-zA-Z0-9]*"),
    "pascal": re.compile(r"[A-Z][a-zA-Z0-9]*"),
    "snake_or_camel": re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*|[a-z][a-zA-Z0-9]*"),
    "any": re.compile(r".+", re.DOTALL),
}

DESCRIPTIONS: dict[str, str] = {
    "title": "Title Case",
    "snake": "snake_case",
    "camel": "camelCase",
    "pascal": "PascalCase",
    "snake_or_camel": "snake_case or camelCase",
    "any": "any non-empty name",
}

_DIGIT_RE = re.compile(r"[0-9]")
# Words: an acronym with its digits (`HTTP` in `HTTPServer`, `ID2`), a capitalised or
# lower-case word with its digits (`Server`, `step2`, `2fa`), or a lone capital.
_WORD_RE = re.compile(r"[A-Z]+[0-9]*(?![a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]|[0-9]+")


def matches(name: str, casing: str) -> bool:
    """Whether `name` follows `casing` (one of title, snake, camel, pascal, any)."""
    return PATTERNS[casing].fullmatch(name) is not None


def has_digits(name: str) -> bool:
    return _DIGIT_RE.search(name) is not None


def split_words(name: str) -> list[str]:
    """`productID` -> [product, ID]; `Cart_Viewed` -> [Cart, Viewed]; `HTTPServer2` -> ..."""
    words: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", name):
        words.extend(_WORD_RE.findall(chunk))
    return words


def _is_acronym(word: str) -> bool:
    return len(word) > 1 and word.isupper()


def _capitalised(word: str) -> str:
    return word if _is_acronym(word) else word[:1].upper() + word[1:].lower()


def suggest(name: str, casing: str) -> str:
    """`name` rewritten to follow `casing` (acronyms such as `ID` are kept where allowed).

    The result matches the casing's pattern whenever `name` contains a letter that can
    start it; `any` returns the name unchanged.
    """
    if casing == "any":
        return name
    if casing == "snake_or_camel":  # the closer one: camel when the name has no separator
        camel = name.isalnum() and not name[:1].isupper()
        return suggest(name, "camel" if camel else "snake")
    words = split_words(name)
    if not words:
        return name
    if casing == "snake":
        return "_".join(word.lower() for word in words)
    if casing == "title":
        return " ".join(_capitalised(word) for word in words)
    if casing == "pascal":
        return "".join(_capitalised(word) for word in words)
    if casing == "camel":
        first = words[0].lower()
        return first + "".join(_capitalised(word) for word in words[1:])
    raise ValueError(f"unknown casing '{casing}'")


__all__ = [
    "DESCRIPTIONS",
    "PATTERNS",
    "has_digits",
    "matches",
    "split_words",
    "suggest",
]
