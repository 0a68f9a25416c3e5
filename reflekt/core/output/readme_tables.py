"""Tables in the README generated from a registry (lint rules, diff kinds, audit codes).

Each lives between two HTML comment markers; a test per table fails when the README's copy
differs from the registry, and `python -m reflekt.core.<area>.docs README.md` rewrites it.
"""

from __future__ import annotations

from pathlib import Path


def cell(text: str) -> str:
    """Text for one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def with_table(readme: str, start: str, end: str, table: str) -> str:
    """`readme` with the text between the markers replaced by `table`."""
    head, found_start, rest = readme.partition(start)
    _, found_end, tail = rest.partition(end)
    if not found_start or not found_end:
        raise ValueError(f"README has no {start} ... {end} markers")
    return f"{head}{start}\n{table}{end}{tail}"


def update_file(path: Path, start: str, end: str, table: str) -> bool:
    """Rewrite the table in `path`; True when the file changed."""
    from reflekt.core.fsutil import write_atomic

    text = path.read_text(encoding="utf-8")
    updated = with_table(text, start, end, table)
    if updated != text:
        write_atomic(path, updated)
    return updated != text
