"""Segment push through the CLI and the real client, against the local fake server."""

from __future__ import annotations

import shutil

from click.testing import CliRunner
from registry_fakes import track_rule

from reflekt.cli import cli

PROPS = {
    "cart_id": {"type": "string", "description": "The cart."},
    "coupon": {"type": ["string", "null"], "description": "A coupon."},
}


def _invoke(project, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)], input=input)


def _snapshot(root):
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "schemas").rglob("*.json")
    }


def letters(i: int) -> str:
    """0 -> "Aaa", 1 -> "Aab": event names without digits (the lint conventions forbid them)."""
    out = ""
    for _ in range(3):
        i, rest = divmod(i, 26)
        out = chr(ord("a") + rest) + out
    return out.capitalize()


def _add_events(project, count: int, plan: str = "ecommerce") -> None:
    for i in range(count):
        project.add_schema(
            f"segment/{plan}/Event_{letters(i)}/1-0", PROPS, required=["cart_id"], metadata={}
        )


def test_push_creates_the_plan_and_round_trips(segment, segment_project):
    project = segment_project()
    _add_events(project, 3)
    project.add_schema(
        "segment/ecommerce/Identify/1-0",
        {"email": {"type": "string", "description": "Email."}},
        required=["email"],
        description="Who the user is.",
    )
    before = _snapshot(project.root)

    pushed = _invoke(project, "push", "-s", "segment/ecommerce")

    assert pushed.exit_code == 0, pushed.output
    assert "4 created, 0 updated, 0 unchanged" in pushed.output
    plan = segment.plan_named("ecommerce")
    assert plan is not None and plan.type == "LIVE"
    kinds = sorted((r["type"], r.get("key", "")) for r in plan.rules)
    assert kinds[0] == ("IDENTIFY", "") and len(kinds) == 4
    track = next(r for r in plan.rules if r.get("key") == "Event Aaa")
    assert track["version"] == 1
    assert track["jsonSchema"]["properties"]["properties"]["required"] == ["cart_id"]

    # Pull the same selection back into a fresh project: identical files.
    for path in project.schemas_dir.glob("segment/ecommerce/*/*.json"):
        path.unlink()
    pulled = _invoke(project, "pull", "-s", "segment/ecommerce")
    assert pulled.exit_code == 0, pulled.output
    assert _snapshot(project.root) == before

    again = _invoke(project, "push", "-s", "segment/ecommerce")
    assert "0 created, 0 updated, 4 unchanged" in again.output
    assert len(segment.calls("PATCH")) == 1  # nothing sent the second time


def test_highest_minor_is_pushed_and_pulled_back_into_it(segment, segment_project):
    project = segment_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)
    newer = dict(PROPS, items={"type": "integer", "description": "Items."})
    project.add_schema("segment/shop/Cart_Viewed/1-1", newer)
    before = _snapshot(project.root)

    result = _invoke(project, "push", "-s", "segment/shop")

    assert result.exit_code == 0, result.output
    assert "Cart_Viewed: 1-0, 1-1 -> pushed 1-1 as version 1" in result.output
    [rule] = segment.plan_named("shop").rules
    assert rule["version"] == 1
    assert "items" in rule["jsonSchema"]["properties"]["properties"]["properties"]
    pulled = _invoke(project, "pull", "-s", "segment/shop")
    assert "0 created, 0 updated, 1 unchanged" in pulled.output
    assert _snapshot(project.root) == before


def test_push_of_700_rules_uses_patch_batches_of_200(segment, segment_project):
    project = segment_project()
    _add_events(project, 700)
    segment.add_plan("ecommerce", [track_rule(f"Old {i}") for i in range(250)])

    result = _invoke(project, "push", "-s", "segment/ecommerce")

    assert result.exit_code == 0, result.output
    patches = segment.calls("PATCH")
    assert [len(r.body["rules"]) for r in patches] == [200, 200, 200, 100]
    assert not segment.calls("PUT")  # PUT is refused above 200 existing rules
    assert len(segment.plan_named("ecommerce").rules) == 950


def test_429_in_the_middle_of_a_push_is_retried_without_loss_or_duplicates(
    segment, segment_project
):
    project = segment_project()
    _add_events(project, 500)
    segment.add_plan("ecommerce")
    segment.fail_next("429", count=1, retry_after=3, methods=("PATCH",), after=1)

    result = _invoke(project, "push", "-s", "segment/ecommerce")

    assert result.exit_code == 0, result.output
    statuses = [r.status for r in segment.calls("PATCH")]
    assert statuses == [200, 429, 200, 200]
    keys = [r["key"] for r in segment.plan_named("ecommerce").rules]
    assert len(keys) == 500 and len(set(keys)) == 500


