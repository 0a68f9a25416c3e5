"""`audit()`: the schemas of the selection against the rows in the warehouse.

One introspection query (the build's), then per event table one aggregate query (and, when
something was found and samples are wanted, one bounded samples query). A named page or
screen (a Segment PAGE/SCREEN rule keyed `Home`) is audited as the dbt build models it: on
its own rows of `pages`/`screens` (`name = 'Home'`), with its own queries, findings and
volume. The CLI (`reflekt audit`) calls this; so does the TUI.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from reflekt.core.audit import checks as checks_mod
from reflekt.core.audit.report import AuditFinding, AuditReport, TableVolume, clip
from reflekt.core.audit.rules import BY_CODE, BY_NAME, Severity, rule
from reflekt.core.build import drift, segment
from reflekt.core.build.events import EventSchema, ModelledEvent, group_versions
from reflekt.core.build.pipeline import check_sdk, load_event_schemas
from reflekt.core.errors import ConfigError, SelectError
from reflekt.core.fsutil import pause_for_tests
from reflekt.core.profiles import Profile
from reflekt.core.progress import Progress, no_progress
from reflekt.core.project import Project
from reflekt.core.schemas import SchemaIdOf
from reflekt.core.warehouse import (
    INTROSPECTION_SQL,
    SchemaColumns,
    SourceArg,
    bigquery_dry_run_bytes,
    check_database,
    create_engine,
    driver_failures,
    introspect,
    introspection_sql,
)

DEFAULT_SINCE = "7d"
DEFAULT_SAMPLE = 5
MAX_SAMPLE = 100
_RELATIVE = re.compile(r"^\s*(\d{1,5})\s*([hdw])\s*$")
# Segment's own aggregate tables: never "an event without schema".
_NOT_EVENTS = frozenset({segment.TRACKS_TABLE, segment.USERS_TABLE})


def _moment(text: str) -> datetime:
    """A date (its midnight) or an ISO time, as naive UTC; ValueError otherwise."""
    text = text.strip()
    if len(text) == 10:
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day)
    moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def parse_since(text: str, now: datetime) -> datetime:
    """`7d`, `24h`, `2w`, or a date / ISO time (UTC): the start of the audited window."""
    match = _RELATIVE.match(text)
    if match:
        count, unit = int(match.group(1)), match.group(2)
        if count == 0:
            raise SelectError(f"--since '{text}': the window must not be empty")
        hours = count * {"h": 1, "d": 24, "w": 24 * 7}[unit]
        return now - timedelta(hours=hours)
    try:
        start = _moment(text)
    except ValueError:
        raise SelectError(
            f"--since '{text}' is not a duration or a date",
            hint="use 7d, 24h, 2w, or a date such as 2025-01-01",
        ) from None
    if start >= now:
        raise SelectError(f"--since '{text}' is in the future")
    return start


def parse_until(text: str) -> datetime:
    """`--until`: a date (its midnight) or an ISO time, UTC."""
    try:
        return _moment(text)
    except ValueError:
        raise SelectError(
            f"--until '{text}' is not a date or time", hint="e.g. 2025-03-10 or 2025-03-10T12:00"
        ) from None


@dataclass(frozen=True)
class _Target:
    """What one aggregate query audits: a table, or one named page's (screen's) rows of it."""

    table: str
    event: ModelledEvent
    page: str = ""  # the `name` of a named page or screen ("" for the whole table)

    @property
    def label(self) -> str:
        """How findings and volume name it: `order_completed`, `pages (Home)`."""
        return f"{self.table} ({self.page})" if self.page else self.table


def _targets(
    schemas: Sequence[EventSchema], columns: SchemaColumns, sdk: str = "segment"
) -> list[_Target]:
    """The events grouped as the dbt build groups them into models (`EventSchema.target`),
    each at the table `sdk`'s destination writes its rows to."""
    targets = []
    for group in group_versions(schemas, lambda s: "".join(s.target(columns.tables, sdk)[1:])):
        _, table, suffix = group.newest.target(columns.tables, sdk)
        targets.append(_Target(table, group, group.newest.name if suffix else ""))
    return targets


