"""The forked worker processes (`core/forkpool.py`): results as a plain loop gives them,
whatever the workers do (raise, die, get interrupted), and no worker left behind.

The interrupt test runs `reflekt lint` as a user does, in a process group of its own, and
sends one SIGINT to the group (what a terminal's Ctrl-C does)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reflekt.core.forkpool import ForkedWorkers, WorkerFailed, fork_available, run_forked

pytestmark = pytest.mark.skipif(
    not fork_available() or not Path("/proc/self/task").is_dir(),
    reason="POSIX fork, and /proc to see the workers",
)

PARENT = os.getpid()


def _children(pid: int) -> set[int]:
    """The live (not zombie) child processes of `pid`."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found.update(int(part) for part in text.split())
    return {child for child in found if _alive(child)}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def square(task: int) -> tuple[int, int]:
    return task, task * task


def fails_on_seven(task: int) -> int:
    if task == 7:
        raise ValueError(f"task {task} is bad")
    return task


def worker_dies_on_three(task: int) -> tuple[int, int]:
    """Ends the worker process that gets task 3 (as the OOM killer would); here, fine."""
    if task == 3 and os.getpid() != PARENT:
        os._exit(9)
    return task, os.getpid()


class Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("not this one")


def raises_unpicklable(task: int) -> int:
    raise Unpicklable(f"task {task}")


def test_every_result_comes_back_from_a_generator_of_tasks():
    def tasks():
        yield from range(50)

    got = sorted(run_forked(square, tasks(), 2))
    assert got == [(n, n * n) for n in range(50)]
    assert _children(PARENT) == set()


def test_a_task_that_raises_raises_here_and_the_workers_are_killed():
    with pytest.raises(ValueError, match="task 7 is bad"):
        list(run_forked(fails_on_seven, range(20), 2))
    assert _children(PARENT) == set()


def test_an_exception_that_does_not_pickle_comes_back_as_worker_failed():
    with pytest.raises(WorkerFailed, match="TypeError: not this one"):
        list(run_forked(raises_unpicklable, [1], 1))
    assert _children(PARENT) == set()


def test_a_dead_workers_tasks_are_run_here():
    got = dict(run_forked(worker_dies_on_three, range(12), 2))
    assert sorted(got) == list(range(12))
    assert got[3] == PARENT  # the task the worker died on was run in this process
    assert _children(PARENT) == set()


def test_with_every_worker_dead_the_rest_runs_here():
    got = dict(run_forked(worker_dies_on_three, [3, 3, 3, 4, 5, 6], 1))
    assert sorted(got) == [3, 4, 5, 6]


def test_meanwhile_runs_once_here_while_the_workers_work():
    seen: list[int] = []
    got = sorted(run_forked(square, range(6), 2, meanwhile=lambda: seen.append(os.getpid())))
    assert got == [(n, n * n) for n in range(6)]
    assert seen == [PARENT]


def test_tasks_go_to_every_worker_before_a_second_to_any():
    """One task each (the docs render's chunks): no worker gets two while one has none."""
    got = dict(run_forked(worker_pid, range(2), 2))
    assert len(set(got.values())) == 2


def worker_pid(task: int) -> tuple[int, int]:
    return task, os.getpid()


def test_leaving_early_kills_the_workers():
    results = run_forked(square, range(1000), 2)
    assert next(results)[0] in range(1000)
    assert _children(PARENT)
    results.close()
    assert _children(PARENT) == set()


def test_a_stop_leaves_no_worker():
    with ForkedWorkers(square, 2) as pool:
        assert sorted(pool.map_unordered([1, 2])) == [(1, 1), (2, 4)]
        assert len(_children(PARENT)) == 2
    assert _children(PARENT) == set()


def test_a_ctrl_c_just_after_the_fork_ends_the_worker_quietly():
    """A SIGINT that reaches a worker as it starts (before its handlers are the default
    ones: here from an at-fork hook, the moment a Ctrl-C came in CI) ends it without a
    traceback, and its tasks are run in the parent."""
    code = (
        "import os, signal\n"
        "from reflekt.core.forkpool import run_forked\n"
        "os.register_at_fork(after_in_child=lambda: os.kill(os.getpid(), signal.SIGINT))\n"
        "print(sorted(run_forked(abs, [-1, -2, -3], 2)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "[1, 2, 3]", "")


GOOD = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "",
    "self": {"vendor": "com.example", "name": "", "format": "jsonschema", "version": "1-0"},
    "description": "An event.",
    "type": "object",
    "properties": {"cartId": {"type": "string", "description": "A cart."}},
    "required": [],
    "additionalProperties": False,
}


def _big_project(make_project, count: int) -> Path:
    builder = make_project()
    for index in range(count):
        name = "Event " + "".join(chr(ord("A") + int(d)) for d in f"{index:04d}")
        body = dict(GOOD, self=dict(GOOD["self"], name=name))
        builder.add_schema(f"segment/p{index % 20}/{name.replace(' ', '_')}/1-0.json", body)
    return builder.root


def test_a_ctrl_c_during_a_forked_lint_stops_it_quietly(make_project):
    """One SIGINT to the group while the workers lint: `Interrupted.`, exit 130, no
    traceback from any worker, no worker left."""
    root = _big_project(make_project, 4000)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("REFLEKT_NO_CACHE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "reflekt", "lint", "--no-cache"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        workers: set[int] = set()
        while len(workers) < 2 and process.poll() is None:
            workers = _children(process.pid)
            time.sleep(0.005)  # polling for the workers to exist, not timing anything
        assert process.poll() is None, "the lint ended before its workers were seen"
        os.killpg(process.pid, signal.SIGINT)
        _out, err = process.communicate(timeout=120)  # a hang fails here, not for ever
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    text = err.decode()
    assert process.returncode == 130, text
    assert "Interrupted." in text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert not any(_alive(pid) for pid in workers)
