"""`reflekt migrate` on a reflekt 0.6.0 project: layout, content, config, git, idempotence.

The fixture (`project06.py`) is laid out from the reference's facts about 0.6 and committed;
every test runs the real CLI on it.
"""

from __future__ import annotations

import json

import yaml
from migrate_support import (
    FINDINGS_06,
    FOLDERS,
    REGISTRY_OF,
    Project06,
    invoke,
    lint_content,
    migrated,
    snapshot,
)
from project06 import SCHEMAS_06


def test_lint_on_a_06_project_points_to_migrate(project06: Project06) -> None:
    result = invoke(project06.root, "lint")
    assert result.exit_code == 2
    assert "reflekt migrate" in result.stderr


def test_an_unknown_registry_without_a_terminal_is_a_usage_error_naming_the_folders(
    project06: Project06,
) -> None:
    before = snapshot(project06.root)
    result = invoke(project06.root, "migrate")
    assert result.exit_code == 2
    assert "ecommerce, marketing" in result.stderr  # main and staging are Avo branches
    assert "--registry segment" in result.stderr and "--folder ecommerce=segment" in result.stderr
    assert snapshot(project06.root) == before


def test_dry_run_lists_every_move_and_edit_and_writes_nothing(project06: Project06) -> None:
    before = snapshot(project06.root)
    result = invoke(project06.root, "migrate", "--dry-run", *FOLDERS)
    assert result.exit_code == 0, result.output
    for path in SCHEMAS_06:
        plan = path.split("/")[0]
        moved = f"schemas/{path}.json -> schemas/{REGISTRY_OF[plan]}/{path}.json"
        assert f"would move  {moved}" in result.stdout
    assert "schemas/.reflekt/meta/1-0.json -> schemas/.reflekt/event-meta/1-0.json" in result.stdout
    assert "would edit  reflekt_project.yml" in result.stdout
    assert "would edit  reflekt_profiles.yml" in result.stdout
    assert "self.metadata -> metadata" in result.stdout
    assert "nothing was written" in result.stdout
    assert snapshot(project06.root) == before
    assert project06.git("status", "--porcelain") == ""


def test_migrate_moves_converts_and_keeps_every_schemas_content(project06: Project06) -> None:
    root = project06.root
    package_before = {
        p: (root / p).read_bytes() for p in ("artifacts/dbt/shop_06/models/stg_old.sql",)
    }
    out = migrated(project06)
    assert "8 file(s) moved" in out and "1 setting(s) with no equivalent" in out
    assert "do_not_track" in out  # reported as a setting with no equivalent

    for path, old in SCHEMAS_06.items():
        new_rel = f"{REGISTRY_OF[path.split('/')[0]]}/{path}.json"
        assert not (root / "schemas" / f"{path}.json").exists()
        text = (root / "schemas" / new_rel).read_text(encoding="utf-8")
        body = json.loads(text)
        # The content is the 0.6 file's: only where keys live changed.
        expected = json.loads(json.dumps(old))
        block = expected["self"]
        for key in ("metadata", "tests", "metrics"):
            if key in block:
                expected[key] = block.pop(key)
        block.pop("lint", None)
        for prop in expected["properties"].values():
            prop.pop("lint", None)
        expected["$id"] = new_rel
        assert body == expected
        assert text.startswith('{\n    "$schema"')  # 0.6's own indentation is kept
    hostile = json.loads((root / "schemas/segment/marketing/Promo_Clicked/1-0.json").read_text())
    assert hostile["description"] == SCHEMAS_06["marketing/Promo_Clicked/1-0"]["description"]

    meta = json.loads((root / "schemas/.reflekt/event-meta/1-0.json").read_text())
    assert not (root / "schemas/.reflekt/meta").exists()
    assert meta["properties"]["metadata"]["required"] == ["code_owner"]
    assert "metadata" in meta["required"]
    assert set(meta["properties"]["self"]["properties"]) == {"vendor", "name", "format", "version"}

    config = yaml.safe_load((root / "reflekt_project.yml").read_text())
    ignores = config["lint"]["ignore"]
    assert {"select": "segment/ecommerce/Cart_Viewed/1-1", "property": "legacyID"}.items() <= (
        ignores[0].items()
    )
    assert ignores[1]["select"] == "segment/ecommerce/legacy_checkout_v2/1-0"
    assert "event-casing" in ignores[1]["rules"]
    assert "# relative, as 0.6 projects often had it" in (root / "reflekt_project.yml").read_text()
    profiles = (root / "reflekt_profiles.yml").read_text()
    assert "do_not_track" not in profiles and "api_token" in profiles
    for rel, data in package_before.items():  # the 0.6 dbt package is left alone
        assert (root / rel).read_bytes() == data


