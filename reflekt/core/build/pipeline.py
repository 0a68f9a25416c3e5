"""`build_dbt()`: load schemas, introspect the warehouse once, build the package, apply it.

The CLI (`reflekt build dbt`), the demo and the TUI build wizard all call this one function.
Progress is reported through `core.progress.Progress` `(done, total, message)`, so each
front end draws its own progress bar.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reflekt.core.build.dbt import SDKS, DbtPackage, Skipped, build_package
from reflekt.core.build.drift import DriftReport, find_drift
from reflekt.core.build.events import EventSchema
from reflekt.core.build.facts_cache import FactsCache
from reflekt.core.build.writer import WritePlan, apply_plan, plan_package
from reflekt.core.errors import ReflektError, SchemaFileError
from reflekt.core.profiles import Profile
from reflekt.core.progress import Progress, no_progress
from reflekt.core.project import Project
from reflekt.core.refs import reads_shared
from reflekt.core.schemas import (
    SchemaDocument,
    SchemaIdOf,
    list_schema_paths,
    load_schema,
    schema_ids,
)
from reflekt.core.select import Selected, select_files
from reflekt.core.warehouse import SourceArg, check_database, introspect


@dataclass(frozen=True)
class BuildResult:
    """What a build did (or, with dry_run, would do)."""

    package_dir: Path
    package: DbtPackage
    plan: WritePlan
    dry_run: bool
    schema_count: int
    timings: dict[str, float] = field(default_factory=dict)
    drift: DriftReport = field(default_factory=DriftReport)

    @property
    def built(self) -> tuple[str, ...]:
        """Model names built."""
        return tuple(model.name for model in self.package.models)

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        return self.package.skipped

    @property
    def skipped_tables(self) -> tuple[str, ...]:
        return tuple(sorted({skip.table for skip in self.package.skipped}))


@dataclass(frozen=True)
class LoadedSchemas:
    """The selected schemas, and every version of their events (one model, one audit each)."""

    selected: list[EventSchema]
    versions: list[EventSchema]  # the selected ones, then the other versions of their events
    schemas_dir: Path
    selection: Selected

    @functools.cached_property
    def files(self) -> list[str]:
        """Every schema file of the project (`list_schema_paths` strings), listed when
        asked for (a build's plan needs every id; loading the selection does not)."""
        if self.selection.whole:
            return self.listed_files
        return list_schema_paths(self.schemas_dir)

    @property
    def listed_files(self) -> list[str]:
        """The files of the folders the selection was listed from (the selected events'
        folders among them, so every version's file): what audit points findings at."""
        return [path for paths in self.selection.folders.values() for path in paths]


@reads_shared
def load_event_schemas(
    project: Project,
    selects: Sequence[str] | None,
    progress: Progress = no_progress,
    *,
    extra_steps: int = 0,
    documents: dict[str, SchemaDocument] | None = None,
) -> LoadedSchemas:
    """Read the selected schema files (SchemaFileError on the first unreadable one, with
    lint's hint), then the other versions of their events. Progress counts files read, out
    of the files plus `extra_steps` the caller reports after. Only what the selects can
    match is listed (as strings: a Path is built only for a file read). A caller that needs
    the files' text too (the docs build) passes `documents`, filled by schema id."""
    selection = select_files(project.schemas_dir, selects)
    paths = selection.paths
    total = len(paths) + extra_steps
    facts = FactsCache.open(project) if documents is None else None  # docs need the text
    read = facts.load if facts is not None else _reader(project, documents)
    selected: list[EventSchema] = []
    for index, path in enumerate(paths, start=1):
        try:
            selected.append(read(path))
        except SchemaFileError as error:
            raise SchemaFileError(
                error.message,
                file=error.file,
                line=error.line,
                column=error.column,
                hint=error.hint
                or "`reflekt lint` lists every problem; fix the file, or leave it out with "
                "--select",
            ) from None
        if index % 50 == 0 or index == len(paths):
            progress(index, total, f"read {index} schema(s)")
    others = _other_versions(project, selection.folders, selected, read)
    if facts is not None:
        facts.save(whole=selection.whole)
    return LoadedSchemas(selected, [*selected, *others], project.schemas_dir, selection)


def check_sdk(sdk: str) -> str:
    if sdk not in SDKS:
        raise ReflektError(
            f"--sdk '{sdk}' is not supported (supported: {', '.join(SDKS)})",
            hint="Reflekt models the tables that the Segment and RudderStack warehouse "
            "destinations write",
        )
    return sdk


def build_dbt(
    project: Project,
    profile: Profile,
    selects: Sequence[str] | None,
    source_arg: str | SourceArg,
    sdk: str = "segment",
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the project's dbt package for the selected schemas against `--source`.

    Errors: SelectError (bad --select/--source, exit 2), ConfigError (unknown source id, exit
    2), SchemaFileError (unreadable schema, exit 2), WarehouseError (exit 3).
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    report = progress or no_progress
    source = source_arg if isinstance(source_arg, SourceArg) else SourceArg.parse(source_arg)
    check_sdk(sdk)
    source_config = profile.source(source.source_id)
    check_database(source, source_config)
    loaded = load_event_schemas(project, selects, report, extra_steps=2)
    schemas, versions, all_files = loaded.selected, loaded.versions, loaded.files
    total = len(schemas) + 2
    timings["load"] = time.perf_counter() - started

    mark = time.perf_counter()
    report(len(schemas), total, f"introspecting {source_config.type} schema {source.schema}")
    columns = introspect(source_config, source.schema, database=source.database)
    timings["introspect"] = time.perf_counter() - mark

    mark = time.perf_counter()
    package = build_package(
        project_name=project.name,
        config=project.dbt,
        schemas=versions,
        columns=columns,
        source=source,
        source_type=source_config.type,
        sdk=sdk,
    )
    report(len(schemas) + 1, total, f"built {len(package.models)} model(s)")
    timings["build"] = time.perf_counter() - mark

    mark = time.perf_counter()
    drift = find_drift(
        versions,
        columns,
        {model.table for model in package.models},
        sdk,
    )
    timings["drift"] = time.perf_counter() - mark

    mark = time.perf_counter()
    package_dir = project.artifacts_dir / "dbt" / package.package_name
    existing_ids = set(schema_ids(all_files, project.schemas_dir))
    plan = plan_package(
        package_dir,
        package,
        selected_ids={schema.schema_id for schema in versions},
        existing_ids=existing_ids,
        full_build={schema.schema_id for schema in versions} >= existing_ids,
    )
    if not dry_run:
        apply_plan(plan, project_root=project.root)
    report(total, total, "dry run: nothing written" if dry_run else "files written")
    timings["write"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return BuildResult(
        package_dir=package_dir,
        package=package,
        plan=plan,
        dry_run=dry_run,
        schema_count=len(schemas),
        timings=timings,
        drift=drift,
    )


def _reader(
    project: Project, documents: dict[str, SchemaDocument] | None
) -> Callable[[str], EventSchema]:
    """Read a schema file (`load_schema`: SchemaFileError when unusable) into its facts,
    keeping its document in `documents` when given."""

    def read(path: str) -> EventSchema:
        doc = load_schema(Path(path), project.schemas_dir)
        if documents is not None:
            documents[doc.schema_id.path] = doc
        return EventSchema.from_body(doc.schema_id.path, doc.body or {})

    return read


def _other_versions(
    project: Project,
    listing: Mapping[str, list[str]],
    selected: Sequence[EventSchema],
    read: Callable[[str], EventSchema],
) -> list[EventSchema]:
    """The unselected versions of the selected events: an event's model selects the columns
    of all its versions, and a column another version plans is not unplanned. An unreadable
    file is left out (lint reports it). Only the selected events' folders of `listing`
    (the folders the selection was listed from) are looked at."""
    chosen = {schema.schema_id for schema in selected}
    folders = {schema_id.rsplit("/", 1)[0] for schema_id in chosen}
    others: list[EventSchema] = []
    id_of = SchemaIdOf(project.schemas_dir)
    for folder in sorted(folders & listing.keys()):
        for path in listing[folder]:
            schema_id = id_of(path)
            if schema_id in chosen or schema_id.rsplit("/", 1)[0] not in folders:
                continue
            try:
                others.append(read(path))
            except SchemaFileError:
                continue
    return others
