"""`reflekt init`: create a new project (asks in a terminal, or takes options for scripts)."""

from __future__ import annotations

import re
from pathlib import Path

import click
from rich.markup import escape

from reflekt.commands._common import Run, reflekt_command, stdin_is_interactive
from reflekt.core.errors import ReflektError
from reflekt.core.project import DEFAULT_PROFILES_PATH


def _default_name(directory: Path) -> str:
    return (
        re.sub(r"[^0-9A-Za-z_]+", "_", directory.resolve().name).strip("_").lower()
        or "reflekt_project"
    )


@reflekt_command("init")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to create the project in (default: the current folder).",
)
@click.option("--name", help="Project name (default: the folder name).")
@click.option("--vendor", help="Default vendor of the schemas, e.g. com.example.")
@click.option("--profile", help="Name of the profile in reflekt_profiles.yml (default: dev).")
@click.option(
    "--profiles-path", help=f"Where reflekt_profiles.yml is (default: {DEFAULT_PROFILES_PATH})."
)
@click.option("--no-input", is_flag=True, help="Ask nothing: take the options and defaults.")
def command(
    run: Run,
    directory: Path | None,
    name: str | None,
    vendor: str | None,
    profile: str | None,
    profiles_path: str | None,
    no_input: bool,
) -> int:
    """Create a new Reflekt project.

    In a terminal it asks for the project name, vendor, profiles path and profile name. With
    --no-input (or when standard input is not a terminal) it asks nothing and takes --name,
    --vendor and --profile. It refuses to overwrite an existing project.

    \b
    Example:
      reflekt init --dir my_project --no-input --name my_project --vendor com.acme --profile dev
    """
    from reflekt.core.scaffold import NewProject, create_project

    directory = (directory or run.project_dir or Path.cwd()).expanduser()
    if (directory / "reflekt_project.yml").exists():
        raise ReflektError(
            f"{directory / 'reflekt_project.yml'} already exists; not overwriting an existing project",
            hint="choose another folder with --dir",
        )
    if not no_input and stdin_is_interactive():
        name = name or click.prompt("Project name", default=_default_name(directory))
        vendor = vendor or click.prompt("Vendor of the schemas (e.g. com.example)")
        profiles_path = profiles_path or click.prompt(
            "Path of reflekt_profiles.yml", default=DEFAULT_PROFILES_PATH
        )
        profile = profile or click.prompt("Profile name", default="dev")
    else:
        if not vendor:
            raise ReflektError(
                "--vendor is required when not asking questions (e.g. --vendor com.example)",
                hint="run `reflekt init` in a terminal to be asked, or pass --vendor",
            )
        name = name or _default_name(directory)
        profile = profile or "dev"
    if profiles_path == DEFAULT_PROFILES_PATH:
        profiles_path = None
    written = create_project(
        directory,
        NewProject(name=name, vendor=vendor, profile=profile, profiles_path=profiles_path),
    )
    run.start_log_file(directory / ".logs")
    root = directory.resolve()
    run.out.print(
        f"[bold green]Created project '{escape(name)}'[/bold green] in {escape(str(root))}"
    )
    for path in written:
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        run.out.print(f"  wrote {escape(str(shown))}")
    run.out.print(
        "\nNext: add your registry and warehouse to the profiles file, then "
        "`reflekt pull --select segment/<plan>` or write schemas under schemas/, and `reflekt lint`."
    )
    return 0
