"""reflekt_project.yml: the seed's example loads as is; bad config names the key and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reflekt.core.errors import ConfigError, ProjectNotFoundError
from reflekt.core.project import find_project_root, load_project

SEED = Path(__file__).parents[2] / "fixtures" / "seed"


def test_seed_example_loads_with_its_comments(tmp_path: Path) -> None:
    shutil.copy(SEED / "reflekt_project.yml", tmp_path / "reflekt_project.yml")
    project = load_project(tmp_path)
    assert project.name == "reflekt_demo"
    assert project.vendor == "com.company_name"
    assert project.default_profile == "dev_reflekt"
    assert project.conventions.event.casing == "title"
    assert project.conventions.property.casing == "snake"
    assert "null" in project.conventions.data_types
    assert project.avo_branches == {"main": "main", "staging": "AbC12dEfG"}
    assert project.dbt.docs_tests == {"id": ("unique", "not_null")}
    assert project.dbt.models_filter == ""
    assert project.profiles_path() == Path.home() / ".reflekt" / "reflekt_profiles.yml"


def test_minimal_project_gets_defaults(tmp_path: Path) -> None:
    (tmp_path / "reflekt_project.yml").write_text("name: p\ndefault_profile: dev\n")
    project = load_project(tmp_path)
    assert project.conventions.event.casing == "any"
    assert project.dbt.models_prefix == "stg_"
    assert project.dbt.docs_in_folder is False


def test_found_from_a_subfolder_without_git(tmp_path: Path) -> None:
    (tmp_path / "reflekt_project.yml").write_text("name: p\ndefault_profile: dev\n")
    sub = tmp_path / "schemas" / "segment"
    sub.mkdir(parents=True)
    assert find_project_root(sub) == tmp_path.resolve()


def test_no_project_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFoundError) as info:
        find_project_root(tmp_path)
    assert "reflekt init" in (info.value.hint or "")


@pytest.mark.parametrize(
    ("yaml_text", "needle", "line"),
    [
        ("name: p\ndefault_profile: dev\nschemaz: {}\n", "schemaz: unknown key", 3),
        (
            "name: p\ndefault_profile: dev\nschemas:\n  conventions:\n    event:\n      casing: kebab\n",
            "schemas.conventions.event.casing: 'kebab' is not one of",
            6,
        ),
        (
            "name: p\ndefault_profile: dev\nschemas:\n  conventions:\n    event:\n      numbers: 'yes'\n",
            "schemas.conventions.event.numbers: expected true or false",
            6,
        ),
        (
            "name: p\ndefault_profile: dev\nschemas:\n  conventions:\n    data_types: [string, text]\n",
            "schemas.conventions.data_types[1]: 'text' is not one of",
            5,
        ),
        ("name: p\n", "missing required key 'default_profile'", 1),
        (
            "name: p\ndefault_profile: dev\nartifacts:\n  dbt:\n    docs:\n      in_folder: 3\n",
            "artifacts.dbt.docs.in_folder: expected true or false",
            6,
        ),
        (
            "name: p\ndefault_profile: dev\nlint:\n  rules:\n    R1: loud\n",
            "'loud' is not one of",
            5,
        ),
    ],
)
def test_bad_config_names_key_path_and_line(
    tmp_path: Path, yaml_text: str, needle: str, line: int
) -> None:
    (tmp_path / "reflekt_project.yml").write_text(yaml_text)
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    assert needle in str(info.value)
    assert info.value.line == line
    assert info.value.exit_code == 2


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    (tmp_path / "reflekt_project.yml").write_text("name: p\ndefault_profil: dev\n")
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    assert "did you mean 'default_profile'" in (info.value.hint or "")


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    (tmp_path / "reflekt_project.yml").write_text("name: p\ndefault_profile: [dev\n")
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    assert "invalid YAML" in str(info.value)
    assert info.value.line is not None


def test_relative_profiles_path_is_relative_to_the_project(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "reflekt_project.yml").write_text(
        "name: p\ndefault_profile: dev\nprofiles_path: conf/profiles.yml\n"
    )
    monkeypatch.chdir("/")
    assert load_project(tmp_path).profiles_path() == tmp_path.resolve() / "conf" / "profiles.yml"


def test_env_var_overrides_profiles_path(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "reflekt_project.yml").write_text("name: p\ndefault_profile: dev\n")
    monkeypatch.setenv("REFLEKT_PROFILES_PATH", str(tmp_path / "elsewhere.yml"))
    assert load_project(tmp_path).profiles_path() == tmp_path / "elsewhere.yml"