def _schema_files(project: Project, files: Sequence[str]) -> dict[str, str]:
    """schema id -> its file relative to the project root (where findings point; each
    names a version of a selected event), for the listed files (`list_schema_paths`
    strings: a Path only off the plain case)."""
    root = str(project.root)
    lead = root + "/" if os.sep == "/" else None

    def from_root(path: str) -> str:
        if lead is not None and path.startswith(lead):
            return path[len(lead) :]
        return Path(path).relative_to(project.root).as_posix()

    id_of = SchemaIdOf(project.schemas_dir)
    return {id_of(path): from_root(path) for path in files}


def _severities(project: Project) -> dict[str, str]:
    """code -> severity (or off), from `audit.rules` (codes or names)."""
    chosen: dict[str, str] = {}
    for key, severity in project.audit.rules.items():
        found = BY_CODE.get(key) or BY_NAME.get(key)
        if found is None:
            raise ConfigError(
                f"audit.rules: unknown rule '{key}'",
                file=project.config_path,
                hint="`reflekt audit --list-rules` shows the codes and names",
            )
        chosen[found.code] = severity
    return chosen


def audit(
    project: Project,
    profile: Profile,
    selects: Sequence[str] | None,
    source_arg: str | SourceArg,
    *,
    since: str = DEFAULT_SINCE,
    sample: int = DEFAULT_SAMPLE,
    dry_run: bool = False,
    progress: Progress = no_progress,
    now: datetime | None = None,
    maximum_bytes_billed: int | None = None,
    sdk: str = "segment",
) -> AuditReport:
    """Audit the selected events (every version of each) against `--source`, whose tables
    `sdk`'s warehouse destination wrote (its table and column naming, its own columns).

    Errors: SelectError (bad --select/--source/--since, exit 2), ConfigError (exit 2),
    SchemaFileError (exit 2), WarehouseError (exit 3).
    """
    check_sdk(sdk)
    if not 0 <= sample <= MAX_SAMPLE:
        raise SelectError(f"--sample {sample}: from 0 to {MAX_SAMPLE} values per finding")
    severities = _severities(project)
    until = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
    start = parse_since(since, until)
    previous_start = start - (until - start)
    source = source_arg if isinstance(source_arg, SourceArg) else SourceArg.parse(source_arg)
    source_config = profile.source(source.source_id)
    check_database(source, source_config)
    dialect = source_config.type
    loaded = load_event_schemas(project, selects)
    schemas, files = loaded.versions, _schema_files(project, loaded.listed_files)
    progress(0, None, f"introspecting {dialect} schema {source.schema}")
    engine = (
        None if dry_run else create_engine(source_config, maximum_bytes_billed=maximum_bytes_billed)
    )
    try:
        if engine is None:
            columns = introspect(source_config, source.schema, database=source.database)
        else:
            columns = introspect(
                source_config, source.schema, engine=engine, database=source.database
            )
        found: list[AuditFinding] = []
        targets = _targets(schemas, columns, sdk)
        found += _structure(targets, columns, project, selects, schemas, sdk)
        queries: list[str] = []
        volumes: list[TableVolume] = []
        present = [target for target in targets if target.table in columns]
        for index, target in enumerate(present):
            progress(index, len(present), f"auditing {target.label}")
            table_columns = columns.columns(target.table) or ()
            row_filter = ""
            if target.page:
                found_filter = checks_mod.name_filter(table_columns, target.page, dialect)
                if found_filter is None:
                    continue  # no `name` column: its rows cannot be told from other pages'
                row_filter = found_filter
            table_checks = checks_mod.table_checks(
                target.event.properties(sdk), table_columns, dialect
            )
            query = checks_mod.table_query(
                schema=columns.schema,
                table=target.table,
                columns=table_columns,
                checks=table_checks,
                since=start,
                until=until,
                previous_since=previous_start,
                dialect=dialect,
                row_filter=row_filter,
                database=source.database,
            )
            queries.append(query.sql)
            if engine is None:
                continue
            rows, volume = _run_table(
                engine, query, target, table_columns, columns.schema, start, until, sample,
                source_config, queries, row_filter, source.database,
            )  # fmt: skip
            found += rows
            volumes.append(volume)
            if index == 0:
                pause_for_tests("audit")
        progress(len(present), len(present), "audited")
    finally:
        if engine is not None:
            engine.dispose()
    scanned: tuple[int, ...] = ()
    if dry_run and dialect == "bigquery" and queries:
        with driver_failures(source_config, "estimate the bytes of a dry run on"):
            scanned = bigquery_dry_run_bytes(source_config, queries)
    found = _apply_config(found, severities, project.audit.max_violation_rate)
    found.sort(key=lambda f: (f.table, f.page, f.code, f.column.lower(), f.property, f.event))
    return AuditReport(
        source=str(source),
        since=start,
        until=until,
        findings=tuple(found),
        volumes=tuple(volumes),
        queries=(
            introspection_sql(dialect, source.database, columns.schema)
            if dialect == "bigquery"
            else INTROSPECTION_SQL,
            *queries,
        ),
        events=len(targets),
        tables=len({target.table for target in present}),
        dry_run=dry_run,
        bytes_scanned=scanned,
        schema_files=files,
        audited=tuple(target.event.newest.schema_id for target in targets),
    )


