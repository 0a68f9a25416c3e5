"""`reflekt demo`: lay out the demo project and run Reflekt's main jobs on it."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from reflekt.commands._common import Run, reflekt_command
from reflekt.core.demo import DEFAULT_DEMO_DIR


@reflekt_command("demo")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Where to put the demo project (default: ./{DEFAULT_DEMO_DIR}).",
)
def command(run: Run, directory: Path | None) -> int:
    """Create (or refresh) the demo project and run the main jobs on it.

    The demo holds Segment's e-commerce spec events (Products Searched, Product Viewed,
    Cart Viewed, Order Completed, ...) plus identify and page schemas. Running it again
    refreshes the demo's own files and keeps anything you added.
    """
    from reflekt.core.demo import lay_out_demo
    from reflekt.core.lint import lint_project

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
    run.out.print(
        f"[{style}]Linted {report.schemas} schemas: {report.errors} error(s), "
        f"{report.warnings} warning(s)[/{style}]"
    )

    # demo:steps — later jobs (warehouse, dbt build, diff) add their step here.
    from reflekt.commands.build import demo_build_step

    demo_build_step(run, project)  # DuckDB warehouse, `reflekt build dbt`, then `dbt build`

    run.out.print("\n[bold]Try next[/bold] (from the demo folder):")
    hints = [
        f"cd {layout.root}",
        "reflekt lint --select segment/ecommerce/Cart_Viewed",
        "reflekt debug",
        "reflekt tui",
    ]
    for hint in hints:
        run.out.print(f"  {escape(hint)}")
    return 0 if report.errors == 0 else 1
