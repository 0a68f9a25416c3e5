"""`reflekt demo`: lay out the demo project and run Reflekt's main jobs on it."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import click
from rich.markup import escape

from reflekt.commands._common import Run, reflekt_command
from reflekt.core.build.segment import SDKS
from reflekt.demo.layout import DEFAULT_DEMO_DIR


@reflekt_command("demo")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Where to put the demo project (default: ./{DEFAULT_DEMO_DIR}).",
)
@click.option(
    "--sdk",
    type=click.Choice(list(SDKS)),
    default="segment",
    show_default=True,
    help="Whose warehouse layout the demo's DuckDB warehouse and dbt package follow.",
)
def command(run: Run, directory: Path | None, sdk: str) -> int:
    """Create (or refresh) the demo project and run the main jobs on it.

    The demo holds Segment's e-commerce spec events (Products Searched, Product Viewed,
    Cart Viewed, Order Completed, ...) plus identify and page schemas. Running it again
    refreshes the demo's own files and keeps anything you added. With `--sdk rudderstack`
    the warehouse holds the tables a RudderStack destination writes, and the package models
    them.
    """
    from reflekt.core.lint import lint_project
    from reflekt.core.output.findings import summary_line
    from reflekt.demo.layout import lay_out_demo
    from reflekt.demo.warehouse import DEMO_SCHEMAS, DEMO_WINDOW

    layout = lay_out_demo(directory or run.project_dir or Path(DEFAULT_DEMO_DIR))
    verb = "Refreshed" if layout.refreshed else "Created"
    run.out.print(
        f"[bold]{verb} the demo project[/bold] in {escape(str(layout.root))} "
        f"({layout.created} created, {layout.updated} updated, {layout.unchanged} unchanged)"
    )
    run.project_dir = layout.root
    project = run.project()

    report = lint_project(project)
    style = "green" if report.errors == 0 else "red"
    run.out.print(f"[{style}]{escape(summary_line(report))}[/{style}]")

    _show_version_changes(run, project)

    from reflekt.commands.build import demo_build_step

    # DuckDB warehouse, `reflekt build dbt`, `dbt build`
    dbt_ok, source_arg = demo_build_step(run, project, sdk)
    audit_json = _audit(run, project, source_arg, sdk)
    _build_code(run, project)
    _build_docs(run, project, audit_json)

    run.out.print("\n[bold]Try next[/bold] (from the demo folder):")
    hints = [
        f"cd {layout.root}",
        "reflekt lint --select segment/ecommerce/Cart_Viewed",
        "reflekt build dbt --select segment/ecommerce --source "
        f"duckdb.warehouse.{DEMO_SCHEMAS[sdk]}" + (f" --sdk {sdk}" if sdk != "segment" else ""),
        f"reflekt audit --source {source_arg} --since {DEMO_WINDOW[0]} --until {DEMO_WINDOW[1]}"
        + (f" --sdk {sdk}" if sdk != "segment" else "")
        + "   # the demo's rows are from early 2024",
        "reflekt build code --lang typescript --check   # after editing a schema: exit 1",
        "git init && git add -A && git commit -m start   # then edit a schema and:",
        "reflekt diff --against git:HEAD",
        "reflekt tui",
    ]
    for hint in hints:
        run.out.print(f"  {escape(hint)}", soft_wrap=True)
    return 0 if report.errors == 0 and dbt_ok else 1


def _build_code(run: Run, project) -> None:
    """`reflekt build code` for both languages: the typed tracking code engineers call."""
    from reflekt.core.codegen.pipeline import build_code
    from reflekt.core.output.summary import summary_line

    for lang in ("typescript", "python"):
        result = build_code(project, None, lang)
        run.out.print(
            f"[bold]{escape(summary_line(result, root=project.root))}[/bold]", soft_wrap=True
        )


AUDIT_REPORT = "artifacts/audit.json"  # the demo's audit, which its catalog shows


def _audit(run: Run, project, source_arg: str, sdk: str) -> Path:
    """`reflekt audit` of the demo warehouse over the window its rows were received in:
    the planted faults, found by the warehouse's own queries. Writes the JSON report the
    catalog reads (`build docs --with-audit`) and returns its path."""
    from reflekt.core.audit.output import format_json, rows_checked
    from reflekt.core.audit.rules import rule
    from reflekt.core.audit.run import audit, parse_until
    from reflekt.core.fsutil import write_atomic
    from reflekt.core.profiles import load_profile
    from reflekt.demo.warehouse import DEMO_WINDOW

    since, until = DEMO_WINDOW
    report = audit(
        project, load_profile(project), None, source_arg, since=since, now=parse_until(until),
        sdk=sdk,
    )  # fmt: skip
    path = project.root / AUDIT_REPORT
    write_atomic(path, format_json(report))
    tables = len({volume.table for volume in report.volumes})
    run.out.print(
        f"[bold]audit[/bold] ({since} to {until}): {rows_checked(report.volumes)} rows checked "
        f"in {tables} tables by {len(report.queries)} queries the warehouse ran: "
        f"{report.errors} error(s), {report.warnings} warning(s) (report: {AUDIT_REPORT})",
        soft_wrap=True,
    )
    for finding in report.findings:
        if finding.severity == "error":
            run.out.print(f"  [red]{finding.code}[/red] {escape(finding.message)}", soft_wrap=True)
    warned = Counter(f.code for f in report.findings if f.severity != "error")
    if warned:
        counts = ", ".join(f"{rule(code).name} ({code}) {n}" for code, n in sorted(warned.items()))
        run.out.print(f"  [yellow]warnings:[/yellow] {counts}", soft_wrap=True)
    return path


def _build_docs(run: Run, project, audit_json: Path) -> None:
    """`reflekt build docs`: the event catalog, a static site to open in a browser, with
    the audit's data-quality figures."""
    from reflekt.core.docs.pipeline import build_docs
    from reflekt.core.output.summary import summary_line

    result = build_docs(project, with_audit=audit_json)
    run.out.print(
        f"[bold]{escape(summary_line(result, root=project.root))}[/bold] "
        f"Open: {escape(result.index_path.as_uri())}",
        soft_wrap=True,
    )


def _show_version_changes(run: Run, project) -> None:
    """What each version bump in the demo changed, and whether it was breaking."""
    from reflekt.core.diff import classify, diff_schemas
    from reflekt.core.schemas import list_schema_files, read_schema

    by_event: dict[str, list] = {}
    for path in list_schema_files(project.schemas_dir):
        doc = read_schema(path, project.schemas_dir)
        if doc.body is not None and doc.schema_id.version is not None:
            by_event.setdefault(doc.schema_id.event_key, []).append(doc)
    for docs in by_event.values():
        for old, new in itertools.pairwise(docs):
            changes = diff_schemas(old.body, new.body)
            change_class = classify(changes)
            kind = "breaking" if change_class == "MAJOR" else "compatible"
            run.out.print(
                f"{escape(new.schema_id.event_key)}: {old.schema_id.version} -> "
                f"{new.schema_id.version} is a {change_class} ({kind}) change: "
                + escape("; ".join(change.message for change in changes) or "no change"),
                soft_wrap=True,
            )
