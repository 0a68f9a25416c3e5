"""`reflekt lint`: lint schemas against the project's conventions (thin: parse, call, render)."""

from __future__ import annotations

from pathlib import Path

import click

from reflekt.commands._common import Run, progress_bar, reflekt_command

FORMAT_NAMES = ("text", "json", "github", "sarif", "junit")
_PROGRESS_THRESHOLD = 500  # files; smaller runs finish before a bar is worth drawing


@reflekt_command("lint")
@click.option(
    "--select",
    "-s",
    "selects",
    multiple=True,
    metavar="SEL",
    help="Schemas to lint: a folder or file under schemas/ (`.json` optional). "
    "Repeatable. Default: every schema.",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMAT_NAMES),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the output to FILE (atomically) instead of standard output.",
)
@click.option("--list-rules", is_flag=True, help="List the lint rules and exit.")
def command(
    run: Run, selects: tuple[str, ...], fmt: str, output: Path | None, list_rules: bool
) -> int:
    """Lint schemas against the project's conventions.

    Exits 0 when there are no errors (warnings allowed), 1 when there are errors, 2 on a
    usage or configuration error. Rules can be switched off or made warnings under
    `lint: rules:` in reflekt_project.yml.

    Examples:
      reflekt lint
      reflekt lint --select segment/ecommerce/Cart_Viewed
      reflekt lint --format github
      reflekt lint --format sarif --output lint.sarif
    """
    if list_rules:
        return _list_rules(run, fmt, output)

    from reflekt.core.lint import lint_project
    from reflekt.core.output.findings import FORMATS, summary_line
    from reflekt.core.select import resolve_select

    project = run.project()
    paths = resolve_select(project.schemas_dir, list(selects))
    run.debug(f"linting {len(paths)} schema file(s)")
    with progress_bar(run, "Linting", min_total=_PROGRESS_THRESHOLD) as update:
        report = lint_project(
            project, paths, progress=lambda done, total: update(done, total), jobs=_jobs()
        )
    run.debug(summary_line(report))

    if output is not None:
        _write(output, FORMATS[fmt](report, project.root))
        run.err.print(f"{summary_line(report)} Wrote {fmt} output to {output}.", markup=False)
    elif fmt == "text" and run.out.is_terminal:
        _render_rich(run, report)
    else:
        click.echo(FORMATS[fmt](report, project.root), nl=False)
        if fmt != "text":
            run.err.print(summary_line(report), markup=False)
    return 0 if report.errors == 0 else 1


def _jobs() -> int:
    """Processes for large runs: the CPUs this process may use."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _write(path: Path, text: str) -> None:
    from reflekt.core.errors import ReflektError
    from reflekt.core.fsutil import write_atomic

    try:
        write_atomic(path, text)
    except OSError as exc:
        raise ReflektError(f"cannot write {path}: {exc.strerror or exc}") from None


def _render_rich(run: Run, report) -> None:
    """Findings grouped by file, coloured by severity, then the summary line."""
    from rich.table import Table
    from rich.text import Text

    from reflekt.core.output.findings import location, summary_line

    out = run.out
    for file, findings in report.by_schema().items():
        out.print(Text(file, style="bold underline"))
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        table.add_column(style="dim", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1, overflow="fold")
        table.add_column(style="dim", no_wrap=True)
        for f in findings:
            colour = "red" if f.severity == "error" else "yellow"
            table.add_row(
                " " + location(f),
                Text(f.severity, style=colour),
                f.rule,
                Text(f.message),
                Text(f"[{f.rule_name}]"),
            )
        out.print(table)
        out.print()
    if report.errors:
        style = "red"
    elif report.warnings:
        style = "yellow"
    else:
        style = "green"
    out.print(Text(summary_line(report), style=style))


def _list_rules(run: Run, fmt: str, output: Path | None) -> int:
    """The rule table (code, name, default severity, summary); JSON with --format json."""
    import json

    from reflekt.core.lint import all_rules

    rules = all_rules()
    if fmt == "json":
        text = (
            json.dumps(
                [
                    {"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary}
                    for r in rules
                ],
                indent=2,
            )
            + "\n"
        )
    else:
        width = max(len(r.name) for r in rules)
        text = "".join(
            f"{r.code}  {r.name:<{width}}  {r.severity:<7}  {r.summary}\n" for r in rules
        )
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)
    return 0
