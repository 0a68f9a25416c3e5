"""`reflekt migrate`: convert a reflekt 0.6 project in place (thin: parse, ask, call, render)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from rich.markup import escape

from reflekt.commands._common import Run, progress_bar, reflekt_command, stdin_is_interactive
from reflekt.core.errors import ReflektError

if TYPE_CHECKING:
    from reflekt.core.migrate import MigrationPlan

_REGISTRIES = ("segment", "avo")


@reflekt_command("migrate")
@click.option(
    "--from",
    "from_version",
    type=click.Choice(["0.6"]),
    default="0.6",
    show_default=True,
    help="The reflekt version the project was made with (0.6.x, its last release).",
)
@click.option(
    "--registry",
    "-r",
    type=click.Choice(_REGISTRIES),
    default=None,
    help="The registry every plan folder comes from (else inferred, or asked).",
)
@click.option(
    "--folder",
    "folders",
    multiple=True,
    metavar="PLAN=REGISTRY",
    help="The registry of one plan folder, e.g. --folder main=avo. Repeatable.",
)
@click.option("--dry-run", is_flag=True, help="List every move and edit; change nothing.")
def command(
    run: Run,
    from_version: str,
    registry: str | None,
    folders: tuple[str, ...],
    dry_run: bool,
) -> int:
    """Convert a reflekt 0.6 project to this Reflekt's layout, in place.

    Moves schemas/<plan>/ to schemas/<registry>/<plan>/, rewrites each `$id`, moves
    `self.metadata` (and `self.tests`, `self.metrics`) to the top level, turns `lint: false`
    into `lint.ignore` entries of reflekt_project.yml, converts and moves the meta-schema to
    schemas/.reflekt/event-meta/1-0.json, and updates reflekt_project.yml and the profiles
    file. All or nothing; in a git repository the moves are staged as `git mv` stages them
    (never committed). A second run finds nothing to do.

    \b
    Examples:
      reflekt migrate --dry-run                    # every move and edit, nothing written
      reflekt migrate --registry segment           # every plan folder is a Segment plan
      reflekt migrate --folder ecommerce=segment --folder main=avo
    """
    from reflekt.core.migrate import RegistryUnknownError, apply_migration, plan_migration

    project = run.project()
    given = dict(_parse_folder(item) for item in folders)
    profiles = project.profiles_path()
    try:
        plan = plan_migration(
            project.root, registry=registry, folders=given, profiles_path=profiles
        )
    except RegistryUnknownError as unknown:
        if not stdin_is_interactive():
            raise
        for folder in unknown.folders:
            given[folder] = click.prompt(
                f"Registry of schemas/{folder}/",
                type=click.Choice(_REGISTRIES),
                err=True,
            )
        plan = plan_migration(
            project.root, registry=registry, folders=given, profiles_path=profiles
        )
    if plan.nothing_to_do:
        from reflekt.core.migrate import finish_pending

        if not dry_run and finish_pending(project.root):
            run.out.print("Finished what an interrupted reflekt migrate left (git index).")
        run.out.print("Nothing to migrate: the project is in this Reflekt's layout already.")
        return 0
    _print_plan(run, plan, dry_run)
    if dry_run:
        run.out.print(
            f"Dry run: {len(plan.moves)} file(s) would move, {len(plan.edits)} would be "
            f"edited, {plan.keys_changed} key(s) would change; nothing was written."
        )
        return 0
    with progress_bar(run, "Migrating") as update:
        result = apply_migration(plan, progress=update)
    staged = (
        f", {result.git_staged} move(s) staged in git (not committed)" if result.git_staged else ""
    )
    run.out.print(
        f"Migrated from reflekt {from_version}: {result.moved} file(s) moved, "
        f"{result.edited} edited, {plan.keys_changed} key(s) changed, "
        f"{len(plan.no_equivalent)} setting(s) with no equivalent{staged}."
    )
    return 0


def _print_plan(run: Run, plan: MigrationPlan, dry_run: bool) -> None:
    would = "would " if dry_run else ""
    for folder, reg in plan.folders.items():
        run.out.print(f"  schemas/{escape(folder)}/ {would}go to schemas/{escape(reg)}/")
    for move in plan.moves:
        run.out.print(f"  {would}move  {escape(move.source)} -> {escape(move.target)}")
        for change in move.changes:
            run.out.print(f"      {escape(change)}")
    for edit in plan.edits:
        run.out.print(f"  {would}edit  {escape(edit.path)}")
        for change in edit.changes:
            run.out.print(f"      {escape(change)}")
    for item in plan.no_equivalent:
        run.err.print(f"  [yellow]no equivalent:[/] {escape(item)}")
    for note in plan.notes:
        run.err.print(f"  [yellow]note:[/] {escape(note)}")


def _parse_folder(item: str) -> tuple[str, str]:
    folder, sep, registry = item.partition("=")
    if not sep or not folder.strip() or registry.strip() not in _REGISTRIES:
        raise ReflektError(
            f"--folder {item!r}: expected PLAN=REGISTRY with REGISTRY segment or avo",
            hint="e.g. --folder ecommerce=segment",
        )
    return folder.strip().strip("/"), registry.strip()
