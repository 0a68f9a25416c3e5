"""Iglu pieces through their public functions: SchemaVer and its mapping to MAJOR-MINOR, the
reversible conversion, folder listings (Python http.server and nginx autoindex), listing
files, the `type: iglu` profile, `conventions: snowplow` and the `snake_or_camel` casing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reflekt.core import casing
from reflekt.core.errors import ConfigError
from reflekt.core.profiles import IgluRegistryConfig, load_profile
from reflekt.core.project import load_project
from reflekt.core.registries.iglu_client import listed_entries, parse_listing
from reflekt.core.registries.iglu_schemaver import (
    IgluKey,
    SchemaVer,
    local_versions,
    recorded_version,
    to_iglu,
    to_reflekt,
)
from reflekt.core.schemas import Version
from reflekt.core.secrets import MASK, redact

SD = "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"


def _v(text: str) -> SchemaVer:
    parsed = SchemaVer.parse(text)
    assert parsed is not None
    return parsed


# -- SchemaVer and the mapping ---------------------------------------------------------------


def test_schemaver_parses_and_orders_numerically():
    assert str(_v("1-0-10")) == "1-0-10"
    assert _v("1-0-9") < _v("1-0-10") < _v("1-1-0") < _v("2-0-0")
    for bad in ("1-0", "0-0-1", "1-0-0-0", "01-0-0", "1-a-0", ""):
        assert SchemaVer.parse(bad) is None, bad


def test_iglu_keys_from_uris_and_paths():
    key = IgluKey.parse("iglu:com.acme/checkout_started/jsonschema/1-1-0")
    assert key == IgluKey("com.acme", "checkout_started", _v("1-1-0"))
    assert key.path == "schemas/com.acme/checkout_started/jsonschema/1-1-0"
    assert IgluKey.parse("/schemas/com.acme/x/jsonschema/2-0-0") == IgluKey(
        "com.acme", "x", _v("2-0-0")
    )
    for other in (
        "iglu:com.acme/x/avro/1-0-0",  # another format
        "schemas/com.acme/x/jsonschema/1",  # a model list
        "iglu:../x/jsonschema/1-0-0",  # a vendor that is a path
        "iglu:com.acme/x y/jsonschema/1-0-0",
        "iglu:com.acme/x",
    ):
        assert IgluKey.parse(other) is None, other


def test_versions_map_model_to_major_and_positions_to_minors():
    versions = [_v(t) for t in ("1-1-0", "1-0-0", "2-0-0", "1-0-1", "1-1-1", "2-1-0")]
    mapping = local_versions(versions, {}, set())
    assert {str(k): str(v) for k, v in mapping.items()} == {
        "1-0-0": "1-0",
        "1-0-1": "1-1",
        "1-1-0": "1-2",
        "1-1-1": "1-3",
        "2-0-0": "2-0",
        "2-1-0": "2-1",
    }


def test_recorded_versions_stay_and_newcomers_take_a_free_minor():
    versions = [_v(t) for t in ("1-0-0", "1-0-1", "1-0-2", "1-1-0")]
    recorded = {_v("1-0-0"): Version(1, 0), _v("1-0-1"): Version(1, 1), _v("1-1-0"): Version(1, 2)}
    mapping = local_versions(versions, recorded, set())
    assert mapping[_v("1-1-0")] == Version(1, 2)
    assert mapping[_v("1-0-2")] == Version(1, 3)  # never 1-2, which holds 1-1-0
    taken = local_versions([_v("1-0-0"), _v("1-0-1")], {}, {Version(1, 1)})
    assert taken[_v("1-0-1")] == Version(1, 2)


# -- conversion both ways --------------------------------------------------------------------


def _schema(**extra) -> dict:
    return {
        "$schema": SD,
        "description": "A {{ hostile }} description",
        "self": {"vendor": "com.acme", "name": "x", "format": "jsonschema", "version": "1-1-0"},
        "type": "object",
        "properties": {"a": {"type": ["string", "null"], "maxLength": 10}},
        "oneOf": [{"required": ["a"]}],
        **extra,
    }


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"metadata": {}},
        {"metadata": {"owner": "growth", "iglu": "theirs"}},
        {"metadata": "not an object"},
        {"$id": "http://example.com/x.json"},
        {"additionalProperties": True, "$ref": "#/definitions/y", "definitions": {"y": {}}},
    ],
)
def test_to_reflekt_then_to_iglu_is_the_same_schema(extra):
    schema = _schema(**extra)
    body = to_reflekt(schema, "iglu/com.acme/x/1-2.json", Version(1, 2), _v("1-1-0"))
    assert body["$id"] == "iglu/com.acme/x/1-2.json"
    assert body["self"]["version"] == "1-2"
    assert recorded_version(body) == _v("1-1-0")
    assert to_iglu(json.loads(json.dumps(body)), _v("1-1-0")) == schema


def test_metadata_added_in_reflekt_is_published():
    body = to_reflekt(_schema(), "iglu/com.acme/x/1-2.json", Version(1, 2), _v("1-1-0"))
    body["metadata"]["owner"] = "growth"
    published = to_iglu(body, _v("1-1-1"))
    assert published["metadata"] == {"owner": "growth"}
    assert published["self"]["version"] == "1-1-1"


# -- listings --------------------------------------------------------------------------------

PYTHON_LISTING = b"""<!DOCTYPE HTML>
<html lang="en"><head><meta charset="utf-8"><title>Directory listing for /schemas/com.acme/</title>
</head><body><h1>Directory listing for /schemas/com.acme/</h1><hr><ul>
<li><a href="checkout_started/">checkout_started/</a></li>
<li><a href="product%20viewed/">product viewed/</a></li>
<li><a href="web_page/">web_page/</a></li>
</ul><hr></body></html>"""

NGINX_LISTING = b"""<html>
<head><title>Index of /schemas/com.acme/checkout_started/jsonschema/</title></head>
<body>
<h1>Index of /schemas/com.acme/checkout_started/jsonschema/</h1><hr><pre><a href="../">../</a>
<a href="1">1</a>                                                  02-Dec-2026 05:10     153
<a href="1-0-0">1-0-0</a>                                              02-Dec-2026 05:10     812
<a href="1-0-1">1-0-1</a>                                              02-Dec-2026 05:10     840
<a href="?C=N&amp;O=D">Name</a>
<a href="http://elsewhere.example/1-0-2">1-0-2</a>
<a href="/schemas/">up</a>
</pre><hr></body>
</html>"""


def test_folder_listings_of_python_and_nginx():
    assert listed_entries(PYTHON_LISTING) == ["checkout_started", "product viewed", "web_page"]
    assert listed_entries(NGINX_LISTING) == ["1", "1-0-0", "1-0-1"]
    assert listed_entries(b"<html>no links</html>") == []


def test_listing_files_json_and_lines():
    keys = parse_listing(
        json.dumps(
            ["iglu:com.acme/x/jsonschema/1-0-0", "schemas/com.acme/y/jsonschema/1-0-0", 3, "junk"]
        ).encode(),
        "GET /schemas.json",
    )
    assert [key.uri for key in keys] == [
        "iglu:com.acme/x/jsonschema/1-0-0",
        "iglu:com.acme/y/jsonschema/1-0-0",
    ]
    lines = parse_listing(b"# listing\niglu:com.acme/x/jsonschema/1-0-1\n\n", "GET /l.txt")
    assert [key.uri for key in lines] == ["iglu:com.acme/x/jsonschema/1-0-1"]


# -- profile ---------------------------------------------------------------------------------


def _profile(tmp_path: Path, registry: str):
    (tmp_path / "reflekt_project.yml").write_text(
        "name: p\ndefault_profile: dev\nprofiles_path: profiles.yml\n"
    )
    (tmp_path / "profiles.yml").write_text(f"dev:\n  registry:\n{registry}")
    return load_profile(load_project(tmp_path))


def test_an_iglu_profile_masks_its_api_key(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("IGLU_KEY", "5b3f1c1e-0d5a-4b2e-8f7a-8c1d2e3f4a5b")
    profile = _profile(
        tmp_path,
        "    - type: iglu\n      url: https://iglu.acme.example/api\n"
        "      api_key: \"{{ env_var('IGLU_KEY') }}\"\n",
    )
    config = profile.registry("iglu")
    assert isinstance(config, IgluRegistryConfig)
    assert config.is_server and config.api_url == "https://iglu.acme.example/api"
    assert str(config.api_key) == MASK
    assert redact("key 5b3f1c1e-0d5a-4b2e-8f7a-8c1d2e3f4a5b") == f"key {MASK}"
    static = _profile(tmp_path, "    - type: iglu\n      url: https://cdn.example/iglu\n")
    config = static.registry("iglu")
    assert isinstance(config, IgluRegistryConfig)
    assert not config.is_server and config.api_key is None


@pytest.mark.parametrize(
    ("registry", "message"),
    [
        ("    - type: iglu\n", "url"),
        ("    - type: iglu\n      url: ftp://x\n", r"not an http\(s\) URL"),
        ("    - type: iglu\n      url: http://x\n      listing: ../up.json\n", "not a path"),
        ("    - type: iglu\n      url: http://x\n      token: t\n", "token"),
    ],
)
def test_iglu_profile_errors_name_the_key(tmp_path: Path, registry: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        _profile(tmp_path, registry)
    assert caught.value.exit_code == 2


# -- conventions: snowplow --------------------------------------------------------------------


def _project(tmp_path: Path, schemas: str):
    (tmp_path / "reflekt_project.yml").write_text(
        f"name: p\ndefault_profile: dev\nschemas:\n{schemas}"
    )
    return load_project(tmp_path)


def test_the_snowplow_preset(tmp_path: Path) -> None:
    project = _project(tmp_path, "  conventions: snowplow\n")
    conventions = project.conventions
    assert conventions.preset == "snowplow"
    assert conventions.event.effective_casing == "snake" and conventions.event.numbers
    assert conventions.property.effective_casing == "snake_or_camel"
    assert project.diff_type_widening == "minor"  # SchemaVer: a widened type is an ADDITION


def test_a_preset_with_overrides_and_an_explicit_type_widening(tmp_path: Path) -> None:
    (tmp_path / "reflekt_project.yml").write_text(
        "name: p\ndefault_profile: dev\nschemas:\n  conventions:\n    preset: snowplow\n"
        "    property:\n      casing: camel\n      capitalize_camel: false\n"
        "diff:\n  type_widening: major\n"
    )
    project = load_project(tmp_path)
    assert project.conventions.event.effective_casing == "snake"  # the preset's
    assert project.conventions.property.effective_casing == "camel"  # overridden
    assert project.diff_type_widening == "major"


def test_an_unknown_preset_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'segment' is not one of: snowplow"):
        _project(tmp_path, "  conventions: segment\n")


def test_snake_or_camel_casing():
    for good in ("targetUrl", "target_url", "id", "h1", "elementClasses"):
        assert casing.matches(good, "snake_or_camel"), good
    for bad in ("TargetUrl", "target-url", "_id", "target__url", "Target_url"):
        assert not casing.matches(bad, "snake_or_camel"), bad
    assert casing.suggest("TargetUrl", "snake_or_camel") == "target_url"
    assert casing.suggest("target-url", "snake_or_camel") == "target_url"
