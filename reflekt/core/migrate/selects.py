"""reflekt 0.6 command lines: `--registry segment --select ecommerce` and selects without a
registry level, mapped to this Reflekt's `--select segment/ecommerce`.

Why: CI scripts written for 0.6 keep working after `reflekt migrate`; each mapping comes with
a one-line note naming the new form, so the scripts can be updated at leisure.
A select gets the registry level when `--registry` names it, when the project has exactly
one registry folder under `schemas/`, or when exactly one registry folder holds its plan; a
select whose first part is a registry folder already
is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reflekt.core.errors import SelectError
from reflekt.core.select import check_select, normalize_select


@dataclass(frozen=True)
class MappedSelects:
    selects: tuple[str, ...]
    notes: tuple[str, ...]


def registry_folders(schemas_dir: Path) -> list[str]:
    """The registry folders under `schemas/` (every registry Reflekt knows that exists)."""
    from reflekt.core.registries.table import registry_names

    return [name for name in registry_names() if (schemas_dir / name).is_dir()]


def map_selects(
    schemas_dir: Path, selects: Sequence[str], registry: str | None, command: str
) -> MappedSelects:
    """`selects` with the registry level added where 0.6 left it out (see the module doc)."""
    from reflekt.core.registries.table import registry_names

    known = registry_names()
    if registry is not None and registry not in known:
        raise SelectError(
            f"--registry {registry}: not a registry (known: {', '.join(known)})",
            hint=f"e.g. reflekt {command} --select segment/<plan>",
        )
    present = registry_folders(schemas_dir)
    out: list[str] = []
    mapped: list[tuple[str, str]] = []
    for select in selects:
        check_select(select)
        text = normalize_select(select)
        first = text.split("/", 1)[0]
        if text and first in known:
            if registry is not None and first != registry:
                raise SelectError(
                    f"--registry {registry} --select {select}: the select names registry '{first}'",
                    hint=f"drop --registry: reflekt {command} --select {text}",
                )
            out.append(select)
            continue
        target = registry or _only_holder(schemas_dir, present, first)
        if target is None or not text:
            out.append(select)
            continue
        new = f"{target}/{text}"
        out.append(new)
        mapped.append((select, new))
    notes: list[str] = []
    if mapped:
        shown = " ".join(f"--select {new}" for _, new in mapped)
        how = "--registry and a select" if registry is not None else "a select"
        notes.append(
            f"{how} without the registry level is reflekt 0.6's form; use: reflekt {command} "
            f"{shown}"
        )
    elif registry is not None:
        notes.append(
            f"--registry is reflekt 0.6's option; the select's first folder names the "
            f"registry: reflekt {command} --select {registry}/<plan>"
        )
    return MappedSelects(tuple(out), tuple(notes))


def _only_holder(schemas_dir: Path, present: list[str], plan: str) -> str | None:
    """The one registry folder (of those present) the select can mean, if there is one."""
    if len(present) == 1:
        return present[0]
    holders = [name for name in present if plan and (schemas_dir / name / plan).is_dir()]
    return holders[0] if len(holders) == 1 else None
