"""The demo's warehouse: a DuckDB file with the raw tables a Segment destination writes.

`sdk="rudderstack"` shapes it as a RudderStack destination does instead: RudderStack's table
and column naming, its extra columns (`channel`, `rudder_id`, `context_source_id`, ...), the
same faults (the layouts differ only as `segment.SDK_LAYOUTS` says).

Tables and columns are derived from the demo's schema files with the same Segment knowledge
the dbt builder uses (core/build/segment.py), filled with a few thousand rows of synthetic
events from a seeded random generator, so the file is the same on every run. Some events are
deliberately left out (`skip_events`) so that `reflekt build dbt` shows its skip warning.

The data holds what real Segment warehouses hold (`DEMO_FAULTS`), so the demo shows what the
package does about each: re-delivered rows (same `id`, later `received_at` and `uuid_ts`:
the models dedupe them), a late batch (loaded days after it was received), a number stored
as text (`product_viewed.price`: the model casts it), a column no schema knows
(`order_completed.totl`) and a property never sent (`product_viewed.image_url`: both in the
drift report), and a few plan violations (a lower-case `currency`, a negative `total`: the
warn-level schema tests catch them).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from reflekt.core.build import segment
from reflekt.core.build.events import EventSchema
from reflekt.core.schemas import load_schema

DEMO_SCHEMA = "segment_prod"
DEMO_SCHEMAS = {"segment": DEMO_SCHEMA, "rudderstack": "rudderstack_prod"}
# Columns some destinations of an SDK write and the demo leaves out (RudderStack's
# `loaded_at`: its warehouses that write `uuid_ts` are the demo's shape).
_NOT_IN_DEMO = frozenset({"loaded_at"})
_BASE_TIME = datetime(2024, 1, 1)
_TIMESTAMP_COLUMNS = ("original_timestamp", "sent_at", "received_at", "timestamp", "uuid_ts")
_MESSAGE_CALLS = frozenset({"track", "identify", "page", "screen", "group"})
_REDELIVERED_SHARE = 0.04  # of each message table's rows, delivered a second time
_LATE_SHARE = 0.02  # of each message table's rows, loaded three days late
_LATE_BY = timedelta(days=3)


@dataclass(frozen=True)
class DemoFaults:
    """The real-data faults planted in the demo warehouse (each is `table.column`)."""

    text_number: str = "product_viewed.price"  # a number Segment loaded as text
    unplanned: str = "order_completed.totl"  # a column no schema knows (a typo of `total`)
    never_sent: str = "product_viewed.image_url"  # a planned property with no column
    # Rows that break the plan: (table, column, value, rows).
    violations: tuple[tuple[str, str, Any, int], ...] = (
        ("order_completed", "currency", "usd", 2),
        ("order_completed", "total", -5.0, 1),
    )


DEMO_FAULTS = DemoFaults()
_COMMON_TYPES = {
    "context_active": "boolean",
    "context_location_latitude": "double",
    "context_location_longitude": "double",
    "context_screen_width": "bigint",
    "context_screen_height": "bigint",
    "context_screen_density": "double",
    "context_device_ad_tracking_enabled": "boolean",
    "context_network_wifi": "boolean",
}
_JSON_TYPES = {"string": "varchar", "integer": "bigint", "number": "double", "boolean": "boolean"}


@dataclass(frozen=True)
class DemoWarehouseSummary:
    path: Path
    schema: str
    tables: dict[str, int]  # table -> rows
    skipped_events: tuple[str, ...]  # events with no table, on purpose
    database: str = field(default="")  # the DuckDB catalog name (the file stem)
    redelivered: int = 0  # rows that are a second delivery of a message
    late: int = 0  # rows loaded three days after Segment received them
    messages: dict[str, int] = field(default_factory=dict)  # message table -> distinct ids

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())


@dataclass
class _Table:
    name: str
    call: str
    columns: dict[str, str] = field(default_factory=dict)  # column -> SQL type
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)  # property column -> spec
    events: list[EventSchema] = field(default_factory=list)


def _property_type(spec: dict[str, Any]) -> str:
    kind = spec.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else "string"
    return _JSON_TYPES.get(str(kind), "varchar")


def _leaf_spec(properties: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    spec: Any = {"properties": properties}
    for part in path:
        spec = (spec.get("properties") or {}).get(part, {})
    return spec if isinstance(spec, dict) else {}


def _skipped(event: EventSchema, skip_events: Collection[str]) -> bool:
    wanted = {segment.snake_case(name) for name in skip_events}
    return segment.snake_case(event.name) in wanted


def _common_columns(call: str, sdk: str) -> dict[str, str]:
    """The common columns of a call's table (after `id`), with their demo SQL types."""
    columns: dict[str, str] = {}
    for column in segment.common_columns(call, sdk):
        if column.source == "id" or column.source in _NOT_IN_DEMO:
            continue
        sql_type = "timestamp" if column.source in _TIMESTAMP_COLUMNS else "varchar"
        columns[column.source] = _COMMON_TYPES.get(column.source, sql_type)
    return columns


