"""Secrets: values that must never appear in output, logs or error messages.

Every secret read from a profile is registered here; `redact()` masks all registered values,
and the user-info of any URL (`https://user:password@host`), in any text before it is printed
or logged.
"""

from __future__ import annotations

import re

MASK = "********"
# `scheme://user:password@` (or `scheme://token@`): the user-info of any URL in a text.
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#@\s'\"<>]+@")
_known_secrets: set[str] = set()


class Secret(str):
    """A str that prints masked. Use `.reveal()` only where the value must be sent."""

    def __new__(cls, value: str) -> Secret:
        secret = super().__new__(cls, value)
        if len(value) >= 3:
            _known_secrets.add(value)
        return secret

    def reveal(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __format__(self, format_spec: str) -> str:
        return MASK


def redact_url(text: str) -> str:
    """Mask the user-info of every URL in `text`: `http://admin:pass@host` -> `http://********@host`."""
    return _URL_USERINFO.sub(lambda match: f"{match.group(1)}{MASK}@", text)


def redact(text: str) -> str:
    """Mask every known secret value, and the user-info of every URL, in `text`."""
    for value in sorted(_known_secrets, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return redact_url(text)
