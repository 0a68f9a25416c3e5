"""Benchmark: `reflekt build code --lang typescript` for 1,000 events x 12 properties
(scalars, an enum, bounds, a nested object and an array of objects in every event).

Prints the time to read the schemas into code events, to emit `index.ts` (median of 3, with
and without the validation hook), the file's size, and `tsc --strict --noEmit` on it (one run
each). Then the whole generation as `reflekt build code` does it (the schema files read from
disk, modelled, emitted, compared and written; median of 3) for TypeScript and Python, and
`mypy --strict` on the Python package (one run). Run with `python benchmarks/code_bench.py [--events N] [--tsc PATH]`; without `--tsc`
it installs typescript 5.9.3 from npm into a temporary folder first (not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from reflekt.core.build.events import EventSchema
from reflekt.core.codegen.emit import CodeOptions
from reflekt.core.codegen.model import code_events
from reflekt.core.codegen.typescript import emit

TYPESCRIPT = "5.9.3"
PROPERTIES: dict[str, Any] = {
    "p00": {"type": "string", "enum": ["a", "b", "c"], "description": "An enum."},
    "p01": {"type": "number", "minimum": 0, "maximum": 1000},
    "p02": {"type": "string", "pattern": "^[a-z]+[0-9]*$"},
    "p03": {"type": "string", "maxLength": 12},
    "p04": {"type": "string"},
    "p05": {"type": "integer", "minimum": 1},
    "p06": {"type": "boolean"},
    "p07": {"type": "string", "format": "email"},
    "p08": {"type": ["number", "null"]},
    "p09": {"const": "fixed"},
    "p10": {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["a"],
    },
    "p11": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"id": {"type": "string"}, "n": {"type": "number"}},
            "required": ["id"],
            "additionalProperties": False,
        },
    },
}


def schemas(count: int) -> list[EventSchema]:
    return [
        EventSchema.from_body(
            f"segment/bench/Event_{index:04d}/1-0.json",
            {
                "description": f"Benchmark event {index}.",
                "self": {"name": f"Event {index:04d} Happened", "version": "1-0"},
                "properties": PROPERTIES,
                "required": ["p00", "p04"],
                "additionalProperties": False,
            },
        )
        for index in range(count)
    ]


def median_seconds(action: Any, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def install_tsc(folder: Path) -> Path:
    env = {**os.environ, "npm_config_cache": str(folder / ".npm-cache")}
    (folder / "package.json").write_text(
        json.dumps({"private": True, "dependencies": {"typescript": TYPESCRIPT}}), "utf-8"
    )
    subprocess.run(
        ["npm", "install", "--no-package-lock", "--loglevel", "error", "--no-audit", "--no-fund"],
        cwd=folder,
        env=env,
        check=True,
    )
    return folder / "node_modules" / ".bin" / "tsc"


def tsc_seconds(tsc: Path, folder: Path, text: str) -> float:
    (folder / "index.ts").write_text(text, encoding="utf-8")
    config = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "noUncheckedIndexedAccess": True,
            "exactOptionalPropertyTypes": True,
            "target": "es2020",
            "types": [],
        },
        "files": ["index.ts"],
    }
    (folder / "tsconfig.json").write_text(json.dumps(config), encoding="utf-8")
    start = time.perf_counter()
    result = subprocess.run([str(tsc), "-p", str(folder)], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"tsc failed:\n{result.stdout[:2000]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--tsc", type=Path, default=None, help="a tsc to use (else npm)")
    args = parser.parse_args()

    selected = schemas(args.events)
    events: list[Any] = []

    def read() -> None:
        events[:] = code_events(selected)

    read_s = median_seconds(read)
    print(f"{args.events} events x {len(PROPERTIES)} properties")
    print(f"code_events:            {read_s * 1000:8.1f} ms")
    texts = {}
    for validate in (False, True):
        options = CodeOptions("typescript", "analytics-node", validate, "bench", len(events))
        emit_s = median_seconds(lambda options=options: emit(events, options))
        texts[validate] = emit(events, options)[0].text
        label = "emit (validate)" if validate else "emit"
        size = len(texts[validate].encode()) / 1e6
        print(f"{label + ':':23} {emit_s * 1000:8.1f} ms   {size:.2f} MB")
    with tempfile.TemporaryDirectory(prefix="code-bench-") as temp:
        folder = Path(temp)
        tsc = args.tsc or install_tsc(folder)
        for validate in (False, True):
            label = "tsc --noEmit (validate)" if validate else "tsc --noEmit"
            print(f"{label + ':':23} {tsc_seconds(tsc, folder, texts[validate]):8.2f} s")
    whole_command(selected)


def whole_command(selected: list[EventSchema]) -> None:
    """`build_code` from schema files on disk to written files, as the CLI runs it."""
    from reflekt.core.codegen.pipeline import build_code
    from reflekt.core.project import load_project
    from reflekt.core.scaffold import NewProject, create_project
    from reflekt.core.schemas import dump_schema

    with tempfile.TemporaryDirectory(prefix="code-bench-project-") as temp:
        root = Path(temp) / "bench"
        create_project(
            root,
            NewProject(name="bench", vendor="com.example", profile="dev", profiles_path="p.yml"),
        )
        for schema in selected:
            body = {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "$id": schema.schema_id,
                "description": schema.description,
                "self": {
                    "vendor": "com.example",
                    "name": schema.name,
                    "format": "jsonschema",
                    "version": str(schema.version),
                },
                "type": "object",
                "properties": dict(schema.properties),
                "required": list(schema.required),
                "additionalProperties": False,
            }
            path = root / "schemas" / schema.schema_id
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dump_schema(body), encoding="utf-8")
        project = load_project(root)
        for lang in ("typescript", "python"):
            runs = []
            for run in range(3):  # each into a fresh folder: every file is new and written
                started = time.perf_counter()
                build_code(project, None, lang, out=root / f"out_{lang}_{run}")
                runs.append(time.perf_counter() - started)
            shown = ", ".join(f"{value:.2f}" for value in runs)
            print(f"build code --lang {lang + ':':11} {statistics.median(runs):6.2f} s   ({shown})")
        started = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mypy",
                "--strict",
                "--no-incremental",
                str(root / "out_python_0"),
            ],
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"mypy failed:\n{result.stdout[-2000:]}")
        print(f"mypy --strict (package): {elapsed:6.2f} s")


if __name__ == "__main__":
    main()