def test_lint_errors_refuse_the_push_unless_forced(segment, segment_project):
    project = segment_project()
    _add_events(project, 2)
    project.add_schema(
        "segment/ecommerce/Bad_Event/1-0",
        {"cart_id": {"type": "string"}},  # no description
    )

    refused = _invoke(project, "push", "-s", "segment/ecommerce")

    assert refused.exit_code == 1
    assert "push refused" in refused.output and "lint error" in refused.output
    assert segment.requests == []  # nothing sent at all

    forced = _invoke(project, "push", "-s", "segment/ecommerce", "--force")
    assert forced.exit_code == 0, forced.output
    assert "despite" in forced.output
    assert len(segment.plan_named("ecommerce").rules) == 3


def test_dry_run_shows_the_changes_and_sends_nothing(segment, segment_project):
    project = segment_project()
    project.add_schema("segment/ecommerce/Cart_Viewed/1-0", PROPS, required=["cart_id"])
    segment.add_plan("ecommerce", [track_rule("Cart Viewed")])

    result = _invoke(project, "push", "-s", "segment/ecommerce", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "would be updated" in result.output
    assert "optional property 'coupon' added" in result.output
    assert "property 'cart_id' is now required" in result.output
    assert not segment.calls("PATCH") and not segment.calls("POST")


def test_delete_needs_yes_without_a_terminal_then_deletes(segment, segment_project):
    project = segment_project()
    _add_events(project, 3)
    rules = [track_rule(f"Event {letters(i)}") for i in range(3)]
    common = {"type": "COMMON", "version": 1, "jsonSchema": {}}
    segment.add_plan("ecommerce", [*rules, track_rule("Keep Me"), common])

    refused = _invoke(project, "push", "-s", "segment/ecommerce/Event_Aab", "--delete")
    assert refused.exit_code == 2
    assert "--yes" in refused.output
    assert len(segment.plan_named("ecommerce").rules) == 5

    done = _invoke(project, "push", "-s", "segment/ecommerce", "--delete", "--yes")
    assert done.exit_code == 0, done.output
    assert "3 deleted" in done.output
    left = sorted((r["type"], r.get("key", "")) for r in segment.plan_named("ecommerce").rules)
    assert left == [("COMMON", ""), ("TRACK", "Keep Me")]


def test_push_to_avo_is_a_clear_error(segment_project):
    project = segment_project()
    project.add_schema("avo/main/Page_Viewed/1-0", PROPS)

    result = _invoke(project, "push", "-s", "avo/main")

    assert result.exit_code == 2
    assert "push to Avo is not supported" in result.output


def test_push_validation_error_shows_the_server_message(segment, segment_project):
    project = segment_project()
    _add_events(project, 1)
    segment.rules_per_request = 0  # the server now refuses any batch

    result = _invoke(project, "push", "-s", "segment/ecommerce")

    assert result.exit_code == 3
    assert "HTTP 422" in result.output
    assert "rules must contain less than or equal to 0 items" in " ".join(result.output.split())


def test_plan_creation_is_not_retried_on_503(segment, segment_project):
    project = segment_project()
    _add_events(project, 1)
    segment.fail_next("503", count=1, methods=("POST",))

    result = _invoke(project, "push", "-s", "segment/ecommerce", "--verbose")

    assert result.exit_code == 3
    assert "HTTP 503" in result.output
    assert len(segment.calls("POST")) == 1  # never sent twice: it could create two plans
    assert segment.plans == {}


def test_patch_is_retried_on_503_and_logged(segment, segment_project):
    project = segment_project()
    _add_events(project, 2)
    segment.add_plan("ecommerce")
    segment.fail_next("503", count=2, methods=("PATCH",))

    result = _invoke(project, "push", "-s", "segment/ecommerce", "--verbose")

    assert result.exit_code == 0, result.output
    assert [r.status for r in segment.calls("PATCH")] == [503, 503, 200]
    assert "PATCH http://127.0.0.1" in result.output and "-> 503" in result.output
    assert len(segment.plan_named("ecommerce").rules) == 2


def test_the_lint_gate_uses_the_lint_index_and_never_a_stale_answer(segment, segment_project):
    import os

    project = segment_project()
    _add_events(project, 2)
    lint_dir = project.root / ".reflekt_cache" / "lint"
    assert _invoke(project, "lint").exit_code == 0
    assert any(lint_dir.iterdir()), "lint filled the index"
    project.add_schema("segment/ecommerce/Event_Aaa/1-0", {"cart_id": {"type": "string"}})

    refused = _invoke(project, "push", "-s", "segment/ecommerce")

    assert refused.exit_code == 1 and "lint error" in refused.output, "the edit was seen"
    assert segment.requests == []
    project.add_schema("segment/ecommerce/Event_Aaa/1-0", PROPS, required=["cart_id"], metadata={})
    shutil.rmtree(lint_dir)
    uncached = _invoke(project, "push", "-s", "segment/ecommerce", "--no-cache")
    assert uncached.exit_code == 0, uncached.output
    assert not lint_dir.exists(), "--no-cache wrote no index"
    assert "REFLEKT_NO_CACHE" not in os.environ, "the switch does not outlive the command"
    assert len(segment.plan_named("ecommerce").rules) == 2
