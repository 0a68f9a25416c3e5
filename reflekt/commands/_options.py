"""Click options shared by several commands (one definition, one help text)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from reflekt.core.cache_switch import caches_off
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


def warehouse_sdk_option(what: str) -> Callable[[Callable[..., Any]], Any]:
    """`--sdk segment|rudderstack`: whose warehouse destination wrote the tables `what`."""
    from reflekt.core.build.segment import SDKS

    return click.option(
        "--sdk",
        type=click.Choice(list(SDKS)),
        default="segment",
        show_default=True,
        help=f"The SDK whose warehouse destination wrote the tables {what}: segment "
        "(Segment's warehouse destinations) or rudderstack (RudderStack's: its table naming, "
        "`channel`, `aliases`).",
    )


def no_cache_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--no-cache` for a command whose core calls use a cache: they run with caches off."""

    @click.option(
        "--no-cache",
        "no_cache",
        is_flag=True,
        help="Neither read nor write the caches in .reflekt_cache/ (also REFLEKT_NO_CACHE=1).",
    )
    @functools.wraps(command)
    def with_switch(*args: Any, no_cache: bool, **kwargs: Any) -> Any:
        with caches_off(no_cache):
            return command(*args, **kwargs)

    return with_switch


def select_option(what: str, extra: str = "") -> Callable[[Callable[..., Any]], Any]:
    """`--select/-s SEL` (repeatable), its help naming `what` the schemas are selected for."""
    return click.option(
        "--select",
        "-s",
        "selects",
        multiple=True,
        metavar="SEL",
        help=f"Schemas to {what}: a folder or file under schemas/ (`.json` optional). "
        f"Repeatable. Default: every schema.{' ' + extra if extra else ''}",
    )


def out_option(defaults: str, rule: str = "") -> Callable[[Callable[..., Any]], Any]:
    """`--out/-o DIR` of a build: always inside the project (`core/artifact_folder.py`)."""
    return click.option(
        "--out",
        "-o",
        type=click.Path(file_okay=False),
        default=None,
        help=f"Output folder, inside the project (relative to the project root{rule}). "
        f"Default: {defaults}",
    )


dry_run_option = click.option(
    "--dry-run", is_flag=True, help="List the files that would change; write nothing."
)
