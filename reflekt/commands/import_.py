"""`reflekt import warehouse`: draft schemas from a warehouse's Segment tables (thin: parse,
call the core, render)."""

from __future__ import annotations

import json

import click
from rich.markup import escape

from reflekt.commands._common import Run, progress_bar, reflekt_command
from reflekt.commands._options import profile_option, warehouse_sdk_option


@reflekt_command("import")
@click.argument("origin", type=click.Choice(["warehouse"]), metavar="ORIGIN")
@click.option(
    "--source",
    "-t",
    "source",
    required=True,
    metavar="ID.DATABASE.SCHEMA",
    help="Warehouse schema holding the event tables: <source_id>.<database>.<schema>, where "
    "source_id names a `source:` entry of the profile.",
)
@click.option(
    "--plan",
    required=True,
    metavar="NAME",
    help="Tracking plan folder to write: schemas/segment/<NAME>/<Event>/1-0.json.",
)
@click.option(
    "--since",
    default="7d",
    show_default=True,
    metavar="WHEN",
    help="Sample window: rows received in the last 7d / 24h / 2w, or since a date "
    "(2025-01-01, UTC), as `reflekt audit` reads it. `required` and `enum` come from these rows.",
)
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Read at most the N most recent rows of the window per table (default: all).",
)
@click.option(
    "--select-table",
    "select_tables",
    multiple=True,
    metavar="GLOB",
    help="Import only the tables matching GLOB (`order_*`). Repeatable. Default: every table.",
)
@warehouse_sdk_option("imported")
@profile_option
@click.option("--dry-run", is_flag=True, help="List the schemas that would be written; write none.")
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one JSON document on stdout (written, kept, skipped) for scripts.",
)
def command(
    run: Run,
    origin: str,
    source: str,
    plan: str,
    since: str,
    sample: int | None,
    select_tables: tuple[str, ...],
    sdk: str,
    profile: str | None,
    dry_run: bool,
    output_format: str,
) -> int:
    """Draft one schema per event table of a warehouse schema (Segment's, or RudderStack's).

    For teams that start with data and no plan. Properties and types come from the columns
    (nested objects rebuilt from `_`-joined names where that is unambiguous), `required` from
    columns with no null in the sample window, `enum` from string columns with at most 20
    distinct values in at least 1,000 rows. Descriptions are left empty: `reflekt lint` lists
    what is left to document. All the work is SQL run in the warehouse (one aggregate query
    per table); no rows are read. An existing schema is never overwritten.

    \b
    Examples:
      reflekt import warehouse --source duckdb.warehouse.segment_prod --plan ecommerce
      reflekt import warehouse --source snowflake.raw.segment_prod --plan app --since 30d
      reflekt import warehouse --source pg.analytics.segment --plan web --select-table 'order_*' --dry-run
      reflekt import warehouse --source duckdb.warehouse.rudderstack_prod --plan app --sdk rudderstack
    """
    from reflekt.core.imports.importer import REGISTRY, import_warehouse
    from reflekt.core.profiles import load_profile
    from reflekt.core.warehouse import SourceArg

    project = run.project()
    source_arg = SourceArg.parse(source)
    loaded = load_profile(project, profile)
    run.debug(f"importing {source_arg} into plan '{plan}' with profile '{loaded.name}'")
    with progress_bar(run, "Sampling tables") as update:
        result = import_warehouse(
            project,
            loaded,
            source_arg,
            plan,
            since=since,
            sample=sample,
            select_tables=select_tables,
            dry_run=dry_run,
            progress=update,
            sdk=sdk,
        )
    run.debug(f"{result.queries} warehouse queries, window from {result.since:%Y-%m-%d %H:%M} UTC")
    if output_format == "json":
        click.echo(json.dumps(import_json(result), indent=2, ensure_ascii=False))
    else:
        _render(run, result)
    plan_dir = f"schemas/{REGISTRY}/{plan}/"
    note = result.empty_window_note(plan_dir)
    if note:
        run.err.print(f"[yellow]Note:[/yellow] {escape(note)}", soft_wrap=True)
    hint = result.sdk_hint(sdk)
    if hint:
        run.err.print(f"[yellow]Hint:[/yellow] {escape(hint)}", soft_wrap=True)
    return 0


def import_json(result) -> dict:
    """The `--format json` document (stable: keys are only ever added)."""

    def drafted(item) -> dict:
        return {"schema_id": item.schema_id, "table": item.table, "event": item.event}

    return {
        "dry_run": result.dry_run,
        "since": result.since.isoformat(),
        "written": [{**drafted(item), "rows": item.rows} for item in result.written],
        "kept": [drafted(item) for item in result.kept],
        "skipped": [
            {"table": item.table, "column": item.column, "reason": item.reason}
            for item in result.skipped
        ],
        "queries": result.queries,
    }


def _render(run: Run, result) -> None:
    for item in result.written:
        run.out.print(
            f"  [green]+[/green] schemas/{escape(item.schema_id)} "
            f"({escape(item.table)}, {item.rows} row(s) sampled)",
            soft_wrap=True,
        )
    for item in result.kept:
        run.err.print(
            f"[yellow]Kept[/yellow] the existing schema of {escape(item.event)} "
            f"(schemas/{escape(item.schema_id.rsplit('/', 1)[0])}/): an import never overwrites.",
            soft_wrap=True,
        )
    for item in result.skipped:
        what = f"column {item.column} of {item.table}" if item.column else f"table {item.table}"
        run.err.print(f"[dim]Skipped[/dim] {escape(what)}: {escape(item.reason)}", soft_wrap=True)
    line = result.summary_line()
    run.out.print(f"[bold]{escape(line[:1].upper() + line[1:])}[/bold]")
    if result.written and not result.dry_run:
        run.out.print(
            "Next: `reflekt lint` lists the descriptions to write; review `required`, `enum` "
            "and nested objects, which are guesses from the data."
        )
