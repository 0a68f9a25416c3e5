"""`list_schema_paths` / `list_schema_files` (what lint lists): the per-folder sort gives
exactly the order and the entries of sorting every path by (folder, version, name)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reflekt.core.schemas import Version, list_schema_files, list_schema_paths


def reference(schemas_dir: Path) -> list[str]:
    """The listing as it was defined before: every `*.json` entry outside dot-folders,
    symlinked folders not followed, sorted by folder, then version, then name."""
    root = str(schemas_dir)
    found = []
    stack = [root]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.name.endswith(".json"):
                        found.append(entry.path)
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue

    def key(path: str) -> tuple:
        folder, _, name = path[len(root) + 1 :].rpartition("/")
        version = Version.try_parse(name)
        return (folder, 0, version.major, version.minor, "") if version else (folder, 1, 0, 0, name)

    return sorted(found, key=key)


def _tree(schemas: Path) -> None:
    files = [
        "s/p/E/1-10.json",
        "s/p/E/1-9.json",
        "s/p/E/2-0.json",
        "s/p/E/notes.json",
        "s/p/E/README.md",
        "s/p/E/.hidden.json",
        "s/p/A/1-0.json",
        "s/p-b/A/1-0.json",  # "p-b" sorts before "p/..." ('-' < '/')
        "s/p.b/A/1-0.json",
        "s/.reflekt/meta.json",
        "top.json",
        "1-0.json",
        "s/p/E/01-0.json",  # not a version: by name
        "d/x.json/1-0.json",  # a folder named *.json is listed and walked
        "s/deep/" + "/".join(["n"] * 40) + "/1-0.json",
    ]
    for rel in files:
        path = schemas / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", encoding="utf-8")
    (schemas / "s" / "linked").symlink_to(schemas / "s" / "p")  # a folder link: not walked
    (schemas / "s" / "p" / "A" / "1-1.json").symlink_to(schemas / "top.json")  # a file link
    (schemas / "s" / "p" / "A" / "1-2.json").symlink_to(schemas / "missing.json")  # dangling
    bad = os.fsencode(schemas / "s" / "p") + b"/Caf\xe9"
    os.makedirs(bad + b"/1-0.json.d")
    with open(bad + b"/1-0.json", "w", encoding="utf-8") as handle:
        handle.write("{}")


def test_the_listing_is_the_sorted_listing(tmp_path):
    schemas = tmp_path / "schemas"
    _tree(schemas)
    expected = reference(schemas)

    paths = list_schema_paths(schemas)
    assert paths == expected
    assert list_schema_files(schemas) == [Path(path) for path in expected]
    rels = [path[len(str(schemas)) + 1 :] for path in paths]
    assert rels[:2] == ["1-0.json", "top.json"]
    assert [r for r in rels if r.startswith("s/p/E/")] == [
        "s/p/E/1-9.json",
        "s/p/E/1-10.json",
        "s/p/E/2-0.json",
        "s/p/E/01-0.json",
        "s/p/E/notes.json",
    ]
    assert "s/p/A/1-1.json" in rels and "s/p/A/1-2.json" in rels  # file links are listed
    assert "d/x.json" in rels and "d/x.json/1-0.json" in rels
    assert not any(r.startswith(("s/linked/", "s/.reflekt/")) for r in rels)
    assert "s/p/Caf\udce9/1-0.json" in rels  # a non-UTF-8 name, as os.scandir gives it
    assert rels.index("s/p-b/A/1-0.json") < rels.index("s/p.b/A/1-0.json")
    assert rels.index("s/p.b/A/1-0.json") < rels.index("s/p/A/1-0.json")


def test_a_missing_folder_lists_nothing(tmp_path):
    assert list_schema_paths(tmp_path / "nope") == []
    (tmp_path / "file").write_text("", encoding="utf-8")
    assert list_schema_paths(tmp_path / "file") == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads anywhere")
def test_a_folder_that_cannot_be_listed_is_skipped(tmp_path):
    schemas = tmp_path / "schemas"
    _tree(schemas)
    locked = schemas / "s" / "p"
    locked.chmod(0)
    try:
        paths = list_schema_paths(schemas)
        assert paths == reference(schemas)
        assert not any("/s/p/" in path for path in paths)
    finally:
        locked.chmod(0o755)
