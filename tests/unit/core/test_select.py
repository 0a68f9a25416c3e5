"""--select: folders, single files with or without .json, prefixes, globs, clear misses."""

from __future__ import annotations

import pytest

from reflekt.core.errors import SelectError
from reflekt.core.select import SelectPath, normalize_select, resolve_select


@pytest.fixture
def project(make_project):
    builder = make_project()
    for rel in (
        "segment/ecommerce/Cart_Viewed/1-0",
        "segment/ecommerce/Cart_Viewed/1-1",
        "segment/ecommerce/Product_Added/1-0",
        "segment/ecommerce/Product_Viewed/1-0",
        "segment/marketing/Ad_Clicked/1-0",
        "avo/main/Signed_Up/1-0",
    ):
        builder.add_schema(rel)
    return builder


def rels(builder, paths) -> list[str]:
    return [p.relative_to(builder.schemas_dir).as_posix() for p in paths]


@pytest.mark.parametrize(
    "select",
    [
        "segment/ecommerce/Cart_Viewed/1-0",
        "segment/ecommerce/Cart_Viewed/1-0.json",
        "schemas/segment/ecommerce/Cart_Viewed/1-0.json",
        " segment/ecommerce/Cart_Viewed/1-0/ ",
    ],
)
def test_single_file_select(project, select: str) -> None:
    assert rels(project, resolve_select(project.schemas_dir, [select])) == [
        "segment/ecommerce/Cart_Viewed/1-0.json"
    ]


def test_folder_select_with_trailing_slash(project) -> None:
    assert rels(
        project, resolve_select(project.schemas_dir, ["segment/ecommerce/Cart_Viewed/"])
    ) == [
        "segment/ecommerce/Cart_Viewed/1-0.json",
        "segment/ecommerce/Cart_Viewed/1-1.json",
    ]


def test_folder_prefix_does_not_match_sibling_names(project) -> None:
    project.add_schema("segment/ecommerce/Cart_Viewed_Again/1-0")
    found = rels(project, resolve_select(project.schemas_dir, ["segment/ecommerce/Cart_Viewed"]))
    assert "segment/ecommerce/Cart_Viewed_Again/1-0.json" not in found


def test_glob_in_last_part(project) -> None:
    found = rels(project, resolve_select(project.schemas_dir, ["segment/ecommerce/Product_*"]))
    assert found == [
        "segment/ecommerce/Product_Added/1-0.json",
        "segment/ecommerce/Product_Viewed/1-0.json",
    ]


def test_several_selects_are_unioned_without_duplicates(project) -> None:
    found = resolve_select(project.schemas_dir, ["segment/marketing", "avo", "avo/main"])
    assert rels(project, found) == [
        "avo/main/Signed_Up/1-0.json",
        "segment/marketing/Ad_Clicked/1-0.json",
    ]


def test_no_select_means_everything(project) -> None:
    assert len(resolve_select(project.schemas_dir, None)) == 6


def test_miss_names_the_closest_paths(project) -> None:
    with pytest.raises(SelectError) as info:
        resolve_select(project.schemas_dir, ["segment/ecommerce/Cart_Veiwed"])
    assert "matches no schema" in str(info.value)
    assert "segment/ecommerce/Cart_Viewed" in (info.value.hint or "")
    assert info.value.exit_code == 2


def test_select_path_parts() -> None:
    sel = SelectPath.parse("schemas/segment/ecommerce/Cart_Viewed/1-0.json")
    assert (sel.registry, sel.plan, sel.event, sel.version) == (
        "segment",
        "ecommerce",
        "Cart_Viewed",
        "1-0",
    )
    assert normalize_select("segment/ecommerce/") == "segment/ecommerce"