def _plan_tables(
    events: Sequence[EventSchema], skip: Collection[str], sdk: str = "segment"
) -> dict[str, _Table]:
    tables: dict[str, _Table] = {}
    for event in events:
        if _skipped(event, skip):
            continue
        call, name = event.call(sdk=sdk)
        table = tables.setdefault(name, _Table(name, call.name))
        table.events.append(event)
        if not table.columns:
            table.columns["id"] = "varchar"
            table.columns.update(_common_columns(call.name, sdk))
        for prop in segment.flatten_properties(event.properties, sdk):
            # Versions come oldest first: the newest one's type and rules win.
            spec = _leaf_spec(dict(event.properties), prop.path)
            table.columns[prop.column] = _property_type(spec)
            table.specs[prop.column] = spec
    if "identifies" in tables:
        users = _Table("users", "users")
        users.columns = {"id": "varchar", "received_at": "timestamp"}
        for column, sql_type in tables["identifies"].columns.items():
            if column in tables["identifies"].specs:
                users.columns[column] = sql_type
                users.specs[column] = tables["identifies"].specs[column]
        tables["users"] = users
    if any(t.call == "track" for t in tables.values()):
        tracks = _Table("tracks", "track")
        tracks.columns = {"id": "varchar", **_common_columns("track", sdk)}
        tables["tracks"] = tracks
    return tables


