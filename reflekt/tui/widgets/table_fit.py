"""DataTable columns that fit the table: the text column takes the width the others leave.

Why: DataTable sizes every column to its widest cell, so on 80 columns a long type or name
leaves a description 6 characters wide (or pushes it off screen). Here each column gets its
content width (capped), and one "flex" column the rest; rows added with `height=None` then
wrap inside it. Re-fit (and re-add the rows) when the table is resized.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.widgets import DataTable

ROW_AUTO_HEIGHT = None  # `add_row(height=...)`: as many lines as the wrapped cells need


def natural_widths(
    labels: Sequence[str], rows: Sequence[Sequence[str]], caps: Sequence[int | None]
) -> list[int]:
    """The widest text of each column (label included), at most its cap."""
    widths = [cell_len(label) for label in labels]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(
                widths[index], max((cell_len(p) for p in cell.split("\n")), default=0)
            )
    return [
        width if cap is None else min(width, cap) for width, cap in zip(widths, caps, strict=True)
    ]


def fit_columns(
    table: DataTable, natural: Sequence[int], flex: int, min_flex: int, width: int | None = None
) -> bool:
    """Give every column its natural width and column `flex` the rest of `width` (the
    table's own by default).

    False while there is no width yet: DataTable sizes the columns itself then.
    """
    width = table.size.width if width is None else width
    if width <= 0:
        for column in table.ordered_columns:
            column.auto_width = True
        return False
    scrollbar = table.styles.scrollbar_size_vertical
    padding = 2 * table.cell_padding * len(natural)
    others = sum(w for index, w in enumerate(natural) if index != flex)
    flex_width = max(min_flex, width - scrollbar - padding - others)
    for index, column in enumerate(table.ordered_columns):
        column.auto_width = False
        column.width = flex_width if index == flex else natural[index]
    return True
