"""Type checks for YAML config values that name the key path and line of a bad value."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any

from reflekt.core.errors import ConfigError
from reflekt.core.yamlfile import KeyPath, YamlDocument

_MISSING = object()


def dotted(key_path: KeyPath) -> str:
    """`('schemas', 'conventions', 'event')` -> `schemas.conventions.event`."""
    out = ""
    for part in key_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


class ConfigChecker:
    """Reads values out of a YamlDocument, raising ConfigError at the offending line."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc

    def fail(self, key_path: KeyPath, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(
            f"{dotted(key_path)}: {message}",
            file=self.doc.path,
            line=self.doc.line_of(key_path),
            hint=hint,
        )

    def mapping(
        self,
        key_path: KeyPath,
        value: Any,
        allowed: Iterable[str] | None,
        required: Iterable[str] = (),
    ) -> Mapping[str, Any]:
        """A mapping with only `allowed` keys (None: any key) and all `required` keys.

        A missing or empty (null) section counts as an empty mapping.
        """
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            raise self.fail(key_path, f"expected a mapping, got {type_name(value)}")
        allowed_keys = list(allowed) if allowed is not None else []
        for key in value if allowed is not None else ():
            if str(key) not in allowed_keys:
                close = difflib.get_close_matches(str(key), allowed_keys, n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else f"allowed: {', '.join(allowed_keys)}"
                )
                raise self.fail((*key_path, str(key)), "unknown key", hint=hint)
        for key in required:
            if key not in value or value[key] is None:
                raise self.fail(key_path, f"missing required key '{key}'")
        return value

    def string(
        self, key_path: KeyPath, value: Any, *, allow_empty: bool = True, numbers: bool = True
    ) -> str:
        """A text value. An unquoted number is accepted (`numbers`) only if reading it as text
        gives back what was written: `user: 123` is '123', but `password: 0123` (octal 83)
        or `version: 1.10` (1.1) would silently change, so those must be quoted.
        """
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key_path, f"expected a string, got {type_name(value)}")
        if not isinstance(value, str):
            raw = self.doc.raw_numbers.get(tuple(key_path))
            if not numbers or (raw is not None and raw != str(value)):
                shown = raw if raw is not None else str(value)
                raise self.fail(
                    key_path,
                    f"expected a string, got the number {shown}",
                    hint=f"quote it if it is meant as text: '{shown}'",
                )
        text = str(value)
        if not allow_empty and not text.strip():
            raise self.fail(key_path, "must not be empty")
        return text

    def boolean(self, key_path: KeyPath, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key_path, f"expected true or false, got {value!r}")
        return value

    def number(self, key_path: KeyPath, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key_path, f"expected a number, got {value!r}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise self.fail(key_path, f"expected a finite number, got {value!r}")
        return number

    def integer(self, key_path: KeyPath, value: Any) -> int:
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            if len(value.strip()) > 18:
                raise self.fail(key_path, f"number too large: {value.strip()[:20]}...")
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key_path, f"expected a whole number, got {value!r}")
        return value

    def choice(self, key_path: KeyPath, value: Any, choices: Iterable[str]) -> str:
        choices = list(choices)
        if not isinstance(value, str) or value not in choices:
            raise self.fail(key_path, f"{value!r} is not one of: {', '.join(choices)}")
        return value

    def string_list(self, key_path: KeyPath, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(key_path, f"expected a list, got {type_name(value)}")
        return tuple(self.string((*key_path, i), item) for i, item in enumerate(value))

    @staticmethod
    def get(mapping: Mapping[str, Any], key: str, default: Any = _MISSING) -> Any:
        value = mapping.get(key)
        if value is None:
            return None if default is _MISSING else default
        return value


def type_name(value: Any) -> str:
    """A YAML-flavoured name for a Python value's type."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__