class _Faker:
    """Seeded synthetic values: the same seed gives the same warehouse."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.users = [f"user_{n:04d}" for n in range(1, 301)]

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def time(self) -> datetime:
        return _BASE_TIME + timedelta(seconds=self.rng.randrange(90 * 24 * 3600))

    def value(self, column: str, sql_type: str, spec: dict[str, Any]) -> Any:
        rng = self.rng
        if spec.get("enum"):
            return rng.choice([v for v in spec["enum"] if v is not None] or [None])
        if sql_type == "varchar" and spec.get("type") in ("number", "integer"):
            return str(round(rng.uniform(1, 500), 2))  # a number Segment loaded as text
        if sql_type == "bigint":
            return rng.randint(1, 10)
        if sql_type == "double":
            return round(rng.uniform(1, 500), 2)
        if sql_type == "boolean":
            return rng.random() < 0.5
        if sql_type == "timestamp":
            return self.time()
        kind = spec.get("type")
        if kind == "array" or (isinstance(kind, list) and "array" in kind):
            return json.dumps([{"product_id": f"prod_{rng.randint(1, 99):02d}"}])
        if kind == "object":
            return json.dumps({})
        return f"{column}_{rng.randint(1, 999):03d}"

    def common(self, column: str, sql_type: str) -> Any:
        rng = self.rng
        samples = {
            "context_library_name": "analytics.js",
            "context_library_version": "4.1.0",
            "context_locale": rng.choice(["en-US", "fr-FR", "de-DE"]),
            "context_ip": f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "context_page_path": rng.choice(["/", "/cart", "/checkout", "/products"]),
            "context_user_agent": "Mozilla/5.0",
            "context_timezone": rng.choice(["Europe/Paris", "America/New_York"]),
            "channel": rng.choice(["web", "mobile", "server"]),
            "context_source_type": "Javascript",
            "context_destination_type": "POSTGRES",
        }
        if column in samples:
            return samples[column]
        if column == "context_page_url":
            return "https://shop.example.com/"
        if column == "rudder_id":
            return self.uuid()
        if sql_type == "timestamp":
            return self.time()
        if sql_type in ("bigint", "double", "boolean"):
            return self.value(column, sql_type, {})
        return (
            None if rng.random() < 0.5 else f"{column.removeprefix('context_')}_{rng.randint(1, 9)}"
        )


def _rows(table: _Table, faker: _Faker, count: int) -> list[tuple[Any, ...]]:
    rows = []
    event = table.events[0] if table.events else None
    for _ in range(count):
        received = faker.time()
        row: list[Any] = []
        for column, sql_type in table.columns.items():
            if column == "id":
                row.append(faker.uuid())
            elif column == "received_at":
                row.append(received)
            elif column in ("timestamp", "original_timestamp", "sent_at"):
                row.append(received - timedelta(seconds=faker.rng.randint(0, 5)))
            elif column == "uuid_ts":
                row.append(received + timedelta(seconds=faker.rng.randint(1, 30)))
            elif column == "user_id":
                row.append(faker.rng.choice(faker.users))
            elif column == "anonymous_id":
                row.append(faker.uuid())
            elif column == "event_text" and event is not None:
                row.append(event.name)
            elif column == "event" and event is not None:
                row.append(table.name)
            elif column in table.specs:
                row.append(faker.value(column, sql_type, table.specs[column]))
            else:
                row.append(faker.common(column, sql_type))
        rows.append(tuple(row))
    return rows


def create_demo_warehouse(
    db_path: Path,
    schema_files: Sequence[Path],
    schemas_dir: Path,
    skip_events: Collection[str] = (),
    *,
    schema: str | None = None,
    seed: int = 7,
    rows_per_table: tuple[int, int] = (60, 180),
    sdk: str = "segment",
) -> DemoWarehouseSummary:
    """(Re)create `db_path` with Segment-shaped (or RudderStack-shaped) raw tables for the
    events in `schema_files`, in `schema` (default: `DEMO_SCHEMAS[sdk]`).

    `skip_events` names events (as `Order Refunded` or `Order_Refunded`) that get no table.
    """
    schema = schema or DEMO_SCHEMAS[sdk]
    import duckdb

    events = []
    for path in schema_files:
        doc = load_schema(path, schemas_dir)
        events.append(EventSchema.from_body(doc.schema_id.path, doc.body or {}))
    events.sort(key=lambda e: (e.schema_id.rsplit("/", 1)[0], e.version))
    tables = _plan_tables(events, skip_events, sdk)
    _shape_columns(tables, DEMO_FAULTS)
    faker = _Faker(seed)
    redelivered = late = 0
    messages: dict[str, int] = {}

    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = db_path.with_name(f".{db_path.name}.tmp")
    tmp_path.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    connection = duckdb.connect(str(tmp_path))
    try:
        connection.execute(f'create schema "{schema}"')
        track_rows: list[tuple[Any, ...]] = []
        for name in sorted(tables, key=lambda n: (n in ("users", "tracks"), n)):
            table = tables[name]
            columns = ", ".join(f'"{col}" {sql_type}' for col, sql_type in table.columns.items())
            connection.execute(f'create table "{schema}"."{name}" ({columns})')
            if name == "tracks":
                rows = track_rows
            elif name == "users":
                rows = _users_rows(table, faker)
            else:
                rows = _rows(table, faker, faker.rng.randint(*rows_per_table))
                _plant_violations(table, rows, DEMO_FAULTS)
                if table.call in _MESSAGE_CALLS:
                    messages[name] = len(rows)
                    rows, again, later = _deliver_like_segment(table, rows, faker)
                    redelivered += again
                    late += later
                if table.call == "track":
                    track_rows.extend(_as_track(table, rows, tables["tracks"]))
            _insert(connection, schema, table, rows)
            counts[name] = len(rows)
        connection.close()
    except BaseException:
        connection.close()
        tmp_path.unlink(missing_ok=True)
        raise
    tmp_path.replace(db_path)
    skipped = sorted({e.name for e in events if _skipped(e, skip_events)})
    return DemoWarehouseSummary(
        db_path, schema, counts, tuple(skipped), db_path.stem, redelivered, late, messages
    )


def _shape_columns(tables: dict[str, _Table], faults: DemoFaults) -> None:
    """The column faults: a number typed as text, an unplanned column, a property never sent."""
    table, column = faults.text_number.split(".")
    if column in tables.get(table, _Table("", "")).columns:
        tables[table].columns[column] = "varchar"
    table, column = faults.unplanned.split(".")
    if table in tables:
        tables[table].columns[column] = "double"
    table, column = faults.never_sent.split(".")
    if table in tables:
        tables[table].columns.pop(column, None)
        tables[table].specs.pop(column, None)


def _plant_violations(table: _Table, rows: list[tuple[Any, ...]], faults: DemoFaults) -> None:
    """Values that break the plan, in the first rows of their table (in place)."""
    names = list(table.columns)
    start = 0
    for name, column, value, count in faults.violations:
        if name != table.name or column not in names:
            continue
        index = names.index(column)
        for position in range(start, min(start + count, len(rows))):
            row = list(rows[position])
            row[index] = value
            rows[position] = tuple(row)
        start += count


def _deliver_like_segment(
    table: _Table, rows: list[tuple[Any, ...]], faker: _Faker
) -> tuple[list[tuple[Any, ...]], int, int]:
    """Rows as Segment loads them: some loaded days late, some delivered twice (same `id`,
    later `received_at` and `uuid_ts`). Returns (rows, re-deliveries, late rows)."""
    names = list(table.columns)
    if "uuid_ts" not in names or "received_at" not in names:
        return rows, 0, 0
    uuid_ts, received_at = names.index("uuid_ts"), names.index("received_at")
    rng = faker.rng
    delivered: list[tuple[Any, ...]] = []
    again = late = 0
    for row in rows:
        if rng.random() < _LATE_SHARE:
            shifted = list(row)
            shifted[uuid_ts] = row[received_at] + _LATE_BY
            row = tuple(shifted)
            late += 1
        delivered.append(row)
        if rng.random() < _REDELIVERED_SHARE:
            copy = list(row)
            delay = timedelta(minutes=rng.randint(1, 120))
            copy[received_at] = row[received_at] + delay
            copy[uuid_ts] = row[uuid_ts] + delay
            delivered.append(tuple(copy))
            again += 1
    return delivered, again, late


def _as_track(table: _Table, rows: list[tuple[Any, ...]], tracks: _Table) -> list[tuple[Any, ...]]:
    index = {column: i for i, column in enumerate(table.columns)}
    return [
        tuple(row[index[column]] if column in index else None for column in tracks.columns)
        for row in rows
    ]


def _users_rows(table: _Table, faker: _Faker) -> list[tuple[Any, ...]]:
    rows = []
    for user in faker.users:
        row: list[Any] = []
        for column, sql_type in table.columns.items():
            if column == "id":
                row.append(user)
            elif column == "received_at":
                row.append(faker.time())
            else:
                row.append(faker.value(column, sql_type, table.specs.get(column, {})))
        rows.append(tuple(row))
    return rows


def _insert(connection: Any, schema: str, table: _Table, rows: list[tuple[Any, ...]]) -> None:
    """Load rows through a temporary NDJSON file: one fast statement, no pyarrow needed."""
    import tempfile

    names = list(table.columns)
    with tempfile.TemporaryDirectory(prefix="reflekt-demo-") as tmp:
        path = Path(tmp) / f"{table.name}.ndjson"
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                record = {
                    name: value.isoformat() if isinstance(value, datetime) else value
                    for name, value in zip(names, row, strict=True)
                }
                handle.write(json.dumps(record) + "\n")
        types = ", ".join(f"'{name}': '{sql_type}'" for name, sql_type in table.columns.items())
        path_literal = str(path).replace("'", "''")
        connection.execute(
            f'insert into "{schema}"."{table.name}" select * from read_json('
            f"'{path_literal}', format = 'newline_delimited', columns = {{{types}}})"
        )


# --- the demo's build step -------------------------------------------------------------------

DEMO_SOURCE_ID = "duckdb"
# The demo's rows were received over 90 days from a fixed date (the same warehouse every
# run), re-deliveries seconds later: the window that audits all of them (since, until).
DEMO_WINDOW = (_BASE_TIME.date().isoformat(), (_BASE_TIME + timedelta(days=91)).date().isoformat())
DEMO_SKIPPED_EVENTS = ("Order Refunded", "Product Shared")
DEMO_DBT_SCHEMA = "reflekt_staging"


@dataclass(frozen=True)
class DemoBuildReport:
    """What the demo's warehouse + build + dbt step did."""

    warehouse: DemoWarehouseSummary
    source_arg: str
    build: Any  # reflekt.core.build.pipeline.BuildResult
    dbt_runs: tuple[Any, ...] = ()  # DbtRunResult for deps and each command; () without dbt
    dbt_missing_reason: str | None = None  # why dbt did not run
    # Rows of each message table's model after `dbt build` (the dedupe at work): table -> rows.
    model_rows: dict[str, int] = field(default_factory=dict)
    sdk: str = "segment"  # whose warehouse layout the demo built

    @property
    def dbt_result(self) -> Any | None:
        """The last dbt command's result (dbt build), if dbt ran."""
        return self.dbt_runs[-1] if self.dbt_runs else None


