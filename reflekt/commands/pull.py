"""`reflekt pull`: bring a Segment tracking plan or an Avo branch into schemas/."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from rich.markup import escape

from reflekt.commands._common import Run, reflekt_command


@contextmanager
def progress_reporter(run: Run) -> Iterator:
    """A core `progress(message, done, total)` callback drawing a bar on a terminal.

    Off a terminal (CI, pipes, tests) it only logs (shown with --verbose).
    """
    if not run.err.is_terminal:

        def log_only(message: str, done: int, total: int | None) -> None:
            if total is not None and done == total:
                run.debug(f"{message}: {done}/{total}")

        yield log_only
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=run.err,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def update(message: str, done: int, total: int | None) -> None:
            bar.update(task, description=message, completed=done, total=total)

        yield update


@reflekt_command("pull")
@click.option(
    "--select",
    "-s",
    "selects",
    multiple=True,
    required=True,
    help="segment/<plan>[/<Event>[/<M-m>]] or avo/<branch>[/<Event>]. Repeatable.",
)
@click.option("--profile", "-p", help="Profile to use (default: the project's default_profile).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def command(run: Run, selects: tuple[str, ...], profile: str | None, dry_run: bool) -> int:
    """Pull schemas from a registry into schemas/.

    Reads the whole tracking plan (every page) or Avo branch, converts each event to a schema
    file and writes the new and changed ones atomically: a failure half-way changes no file,
    and an unchanged plan changes no byte. Exit 3 when the registry fails.
    """
    from reflekt.core.profiles import load_profile
    from reflekt.core.registries.sync import pull

    project = run.project()
    loaded = load_profile(project, profile)
    for select in selects:
        with progress_reporter(run) as progress:
            result = pull(project, loaded, select, dry_run=dry_run, progress=progress)
        verb = {"created": "would create", "updated": "would update"} if dry_run else {}
        for kind, ids in (("created", result.created), ("updated", result.updated)):
            for schema_id in ids:
                run.out.print(f"  {verb.get(kind, kind):<12} schemas/{escape(schema_id)}")
        head = "Dry run, nothing written" if dry_run else "Pulled"
        run.out.print(
            f"{head}: {result.registry}/{escape(result.plan)}: {len(result.created)} created, "
            f"{len(result.updated)} updated, {len(result.unchanged)} unchanged."
        )
    return 0
