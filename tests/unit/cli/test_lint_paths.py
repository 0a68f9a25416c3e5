"""`reflekt lint FILE...`: the paths pre-commit passes, non-schema files skipped silently."""

from __future__ import annotations

import json

from click.testing import CliRunner

from reflekt.cli import cli

PROPS = {"cart_id": {"type": "string", "description": "The cart."}}


def _lint(project, *args: str):
    return CliRunner().invoke(
        cli, ["lint", *args, "--format", "json", "--project-dir", str(project.root)]
    )


def _linted(result) -> tuple[int, list[str]]:
    """(schemas linted, files with findings)."""
    data = json.loads(result.stdout)
    return data["summary"]["schemas"], sorted({f["file"] for f in data["findings"]})


def _project(make_project):
    project = make_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS, description="An event.")
    project.add_schema("segment/shop/Order_Completed/1-0", PROPS, description="")  # an error
    (project.root / "README.md").write_text("# shop\n", encoding="utf-8")
    return project


def test_only_the_schema_files_passed_are_linted(make_project):
    project = _project(make_project)
    root = project.root
    good = root / "schemas/segment/shop/Cart_Viewed/1-0.json"
    bad = root / "schemas/segment/shop/Order_Completed/1-0.json"
    others = [
        root / "README.md",
        root / "reflekt_project.yml",
        root / "schemas/.reflekt/event-meta/1-0.json",
    ]

    clean = _lint(project, str(good), *map(str, others))
    assert clean.exit_code == 0, clean.output
    assert _linted(clean) == (1, [])

    failing = _lint(project, str(bad), str(good))
    assert failing.exit_code == 1, failing.output
    assert _linted(failing) == (2, ["schemas/segment/shop/Order_Completed/1-0.json"])


def test_no_schema_among_the_files_lints_nothing_not_everything(make_project):
    project = _project(make_project)
    result = _lint(project, str(project.root / "README.md"))
    assert result.exit_code == 0, result.output  # the bad schema was not passed
    assert _linted(result) == (0, [])


def test_paths_relative_to_the_working_directory(make_project, monkeypatch):
    project = _project(make_project)
    monkeypatch.chdir(project.root)
    result = _lint(project, "schemas/segment/shop/Order_Completed/1-0.json", "README.md")
    assert result.exit_code == 1, result.output
    assert _linted(result) == (1, ["schemas/segment/shop/Order_Completed/1-0.json"])


def test_a_missing_file_is_an_error(make_project):
    project = _project(make_project)
    result = _lint(project, str(project.root / "schemas/segment/shop/Gone/1-0.json"))
    assert result.exit_code == 2, result.output
    assert "Gone/1-0.json: no such file" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_files_and_select_add_up(make_project):
    project = _project(make_project)
    result = _lint(
        project,
        str(project.root / "schemas/segment/shop/Cart_Viewed/1-0.json"),
        "--select",
        "segment/shop/Order_Completed",
    )
    assert result.exit_code == 1, result.output
    assert _linted(result) == (2, ["schemas/segment/shop/Order_Completed/1-0.json"])


def test_a_folder_under_schemas_lints_its_schemas(make_project):
    project = _project(make_project)
    result = _lint(project, str(project.root / "schemas/segment/shop/Cart_Viewed"))
    assert result.exit_code == 0, result.output
    assert _linted(result) == (1, [])
