"""The Markdown report of one run: what the job summary and the PR comment show.

Reflekt's own `--format markdown` is the body; where that is not available (an older
Reflekt, or a run that stopped on a usage error) the text output or the error is shown in a
code fence long enough that nothing inside can close it.
"""

from __future__ import annotations

import re


def fenced(text: str) -> str:
    """`text` as a Markdown code block that no backtick run inside it can end."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}\n"


def heading(command: str, against: str | None, exit_code: int) -> str:
    """`## Reflekt diff against origin/main...` and the verdict of the exit code."""
    title = f"## Reflekt {command}"
    if against:
        title += f" against `{against.removeprefix('git:')}`"
    verdict = {
        0: "Passed.",
        1: "**Failed**: findings (exit 1).",
        2: "**Failed**: usage or configuration error (exit 2).",
        3: "**Failed**: registry or warehouse failure (exit 3).",
    }.get(exit_code, f"**Failed** (exit {exit_code}).")
    return f"{title}\n\n{verdict}\n\n"


def assemble(command: str, against: str | None, exit_code: int, body: str) -> str:
    """The whole report: heading, verdict, body, one trailing newline."""
    return heading(command, against, exit_code) + body.rstrip("\n") + "\n"
