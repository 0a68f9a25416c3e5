"""Time the before-push hooks as whole processes on a generated 5,000-schema git repo.

Usage: python benchmarks/hook_bench.py [N]   (default: 5000)

Prints the median wall time of:
- the pre-push diff: `reflekt diff --against 'git:@{upstream}...' --changed` with 3 changed
  files (target, issue 11: <= 0.5 s);
- `reflekt lint FILE...` on those 3 files, as pre-commit runs it (target: <= 0.3 s).
Run from the repository root; `PYTHONPATH=$PWD` makes a worktree's code the one timed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lint_bench import make_project  # the same generated schemas

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "b",
    "GIT_AUTHOR_EMAIL": "b@example.com",
    "GIT_COMMITTER_NAME": "b",
    "GIT_COMMITTER_EMAIL": "b@example.com",
}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env=ENV, check=True, capture_output=True)


def timed(root: Path, args: list[str], runs: int = 7) -> tuple[float, int]:
    times, code = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(args, cwd=root, env=ENV, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
        code = result.returncode
    return statistics.median(times), code


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bench"
        make_project(root, count)
        (root / ".gitignore").write_text(".logs/\n.reflekt_cache/\n", encoding="utf-8")
        remote = Path(tmp) / "remote.git"
        git(Path(tmp), "init", "-q", "--bare", str(remote))
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "base")
        git(root, "remote", "add", "origin", str(remote))
        git(root, "push", "-q", "-u", "origin", "main")
        files = sorted((root / "schemas").rglob("1-0.json"))[:: max(1, count // 3)][:3]
        for path in files:  # a compatible edit in place: a description changed
            path.write_text(path.read_text().replace("Benchmark event", "Bench event"))
        git(root, "commit", "-q", "-am", "three edits")
        rel = [str(p.relative_to(root)) for p in files]
        reflekt = [sys.executable, "-m", "reflekt"]
        diff = [*reflekt, "diff", "--against", "git:@{upstream}...", "--changed"]
        diff_s, diff_code = timed(root, diff)
        lint_s, lint_code = timed(root, [*reflekt, "lint", *rel])
        print(f"{count} schemas, 3 changed files")
        print(f"pre-push diff --changed (upstream merge-base): {diff_s:.3f} s (exit {diff_code})")
        print(f"lint FILE... (3 files):                      {lint_s:.3f} s (exit {lint_code})")


if __name__ == "__main__":
    main()
