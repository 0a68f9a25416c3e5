"""Pull and build are all or nothing: signals, SIGKILL, full disks, read-only folders, locks.

Real `reflekt` subprocesses pull a 300-rule plan from the local Segment server; the writer's
testing hook pauses them at a known point (staging or applying) so each signal lands exactly
there. Filesystem failures are real: a small tmpfs (full disk), a read-only mount, an
immutable folder (`chattr +i`, since the tests run as root and root ignores modes).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from txn_support import (
    SEGMENT_TOKEN,
    FakeSegment,
    Pause,
    last_exit_logged,
    reflekt,
    snapshot,
    temp_files,
    track_rule,
)

from reflekt.commands._common import reflekt_command
from reflekt.core.fsutil import WriteError
from reflekt.core.scaffold import NewProject, create_project
from reflekt.core.transaction import apply_files

RULES = 300


def _rules(description: str) -> list[dict]:
    return [track_rule(f"Event {i:03d}", description=f"{description} {i}") for i in range(RULES)]


@pytest.fixture(scope="module")
def segment() -> Iterator[FakeSegment]:
    server = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    yield server
    server.stop()


def _new_project(root: Path, segment: FakeSegment) -> Path:
    create_project(
        root,
        NewProject(
            name="txn", vendor="com.example", profile="dev", profiles_path="reflekt_profiles.yml"
        ),
    )
    (root / "reflekt_profiles.yml").write_text(
        json.dumps(
            {
                "version": 1.0,
                "dev": {
                    "registry": [
                        {"type": "segment", "api_token": SEGMENT_TOKEN, "api_url": segment.url}
                    ]
                },
            }
        ),
        encoding="utf-8",
    )
    return root


def _pull(root: Path, **kwargs) -> subprocess.CompletedProcess[str]:
    proc = reflekt(root, "pull", "--select", "segment/big", **kwargs)
    out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _set_plan(segment: FakeSegment, rules: list[dict]) -> None:
    segment.plans.clear()
    segment.add_plan("big", rules)


@pytest.fixture(scope="module")
def pulled_template(tmp_path_factory: pytest.TempPathFactory, segment: FakeSegment):
    """A project holding half of the plan (old text); the plan now has all of it, changed.

    Returns (project root, the snapshot an uninterrupted pull ends with). Built once; each
    test gets a copy (`pulled`).
    """
    base = tmp_path_factory.mktemp("txn_template")
    env = {"HOME": str(base)}
    root = _new_project(base / "project", segment)
    _set_plan(segment, _rules("Old")[: RULES // 2])
    assert _pull(root, env=env).returncode == 0
    _set_plan(segment, _rules("New"))
    reference = base / "reference"
    shutil.copytree(root, reference)
    done = _pull(reference, env=env)
    assert done.returncode == 0, done.stderr
    assert f"{RULES // 2} created, {RULES // 2} updated" in done.stdout
    return root, snapshot(reference)


@pytest.fixture
def pulled(tmp_path: Path, pulled_template):
    template, reference = pulled_template
    root = tmp_path / "project"
    shutil.copytree(template, root, symlinks=True)
    return root, reference


def _assert_clean(root: Path, result_err: str) -> None:
    assert "Traceback" not in result_err
    assert temp_files(root) == []


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_staging_leaves_the_project_as_it_was(tmp_path, pulled, sig, code):
    root, _ = pulled
    before = snapshot(root)
    pause = Pause(tmp_path / "pause", "staging")
    proc = reflekt(root, "pull", "--select", "segment/big", env=pause.env)
    pause.wait(proc)
    proc.send_signal(sig)
    _, err = proc.communicate()
    pause.close()

    assert proc.returncode == code, err
    assert snapshot(root) == before  # no file changed, no empty event folder created
    _assert_clean(root, err)
    assert last_exit_logged(root) == str(code)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_applying_waits_for_the_last_file(tmp_path, pulled, sig, code):
    root, reference = pulled
    pause = Pause(tmp_path / "pause", "apply")
    proc = reflekt(root, "pull", "--select", "segment/big", env=pause.env)
    pause.wait(proc)  # half of the files are in place
    proc.send_signal(sig)
    pause.resume()
    _, err = proc.communicate()
    pause.close()

    assert proc.returncode == code, err
    assert snapshot(root) == reference  # every file is the new one
    _assert_clean(root, err)
    assert last_exit_logged(root) == str(code)


def test_a_run_killed_while_applying_is_completed_by_the_next_run(tmp_path, pulled):
    root, reference = pulled
    before = snapshot(root)
    pause = Pause(tmp_path / "pause", "apply")
    proc = reflekt(root, "pull", "--select", "segment/big", env=pause.env)
    pause.wait(proc)
    proc.kill()  # SIGKILL cannot be deferred: half the files are new, the journal says so
    proc.communicate()
    pause.close()
    half = snapshot(root)
    assert half not in (before, reference)
    journals = list((root / ".reflekt_cache" / "txn").glob("*/journal.json"))
    assert [json.loads(j.read_text())["state"] for j in journals] == ["committing"]

    # The next command completes the write before it reads anything, despite the dead
    # writer's lock file.
    assert json.loads((root / ".reflekt_cache" / "lock").read_text())["pid"] == proc.pid
    again = _pull(root)

    assert again.returncode == 0, again.stderr
    assert f"0 created, 0 updated, {RULES} unchanged" in again.stdout
    assert snapshot(root) == reference
    _assert_clean(root, again.stderr)
    log_text = "".join(p.read_text() for p in (root / ".logs").glob("*.log"))
    assert f"completed an interrupted write ({RULES} file(s))" in log_text


def test_a_second_writer_gets_a_clear_lock_error(tmp_path, pulled):
    root, reference = pulled
    pause = Pause(tmp_path / "pause", "apply")
    first = reflekt(root, "pull", "--select", "segment/big", env=pause.env)
    pause.wait(first)
    try:
        second = _pull(root)
    finally:
        pause.resume()
    _, first_err = first.communicate()
    pause.close()

    assert second.returncode == 2
    assert f"another reflekt is writing to this project (pid {first.pid}" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.returncode == 0, first_err
    assert snapshot(root) == reference


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path, pulled):
    root, reference = pulled
    gone = subprocess.Popen(["true"])
    gone.wait()
    (root / ".reflekt_cache").mkdir(exist_ok=True)
    (root / ".reflekt_cache" / "lock").write_text(
        json.dumps({"pid": gone.pid, "host": os.uname().nodename, "started": 0})
    )

    result = _pull(root)

    assert result.returncode == 0, result.stderr
    assert snapshot(root) == reference


def test_files_honour_the_umask_and_keep_their_mode(tmp_path, pulled):
    root, _ = pulled
    kept = root / "schemas/segment/big/Event_000/1-0.json"
    kept.chmod(0o600)

    result = _pull(root, preexec=lambda: os.umask(0o027))

    assert result.returncode == 0, result.stderr
    assert kept.stat().st_mode & 0o777 == 0o600
    created = root / "schemas/segment/big/Event_299/1-0.json"
    assert created.stat().st_mode & 0o777 == 0o640


def test_stale_temp_files_of_dead_writers_are_removed(pulled):
    root, _ = pulled
    folder = root / "schemas/segment/big/Event_000"
    legacy = folder / ".1-0.json.k2j4x9_a.tmp"  # what the old writer left on Ctrl-C
    ours = folder / ".1-0.json.reflekt-999999999-abc123.tmp"  # pid beyond pid_max: dead
    alive = folder / f".1-0.json.reflekt-{os.getpid()}-abc123.tmp"  # a running writer's
    for path in (legacy, ours, alive):
        path.write_text("{half")

    result = _pull(root)

    assert result.returncode == 0, result.stderr
    assert not legacy.exists() and not ours.exists()
    assert alive.exists()


# ---------------------------------------------------------------- real filesystem failures


@contextlib.contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(path: Path, mode: str = "wb", chunk: bytes = b"x" * 4096) -> None:
    """Write `path` until the disk is full."""
    with contextlib.suppress(OSError), open(path, mode, buffering=0) as filler:
        while True:
            filler.write(chunk)


def test_a_full_disk_is_a_clear_error_and_changes_nothing(tmp_path, segment):
    _set_plan(segment, _rules("New"))
    with _tmpfs(tmp_path / "small", "256k") as disk:
        root = _new_project(disk / "project", segment)
        before = snapshot(root)

        result = _pull(root)

        assert result.returncode == 3, result.stderr
        assert "no space left" in result.stderr
        assert snapshot(root) == before
        _assert_clean(root, result.stderr)
        assert last_exit_logged(root) == "3"

        # Full to the last byte, the log file cannot take a line either: still one message.
        _fill(disk / "filler")
        for log in (root / ".logs").glob("*.log"):  # no slack left in its last page either
            _fill(log, mode="ab", chunk=b"\n")
        result = _pull(root)

        assert result.returncode == 3, result.stderr
        assert "no space left" in result.stderr
        assert "Logging error" not in result.stderr
        _assert_clean(root, result.stderr)


def test_a_read_only_folder_is_a_clear_error_and_changes_nothing(tmp_path, segment):
    _set_plan(segment, _rules("New"))
    root = _new_project(tmp_path / "project", segment)
    target = root / "schemas" / "segment"
    with _tmpfs(target, "1m"):
        subprocess.run(["mount", "-o", "remount,ro", str(target)], check=True)
        before = snapshot(root)

        result = _pull(root)

        assert result.returncode == 2, result.stderr
        assert "read-only" in result.stderr
        assert str(target) in result.stderr
        assert snapshot(root) == before
        _assert_clean(root, result.stderr)


def test_a_single_file_write_on_a_full_disk_leaves_no_temp_file_or_folder(tmp_path, pulled):
    """`write_atomic` (lint --output, diff --output, lint --fix): same guarantees, one file."""
    root, _ = pulled
    with _tmpfs(tmp_path / "full", "64k") as disk:
        _fill(disk / "filler")
        proc = reflekt(root, "lint", "--format", "json", "--output", str(disk / "sub/lint.json"))
        _, err = proc.communicate()

        assert proc.returncode == 3, err
        assert "no space left" in err and "Traceback" not in err
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]  # no temp file, no sub/


@contextlib.contextmanager
def _immutable(folder: Path) -> Iterator[None]:
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i does not work here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_failure_half_way_through_applying_puts_everything_back(pulled):
    root, _ = pulled
    # The last event folder the apply reaches refuses changes; 150 new folders and 149
    # replaced files are in place by then, and must all be undone.
    last = root / "schemas/segment/big/Event_149"
    before = snapshot(root)
    with _immutable(last):
        result = _pull(root)

    assert result.returncode == 2, result.stderr
    assert "permission denied" in result.stderr
    assert "Event_149" in result.stderr
    assert snapshot(root) == before
    _assert_clean(root, result.stderr)


def test_a_build_failure_half_way_keeps_the_files_it_would_delete(tmp_path):
    """Core API: writes and deletes are one transaction (the build's stale files)."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "reflekt_project.yml").write_text("name: x\n")
    models = root / "artifacts/dbt/pkg/models"
    for name in ("a_old.sql", "b_keep.sql", "z_locked/model.sql"):
        (models / name).parent.mkdir(parents=True, exist_ok=True)
        (models / name).write_text(f"-- {name}\n")
    before = snapshot(root)
    with _immutable(models / "z_locked"), pytest.raises(WriteError) as raised:
        apply_files(
            root,
            {models / "b_keep.sql": "new\n", models / "new/c.sql": "new\n"},
            deletes=[models / "a_old.sql", models / "z_locked/model.sql"],
            prune_within=root / "artifacts/dbt/pkg",
        )
    assert raised.value.exit_code == 2
    assert "permission denied" in str(raised.value)
    assert snapshot(root) == before
    assert temp_files(root) == []

    apply_files(
        root,
        {models / "b_keep.sql": "new\n"},
        deletes=[models / "a_old.sql", models / "z_locked/model.sql"],
        prune_within=root / "artifacts/dbt/pkg",
    )
    assert (models / "b_keep.sql").read_text() == "new\n"
    assert not (models / "a_old.sql").exists()
    assert not (models / "z_locked").exists()  # emptied by the delete, pruned


# ---------------------------------------------------------------- build dbt through the CLI

BUILD = ("build", "dbt", "--source", "wh.warehouse.segment_prod")


def _build(root: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = reflekt(root, *BUILD, env=env)
    out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture
def built(make_project, tmp_path: Path):
    """A built package, then a schema removed (a stale model to delete) and one changed.

    Returns (project root, the snapshot an uninterrupted rebuild ends with).
    """
    from reflekt.core.schemas import list_schema_files
    from reflekt.demo.warehouse import create_demo_warehouse

    project = make_project(name="small shop")
    for name in ("Cart Viewed", "Order Completed", "Product Added", "Signed Up"):
        project.add_schema(f"segment/shop/{name.replace(' ', '_')}/1-0", name=name)
    db_path = tmp_path / "warehouse.duckdb"
    files = list_schema_files(project.schemas_dir)
    create_demo_warehouse(db_path, files, project.schemas_dir, set(), seed=3)
    project.write_profiles(
        {"version": 1.0, "dev": {"source": [{"id": "wh", "type": "duckdb", "path": str(db_path)}]}}
    )
    first = _build(project.root)
    assert first.returncode == 0, first.stderr
    shutil.rmtree(project.schemas_dir / "segment/shop/Product_Added")
    project.add_schema("segment/shop/Cart_Viewed/1-0", name="Cart Viewed", description="Changed.")
    reference = tmp_path / "reference"
    shutil.copytree(project.root, reference)
    again = _build(reference)
    assert again.returncode == 0, again.stderr
    ref = snapshot(reference)
    assert ref != snapshot(project.root)
    assert not any("product_added" in rel for rel in ref)
    return project.root, ref


def test_a_build_terminated_while_staging_changes_nothing(tmp_path, built):
    root, _ = built
    before = snapshot(root)
    pause = Pause(tmp_path / "pause", "staging")
    proc = reflekt(root, *BUILD, env=pause.env)
    pause.wait(proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate()
    pause.close()

    assert proc.returncode == 143, err
    assert snapshot(root) == before  # the stale model is still there, nothing half-written
    _assert_clean(root, err)


def test_a_build_killed_while_applying_is_completed_by_the_next_build(tmp_path, built):
    root, reference = built
    pause = Pause(tmp_path / "pause", "apply")
    proc = reflekt(root, *BUILD, env=pause.env)
    pause.wait(proc)
    proc.kill()
    proc.communicate()
    pause.close()
    assert snapshot(root) != reference

    again = _build(root)

    assert again.returncode == 0, again.stderr
    assert snapshot(root) == reference  # written, changed and deleted as one
    _assert_clean(root, again.stderr)


# ------------------------------------------- build code and build docs, interrupted mid-write


def _run(root: Path, *args: str, env: dict[str, str] | None = None):
    proc = reflekt(root, *args, env=env)
    out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture
def regenerated(make_project, tmp_path):
    """Code and docs generated for a plan, then a schema edited (so both would change):
    (project root, the snapshot an uninterrupted `build code` and `build docs` end with)."""
    project = make_project(name="shop")
    for name in ("Cart Viewed", "Order Completed", "Product Added"):
        project.add_schema(f"segment/shop/{name.replace(' ', '_')}/1-0", name=name)
    for args in (CODE, DOCS):
        first = _run(project.root, *args)
        assert first.returncode == 0, first.stderr
    project.add_schema(
        "segment/shop/Cart_Viewed/1-0",
        {"cart_id": {"type": "string"}, "coupon {{ x }}": {"type": ["string", "null"]}},
        name="Cart Viewed",
        description="Changed: {{ not jinja }} */ </script>",
    )
    project.add_schema("segment/shop/Coupon_Applied/1-0", name="Coupon Applied")
    reference = tmp_path / "reference"
    shutil.copytree(project.root, reference)
    for args in (CODE, DOCS):
        done = _run(reference, *args)
        assert done.returncode == 0, done.stderr
    return project.root, snapshot(reference)


CODE = ("build", "code", "--lang", "python")
DOCS = ("build", "docs")


def test_build_code_terminated_while_staging_changes_nothing(tmp_path, regenerated):
    root, _ = regenerated
    before = snapshot(root)
    pause = Pause(tmp_path / "pause", "staging")
    proc = reflekt(root, *CODE, env=pause.env)
    pause.wait(proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate()
    pause.close()

    assert proc.returncode == 143, err
    assert snapshot(root) == before  # the old package whole: no file half-written
    _assert_clean(root, err)


def test_build_docs_killed_while_applying_is_completed_by_the_next_run(tmp_path, regenerated):
    root, reference = regenerated
    assert _run(root, *CODE).returncode == 0  # only the docs are left to write
    pause = Pause(tmp_path / "pause", "apply")
    proc = reflekt(root, *DOCS, env=pause.env)
    pause.wait(proc)  # half of the site's files are in place
    proc.kill()
    proc.communicate()
    pause.close()
    assert snapshot(root) != reference

    again = _run(root, "build", "code", "--lang", "python", "--check")  # any command

    assert again.returncode == 0, again.stdout + again.stderr
    assert snapshot(root) == reference  # the killed write completed, as one
    _assert_clean(root, again.stderr)


# ---------------------------------------------------------------- .logs records the real exit


def test_logs_record_the_exit_code_of_a_failing_run(tmp_path, segment):
    root = _new_project(tmp_path / "project", segment)
    result = reflekt(root, "pull", "--select", "segment/missing")
    _, err = result.communicate()
    assert result.returncode in (2, 3), err
    assert last_exit_logged(root) == str(result.returncode)


def test_a_crash_is_one_clear_line_its_traceback_goes_to_the_log(tmp_path, segment):
    root = _new_project(tmp_path / "project", segment)

    @reflekt_command("crashy")
    def crashy(run) -> int:
        run.project()
        raise RuntimeError("a bug")

    group = click.Group(commands={"crashy": crashy})
    result = CliRunner().invoke(group, ["crashy", "--project-dir", str(root)])

    assert result.exit_code == 2
    assert "internal error: RuntimeError: a bug" in result.output
    assert "Traceback" not in result.output
    log_text = "".join(p.read_text() for p in (root / ".logs").glob("*.log"))
    assert "crashed:" in log_text and "Traceback" in log_text
    assert last_exit_logged(root) == "2"


# ---------------------------------------------------------------- off the main thread (the TUI)


def test_worker_threads_write_without_signal_handlers_and_wait_for_each_other(tmp_path):
    import threading

    root = tmp_path / "project"
    root.mkdir()
    (root / "reflekt_project.yml").write_text("name: x\n")
    handlers = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            files = {root / f"schemas/{name}/{i}.json": f"{name} {i}\n" for i in range(50)}
            apply_files(root, files)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=write, args=(f"t{n}",)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []  # threads of one process queue for the lock instead of failing
    assert len(list((root / "schemas").rglob("*.json"))) == 200
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers
    assert temp_files(root) == []