def test_lint_findings_agree_with_06s_on_the_content(project06: Project06) -> None:
    migrated(project06)
    assert lint_content(project06.root) == FINDINGS_06


def test_the_lint_switches_are_real_ones(project06: Project06) -> None:
    """Without the `lint.ignore` entries the findings 0.6 hid come back: the entries switch
    exactly those off."""
    migrated(project06)
    config = project06.root / "reflekt_project.yml"
    text = config.read_text()
    config.write_text(text[: text.index("# reflekt migrate:")])
    found = lint_content(project06.root) - FINDINGS_06
    assert ("ecommerce/Cart_Viewed/1-1", "property-casing", "legacyID") in found
    assert ("ecommerce/legacy_checkout_v2/1-0", "event-casing", None) in found
    assert all(
        key[0] in ("ecommerce/Cart_Viewed/1-1", "ecommerce/legacy_checkout_v2/1-0") for key in found
    ), found


def test_an_unknown_rule_in_lint_ignore_is_a_configuration_error(project06: Project06) -> None:
    migrated(project06)
    config = project06.root / "reflekt_project.yml"
    config.write_text(config.read_text().replace("event-reserved", "event-reservd"))
    result = invoke(project06.root, "lint")
    assert result.exit_code == 2
    assert "lint.ignore: unknown rule 'event-reservd'" in result.stderr


def test_diff_against_the_pre_migration_commit_reports_no_change(project06: Project06) -> None:
    migrated(project06)
    result = invoke(
        project06.root, "diff", "--against", f"git:{project06.pre_commit}", "--fail-on", "any"
    )
    assert result.exit_code == 0, result.output
    assert "6 unchanged" in result.stdout and "reflekt 0.6 layout" in result.stdout
    assert "removed" not in result.stdout and "new event" not in result.stdout
    # and a real change is still seen through the migrated base
    path = project06.root / "schemas/segment/ecommerce/Cart_Viewed/1-1.json"
    body = json.loads(path.read_text())
    del body["properties"]["cart_id"]
    body["required"] = []
    path.write_text(json.dumps(body, indent=4) + "\n")
    changed = invoke(project06.root, "diff", "--against", f"git:{project06.pre_commit}")
    assert changed.exit_code == 1, changed.output
    assert "cart_id" in changed.stdout


def test_a_second_run_has_nothing_to_do(project06: Project06) -> None:
    migrated(project06)
    after = snapshot(project06.root)
    status = project06.git("status", "--porcelain")
    again = invoke(project06.root, "migrate", *FOLDERS)
    assert again.exit_code == 0, again.output
    assert "Nothing to migrate" in again.stdout
    assert snapshot(project06.root) == after
    assert project06.git("status", "--porcelain") == status


def test_moves_are_staged_as_git_mv_stages_them_and_history_follows(project06: Project06) -> None:
    migrated(project06)
    assert project06.git("rev-parse", "HEAD").strip() == project06.pre_commit  # no commit
    staged = project06.git("diff", "--cached", "--name-status", "-M").splitlines()
    renames = {line.split("\t")[1]: line.split("\t")[2] for line in staged if line[0] == "R"}
    for path in SCHEMAS_06:
        old = f"schemas/{path}.json"
        assert renames[old] == f"schemas/{REGISTRY_OF[path.split('/')[0]]}/{path}.json"
    project06.git("commit", "-q", "-m", "migrate")
    history = project06.git(
        "log", "--follow", "--format=%H", "--", "schemas/segment/ecommerce/Cart_Viewed/1-0.json"
    ).split()
    assert project06.pre_commit in history and len(history) == 2
