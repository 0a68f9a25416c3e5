"""The pieces of `reflekt migrate` through `core.migrate`'s API: one schema, the meta-schema,
the config files, the plan's refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from reflekt.core.errors import ConfigError
from reflekt.core.migrate import RegistryUnknownError, apply_migration, plan_migration
from reflekt.core.migrate.config import edit_profiles_yaml, edit_project_yaml
from reflekt.core.migrate.meta import convert_meta
from reflekt.core.migrate.schema import IgnoreEntry, convert_schema
from reflekt.core.migrate.selects import map_selects
from reflekt.core.project import load_project

OLD = "ecommerce/Cart_Viewed/1-0.json"
NEW = "segment/ecommerce/Cart_Viewed/1-0.json"


def body06(**self_extra) -> dict:
    return {
        "$id": OLD,
        "self": {"vendor": "v", "name": "Cart Viewed", "format": "jsonschema", "version": "1-0"}
        | self_extra,
        "properties": {"a": {"type": "string", "description": "A.", "lint": False}},
    }


def test_a_schema_keeps_its_content_and_key_order() -> None:
    text = json.dumps(body06(metadata={"code_owner": "x"}, lint=False), indent=4) + "\n"
    out = convert_schema(text, OLD, NEW)
    body = json.loads(out.text)
    assert list(body) == ["$id", "self", "metadata", "properties"]
    assert body["metadata"] == {"code_owner": "x"} and "lint" not in body["self"]
    assert body["properties"]["a"] == {"type": "string", "description": "A."}
    assert body["$id"] == NEW
    assert [i.property for i in out.ignores] == [None, "a"]
    assert out.text.startswith('{\n    "$id"')


def test_lint_true_is_dropped_without_a_switch_and_a_conflict_keeps_the_top_level() -> None:
    body = body06(metadata={"team": "self"}, lint=True)
    body["metadata"] = {"team": "top"}
    body["properties"]["a"]["lint"] = True
    out = convert_schema(json.dumps(body), OLD, NEW)
    assert json.loads(out.text)["metadata"] == {"team": "top"}
    assert out.ignores == ()
    assert "both self.metadata and metadata" in out.notes[0]


def test_a_file_that_is_not_plain_json_moves_unchanged() -> None:
    text = '{"self": {"metadata": {}},}  // 0.6 never wrote this, a person did\n'
    out = convert_schema(text, OLD, NEW)
    assert out.text == text and out.changes == () and "moved unchanged" in out.notes[0]


def test_a_03_style_meta_schema_with_allof_is_converted() -> None:
    meta = {
        "$id": ".reflekt/meta/1-0.json",
        "allOf": [
            {"$ref": "http://json-schema.org/draft-07/schema#"},
            {
                "properties": {
                    "self": {
                        "properties": {"name": {}, "metadata": {"required": ["code_owner"]}},
                        "required": ["name", "metadata"],
                    }
                },
                "required": ["self"],
            },
        ],
    }
    out = json.loads(convert_meta(json.dumps(meta)).text)
    part = out["allOf"][1]
    assert part["properties"]["metadata"] == {"required": ["code_owner"]}
    assert part["properties"]["self"] == {"properties": {"name": {}}, "required": ["name"]}
    assert part["required"] == ["self", "metadata"]
    assert out["$id"] == ".reflekt/event-meta/1-0.json"


def test_camel_keeps_its_06_meaning_and_ignores_are_escaped(tmp_path: Path) -> None:
    text = (
        "name: p\ndefault_profile: dev\nschemas:\n  conventions:\n"
        "    event: {casing: camel, numbers: false}\n    property:\n      casing: camel\n"
    )
    hostile = IgnoreEntry('segment/a: b/"E" #x', ("event-casing",), "p: {{ x }}", "r")
    out = edit_project_yaml(text, tmp_path / "reflekt_project.yml", [hostile])
    data = yaml.safe_load(out.text)
    assert data["schemas"]["conventions"]["event"]["capitalize_camel"] is False
    assert data["schemas"]["conventions"]["property"]["capitalize_camel"] is False
    assert data["lint"]["ignore"][0]["select"] == hostile.select
    assert data["lint"]["ignore"][0]["property"] == hostile.property
    (tmp_path / "reflekt_project.yml").write_text(out.text)
    assert load_project(tmp_path).lint_ignores[0].property == "p: {{ x }}"


def test_profiles_lose_do_not_track_and_redshift_host_url_becomes_host(tmp_path: Path) -> None:
    text = (
        "version: 1.0\ndev:\n  do_not_track: true  # no\n  source:\n    - id: rs\n"
        "      type: redshift\n      host_url: h.example\n      port: 5439\n"
    )
    out = edit_profiles_yaml(text, tmp_path / "p.yml")
    data = yaml.safe_load(out.text)
    assert "do_not_track" not in data["dev"]
    assert data["dev"]["source"][0]["host"] == "h.example"
    assert out.no_equivalent and "no usage statistics" in out.no_equivalent[0]


def _project(root: Path) -> None:
    (root / "schemas/ecommerce/E").mkdir(parents=True)
    (root / "reflekt_project.yml").write_text("name: p\ndefault_profile: dev\n")
    (root / "schemas/ecommerce/E/1-0.json").write_text(json.dumps(body06(metadata={})))


def test_an_existing_destination_or_an_unknown_registry_stops_the_plan(tmp_path: Path) -> None:
    _project(tmp_path)
    with pytest.raises(RegistryUnknownError) as unknown:
        plan_migration(tmp_path)
    assert unknown.value.folders == ("ecommerce",)
    (tmp_path / "schemas/segment/ecommerce/E").mkdir(parents=True)
    (tmp_path / "schemas/segment/ecommerce/E/1-0.json").write_text("{}")
    with pytest.raises(ConfigError, match="already exists"):
        plan_migration(tmp_path, registry="segment")
    assert (tmp_path / "schemas/ecommerce/E/1-0.json").exists()


def test_a_symlink_is_refused_before_anything_moves(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "schemas/ecommerce/E/1-1.json").symlink_to("/etc/passwd")
    with pytest.raises(ConfigError, match="symbolic link"):
        plan_migration(tmp_path, registry="segment")


def test_outside_a_git_repository_files_move_all_the_same(tmp_path: Path) -> None:
    _project(tmp_path)
    result = apply_migration(plan_migration(tmp_path, registry="avo"))
    assert result.moved == 1 and result.git_staged == 0
    assert (tmp_path / "schemas/avo/ecommerce/E/1-0.json").is_file()
    assert not (tmp_path / "schemas/ecommerce").exists()
    assert plan_migration(tmp_path).nothing_to_do


def test_selects_get_the_registry_level_only_when_it_is_unambiguous(tmp_path: Path) -> None:
    (tmp_path / "segment/shop").mkdir(parents=True)
    (tmp_path / "avo/main").mkdir(parents=True)
    assert map_selects(tmp_path, ["shop/E"], None, "lint").selects == ("segment/shop/E",)
    assert map_selects(tmp_path, ["main"], None, "lint").selects == ("avo/main",)
    assert map_selects(tmp_path, ["nowhere"], None, "lint").selects == ("nowhere",)
    kept = map_selects(tmp_path, ["segment/shop"], None, "lint")
    assert kept.selects == ("segment/shop",) and kept.notes == ()
