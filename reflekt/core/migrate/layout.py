"""Where a reflekt 0.6 schema path lives after `reflekt migrate` (for reading old commits).

Why: `reflekt diff --against git:<a commit before the migration>` must compare each schema
with itself, not report every event removed and added again. A base file at
`ecommerce/Cart_Viewed/1-0.json` (no registry level) is read as the migrated file
`segment/ecommerce/Cart_Viewed/1-0.json` when exactly one registry folder of the working tree
holds `ecommerce/`, and its body as `migrate` converts it (`schema.convert_schema`).
"""

from __future__ import annotations

from pathlib import Path

from reflekt.core.migrate.schema import convert_schema


def migrated_id(rel: str, schemas_dir: Path) -> str | None:
    """`plan/Event/M-m.json` -> `<registry>/plan/Event/M-m.json`, or None (a path in this
    Reflekt's layout, or a plan no single registry folder holds)."""
    parts = rel.split("/")
    if len(parts) != 3:
        return None
    registry = _holder(schemas_dir, parts[0])
    return f"{registry}/{rel}" if registry else None


def _holder(folder: Path, plan: str) -> str | None:
    from reflekt.core.registries.table import registry_names

    holders = [name for name in registry_names() if (folder / name / plan).is_dir()]
    return holders[0] if len(holders) == 1 else None


def migrated_text(text: str, old_rel: str, new_rel: str) -> str:
    """A 0.6 schema's text as `reflekt migrate` writes it at `new_rel`."""
    return convert_schema(text, old_rel, new_rel).text
