"""Snowplow Iglu through the CLI: a static registry served by Python's `http.server` (the tree
in tests/fixtures/iglu/static, written from Iglu's documented layout) and a local Iglu Server
stand-in (`iglu_fake.FakeIgluServer`, from Iglu Server's API documentation).

Pull a vendor, lint it with `conventions: snowplow`, diff, push to the server (401/403/404/409),
push --to-dir (round trip, immutability), failed pulls that change nothing, the api key never
shown.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from iglu_fake import FakeIgluServer, StaticRegistry

from reflekt.cli import cli

FIXTURE = Path(__file__).parents[2] / "fixtures" / "iglu" / "static"
ACME = "iglu/com.acme"
CHECKOUT = "schemas/iglu/com.acme/checkout_started"


def _invoke(project, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)])


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".logs" not in path.parts and ".reflekt_cache" not in path.parts
    }


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def registry_dir(tmp_path: Path) -> Path:
    """A copy of the static registry tree (tests may change it)."""
    target = tmp_path / "registry"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def static(registry_dir: Path) -> Iterator[StaticRegistry]:
    server = StaticRegistry(registry_dir).start()
    yield server
    server.stop()


@pytest.fixture
def iglu_server() -> Iterator[FakeIgluServer]:
    server = FakeIgluServer().start()
    yield server
    server.stop()


@pytest.fixture
def iglu_project(make_project):
    """A project whose profile `dev` has an Iglu registry at `url`; `conventions: snowplow`."""
    counter = iter(range(1000))

    def factory(url: str, api_key: str | None = None, listing: str | None = None, preset=True):
        project = make_project(folder=f"project{next(counter)}")
        registry = {"type": "iglu", "url": url}
        if api_key is not None:
            registry["api_key"] = api_key
        if listing is not None:
            registry["listing"] = listing
        project.write_profiles({"version": 1.0, "dev": {"registry": [registry]}})
        if preset:
            config = (project.root / "reflekt_project.yml").read_text()
            start = config.index("schemas:\n")
            end = config.index("# REGISTRY CONFIG")
            config = config[:start] + "schemas:\n  conventions: snowplow\n\n" + config[end:]
            project.set_config(config)
        return project

    return factory


# -- pull from a static registry -------------------------------------------------------------


def test_pull_a_vendor_from_a_static_registry_maps_schemaver(static, iglu_project):
    project = iglu_project(static.url)
    result = _invoke(project, "pull", "--select", ACME)
    assert result.exit_code == 0, result.output
    files = sorted(
        p.relative_to(project.root).as_posix()
        for p in project.schemas_dir.rglob("*.json")
        if "iglu" in p.parts
    )
    assert files == [
        f"{CHECKOUT}/1-0.json",
        f"{CHECKOUT}/1-1.json",
        f"{CHECKOUT}/1-2.json",
        f"{CHECKOUT}/2-0.json",
        "schemas/iglu/com.acme/product_viewed/1-0.json",
    ]
    recorded = {
        name: _json(project.root / CHECKOUT / name)["metadata"]["iglu"]["version"]
        for name in ("1-0.json", "1-1.json", "1-2.json", "2-0.json")
    }
    assert recorded == {
        "1-0.json": "1-0-0",
        "1-1.json": "1-0-1",
        "1-2.json": "1-1-0",
        "2-0.json": "2-0-0",
    }
    body = _json(project.root / CHECKOUT / "1-2.json")
    assert body["self"] == {
        "vendor": "com.acme",
        "name": "checkout_started",
        "format": "jsonschema",
        "version": "1-2",
    }
    assert body["$id"] == "iglu/com.acme/checkout_started/1-2.json"
    assert body["$schema"].startswith(
        "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc"
    )
    assert body["properties"]["total"]["type"] == ["number", "null"]
    assert "additionalProperties" not in body  # not added: Iglu's schema had none
    # the REVISION is reported, not silently taken for a minor
    assert "iglu:com.acme/checkout_started/jsonschema/1-1-0 is a REVISION of 1-0-1" in result.output
    assert "pulled as 1-2" in result.output
    assert "REVISION of" not in result.output.split("1-1-0 is a REVISION", 1)[1]  # once
    viewed = _json(project.root / "schemas/iglu/com.acme/product_viewed/1-0.json")
    assert viewed["oneOf"] == [{"required": ["sku"]}, {"required": ["productId"]}]
    assert viewed["patternProperties"] == {
        "^custom_[a-z]+$": {"type": ["string", "number", "boolean", "null"]}
    }
    assert "{{ product.name }}" in viewed["description"]  # data, kept as it is
    # only the vendor's folders were listed; model list files were never taken for schemas
    assert all(path.startswith("/schemas/com.acme/") for path in static.requests)


def test_second_pull_changes_no_byte_and_reports_no_revision_again(static, iglu_project):
    project = iglu_project(static.url)
    assert _invoke(project, "pull", "--select", ACME).exit_code == 0
    before = _tree(project.schemas_dir)
    result = _invoke(project, "pull", "--select", ACME)
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 5 unchanged" in result.output
    assert "REVISION" not in result.output
    assert _tree(project.schemas_dir) == before


def test_pull_of_one_schema_and_one_major(static, iglu_project):
    project = iglu_project(static.url)
    result = _invoke(project, "pull", "--select", f"{ACME}/checkout_started/2-0")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project.root / CHECKOUT).iterdir()) == ["2-0.json"]


def test_a_version_published_in_the_middle_keeps_existing_files(static, registry_dir, iglu_project):
    """A static registry that gains 1-0-2 after 1-1-0: the pulled files stay where they are,
    the newcomer takes the next free minor (and the mapping stays reversible)."""
    project = iglu_project(static.url)
    assert _invoke(project, "pull", "--select", ACME).exit_code == 0
    folder = registry_dir / "schemas/com.acme/checkout_started/jsonschema"
    late = _json(folder / "1-0-1")
    late["self"]["version"] = "1-0-2"
    late["description"] = "A late addition."
    (folder / "1-0-2").write_text(json.dumps(late, indent=2))
    result = _invoke(project, "pull", "--select", ACME)
    assert result.exit_code == 0, result.output
    assert "created      schemas/iglu/com.acme/checkout_started/1-3.json" in result.output
    assert _json(project.root / CHECKOUT / "1-3.json")["metadata"]["iglu"]["version"] == "1-0-2"
    assert _json(project.root / CHECKOUT / "1-2.json")["metadata"]["iglu"]["version"] == "1-1-0"


def test_pull_through_a_listing_file_when_folders_are_not_listed(registry_dir, iglu_project):
    """As on S3 or GCS: no folder listings, a listing file named in the profile instead."""
    uris = [
        "iglu:com.acme/checkout_started/jsonschema/1-0-0",
        "iglu:com.acme/checkout_started/jsonschema/1-0-1",
        "schemas/com.acme/product_viewed/jsonschema/1-0-0",
        "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-0",
        "iglu:com.acme/checkout_started/avro/1-0-0",
    ]
    (registry_dir / "schemas.json").write_text(json.dumps(uris))
    server = StaticRegistry(registry_dir, listings=False).start()
    try:
        without = iglu_project(server.url)
        result = _invoke(without, "pull", "--select", ACME)
        assert result.exit_code == 3, result.output
        assert "listing file" in result.output
        project = iglu_project(server.url, listing="schemas.json")
        result = _invoke(project, "pull", "--select", ACME)
        assert result.exit_code == 0, result.output
        assert "3 created" in result.output
        assert sorted(p.name for p in (project.root / CHECKOUT).iterdir()) == [
            "1-0.json",
            "1-1.json",
        ]
    finally:
        server.stop()


def test_a_schema_whose_self_is_not_its_path_fails_the_pull_and_changes_nothing(
    static, registry_dir, iglu_project
):
    project = iglu_project(static.url)
    before = _tree(project.root)
    bad = registry_dir / "schemas/com.acme/product_viewed/jsonschema/1-0-0"
    body = _json(bad)
    body["self"]["name"] = "other_name"
    bad.write_text(json.dumps(body))
    result = _invoke(project, "pull", "--select", ACME)
    assert result.exit_code == 3, result.output
    assert "does not correspond to its metadata" in result.output
    assert "Traceback" not in result.output
    assert _tree(project.root) == before


def test_a_connection_dropped_half_way_changes_no_local_file(iglu_server, iglu_project):
    for version in ("1-0-0", "1-0-1", "1-1-0", "2-0-0"):
        iglu_server.seed(
            _json(FIXTURE / f"schemas/com.acme/checkout_started/jsonschema/{version}"), public=True
        )
    project = iglu_project(iglu_server.api_url)
    assert _invoke(project, "pull", "--select", ACME).exit_code == 0
    (project.root / CHECKOUT / "1-0.json").write_text("{}\n")  # a local edit a pull would undo
    before = _tree(project.root)
    iglu_server.fail_next("close", count=50, after=3)
    result = _invoke(project, "pull", "--select", ACME)
    assert result.exit_code == 3, result.output
    assert "cannot reach the Iglu registry" in result.output
    assert _tree(project.root) == before


def _new_version(project, *, keep_record: bool = False) -> dict:
    """2-0.json copied to a new 2-1.json as a user writes one (no `metadata.iglu`); the
    body, for the test to change and `_save`."""
    body = _json(project.root / CHECKOUT / "2-0.json")
    if not keep_record:
        del body["metadata"]
    body["$id"] = "iglu/com.acme/checkout_started/2-1.json"
    body["self"]["version"] = "2-1"
    return body


def _save(project, body: dict) -> None:
    (project.root / CHECKOUT / "2-1.json").write_text(json.dumps(body, indent=2))


# -- lint and diff ---------------------------------------------------------------------------


def test_lint_of_pulled_schemas_passes_with_the_snowplow_preset(static, iglu_project):
    project = iglu_project(static.url)
    for vendor in ("com.acme", "com.snowplowanalytics.snowplow", "io.example-app"):
        assert _invoke(project, "pull", "--select", f"iglu/{vendor}").exit_code == 0
    result = _invoke(project, "lint", "--select", "iglu")
    assert result.exit_code == 0, result.output
    assert "Linted 9 schemas: no problems found." in result.output
    # the project's own conventions (Title Case events, snake_case properties) would not pass
    plain = iglu_project(static.url, preset=False)
    assert _invoke(plain, "pull", "--select", ACME).exit_code == 0
    result = _invoke(plain, "lint", "--select", "iglu")
    assert result.exit_code == 1
    assert 'event name "checkout_started" is not Title Case' in result.output
    assert 'property "cartId" is not snake_case' in result.output


def test_diff_against_iglu_and_between_two_versions(static, iglu_project):
    project = iglu_project(static.url)
    assert _invoke(project, "pull", "--select", ACME).exit_code == 0
    result = _invoke(project, "diff", "--select", ACME)
    assert result.exit_code == 0, result.output
    assert "2 unchanged" in result.output
    # a new local version 2-1: an optional property added, compared with Iglu's 2-0-0
    body = _new_version(project, keep_record=True)
    body["properties"]["giftWrap"] = {"type": "boolean", "description": "Wrapped as a gift."}
    _save(project, body)
    result = _invoke(project, "diff", "--select", f"{ACME}/checkout_started", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    (event,) = report["events"]
    assert event["event"] == "iglu/com.acme/checkout_started"
    assert [change["path"] for change in event["changes"]] == ["giftWrap"]
    assert {change["class"] for change in event["changes"]} == {"MINOR"}


# -- push to an Iglu Server ------------------------------------------------------------------


def _pulled(static, iglu_project, server_url: str, api_key: str | None):
    """A project pulled from the static registry, its profile then pointed at the server."""
    source = iglu_project(static.url)
    assert _invoke(source, "pull", "--select", ACME).exit_code == 0
    registry = {"type": "iglu", "url": server_url}
    if api_key is not None:
        registry["api_key"] = api_key
    source.write_profiles({"version": 1.0, "dev": {"registry": [registry]}})
    return source


def test_push_publishes_in_schemaver_order_after_validation(static, iglu_server, iglu_project):
    keys = iglu_server.keygen("com.acme")
    project = _pulled(static, iglu_project, iglu_server.api_url, keys["write"])
    result = _invoke(project, "push", "--select", ACME)
    assert result.exit_code == 0, result.output
    assert "5 created, 0 updated, 0 unchanged" in result.output
    sent = [(r.method, r.path) for r in iglu_server.requests if r.method in ("POST", "PUT")]
    puts = [path for method, path in sent if method == "PUT"]
    assert puts == [
        "/api/schemas/com.acme/checkout_started/jsonschema/1-0-0",
        "/api/schemas/com.acme/checkout_started/jsonschema/1-0-1",
        "/api/schemas/com.acme/checkout_started/jsonschema/1-1-0",
        "/api/schemas/com.acme/checkout_started/jsonschema/2-0-0",
        "/api/schemas/com.acme/product_viewed/jsonschema/1-0-0",
    ]
    # Every version through the Server's linter before the first PUT.
    assert [method for method, _path in sent] == ["POST"] * 5 + ["PUT"] * 5
    assert all(r.headers.get("apikey") == keys["write"] for r in iglu_server.requests)
    for key, stored in iglu_server.schemas.items():  # exactly the registry's files
        assert stored.schema == _json(FIXTURE / "schemas" / key[0] / key[1] / key[2] / key[3])
    again = _invoke(project, "push", "--select", ACME)
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 5 unchanged" in again.output


def test_push_without_a_key_is_401_and_the_key_is_never_shown(static, iglu_server, iglu_project):
    unknown = "7d6e5f4a-3b2c-4d1e-9f8a-0b1c2d3e4f5a"
    project = _pulled(static, iglu_project, iglu_server.api_url, unknown)
    result = _invoke(project, "push", "--select", ACME, "--verbose")
    assert result.exit_code == 3, result.output
    assert "HTTP 401" in result.output and "Not enough permissions" in result.output
    assert "api_key" in result.output  # the hint says what to check
    assert unknown not in result.output
    debug = _invoke(project, "debug", "--connect")
    assert "api_key=********" in debug.output
    assert unknown not in debug.output
    logs = "".join(p.read_text() for p in (project.root / ".logs").glob("*.log"))
    assert unknown not in logs
    assert not iglu_server.schemas


def test_push_with_a_read_key_is_403(static, iglu_server, iglu_project):
    keys = iglu_server.keygen("com.acme")
    project = _pulled(static, iglu_project, iglu_server.api_url, keys["read"])
    result = _invoke(project, "push", "--select", ACME)
    assert result.exit_code == 3, result.output
    assert "HTTP 403" in result.output and "not authorized" in result.output
    assert keys["read"] not in result.output


def test_push_to_a_wrong_url_is_404(static, iglu_server, iglu_project):
    keys = iglu_server.keygen("com.acme")
    project = _pulled(static, iglu_project, f"{iglu_server.url}/wrong/api", keys["write"])
    result = _invoke(project, "push", "--select", ACME)
    assert result.exit_code == 3, result.output
    assert "HTTP 404" in result.output and "ends in /api" in result.output


def test_server_409_for_a_version_pushed_out_of_order(static, iglu_server, iglu_project):
    keys = iglu_server.keygen("com.acme")
    project = _pulled(static, iglu_project, iglu_server.api_url, keys["write"])
    result = _invoke(project, "push", "--select", f"{ACME}/checkout_started/2-0")
    assert result.exit_code == 3, result.output
    assert "HTTP 409" in result.output
    assert "Preceding SchemaVer in the group is missing" in result.output
    assert "push the earlier versions first" in result.output
    assert not iglu_server.schemas


def test_a_published_version_with_other_content_is_never_overwritten(
    static, iglu_server, iglu_project
):
    keys = iglu_server.keygen("com.acme")
    project = _pulled(static, iglu_project, iglu_server.api_url, keys["write"])
    assert _invoke(project, "push", "--select", ACME).exit_code == 0
    path = project.root / CHECKOUT / "1-1.json"
    body = _json(path)
    body["properties"]["cartId"]["description"] = "The cart's id (edited after publishing)."
    path.write_text(json.dumps(body, indent=2))
    stored = dict(iglu_server.schemas)
    sent_before = len(iglu_server.requests)
    result = _invoke(project, "push", "--select", ACME)
    assert result.exit_code == 3, result.output
    assert "iglu:com.acme/checkout_started/jsonschema/1-0-1 is already published" in result.output
    assert "save the change as 1-3.json" in result.output
    assert "pushed as 1-1-1" in result.output
    assert iglu_server.schemas == stored
    assert not [r for r in iglu_server.requests[sent_before:] if r.method in ("PUT", "POST")]


def test_a_new_local_minor_is_pushed_as_the_next_addition(static, iglu_server, iglu_project):
    keys = iglu_server.keygen("com.acme")
    project = _pulled(static, iglu_project, iglu_server.api_url, keys["write"])
    body = _new_version(project)
    body["properties"]["giftWrap"] = {"type": "boolean", "description": "Wrapped as a gift."}
    _save(project, body)
    result = _invoke(project, "push", "--select", ACME)
    assert result.exit_code == 0, result.output
    assert "pushed as 2-0-1, the next ADDITION after 2-0-0" in result.output
    assert 'set metadata.iglu.version to "2-1-0"' in result.output
    published = iglu_server.schemas[("com.acme", "checkout_started", "jsonschema", "2-0-1")].schema
    assert published["self"]["version"] == "2-0-1"
    assert "metadata" not in published and "$id" not in published
    assert published["properties"]["giftWrap"]["type"] == "boolean"


def test_a_breaking_new_minor_asks_for_a_revision_or_a_model(static, iglu_project, tmp_path):
    project = iglu_project(static.url)
    assert _invoke(project, "pull", "--select", ACME).exit_code == 0
    body = _new_version(project)
    body["required"].append("coupon")  # optional -> required: breaking
    _save(project, body)
    out = tmp_path / "out"
    result = _invoke(project, "push", "--select", ACME, "--to-dir", str(out), "--force")
    assert result.exit_code == 2, result.output
    assert "REVISION (2-1-0) or a new MODEL (3-0-0)" in result.output
    assert not out.exists()


# -- push --to-dir: the static layout ------------------------------------------------------


def test_round_trip_pull_then_to_dir_reproduces_every_registry_file(static, iglu_project, tmp_path):
    project = iglu_project(static.url)
    for vendor in ("com.acme", "com.snowplowanalytics.snowplow", "io.example-app"):
        assert _invoke(project, "pull", "--select", f"iglu/{vendor}").exit_code == 0
    out = tmp_path / "out"
    for vendor in ("com.acme", "com.snowplowanalytics.snowplow", "io.example-app"):
        result = _invoke(project, "push", "--select", f"iglu/{vendor}", "--to-dir", str(out))
        assert result.exit_code == 0, result.output
    for path in sorted(p for p in FIXTURE.rglob("*") if p.is_file()):
        written = out / path.relative_to(FIXTURE)
        assert written.is_file(), written
        assert _json(written) == _json(path), path
    # what is added: model lists only (none of Reflekt's own files is left to upload)
    extra = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {
        p.relative_to(FIXTURE).as_posix() for p in FIXTURE.rglob("*") if p.is_file()
    }
    assert extra == {
        "schemas/com.acme/product_viewed/jsonschema/1",
        "schemas/com.snowplowanalytics.snowplow/web_page/jsonschema/1",
        "schemas/io.example-app/screen_view/jsonschema/1",
    }
    assert _json(out / "schemas/io.example-app/screen_view/jsonschema/1") == [
        "iglu:io.example-app/screen_view/jsonschema/1-0-0"
    ]


def test_to_dir_never_overwrites_a_published_version(static, iglu_project, tmp_path):
    project = iglu_project(static.url)
    assert _invoke(project, "pull", "--select", ACME).exit_code == 0
    out = tmp_path / "out"
    assert _invoke(project, "push", "--select", ACME, "--to-dir", str(out)).exit_code == 0
    before = _tree(out)
    path = project.root / CHECKOUT / "1-0.json"
    body = _json(path)
    body["description"] = "Edited after publishing."
    path.write_text(json.dumps(body, indent=2))
    result = _invoke(project, "push", "--select", ACME, "--to-dir", str(out))
    assert result.exit_code == 3, result.output
    assert "iglu:com.acme/checkout_started/jsonschema/1-0-0 is already published" in result.output
    assert "Iglu versions are immutable" in result.output
    assert "save the change as 1-3.json" in result.output
    assert _tree(out) == before


def test_to_dir_dry_run_writes_nothing_and_needs_no_profile(static, iglu_project, tmp_path):
    project = iglu_project(static.url)
    assert _invoke(project, "pull", "--select", ACME).exit_code == 0
    project.write_profiles("version: 1.0\n")  # no profile at all
    out = tmp_path / "out"
    result = _invoke(project, "push", "--select", ACME, "--to-dir", str(out), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    assert not out.exists()


def test_to_dir_is_only_for_iglu_and_delete_is_refused(static, iglu_project, tmp_path):
    project = iglu_project(static.url)
    project.add_schema("segment/shop/Cart_Viewed/1-0")
    result = _invoke(project, "push", "--select", "segment/shop", "--to-dir", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert "--to-dir writes a static Iglu registry" in result.output
    assert _invoke(project, "pull", "--select", ACME).exit_code == 0
    result = _invoke(project, "push", "--select", ACME, "--delete", "--yes")
    assert result.exit_code == 2
    assert "immutable" in result.output


def test_push_to_a_static_registry_points_at_to_dir(static, iglu_project):
    project = iglu_project(static.url)
    assert _invoke(project, "pull", "--select", ACME).exit_code == 0
    result = _invoke(project, "push", "--select", ACME)
    assert result.exit_code == 2
    assert "--to-dir" in result.output


def test_debug_connect_to_a_static_registry_and_a_server(static, iglu_server, iglu_project):
    project = iglu_project(static.url)
    result = _invoke(project, "debug", "--connect")
    assert result.exit_code == 0, result.output
    assert "static Iglu registry" in result.output and "3 vendor(s)" in result.output
    server = iglu_project(iglu_server.api_url)
    result = _invoke(server, "debug", "--connect")
    assert result.exit_code == 0, result.output
    assert "Iglu Server" in result.output and ": OK" in result.output


def test_a_new_version_is_as_public_as_the_ones_before_it(static, iglu_server, iglu_project):
    """Iglu Server refuses a private version in a group of public ones (409): push asks how
    the latest published version is available (`repr=meta`) and publishes alike."""
    for version in ("1-0-0", "1-0-1", "1-1-0", "2-0-0"):
        schema = _json(FIXTURE / f"schemas/com.acme/checkout_started/jsonschema/{version}")
        iglu_server.seed(schema, public=True)
    keys = iglu_server.keygen("com.acme")
    project = _pulled(static, iglu_project, iglu_server.api_url, keys["write"])
    body = _new_version(project)
    body["properties"]["giftWrap"] = {"type": "boolean", "description": "Wrapped as a gift."}
    _save(project, body)
    result = _invoke(project, "push", "--select", f"{ACME}/checkout_started")
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 4 unchanged" in result.output
    (put,) = [r for r in iglu_server.requests if r.method == "PUT"]
    assert put.path.endswith("/checkout_started/jsonschema/2-0-1")
    assert ("isPublic", "true") in put.query
    assert iglu_server.schemas[("com.acme", "checkout_started", "jsonschema", "2-0-1")].public


# -- a push cut off between its PUTs ---------------------------------------------------------

# What a push of ACME publishes, in order: (local file, Iglu URI).
PUSH_ORDER = (
    ("checkout_started/1-0.json", "iglu:com.acme/checkout_started/jsonschema/1-0-0"),
    ("checkout_started/1-1.json", "iglu:com.acme/checkout_started/jsonschema/1-0-1"),
    ("checkout_started/1-2.json", "iglu:com.acme/checkout_started/jsonschema/1-1-0"),
    ("checkout_started/2-0.json", "iglu:com.acme/checkout_started/jsonschema/2-0-0"),
    ("product_viewed/1-0.json", "iglu:com.acme/product_viewed/jsonschema/1-0-0"),
)


def _held(server: FakeIgluServer) -> list[str]:
    return sorted(f"iglu:{'/'.join(key)}" for key in server.schemas)


def _puts(server: FakeIgluServer, since: int = 0) -> list[str]:
    return [
        "iglu:" + r.path.removeprefix("/api/schemas/")
        for r in server.requests[since:]
        if r.method == "PUT"
    ]


def _line(output: str, start: str) -> str:
    (line,) = [line for line in output.splitlines() if line.startswith(start)]
    return line


@pytest.mark.parametrize(
    ("mode", "nth"),
    [
        ("close", 3),  # the connection dropped before the Server acted: 1-1-0 not stored
        ("503", 3),
        ("500", 5),  # the last one, of another event
        ("close-after", 4),  # stored, then the connection dropped: Reflekt cannot tell
    ],
)
def test_a_push_cut_off_between_its_puts_says_what_stays_and_a_second_push_ends_it(
    static, iglu_server, iglu_project, mode, nth
):
    """Iglu has no transactions: the versions PUT before the failure stay. The push says
    which, changes no local file, and the same push again publishes the rest, in order."""
    keys = iglu_server.keygen("com.acme")
    project = _pulled(static, iglu_project, iglu_server.api_url, keys["write"])
    before = _tree(project.root)
    iglu_server.fail_next(mode, count=1, after=nth - 1, methods=("PUT",))
    result = _invoke(project, "push", "--select", ACME)

    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert result.output.count("Error:") == 1
    uris = [uri for _file, uri in PUSH_ORDER]
    done, failed = uris[: nth - 1], uris[nth - 1]
    assert f"Error: the push stopped at {failed}: " in result.output
    published = _line(result.output, "  published (")
    assert published.startswith(f"  published ({nth - 1} of the 5 new versions; they stay")
    not_published = _line(result.output, "  not published (")
    assert not_published.startswith(f"  not published ({6 - nth}): {failed} (")
    for file, uri in PUSH_ORDER:
        shown = f"{uri} ({file.split('/')[1]})"
        assert (shown in published) == (uri in done), uri
        assert (shown in not_published) == (uri not in done), uri
    unconfirmed = "unconfirmed: no clear answer, the Server may have stored it"
    assert unconfirmed in not_published  # no answer, or a 5xx: the Server may have acted
    assert "run the same push again" in result.output
    stored = [*done, failed] if mode == "close-after" else done
    assert _held(iglu_server) == sorted(stored)
    assert _puts(iglu_server) == uris[:nth]  # SchemaVer order: what is held has no gap
    assert _tree(project.root) == before

    # diff: only the events with unpublished versions differ; the base is what was published
    diff = _invoke(project, "diff", "--select", ACME, "--format", "json")
    assert diff.exit_code == 0, diff.output
    events = {e["event"].rsplit("/", 1)[1]: e for e in json.loads(diff.output)["events"]}
    for event in ("checkout_started", "product_viewed"):
        held = [f for f, uri in PUSH_ORDER if f.startswith(event) and uri in stored]
        latest = [f for f, _uri in PUSH_ORDER if f.startswith(event)][-1]
        verdict = events[event]["verdict"] if event in events else "unchanged"
        if latest in held:
            assert verdict == "unchanged", events.get(event)
        else:
            assert verdict != "unchanged", event
            base = held[-1].split("/")[1].removesuffix(".json") if held else None
            assert events[event]["base_version"] == base

    sent_before = len(iglu_server.requests)
    again = _invoke(project, "push", "--select", ACME)
    assert again.exit_code == 0, again.output
    left = [uri for uri in uris if uri not in stored]
    assert f"{len(left)} created, 0 updated, {len(stored)} unchanged" in again.output
    created = [line.split()[1] for line in again.output.splitlines() if "created  iglu:" in line]
    assert created == left
    assert _puts(iglu_server, sent_before) == left
    assert _held(iglu_server) == sorted(uris)  # exactly the full set
    for key, held_schema in iglu_server.schemas.items():
        assert held_schema.schema == _json(FIXTURE / "schemas" / "/".join(key))
    assert _tree(project.root) == before
    final = _invoke(project, "diff", "--select", ACME)
    assert final.exit_code == 0 and "2 unchanged" in final.output, final.output


def test_a_version_the_server_refuses_stops_the_push_before_anything_is_published(
    static, iglu_server, iglu_project
):
    """The Server's linter refuses 2-0-0 (a `required` property it does not define), the
    fourth of five new versions: every version is validated before the first PUT, so the
    push stops with nothing published (Iglu has no transactions to undo half a push)."""
    keys = iglu_server.keygen("com.acme")
    project = _pulled(static, iglu_project, iglu_server.api_url, keys["write"])
    path = project.root / CHECKOUT / "2-0.json"
    body = _json(path)
    body["required"].append("ghost")
    path.write_text(json.dumps(body, indent=2))
    before = _tree(project.root)
    result = _invoke(project, "push", "--select", ACME, "--force")
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert result.output.count("Error:") == 1
    assert "Error: the Iglu Server refuses iglu:com.acme/checkout_started/jsonschema/2-0-0: " in (
        result.output
    )
    assert "Elements specified as required [ghost] don't exist" in result.output
    assert "published (" not in result.output and "push stopped" not in result.output
    assert not iglu_server.schemas
    assert _puts(iglu_server) == []
    assert _tree(project.root) == before
    body["required"].remove("ghost")  # fixed: the same push publishes all five, in order
    path.write_text(json.dumps(body, indent=2))
    again = _invoke(project, "push", "--select", ACME)
    assert again.exit_code == 0, again.output
    assert _puts(iglu_server) == [uri for _file, uri in PUSH_ORDER]


def test_a_push_refused_at_its_first_put_publishes_nothing_and_says_no_more(
    static, iglu_server, iglu_project
):
    keys = iglu_server.keygen("com.acme")
    project = _pulled(static, iglu_project, iglu_server.api_url, keys["write"])
    iglu_server.fail_next("503", count=1, methods=("PUT",))
    result = _invoke(project, "push", "--select", ACME)
    assert result.exit_code == 3, result.output
    assert "HTTP 503" in result.output
    assert "published (" not in result.output and "push stopped" not in result.output
    assert not iglu_server.schemas


def _interrupted(project, pause_dir: Path, *args: str):
    """`reflekt <args>` as a subprocess, interrupted (SIGINT) while the writer stages."""
    import os
    import signal
    import subprocess
    import sys

    from pause_support import Pause

    pause = Pause(pause_dir, "staging")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reflekt", *args, "--project-dir", str(project.root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **pause.env},
    )  # fmt: skip
    try:
        pause.wait(proc)
        proc.send_signal(signal.SIGINT)  # interrupts the pause itself: no resume
        _, err = proc.communicate(timeout=120)
    finally:
        pause.close()
    return proc.returncode, err


def test_an_interrupted_pull_changes_nothing(static, iglu_project, tmp_path):
    project = iglu_project(static.url)
    before = _tree(project.root)
    code, err = _interrupted(project, tmp_path / "pause", "pull", "--select", ACME)
    assert code == 130, err
    assert _tree(project.root) == before
    assert not (project.schemas_dir / "iglu").exists()


def test_an_interrupted_push_to_dir_writes_nothing(static, iglu_project, tmp_path):
    project = iglu_project(static.url)
    assert _invoke(project, "pull", "--select", ACME).exit_code == 0
    out = tmp_path / "out"
    code, err = _interrupted(
        project, tmp_path / "pause", "push", "--select", ACME, "--to-dir", str(out)
    )
    assert code == 130, err
    left = [p.relative_to(out).as_posix() for p in out.rglob("*")] if out.exists() else []
    assert left == []  # no schema, no lock or journal of Reflekt's to upload


def test_ctrl_c_during_a_put_says_what_stays_published_and_a_second_push_ends_it(
    static, iglu_server, iglu_project
):
    """The user stops a push while the Server has the third PUT: Iglu keeps the first two.
    Under `Interrupted.` the push names what stays published and what may have been, the
    local files are untouched, and the same push again publishes the rest, in order."""
    keys = iglu_server.keygen("com.acme")
    project = _pulled(static, iglu_project, iglu_server.api_url, keys["write"])
    before = _tree(project.root)
    iglu_server.fail_next("hold", count=1, after=2, methods=("PUT",))  # the third PUT
    code, err = iglu_server.interrupt_when_held(project.root, "push", "--select", ACME)

    assert code == 130, err
    assert "Traceback" not in err and "Error:" not in err
    lines = err.splitlines()
    start = lines.index("Interrupted.")
    uris = [uri for _file, uri in PUSH_ORDER]
    assert lines[start + 1] == f"the push stopped at {uris[2]}:"
    assert lines[start + 2].startswith("  published (2 of the 5 new versions; they stay")
    assert all(uri in lines[start + 2] for uri in uris[:2])
    assert lines[start + 3].startswith(f"  not published (3): {uris[2]} ")
    assert "(unconfirmed: no clear answer, the Server may have stored it)" in lines[start + 3]
    assert all(uri in lines[start + 3] for uri in uris[2:])
    assert "run the same push again" in lines[start + 4]
    assert _held(iglu_server) == sorted(uris[:2])
    assert _tree(project.root) == before

    again = _invoke(project, "push", "--select", ACME)
    assert again.exit_code == 0, again.output
    assert "3 created, 0 updated, 2 unchanged" in again.output
    assert _held(iglu_server) == sorted(uris)
    assert _puts(iglu_server)[-3:] == uris[2:]
