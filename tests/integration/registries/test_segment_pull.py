"""Segment pull through the real client, over the wire, against the local fake server."""

from __future__ import annotations

import json

from click.testing import CliRunner
from registry_fakes import SEGMENT_TOKEN, track_rule

from reflekt.cli import cli
from reflekt.core.profiles import load_profile
from reflekt.core.project import load_project
from reflekt.core.registries import RetryPolicy, pull


def _invoke(project, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)])


def _snapshot(root):
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "schemas").rglob("*.json")
    }


def test_pull_reads_every_page_of_a_2500_rule_plan(segment, segment_project):
    rules = [track_rule(f"Event {i:04d}") for i in range(2500)]
    segment.add_plan("big", rules)
    project = segment_project()

    result = _invoke(project, "pull", "--select", "segment/big")

    assert result.exit_code == 0, result.output
    files = list((project.schemas_dir / "segment" / "big").glob("*/1-0.json"))
    assert len(files) == 2500
    assert "2500 created, 0 updated, 0 unchanged" in result.output
    pages = segment.calls("GET", "/rules")
    assert len(pages) == 13  # 200 per page, `next` absent on the last page


def test_pull_converts_a_track_rule(segment, segment_project):
    segment.add_plan(
        "ecommerce",
        [
            track_rule(
                "Cart Viewed",
                {
                    "cart_id": {"type": ["string"], "description": "The cart."},
                    "coupon": {"type": ["string", "null"], "description": "A coupon."},
                },
                required=["cart_id"],
                labels={"owner": "growth"},
                description="A user viewed the cart.",
            ),
            {"type": "COMMON", "version": 1, "jsonSchema": {"properties": {}}},
        ],
    )
    project = segment_project()

    result = _invoke(project, "pull", "--select", "segment/ecommerce/")

    assert result.exit_code == 0, result.output
    body = project.read_json("schemas/segment/ecommerce/Cart_Viewed/1-0.json")
    assert body["$id"] == "segment/ecommerce/Cart_Viewed/1-0.json"
    assert body["self"] == {
        "vendor": "com.example",
        "name": "Cart Viewed",
        "format": "jsonschema",
        "version": "1-0",
    }
    assert body["description"] == "A user viewed the cart."
    assert body["metadata"] == {"owner": "growth"}
    assert body["properties"]["cart_id"]["type"] == "string"  # single-element list collapsed
    assert body["properties"]["coupon"]["type"] == ["string", "null"]  # nullable list kept
    assert body["required"] == ["cart_id"]
    assert body["additionalProperties"] is False
    # COMMON rules are not local schemas.
    assert sorted(p.name for p in (project.schemas_dir / "segment/ecommerce").iterdir()) == [
        "Cart_Viewed"
    ]


def test_missing_description_and_identify_rule(segment, segment_project):
    identify = {
        "type": "IDENTIFY",
        "version": 2,
        "jsonSchema": {
            "properties": {
                "traits": {
                    "type": "object",
                    "properties": {"email": {"type": ["string"], "description": "Email."}},
                    "required": ["email"],
                }
            }
        },
    }
    segment.add_plan("app", [track_rule("Signed Up", description=None), identify])
    project = segment_project()

    result = _invoke(project, "pull", "--select", "segment/app")

    assert result.exit_code == 0, result.output
    assert project.read_json("schemas/segment/app/Signed_Up/1-0.json")["description"] == ""
    ident = project.read_json("schemas/segment/app/Identify/2-0.json")
    assert ident["self"]["name"] == "Identify"
    assert ident["properties"] == {"email": {"type": "string", "description": "Email."}}
    assert ident["required"] == ["email"]


def test_second_pull_changes_no_byte_and_reports_unchanged(segment, segment_project):
    segment.add_plan("ecommerce", [track_rule(f"Event {i}") for i in range(5)])
    project = segment_project()
    assert _invoke(project, "pull", "-s", "segment/ecommerce").exit_code == 0
    before = _snapshot(project.root)
    mtimes = {p: p.stat().st_mtime_ns for p in (project.schemas_dir).rglob("*.json")}

    result = _invoke(project, "pull", "-s", "segment/ecommerce")

    assert result.exit_code == 0
    assert "0 created, 0 updated, 5 unchanged" in result.output
    assert _snapshot(project.root) == before
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_pull_of_one_event_and_version(segment, segment_project):
    segment.add_plan(
        "ecommerce",
        [track_rule("Cart Viewed"), track_rule("Cart Viewed", version=2), track_rule("Other")],
    )
    project = segment_project()

    result = _invoke(project, "pull", "-s", "segment/ecommerce/Cart_Viewed/2-0")

    assert result.exit_code == 0, result.output
    files = sorted(
        p.relative_to(project.schemas_dir).as_posix() for p in project.schemas_dir.rglob("*.json")
    )
    assert [f for f in files if f.startswith("segment/")] == [
        "segment/ecommerce/Cart_Viewed/2-0.json"
    ]


def test_dry_run_writes_nothing(segment, segment_project):
    segment.add_plan("ecommerce", [track_rule("Cart Viewed")])
    project = segment_project()

    result = _invoke(project, "pull", "-s", "segment/ecommerce", "--dry-run")

    assert result.exit_code == 0
    assert "would create" in result.output and "Dry run" in result.output
    assert not (project.schemas_dir / "segment").exists()


def test_unknown_plan_is_a_registry_error(segment, segment_project):
    project = segment_project()
    result = _invoke(project, "pull", "-s", "segment/nope")
    assert result.exit_code == 3
    assert "no tracking plan named 'nope'" in result.output


