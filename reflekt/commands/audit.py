"""`reflekt audit`: does the data in the warehouse follow the schemas? (thin: parse, call, render)"""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from reflekt.commands._common import Run, progress_bar, reflekt_command
from reflekt.commands._options import (
    no_cache_option,
    output_option,
    profile_option,
    warehouse_sdk_option,
)

# text and json are the audit's own (counts, samples, volume); the others go through lint's
# formatter table, one finding per line of the schema file.
FORMAT_NAMES = ("text", "json", "github", "sarif", "junit", "markdown", "gitlab")


@reflekt_command("audit")
@click.option(
    "--select",
    "-s",
    "selects",
    multiple=True,
    metavar="SEL",
    help="Events to audit: a folder or file under schemas/ (every version of each event "
    "counts). Repeatable. Default: every schema (then tables with no schema are reported too).",
)
@click.option(
    "--source",
    "-t",
    "source",
    required=False,
    metavar="ID.DATABASE.SCHEMA",
    help="Warehouse schema holding the raw events: <source_id>.<database>.<schema>.",
)
@click.option(
    "--since",
    default="7d",
    show_default=True,
    help="Start of the window of rows checked (on received_at): 24h, 7d, 2w or a date "
    "(2025-01-01, UTC). The window before it, as long, tells whether volume dropped to zero.",
)
@click.option(
    "--until",
    default=None,
    help="End of the window (a date or ISO time, UTC; default: now): audit a past week.",
)
@click.option(
    "--sample",
    type=int,
    default=5,
    show_default=True,
    help="Example values per finding (never whole rows: values may be personal data); "
    "0 shows none.",
)
@warehouse_sdk_option("audited")
@profile_option
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMAT_NAMES),
    default="text",
    show_default=True,
    help="Output format (github: annotations on the schema files; markdown: a PR comment).",
)
@output_option
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    default="error",
    show_default=True,
    help="Exit 1 when a finding at this severity or above is found.",
)
@click.option("--show-sql", is_flag=True, help="Print every query the audit runs (to stderr).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the queries without running them (on BigQuery, with the bytes each would scan).",
)
@click.option(
    "--maximum-bytes-billed",
    type=click.IntRange(min=1),
    default=None,
    help="BigQuery: a query that would scan more bytes fails instead of running (a cost limit; "
    "default: the profile's maximum_bytes_billed).",
)
@click.option(
    "--list-rules", is_flag=True, help="List the audit's finding codes and exit."
)  # fmt: skip
@no_cache_option
def command(
    run: Run,
    selects: tuple[str, ...],
    source: str | None,
    since: str,
    until: str | None,
    sample: int,
    sdk: str,
    profile: str | None,
    fmt: str,
    output: str | None,
    fail_on: str,
    show_sql: bool,
    dry_run: bool,
    list_rules: bool,
    maximum_bytes_billed: int | None,
) -> int:
    """Check that the events in the warehouse follow the schemas.

    Structure, from one information_schema query: planned events with no table, tables with
    no schema, properties never seen, unplanned columns, contradicting column types. Rows,
    as one aggregate query per event table (per named page or screen: its rows of
    pages/screens) that the warehouse runs (no row comes back):
    required properties missing, values outside enum/const, numbers out of range, pattern,
    length and format failures, values not of the schema's type, duplicate message ids,
    volume that dropped to zero. Severities and a tolerated violation rate come from the
    `audit:` section of reflekt_project.yml.

    Exits 0, or 1 when a finding at --fail-on or above is found, 2 on a usage or
    configuration error, 3 when the warehouse fails.

    \b
    Examples:
      reflekt audit --source duckdb.warehouse.segment_prod
      reflekt audit --select segment/ecommerce/Order_Completed --source pg.analytics.segment --since 24h
      reflekt audit --source snowflake.raw.segment_prod --since 2025-01-01 --format json
      reflekt audit --source duckdb.warehouse.segment_prod --dry-run
      reflekt audit --source duckdb.warehouse.segment_prod --format github --fail-on warning
      reflekt audit --source duckdb.warehouse.rudderstack_prod --sdk rudderstack
    """
    if list_rules:
        return _list_rules(run)
    if not source:
        from reflekt.core.errors import SelectError

        raise SelectError(
            "reflekt audit needs --source <source_id>.<database>.<schema>",
            hint="e.g. --source duckdb.warehouse.segment_prod",
        )
    from reflekt.core.audit.run import audit, parse_until
    from reflekt.core.profiles import load_profile
    from reflekt.core.warehouse import SourceArg

    project = run.project()
    source_arg = SourceArg.parse(source)
    loaded = load_profile(project, profile)
    with progress_bar(run, "Auditing") as update:
        report = audit(
            project,
            loaded,
            list(selects),
            source_arg,
            since=since,
            now=parse_until(until) if until else None,
            sample=sample,
            dry_run=dry_run,
            progress=update,
            maximum_bytes_billed=maximum_bytes_billed,
            sdk=sdk,
        )
    if show_sql or dry_run:
        for query in report.queries:
            run.err.print(query + ";\n", markup=False, soft_wrap=True)
    if dry_run:
        for query_bytes, query in zip(report.bytes_scanned, report.queries[1:], strict=False):
            table = query.rsplit("\nfrom ", 1)[-1].split()[0] if "\nfrom " in query else "?"
            run.err.print(f"would scan {query_bytes:,} bytes: {table}", markup=False)
        scan = ""
        if report.bytes_scanned:
            scan = f"; BigQuery would scan {sum(report.bytes_scanned):,} bytes"
        run.err.print(
            f"Dry run: {len(report.queries)} queries for {report.tables} table(s){scan}; none ran.",
            markup=False,
        )
        return 0
    text = _render(report, fmt, project.root)
    if output is not None:
        from reflekt.core.fsutil import write_atomic

        write_atomic(Path(output), text)
        run.err.print(f"{report.summary_line()} Wrote {fmt} output to {output}.", markup=False)
    elif fmt == "text" and run.out.is_terminal:
        _render_rich(run, report)
    else:
        click.echo(text, nl=False)
        if fmt != "text":
            run.err.print(report.summary_line(), markup=False)
    note = report.empty_window_note()
    if note and (output is not None or fmt != "text"):  # (the text output holds it)
        run.err.print(f"Note: {note}", markup=False, soft_wrap=True)
    hint = report.sdk_note(sdk)
    if hint:
        run.err.print(f"Hint: {hint}", markup=False, soft_wrap=True)
    return 1 if report.fails(fail_on) else 0


def _render(report, fmt: str, root: Path) -> str:
    from reflekt.core.audit.output import format_json, format_markdown, format_text

    if fmt == "text":
        return format_text(report)
    if fmt == "json":
        return format_json(report)
    if fmt == "markdown":
        return format_markdown(report)
    from reflekt.core.output.findings import FORMATS

    formatter = FORMATS.get(fmt)
    if formatter is None:
        from reflekt.core.errors import SelectError

        raise SelectError(f"--format {fmt} is not available in this version for audit")
    return formatter(report.as_lint_report(root), root)


def _render_rich(run: Run, report) -> None:
    from reflekt.core.audit.output import format_text

    for line in format_text(report).splitlines():
        style = "red" if " error " in line else "yellow" if " warning " in line else ""
        run.out.print(f"[{style}]{escape(line)}[/{style}]" if style else escape(line))


def _list_rules(run: Run) -> int:
    from reflekt.core.audit.rules import RULES

    for rule in RULES:
        click.echo(
            f"{rule.code}  {rule.name:<24} {rule.severity:<8} {rule.level:<9} {rule.summary}"
        )
    return 0