def _structure(
    targets: Sequence[_Target],
    columns: SchemaColumns,
    project: Project,
    selects: Sequence[str] | None,
    schemas: Sequence[EventSchema],
    sdk: str,
) -> list[AuditFinding]:
    findings: list[AuditFinding] = []
    # A drift item names its event (several, `, `-joined, for an unplanned column of a table
    # that named pages share): its target, when it has one.
    by_event = {(t.table, t.event.newest.name): t for t in targets}
    by_table: dict[str, list[_Target]] = {}
    for target in targets:
        by_table.setdefault(target.table, []).append(target)
    for target in targets:
        if target.table not in columns:
            event = target.event.newest
            findings.append(
                AuditFinding(
                    "RA101",
                    rule("RA101").severity,
                    event.name,
                    target.table,
                    f"{event.name}: no table {target.table} in {columns.schema} "
                    "(never sent, or sent under another name)",
                    schema_id=event.schema_id,
                    page=target.page,
                )
            )
    if not selects:  # only a whole-project audit knows every planned event
        planned = {target.table for target in targets}
        not_events = _NOT_EVENTS | segment.layout_for(sdk).own_tables
        for table in sorted(columns.tables):
            if table in planned or table in not_events or table.startswith("_"):
                continue
            findings.append(
                AuditFinding(
                    "RA102",
                    rule("RA102").severity,
                    "",
                    table,
                    f"table {table} has no schema: events are sent that the plan does not know",
                )
            )
    codes = {drift.UNPLANNED: "RA104", drift.NEVER_SEEN: "RA103", drift.TYPE_MISMATCH: "RA105"}
    report = drift.find_drift(
        schemas, columns, {t.table for t in targets if t.table in columns}, sdk
    )
    for item in report.items:
        drifted = by_event.get((item.table, item.event))
        if drifted is None and len(by_table.get(item.table, ())) == 1:
            drifted = by_table[item.table][0]
        message = drift.describe(item)
        if drifted is not None and drifted.page:  # `pages (Home): property ...`
            message = f"{drifted.label}{message.removeprefix(item.table)}"
        findings.append(
            AuditFinding(
                codes[item.kind],
                rule(codes[item.kind]).severity,
                item.event,
                item.table,
                message,
                schema_id=drifted.event.newest.schema_id if drifted else "",
                column=item.column,
                property=item.property,
                suggestion=item.suggestion,
                page=drifted.page if drifted else "",
            )
        )
    return findings


