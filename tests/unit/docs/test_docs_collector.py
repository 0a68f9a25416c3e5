"""`collector_paused`: the cyclic collector is off inside, restored after (also on an error),
and one switched off by the caller stays off; `build_docs` runs inside it."""

from __future__ import annotations

import gc

import pytest

from reflekt.core.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_restored():
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_off_inside_and_on_again_after():
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_on_again_after_an_error():
    gc.enable()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_build_docs_runs_with_the_collector_off_and_restores_it(shop, monkeypatch):
    from reflekt.core.docs import pipeline
    from reflekt.core.project import load_project

    seen: list[bool] = []
    real = pipeline._catalog

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_catalog", spy)
    gc.enable()
    result = pipeline.build_docs(load_project(shop.root))
    assert seen == [False]
    assert gc.isenabled()
    assert result.index_path.is_file()


def test_a_frozen_block_leaves_what_it_made_out_of_the_collectors_sight():
    before, was_enabled = gc.get_freeze_count(), gc.isenabled()
    try:
        with collector_paused(freeze=True):
            kept = [[index] for index in range(1000)]
        assert gc.get_freeze_count() >= before + len(kept)
        assert gc.isenabled() == was_enabled
    finally:
        gc.unfreeze()
