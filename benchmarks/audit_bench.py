"""Benchmark: `reflekt audit` of 7 days on DuckDB, 100 event tables x 1,000,000 rows x 12
properties (each with a rule: enum, range, pattern, length, required, a text-typed number).

Targets: one aggregate query per table (plus one bounded samples query where something was
found), at most 30 s wall, and a peak memory of the reflekt process of at most 150 MB
(nothing row-level comes back). Prints figures; run with
`python benchmarks/audit_bench.py [--tables N] [--rows N]`.

The warehouse is made in a child process and the audit's peak memory is read with `wait4`
for that one process: a child forked from a parent that had DuckDB's 1.7 GB in memory
reports the parent's peak as its own (Linux records the old memory's high-water mark at
`exec`), which is how an earlier version of this script measured 1,785 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from reflekt.core.scaffold import NewProject, create_project
from reflekt.core.schemas import dump_schema, new_schema_body

NOW = datetime(2025, 3, 10)
PROPERTIES = {
    "p00": {"type": "string", "enum": ["a", "b", "c"]},
    "p01": {"type": "number", "minimum": 0, "maximum": 1000},
    "p02": {"type": "string", "pattern": "^[a-z]+[0-9]*$"},
    "p03": {"type": "string", "maxLength": 12},
    "p04": {"type": "string"},
    "p05": {"type": "integer", "minimum": 1},
    "p06": {"type": "boolean"},
    "p07": {"type": "string", "format": "email"},
    "p08": {"type": "number"},  # stored as text
    "p09": {"type": "string", "minLength": 2},
    "p10": {"type": "string"},
    "p11": {"type": "integer", "maximum": 100},
}
# How the generator fills each column (DuckDB SQL over `i`, the row number); a few rows in
# a thousand break a rule, so findings and samples are real.
VALUES = {
    "p00": "case when i % 997 = 0 then 'z' else ['a', 'b', 'c'][1 + i % 3] end",
    "p01": "(i % 1200)::double",
    "p02": "'abc' || (i % 50)::varchar",
    "p03": "repeat('x', 1 + i % 14)",
    "p04": "'v' || (i % 10)::varchar",
    "p05": "(i % 9)::bigint",
    "p06": "i % 2 = 0",
    "p07": "case when i % 500 = 0 then 'nope' else 'u' || (i % 100)::varchar || '@x.io' end",
    "p08": "case when i % 1000 = 0 then 'n/a' else (i % 77)::varchar end",
    "p09": "'ab'",
    "p10": "case when i % 100 = 0 then null else 'w' end",
    "p11": "(i % 120)::bigint",
}


def make(root: Path, tables: int, rows: int) -> None:
    import duckdb

    create_project(
        root, NewProject(name="bench", vendor="com.example", profile="dev", profiles_path="p.yml")
    )
    (root / "p.yml").write_text(
        "version: 1.0\ndev:\n  source:\n    - id: wh\n      type: duckdb\n"
        "      path: warehouse.duckdb\n",
        encoding="utf-8",
    )
    connection = duckdb.connect(str(root / "warehouse.duckdb"))
    connection.execute("create schema segment_prod")
    span = 14 * 24 * 3600  # two weeks of received_at: one is the window, one before it
    for index in range(tables):
        name = f"Event {index:03d} Happened"
        schema_id = f"segment/bench/Event_{index:03d}_Happened/1-0.json"
        body = new_schema_body(
            schema_id, vendor="com.example", name=name, version="1-0", description="Bench.",
            properties={k: {**v, "description": k} for k, v in PROPERTIES.items()},
        )  # fmt: skip
        body["required"] = ["p10"]
        path = root / "schemas" / schema_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_schema(body), encoding="utf-8")
        table = f"event_{index:03d}_happened"
        columns = ", ".join(
            f"{VALUES[p]}{'::varchar' if p == 'p08' else ''} as {p}" for p in PROPERTIES
        )
        start = (NOW - timedelta(days=14)).strftime("%Y-%m-%d %H:%M:%S")
        connection.execute(
            f"create table segment_prod.{table} as select 'm' || i::varchar as id, "
            f"timestamp '{start}' + to_seconds((i * {span} // {rows})::bigint) as received_at, "
            f"'{table}' as event, '{name}' as event_text, {columns} from range({rows}) t(i)"
        )
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--make", metavar="DIR", help=argparse.SUPPRESS)  # the child's job
    args = parser.parse_args()
    if args.make:
        make(Path(args.make), args.tables, args.rows)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bench"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--make", str(root), "--tables", str(args.tables),
             "--rows", str(args.rows)],
            check=True,
        )  # fmt: skip
        print(
            f"setup: {args.tables} tables x {args.rows:,} rows x {len(PROPERTIES)} properties "
            f"in {time.perf_counter() - started:.1f}s"
        )
        # The audit as a user runs it: a new process, so its peak memory is its own.
        started = time.perf_counter()
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            audit = subprocess.Popen(
                [sys.executable, "-m", "reflekt", "audit", "--project-dir", str(root),
                 "--source", "wh.warehouse.segment_prod", "--since", "7d",
                 "--until", NOW.isoformat(), "--format", "json", "--fail-on", "never"],
                stdout=out, stderr=err, text=True,
            )  # fmt: skip
            _, status, usage = os.wait4(audit.pid, 0)
            wall = time.perf_counter() - started
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        peak = usage.ru_maxrss / 1024
        if os.waitstatus_to_exitcode(status) != 0:
            print(stderr[-2000:])
            return 1
        report = json.loads(stdout)
        checked = sum(volume["rows"] for volume in report["volume"])
        row_queries = report["queries"] - 1  # less the introspection
        print(
            f"audit of 7 days (`reflekt audit`, new process): {wall:.1f}s wall, {checked:,} "
            f"rows checked, {row_queries} row queries for {report['tables']} tables "
            f"({row_queries - report['tables']} of them bounded samples queries), "
            f"{len(report['findings'])} findings; peak RSS {peak:.0f} MB"
        )
        ok = wall <= 30 and peak <= 150 and row_queries <= 2 * report["tables"]
        print(
            "targets (<= 30 s, <= 150 MB, one query per table + samples):",
            "met" if ok else "NOT met",
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
