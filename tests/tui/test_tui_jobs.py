"""The TUI's jobs, messages, editor command and key hints, without an app running."""

from __future__ import annotations

import gc
import inspect
import shutil
import sys

import pytest

from reflekt.core.errors import ReflektError
from reflekt.core.lint import lint_project
from reflekt.core.lint.engine import cache_complete
from reflekt.core.lint.findings import sort_key
from reflekt.core.listing_cache import save_listing
from reflekt.core.project import load_project
from reflekt.tui import messages
from reflekt.tui.bindings import key_hint, pretty_keys
from reflekt.tui.editor import EditorError, editor_command
from reflekt.tui.errors import error_text
from reflekt.tui.jobs import PRIME_ABOVE, lint_job, load_index_job, load_profile_job, pull_job
from reflekt.tui.model import SchemaIndex
from reflekt.tui.screens.main import MainScreen

WORKER_MESSAGES = [
    cls
    for _, cls in inspect.getmembers(messages, inspect.isclass)
    if issubclass(cls, messages.WorkerMessage) and cls is not messages.WorkerMessage
]


def test_worker_messages_stay_with_the_one_that_asked():
    assert len(WORKER_MESSAGES) >= 15
    assert [cls.__name__ for cls in WORKER_MESSAGES if cls.bubble] == []


def test_a_result_cannot_be_edited_by_its_handler():
    message = messages.LintProgress(3, 10)
    with pytest.raises(AttributeError, match=r"LintProgress\.done is read-only"):
        message.done = 4
    assert (message.done, message.total) == (3, 10)
    message.stop()  # Textual's own (private) flags still work
    assert message._stop_propagation


def test_lint_job_lints_the_index_and_reports_progress(make_project):
    builder = make_project()
    builder.add_schema("segment/shop/Cart_Viewed/1-0", {"cartID": {"type": "string"}})
    builder.add_schema("segment/shop/Order_Completed/1-0")
    project = load_project(builder.root)
    posted: list[object] = []
    answer = lint_job(project, SchemaIndex.load(project), None, posted.append)
    assert isinstance(answer, messages.LintFinished)
    assert answer.ids is None
    assert answer.report.schemas == 2
    assert {f.rule for f in answer.report.findings if f.property == "cartID"} >= {"RF311"}
    assert [(m.done, m.total) for m in posted if isinstance(m, messages.LintProgress)] == [(2, 2)]


@pytest.mark.parametrize("started_by", ["the lint", "the load"])
def test_a_large_cold_lint_is_primed_on_every_core_and_finds_what_lint_finds(
    make_project, started_by
):
    """Over a cold cache a whole-project lint of many files runs in a process of its own
    (`core/lint/prime.py`; its progress is shown), then takes the warm path: the findings
    are exactly those of a lint without the cache, and the cache is complete after. The
    load's walk starts that process (`early_prime`) when it counts enough files; the lint
    then waits for it instead of starting another."""
    builder = make_project()
    for number in range(PRIME_ABOVE + 5):
        props = {"cartID" if number % 7 == 0 else "cart_id": {"type": "string"}}
        builder.add_schema(f"segment/shop/Event_{number:05d}/1-0", props)
    builder.write_raw("schemas/segment/shop/Broken/1-0.json", "{")
    project = load_project(builder.root)
    assert not cache_complete(project)
    posted: list[object] = []

    if started_by == "the load":
        loaded = load_index_job(project)
        assert loaded.prime is not None and not loaded.from_listing
        answer = lint_job(project, loaded.index, None, posted.append, prime=loaded.prime)
        assert loaded.prime.process.returncode == 0
    else:
        answer = lint_job(project, SchemaIndex.load(project), None, posted.append)
    assert isinstance(answer, messages.LintFinished)
    assert cache_complete(project)
    report = answer.report  # lazy: what the index holds is decoded when asked
    stored = report.stored.all() if report.stored is not None else []
    found = sorted([*report.findings, *stored], key=sort_key)
    assert found == lint_project(project).findings
    assert {f.rule for f in found} >= {"RF101", "RF311"}
    progress = [(m.done, m.total) for m in posted if isinstance(m, messages.LintProgress)]
    assert len(progress) > 2  # the priming process's chunks, then the warm run's end
    assert progress[-1] == (PRIME_ABOVE + 6, PRIME_ABOVE + 6)


