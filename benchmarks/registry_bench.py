"""Time `reflekt pull`, `diff` and `push` (whole processes) against the local fake Segment.

Usage: python benchmarks/registry_bench.py [PULL_RULES] [DIFF_SCHEMAS]   (default: 5000 2000)

Targets (issue 3): pull of a 5,000-rule plan in <= 5 s; diff of 2,000 local schemas against
the registry in <= 3 s. Rules carry 10 properties each; the fake serves pages of 200 rules
(the documented default), so a 5,000-rule pull reads 25 pages. The original reflekt read only
the first 200 rules of a plan.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "integration" / "registries"))

from registry_fakes import FakeSegment  # noqa: E402

TOKEN = "bench-token-5f2c9"


def _rule(index: int) -> dict:
    properties = {
        f"prop_{chr(97 + p)}": {
            "type": ["string"] if p % 3 else ["integer", "null"],
            "description": f"Property {p} of event {index}.",
        }
        for p in range(10)
    }
    return {
        "key": f"Event {index:05d}",
        "type": "TRACK",
        "version": 1,
        "jsonSchema": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "labels": {"team": "bench"},
            "description": f"Benchmark event {index}.",
            "properties": {
                "context": {},
                "traits": {},
                "properties": {
                    "type": "object",
                    "properties": properties,
                    "required": ["prop_a"],
                    "additionalProperties": False,
                },
            },
        },
    }


def _project(root: Path, url: str) -> None:
    from reflekt.core.scaffold import NewProject, create_project

    create_project(
        root,
        NewProject(name="bench", vendor="com.example", profile="dev", profiles_path="p.yml"),
    )
    (root / "p.yml").write_text(
        f"version: 1.0\ndev:\n  registry:\n    - type: segment\n"
        f"      api_token: {TOKEN}\n      api_url: {url}\n",
        encoding="utf-8",
    )


def _run(root: Path, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "reflekt", *args, "--project-dir", str(root)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return time.perf_counter() - started, done


def _checked(done: subprocess.CompletedProcess, what: str) -> None:
    if done.returncode != 0:
        raise SystemExit(f"{what} failed: {done.stderr or done.stdout}")


@contextmanager
def _plan_and_project(count: int) -> Iterator[tuple[FakeSegment, Path]]:
    """A fake Segment serving a `count`-rule plan, and an empty project pointed at it."""
    server = FakeSegment(tokens=(TOKEN,)).start()
    try:
        server.add_plan("bench", [_rule(i) for i in range(count)])
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "project"
            _project(root, server.url)
            yield server, root
    finally:
        server.stop()


def bench_pull(count: int) -> float:
    with _plan_and_project(count) as (server, root):
        seconds, done = _run(root, "pull", "--select", "segment/bench")
        _checked(done, "pull")
        files = len(list((root / "schemas" / "segment" / "bench").glob("*/1-0.json")))
        pages = len(server.calls("GET", "/rules"))
        again, _ = _run(root, "pull", "--select", "segment/bench")
    print(
        f"pull  {count:>6} rules: {seconds:6.2f} s  ({files} files, {pages} pages of rules; "
        f"second pull, nothing changed: {again:.2f} s)  target <= 5 s"
    )
    return seconds


def bench_diff(count: int) -> float:
    with _plan_and_project(count) as (_server, root):
        _checked(_run(root, "pull", "--select", "segment/bench")[1], "pull")
        # Change one schema in ten: add an optional property (compatible, unbumped).
        for index, path in enumerate(sorted((root / "schemas").rglob("1-0.json"))):
            if index % 10 == 0:
                text = path.read_text(encoding="utf-8")
                path.write_text(
                    text.replace(
                        '"properties": {',
                        '"properties": {\n    "extra": {"type": "string", "description": "x"},',
                        1,
                    ),
                    encoding="utf-8",
                )
        seconds, done = _run(
            root, "diff", "--select", "segment/bench", "--fail-on", "never", "-f", "json"
        )
        _checked(done, "diff")
    summary = json.loads(done.stdout)["summary"]
    print(
        f"diff  {count:>6} schemas: {seconds:6.2f} s  ({summary['unbumped']} unbumped, "
        f"{summary['unchanged']} unchanged)  target <= 3 s"
    )
    return seconds


def bench_push(count: int) -> float:
    """Push right after a pull: every rule is compared (after conversion), none is sent."""
    with _plan_and_project(count) as (server, root):
        _checked(_run(root, "pull", "--select", "segment/bench")[1], "pull")
        # --force: the benchmark's event names carry digits, which lint refuses by default.
        seconds, done = _run(root, "push", "--select", "segment/bench", "--force")
        _checked(done, "push")
        patches = len(server.calls("PATCH"))
    print(
        f"push  {count:>6} schemas: {seconds:6.2f} s  (right after a pull: lint, compare, "
        f"{patches} PATCH sent)"
    )
    return seconds


def main(argv: list[str]) -> None:
    pull_count = int(argv[0]) if argv else 5000
    diff_count = int(argv[1]) if len(argv) > 1 else 2000
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpu(s)")
    bench_pull(pull_count)
    bench_diff(diff_count)
    bench_push(diff_count)


if __name__ == "__main__":
    main(sys.argv[1:])
