"""The table of registries: registry name -> the module and class that implement it.

Why a table: pull, push, diff and `debug --connect` choose the implementation here, by the
name in `--select segment/<plan>` (or a profile's `type:`), never by `if registry == ...`.

Adding a registry (as Iglu was) is:
1. one new module, `reflekt/core/registries/<name>.py`, with a class implementing
   `protocol.Registry` (name, plan_kind, check, pull, pulled_version, describe,
   push_refused, push_preview, push, compare_base); its HTTP calls go through `http.HttpClient`
   and its answers are shape-checked in it (as `answers` does for Segment and Avo);
2. one entry in `REGISTRIES` below, as `"iglu": "reflekt.core.registries.iglu:IgluRegistry"`.
A test checks that every entry implements the protocol. (The profile's `type: <name>` keys
are read by `core/profiles.py`, which knows each registry's credentials.) A registry whose
class sets `writes_folders = True` takes `push --to-dir` (Iglu's static layout).

Entries are import paths, loaded on first use: importing the table imports no HTTP library.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

from reflekt.core.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from reflekt.core.registries.protocol import Registry

REGISTRIES: dict[str, str] = {
    "segment": "reflekt.core.registries.segment_registry:SegmentRegistry",
    "avo": "reflekt.core.registries.avo:AvoRegistry",
    "iglu": "reflekt.core.registries.iglu:IgluRegistry",
}


def registry_names() -> tuple[str, ...]:
    """The registries Reflekt knows, in table order."""
    return tuple(REGISTRIES)


def is_registry(name: str | None) -> bool:
    return name in REGISTRIES


@cache
def registry_for(name: str) -> Registry:
    """The implementation of registry `name`.

    An unknown name is a ConfigError (exit 2): "unknown registry type 'x' (known: segment,
    avo)". (A --select naming no registry is caught earlier, by `sync.parse_registry_select`.)
    """
    target = REGISTRIES.get(name)
    if target is None:
        raise ConfigError(
            f"unknown registry type '{name}' (known: {', '.join(registry_names())})",
            hint="a profile's registry `type:` and the first part of a registry --select "
            "name one of these",
        )
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)()
