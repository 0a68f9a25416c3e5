"""Benchmark: `reflekt build dbt` for 1,000 events (12 properties each) on a DuckDB warehouse.

Target: at most 3 s wall for the build, and exactly ONE introspection query. With
`--dbt-parse`, also the package's file count and size and the wall time of a real `dbt parse`
of it (target: at most 15 s for 1,000 events). Prints figures; run with
`python benchmarks/build_bench.py [--events N] [--dbt-parse]`.

With `--cache`, the build's facts cache instead (`.reflekt_cache/build/`): the load step
(`load_event_schemas`) and the whole `reflekt build dbt` process, each in a new process, with
no cache (`REFLEKT_NO_CACHE=1`, as before the cache), cold (the cache removed first, so the
run also writes it) and warm (the cache filled, nothing changed): CPU (user+sys) and wall,
best of `--runs`. `--project DIR` keeps the generated project there (made if missing) for the
next run; `--code DIR` runs another checkout (A/B against main).

Each event has 12 properties: ten strings, a number in a double column, and an integer; one
event in ten has that integer stored as text (so its model casts it, as on real Segment data,
where a text-typed number is the exception).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from reflekt.core.build.pipeline import build_dbt
from reflekt.core.build.segment import common_columns, snake_case
from reflekt.core.profiles import load_profile
from reflekt.core.project import load_project
from reflekt.core.scaffold import NewProject, create_project
from reflekt.core.schemas import dump_schema, new_schema_body

PROPERTIES = 12
_TYPES = {10: "number", 11: "integer"}  # property -> JSON type (else string)
_COLUMN_TYPES = {10: "double", 11: "bigint"}  # property -> warehouse type (else varchar)
TEXT_NUMBER_EVERY = 10  # every 10th event has property_11 stored as text


def make_project(root: Path, events: int, docs_columns: str = "own") -> None:
    create_project(
        root,
        NewProject(
            name="bench", vendor="com.example", profile="dev", profiles_path="reflekt_profiles.yml"
        ),
    )
    if docs_columns != "own":
        config_path = root / "reflekt_project.yml"
        config = config_path.read_text(encoding="utf-8")
        config = config.replace("      columns: own ", f"      columns: {docs_columns} ", 1)
        config_path.write_text(config, encoding="utf-8")
    (root / "reflekt_profiles.yml").write_text(
        "version: 1.0\ndev:\n  source:\n    - id: wh\n      type: duckdb\n"
        "      path: warehouse.duckdb\n",
        encoding="utf-8",
    )
    for index in range(events):
        name = f"Event Number {index:04d} Happened"
        folder = name.replace(" ", "_")
        properties = {
            f"property_{p:02d}": {"type": _TYPES.get(p, "string"), "description": f"Property {p}."}
            for p in range(PROPERTIES)
        }
        schema_id = f"segment/bench/{folder}/1-0.json"
        body = new_schema_body(
            schema_id,
            vendor="com.example",
            name=name,
            version="1-0",
            description=f"Event {index}.",
            metadata={"owner": "bench"},
            properties=properties,
        )
        path = root / "schemas" / schema_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_schema(body), encoding="utf-8")


def _column_type(event: int, prop: int) -> str:
    if prop == 11 and event % TEXT_NUMBER_EVERY == 0:
        return "varchar"
    return _COLUMN_TYPES.get(prop, "varchar")


def make_warehouse(path: Path, events: int) -> None:
    import duckdb

    common = ["id", *(c.source for c in common_columns("track") if c.source != "id")]
    connection = duckdb.connect(str(path))
    connection.execute("create schema segment_prod")
    for index in range(events):
        table = snake_case(f"Event Number {index:04d} Happened")
        columns = [(c, "varchar") for c in common] + [
            (f"property_{p:02d}", _column_type(index, p)) for p in range(PROPERTIES)
        ]
        ddl = ", ".join(f'"{c}" {kind}' for c, kind in columns)
        connection.execute(f'create table segment_prod."{table}" ({ddl})')
    connection.execute("create table segment_prod.tracks (id varchar, received_at timestamp)")
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--dbt-parse", action="store_true", help="also time a real dbt parse")
    parser.add_argument(
        "--docs-columns", choices=("own", "all"), default="own", help="artifacts.dbt.docs.columns"
    )
    parser.add_argument("--cache", action="store_true", help="time the build's facts cache")
    parser.add_argument("--runs", type=int, default=3, help="with --cache: best of RUNS")
    parser.add_argument("--project", type=Path, help="with --cache: keep the project here")
    parser.add_argument("--code", type=Path, help="with --cache: the checkout to run")
    parser.add_argument("--no-build", action="store_true", help="with --cache: the load step only")
    parser.add_argument(
        "--modes", default="no cache,cold,warm", help="with --cache: the modes, comma-separated"
    )
    args = parser.parse_args()
    if args.cache:
        return cache_main(args)
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bench"
        started = time.perf_counter()
        make_project(root, args.events, args.docs_columns)
        make_warehouse(root / "warehouse.duckdb", args.events)
        print(
            f"setup: {args.events} schemas x {PROPERTIES} properties and a DuckDB warehouse "
            f"in {time.perf_counter() - started:.1f}s"
        )
        project = load_project(root)
        profile = load_profile(project)

        runs = {}
        for label in ("cold build", "rebuild (no change)"):
            statements.clear()
            started = time.perf_counter()
            result = build_dbt(project, profile, None, "wh.warehouse.segment_prod")
            wall = time.perf_counter() - started
            introspection = [s for s in statements if "information_schema" in s.lower()]
            runs[label] = (wall, len(introspection))
            plan = result.plan
            phases = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
            print(
                f"{label}: {wall:.2f}s wall, {len(introspection)} introspection query, "
                f"{len(statements)} SQL statement(s) in all; {len(result.built)} models, "
                f"{len(plan.new)} new / {len(plan.changed)} changed / "
                f"{len(plan.unchanged)} unchanged files ({phases})"
            )
        # The same rebuild through the CLI, as a user runs it (Python start-up included).
        started = time.perf_counter()
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "reflekt",
                "build",
                "dbt",
                "--project-dir",
                str(root),
                "--source",
                "wh.warehouse.segment_prod",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        print(
            f"CLI rebuild (`reflekt build dbt`, new process): {wall:.2f}s wall, "
            f"exit {completed.returncode}: {completed.stdout.strip()}"
        )
        if args.dbt_parse:
            time_dbt_parse(result.package_dir, profile.source("wh"))
    event.remove(Engine, "before_cursor_execute", count)
    ok = all(wall <= 3.0 and queries == 1 for wall, queries in runs.values())
    print(
        json.dumps(
            {
                label: {"wall_s": round(w, 3), "introspection_queries": q}
                for label, (w, q) in runs.items()
            }
        )
    )
    print("target (<= 3 s wall, exactly 1 introspection query):", "met" if ok else "NOT met")
    return 0 if ok else 1


_LOAD = """
import resource, sys, time
from pathlib import Path
from reflekt.core.build.pipeline import load_event_schemas
from reflekt.core.project import load_project
project = load_project(Path(sys.argv[1]))
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
cpu0, wall0 = cpu(), time.perf_counter()
loaded = load_event_schemas(project, None)
print(cpu() - cpu0, time.perf_counter() - wall0, len(loaded.versions))
"""


def cache_main(args) -> int:
    """Cold, warm and no-cache figures of the load step and the whole build (see above)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = args.project or Path(tmp) / "bench"
        if not (root / "reflekt_project.yml").is_file():
            started = time.perf_counter()
            make_project(root, args.events)
            make_warehouse(root / "warehouse.duckdb", args.events)
            print(f"setup: {args.events} schemas in {time.perf_counter() - started:.1f}s")
        code = (args.code or Path(__file__).resolve().parents[1]).resolve()
        env = {**os.environ, "PYTHONPATH": str(code)}
        build = [
            *(sys.executable, "-m", "reflekt", "build", "dbt"),
            *("--project-dir", str(root), "--source", "wh.warehouse.segment_prod"),
        ]
        if not args.no_build:  # the package exists: the build's runs rebuild it
            subprocess.run(build, env=env, capture_output=True, check=True)
        print(f"code: {code}; {args.events} events; best of {args.runs} (CPU user+sys, wall)")
        steps = [("load", [sys.executable, "-c", _LOAD, str(root)])]
        if not args.no_build:
            steps.append(("whole build", build))
        figures: dict[str, dict[str, dict[str, float]]] = {}
        for step, command in steps:
            for mode in args.modes.split(","):
                best = _best(command, root, env, mode, args.runs, inner=step == "load")
                figures.setdefault(step, {})[mode] = best
                print(
                    f"  {step:<11} {mode:<8}: {best['cpu_s']:6.2f} s CPU {best['wall_s']:6.2f} s wall"
                )
        print(json.dumps(figures))
    return 0


