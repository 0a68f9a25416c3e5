"""`reflekt lint`: lint schemas against the project's conventions (thin: parse, call, render)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reflekt.commands._common import Run, progress_bar, reflekt_command
from reflekt.commands._options import output_option
from reflekt.core.output.findings import FORMATS as _FORMATS

if TYPE_CHECKING:
    from reflekt.core.progress import Progress

FORMAT_NAMES = tuple(_FORMATS)  # text, json, github, sarif, junit, markdown, gitlab
_PROGRESS_THRESHOLD = 500  # files; smaller runs finish before a bar is worth drawing


@reflekt_command("lint")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path), metavar="[FILE]...")
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
    help="Output format: text; json; github (workflow annotations); sarif (code scanning); "
    "junit; markdown (PR comments, step summaries); gitlab (Code Quality report).",
)
@output_option
@click.option(
    "--fix",
    is_flag=True,
    help="Fix what is safe to fix (RF201 `$id`, RF203 `self.version`, RF311 property casing "
    "when no other version or registry uses the name), then lint again.",
)
@click.option(
    "--fix-versions",
    is_flag=True,
    help="With --fix: also move the newest version of an event whose MINOR bump breaks "
    "(RF601) to the MAJOR version it should be (1-1.json becomes 2-0.json).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Lint every file afresh: neither read nor write the cache in .reflekt_cache/lint/ "
    "(also REFLEKT_NO_CACHE=1).",
)
@click.option(
    "--list-rules",
    is_flag=True,
    help="List the lint rules with their severity in this project (overrides marked *), and exit.",
)
def command(
    run: Run,
    files: tuple[Path, ...],
    selects: tuple[str, ...],
    fmt: str,
    output: str | None,
    fix: bool,
    fix_versions: bool,
    no_cache: bool,
    list_rules: bool,
) -> int:
    """Lint schemas against the project's conventions.

    Exits 0 when there are no errors (warnings allowed), 1 when there are errors, 2 on a
    usage or configuration error. Rules can be switched off or made warnings under
    `lint: rules:` in reflekt_project.yml.

    FILE... lints just those files (as pre-commit passes them); files that are not event
    schemas under schemas/ (README.md, reflekt_project.yml, the .reflekt meta-schemas) are
    skipped silently; a file that does not exist is an error. With --select too, both.

    \b
    Examples:
      reflekt lint
      reflekt lint --select segment/ecommerce/Cart_Viewed
      reflekt lint schemas/segment/ecommerce/Cart_Viewed/1-1.json README.md
      reflekt lint --format github
      reflekt lint --format sarif --output lint.sarif
      reflekt lint --format markdown >> "$GITHUB_STEP_SUMMARY"
      reflekt lint --format gitlab --output gl-code-quality-report.json
      reflekt lint --fix
      reflekt lint --fix --fix-versions

    --fix edits the files in place (only the fixed spans; all files or none), prints each
    change and each fixable finding it left (and why) on stderr, then reports the findings
    that remain.
    """
    output_path = _output_path(output)
    if list_rules:
        return _list_rules(run, fmt, output_path)

    from reflekt.core.lint import lint_project
    from reflekt.core.output.findings import FORMATS, summary_line
    from reflekt.core.select import resolve_select

    project = run.project()
    if selects:
        from reflekt.commands._compat06 import selects_06

        selects = tuple(selects_06(run, selects, None, "lint"))
    paths: list[Path] | None = None  # None: every schema (lint lists them, with the cache)
    named: list[str] = []  # shared definitions among FILE... (`common/...json`)
    if files:
        paths, named = _schema_files(project.schemas_dir, files)
        if selects:
            chosen = set(paths) | set(resolve_select(project.schemas_dir, list(selects)))
            paths = sorted(chosen)
    elif selects:
        paths = resolve_select(project.schemas_dir, list(selects))
    if paths is not None:
        run.debug(f"linting {len(paths)} schema file(s)")
    cache = not no_cache
    with _large_run_bar(run) as update:
        report = lint_project(
            project,
            paths,
            progress=update,
            jobs=_jobs(),
            cache=cache,
            shared=True,  # the shared definitions: all, or those the selection reaches
            shared_also=named,
        )
    if paths is None:
        run.debug(f"linted {report.schemas} schema file(s)")
    if fix_versions and not fix:
        from reflekt.core.errors import ReflektError

        raise ReflektError(
            "--fix-versions goes with --fix", hint="reflekt lint --fix --fix-versions"
        )
    if fix:
        report = _fix(run, project, paths, named, report, versions=fix_versions, cache=cache)
    run.debug(summary_line(report))

    if output_path is not None:
        _write(output_path, FORMATS[fmt](report, project.root))
        run.err.print(f"{summary_line(report)} Wrote {fmt} output to {output_path}.", markup=False)
    elif fmt == "text" and run.out.is_terminal:
        _render_rich(run, report)
    else:
        click.echo(FORMATS[fmt](report, project.root), nl=False)
        if fmt != "text":
            run.err.print(summary_line(report), markup=False)
    return 0 if report.errors == 0 else 1


def _fix(run: Run, project, paths, named, report, *, versions: bool = False, cache=True):
    """Apply the safe fixes, say what changed and what was left, and lint again (with the
    shared definitions, as the first run: `named` among them)."""
    import functools

    from reflekt.core.lint import lint_project
    from reflekt.core.lint.fixes import apply_fixes, plan_fixes

    lint = functools.partial(
        lint_project, jobs=_jobs(), cache=cache, whole_project=paths is None, shared=True,
        shared_also=named,
    )  # fmt: skip
    if paths is None:
        from reflekt.core.schemas import list_schema_files

        paths = list_schema_files(project.schemas_dir)
    if versions and _renumber(run, project, report):
        paths = _fresh(project, paths)
        report = lint(project, paths)
    plan = plan_fixes(project.root, report.findings)
    for change in plan.fixes:
        where = f"{change.file}:{change.line}" if change.line else change.file
        run.err.print(f"fixed {where}: {change.rule} {change.description}", markup=False)
    for left in plan.skipped:
        finding = left.finding
        where = f"{finding.file}:{finding.line}" if finding.line else finding.file
        run.err.print(f"not fixed {where}: {finding.rule} {left.reason}", markup=False)
    if not plan.texts:
        run.err.print("Nothing to fix.", markup=False)
        return report
    apply_fixes(project.root, plan)
    files = len(plan.texts)
    run.err.print(f"Fixed {len(plan.fixes)} problem(s) in {files} file(s).", markup=False)
    return lint(project, paths)


@contextlib.contextmanager
def _large_run_bar(run: Run) -> Iterator[Progress]:
    """A progress callback that draws a bar once the run turns out to be large (how many
    files is known once lint has listed them): no bar flashing by for a small one."""
    with contextlib.ExitStack() as stack:
        bar: Progress | None = None

        def update(done: int, total: int | None, message: str = "") -> None:
            nonlocal bar
            if bar is None:
                if total is None or total < _PROGRESS_THRESHOLD:
                    return
                bar = stack.enter_context(progress_bar(run, "Linting"))
            bar(done, total, message)

        yield update


def _renumber(run: Run, project, report) -> bool:
    """RF601's fix for each finding: move the file to the MAJOR version. True if any moved."""
    from reflekt.core.lint.fixes import apply_renumber, plan_renumber

    moved = False
    for finding in report.findings:
        if finding.rule != "RF601":
            continue
        try:
            move = plan_renumber(project.root, finding)
        except ValueError as why:
            run.err.print(f"not fixed {finding.file}: RF601 {why}", markup=False)
            continue
        apply_renumber(project.root, move)
        moved = True
        old, new = (p.relative_to(project.root).as_posix() for p in (move.old, move.new))
        run.err.print(f"fixed {old}: RF601 moved to {new}", markup=False)
    return moved


