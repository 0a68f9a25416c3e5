"""reflekt 0.6 command lines, accepted with a one-line note naming the new form.

Why: CI scripts written for 0.6 (`pull --registry segment --select ecommerce`, `push -F`,
`build --artifact dbt`, `report`) keep working after `reflekt migrate`; the note on stderr
says what to write instead. The mapping itself is `core.migrate.selects` (pure).
"""

from __future__ import annotations

from collections.abc import Sequence

import click
from rich.markup import escape

from reflekt.commands._common import Run

registry_option = click.option(
    "--registry",
    "-r",
    "registry",
    default=None,
    metavar="REGISTRY",
    help="reflekt 0.6's form: the registry of selects written without it "
    "(`-r segment -s ecommerce` is `--select segment/ecommerce`).",
)


def note_06(run: Run, text: str) -> None:
    """The one-line deprecation note, on stderr (stdout stays the command's own output)."""
    run.err.print(f"[yellow]note:[/] {escape(text)}", soft_wrap=True)


def selects_06(run: Run, selects: Sequence[str], registry: str | None, command: str) -> list[str]:
    """`selects` with the registry level 0.6 left out added (and the note printed)."""
    if not selects and registry is None:
        return list(selects)
    from reflekt.core.migrate.selects import map_selects

    project = run.project()
    mapped = map_selects(project.schemas_dir, selects, registry, command)
    for note in mapped.notes:
        note_06(run, note)
    return list(mapped.selects)


def artifact_06(args: list[str]) -> list[str]:
    """`--artifact dbt`, `-a dbt` or `--artifact=dbt` anywhere in `build`'s arguments: the
    subcommand `dbt` first, with the note. Other arguments are left as they are."""
    out: list[str] = []
    artifact: str | None = None
    words = iter(args)
    for word in words:
        if word == "--":
            out.append(word)
            out.extend(words)
            break
        if artifact is None and word in ("--artifact", "-a"):
            artifact = next(words, None) or ""
        elif artifact is None and word.startswith("--artifact="):
            artifact = word.split("=", 1)[1]
        else:
            out.append(word)
    if artifact is None:
        return list(args)
    if not artifact:
        raise click.UsageError("--artifact needs a value: dbt (reflekt 0.6's form of `build dbt`)")
    from reflekt.core.escape import terminal_text

    shown = " ".join(out)
    line = f"note: --artifact is reflekt 0.6's option; use: reflekt build {artifact} {shown}"
    click.echo(terminal_text(line.rstrip()), err=True)
    return [artifact, *out]
