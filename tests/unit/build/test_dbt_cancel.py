"""`run_dbt` with a cancel event: a running dbt (and its children) is stopped at once, so
closing the TUI's wizard does not wait for a long `dbt build`."""

from __future__ import annotations

import os
import threading

import pytest
from blocking_dbt_support import blocking_dbt, running

from reflekt.core.build.dbt_runner import DBT_ENV, dbt_command, run_dbt
from reflekt.core.errors import DbtCancelledError
from reflekt.core.profiles import SourceConfig

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs and process groups")
SOURCE = SourceConfig("wh", "duckdb", {"path": "unused.duckdb"})
SAFETY_NET = 60  # seconds: only so that a broken cancel fails instead of hanging


def test_cancel_stops_a_running_dbt_and_its_children(tmp_path, monkeypatch):
    fake = blocking_dbt(tmp_path / "fake")
    monkeypatch.setenv(DBT_ENV, str(fake.script))
    assert dbt_command() == [str(fake.script)]
    work = tmp_path / "work"
    work.mkdir()
    cancel = threading.Event()
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(run_dbt(work, SOURCE, ["build"], cancel=cancel))
        except DbtCancelledError as error:
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    child = fake.wait_started()
    assert running(child)
    cancel.set()
    thread.join(SAFETY_NET)
    if thread.is_alive():
        fake.release()
        thread.join()
    assert len(outcome) == 1 and isinstance(outcome[0], DbtCancelledError), outcome
    assert not running(child), "dbt's child process outlived the cancel"
    assert not fake.done.exists(), "dbt ran to its end"


def test_a_run_that_is_not_cancelled_reads_dbt_to_its_end(tmp_path, monkeypatch):
    fake = blocking_dbt(tmp_path / "fake")
    monkeypatch.setenv(DBT_ENV, str(fake.script))
    work = tmp_path / "work"
    work.mkdir()
    results = []
    thread = threading.Thread(
        target=lambda: results.append(run_dbt(work, SOURCE, ["build"], cancel=threading.Event()))
    )
    thread.start()
    fake.wait_started()
    fake.release()  # the child reads end-of-file: the script finishes
    thread.join()
    assert fake.done.read_text(encoding="utf-8").strip() == "finished"
    assert results[0].returncode == 3 and results[0].command == ("build",)


def test_a_run_cancelled_before_it_starts_does_not_start_dbt(tmp_path, monkeypatch):
    fake = blocking_dbt(tmp_path / "fake")
    monkeypatch.setenv(DBT_ENV, str(fake.script))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DbtCancelledError):
        run_dbt(tmp_path, SOURCE, ["deps"], cancel=cancel)
    assert not fake.child_pid.exists()
