"""Avo pull through the CLI against the local Avo export fake."""

from __future__ import annotations

from click.testing import CliRunner

from reflekt.cli import cli


def _invoke(project, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)])


def _event(name: str, properties: dict, required: list[str], **extra) -> dict:
    return {
        "id": "C3XnUJ3kRq",
        "name": name,
        "description": f"When {name} happens",
        "triggers": [],
        "tags": [],
        "categories": [],
        "actions": ["page"],
        "sources": [{"id": "Z8siDew5I", "name": "Website", "implementWithCodegen": True}],
        "rules": {
            "$schema": "http://json-schema.org/draft-06/schema#",
            "type": "object",
            "required": ["properties", "nameMapping"],
            "nameMapping": [],
            "properties": {
                "properties": {
                    "type": "object",
                    "properties": properties,
                    "additionalProperties": False,
                    "required": required,
                }
            },
        },
        **extra,
    }


def _prop(index: int, **schema) -> dict:
    return {
        "id": f"P{index}",
        "index": index,
        "nameMapping": [{"name": "x", "destinationId": "all"}],
        "isSystemProperty": False,
        **schema,
    }


PAYLOAD = {
    "name": "Exported Tracking Plan: main",
    "metrics": {},
    "sources": {},
    "destinations": {},
    "propertyGroups": {},
    "categories": {"ujPLZEoj9": {"id": "ujPLZEoj9", "name": "Browsing", "description": ""}},
    "events": [
        _event(
            "page_viewed",
            {
                "page_title": _prop(0, description="Title of the web page", type="string"),
                "referrer": _prop(1, description="Referrer", type=["string", "null"]),
                "page_kind": _prop(2, description="Kind", type="string", enum=["home", "product"]),
                "tags": _prop(3, description="Tags", type="array", items={"type": "string"}),
                "code": _prop(4, description="Code", type="string", pattern="^[A-Z]{3}$"),
                "viewport": _prop(
                    5,
                    description="Viewport",
                    type="object",
                    properties={"width": _prop(6, description="Width", type=["integer"])},
                ),
            },
            ["page_title"],
            tags=["Tier 3 - UI", "owner: web"],
            categories=["ujPLZEoj9"],
        ),
        _event(
            "checkout_started",
            {"total": _prop(0, description="Total", type="number")},
            [],
            eventType="variant",
            variantName="Mobile",
        ),
    ],
}


def test_avo_pull_converts_events(avo, avo_project):
    avo.set_branch("main", PAYLOAD)
    project = avo_project()

    result = _invoke(project, "pull", "--select", "avo/main")

    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    body = project.read_json("schemas/avo/main/page_viewed/1-0.json")
    assert body["$id"] == "avo/main/page_viewed/1-0.json"
    assert body["self"]["version"] == "1-0"
    assert body["description"] == "When page_viewed happens"
    assert body["metadata"] == {"tags": ["Tier 3 - UI", "owner: web"], "categories": ["Browsing"]}
    props = body["properties"]
    assert props["page_title"] == {"type": "string", "description": "Title of the web page"}
    assert props["referrer"]["type"] == ["string", "null"]
    assert props["page_kind"]["enum"] == ["home", "product"]
    assert props["tags"]["items"] == {"type": "string"}
    assert props["code"]["pattern"] == "^[A-Z]{3}$"
    assert props["viewport"]["properties"] == {"width": {"type": "integer", "description": "Width"}}
    assert body["required"] == ["page_title"]
    assert body["additionalProperties"] is False
    variant = project.read_json("schemas/avo/main/checkout_started_-_Mobile/1-0.json")
    assert variant["self"]["name"] == "checkout_started - Mobile"
    request = avo.requests[0]
    assert request.path == "/workspaces/ws123/branches/main/export/v1"
    assert request.headers["authorization"].startswith("Basic ")


def test_avo_named_branch_maps_to_its_id(avo, avo_project):
    avo.set_branch("BrAnCh42", PAYLOAD)
    project = avo_project(branches={"staging": "BrAnCh42"})

    result = _invoke(project, "pull", "-s", "avo/staging")

    assert result.exit_code == 0, result.output
    assert (project.schemas_dir / "avo/staging/page_viewed/1-0.json").is_file()
    again = _invoke(project, "pull", "-s", "avo/staging")
    assert "0 created, 0 updated, 2 unchanged" in again.output


