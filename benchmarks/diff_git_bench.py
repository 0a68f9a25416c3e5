"""Time `reflekt diff --against git:HEAD` over a committed project where nothing changed.

Usage: python benchmarks/diff_git_bench.py [--runs R] [--edit K] [N ...]
       (default: N = 5000 20000, R = 5, K = 0)

Each project is `tui_bench.make_project(N)` (20 plans, events of 2 versions) committed in a
fresh git repository; `--edit K` then edits K events in place (a description) so they are
read at the ref and diffed. Each run is the CLI in a process of its own (`python -m
reflekt.cli diff --against git:HEAD --format json`), timed as CPU time (user + system, of
the process and of the git processes it runs), best of R; the wall time of the best run is
printed beside it. Run it with PYTHONPATH set to the checkout to measure (A/B: run it
again with PYTHONPATH of another worktree and the same --keep folder).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

_RUN = """
import resource, sys, time
import reflekt
from reflekt.cli import cli
sys.stderr.write(f"FROM {reflekt.__file__}\\n")
wall = time.perf_counter()
try:
    cli(sys.argv[1:], prog_name="reflekt", standalone_mode=False)
finally:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    sys.stderr.write(f"CPU {cpu:.4f} {time.perf_counter() - wall:.4f}\\n")
"""


def build(root: Path, count: int, edits: int) -> None:
    from tui_bench import make_project

    make_project(root, count)
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com"}
    env |= {"GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    edited = sorted((root / "schemas").glob("segment/plan_*/*/1-1.json"))[:edits]
    for path in edited:
        body = json.loads(path.read_text(encoding="utf-8"))
        body["description"] += " Edited."
        path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")


def measure(root: Path, runs: int) -> tuple[float, float, str]:
    best = (float("inf"), 0.0)
    summary = ""
    for _ in range(runs):
        args = ["diff", "--against", "git:HEAD", "--format", "json", "--fail-on", "never"]
        result = subprocess.run(
            [sys.executable, "-c", _RUN, *args, "--project-dir", str(root)],
            capture_output=True,
            text=True,
            check=False,
            cwd=root,  # not the checkout: `-c` puts the working folder first on sys.path
        )
        line = [ln for ln in result.stderr.splitlines() if ln.startswith("CPU ")]
        if result.returncode != 0 or not line:
            raise SystemExit(f"diff failed ({result.returncode}):\n{result.stderr}")
        cpu, wall = (float(x) for x in line[-1].split()[1:])
        best = min(best, (cpu, wall))
        summary = json.loads(result.stdout)["summary_line"]
        [origin] = [ln for ln in result.stderr.splitlines() if ln.startswith("FROM ")]
        summary = f"{summary} ({origin[5:].removesuffix('/reflekt/__init__.py')})"
    return best[0], best[1], summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[5000, 20000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--edit", type=int, default=0, help="events edited in place")
    parser.add_argument("--keep", type=Path, help="build (or reuse) the projects here")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = options.keep or Path(scratch)
        for count in options.counts:
            root = base / f"diff-git-{count}-{options.edit}"
            if not root.exists():
                build(root, count, options.edit)
            started = time.perf_counter()
            cpu, wall, summary = measure(root, options.runs)
            print(
                f"{count:>6} schemas, {options.edit} edited: best of {options.runs} "
                f"{cpu:.3f} s CPU ({wall:.3f} s wall)  [{time.perf_counter() - started:.1f} s]"
                f"  {summary}"
            )


if __name__ == "__main__":
    main()
