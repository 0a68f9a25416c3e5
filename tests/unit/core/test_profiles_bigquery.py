"""`type: bigquery` sources: dbt-bigquery's credential methods, secrets masked, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reflekt.core.errors import ConfigError
from reflekt.core.profiles import load_profile
from reflekt.core.project import load_project
from reflekt.core.secrets import MASK, redact

KEY = {"type": "service_account", "client_email": "r@p.iam", "private_key": "pk-secret-xyz"}


def _load(tmp_path: Path, source: str, monkeypatch=None):
    (tmp_path / "reflekt_project.yml").write_text(
        "name: p\ndefault_profile: dev\nprofiles_path: profiles.yml\n"
    )
    (tmp_path / "profiles.yml").write_text(
        "dev:\n  source:\n    - id: bq\n      type: bigquery\n" + source
    )
    return load_profile(load_project(tmp_path)).source("bq")


def test_oauth_is_the_default_method(tmp_path):
    source = _load(tmp_path, "      project: my-proj\n      location: EU\n")
    assert source.settings == {"project": "my-proj", "location": "EU", "method": "oauth"}


def test_service_account_keyfile_is_relative_to_the_profiles_file(tmp_path):
    source = _load(
        tmp_path, "      project: p\n      method: service-account\n      keyfile: k.json\n"
    )
    assert source.settings["keyfile"] == str(tmp_path / "k.json")


def test_keyfile_json_from_env_var_is_masked(tmp_path, monkeypatch):
    monkeypatch.setenv("BQ_KEY", json.dumps(KEY))
    source = _load(
        tmp_path,
        "      project: p\n      method: service-account-json\n"
        "      keyfile_json: \"{{ env_var('BQ_KEY') }}\"\n",
    )
    assert json.loads(source.settings["keyfile_json"].reveal()) == KEY
    assert source.masked()["keyfile_json"] == MASK
    assert "pk-secret-xyz" not in redact(f"failed with {json.dumps(KEY)}")


def test_keyfile_json_as_a_mapping_masks_the_private_key(tmp_path):
    source = _load(
        tmp_path,
        "      project: p\n      method: service-account-json\n      keyfile_json:\n"
        "        type: service_account\n        private_key: pk-mapping-secret\n",
    )
    assert json.loads(source.settings["keyfile_json"].reveal())["private_key"] == (
        "pk-mapping-secret"
    )
    assert redact("key pk-mapping-secret leaked") == f"key {MASK} leaked"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("      project: p\n      method: service-account\n", "needs `keyfile`"),
        ("      project: p\n      method: service-account-json\n", "needs `keyfile_json`"),
        ("      project: p\n      method: anonymous\n", "needs `api_endpoint`"),
        ("      project: p\n      method: token\n", "is not one of"),
        ("      project: p\n      keyfile: k.json\n", "not used by method oauth"),
        ("      project: p\n      maximum_bytes_billed: 0\n", "not a positive number"),
        ("      dataset: d\n", "project"),
    ],
)
def test_bad_bigquery_sources_are_config_errors(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, text)


def test_without_the_client_one_error_names_the_extra(tmp_path):
    """google-cloud-bigquery hidden from the import system: the error says what to install."""
    source = _load(tmp_path, "      project: p\n")
    script = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "google.cloud.bigquery" or name.startswith("google.cloud.bigquery."):
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Block())
from reflekt.core.profiles import SourceConfig
from reflekt.core.warehouse import create_engine
from reflekt.core.errors import WarehouseError
try:
    create_engine(SourceConfig("bq", "bigquery", {source.settings!r}))
except WarehouseError as error:
    print(error.message, "|", error.hint)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert "BigQuery client is not installed" in out
    assert "pip install 'reflekt[bigquery]'" in out


def test_dbt_profile_of_a_bigquery_source_never_holds_the_key(tmp_path, monkeypatch):
    """The downstream dbt project's profile names the key by environment variable only."""
    import yaml

    from reflekt.core.build.dbt_runner import write_downstream_project

    monkeypatch.setenv("BQ_KEY", json.dumps(KEY))
    source = _load(
        tmp_path,
        "      project: p\n      location: EU\n      method: service-account-json\n"
        "      keyfile_json: \"{{ env_var('BQ_KEY') }}\"\n      maximum_bytes_billed: 1000\n",
    )
    work = tmp_path / "downstream"
    write_downstream_project(work, tmp_path, source, "stg")
    text = (work / "profiles.yml").read_text(encoding="utf-8")
    assert "pk-secret-xyz" not in text
    target = yaml.safe_load(text)["reflekt_downstream"]["outputs"]["dev"]
    assert target == {
        "type": "bigquery",
        "project": "p",
        "dataset": "stg",
        "threads": 1,
        "method": "service-account-json",
        "keyfile_json": "{{ env_var('REFLEKT_DBT_BIGQUERY_KEYFILE_JSON') | as_native }}",
        "location": "EU",
        "maximum_bytes_billed": 1000,
    }
