"""How a failure reads in a notification or a panel: one text, secrets masked.

Its own module so that screens and widgets share it without importing each other.
"""

from __future__ import annotations

from reflekt.core.errors import ReflektError
from reflekt.core.secrets import redact


def error_text(error: BaseException) -> str:
    """The error and its hint (a ReflektError), or the exception's type and text (a bug)."""
    if isinstance(error, ReflektError):
        text = str(error)
        if error.hint:
            text += f"\nHint: {error.hint}"
        return redact(text)
    return redact(f"{type(error).__name__}: {error}")
