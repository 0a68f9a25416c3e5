"""CPU time of a warm `reflekt lint` over a large selection whose schemas reference shared
definitions, as a pre-commit hook runs it with a staged definition.

Usage: python benchmarks/select_refs_bench.py [--runs R] [--code DIR ...] [--no-cache] [N]
       [SELECTED]
(defaults: N = 5000 schemas, SELECTED = 4000 of them, R = 5)

The project is `refs_bench.make_project` (each schema references 3 definitions under
`schemas/.reflekt/common/`). The command is `reflekt lint --select <plan> ...
schemas/.reflekt/common/money/1-0.json`: the plans that hold SELECTED schemas, plus the
definition as a staged file. The cache is warmed by two runs first, then each of R runs
is timed as the child's CPU time (user + system, its workers included): the machine is
shared, so CPU time, best of R. Each `--code DIR` (default: this checkout) is put first
on PYTHONPATH, with a copy of the project of its own (an index is per code version);
the outputs of every DIR must be the same. `--no-cache`: the same runs without the cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from refs_bench import make_project

PLAN_SIZE = 500  # refs_bench puts 500 events in each plan


def _run(code: Path, root: Path, args: list[str]) -> tuple[float, float, bytes]:
    """(CPU seconds, wall seconds, stdout) of one `reflekt` process (and its children)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "reflekt", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    out = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"reflekt exited {process.returncode} with {code}")
    return usage.ru_utime + usage.ru_stime, wall, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=5000)
    parser.add_argument("selected", nargs="?", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--code", action="append", type=Path)
    parser.add_argument("--no-cache", action="store_true", help="time `--no-cache` runs")
    args = parser.parse_args()
    codes = args.code or [Path(__file__).resolve().parents[1]]
    plans = [f"segment/plan_{n:03d}" for n in range(-(-args.selected // PLAN_SIZE))]
    lint = ["lint", "--format", "json", *(part for p in plans for part in ("--select", p))]
    lint.append("schemas/.reflekt/common/money/1-0.json")
    if args.no_cache:
        lint.append("--no-cache")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "project"
        make_project(base, args.count, shared=True)
        roots = []
        for number, _ in enumerate(codes):
            root = Path(tmp) / f"project-{number}"
            shutil.copytree(base, root, symlinks=True, ignore=shutil.ignore_patterns(".git"))
            roots.append(root)
        outputs = set()
        for code, root in zip(codes, roots, strict=True):
            for _ in range(2):
                outputs.add(_run(code, root, lint)[2])
        times: dict[Path, list[tuple[float, float]]] = {code: [] for code in codes}
        for _ in range(args.runs):  # interleaved: the machine's load falls on each alike
            for code, root in zip(codes, roots, strict=True):
                cpu, wall, out = _run(code, root, lint)
                outputs.add(out)
                times[code].append((cpu, wall))
        selected = min(args.selected, len(plans) * PLAN_SIZE)
        cache = "no cache" if args.no_cache else "warm cache"
        print(f"{args.count} schemas, {selected} selected + 1 staged definition, {cache}")
        for code in codes:
            cpu = min(t[0] for t in times[code])
            wall = min(t[1] for t in times[code])
            print(f"  {code}: CPU {cpu:.3f} s (best of {args.runs}), wall {wall:.3f} s")
        print(f"  same output: {len(outputs) == 1}")


if __name__ == "__main__":
    main()
