"""--select lists only what it can match: the results are the whole-listing ones, exactly.

The oracle is the former algorithm (filter `list_schema_files` of the whole project),
run on a tree of hostile names: spaces, unicode, `{{ }}`, a non-UTF-8 name, dot-folders,
symlinked folders, a folder named `*.json`, a file beside a folder of the same name.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
from pathlib import Path

import pytest

from reflekt.core.build.pipeline import load_event_schemas
from reflekt.core.errors import SchemaFileError, SelectError
from reflekt.core.project import load_project
from reflekt.core.schemas import (
    list_schema_branches,
    list_schema_files,
    list_schema_folders,
    list_schema_paths,
    load_schema,
    relative_id,
    schema_id_text,
    schema_ids,
)
from reflekt.core.select import check_select, normalize_select, resolve_select, select_files

BAD = os.fsdecode(b"bad\xff")  # a folder name that is not UTF-8 (a lone surrogate)


def former_resolve(schemas_dir: Path, selects: list[str] | None) -> list[Path]:
    """`resolve_select` as it was: every file of the project as a Path, then filtered."""
    files = list_schema_files(schemas_dir)
    if not selects:
        return files
    rel_of = {path: path.relative_to(schemas_dir).as_posix() for path in files}
    for select in selects:
        check_select(select)
    chosen: set[Path] = set()
    for select in selects:
        normal = normalize_select(select)
        matched = [path for path in files if _former_hit(normal, rel_of[path])]
        if not matched:
            names: set[str] = set()
            for rel in rel_of.values():
                parts = rel.removesuffix(".json").split("/")
                names.update("/".join(parts[:end]) for end in range(1, len(parts) + 1))
            close = difflib.get_close_matches(normal, sorted(names), n=3, cutoff=0.5)
            hint = "closest existing: " + ", ".join(close) if close else None
            if not close and not files:
                hint = f"there are no schemas under {schemas_dir} yet (try `reflekt pull`)"
            message = f"--select '{select}' matches no schema under {schemas_dir}"
            raise SelectError(message, hint=hint)
        chosen.update(matched)
    return [path for path in files if path in chosen]


def _former_hit(select: str, rel: str) -> bool:
    if not select:
        return True
    if set("*?[") & set(select):
        depth = select.count("/") + 1
        parts = rel.split("/")
        if len(parts) < depth:
            return False
        prefix = "/".join(parts[:depth])
        return fnmatch.fnmatchcase(prefix, select) or fnmatch.fnmatchcase(
            prefix.removesuffix(".json"), select
        )
    return rel.removesuffix(".json") == select or rel.startswith(select + "/")


@pytest.fixture
def hostile(make_project):
    builder = make_project()
    for rel in (
        "segment/plan 00/Cart Viewed/1-0",
        "segment/plan 00/Cart Viewed/1-1",
        "segment/plan 00/Cart Viewed/1-9",
        "segment/plan 00/Cart Viewed/1-10",
        "segment/plan 00/Cart Viewed/notes",
        "segment/plan 00/Order_Done/2-0",
        "segment/plan 00",  # a file beside the folder of the same name
        "segment/plan 01/Cart Viewed/1-0",
        "segment/ünï/Évènement/1-0",
        "segment/{{ x }}/Ev/1-0",
        "segment/.hidden/Ev/1-0",
        "segment/dir.json/Ev/1-0",  # a folder named like a file
        "segment/deep/a/b/c/d/1-0",
    ):
        builder.add_schema(rel)
    builder.add_schema("top", name="Top")  # a file at the top of schemas/
    schemas = builder.schemas_dir
    os.makedirs(os.path.join(os.fsencode(schemas), b"segment", b"bad\xff", b"Ev"))
    (schemas / "segment" / BAD / "Ev" / "1-0.json").write_text("{}", encoding="utf-8")
    (schemas / "segment" / "linked").symlink_to(schemas / "segment" / "plan 00")
    (schemas / "linked_root").symlink_to(schemas / "segment")
    return builder


SELECTS = [
    ["segment"],
    ["schemas"],
    ["schemas/segment/"],
    ["segment/plan 00"],
    ["segment/plan 00/"],
    ["segment/plan 00.json"],
    ["segment/plan 00/Cart Viewed"],
    ["segment/plan 00/Cart Viewed/1-10"],
    ["segment/plan 00/Cart Viewed/1-10.json"],
    ["segment/plan*"],
    ["segment/plan 0[01]"],
    ["segment/*/Cart*"],
    ["segment/plan 00/Cart Viewed/1-?"],
    ["segment/plan 00/Cart Viewed/1-1?"],
    ["segment/plan 00/Cart Viewed/1-[!0]*"],
    ["segment/plan 0[!1]"],
    ["segment/plan 00[/]Cart Viewed"],  # a `[...]` matching the `/` between parts
    ["segment/[]p]lan 00"],
    ["segment/[[p]lan 00/*"],
    ["segment/di?"],  # the folder `dir.json`, as a file would be
    ["segment/dir.j*"],
    ["segment/d*/Ev"],
    ["*"],
    ["*/plan 00"],
    ["segment/ünï"],
    ["segment/ünï/Évènement/1-0"],
    ["segment/{{ x }}"],
    ["segment/{{ x }}/Ev"],
    [f"segment/{BAD}"],
    ["segment/dir"],
    ["segment/dir.json"],
    ["segment/dir.json/Ev"],
    ["segment/deep/a/b"],
    ["top"],
    ["segment/ünï", "segment/plan 00/Cart Viewed/1-0"],
    ["segment/plan 00/Cart Viewed/1-0", "segment/ünï", "segment/plan*"],
    ["segment/plan 01", "segment/plan 00/Cart Viewed"],
]
MISSES = [
    ["segment/linked"],  # a symlinked folder is not walked
    ["segment/linked/Cart Viewed"],
    ["linked_root/plan 00"],
    ["linked_root/*"],
    ["segment/.hidden"],  # nor a dot-folder
    ["segment/.hidden/Ev"],
    ["segment/plan 00/Cart Viewed/1-2"],
    ["segment/plan 02"],
    ["segment/plan 0[2-9]"],
    ["segment/plan 0["],  # an unclosed `[` is itself
    ["segment/plan 00/Cart Viewed[/]x"],
    ["segment/plan 0[0/]Cart Viewed"],
    ["segment/lin*/Cart Viewed"],
    ["segment/plan 00/Cart Viewed/1-0/extra"],
    ["segment/ünï", "segment/nope"],
    ["nope"],
]


@pytest.mark.parametrize("selects", SELECTS, ids=repr)
def test_select_lists_what_the_whole_listing_gives(hostile, selects) -> None:
    found = resolve_select(hostile.schemas_dir, selects)
    assert found and found == former_resolve(hostile.schemas_dir, selects)


@pytest.mark.parametrize("selects", MISSES, ids=repr)
def test_a_miss_raises_the_whole_listing_error(hostile, selects) -> None:
    with pytest.raises(SelectError) as former:
        former_resolve(hostile.schemas_dir, selects)
    with pytest.raises(SelectError) as now:
        resolve_select(hostile.schemas_dir, selects)
    assert (now.value.message, now.value.hint) == (former.value.message, former.value.hint)


def test_a_miss_with_no_schemas_says_so(make_project) -> None:
    builder = make_project()
    with pytest.raises(SelectError) as now:
        resolve_select(builder.schemas_dir, ["segment"])
    assert "there are no schemas under" in (now.value.hint or "")


def test_no_select_is_every_file(hostile) -> None:
    assert resolve_select(hostile.schemas_dir, None) == list_schema_files(hostile.schemas_dir)
    assert resolve_select(hostile.schemas_dir, []) == list_schema_files(hostile.schemas_dir)


def test_a_given_listing_gives_the_same_paths(hostile) -> None:
    listing = list_schema_folders(hostile.schemas_dir)
    for selects in SELECTS:
        given = select_files(hostile.schemas_dir, selects, listing)
        assert given.paths == [str(p) for p in former_resolve(hostile.schemas_dir, selects)]
        assert given.whole and given.folders == listing


@pytest.mark.parametrize("selects", SELECTS, ids=repr)
def test_the_folders_of_a_selection_are_whole_folders_of_the_listing(hostile, selects) -> None:
    listing = list_schema_folders(hostile.schemas_dir)
    selection = select_files(hostile.schemas_dir, selects)
    assert selection.folders.items() <= listing.items()
    folders_of = {path.rpartition(os.sep)[0] for path in selection.paths}
    listed = {path.rpartition(os.sep)[0] for paths in selection.folders.values() for path in paths}
    assert folders_of <= listed
    if selection.whole:
        assert selection.folders == listing


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists a folder without read permission")
def test_an_unlistable_folder_on_the_way_hides_its_subtree(hostile) -> None:
    hostile.add_schema("segment/locked/Ev/1-0")
    locked = hostile.schemas_dir / "segment" / "locked"
    locked.chmod(0o311)  # enterable, not listable: the walk skips it, a direct path works
    try:
        with pytest.raises(SelectError):
            resolve_select(hostile.schemas_dir, ["segment/locked/Ev"])
    finally:
        locked.chmod(0o755)


def test_branches_are_the_whole_listing_of_the_kept_folders(hostile) -> None:
    whole = list_schema_folders(hostile.schemas_dir)
    assert list(whole) == sorted(whole)
    assert [p for paths in whole.values() for p in paths] == list_schema_paths(hostile.schemas_dir)
    cases = [
        ("", lambda name: name == "segment"),
        ("segment", lambda name: name.startswith("plan")),
        ("segment", lambda name: name in ("deep", BAD, "linked", ".hidden")),
        ("segment/deep", lambda name: True),
        ("segment/plan 00/Cart Viewed", lambda name: False),
    ]
    for parent, keep in cases:
        lead = parent + "/" if parent else ""
        below = {
            name: paths
            for name, paths in whole.items()
            if name == parent or (name.startswith(lead) and keep(name[len(lead) :].split("/")[0]))
        }
        assert below and list_schema_branches(hostile.schemas_dir, parent, keep) == below
    for unwalked in ("segment/linked", "segment/.hidden", "linked_root", "segment/nope"):
        assert list_schema_branches(hostile.schemas_dir, unwalked, lambda name: True) == {}


def test_schema_ids_are_relative_ids(hostile) -> None:
    schemas = hostile.schemas_dir
    paths = list_schema_paths(schemas)
    assert any(BAD in path for path in paths)
    odd = [
        f"{schemas}/a/../segment/x.json",
        f"{schemas}/a/..",
        f"{schemas}x/y.json",
        "/elsewhere/y",
    ]
    expected = [relative_id(Path(path), schemas).path for path in [*paths, *odd]]
    assert [schema_id_text(path, schemas) for path in [*paths, *odd]] == expected
    assert schema_ids([*paths, *odd], schemas) == expected


def former_versions(project, selects) -> tuple[list[str], list[str]]:
    """The former `load_event_schemas`: selected ids, then the other versions' ids."""
    schemas_dir = project.schemas_dir
    selected = [relative_id(p, schemas_dir).path for p in former_resolve(schemas_dir, selects)]
    folders = {schema_id.rsplit("/", 1)[0] for schema_id in selected}
    others = []
    for path in list_schema_files(schemas_dir):
        schema_id = relative_id(path, schemas_dir).path
        if schema_id in selected or schema_id.rsplit("/", 1)[0] not in folders:
            continue
        try:
            load_schema(path, schemas_dir)
        except SchemaFileError:
            continue
        others.append(schema_id)
    return selected, [*selected, *others]


@pytest.mark.parametrize(
    "selects",
    [
        ["segment/plan 00/Cart Viewed/1-10"],
        ["segment/plan 00/Cart Viewed/1-0", "segment/ünï"],
        ["segment/plan 0[01]/Cart*/1-1"],
        ["segment/{{ x }}"],
        ["top"],
    ],
    ids=repr,
)
def test_load_event_schemas_reads_the_other_versions_as_before(hostile, selects) -> None:
    project = load_project(hostile.root)
    loaded = load_event_schemas(project, selects)
    selected, versions = former_versions(project, selects)
    assert [schema.schema_id for schema in loaded.selected] == selected
    assert [schema.schema_id for schema in loaded.versions] == versions
    assert loaded.files == [str(path) for path in list_schema_files(project.schemas_dir)]
