"""Segment rule types (TRACK, PAGE, SCREEN, IDENTIFY, GROUP) survive a pull -> push round trip."""

from __future__ import annotations

import json

from click.testing import CliRunner
from registry_fakes import track_rule

from reflekt.cli import cli


def _invoke(project, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)])


def _rule(kind: str, key: str | None, *, version: int = 1, field: str = "title") -> dict:
    """A non-TRACK rule as Segment returns it (traits for IDENTIFY/GROUP)."""
    section = {
        "type": "object",
        "properties": {field: {"type": ["string"], "description": f"The {field}."}},
        "required": [field],
        "additionalProperties": False,
    }
    traits = kind in ("IDENTIFY", "GROUP")
    rule = {
        "type": kind,
        "version": version,
        "jsonSchema": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "labels": {"owner": "web"},
            "description": f"A {kind.lower()} call.",
            "properties": {
                "context": {},
                "traits": section if traits else {},
                "properties": {} if traits else section,
            },
        },
    }
    if key:
        rule["key"] = key
    return rule


PLAN_RULES = [
    track_rule("Cart Viewed"),
    track_rule("Page", description="A TRACK event that happens to be called Page."),
    _rule("PAGE", None),
    _rule("PAGE", "Checkout"),
    _rule("SCREEN", None),
    _rule("SCREEN", "Settings"),
    _rule("IDENTIFY", None, field="email"),
    _rule("IDENTIFY", "Admin Identify", field="email"),
    _rule("GROUP", None, field="plan"),
    _rule("GROUP", "Team", field="plan"),
    {"type": "COMMON", "version": 1, "jsonSchema": {"properties": {"context": {}}}},
]


def _identities(rules) -> list[tuple[str, str, int]]:
    return sorted((r["type"], r.get("key") or "", r["version"]) for r in rules)


def _files(project) -> dict[str, bytes]:
    root = project.schemas_dir
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("segment/**/*.json")}


def test_every_rule_type_round_trips(segment, segment_project):
    segment.add_plan("shop", PLAN_RULES)
    project = segment_project()

    pulled = _invoke(project, "pull", "-s", "segment/shop")
    assert pulled.exit_code == 0, pulled.output
    files = _files(project)
    assert sorted(files) == [
        "segment/shop/Admin_Identify/1-0.json",
        "segment/shop/Cart_Viewed/1-0.json",
        "segment/shop/Checkout/1-0.json",
        "segment/shop/Group/1-0.json",
        "segment/shop/Identify/1-0.json",
        "segment/shop/Page/1-0.json",  # the keyless PAGE rule keeps its folder; noted below
        "segment/shop/Screen/1-0.json",
        "segment/shop/Settings/1-0.json",
        "segment/shop/Team/1-0.json",
    ]
    assert (
        "note: not pulled: the TRACK rule 'Page' (version 1), because the PAGE rule 'Page' "
        "(version 1) uses the same file schemas/segment/shop/Page/1-0.json" in pulled.output
    )

    def metadata(path: str) -> dict:
        return json.loads(files[path])["metadata"]

    # The name says the type for keyless rules and ordinary TRACK events: no marker (seed format).
    assert metadata("segment/shop/Identify/1-0.json") == {"owner": "web"}
    assert metadata("segment/shop/Cart_Viewed/1-0.json") == {}
    # Elsewhere the marker keeps the type.
    assert metadata("segment/shop/Checkout/1-0.json")["segment_rule_type"] == "PAGE"
    assert metadata("segment/shop/Settings/1-0.json")["segment_rule_type"] == "SCREEN"
    assert metadata("segment/shop/Admin_Identify/1-0.json")["segment_rule_type"] == "IDENTIFY"
    assert metadata("segment/shop/Team/1-0.json")["segment_rule_type"] == "GROUP"
    assert metadata("segment/shop/Page/1-0.json") == {"owner": "web"}

    # Pushing what was just pulled changes nothing (types and keys are the plan's own).
    again = _invoke(project, "push", "-s", "segment/shop")
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 9 unchanged" in again.output
    assert segment.calls("PATCH") == []

    # Push into an empty plan, then compare what Segment holds with the original plan.
    plan = segment.plan_named("shop")
    assert plan is not None
    original = [r for r in plan.rules if r["type"] != "COMMON"]
    plan.rules = [r for r in plan.rules if r["type"] == "COMMON"]
    pushed = _invoke(project, "push", "-s", "segment/shop")
    assert pushed.exit_code == 0, pushed.output
    assert "9 created" in pushed.output
    expected = [r for r in original if not (r["type"] == "TRACK" and r.get("key") == "Page")]
    assert _identities(r for r in plan.rules if r["type"] != "COMMON") == _identities(expected)
    checkout = next(r for r in plan.rules if r.get("key") == "Checkout")
    assert checkout["type"] == "PAGE"
    assert checkout["jsonSchema"]["labels"] == {"owner": "web"}  # the marker is not a label
    team = next(r for r in plan.rules if r.get("key") == "Team")
    assert team["jsonSchema"]["properties"]["traits"]["required"] == ["plan"]

    # And pulling it back gives the same bytes.
    for path in project.schemas_dir.glob("segment/shop/*/*.json"):
        path.unlink()
    back = _invoke(project, "pull", "-s", "segment/shop")
    assert back.exit_code == 0, back.output
    assert _files(project) == files


