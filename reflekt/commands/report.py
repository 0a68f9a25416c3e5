"""`reflekt report`: reflekt 0.6's Markdown report, now the Markdown event catalog.

Keeps 0.6's options working (`--select`, `--to-file/-f`), with a note on stderr naming the
new form. As in 0.6, without `--to-file` the report goes to standard output: the selected
events' Markdown pages as one document (`core.docs.pipeline.PageStream`: a contents list
when there is more than one page, links that resolve inside the document), each part
rendered and written as it comes, so `reflekt report -s X > out.md` works.
With `--to-file` it is `reflekt build docs --format markdown`: 0.6 wrote `<schema>.md`
next to each schema file; the catalog's pages go to artifacts/docs-md/ (schemas/ holds
schemas only).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reflekt.commands._common import Run, make_console, progress_bar, reflekt_command
from reflekt.commands._options import dry_run_option, select_option


@reflekt_command("report", context_settings={"help_option_names": ["-h", "--help"]})
@select_option("report on", "0.6's form, without the registry level, works too.")
@click.option(
    "--to-file",
    "-f",
    is_flag=True,
    help="Write the pages as files (artifacts/docs-md/, as `build docs --format markdown`) "
    "instead of printing them.",
)
@dry_run_option
def command(run: Run, selects: tuple[str, ...], to_file: bool, dry_run: bool) -> int:
    """reflekt 0.6's `report`: the selected events' Markdown pages.

    Without --to-file the pages are printed on standard output as one Markdown document
    (nothing is written): one event prints its page alone; more print a contents list
    linking each page, then the pages in the catalog's order (by plan, then event), each
    after a `---` line. Each page is the text `reflekt build docs --format markdown` writes
    for that event, but for its links: every link points inside the document (`Events`
    goes to the contents list; with one page it is plain text), so the output pasted in a
    wiki or a pull request has no broken link. Names and descriptions are escaped as the
    build escapes them (no markup, Jinja or terminal control of theirs comes through). The
    note naming the new form, and any error, go to stderr.

    With --to-file it runs `reflekt build docs --format markdown` (pages in
    artifacts/docs-md/).

    --dry-run needs --to-file (it lists the files that would change). Without --to-file it
    is a usage error (exit 2): printing writes nothing anyway.

    Exit codes: 0 done; 2 a bad option, a --select that matches nothing or holds no event
    schema (one message on stderr, nothing on stdout), an unreadable schema or project.

    \b
    Examples:
      reflekt report --select ecommerce/Cart_Viewed > Cart_Viewed.md
      reflekt report --select segment/ecommerce | less
      reflekt report --select ecommerce --to-file
      reflekt report --select ecommerce --to-file --dry-run
      reflekt build docs --format markdown --select segment/ecommerce/Cart_Viewed   # the new form
    """
    from rich.markup import escape

    if dry_run and not to_file:
        raise click.UsageError(
            "--dry-run goes with --to-file (it lists the files that would change); without "
            "--to-file the report is printed and nothing is written: drop --dry-run"
        )
    selects = _with_registry(selects, run.project_dir)
    shown = "".join(f" --select {s}" for s in selects)
    where = (
        " (pages in artifacts/docs-md/)"
        if to_file
        else " (it writes the pages to artifacts/docs-md/)"
    )
    make_console(stderr=True).print(
        "[yellow]note:[/] "
        + escape(
            "`reflekt report` is reflekt 0.6's command; use: reflekt build docs --format "
            f"markdown{shown}{where}"
        ),
        soft_wrap=True,
    )
    if to_file:
        from reflekt.commands.build_docs import write_docs

        return write_docs(run, selects, None, "markdown", None, dry_run)
    return _print_pages(run, selects)


def _print_pages(run: Run, selects: tuple[str, ...]) -> int:
    """Each selected event's page on stdout as it is rendered (never the whole report as
    one string). A reader that stops reading (`| head`) ends the run quietly, exit 0."""
    from reflekt.commands.build_docs import _jobs
    from reflekt.core.docs.pipeline import markdown_pages
    from reflekt.core.escape import terminal_text

    project = run.project()
    with progress_bar(run, "Reading the schemas") as update:
        stream = markdown_pages(project, list(selects), jobs=_jobs(), progress=update)
    out = sys.stdout.buffer  # bytes: the pages are UTF-8 whatever the locale says
    printed = 0
    try:
        for label, text in stream.chunks():
            # The renderer already shows controls as text; terminal_text keeps that so for
            # whatever reaches a terminal (it changes nothing in a page as rendered).
            out.write(terminal_text(text).encode("utf-8"))
            out.flush()
            printed += 1
            run.debug(f"printed {label}")
    except BrokenPipeError:
        _quiet_stdout()
        run.debug(f"stdout closed after {printed} part(s)")
        return 0
    run.debug(f"printed {stream.count} page(s)")
    return 0


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's last flush does
    not fail a second time."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return  # no real stdout (a test's runner): nothing to flush


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