def run_demo_build(
    project: Any,
    *,
    run_dbt: bool = True,
    dbt_commands: Sequence[Sequence[str]] = (("build",),),
    skip_events: Collection[str] = DEMO_SKIPPED_EVENTS,
    progress: Any = None,
    sdk: str = "segment",
) -> DemoBuildReport:
    """Create the demo warehouse (shaped as `sdk` writes it), `reflekt build dbt --sdk` the
    package, then `dbt build` it.

    The warehouse file is the `duckdb` source of the demo profile. dbt runs (when installed)
    in `.reflekt_cache/dbt_demo/`, a downstream project that installs the package locally.
    """
    from reflekt.core.build.dbt_runner import (
        build_package_with_dbt,
        dbt_adapter_installed,
        dbt_command,
    )
    from reflekt.core.build.pipeline import build_dbt
    from reflekt.core.profiles import load_profile
    from reflekt.core.schemas import list_schema_files

    profile = load_profile(project)
    source = profile.source(DEMO_SOURCE_ID)
    db_path = Path(str(source.settings["path"]))
    summary = create_demo_warehouse(
        db_path,
        list_schema_files(project.schemas_dir),
        project.schemas_dir,
        skip_events,
        sdk=sdk,
    )
    source_arg = f"{DEMO_SOURCE_ID}.{db_path.stem}.{summary.schema}"
    _drop_other_demo_sources(project, summary.schema)
    build = build_dbt(project, profile, None, source_arg, sdk, progress=progress)
    if not run_dbt:
        return DemoBuildReport(summary, source_arg, build, (), "not requested", sdk=sdk)
    if dbt_command() is None or not dbt_adapter_installed("duckdb"):
        return DemoBuildReport(
            summary, source_arg, build, (), "dbt-core and dbt-duckdb are not installed", sdk=sdk
        )
    runs = build_package_with_dbt(
        build.package_dir,
        source,
        project.cache_dir / "dbt_demo",
        target_schema=DEMO_DBT_SCHEMA,
        commands=dbt_commands,
    )
    model_rows = _model_rows(db_path, build, summary) if runs[-1].ok else {}
    return DemoBuildReport(summary, source_arg, build, tuple(runs), model_rows=model_rows, sdk=sdk)