def _fresh(project, paths: list[Path]) -> list[Path]:
    """The linted files after a move: those still there, plus the versions that replaced
    the moved ones (every file of their event folders)."""
    kept = [path for path in paths if path.exists()]
    folders = {path.parent for path in paths if not path.exists()}
    added = [
        p for folder in sorted(folders) for p in sorted(folder.glob("*.json")) if p not in kept
    ]
    return kept + added


def _schema_files(schemas_dir: Path, files: tuple[Path, ...]) -> tuple[list[Path], list[str]]:
    """The event schema files among FILE... (a pre-commit hook passes every staged file),
    and the shared definitions among them by their `$ref` name (`common/...json`).

    Why not a select: pre-commit passes paths relative to the repository, some of them not
    schemas at all; those are skipped, as hooks expect. A missing path is a usage error. A
    shared definition (`schemas/.reflekt/common/`) stands for every schema, and is checked
    itself.
    """
    import os

    from reflekt.core.errors import ReflektError

    chosen: dict[Path, None] = {}
    named: dict[str, None] = {}
    for file in files:
        if not os.path.lexists(file):
            raise ReflektError(f"{file}: no such file", hint="give paths of schema files")
        rel = _under(schemas_dir, file, os.path.abspath) or _under(
            schemas_dir, file, os.path.realpath
        )
        if rel is None:
            continue  # outside schemas/: README.md, reflekt_project.yml, other files
        real = schemas_dir / rel
        if rel.parts[:2] == (".reflekt", "common") and real.name.endswith(".json"):
            from reflekt.core.select import resolve_select

            # a shared definition: every event may use it
            chosen.update(dict.fromkeys(resolve_select(schemas_dir, None)))
            named["/".join(rel.parts[1:])] = None
            continue
        if any(part.startswith(".") for part in rel.parts):
            continue  # the .reflekt meta-schemas, hidden files
        if real.is_dir():
            from reflekt.core.select import resolve_select

            chosen.update(dict.fromkeys(resolve_select(schemas_dir, [rel.as_posix()])))
        elif real.name.endswith(".json"):
            chosen[schemas_dir / rel] = None
    return list(chosen), list(named)


