"""`reflekt cache clean`: remove Reflekt's cache files (thin: parse, call, say)."""

from __future__ import annotations

import click

from reflekt.commands._common import Run, reflekt_command


@reflekt_command("cache")
@click.argument("action", type=click.Choice(["clean"]), metavar="ACTION")
def command(run: Run, action: str) -> int:
    """Remove Reflekt's cache files from .reflekt_cache/ (ACTION is `clean`).

    Removes the lint cache (.reflekt_cache/lint/), which the next `reflekt lint` rebuilds,
    the build's schema facts (.reflekt_cache/build/), which the next build, audit or code
    generation rebuilds, and the TUI's schema listing (.reflekt_cache/tui/listing.json).
    The project lock and an interrupted pull or build's journal stay. Prints each file it
    removed.

    \b
    Examples:
      reflekt cache clean
    """
    from reflekt.core.build.facts_cache import clean_facts
    from reflekt.core.lint.cache import clean_cache
    from reflekt.core.listing_cache import clean_listing

    project = run.project()
    removed = [*clean_cache(project), *clean_facts(project), *clean_listing(project)]
    for path in removed:
        click.echo(f"removed {path.relative_to(project.root).as_posix()}")
    if removed:
        run.err.print(f"Removed {len(removed)} cache file(s).", markup=False)
    else:
        run.err.print("No cache files to remove.", markup=False)
    return 0