def test_the_load_starts_no_priming_for_a_small_or_warm_project_or_from_a_listing(make_project):
    builder = make_project()
    for number in range(PRIME_ABOVE - 1):
        builder.add_schema(f"segment/shop/Event_{number:05d}/1-0", {})
    project = load_project(builder.root)
    assert load_index_job(project).prime is None  # fewer files than PRIME_ABOVE
    builder.add_schema("segment/shop/Last/1-0", {})
    builder.add_schema("segment/shop/Last_But_One/1-0", {})
    lint_project(project, cache=True)
    assert cache_complete(project)
    assert load_index_job(project).prime is None  # the cache is warm
    save_listing(project, SchemaIndex.load(project).paths())
    shutil.rmtree(project.root / ".reflekt_cache" / "lint")
    loaded = load_index_job(project)
    assert loaded.from_listing and loaded.prime is None  # the lint job decides, as before


def test_a_job_that_fails_answers_with_the_error(make_project):
    builder = make_project()
    (builder.root / "reflekt_profiles.yml").unlink()
    project = load_project(builder.root)
    failed = load_profile_job(project, None)
    assert isinstance(failed, messages.ProfileFailed)
    assert isinstance(failed.error, ReflektError)
    assert "profiles file not found" in error_text(failed.error)
    pulled = pull_job(project, None, "segment/ecommerce")
    assert isinstance(pulled, messages.JobFailed)
    assert pulled.title == "Pull failed"
    assert error_text(pulled.error) == error_text(failed.error)


def test_the_editor_comes_from_visual_then_editor_then_vi(tmp_path):
    path = tmp_path / "1-0.json"
    python = sys.executable
    assert editor_command(path, {"VISUAL": f"{python} -q", "EDITOR": "nope"}) == [
        python,
        "-q",
        str(path),
    ]
    assert editor_command(path, {"EDITOR": python}) == [python, str(path)]
    with pytest.raises(EditorError) as missing:
        editor_command(path, {"EDITOR": "no-such-editor-9d1 --wait"})
    assert missing.value.title == "Edit"
    assert missing.value.message.startswith("The editor 'no-such-editor-9d1' was not found")
    with pytest.raises(EditorError, match=r"Cannot read \$EDITOR"):
        editor_command(path, {"EDITOR": "'unclosed"})


def test_key_hints_name_the_remapped_key_else_the_default():
    assert pretty_keys("question_mark, escape") == "?, esc"
    assert key_hint("main.filter", {}, [MainScreen]) == " (/)"
    assert key_hint("main.filter", {"main.filter": "ctrl+f"}, [MainScreen]) == " (ctrl+f)"
    assert key_hint("no.such_id", {}, [MainScreen]) == ""


def test_the_index_job_runs_no_collection_and_leaves_the_collector_as_it_found_it(
    make_project,
):
    """Building the index of a large project makes many objects that all live on: no
    automatic collection runs over them meanwhile; it is switched on again after, only if
    it was on."""
    builder = make_project()
    for number in range(1500):  # a few thousand objects: a collection, were it on
        folder = builder.root / "schemas" / "segment" / "shop" / f"Event_{number:04d}"
        folder.mkdir(parents=True)
        (folder / "1-0.json").write_text("{}", encoding="utf-8")
    project = load_project(builder.root)
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    assert gc.isenabled()
    gc.collect()
    gc.callbacks.append(count)
    try:
        loaded = load_index_job(project)
    finally:
        gc.callbacks.remove(count)
    assert len(loaded.index) == 1500 and collections == []
    assert gc.isenabled()
    gc.disable()
    try:
        load_index_job(project)
        assert not gc.isenabled()
    finally:
        gc.enable()