def test_401_is_clear_and_never_shows_the_token(segment, segment_project):
    segment.add_plan("ecommerce", [track_rule("Cart Viewed")])
    bad_token = "sgmt-wrong-token-bd71c"
    project = segment_project(token=bad_token)

    result = _invoke(project, "pull", "-s", "segment/ecommerce", "--verbose")

    assert result.exit_code == 3
    assert "rejected the credentials of profile 'dev'" in result.output
    assert "HTTP 401" in result.output
    assert bad_token not in result.output
    logs = "".join(p.read_text() for p in (project.root / ".logs").glob("*.log"))
    assert bad_token not in logs and "HTTP 401" in logs


def test_network_failure_half_way_changes_no_local_file(segment, segment_project):
    segment.add_plan("big", [track_rule(f"Event {i:04d}") for i in range(1000)])
    project = segment_project()
    # An earlier pull of part of the plan, edited by hand since.
    assert _invoke(project, "pull", "-s", "segment/big/Event_0001").exit_code == 0
    edited = project.schemas_dir / "segment/big/Event_0001/1-0.json"
    edited.write_text(edited.read_text().replace("An event.", "Edited."))
    before = _snapshot(project.root)
    # 1 call to list plans, 2 pages of rules, then the connection drops for good.
    segment.fail_next("close", count=50, after=3)

    result = _invoke(project, "pull", "-s", "segment/big")

    assert result.exit_code == 3
    assert "cannot reach the Segment registry" in result.output
    assert _snapshot(project.root) == before
    assert not list(project.schemas_dir.rglob("*.tmp"))


def test_503_and_429_are_retried(segment, segment_project):
    segment.add_plan("ecommerce", [track_rule(f"Event {i}") for i in range(450)])
    project = segment_project()
    segment.fail_next("503", count=2, after=2)
    segment.fail_next("429", count=1, retry_after=7)

    result = _invoke(project, "pull", "-s", "segment/ecommerce", "--verbose")

    assert result.exit_code == 0, result.output
    assert len(list((project.schemas_dir / "segment/ecommerce").iterdir())) == 450
    statuses = [r.status for r in segment.requests]
    assert statuses.count(503) == 2 and statuses.count(429) == 1
    assert "-> 503" in result.output  # --verbose logs method, URL, status, timing
    assert "GET http://127.0.0.1" in result.output


def test_exhausted_retries_is_a_registry_error(segment, segment_project):
    segment.add_plan("ecommerce", [track_rule("Cart Viewed")])
    project = segment_project()
    segment.fail_next("503", count=100)

    result = _invoke(project, "pull", "-s", "segment/ecommerce")

    assert result.exit_code == 3
    assert "still answers HTTP 503 after 5 attempts" in result.output


def test_core_pull_with_an_explicit_retry_policy(segment, segment_project):
    segment.add_plan("ecommerce", [track_rule("Cart Viewed")])
    project_dir = segment_project().root
    project = load_project(project_dir)
    profile = load_profile(project)
    segment.fail_next("429", count=2, retry_after=30)
    seen = []

    result = pull(
        project,
        profile,
        "segment/ecommerce",
        progress=lambda done, total, message: seen.append((done, total, message)),
        policy=RetryPolicy(attempts=3, max_wait=0),
    )

    assert result.created == ("segment/ecommerce/Cart_Viewed/1-0.json",)
    assert (1, 1, "reading rules") in seen
    body = json.loads((project.schemas_dir / result.created[0]).read_text())
    assert body["self"]["name"] == "Cart Viewed"


def test_token_from_env_var_and_request_headers(segment, make_project, monkeypatch):
    monkeypatch.setenv("SEGMENT_TOKEN", SEGMENT_TOKEN)
    segment.add_plan("ecommerce", [track_rule("Cart Viewed")])
    project = make_project()
    project.write_profiles(
        "version: 1.0\ndev:\n  registry:\n    - type: segment\n"
        "      api_token: \"{{ env_var('SEGMENT_TOKEN') }}\"\n"
        f"      api_url: {segment.url}\n"
    )

    result = _invoke(project, "pull", "-s", "segment/ecommerce")

    assert result.exit_code == 0, result.output
    first = segment.requests[0]
    assert first.headers["authorization"] == f"Bearer {SEGMENT_TOKEN}"
    assert ("pagination.count", "200") in first.query


def test_select_errors_are_usage_errors(segment, segment_project):
    segment.add_plan("ecommerce", [track_rule("Cart Viewed")])
    project = segment_project()

    no_plan = _invoke(project, "pull", "-s", "segment")
    assert no_plan.exit_code == 2 and "names no tracking plan" in no_plan.output

    no_registry = _invoke(project, "pull", "-s", "ecommerce/Cart_Viewed")
    assert no_registry.exit_code == 2 and "must start with a registry" in no_registry.output

    bad_version = _invoke(project, "pull", "-s", "segment/ecommerce/Cart_Viewed/1-0-0")
    assert bad_version.exit_code == 2 and "is not a version" in bad_version.output

    unknown_event = _invoke(project, "pull", "-s", "segment/ecommerce/Nope")
    assert (
        unknown_event.exit_code == 2
        and "no event 'Nope' in segment/ecommerce" in unknown_event.output
    )

    no_registry_in_profile = _invoke(project, "pull", "-s", "avo/main")
    assert no_registry_in_profile.exit_code == 2
    assert "has no avo registry" in no_registry_in_profile.output


def test_a_dropped_connection_is_retried(segment, segment_project):
    segment.add_plan("ecommerce", [track_rule(f"Event {i}") for i in range(300)])
    project = segment_project()
    segment.fail_next("close", count=1, after=2)  # the second page of rules

    result = _invoke(project, "pull", "-s", "segment/ecommerce")

    assert result.exit_code == 0, result.output
    assert "300 created" in result.output
    assert [r.status for r in segment.calls("GET", "/rules")] == [200, -1, 200]