def _best(
    command: list[str], root: Path, env: dict[str, str], mode: str, runs: int, *, inner: bool
) -> dict[str, float]:
    """The run of least CPU of `runs` (the load step's figures as the process measured
    them; a build's as its process used: CPU from RUSAGE_CHILDREN, wall around it)."""
    run_env = {**env, "REFLEKT_NO_CACHE": "1"} if mode == "no cache" else env
    best: dict[str, float] | None = None
    for _ in range(runs):
        if mode == "cold":
            shutil.rmtree(root / ".reflekt_cache" / "build", ignore_errors=True)
        elif mode == "warm":  # fill the cache (a no-op when it is)
            subprocess.run(command, env=env, capture_output=True, check=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, env=run_env, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        if inner:
            cpu_text, wall_text, _count = done.stdout.split()
            cpu, wall = float(cpu_text), float(wall_text)
        if best is None or cpu < best["cpu_s"]:
            best = {"cpu_s": round(cpu, 3), "wall_s": round(wall, 3)}
    assert best is not None
    return best


def time_dbt_parse(package_dir: Path, source) -> None:
    """The package's size, and a real `dbt parse` of a project that installs it (as a user's
    would: `dbt deps`, then `dbt parse` without partial parsing)."""
    from reflekt.core.build.dbt_runner import run_dbt, write_downstream_project

    files = [p for p in package_dir.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    work_dir = package_dir.parent.parent.parent / ".reflekt_cache" / "bench_dbt"
    write_downstream_project(work_dir, package_dir, source, "reflekt_staging")
    deps = run_dbt(work_dir, source, ["deps"])
    started = time.perf_counter()
    parse = run_dbt(work_dir, source, ["parse"])
    wall = time.perf_counter() - started
    ok = deps.ok and parse.ok
    print(
        f"package: {len(files)} files, {size / 1e6:.1f} MB; `dbt parse`: {wall:.1f}s wall "
        f"({'ok' if ok else 'FAILED: ' + (parse.log or deps.log)[-300:]}; "
        f"{len(parse.warnings)} warning(s))"
    )


if __name__ == "__main__":
    sys.exit(main())
