"""The TUI's saved schema listing (.reflekt_cache/tui/listing.json): a cache, never a source
of errors or of paths outside schemas/."""

from __future__ import annotations

import json
import os

from reflekt.core.listing_cache import clean_listing, listing_path, load_listing, save_listing
from reflekt.core.project import load_project
from reflekt.core.schemas import list_schema_paths
from reflekt.tui.model import SchemaIndex


def _project(make_project, *ids):
    builder = make_project()
    for schema_id in ids:
        builder.add_schema(schema_id)
    return load_project(builder.root)


def test_a_saved_listing_comes_back_as_the_walk_gave_it(make_project):
    project = _project(make_project, "segment/shop/Cart_Viewed/1-0", "segment/shop/A_B/1-0")
    paths = list_schema_paths(project.schemas_dir)
    assert load_listing(project) is None
    assert save_listing(project, paths)
    assert load_listing(project) == paths
    assert clean_listing(project) == [listing_path(project)]
    assert load_listing(project) is None


def test_a_broken_foreign_or_moved_listing_is_no_listing(make_project):
    project = _project(make_project, "segment/shop/Cart_Viewed/1-0")
    target = listing_path(project)
    target.parent.mkdir(parents=True)
    good = {"format": 1, "schemas_dir": str(project.schemas_dir), "paths": ["x"]}
    for text in (
        "{",  # truncated
        json.dumps({**good, "format": 99}),
        json.dumps({**good, "schemas_dir": "/elsewhere/schemas"}),
        json.dumps({**good, "paths": [1, 2]}),
        json.dumps([good]),
        "\udcff".encode("utf-8", "surrogateescape").decode("latin-1"),
    ):
        target.write_text(text, encoding="utf-8")
        assert load_listing(project) is None


def test_no_cache_means_no_listing_read_or_written(make_project, monkeypatch):
    project = _project(make_project, "segment/shop/Cart_Viewed/1-0")
    monkeypatch.setenv("REFLEKT_NO_CACHE", "1")
    assert not save_listing(project, list_schema_paths(project.schemas_dir))
    assert not listing_path(project).exists()


def test_a_symlinked_cache_folder_is_not_written_through(make_project, tmp_path):
    project = _project(make_project, "segment/shop/Cart_Viewed/1-0")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project.cache_dir.mkdir(exist_ok=True)
    os.symlink(elsewhere, project.cache_dir / "tui")
    assert not save_listing(project, list_schema_paths(project.schemas_dir))
    assert list(elsewhere.iterdir()) == []


def test_an_index_from_a_listing_keeps_only_what_a_walk_could_list(make_project):
    project = _project(make_project, "segment/shop/Cart_Viewed/1-0")
    base = str(project.schemas_dir)
    hostile = [
        f"{base}/segment/shop/Cart_Viewed/1-0.json",
        f"{base}/../../etc/passwd.json",
        f"{base}/.reflekt/event-meta/1-0.json",
        "/etc/hosts.json",
    ]
    index = SchemaIndex.from_paths(project, hostile)
    assert list(index.entries) == ["segment/shop/Cart_Viewed/1-0.json"]
