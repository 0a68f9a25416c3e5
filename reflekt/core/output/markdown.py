"""GitHub-flavoured Markdown building blocks shared by the lint and diff reports.

Why here: PR comments and `$GITHUB_STEP_SUMMARY` show both reports, so their tables and
collapsed sections look alike. The callers escape every outside string (`markdown_cell`,
`markdown_text` from `reflekt.core.escape`) before it reaches these functions; nothing here
adds outside text of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

LONG = 10  # rows: a longer list is collapsed under <details>, so a PR comment stays readable


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GFM table; cells must already be escaped (`markdown_cell`) or be our own words."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def collapsible(count: int, summary: str, body: str) -> str:
    """`body` as is for `count` <= LONG rows, else inside `<details>` headed by `summary`.

    `summary` goes into raw HTML, where Markdown escapes do not apply: it must be our own
    words and numbers (e.g. "12 changes"), never outside text.
    """
    if count <= LONG:
        return body
    return f"<details>\n<summary>{summary}</summary>\n\n{body}\n</details>\n"
