"""`reflekt migrate`: bring a reflekt 0.6 project to this Reflekt's layout, in place.

    plan = plan_migration(root, registry="segment")   # every move and edit; reads only
    result = apply_migration(plan)                    # one transaction, then the git index

Modules: `schema` (one schema file), `meta` (the meta-schema), `config` (reflekt_project.yml
and the profiles file, edited as text), `plan` (what to move where), `apply` (the
transaction and `git mv`), `selects` (0.6 command lines: selects without a registry level).
"""

from __future__ import annotations

from reflekt.core.migrate.apply import MigrationResult, apply_migration, finish_pending
from reflekt.core.migrate.plan import (
    REGISTRY_FOLDERS,
    Edit,
    MigrationPlan,
    Move,
    RegistryUnknownError,
    is_06_project,
    plan_folders,
    plan_migration,
)

__all__ = [
    "REGISTRY_FOLDERS",
    "Edit",
    "MigrationPlan",
    "MigrationResult",
    "Move",
    "RegistryUnknownError",
    "apply_migration",
    "finish_pending",
    "is_06_project",
    "plan_folders",
    "plan_migration",
]
