"""`reflekt debug`: is the project configured correctly (and can it connect)?"""

from __future__ import annotations

import click
from rich.markup import escape

from reflekt.commands._common import Run, reflekt_command
from reflekt.core.secrets import redact


def _safe(text: str) -> str:
    """Every line of the listing is masked (secrets, URL user-info) and markup-escaped."""
    return escape(redact(str(text)))


def _why(item) -> str:
    return f"not usable here: {item.error.message}"


def _add_unavailable(report) -> None:
    """A registry or source reading an unset variable is a failed check (exit 2) here,
    although the other commands only fail when they use it."""
    from reflekt.core.checks import CheckResult

    if report.profile is None:
        return
    at = next(
        (i + 1 for i, check in enumerate(report.checks) if check.name == "profile"),
        len(report.checks),
    )
    for offset, item in enumerate(report.profile.unavailable):
        label = f"{item.kind} {item.name}"
        error = item.error
        result = CheckResult(label, False, redact(str(error)), error.exit_code, error.hint)
        report.checks.insert(at + offset, result)


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
    _add_unavailable(report)
    for check in report.checks:
        mark = "[green]ok[/green]  " if check.ok else "[red]FAIL[/red]"
        run.out.print(f"{mark} {_safe(check.name)}: {_safe(check.detail)}")
        if check.hint:
            run.out.print(f"       [dim]hint: {_safe(check.hint)}[/dim]")
    loaded = report.profile
    if loaded is not None:
        unavailable = {(item.kind, item.name): item for item in loaded.unavailable}
        if loaded.registries or any(kind == "registry" for kind, _ in unavailable):
            run.out.print("\nRegistries:")
            for registry in loaded.registries:
                settings = ", ".join(f"{k}={v}" for k, v in describe_registry(registry).items())
                run.out.print(f"  - {_safe(registry.type)}: {_safe(settings)}")
            for item in loaded.unavailable:
                if item.kind == "registry":
                    run.out.print(f"  - {_safe(item.name)}: {_safe(_why(item))}")
        if loaded.sources or any(kind == "source" for kind, _ in unavailable):
            run.out.print("\nSources (use with --source <id>.<database>.<schema>):")
            for source in loaded.sources:
                settings = ", ".join(f"{k}={v}" for k, v in source.masked().items())
                run.out.print(f"  - {_safe(source.id)} ({_safe(source.type)}): {_safe(settings)}")
            for item in loaded.unavailable:
                if item.kind == "source":
                    run.out.print(
                        f"  - {_safe(item.name)} ({_safe(item.type)}): {_safe(_why(item))}"
                    )
    failed = [c for c in report.checks if not c.ok]
    if failed:
        run.out.print(f"\n[red]{len(failed)} problem(s) found.[/red]")
    else:
        run.out.print("\n[green]All checks passed.[/green]")
    return report.exit_code
