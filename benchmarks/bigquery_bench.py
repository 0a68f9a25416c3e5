"""Benchmark: `reflekt build dbt` for 1,000 events against the BigQuery emulator.

The same project as build_bench.py (1,000 events, 12 properties each, one event in ten with
an integer stored as text), its raw tables created in `bqemulator` (BigQuery's REST API on
DuckDB, run from its own virtual environment: tests/bqemulator_support.py). Prints the
introspection queries (target: exactly 1) and the wall time of a cold build and a rebuild.
Run with `python benchmarks/bigquery_bench.py [--events N]`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from bqemulator_support import emulator_python, running_emulator  # noqa: E402
from build_bench import PROPERTIES, _column_type, make_project  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from reflekt.core.build.pipeline import build_dbt  # noqa: E402
from reflekt.core.build.segment import common_columns, snake_case  # noqa: E402
from reflekt.core.profiles import load_profile  # noqa: E402
from reflekt.core.project import load_project  # noqa: E402

DATASET = "segment_prod"
_BQ = {"varchar": "STRING", "double": "FLOAT64", "bigint": "INT64"}


def make_dataset(client, events: int) -> None:
    """The raw tables of the events (no rows: the build reads only their columns)."""
    client.create_dataset(DATASET, exists_ok=True)
    common = ["id", *(c.source for c in common_columns("track") if c.source != "id")]
    statements = []
    for index in range(events):
        table = snake_case(f"Event Number {index:04d} Happened")
        columns = [(c, "TIMESTAMP" if c == "received_at" else "STRING") for c in common] + [
            (f"property_{p:02d}", _BQ[_column_type(index, p)]) for p in range(PROPERTIES)
        ]
        ddl = ", ".join(f"`{c}` {kind}" for c, kind in columns)
        statements.append(f"create table `{DATASET}`.`{table}` ({ddl})")
    statements.append(f"create table `{DATASET}`.tracks (id STRING, received_at TIMESTAMP)")
    for statement in statements:
        client.query(statement).result()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    started = time.perf_counter()
    python = emulator_python()
    with running_emulator(python) as emulator, tempfile.TemporaryDirectory() as tmp:
        print(f"emulator up in {time.perf_counter() - started:.1f}s ({emulator.endpoint})")
        root = Path(tmp) / "bench"
        started = time.perf_counter()
        make_project(root, args.events)
        settings = emulator.source_settings()
        lines = "".join(f"      {key}: {value}\n" for key, value in settings.items())
        (root / "reflekt_profiles.yml").write_text(
            f"version: 1.0\ndev:\n  source:\n    - id: bq\n{lines}", encoding="utf-8"
        )
        make_dataset(emulator.client(), args.events)
        print(
            f"setup: {args.events} schemas x {PROPERTIES} properties and {args.events + 1} "
            f"emulator tables in {time.perf_counter() - started:.1f}s"
        )
        project = load_project(root)
        profile = load_profile(project)
        event.listen(Engine, "before_cursor_execute", count)
        runs = {}
        try:
            for label in ("cold build", "rebuild (no change)"):
                statements.clear()
                started = time.perf_counter()
                result = build_dbt(project, profile, None, f"bq.{emulator.project}.{DATASET}")
                wall = time.perf_counter() - started
                introspection = [s for s in statements if "information_schema" in s.lower()]
                runs[label] = (wall, len(introspection))
                phases = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
                print(
                    f"{label}: {wall:.2f}s wall, {len(introspection)} introspection query, "
                    f"{len(statements)} SQL statement(s) in all; {len(result.built)} models "
                    f"({phases})"
                )
        finally:
            event.remove(Engine, "before_cursor_execute", count)
    print(
        json.dumps(
            {
                label: {"wall_s": round(w, 3), "introspection_queries": q}
                for label, (w, q) in runs.items()
            }
        )
    )
    ok = all(queries == 1 for _, queries in runs.values())
    print("target (exactly 1 introspection query per build):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