def test_a_track_event_named_like_a_call_keeps_its_type(segment, segment_project):
    segment.add_plan("shop", [track_rule("Screen", description="Not a screen() call.")])
    project = segment_project()

    assert _invoke(project, "pull", "-s", "segment/shop").exit_code == 0
    body = json.loads((project.schemas_dir / "segment/shop/Screen/1-0.json").read_text())
    assert body["metadata"] == {"segment_rule_type": "TRACK"}
    segment.plan_named("shop").rules = []
    pushed = _invoke(project, "push", "-s", "segment/shop")
    assert pushed.exit_code == 0, pushed.output
    assert _identities(segment.plan_named("shop").rules) == [("TRACK", "Screen", 1)]


def test_a_new_local_page_schema_is_pushed_as_page(segment, segment_project):
    project = segment_project()
    project.add_schema(
        "segment/web/Pricing/1-0",
        {"plan": {"type": "string", "description": "Plan shown."}},
        metadata={"segment_rule_type": "page"},
    )
    project.add_schema("segment/web/Screen/1-0", {})

    result = _invoke(project, "push", "-s", "segment/web")

    assert result.exit_code == 0, result.output
    assert "Pricing (PAGE)@1" in result.output
    plan = segment.plan_named("web")
    assert plan is not None
    assert _identities(plan.rules) == [("PAGE", "Pricing", 1), ("SCREEN", "", 1)]

    deleted = _invoke(project, "push", "-s", "segment/web/Pricing", "--delete", "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert "Deleted: segment/web: 1 deleted." in deleted.output
    assert _identities(plan.rules) == [("SCREEN", "", 1)]


def test_an_unknown_rule_type_marker_is_a_clear_error(segment, segment_project):
    project = segment_project()
    project.add_schema(
        "segment/web/Pricing/1-0",
        {"plan": {"type": "string", "description": "Plan shown."}},
        metadata={"segment_rule_type": "PAGEVIEW"},
    )

    result = _invoke(project, "push", "-s", "segment/web")

    assert result.exit_code == 2, result.output
    assert "segment_rule_type is 'PAGEVIEW'" in result.output
    assert "TRACK, IDENTIFY, GROUP, PAGE, SCREEN" in result.output
    assert "Traceback" not in result.output
    assert segment.plan_named("web") is None


def test_a_pulled_rule_at_version_two_is_pushed_once_lint_says_what_is_wrong(
    segment, segment_project
):
    """Segment plans often hold only version 2 of a rule: the refusal names the lint error."""
    segment.add_plan("shop", [track_rule("Cart Viewed", version=2)])
    project = segment_project()
    assert _invoke(project, "pull", "-s", "segment/shop").exit_code == 0

    refused = _invoke(project, "push", "-s", "segment/shop")

    assert refused.exit_code == 1
    assert "push refused: 1 lint error(s) in the selection:" in refused.output
    assert "schemas/segment/shop/Cart_Viewed/2-0.json:1: RF204" in refused.output
    assert "Traceback" not in refused.output