def _drop_other_demo_sources(project: Any, schema: str) -> None:
    """Remove the generated models of the other SDK's demo schema (a demo run before with
    the other `--sdk`): the fresh warehouse no longer holds that schema, so `dbt build` would
    fail on them. Only files with Reflekt's header go; anything the user wrote stays."""
    from reflekt.core.build.dbt import is_generated, package_name_for

    models = project.artifacts_dir / "dbt" / package_name_for(project.name) / "models"
    for other in DEMO_SCHEMAS.values():
        folder = models / other
        if other == schema or not folder.is_dir() or folder.is_symlink():
            continue
        for path in sorted(folder.rglob("*")):
            plain = path.is_file() and not path.is_symlink() and path.suffix in (".sql", ".yml")
            if plain and is_generated(path.read_text(encoding="utf-8", errors="replace")):
                path.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()


def _model_rows(db_path: Path, build: Any, summary: DemoWarehouseSummary) -> dict[str, int]:
    """Rows of the model of each message table, counted in the warehouse dbt built."""
    import duckdb

    counts: dict[str, int] = {}
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        for model in build.package.models:
            if model.table in summary.messages and model.call != "users":
                (rows,) = connection.execute(
                    f'select count(*) from "{DEMO_DBT_SCHEMA}"."{model.name}"'
                ).fetchone()
                counts[model.table] = counts.get(model.table, 0) + int(rows)
    finally:
        connection.close()
    return counts
