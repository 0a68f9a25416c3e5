"""What `reflekt migrate` would do to a reflekt 0.6 project: every move and edit (pure reads).

A 0.6 project has its meta-schema at `schemas/.reflekt/meta/1-0.json`, plan (or Avo branch)
folders right under `schemas/` and `metadata` inside `self`. Each plan folder goes under its
registry's folder: `--registry` for all, `folders={plan: registry}` for some, else inferred:
a folder named in `registry.avo.branches` (or `main`, when the project configures Avo) is an
Avo branch, and a profiles file whose every registry is of one type names that type for the
rest. A folder still unknown is a `RegistryUnknownError` listing them (the CLI asks, in a
terminal). A destination that already exists stops the plan: nothing is ever overwritten.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reflekt.core.errors import ConfigError, ReflektError
from reflekt.core.migrate.config import edit_profiles_yaml, edit_project_yaml
from reflekt.core.migrate.meta import NEW_META, OLD_META, convert_meta, meta_is_06
from reflekt.core.migrate.schema import IgnoreEntry, convert_schema, needs_conversion
from reflekt.core.readfile import read_regular
from reflekt.core.schemas import parse_schema_text
from reflekt.core.yamlfile import parse_yaml

PROJECT_FILE = "reflekt_project.yml"
REGISTRY_FOLDERS = ("segment", "avo")  # where migrated plans go (`--registry`)
_CONFIG_CAP = 1024 * 1024


class RegistryUnknownError(ReflektError):
    """Plan folders whose registry could not be inferred (exit 2)."""

    def __init__(self, folders: tuple[str, ...]) -> None:
        shown = ", ".join(folders)
        super().__init__(
            f"reflekt migrate cannot tell which registry these plan folders come from: {shown}",
            hint="name it for all with --registry segment (or avo), or per folder with "
            f"--folder {folders[0]}=segment (repeatable); in a terminal, migrate asks",
        )
        self.folders = folders


@dataclass(frozen=True)
class Move:
    """A file moved (and maybe edited): paths relative to the project root."""

    source: str
    target: str
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edit:
    """A file edited in place (`path` relative to the project root, or absolute outside)."""

    path: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class MigrationPlan:
    root: Path
    folders: dict[str, str]  # plan folder -> registry
    moves: tuple[Move, ...]
    edits: tuple[Edit, ...]
    texts: dict[str, str] = field(repr=False)  # relative target -> new text (project files)
    outside: dict[Path, str] = field(repr=False)  # absolute path -> new text (profiles)
    ignores: tuple[IgnoreEntry, ...] = ()
    no_equivalent: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def nothing_to_do(self) -> bool:
        return not self.moves and not self.edits

    @property
    def keys_changed(self) -> int:
        return sum(len(m.changes) for m in self.moves) + sum(len(e.changes) for e in self.edits)


def plan_folders(root: Path) -> list[str]:
    """The plan (or branch) folders right under `schemas/` that have no registry level."""
    schemas = root / "schemas"
    try:
        names = sorted(os.listdir(schemas))
    except OSError:
        return []
    return [
        name
        for name in names
        if not name.startswith(".")
        and name not in _registry_folders()
        and (schemas / name).is_dir()
        and not (schemas / name).is_symlink()
    ]


def _registry_folders() -> set[str]:
    """Top-level folders that are registries already (every registry Reflekt knows)."""
    from reflekt.core.registries.table import registry_names

    return {*REGISTRY_FOLDERS, *registry_names()}


def is_06_project(root: Path) -> bool:
    """Whether `root` still has reflekt 0.6's meta-schema and not this Reflekt's (what lint
    points users to `reflekt migrate` for)."""
    schemas = root / "schemas"
    return (schemas / OLD_META).is_file() and not os.path.lexists(schemas / NEW_META)


def plan_migration(
    root: Path,
    *,
    registry: str | None = None,
    folders: Mapping[str, str] | None = None,
    profiles_path: Path | None = None,
) -> MigrationPlan:
    """Every move and edit that brings the project at `root` to this Reflekt's layout.

    Raises RegistryUnknownError (the folders to name), ConfigError for a destination that
    exists or a config file that cannot be edited safely.
    """
    root = Path(os.path.abspath(root))
    schemas = root / "schemas"
    given = dict(folders or {})
    for name, value in given.items():
        _check_registry(value, f"--folder {name}={value}")
    if registry is not None:
        _check_registry(registry, f"--registry {registry}")
    project_text = _read_text(root / PROJECT_FILE)
    project_data = parse_yaml(project_text, root / PROJECT_FILE).data if project_text else {}
    plans = plan_folders(root)
    unknown_given = sorted(
        name
        for name in set(given) - set(plans)
        if not (schemas / given[name] / name).is_dir()  # migrated already: a re-run is fine
    )
    if unknown_given:
        raise ConfigError(
            f"--folder {unknown_given[0]}=...: schemas/{unknown_given[0]} is not a plan folder "
            "to migrate",
            hint=f"plan folders without a registry level: {', '.join(plans) or 'none'}",
        )
    assigned = _assign(plans, registry, given, project_data, profiles_path)
    missing = tuple(p for p in plans if p not in assigned)
    if missing:
        raise RegistryUnknownError(missing)

    moves: list[Move] = []
    texts: dict[str, str] = {}
    ignores: list[IgnoreEntry] = []
    notes: list[str] = []
    for plan in plans:
        reg = assigned[plan]
        for path in _files_under(schemas / plan):
            rel = path.relative_to(schemas).as_posix()
            new_rel = f"{reg}/{rel}"
            target = schemas / new_rel
            if os.path.lexists(target):
                raise ConfigError(
                    f"schemas/{new_rel} already exists: migrating schemas/{rel} would replace it",
                    hint="move one of them away; nothing was changed",
                )
            text = _read_text(path)
            changes: tuple[str, ...] = ()
            if path.suffix == ".json" and text is not None:
                converted = convert_schema(text, rel, new_rel)
                text, changes = converted.text, converted.changes
                ignores.extend(converted.ignores)
                notes.extend(converted.notes)
            if text is None:
                raise ConfigError(f"cannot read schemas/{rel}: nothing was changed", file=path)
            moves.append(Move(f"schemas/{rel}", f"schemas/{new_rel}", changes))
            texts[f"schemas/{new_rel}"] = text
    # Schemas already under a registry folder that still carry 0.6's shape (a half-done
    # manual move): converted in place.
    edits: list[Edit] = []
    for reg in REGISTRY_FOLDERS:
        for path in _files_under(schemas / reg):
            if path.suffix != ".json":
                continue
            text = _read_text(path)
            body, problems = parse_schema_text(text or "")
            rel = path.relative_to(schemas).as_posix()
            if body is None or problems or not needs_conversion(body, rel):
                continue
            converted = convert_schema(text or "", rel, rel)
            if converted.changes:
                edits.append(Edit(f"schemas/{rel}", converted.changes))
                texts[f"schemas/{rel}"] = converted.text
                ignores.extend(converted.ignores)
                notes.extend(converted.notes)
    old_meta, new_meta = schemas / OLD_META, schemas / NEW_META
    if old_meta.is_file():
        meta_text = _read_text(old_meta) or ""
        if os.path.lexists(new_meta):
            notes.append(
                f"schemas/{OLD_META} left as it is: schemas/{NEW_META} exists already and is "
                "the one lint reads"
            )
        else:
            converted_meta = convert_meta(meta_text)
            moves.append(Move(f"schemas/{OLD_META}", f"schemas/{NEW_META}", converted_meta.changes))
            texts[f"schemas/{NEW_META}"] = converted_meta.text
            notes.extend(converted_meta.notes)
    elif new_meta.is_file() and meta_is_06(_read_text(new_meta) or ""):
        converted_meta = convert_meta(_read_text(new_meta) or "")
        if converted_meta.changes:
            edits.append(Edit(f"schemas/{NEW_META}", converted_meta.changes))
            texts[f"schemas/{NEW_META}"] = converted_meta.text
    no_equivalent: list[str] = []
    if not (moves or edits):  # not a 0.6 project (any more): its settings mean what they say
        return MigrationPlan(root, {}, (), (), {}, {}, notes=tuple(notes))
    if project_text is not None:
        project_edit = edit_project_yaml(project_text, root / PROJECT_FILE, ignores)
        notes.extend(project_edit.notes)
        if project_edit.changes:
            edits.append(Edit(PROJECT_FILE, project_edit.changes))
            texts[PROJECT_FILE] = project_edit.text
    outside: dict[Path, str] = {}
    if profiles_path is not None and profiles_path.is_file():
        profiles_text = _read_text(profiles_path)
        if profiles_text is not None:
            profiles_edit = edit_profiles_yaml(profiles_text, profiles_path)
            no_equivalent.extend(profiles_edit.no_equivalent)
            notes.extend(profiles_edit.notes)
            if profiles_edit.changes:
                inside = _inside(root, profiles_path)
                shown = inside if inside is not None else str(profiles_path)
                edits.append(Edit(shown, profiles_edit.changes))
                if inside is not None:
                    texts[inside] = profiles_edit.text
                else:
                    outside[profiles_path] = profiles_edit.text
    for package in _dbt_packages(root):
        notes.append(
            f"{package}/ left as it is. `reflekt build dbt` never overwrites files without "
            "its header: remove the 0.6 package (git rm -r) before the next build to have "
            "it regenerated"
        )
    return MigrationPlan(
        root=root,
        folders={p: assigned[p] for p in plans},
        moves=tuple(moves),
        edits=tuple(edits),
        texts=texts,
        outside=outside,
        ignores=tuple(ignores),
        no_equivalent=tuple(no_equivalent),
        notes=tuple(notes),
    )


def _check_registry(value: str, what: str) -> None:
    if value not in REGISTRY_FOLDERS:
        raise ConfigError(f"{what}: not a registry (choose {' or '.join(REGISTRY_FOLDERS)})")


def _assign(
    plans: list[str],
    registry: str | None,
    given: dict[str, str],
    project_data: object,
    profiles_path: Path | None,
) -> dict[str, str]:
    assigned: dict[str, str] = {}
    branches = _avo_branches(project_data)
    profile_types = _profile_registry_types(profiles_path)
    only = next(iter(profile_types)) if len(profile_types) == 1 else None
    for plan in plans:
        if plan in given:
            assigned[plan] = given[plan]
        elif registry is not None:
            assigned[plan] = registry
        elif plan in branches:
            assigned[plan] = "avo"
        elif only is not None:
            assigned[plan] = only
    return assigned


def _avo_branches(project_data: object) -> set[str]:
    registry = project_data.get("registry") if isinstance(project_data, dict) else None
    avo = registry.get("avo") if isinstance(registry, dict) else None
    if not isinstance(avo, dict):
        return set()
    branches = avo.get("branches")
    names = {str(name) for name in branches} if isinstance(branches, dict) else set()
    return names | {"main"}


def _profile_registry_types(path: Path | None) -> set[str]:
    """The registry types named anywhere in the profiles file (empty when unreadable)."""
    if path is None or not path.is_file():
        return set()
    text = _read_text(path)
    try:
        data = parse_yaml(text or "", path).data
    except ConfigError:
        return set()
    types: set[str] = set()
    for profile in data.values() if isinstance(data, dict) else ():
        items = profile.get("registry") if isinstance(profile, dict) else None
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and item.get("type") in REGISTRY_FOLDERS:
                types.add(str(item["type"]))
    return types


def _files_under(folder: Path) -> list[Path]:
    """Every regular file below `folder`, sorted (symlinks are refused: they could point
    anywhere, and a move must not follow them)."""
    found: list[Path] = []
    if not folder.is_dir():
        return found
    for current, dirs, files in os.walk(folder):
        dirs.sort()
        base = Path(current)
        for name in sorted(files):
            path = base / name
            if path.is_symlink():
                raise ConfigError(
                    f"{path} is a symbolic link: reflekt migrate moves regular files only",
                    hint="replace it with the file it points to; nothing was changed",
                )
            found.append(path)
    return found


def _read_text(path: Path) -> str | None:
    try:
        return read_regular(path, _CONFIG_CAP * 5).decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}; nothing was changed", file=path) from None


def _inside(root: Path, path: Path) -> str | None:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return None


def _dbt_packages(root: Path) -> list[str]:
    folder = root / "artifacts" / "dbt"
    try:
        names = sorted(n for n in os.listdir(folder) if (folder / n).is_dir())
    except OSError:
        return []
    return [
        f"artifacts/dbt/{name}" for name in names if (folder / name / "dbt_project.yml").exists()
    ]
