"""Click options shared by several commands (one definition, one help text)."""

from __future__ import annotations

import click

from reflekt.core.registries.segment import DEFAULT_PLAN_TYPE, PLAN_TYPES

plan_type_option = click.option(
    "--plan-type",
    type=click.Choice(PLAN_TYPES, case_sensitive=False),
    default=DEFAULT_PLAN_TYPE,
    show_default=True,
    help="Segment: the type of tracking plan to look the name up among (a library or "
    "template may share a live plan's name).",
)
