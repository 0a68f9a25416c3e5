"""SQL pieces per warehouse dialect: identifiers, literals, regexes, text casts, timestamps.

Everything outside (table and column names, enum values, patterns) reaches the SQL as a
quoted identifier or an exact string literal, never spliced in as code. Patterns use the
warehouse's regex dialect (as the dbt schema tests do), not ECMA-262.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from reflekt.core.build import bigquery
from reflekt.core.build.segment import reserved_words

_PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")
_TEXT_TYPES = {"bigquery": "string", "redshift": "varchar(65535)"}


class UnrepresentableValue(ValueError):
    """A value the warehouse cannot hold in a string literal (NUL on Postgres)."""


def ident(name: str, dialect: str) -> str:
    """An identifier as the warehouse resolves it to `name` (as information_schema spells it).

    A lower-case plain name is written bare (Snowflake then resolves it to its upper-case
    storage); an upper-case name on Snowflake likewise; anything else is quoted exactly.
    """
    lower = name.lower()
    plain = bool(_PLAIN.match(lower)) and lower not in reserved_words(dialect)
    plain = plain and not (dialect == "bigquery" and bigquery.is_reserved(lower))
    if plain and (name == lower or (dialect == "snowflake" and name == name.upper())):
        return lower
    if dialect == "bigquery":
        return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"
    return '"' + name.replace('"', '""') + '"'


def literal(value: str, dialect: str) -> str:
    """An exact SQL string literal for `value`."""
    if "\x00" in value and dialect in ("postgres", "redshift"):
        raise UnrepresentableValue("Postgres text cannot hold NUL")
    if dialect == "bigquery":
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    text = value.replace("'", "''")
    if dialect == "snowflake":
        text = text.replace("\\", "\\\\")
    return f"'{text}'"


def number(value: int | float) -> str:
    """A finite number as SQL (booleans and NaN/inf are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not a finite number")
    return repr(value) if isinstance(value, float) else str(value)


def text_type(dialect: str) -> str:
    return _TEXT_TYPES.get(dialect, "text")


def as_text(expression: str, dialect: str) -> str:
    return f"cast({expression} as {text_type(dialect)})"


def regex_match(expression: str, pattern: str, dialect: str) -> str:
    """True where `pattern` matches somewhere in the text `expression` (JSON Schema's sense)."""
    quoted = literal(pattern, dialect)
    if dialect == "duckdb":
        return f"regexp_matches({expression}, {quoted})"
    if dialect == "snowflake":
        return f"(regexp_instr({expression}, {quoted}) > 0)"
    if dialect == "bigquery":
        return f"regexp_contains({expression}, {quoted})"
    return f"({expression} ~ {quoted})"


def length(expression: str, dialect: str) -> str:
    return f"length({as_text(expression, dialect)})"


def timestamp(value: datetime, dialect: str) -> str:
    """A timestamp literal (naive, UTC) every dialect reads."""
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    return f"cast('{text}' as timestamp)"
