"""What BigQuery needs of a staging model that the other warehouses do not.

- Its reserved words: the shared list (`segment.RESERVED_WORDS`) misses a few of BigQuery's
  own (`contains`, `ignore`, `proto`), which cannot be a bare column name or alias there.
- Casts with `safe_cast` in plain SQL (no macro): one value that is not a number gives null
  instead of failing the whole model, and the same pattern as the other warehouses decides
  what counts as a number (BigQuery alone would also read `inf`, `NaN` and `0x1A`).
- Incremental models partitioned by day of `received_at` and clustered by `event` and
  `user_id`: an incremental run, a dashboard or a test then scans the days and users it
  reads, not the whole table (BigQuery bills by bytes scanned).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from reflekt.core import escape
from reflekt.core.build.casts import INTEGER_PATTERN, NUMBER_PATTERN
from reflekt.core.build.coltypes import warehouse_family
from reflekt.core.build.segment import RESERVED_WORDS

DIALECT = "bigquery"
# BigQuery's reserved keywords (GoogleSQL lexical structure) that the shared list lacks.
OWN_RESERVED_WORDS = frozenset({"contains", "ignore", "proto"})
RESERVED = RESERVED_WORDS | OWN_RESERVED_WORDS

# The columns an incremental model is partitioned (by day) and clustered by, by the raw
# column they select; clustering takes at most 4 columns, in order of filtering use.
PARTITION_SOURCE = "received_at"
CLUSTER_SOURCES = ("event", "user_id")

_PATTERNS = {"number": NUMBER_PATTERN, "integer": INTEGER_PATTERN}
_TYPES = {"number": "float64", "integer": "int64", "boolean": "bool", "string": "string"}


class _Column(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def data_type(self) -> str: ...


def is_reserved(name: str) -> bool:
    """True for a (lower-case) word BigQuery reserves beyond the shared list."""
    return name in OWN_RESERVED_WORDS


def safe_cast(ref: str, json_type: str) -> str:
    """`ref` (a text column, or a number/boolean column for "string") as `json_type`: null for a
    value that is not one, never an error."""
    target = _TYPES[json_type]
    if json_type == "string":
        return f"safe_cast({ref} as {target})"
    if json_type == "boolean":
        return f"safe_cast(lower(trim({ref})) as {target})"
    pattern = "r" + escape.sql_string(_PATTERNS[json_type], DIALECT)
    return (
        f"case when regexp_contains(trim({ref}), {pattern}) "
        f"then safe_cast(trim({ref}) as {target}) end"
    )


def partition_config(selected: Sequence[_Column]) -> str:
    """dbt-bigquery's `partition_by` (a Jinja dict literal) on the day of the model's
    `received_at` column, or "" when the model has no such timestamp column."""
    column = next((c for c in selected if c.source == PARTITION_SOURCE), None)
    if column is None or warehouse_family(column.data_type or "") != "time":
        return ""
    if column.data_type.lower() not in ("timestamp", "datetime"):
        return ""
    return (
        "{'field': "
        + escape.jinja_string(column.name)
        + ", 'data_type': "
        + escape.jinja_string(column.data_type.lower())
        + ", 'granularity': 'day'}"
    )


def cluster_config(selected: Sequence[_Column]) -> str:
    """dbt-bigquery's `cluster_by` (a Jinja list literal) of the model's `event` and `user_id`
    columns that it has, or ""."""
    names = [c.name for source in CLUSTER_SOURCES for c in selected if c.source == source]
    if not names:
        return ""
    return "[" + ", ".join(escape.jinja_string(name) for name in names) + "]"
