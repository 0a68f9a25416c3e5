"""`reflekt import warehouse`: draft one schema per Segment event table of a warehouse schema.

For teams that start with data and no plan. The columns come from the one introspection query
(`warehouse.introspect`); what the data says (nulls, small sets of values, the event's name)
from one aggregate query per table pushed to the warehouse (`sampling`); the schema body from
`shape`. Every schema is written in one transaction (`transaction.apply_files`): an
interrupted import leaves nothing. An event folder that already holds a schema is never
touched (reported as kept).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reflekt.core.errors import SelectError
from reflekt.core.imports import sampling, shape, tables
from reflekt.core.imports.sampling import TableStats, Window
from reflekt.core.names import check_folder_component, event_folder
from reflekt.core.progress import Progress, no_progress
from reflekt.core.schemas import dump_schema, new_schema_body
from reflekt.core.warehouse import SourceArg

REGISTRY = "segment"
FIRST_VERSION = "1-0"
DEFAULT_SINCE = "7d"


@dataclass(frozen=True)
class Drafted:
    """One schema the import writes (or would write, or kept as it was)."""

    schema_id: str  # segment/<plan>/<Event>/1-0.json
    table: str
    event: str
    rows: int | None = None  # rows in the sample window (None: not sampled)
    columns: tuple[str, ...] = ()  # the property columns drafted (lower case)


@dataclass(frozen=True)
class Skipped:
    """A table or column the import leaves out, and why."""

    table: str
    reason: str
    column: str = ""


@dataclass(frozen=True)
class ImportResult:
    written: tuple[Drafted, ...]  # in a dry run: what would be written
    kept: tuple[Drafted, ...]  # events whose folder already holds a schema
    skipped: tuple[Skipped, ...]  # tables (column "") and columns left out
    dry_run: bool
    since: datetime
    queries: int  # queries sent to the warehouse, the introspection included

    def empty_window_note(self, plan_dir: str) -> str | None:
        """When no drafted table had a row since `since`: the drafts hold the columns only
        (no `required`, no `enum`), and an import never overwrites, so say how to redo it."""
        if not self.written or any(item.rows for item in self.written):
            return None
        redo = "" if self.dry_run else f"delete {plan_dir} and "
        return (
            f"no row of the {len(self.written)} table(s) was received since "
            f"{self.since:%Y-%m-%d %H:%M} UTC, so the drafts hold the columns only (no "
            f"`required`, no `enum`): {redo}import again with an earlier --since (30d, 90d, or "
            "a date such as 2024-01-01)."
        )

    def sdk_hint(self, sdk: str) -> str | None:
        """`drift.other_sdk_hint` over the drafted columns: RudderStack's own columns drafted
        as properties when its tables were read as Segment's."""
        from reflekt.core.build.drift import other_sdk_hint

        drafted = ((item.table, column) for item in self.written for column in item.columns)
        return other_sdk_hint(drafted, sdk)

    def summary_line(self) -> str:
        verb = "would write" if self.dry_run else "wrote"
        tables_skipped = sum(1 for item in self.skipped if not item.column)
        return (
            f"{verb} {len(self.written)} schema(s), kept {len(self.kept)} existing, "
            f"skipped {tables_skipped} table(s)"
        )


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`7d`, `24h`, `2w` (before `now`) or a date / ISO time -> a naive UTC datetime.

    Audit's own rule (`audit.run.parse_since`): an import and the audit that checks it read
    the same window.
    """
    from reflekt.core.audit.run import parse_since as audit_since

    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    return audit_since(text, moment)


def _check_plan(plan: str) -> None:
    problem = check_folder_component(plan, what="plan name")
    if problem is None and event_folder(plan) != plan:
        problem = f"the plan name '{plan}' holds characters a folder name cannot"
    if problem:
        raise SelectError(f"--plan: {problem}", hint="for example --plan ecommerce")


def _has_schema(folder: Path) -> bool:
    return folder.is_dir() and any(path.suffix == ".json" for path in folder.iterdir())


def _selected(table: str, globs: Sequence[str]) -> bool:
    return not globs or any(fnmatch.fnmatchcase(table, glob.lower()) for glob in globs)


def import_warehouse(
    project: Any,
    profile: Any,
    source_arg: str | SourceArg,
    plan: str,
    *,
    since: str | datetime = DEFAULT_SINCE,
    sample: int | None = None,
    select_tables: Sequence[str] = (),
    dry_run: bool = False,
    progress: Progress | None = None,
    sdk: str = "segment",
) -> ImportResult:
    """Draft `schemas/segment/<plan>/<Event>/1-0.json` for each event table that `sdk`'s
    warehouse destination wrote (its table and column naming; its own columns and tables are
    not the plan's).

    Errors: SelectError (bad --source/--plan/--since, exit 2), ConfigError (unknown source,
    exit 2), WarehouseError (unreachable warehouse, missing schema, failed query, exit 3).
    """
    from reflekt.core.build.pipeline import check_sdk
    from reflekt.core.build.segment import layout_for
    from reflekt.core.transaction import apply_files
    from reflekt.core.warehouse import (
        check_database,
        create_engine,
        driver_failures,
        introspect,
    )

    check_sdk(sdk)
    label = layout_for(sdk).label
    report = progress or no_progress
    source = source_arg if isinstance(source_arg, SourceArg) else SourceArg.parse(source_arg)
    _check_plan(plan)
    if sample is not None and sample < 1:
        raise SelectError("--sample must be at least 1", hint="leave it out to use every row")
    window = Window(since if isinstance(since, datetime) else parse_since(since), sample)
    source_config = profile.source(source.source_id)
    check_database(source, source_config)

    report(0, None, f"introspecting {source_config.type} schema {source.schema}")
    engine = create_engine(source_config)
    try:
        with driver_failures(source_config, "sample"):
            columns = introspect(source_config, source.schema, engine, database=source.database)
            queries = 1
            plan_dir = project.schemas_dir / REGISTRY / plan
            skipped: list[Skipped] = []
            todo: list[tables.EventTable] = []
            kept: list[Drafted] = []
            for name in sorted(columns.tables):
                if not _selected(name, select_tables):
                    continue
                found = tables.event_table(name, columns.tables[name], sdk)
                if isinstance(found, str):
                    skipped.append(Skipped(name, found))
                    continue
                skipped += [
                    Skipped(
                        name,
                        f"no property name maps to this column under {label}'s naming "
                        "(it snake_cases every name it writes); add it by hand if it is one",
                        column=col,
                    )
                    for col in found.unnamed
                ]
                folder = event_folder(tables.event_name(found, None))
                if _has_schema(plan_dir / folder):
                    kept.append(Drafted(_schema_id(plan, folder), name, found.default_name))
                    continue
                todo.append(found)

            schema_name = _schema_for_sql(source_config.type, columns.schema, source.database)
            drafted: list[Drafted] = []
            files: dict[Path, str] = {}
            with engine.connect() as connection:
                for index, table in enumerate(todo):
                    report(index, len(todo), f"sampling {table.table}")
                    stats = sampling.table_stats(connection, schema_name, table, window)
                    queries += 1 + len(stats.enums)
                    event = tables.event_name(table, stats.event_text)
                    folder = event_folder(event)
                    if _has_schema(plan_dir / folder):  # named by event_text: another folder
                        kept.append(Drafted(_schema_id(plan, folder), table.table, event))
                        continue
                    schema_id = _schema_id(plan, folder)
                    files[project.schemas_dir / schema_id] = _draft(
                        project, schema_id, event, table, stats
                    )
                    drafted_columns = tuple(column.name.lower() for column in table.properties)
                    drafted.append(
                        Drafted(schema_id, table.table, event, stats.rows, drafted_columns)
                    )
                report(len(todo), len(todo), "sampled")
    finally:
        engine.dispose()

    if files and not dry_run:
        apply_files(project.root, files)
    return ImportResult(tuple(drafted), tuple(kept), tuple(skipped), dry_run, window.since, queries)


def _schema_id(plan: str, folder: str) -> str:
    return f"{REGISTRY}/{plan}/{folder}/{FIRST_VERSION}.json"


def _schema_for_sql(source_type: str, schema: str, database: str) -> str:
    """The schema part of a table name; on Snowflake `database.schema` (its introspection
    reads `--source`'s database, which may not be the one the connection opens)."""
    if source_type == "snowflake":
        # A plain name in lower case stays unquoted, so Snowflake resolves it as it resolves
        # `--source` in the introspection (case-insensitively).
        plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", database)
        return f"{database.lower() if plain else database}.{schema}"
    return schema


def _draft(
    project: Any, schema_id: str, event: str, table: tables.EventTable, stats: TableStats
) -> str:
    properties, required = shape.draft_properties(table.properties, stats, table.all_columns)
    body = new_schema_body(
        schema_id,
        vendor=project.vendor,
        name=event,
        version=FIRST_VERSION,
        description="",
        properties=properties,
        required=required,
    )
    return dump_schema(body)
