"""Warehouse sources: connections through SQLAlchemy and ONE introspection query per build.

The original tool ran `select * from <table> limit 0` once per event, which at 1,000 events
over a network takes minutes. Here every table's columns come from a single query on
`information_schema.columns`, which DuckDB, Postgres, Redshift and Snowflake all provide
(SQLAlchemy's Inspector for the redshift dialect reads Redshift-only catalog columns and fails
on Postgres; information_schema works on all four).

SQLAlchemy and the drivers are imported inside functions: `reflekt --help` must stay fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reflekt.core.errors import SelectError, WarehouseError
from reflekt.core.secrets import Secret, redact

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from reflekt.core.profiles import SourceConfig

SOURCE_TYPES = ("bigquery", "duckdb", "postgres", "redshift", "snowflake")
BIGQUERY_EXTRA = "pip install 'reflekt[bigquery]'"
# BigQuery cancels a query running longer (the overall deadline of every query we send).
BIGQUERY_JOB_TIMEOUT_MS = 10 * 60 * 1000

INTROSPECTION_SQL = (
    "select table_schema, table_name, column_name, data_type "
    "from information_schema.columns "
    "where lower(table_schema) = :schema "
    "order by table_name, ordinal_position"
)


@dataclass(frozen=True)
class SourceArg:
    """`--source <source_id>.<database>.<schema>`."""

    source_id: str
    database: str
    schema: str

    @classmethod
    def parse(cls, text: str) -> SourceArg:
        parts = text.strip().split(".")
        if len(parts) != 3 or not all(part.strip() for part in parts):
            raise SelectError(
                f"--source '{text}' is not <source_id>.<database>.<schema>",
                hint="for example --source duckdb.warehouse.segment_prod (the source id names "
                "a `source:` entry of the profile)",
            )
        return cls(*(part.strip() for part in parts))

    def __str__(self) -> str:
        return f"{self.source_id}.{self.database}.{self.schema}"


@dataclass(frozen=True)
class WarehouseColumn:
    name: str  # as the warehouse reports it (upper case on Snowflake)
    data_type: str


@dataclass(frozen=True)
class SchemaColumns:
    """Every table of one warehouse schema and its columns, keyed by lower-case table name."""

    schema: str
    tables: Mapping[str, tuple[WarehouseColumn, ...]] = field(default_factory=dict)

    def columns(self, table: str) -> tuple[WarehouseColumn, ...] | None:
        """The columns of `table`, or None when the table does not exist."""
        return self.tables.get(table.lower())

    def __contains__(self, table: object) -> bool:
        return isinstance(table, str) and table.lower() in self.tables


def _reveal(value: Any) -> str | None:
    if value is None:
        return None
    return value.reveal() if isinstance(value, Secret) else str(value)


def engine_url(source: SourceConfig) -> Any:
    """The SQLAlchemy URL of a source (with the password: never print it)."""
    from sqlalchemy.engine import URL

    settings = source.settings
    if source.type == "duckdb":
        return URL.create("duckdb", database=str(settings["path"]))
    if source.type in ("postgres", "redshift"):
        query = {"sslmode": str(settings["sslmode"])} if settings.get("sslmode") else {}
        return URL.create(
            "postgresql+psycopg2" if source.type == "postgres" else "redshift+psycopg2",
            username=str(settings["user"]),
            password=_reveal(settings.get("password")),
            host=str(settings["host"]),
            port=int(settings.get("port") or (5432 if source.type == "postgres" else 5439)),
            database=str(settings["database"]),
            query=query,
        )
    if source.type == "snowflake":
        query = {
            key: str(settings[key])
            for key in ("warehouse", "role", "authenticator")
            if settings.get(key)
        }
        return URL.create(
            "snowflake",
            username=str(settings["user"]),
            password=_reveal(settings.get("password")),
            host=str(settings["account"]),
            database=str(settings["database"]) if settings.get("database") else None,
            query=query,
        )
    if source.type == "bigquery":
        # The client is made here (`bigquery_client`): credentials, location, endpoint.
        return URL.create(
            "bigquery", host=str(settings["project"]), query={"user_supplied_client": "True"}
        )
    raise WarehouseError(f"source '{source.id}': unsupported type '{source.type}'")


def bigquery_client(source: SourceConfig, *, maximum_bytes_billed: int | None = None) -> Any:
    """A google-cloud-bigquery client for a `type: bigquery` source, with credentials as
    dbt-bigquery reads them (`method`), its `location`, and a `maximum_bytes_billed` limit
    on every query (the profile's, or the caller's)."""
    try:
        from google.api_core.client_options import ClientOptions
        from google.cloud import bigquery
    except ImportError as exc:
        raise WarehouseError(
            f"source '{source.id}' is a BigQuery source, and the BigQuery client is not "
            f"installed ({exc.name})",
            hint=f"{BIGQUERY_EXTRA} (google-cloud-bigquery and sqlalchemy-bigquery)",
        ) from None
    settings = source.settings
    method = str(settings.get("method") or "oauth")
    scopes = ["https://www.googleapis.com/auth/bigquery"]
    credentials: Any
    try:
        if method == "anonymous":
            from google.auth.credentials import AnonymousCredentials

            credentials = AnonymousCredentials()
        elif method == "service-account":
            from google.oauth2 import service_account

            credentials = service_account.Credentials.from_service_account_file(
                str(settings["keyfile"]), scopes=scopes
            )
        elif method == "service-account-json":
            from google.oauth2 import service_account

            info = json.loads(_reveal(settings["keyfile_json"]) or "{}")
            credentials = service_account.Credentials.from_service_account_info(info, scopes=scopes)
        else:
            import google.auth

            credentials, _ = google.auth.default(scopes=scopes)
    except (ValueError, OSError, KeyError, _google_auth_error()) as exc:
        raise WarehouseError(
            redact(
                f"source '{source.id}': cannot read its BigQuery credentials ({method}): "
                f"{_first_line(exc)}"
            ),
            hint="method oauth uses application default credentials "
            "(`gcloud auth application-default login`); service-account reads `keyfile`; "
            "service-account-json reads `keyfile_json`",
        ) from None
    limit = maximum_bytes_billed or settings.get("maximum_bytes_billed")
    job_config = bigquery.QueryJobConfig(
        maximum_bytes_billed=int(limit) if limit else None, job_timeout_ms=BIGQUERY_JOB_TIMEOUT_MS
    )
    endpoint = settings.get("api_endpoint")
    return bigquery.Client(
        project=str(settings["project"]),
        credentials=credentials,
        location=str(settings["location"]) if settings.get("location") else None,
        client_options=ClientOptions(api_endpoint=str(endpoint)) if endpoint else None,
        default_query_job_config=job_config,
    )


def _google_auth_error() -> type[BaseException]:
    try:
        from google.auth.exceptions import GoogleAuthError
    except ImportError:  # pragma: no cover
        return ValueError
    return GoogleAuthError


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def create_engine(source: SourceConfig, *, maximum_bytes_billed: int | None = None) -> Engine:
    """An engine for the source. A DuckDB file must exist (it is opened read-only). A
    BigQuery engine runs every query with `maximum_bytes_billed` (else the profile's)."""
    import sqlalchemy

    kwargs: dict[str, Any] = {}
    if source.type == "duckdb":
        path = Path(str(source.settings["path"]))
        if not path.is_file():
            raise WarehouseError(
                f"source '{source.id}': DuckDB file not found: {path}",
                hint="check `path` in the profile (a relative path is relative to the "
                "profiles file)",
            )
        kwargs["connect_args"] = {"read_only": True}
    elif source.type in ("postgres", "redshift"):
        kwargs["connect_args"] = {"connect_timeout": 10}
    elif source.type == "snowflake":
        kwargs["connect_args"] = {"login_timeout": 20}
    elif source.type == "bigquery":
        client = bigquery_client(source, maximum_bytes_billed=maximum_bytes_billed)
        # The results are small: no Storage Read API client (nor its warning when missing).
        kwargs["connect_args"] = {"client": client, "prefer_bqstorage_client": False}
        import importlib.util

        if importlib.util.find_spec("sqlalchemy_bigquery") is None:
            raise WarehouseError(
                f"source '{source.id}' is a BigQuery source, and its SQLAlchemy dialect is "
                "not installed (sqlalchemy-bigquery)",
                hint=BIGQUERY_EXTRA,
            ) from None
    try:
        return sqlalchemy.create_engine(engine_url(source), poolclass=_null_pool(), **kwargs)
    except ImportError as exc:  # a dialect's driver is not installed
        raise WarehouseError(
            f"source '{source.id}': the {source.type} driver is not installed ({exc})",
            hint="pip install reflekt (it depends on every supported driver)",
        ) from exc


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def _describe(source: SourceConfig) -> str:
    settings = source.settings
    if source.type == "duckdb":
        return f"{source.id} (duckdb {settings['path']})"
    if source.type == "snowflake":
        return f"{source.id} (snowflake account {settings['account']})"
    if source.type == "bigquery":
        return f"{source.id} (bigquery project {settings['project']})"
    return (
        f"{source.id} ({source.type} {settings['host']}:{settings.get('port')}/"
        f"{settings['database']})"
    )


def _failure(source: SourceConfig, exc: BaseException, doing: str) -> WarehouseError:
    """One clear message for any driver failure, secrets masked, no traceback."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = detail[0] if detail else type(exc).__name__
    return WarehouseError(
        redact(f"cannot {doing} source {_describe(source)}: {first}"),
        hint="check the host, port, credentials and network access in the profile; "
        "`reflekt debug --connect` checks every source",
    )


def _driver_errors() -> tuple[type[BaseException], ...]:
    import sqlalchemy.exc

    errors: list[type[BaseException]] = [sqlalchemy.exc.SQLAlchemyError, OSError]
    try:
        import duckdb

        errors.append(duckdb.Error)
    except ImportError:  # pragma: no cover
        pass
    try:
        from snowflake.connector import errors as sf_errors

        errors.append(sf_errors.Error)
    except ImportError:  # pragma: no cover
        pass
    try:
        from google.api_core import exceptions as google_errors

        errors.append(google_errors.GoogleAPIError)
        errors.append(_google_auth_error())
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


def check_source(source: SourceConfig, schema: str | None = None) -> str:
    """Connect to a source (and check `schema` exists when given). Returns a one-line report.

    Raises WarehouseError (exit 3) when the warehouse is unreachable, the credentials are
    wrong or the schema is missing; the message never holds the password.
    """
    import sqlalchemy

    engine = create_engine(source)
    if schema is None and source.type == "bigquery" and source.settings.get("dataset"):
        schema = str(source.settings["dataset"])
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("select 1")).all()
            if schema is not None:
                _introspect(connection, source, schema, default_database(source))
    except WarehouseError:
        raise
    except _driver_errors() as exc:
        raise _failure(source, exc, "connect to") from None
    finally:
        engine.dispose()
    where = f", schema {schema}" if schema else ""
    return f"connected to {_describe(source)}{where}"


def introspect(
    source: SourceConfig,
    schema: str,
    engine: Engine | None = None,
    *,
    database: str | None = None,
) -> SchemaColumns:
    """Every table and column of `schema`, in ONE information_schema query.

    `database` (from `--source`) is where Snowflake looks: one account holds many databases
    (raw events in RAW while the profile's database is ANALYTICS), each with its own
    information_schema. Other warehouses read the database they connect to.
    Raises WarehouseError when the warehouse cannot be reached or the schema has no table.
    Pass `engine` to reuse one (the caller then disposes it).
    """
    own_engine = engine is None
    engine = engine or create_engine(source)
    try:
        with engine.connect() as connection:
            return _introspect(connection, source, schema, database)
    except WarehouseError:
        raise
    except _driver_errors() as exc:
        raise _failure(source, exc, "introspect") from None
    finally:
        if own_engine:
            engine.dispose()


def introspection_sql(
    source_type: str, database: str | None = None, schema: str | None = None
) -> str:
    """The introspection query; on Snowflake, of `database`'s information_schema; on
    BigQuery, the dataset's own `INFORMATION_SCHEMA.COLUMNS` (`project.dataset`: no region
    qualifier needed, the job runs in the dataset's location)."""
    if source_type == "bigquery" and database and schema:
        return (
            "select table_schema, table_name, column_name, data_type "
            f"from {bigquery_path(database, schema)}.INFORMATION_SCHEMA.COLUMNS "
            "order by table_name, ordinal_position"
        )
    if source_type != "snowflake" or not database:
        return INTROSPECTION_SQL
    if _SNOWFLAKE_PLAIN.fullmatch(database):
        prefix = database  # unquoted: Snowflake resolves it case-insensitively
    else:
        prefix = '"' + database.replace('"', '""') + '"'
    return INTROSPECTION_SQL.replace(
        "from information_schema.columns", f"from {prefix}.information_schema.columns"
    )


_SNOWFLAKE_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
# What BigQuery allows in a project id (`google.com:` domain prefix included) and a dataset.
_BIGQUERY_PROJECT = re.compile(r"(?:[a-z][a-z0-9.\-]*:)?[a-z][a-z0-9\-]{0,61}[a-z0-9]")
_BIGQUERY_DATASET = re.compile(r"[A-Za-z0-9_]{1,1024}")


def bigquery_path(*parts: str) -> str:
    """`project`.`dataset`[.`table`] quoted with backticks; a project id or dataset BigQuery
    would never accept is refused (it names outside content: never spliced in as code)."""
    project, *rest = parts
    if not _BIGQUERY_PROJECT.fullmatch(project) or not all(
        _BIGQUERY_DATASET.fullmatch(part) for part in rest[:1]
    ):
        raise SelectError(
            f"'{'.'.join(parts)}' is not a BigQuery project and dataset",
            hint="--source <source_id>.<project>.<dataset>: a project id is lower-case "
            "letters, digits and '-'; a dataset letters, digits and '_'",
        )
    return ".".join("`" + part.replace("\\", "\\\\").replace("`", "\\`") + "`" for part in parts)


def _introspect(
    connection: Any, source: SourceConfig, schema: str, database: str | None = None
) -> SchemaColumns:
    import sqlalchemy

    if source.type == "bigquery":
        database = database or default_database(source)
        sql = introspection_sql(source.type, database, schema)
        try:
            rows = connection.execute(sqlalchemy.text(sql)).all()
        except _driver_errors() as exc:
            if "not found" not in str(getattr(exc, "orig", None) or exc).lower():
                raise
            rows = []  # no such dataset: said below, like an empty one
    else:
        sql = introspection_sql(source.type, database)
        rows = connection.execute(sqlalchemy.text(sql), {"schema": schema.lower()}).all()
    if not rows:
        where = f"database {database} of " if source.type == "snowflake" and database else ""
        what = "schema"
        if source.type == "bigquery":
            where, what = f"project {database} of ", "dataset"
        raise WarehouseError(
            f"{what} '{schema}' not found (or holds no table) in {where}source {_describe(source)}",
            hint="check the <schema> part of --source: it is the schema the Segment warehouse "
            "destination writes to",
        )
    # Several schemas may differ only by case (Postgres): prefer the exact name.
    names = {row[0] for row in rows}
    chosen = schema if schema in names else sorted(names)[0]
    tables: dict[str, list[WarehouseColumn]] = {}
    for table_schema, table, column, data_type in rows:
        if table_schema != chosen:
            continue
        tables.setdefault(str(table).lower(), []).append(
            WarehouseColumn(str(column), str(data_type))
        )
    return SchemaColumns(chosen, {name: tuple(cols) for name, cols in tables.items()})


def check_database(source: SourceArg, source_config: SourceConfig) -> None:
    """`--source`'s database must be one the package can read through this source.

    Postgres cannot read another database over a connection; DuckDB names a file's catalog
    after the file. Any other name would be written into the sources file and fail later,
    inside dbt. (Snowflake reads any database of the account; Redshift, with RA3 nodes, too.)
    """
    if source_config.type == "postgres":
        database = str(source_config.settings.get("database"))
        if source.database != database:
            raise SelectError(
                f"--source '{source}': Postgres source '{source.source_id}' connects to "
                f"database '{database}', and Postgres cannot read another database "
                f"('{source.database}') from there",
                hint=f"use --source {source.source_id}.{database}.{source.schema}, or a "
                "profile source whose `database` is the one holding the raw events",
            )
        return
    if source_config.type != "duckdb":
        return
    catalog = default_database(source_config)
    if source.database != catalog:
        raise SelectError(
            f"--source '{source}': the database of DuckDB source '{source.source_id}' is "
            f"'{catalog}' (its file's name), not '{source.database}'",
            hint=f"use --source {source.source_id}.{catalog}.{source.schema}",
        )


def default_database(source: SourceConfig) -> str:
    """The database part of `--source` for a profile source: a DuckDB file's catalog is
    named after the file; the others connect to their `database`."""
    if source.type == "duckdb":
        return Path(str(source.settings.get("path", "warehouse"))).stem
    if source.type == "bigquery":
        return str(source.settings.get("project", ""))
    return str(source.settings.get("database", ""))


@contextmanager
def driver_failures(source: SourceConfig, doing: str) -> Iterator[None]:
    """Run queries against `source`: any driver failure becomes one WarehouseError (exit 3,
    secrets masked), e.g. `cannot audit table x of source wh (...)`."""
    try:
        yield
    except WarehouseError:
        raise
    except _driver_errors() as exc:
        raise _failure(source, exc, doing) from None


def bigquery_dry_run_bytes(source: SourceConfig, queries: Sequence[str]) -> tuple[int, ...]:
    """The bytes BigQuery would scan (and bill) for each query: dry runs, which cost nothing
    and read no row."""
    from google.cloud import bigquery

    client = bigquery_client(source)
    config = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False)
    try:
        return tuple(
            int(client.query(query, job_config=config).total_bytes_processed or 0)
            for query in queries
        )
    finally:
        client.close()
