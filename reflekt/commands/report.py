"""`reflekt report`: reflekt 0.6's Markdown report, now the Markdown event catalog.

An alias of `reflekt build docs --format markdown` that keeps 0.6's options working
(`--select`, `--to-file/-f`), with a note naming the new form. 0.6 wrote `<schema>.md` next to
each schema file; the catalog's pages go to artifacts/docs-md/ (schemas/ holds schemas only).
"""

from __future__ import annotations

from pathlib import Path

import click

from reflekt.commands._common import make_console


@click.command("report", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--select", "-s", "selects", multiple=True, metavar="SEL", help="As build docs.")
@click.option(
    "--to-file",
    "-f",
    is_flag=True,
    help="Accepted for 0.6 scripts: the pages are always files (artifacts/docs-md/).",
)
@click.option("--dry-run", is_flag=True, help="List the files that would change; write nothing.")
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (default: the nearest parent holding reflekt_project.yml).",
)
@click.option("--verbose", "-v", is_flag=True, help="Log details.")
@click.pass_context
def command(
    ctx: click.Context,
    selects: tuple[str, ...],
    to_file: bool,
    dry_run: bool,
    project_dir: Path | None,
    verbose: bool,
) -> None:
    """reflekt 0.6's `report`: runs `reflekt build docs --format markdown` (with a note).

    \b
    Examples:
      reflekt report --select ecommerce/Cart_Viewed --to-file
      reflekt build docs --format markdown --select segment/ecommerce/Cart_Viewed   # the new form
    """
    from rich.markup import escape

    from reflekt.commands.build_docs import docs_command

    selects = _with_registry(selects, project_dir)
    shown = "".join(f" --select {s}" for s in selects)
    make_console(stderr=True).print(
        "[yellow]note:[/] "
        + escape(
            "`reflekt report` is reflekt 0.6's command; use: reflekt build docs --format "
            f"markdown{shown} (pages in artifacts/docs-md/)"
        ),
        soft_wrap=True,
    )
    ctx.invoke(
        docs_command,
        selects=selects,
        out=None,
        docs_format="markdown",
        with_audit=None,
        dry_run=dry_run,
        project_dir=project_dir,
        verbose=verbose,
    )


def _with_registry(selects: tuple[str, ...], project_dir: Path | None) -> tuple[str, ...]:
    """0.6's selects (no registry level) as build docs takes them; unchanged when the
    project cannot be read (build docs then reports why)."""
    if not selects:
        return selects
    from reflekt.core.errors import ReflektError
    from reflekt.core.migrate.selects import map_selects
    from reflekt.core.project import load_project

    try:
        project = load_project(project_dir)
        return map_selects(project.schemas_dir, selects, None, "build docs").selects
    except ReflektError:
        return selects