def _under(folder: Path, file: Path, absolute) -> Path | None:
    """`file` relative to `folder` (both made absolute by `absolute`), None when outside."""
    base, path = Path(absolute(folder)), Path(absolute(file))
    return path.relative_to(base) if base in path.parents else None


def _output_path(output: str | None) -> Path | None:
    """--output as a path; a trailing `/` means a folder, which is not a file to write."""
    if output is None:
        return None
    if output.endswith(("/", "\\")):
        from reflekt.core.errors import ReflektError

        raise ReflektError(
            f"--output '{output}' names a folder; give a file, e.g. {output}lint.json"
        )
    return Path(output)


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
        reason = exc.strerror or str(exc)
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:  # mkdir says "File exists", which misleads
            reason = f"{blocker} is a file, not a folder"
        raise ReflektError(f"cannot write {path}: {reason}") from None


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
    """The rule table: code, name, severity, summary; JSON with --format json.

    Inside a project the severity is the effective one (with `lint.rules` from
    reflekt_project.yml) and overridden rules are marked; outside a project, the defaults.
    """
    import json

    from reflekt.core.errors import ProjectNotFoundError
    from reflekt.core.lint import rule_settings

    project = None
    try:
        project = run.project()
    except ProjectNotFoundError:
        if run.project_dir is not None:
            raise
    settings, unknown = rule_settings(project)
    for name in unknown:
        run.err.print(
            f"Warning: lint.rules in {project.config_path.name} names an unknown rule "
            f"'{name}' (`reflekt lint` exits 2 until it is fixed).",
            markup=False,
        )
    if fmt == "json":
        text = (
            json.dumps(
                [
                    {
                        "code": s.rule.code,
                        "name": s.rule.name,
                        "severity": s.severity,
                        "default_severity": s.default,
                        "overridden": s.overridden,
                        "summary": s.rule.summary,
                    }
                    for s in settings
                ],
                indent=2,
            )
            + "\n"
        )
    else:
        width = max(len(s.rule.name) for s in settings)
        rows = []
        for s in settings:
            severity = s.severity + ("*" if s.overridden else "")
            rows.append(f"{s.rule.code}  {s.rule.name:<{width}}  {severity:<8}  {s.rule.summary}\n")
        text = "".join(rows)
        changed = [s for s in settings if s.overridden]
        if project is not None and changed:
            defaults = ", ".join(f"{s.rule.code} {s.default}" for s in changed)
            text += f"\n* set by lint.rules in {project.config_path.name} (defaults: {defaults})\n"
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)
    return 0