def test_avo_unknown_branch_and_bad_secret(avo, avo_project):
    avo.set_branch("main", PAYLOAD)
    project = avo_project()
    unknown = _invoke(project, "pull", "-s", "avo/feature")
    assert unknown.exit_code == 2
    assert "unknown Avo branch 'feature'" in unknown.output

    bad = avo_project(secret="wrong-avo-secret-99")
    denied = _invoke(bad, "pull", "-s", "avo/main")
    assert denied.exit_code == 3
    assert "rejected the credentials" in denied.output
    assert "wrong-avo-secret-99" not in denied.output


def test_avo_branch_missing_on_the_server_is_404(avo, avo_project):
    project = avo_project(branches={"gone": "NoSuchBranch"})
    result = _invoke(project, "pull", "-s", "avo/gone")
    assert result.exit_code == 3
    assert "not found (HTTP 404)" in result.output
    assert "Branch not found" in result.output


def _with_traits(event: dict, key: str, properties: dict, required: list[str]) -> dict:
    event["rules"]["properties"][key] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "required": required,
    }
    return event


def test_avo_user_and_group_properties_become_identify_and_group(avo, avo_project):
    signed_up = _with_traits(
        _event("signed_up", {}, []),
        "userProperties",
        {
            "email": _prop(0, description="Email", type="string"),
            "plan": _prop(1, description="Plan", type=["string", "null"]),
        },
        ["email", "plan"],
    )
    logged_in = _with_traits(
        _event("logged_in", {}, []),
        "userProperties",
        {"email": _prop(0, description="Email again", type="string")},
        [],
    )
    _with_traits(
        logged_in,
        "groupProperties",
        {"team_name": _prop(0, description="Team", type="string")},
        ["team_name"],
    )
    avo.set_branch("main", {**PAYLOAD, "events": [signed_up, logged_in]})
    project = avo_project()

    result = _invoke(project, "pull", "-s", "avo/main")

    assert result.exit_code == 0, result.output
    assert "4 created" in result.output
    identify = project.read_json("schemas/avo/main/Identify/1-0.json")
    assert identify["self"]["name"] == "Identify"
    assert identify["properties"] == {
        "email": {"type": "string", "description": "Email again"},  # logged_in sorts first
        "plan": {"type": ["string", "null"], "description": "Plan"},
    }
    assert identify["required"] == []  # logged_in requires neither
    assert identify["metadata"] == {"avo_events": ["logged_in", "signed_up"]}
    group = project.read_json("schemas/avo/main/Group/1-0.json")
    assert group["required"] == ["team_name"] and group["additionalProperties"] is False
    # The events keep only their own properties.
    assert project.read_json("schemas/avo/main/signed_up/1-0.json")["properties"] == {}
    lint = _invoke(project, "lint", "-s", "avo/main/Identify")
    assert lint.exit_code == 0, lint.output
    again = _invoke(project, "pull", "-s", "avo/main")
    assert "0 created, 0 updated, 4 unchanged" in again.output


def test_an_avo_event_named_identify_keeps_its_file(avo, avo_project):
    own = _event("Identify", {"source": _prop(0, description="Source", type="string")}, [])
    traits = _with_traits(
        _event("signed_up", {}, []),
        "userProperties",
        {"email": _prop(0, description="Email", type="string")},
        [],
    )
    avo.set_branch("main", {**PAYLOAD, "events": [own, traits]})
    project = avo_project()

    result = _invoke(project, "pull", "-s", "avo/main")

    assert result.exit_code == 0, result.output
    body = project.read_json("schemas/avo/main/Identify/1-0.json")
    assert list(body["properties"]) == ["source"]
    assert (
        "note: not pulled: the user properties of 1 Avo event(s), because the Avo event "
        "'Identify' "
        "uses the same file schemas/avo/main/Identify/1-0.json" in result.output
    )
