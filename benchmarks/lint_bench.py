"""Time `reflekt lint` as a whole process over N generated schemas (12 properties each).

Usage: python benchmarks/lint_bench.py [--runs R] [N ...]   (default: 1000 10000, R = 3)

Prints the Python version and CPU count, `reflekt --version`'s wall time, then per N: the
lint's exit code and finding count, and the median wall and CPU seconds of R runs in each
cache scenario below. Nothing outside a temporary folder is written.

Each N is timed without the cache (`--no-cache`), cold (empty `.reflekt_cache/lint/`),
warm (nothing changed), after touching one file (mtime only), after editing one file and
after editing 1% of the files (what a `git checkout` of another branch does). Targets
(issue 14): 50,000 schemas in <= 8 s cold, <= 1 s warm and after editing one file.

Child processes run without PYTHONDONTWRITEBYTECODE (as in a user's shell: bytecode is
written once and reused). Also times `reflekt --version`. Target (issue 2): 10,000 schemas in <= 3 s wall on a 2-core
machine, `reflekt --version` in <= 0.15 s. For scale, the original reflekt 0.6.0 took 278 s for
1,000 schemas and 0.85 s for its version. The generated schemas are clean except one in 50,
which has a camelCase property, so the run also formats some findings.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROPERTY_TYPES = ["string", "integer", "number", "boolean", ["string", "null"], "string"]


def make_project(root: Path, count: int) -> None:
    from reflekt.core.scaffold import NewProject, create_project
    from reflekt.core.schemas import dump_schema, new_schema_body

    create_project(
        root,
        NewProject(name="bench", vendor="com.example", profile="dev", profiles_path="p.yml"),
    )
    per_plan = 500
    for index in range(count):
        plan = f"plan_{index // per_plan:03d}"
        words = ["Event", _word(index), "Viewed"]
        name = " ".join(words)
        folder = name.replace(" ", "_")
        schema_id = f"segment/{plan}/{folder}/1-0.json"
        properties = {}
        for p in range(12):
            prop = f"property_{_word(p).lower()}"
            if index % 50 == 0 and p == 0:
                prop = "propertyCamel"
            properties[prop] = {
                "type": PROPERTY_TYPES[p % len(PROPERTY_TYPES)],
                "description": f"Property {p} of event {index}.",
            }
        body = new_schema_body(
            schema_id,
            vendor="com.example",
            name=name,
            version="1-0",
            description=f"Benchmark event number {index}.",
            properties=properties,
            required=[next(iter(properties))],
        )
        path = root / "schemas" / schema_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_schema(body), encoding="utf-8")


def _word(number: int) -> str:
    """A letters-only word for a number (names may not contain digits by default)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        out = letters[rest] + out
    return out.capitalize()


def time_command(args: list[str], cwd: Path, runs: int) -> tuple[float, float, int, str]:
    """(best, median) wall seconds of `args` run `runs` times, with its exit code."""
    times = []
    code = 0
    last = ""
    env = _user_env()
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - started)
        code = done.returncode
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    return min(times), statistics.median(times), code, last


def _edit(path: Path, number: int) -> None:
    """A real content change (the description gets another number)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"Benchmark( \(\d+\))? event", f"Benchmark ({number}) event", text, count=1)
    path.write_text(text, "utf-8")


def time_scenarios(base: list[str], root: Path, runs: int) -> None:
    """Median wall seconds of lint in each cache scenario (see the module docstring)."""
    env = _user_env()
    env.pop("REFLEKT_NO_CACHE", None)
    lint = [*base, "lint", "--format", "json", "--project-dir", str(root)]
    files = sorted((root / "schemas").rglob("*.json"))
    files = [path for path in files if ".reflekt" not in path.parts]
    step = 100  # every 100th file: 1%
    edits = iter(range(1_000_000))

    def timed(prepare, args: list[str] = lint) -> tuple[float, float]:
        times, cpus = [], []
        for _ in range(runs):
            prepare()
            before = _children_cpu()
            started = time.perf_counter()
            subprocess.run(args, cwd=root, capture_output=True, env=env)
            times.append(time.perf_counter() - started)
            cpus.append(_children_cpu() - before)
        return statistics.median(times), statistics.median(cpus)

    def clean() -> None:
        shutil.rmtree(root / ".reflekt_cache" / "lint", ignore_errors=True)

    def touch() -> None:
        os.utime(files[len(files) // 2])

    def edit_one() -> None:
        _edit(files[len(files) // 3], next(edits))

    def edit_some() -> None:
        number = next(edits)
        for path in files[number % step :: step]:
            _edit(path, number)

    rows = [("--no-cache", timed(lambda: None, [*lint, "--no-cache"]))]
    rows.append(("cold (empty cache)", timed(clean)))
    timed(lambda: None)  # settle: files written just before the cold runs are hashed once more
    rows.append(("warm (nothing changed)", timed(lambda: None)))
    rows.append(("after touching one file", timed(touch)))
    rows.append(("after editing one file", timed(edit_one)))
    rows.append((f"after editing 1% ({len(files[::step])} files)", timed(edit_some)))
    for label, (seconds, cpu) in rows:
        print(f"  {label:<32} median {seconds:6.2f} s wall, {cpu:6.2f} s CPU (of {runs})")


def _user_env() -> dict[str, str]:
    """The environment of a user's shell: Python writes bytecode. (A sandbox that sets
    PYTHONDONTWRITEBYTECODE makes every run compile Reflekt's sources again: 50-70 ms a
    process that no installed Reflekt pays.)"""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _children_cpu() -> float:
    """User + system seconds of the finished child processes (and their workers): on a
    shared machine wall time also counts the other jobs, CPU time does not."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _positive(text: str) -> int:
    """A count of 1 or more (argparse reports anything else as a usage error, exit 2)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return number


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/lint_bench.py",
        description=__doc__.split("\n\nUsage:")[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "counts",
        metavar="N",
        nargs="*",
        type=_positive,
        default=[1000, 10000],
        help="schemas in a generated project, one project per N (default: 1000 10000)",
    )
    parser.add_argument(
        "--runs",
        metavar="R",
        type=_positive,
        default=3,
        help="runs of each cache scenario, of which the median is shown (default: 3)",
    )
    return parser.parse_args(argv)


def main() -> None:
    options = parse_args()
    runs, counts = options.runs, options.counts
    exe = shutil.which("reflekt") or sys.executable
    base = [exe] if exe.endswith("reflekt") else [exe, "-m", "reflekt"]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    with tempfile.TemporaryDirectory() as tmp:
        best, median, code, _ = time_command([*base, "--version"], Path(tmp), 7)
        print(f"reflekt --version: best {best:.3f} s, median {median:.3f} s (exit {code})")
        for count in counts:
            root = Path(tmp) / f"p{count}"
            started = time.perf_counter()
            make_project(root, count)
            made = time.perf_counter() - started
            args = [*base, "lint", "--format", "json", "--project-dir", str(root)]
            best, median, code, summary = time_command([*args, "--no-cache"], root, 1)
            out = subprocess.run(args, cwd=root, capture_output=True, text=True)
            findings = len(json.loads(out.stdout)["findings"])
            print(
                f"reflekt lint, {count} schemas (generated in {made:.1f} s): "
                f"exit {code}, {findings} findings [{summary}]"
            )
            time_scenarios(base, root, runs)


if __name__ == "__main__":
    main()
