"""Click options shared by several commands (one definition, one help text)."""

from __future__ import annotations

import click

from reflekt.core.platforms.segment import DEFAULT_PLAN_TYPE, PLAN_TYPES

plan_type_option = click.option(
    "--plan-type",
    type=click.Choice(PLAN_TYPES, case_sensitive=False),
    default=DEFAULT_PLAN_TYPE,
    show_default=True,
    help="Segment: the type of tracking plan to look the name up among (a library or "
    "template may share a live plan's name).",
)

profile_option = click.option(
    "--profile", "-p", default=None, help="Profile to use (default: the project's default_profile)."
)

output_option = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the output to FILE (atomically) instead of standard output.",
)
