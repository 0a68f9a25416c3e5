"""`reflekt debug`: is the project configured correctly (and can it connect)?"""

from __future__ import annotations

import click
from rich.markup import escape

from reflekt.commands._common import Run, reflekt_command


@reflekt_command("debug")
@click.option("--profile", "-p", help="Profile to check (default: the project's default_profile).")
@click.option(
    "--connect", is_flag=True, help="Also check that each registry and warehouse answers."
)
def command(run: Run, profile: str | None, connect: bool) -> int:
    """Check the project, the profile and (with --connect) its connections.

    Loads and validates reflekt_project.yml and the selected profile, lists the registries and
    sources it found (secrets masked) and checks the meta-schema. Exits 0 when all is well,
    2 when the configuration has problems, 3 when a registry or warehouse cannot be reached.
    """
    from reflekt.core.checks import describe_registry, run_debug

    project = run.project()
    report = run_debug(project, profile, connect)
    for check in report.checks:
        mark = "[green]ok[/green]  " if check.ok else "[red]FAIL[/red]"
        run.out.print(f"{mark} {escape(check.name)}: {escape(check.detail)}")
        if check.hint:
            run.out.print(f"       [dim]hint: {escape(check.hint)}[/dim]")
    if report.profile is not None:
        if report.profile.registries:
            run.out.print("\nRegistries:")
            for registry in report.profile.registries:
                settings = ", ".join(f"{k}={v}" for k, v in describe_registry(registry).items())
                run.out.print(f"  - {registry.type}: {escape(settings)}")
        if report.profile.sources:
            run.out.print("\nSources (use with --source <id>.<database>.<schema>):")
            for source in report.profile.sources:
                settings = ", ".join(f"{k}={v}" for k, v in source.masked().items())
                run.out.print(f"  - {escape(source.id)} ({source.type}): {escape(settings)}")
    failed = [c for c in report.checks if not c.ok]
    if failed:
        run.out.print(f"\n[red]{len(failed)} problem(s) found.[/red]")
    else:
        run.out.print("\n[green]All checks passed.[/green]")
    return report.exit_code
