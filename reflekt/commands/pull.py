"""`reflekt pull`: bring a Segment plan, an Avo branch or an Iglu vendor into schemas/."""

from __future__ import annotations

import click
from rich.markup import escape

from reflekt.commands._common import Run, progress_bar, reflekt_command
from reflekt.commands._compat06 import registry_option, selects_06
from reflekt.commands._options import plan_type_option, profile_option


@reflekt_command("pull")
@click.option(
    "--select",
    "-s",
    "selects",
    multiple=True,
    required=True,
    help="segment/<plan>[/<Event>[/<M-m>]], avo/<branch>[/<Event>] or "
    "iglu/<vendor>[/<name>[/<M-m>]]. Repeatable.",
)
@profile_option
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@plan_type_option
@registry_option
def command(
    run: Run,
    selects: tuple[str, ...],
    profile: str | None,
    dry_run: bool,
    plan_type: str,
    registry: str | None,
) -> int:
    """Pull schemas from a registry into schemas/.

    Reads the whole tracking plan (every page), Avo branch or Iglu vendor, converts each
    event to a schema file and writes the new and changed ones atomically: a failure half-way
    changes no file, and an unchanged plan changes no byte. Exit 3 when the registry fails.
    Iglu MODEL-REVISION-ADDITION versions map to MAJOR-MINOR (the README says how); a
    REVISION new to the project is reported as a note.
    """
    from reflekt.core.output.summary import summary_line
    from reflekt.core.profiles import load_profile
    from reflekt.core.registries.sync import pull

    project = run.project()
    selects = tuple(selects_06(run, selects, registry, "pull"))
    loaded = load_profile(project, profile)
    for select in selects:
        with progress_bar(run, "Pulling") as update:
            result = pull(
                project,
                loaded,
                select,
                dry_run=dry_run,
                progress=update,
                plan_type=plan_type,
            )
        verb = {"created": "would create", "updated": "would update"} if dry_run else {}
        for kind, ids in (("created", result.created), ("updated", result.updated)):
            for schema_id in ids:
                run.out.print(f"  {verb.get(kind, kind):<12} schemas/{escape(schema_id)}")
                if kind == "updated":
                    changes = result.details.get(schema_id) or []
                    for change in changes:
                        run.out.print(f"      {escape(change.message)}")
                    if not changes:
                        run.out.print("      layout only (same schema, other formatting)")
        for note in result.notes:
            run.err.print(f"  [yellow]note:[/] {escape(note)}")
        run.out.print(summary_line(result), markup=False)
    return 0