def _iso(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    return str(value)


def _run_table(
    engine: Any,
    query: checks_mod.TableQuery,
    target: _Target,
    columns: Sequence[Any],
    schema: str,
    since: datetime,
    until: datetime,
    sample: int,
    source_config: Any,
    queries: list[str],
    row_filter: str,
    database: str = "",
) -> tuple[list[AuditFinding], TableVolume]:
    import sqlalchemy

    event = target.event.newest
    dialect = source_config.type
    label = target.label
    doing = f"audit table {label} of"
    with driver_failures(source_config, doing), engine.connect() as connection:
        row = connection.execute(sqlalchemy.text(query.sql)).one()
        value = lambda name: checks_mod.row_value(row, name)  # noqa: E731
        total = int(value("n") or 0)
        hits = [
            (index, check, int(value(f"c{index}") or 0)) for index, check in enumerate(query.checks)
        ]
        samples: dict[int, list[str]] = {}
        wanted = [(i, c) for i, c, count in hits if count and c.samples]
        if sample and wanted:
            sample_sql = checks_mod.samples_query(
                schema=schema,
                table=target.table,
                columns=columns,
                checks=wanted,
                since=since,
                until=until,
                limit=sample,
                dialect=dialect,
                row_filter=row_filter,
                database=database,
            )
            queries.append(sample_sql)
            for found in connection.execute(sqlalchemy.text(sample_sql)).all():
                index = int(checks_mod.row_value(found, "check_index"))
                samples.setdefault(index, []).append(
                    clip(checks_mod.row_value(found, "sample_value"))
                )
    findings: list[AuditFinding] = []
    for index, check, count in hits:
        if not count:
            continue
        share = f"{count} of {total} row(s) ({100 * count / total:.2f}%)" if total else ""
        findings.append(
            AuditFinding(
                check.code,
                rule(check.code).severity,
                event.name,
                target.table,
                f"{label}.{check.column}: {share} {_what(check)}",
                schema_id=event.schema_id,
                column=check.column,
                property=check.property,
                violating=count,
                checked=total,
                first_seen=_iso(value(f"f{index}")) if query.has_window else "",
                last_seen=_iso(value(f"l{index}")) if query.has_window else "",
                samples=tuple(samples.get(index, ())),
                page=target.page,
            )
        )
    if query.has_id:
        duplicates = int(value("duplicates") or 0)
        if duplicates:
            findings.append(
                AuditFinding(
                    "RA208",
                    rule("RA208").severity,
                    event.name,
                    target.table,
                    f"{label}: {duplicates} of {total} row(s) repeat a message id "
                    "(re-deliveries; the dbt models keep the first)",
                    schema_id=event.schema_id,
                    column="id",
                    violating=duplicates,
                    checked=total,
                    page=target.page,
                )
            )
    previous = int(value("previous_n") or 0) if query.has_window else None
    if query.has_window and total == 0 and previous:
        findings.append(
            AuditFinding(
                "RA209",
                rule("RA209").severity,
                event.name,
                target.table,
                f"{label}: no row since {since:%Y-%m-%d %H:%M}, {previous} row(s) in the "
                "window before: did the instrumentation break?",
                schema_id=event.schema_id,
                violating=0,
                checked=previous,
                page=target.page,
            )
        )
    daily = tuple(
        (day.date().isoformat(), int(value(f"v{i}") or 0)) for i, day in enumerate(query.days)
    )
    volume = TableVolume(
        target.table,
        total,
        previous,
        daily,
        _iso(value("first_seen")) if query.has_window else "",
        _iso(value("last_seen")) if query.has_window else "",
        event=event.name,
        page=target.page,
    )
    return findings, volume


def _what(check: checks_mod.Check) -> str:
    return {
        "RA201": "have no value (required)",
        "RA202": "hold a value outside the enum",
        "RA203": f"are out of range ({check.detail})",
        "RA204": f"do not match the {check.detail}",
        "RA205": f"have a length out of range ({check.detail})",
        "RA206": f"are not {check.detail}",
        "RA207": f"are not of {check.detail}",
    }.get(check.code, check.detail)


def _apply_config(
    findings: list[AuditFinding], severities: dict[str, str], max_rate: float
) -> list[AuditFinding]:
    kept: list[AuditFinding] = []
    for finding in findings:
        severity = severities.get(finding.code, finding.severity)
        if severity == "off":
            continue
        rate = finding.rate
        if rate is not None and finding.code != "RA209" and rate <= max_rate:
            continue  # tolerated
        kept.append(replace(finding, severity=_severity(severity)))
    return kept


def _severity(text: str) -> Severity:
    return "warning" if text == "warning" else "error"
