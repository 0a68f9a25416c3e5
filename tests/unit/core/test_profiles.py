"""reflekt_profiles.yml: the seed's example loads; env_var(); secrets never shown."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reflekt.core.errors import ConfigError
from reflekt.core.profiles import load_profile
from reflekt.core.project import load_project
from reflekt.core.secrets import MASK, redact

SEED = Path(__file__).parents[2] / "fixtures" / "seed"


@pytest.fixture
def seed_project(tmp_path: Path):
    shutil.copy(SEED / "reflekt_project.yml", tmp_path / "reflekt_project.yml")
    profiles = tmp_path / ".reflekt" / "reflekt_profiles.yml"
    profiles.parent.mkdir()
    shutil.copy(SEED / "reflekt_profiles.yml", profiles)
    return tmp_path


def _project_with_profiles(tmp_path: Path, profiles_text: str):
    (tmp_path / "reflekt_project.yml").write_text(
        "name: p\ndefault_profile: dev\nprofiles_path: profiles.yml\n"
    )
    (tmp_path / "profiles.yml").write_text(profiles_text)
    return load_project(tmp_path)


def test_seed_profiles_load_with_default_ids(seed_project: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(seed_project))
    profile = load_profile(load_project(seed_project))
    assert profile.name == "dev_reflekt"
    segment = profile.registry("segment")
    assert segment.api_token.reveal() == "segment_api_token"
    assert segment.api_url == "https://api.segmentapis.com"
    assert profile.registry("avo").workspace_id == "avo_workspace_id"
    # No ids in the seed: each source's id is its type (`--source snowflake.raw.segment_prod`).
    assert [s.id for s in profile.sources] == ["snowflake", "redshift"]
    assert profile.source("redshift").settings["port"] == 5439
    assert profile.source("snowflake").settings["database"] == "raw"


def test_secrets_print_masked(seed_project: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(seed_project))
    profile = load_profile(load_project(seed_project))
    shown = f"{profile} {profile.source('snowflake').masked()}"
    assert "reflekt_user_password" not in shown
    assert "segment_api_token" not in shown
    assert MASK in shown
    assert redact("token=segment_api_token") == f"token={MASK}"


def test_env_var_with_and_without_default(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MY_TOKEN", "tok-from-env")
    project = _project_with_profiles(
        tmp_path,
        "dev:\n  registry:\n    - type: segment\n      api_token: \"{{ env_var('MY_TOKEN') }}\"\n"
        "      api_url: \"{{ env_var('SEG_URL', 'https://eu1.api.segmentapis.com') }}\"\n",
    )
    segment = load_profile(project).registry("segment")
    assert segment.api_token.reveal() == "tok-from-env"
    assert segment.api_url == "https://eu1.api.segmentapis.com"


def test_missing_env_var_is_a_clear_error(tmp_path: Path) -> None:
    project = _project_with_profiles(
        tmp_path,
        "dev:\n  registry:\n    - type: segment\n      api_token: \"{{ env_var('NOPE_NOT_SET') }}\"\n",
    )
    profile = load_profile(project)  # read lazily: only a command using segment needs it
    with pytest.raises(ConfigError) as info:
        profile.registry("segment")
    assert "NOPE_NOT_SET" in str(info.value)
    assert info.value.line == 4


def test_duplicate_source_ids_are_rejected(tmp_path: Path) -> None:
    project = _project_with_profiles(
        tmp_path,
        "dev:\n  source:\n    - type: duckdb\n      path: a.duckdb\n    - type: duckdb\n      path: b.duckdb\n",
    )
    with pytest.raises(ConfigError, match="duplicate source id 'duckdb'"):
        load_profile(project)


def test_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    project = _project_with_profiles(tmp_path, "version: 1.0\nprod:\n  source: []\n")
    with pytest.raises(
        ConfigError, match=r"profile 'dev' not found \(profiles in the file: prod\)"
    ):
        load_profile(project)


def test_source_type_keys_are_checked(tmp_path: Path) -> None:
    project = _project_with_profiles(
        tmp_path, "dev:\n  source:\n    - type: postgres\n      host: h\n      databse: d\n"
    )
    with pytest.raises(ConfigError) as info:
        load_profile(project)
    assert "databse: unknown key" in str(info.value)
    assert info.value.line == 5


def test_duckdb_path_is_relative_to_the_profiles_file(tmp_path: Path) -> None:
    project = _project_with_profiles(
        tmp_path, "dev:\n  source:\n    - id: local\n      type: duckdb\n      path: wh.duckdb\n"
    )
    source = load_profile(project).source("local")
    assert source.settings["path"] == str(tmp_path / "wh.duckdb")


def test_missing_profiles_file(tmp_path: Path) -> None:
    (tmp_path / "reflekt_project.yml").write_text(
        "name: p\ndefault_profile: dev\nprofiles_path: nowhere.yml\n"
    )
    with pytest.raises(ConfigError, match="profiles file not found"):
        load_profile(load_project(tmp_path))
