"""`reflekt push`: publish schemas to a Segment tracking plan or Iglu (lint first)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from reflekt.commands._common import Run, progress_bar, reflekt_command, stdin_is_interactive
from reflekt.commands._compat06 import note_06, registry_option, selects_06
from reflekt.commands._options import no_cache_option, plan_type_option, profile_option
from reflekt.core.errors import ReflektError


@reflekt_command("push")
@click.option(
    "--select",
    "-s",
    "selects",
    multiple=True,
    required=True,
    help="segment/<plan>[/<Event>[/<M-m>]] or iglu/<vendor>[/<name>[/<M-m>]]. Repeatable "
    "(one plan or vendor at a time).",
)
@profile_option
@click.option("--force", "-f", is_flag=True, help="Push even when the selection has lint errors.")
@click.option(
    "--delete", "-D", is_flag=True, help="Remove the selected rules from the plan instead."
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask before --delete.")
@click.option("--dry-run", is_flag=True, help="Show what would change; send nothing.")
@plan_type_option
@no_cache_option
@click.option(
    "--to-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Iglu: write the selection as a static registry in DIR "
    "(DIR/schemas/<vendor>/<name>/jsonschema/<M-R-A>, ready to upload to S3/GCS); "
    "no profile needed.",
)
@registry_option
@click.option("-F", "force_06", is_flag=True, hidden=True, help="reflekt 0.6's --force.")
def command(
    run: Run,
    selects: tuple[str, ...],
    profile: str | None,
    force: bool,
    delete: bool,
    yes: bool,
    dry_run: bool,
    plan_type: str,
    to_dir: Path | None,
    registry: str | None,
    force_06: bool,
) -> int:
    """Push schemas to a Segment tracking plan or an Iglu registry.

    Lints the selection first and refuses to push on lint errors (unless --force). Each
    event's highest minor of each major is pushed as rule version MAJOR; the plan is created
    when missing; only new and changed rules are sent (PATCH, 200 per request). A rule is
    written onto the one the plan stores: only what Reflekt owns (description, labels, the
    event's properties) changes; whatever else was set in Segment stays. Avo is edited in
    Avo: pushing to it is an error.

    Iglu: each file is published as the SchemaVer it records (a new one as the next
    ADDITION); an Iglu Server validates it first; --to-dir writes a static registry. A
    version already published with other content is an error naming the version to bump.

    \b
    Examples:
      reflekt push --select segment/ecommerce
      reflekt push --select iglu/com.acme                 # to the profile's Iglu Server
      reflekt push --select iglu/com.acme --to-dir build/iglu
      aws s3 sync build/iglu s3://acme-iglu/              # then upload the static registry
    """
    from reflekt.core.diff import MAJOR
    from reflekt.core.output.summary import summary_line
    from reflekt.core.profiles import load_profile
    from reflekt.core.registries.sync import push, push_preview

    project = run.project()
    selects = tuple(selects_06(run, selects, registry, "push"))
    if force_06:  # 0.6: -F pushed despite lint errors and deleted without asking
        force, yes = True, yes or delete
        note_06(run, "-F is reflekt 0.6's flag; use --force" + (" --yes" if delete else ""))
    loaded = load_profile(project, profile) if to_dir is None else None
    if delete and not dry_run and not yes:
        if not stdin_is_interactive():
            raise ReflektError(
                "--delete asks for confirmation, and standard input is not a terminal",
                hint="add --yes to delete without asking (or --dry-run to see what would go)",
            )
        with progress_bar(run, "Reading the plan") as update:
            preview = push_preview(
                project,
                loaded,
                list(selects),
                delete=True,
                progress=update,
                plan_type=plan_type,
            )
        if not preview.deleted:
            run.out.print(summary_line(preview), markup=False)  # "Nothing to delete: ..."
            return 0
        for label in preview.deleted:
            run.err.print(f"  will delete  {escape(label)}")
        question = (
            f"Delete these {len(preview.deleted)} rule(s) from {preview.registry}/{preview.plan}?"
        )
        if not click.confirm(question, err=True):
            run.err.print("Nothing deleted.")
            return 0
    with progress_bar(run, "Pushing") as update:
        result = push(
            project,
            loaded,
            list(selects),
            force=force,
            delete=delete,
            dry_run=dry_run,
            progress=update,
            plan_type=plan_type,
            to_dir=to_dir,
        )
    breaking = [
        label
        for label, changes in result.details.items()
        if any(change.change_class == MAJOR for change in changes)
    ]
    if result.forced:
        run.err.print(f"[yellow]Pushed despite {result.lint_errors} lint error(s) (--force).[/]")
    would = "would be " if dry_run else ""
    for note in result.collapsed:
        run.out.print(f"  note: {escape(note)}")
    if result.plan_created:
        run.out.print(f"  tracking plan '{escape(result.plan)}' {would}created")
    for kind, labels in (
        ("created", result.created),
        ("updated", result.updated),
        ("deleted", result.deleted),
    ):
        for label in labels:
            run.out.print(f"  {would}{kind:<8} {escape(label)}")
            for change in result.details.get(label, []):
                run.out.print(f"      {change.change_class:<5} {escape(change.message)}")
    run.out.print(summary_line(result), markup=False)
    if breaking:
        what = "would get" if dry_run else "got"
        run.err.print(
            f"[yellow]Warning:[/] {len(breaking)} rule(s) {what} a breaking change within their "
            f"version ({escape(', '.join(breaking))}): data already collected under that version "
            "may no longer match. A new MAJOR version (e.g. 2-0) keeps them apart; "
            "`reflekt diff` shows the details."
        )
    return 0
