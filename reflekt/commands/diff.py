"""`reflekt diff`: what would this change, and does it break anything?"""

from __future__ import annotations

from pathlib import Path

import click

from reflekt.commands._common import Run, progress_bar, reflekt_command
from reflekt.commands._options import plan_type_option, profile_option
from reflekt.core.errors import ReflektError
from reflekt.core.output.diff import FORMATS as _FORMATS


@reflekt_command("diff")
@click.option(
    "--select",
    "-s",
    "selects",
    multiple=True,
    help="segment/<plan>[/<Event>[/<M-m>]], avo/<branch>[...] or iglu/<vendor>[...]. Repeatable.",
)
@click.option(
    "--against",
    metavar="git:REF",
    help="Compare with the same files at a git ref instead of the registry (no network): "
    "git:main, git:@{upstream}, git:v1.4; git:main... (three dots) is the merge-base of main "
    "and HEAD, as `git diff main...` (recommended for branches and PRs).",
)
@click.option(
    "--staged",
    is_flag=True,
    help="Compare the staged content (the git index) instead of the working tree; the base "
    "is HEAD unless --against names a git ref.",
)
@click.option(
    "--changed",
    is_flag=True,
    help="Only the events whose schema files differ from the git base (edited, added, "
    "removed, untracked); the base is HEAD unless --against names a git ref.",
)
@profile_option
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(tuple(_FORMATS)),
    default="text",
    show_default=True,
    help="Output format: text; json; github (workflow annotations); sarif (code scanning); "
    "junit; markdown (PR comments, step summaries); gitlab (Code Quality report).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "any", "never"]),
    default="breaking",
    show_default=True,
    help="breaking: exit 1 when a MAJOR change has no MAJOR version bump; any: on any change.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file."
)
@click.option(
    "--list-changes",
    is_flag=True,
    help="List every kind of change with its class (text, or JSON with --format json), and exit.",
)
@plan_type_option
def command(
    run: Run,
    selects: tuple[str, ...],
    against: str | None,
    staged: bool,
    changed: bool,
    profile: str | None,
    output_format: str,
    fail_on: str,
    output: Path | None,
    list_changes: bool,
    plan_type: str,
) -> int:
    """Compare local schemas with the registry (or a git ref) and classify the changes.

    Per event: the changes, their class (MAJOR breaking / MINOR compatible / NONE), and the
    version the local file should carry. Exit 1 when the changes fail --fail-on, 2 on bad
    usage, 3 when the registry fails. `--list-changes` lists the kinds of change and their
    classes; `diff.type_widening: minor` in reflekt_project.yml makes a widened type MINOR.

    --staged and --changed need git and combine with each other, with --against git:REF
    (default: HEAD) and with --select (a path filter there: segment/ecommerce).

    \b
    Examples:
      reflekt diff --select segment/ecommerce             # against the registry
      reflekt diff --against git:main...                  # what this branch changed (PRs)
      reflekt diff --against git:@{upstream}              # against the upstream branch
      reflekt diff --changed                              # uncommitted edits vs HEAD
      reflekt diff --staged                               # what the next commit changes
      reflekt diff --staged --changed --select segment/ecommerce
      reflekt diff --against 'git:@{upstream}...' --changed   # the pre-push check
      reflekt diff --against git:main --format markdown >> "$GITHUB_STEP_SUMMARY"
      reflekt diff --against git:main --format sarif --output diff.sarif
      reflekt diff --against git:main --format gitlab --output gl-code-quality-report.json
      reflekt diff --against git:main --format junit --output diff-junit.xml
    """
    if list_changes:
        from reflekt.core.diff import KINDS
        from reflekt.core.output.diff import KIND_FORMATS

        _emit(run, KIND_FORMATS["json" if output_format == "json" else "text"](KINDS), output)
        return 0

    from reflekt.core.registries.compare import compare

    project = run.project()
    loaded = None
    if against is None and not (staged or changed):
        if not selects:
            raise ReflektError(
                "diff against a registry needs --select (e.g. --select segment/ecommerce)",
                hint="or compare with git: reflekt diff --against git:main",
            )
        from reflekt.core.profiles import load_profile

        loaded = load_profile(project, profile)
    with progress_bar(run, "Comparing") as update:
        report = compare(
            project,
            loaded,
            list(selects),
            against=against,
            progress=update,
            plan_type=plan_type,
            staged=staged,
            changed=changed,
        )
    _emit(run, _FORMATS[output_format](report, project.root), output)
    return report.exit_code(fail_on)  # type: ignore[arg-type]  # a click.Choice of FAIL_ON


def _emit(run: Run, text: str, output: Path | None) -> None:
    """Write `text` to `output` (atomically), else to standard output."""
    if output is not None:
        from reflekt.core.fsutil import write_atomic

        write_atomic(output, text)
        run.err.print(f"Wrote {output}")
    else:
        click.echo(text, nl=False)
