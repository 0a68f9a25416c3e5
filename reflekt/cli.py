"""The `reflekt` command line: a Click group whose commands load lazily.

Each command lives in `reflekt/commands/<name>.py`; only the one being run is imported, so
`reflekt --help` and `reflekt --version` stay fast (no SQLAlchemy, Textual, jsonschema or
requests on that path).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from reflekt import __version__

# name -> (module, short help). The help text lives here so `--help` needs no import.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("reflekt.commands.init", "Create a new Reflekt project."),
    "demo": ("reflekt.commands.demo", "Create the demo project and run the main jobs on it."),
    "debug": ("reflekt.commands.debug", "Check the project, the profile and its connections."),
    "lint": ("reflekt.commands.lint", "Lint schemas against the project's conventions."),
    "diff": ("reflekt.commands.diff", "Compare local schemas with the registry or a git ref."),
    "pull": ("reflekt.commands.pull", "Pull schemas from a registry (Segment, Avo, Iglu)."),
    "push": ("reflekt.commands.push", "Push schemas to a registry (Segment, Iglu)."),
    "build": (
        "reflekt.commands.build",
        "Build artifacts from schemas: dbt packages, typed tracking code, the event catalog.",
    ),
    "audit": (
        "reflekt.commands.audit",
        "Check that the data in the warehouse follows the schemas.",
    ),
    "import": ("reflekt.commands.import_", "Draft schemas from a warehouse's event tables."),
    "tui": ("reflekt.commands.tui", "Open the full-screen terminal UI."),
    "hooks": ("reflekt.commands.hooks", "Install or remove Reflekt's git pre-push hook."),
    "cache": ("reflekt.commands.cache", "Remove Reflekt's cache files (`cache clean`)."),
    "migrate": ("reflekt.commands.migrate", "Convert a reflekt 0.6 project to this layout."),
    "report": (
        "reflekt.commands.report",
        "reflekt 0.6's Markdown report, printed (or --to-file): now `build docs --format markdown`.",
    ),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if _available(name)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not _available(cmd_name):
            return None
        module = importlib.import_module(COMMANDS[cmd_name][0])
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands from COMMANDS without importing them."""
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _available(name: str) -> bool:
    module_name = COMMANDS[name][0]
    return importlib.util.find_spec(module_name) is not None


class _VersionOption(click.Option):
    """`--version`, printed as reflekt 0.6 printed it when `--legacy-version` is also given
    (in either order): scripts that grep `Reflekt CLI Version: X` keep working."""

    def handle_parse_result(self, ctx: click.Context, opts: Any, args: list[str]) -> Any:
        ctx.meta["reflekt.legacy_version"] = bool(opts.get("legacy_version"))
        return super().handle_parse_result(ctx, opts, args)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    if ctx.meta.get("reflekt.legacy_version") or _param.name == "legacy_version":
        click.echo(f"Reflekt CLI Version: {__version__}")
    else:
        click.echo(f"reflekt {__version__}")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    "-V",
    cls=_VersionOption,
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option(
    "--legacy-version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Print the version as reflekt 0.6 did (`Reflekt CLI Version: X`) and exit.",
)
def cli() -> None:
    """Reflekt: event schemas as code.

    Lint JSON Schema event definitions against your conventions, diff them against a schema
    registry, pull and push them (Segment, Avo, Iglu), build dbt packages that model the raw
    event tables in your warehouse, audit the warehouse's data against the schemas, and
    generate typed tracking code and an event catalog from them.

    Start with `reflekt demo`, or `reflekt init` for a new project.
    """


def main() -> None:
    cli(prog_name="reflekt")
