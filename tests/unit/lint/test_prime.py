"""`core/lint/prime.py`: the TUI's first lint of a large project fills the lint cache in a
process of its own on every core; what it leaves is what a lint in the TUI's thread gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reflekt.core.lint import lint_project
from reflekt.core.lint.engine import cache_complete
from reflekt.core.lint.prime import prime_lint_cache
from reflekt.core.project import load_project

GOOD = {"cart_id": {"type": "string", "description": "The cart."}}
CAMEL = {"cartId": {"type": "string", "description": "The cart."}}  # RF311
NUMBER = {"cart_id": {"type": "number", "description": "The cart."}}  # RF601 after GOOD


def _project(builder) -> Path:
    builder.add_schema("segment/shop/Cart_Viewed/1-0.json", GOOD)
    builder.add_schema("segment/shop/Cart_Viewed/1-1.json", NUMBER)
    builder.add_schema("segment/shop/Cart_Left/1-0.json", CAMEL)
    builder.write_raw("schemas/segment/shop/Broken/1-0.json", '{"$id": ')
    return builder.root


def test_priming_fills_the_cache_with_what_lint_finds(make_project):
    root = _project(make_project())
    project = load_project(root)
    assert not cache_complete(project)
    seen: list[tuple[int, int]] = []

    assert prime_lint_cache(root, lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (4, 4)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert cache_complete(project)
    warm = lint_project(project, cache=True)
    fresh = lint_project(project)
    assert warm.findings == fresh.findings and warm.files == fresh.files
    assert {f.rule for f in warm.findings} >= {"RF101", "RF311", "RF601"}


def test_priming_outside_a_project_fails_and_writes_nothing(tmp_path):
    before = sorted(tmp_path.rglob("*"))
    assert not prime_lint_cache(tmp_path, lambda done, total: None)
    assert sorted(tmp_path.rglob("*")) == before


def test_cache_complete_is_false_with_the_cache_off(make_project, monkeypatch):
    root = _project(make_project())
    assert prime_lint_cache(root, lambda done, total: None)
    assert cache_complete(load_project(root))
    monkeypatch.setenv("REFLEKT_NO_CACHE", "1")
    assert not cache_complete(load_project(root))


def test_the_priming_process_wants_one_project_dir():
    done = subprocess.run(
        [sys.executable, "-m", "reflekt.core.lint.prime"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "usage: python -m reflekt.core.lint.prime PROJECT_DIR" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_priming_run_killed_while_writing_the_index_leaves_no_index(make_project, tmp_path):
    """The TUI quitting mid-run kills the priming process: killed as it writes the index,
    it leaves no index (its temp file, which no signal handler can remove after SIGKILL,
    goes with the next write), and the next lint is still exact."""
    import os
    import signal

    from pause_support import Pause

    root = _project(make_project())
    pause = Pause(tmp_path / "pause", "write")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reflekt.core.lint.prime", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **pause.env}, start_new_session=True,
    )  # fmt: skip
    try:
        pause.wait(proc)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=120)
    finally:
        pause.close()
    lint_dir = root / ".reflekt_cache" / "lint"
    assert not list(lint_dir.glob("index-*"))  # only the killed writer's temp file
    project = load_project(root)
    assert not cache_complete(project)
    assert lint_project(project, cache=True).findings == lint_project(project).findings
    assert [p.name for p in lint_dir.iterdir()] == [p.name for p in lint_dir.glob("index-*")]
    assert len(list(lint_dir.iterdir())) == 1  # the next write swept the dead writer's temp
