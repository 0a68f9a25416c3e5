"""`benchmarks/lint_bench.py` reads its arguments with argparse: `--help` says what it
measures, a bad count is a usage error (exit 2), never a traceback. Nothing is timed here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "lint_bench.py"


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args], capture_output=True, text=True, check=False
    )


def test_help_says_what_it_measures() -> None:
    done = bench("--help")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert text.startswith("usage: python benchmarks/lint_bench.py [-h] [--runs R] [N ...]")
    assert "Time `reflekt lint` as a whole process over N generated schemas" in text
    assert "--runs R runs of each cache scenario" in text and "(default: 1000 10000)" in text
    assert "cold (empty `.reflekt_cache/lint/`)" in text and "after editing one file" in text
    assert done.stderr == ""


def test_a_bad_count_is_a_usage_error() -> None:
    for args in (["x"], ["--runs", "0", "10"], ["10", "--runs"], ["-5"]):
        done = bench(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith("usage: python benchmarks/lint_bench.py"), done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""
