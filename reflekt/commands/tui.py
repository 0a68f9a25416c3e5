"""`reflekt tui`: open the full-screen terminal UI (Textual is imported only here)."""

from __future__ import annotations

import click

from reflekt.commands._common import Run, reflekt_command


@reflekt_command("tui")
@click.option("--profile", "-p", default=None, help="Profile for registry and warehouse calls.")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Lint every file afresh and walk schemas/ for the first screen: neither read nor "
    "write .reflekt_cache/lint/ or the saved listing .reflekt_cache/tui/ (also "
    "REFLEKT_NO_CACHE=1).",
)
def command(run: Run, profile: str | None, no_cache: bool) -> int:
    """Open the full-screen terminal UI: schema tree, lint, diff and build wizard."""
    if no_cache:  # the app lints in workers of this process: the variable reaches them all
        import os

        from reflekt.core.cache_switch import NO_CACHE_ENV

        os.environ[NO_CACHE_ENV] = "1"
    from reflekt.tui.app import create_app

    app = create_app(run.project_dir, profile)
    if app.project is not None:
        run.start_log_file(app.project.logs_dir)
    app.run()
    # Without a (valid) project the app only explained what to do: say so in the exit code.
    return 0 if app.project is not None else (app.error.exit_code if app.error else 2)
