"""`reflekt diff` against the fake Segment/Avo servers and against a git ref."""

from __future__ import annotations

import json
import subprocess

from click.testing import CliRunner
from registry_fakes import track_rule

from reflekt.cli import cli

PROPS = {"cart_id": {"type": "string", "description": "The cart."}}
MORE = {**PROPS, "coupon": {"type": "string", "description": "A coupon."}}


def _invoke(project, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)])


def _flat(text: str) -> str:
    return " ".join(text.split())


def _seed(segment):
    segment.add_plan(
        "shop",
        [
            track_rule("Cart Viewed", PROPS),
            track_rule("Order Completed", PROPS),
            track_rule("Product Viewed", PROPS),
            track_rule("Only Remote", PROPS),
        ],
    )


def test_diff_against_segment_classifies_each_event(segment, segment_project):
    _seed(segment)
    project = segment_project()
    # Breaking: cart_id made required, file still 1-1 (needs 2-0).
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS, description="An event.")
    project.add_schema(
        "segment/shop/Cart_Viewed/1-1", PROPS, required=["cart_id"], description="An event."
    )
    # Compatible: optional property added, bumped to 1-1.
    project.add_schema("segment/shop/Order_Completed/1-1", MORE, description="An event.")
    # Unchanged.
    project.add_schema("segment/shop/Product_Viewed/1-0", PROPS, description="An event.")
    # New event.
    project.add_schema("segment/shop/Signed_Up/1-0", PROPS, description="An event.")

    result = _invoke(project, "diff", "-s", "segment/shop")

    assert result.exit_code == 1, result.output
    out = _flat(result.output)
    assert "breaking change: this needs 2-0, the file says 1-1" in out
    assert "PROPERTY_MADE_REQUIRED cart_id" in out
    assert "segment/shop/Order_Completed MINOR change, version bumped: OK" in out
    assert "segment/shop/Signed_Up new event" in out
    assert "segment/shop/Only_Remote removed" in out
    assert "Product_Viewed" not in out  # unchanged events are only counted
    assert (
        "Compared 5 events with segment/shop: 1 needs a MAJOR version bump, 1 removed, 1 new, "
        "1 bumped correctly (MINOR), 1 unchanged." in out
    )
    assert [r.method for r in segment.requests] == ["GET", "GET"]  # plans, then one page


def test_diff_json_and_fail_on(segment, segment_project):
    _seed(segment)
    project = segment_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", MORE, description="An event.")

    as_json = _invoke(project, "diff", "-s", "segment/shop/Cart_Viewed", "--format", "json")
    data = json.loads(as_json.output)
    [event] = data["events"]
    assert event["verdict"] == "unbumped" and event["required_version"] == "1-1"
    assert event["changes"][0]["code"] == "PROPERTY_ADDED_OPTIONAL"
    assert as_json.exit_code == 0  # default --fail-on breaking
    assert (
        _invoke(project, "diff", "-s", "segment/shop/Cart_Viewed", "--fail-on", "any").exit_code
        == 1
    )
    assert (
        _invoke(project, "diff", "-s", "segment/shop/Cart_Viewed", "--fail-on", "never").exit_code
        == 0
    )


def test_diff_github_annotations(segment, segment_project):
    _seed(segment)
    project = segment_project()
    project.add_schema(
        "segment/shop/Cart_Viewed/1-0", PROPS, required=["cart_id"], description="An event."
    )

    result = _invoke(project, "diff", "-s", "segment/shop/Cart_Viewed", "-f", "github")

    assert result.exit_code == 1
    line = result.output.splitlines()[0]
    assert line.startswith("::error file=schemas/segment/shop/Cart_Viewed/1-0.json,title=")
    assert "this needs 2-0" in line


def test_diff_against_avo(avo, avo_project):
    from test_avo_pull import PAYLOAD

    avo.set_branch("main", PAYLOAD)
    project = avo_project()
    assert _invoke(project, "pull", "-s", "avo/main").exit_code == 0
    path = project.schemas_dir / "avo/main/page_viewed/1-0.json"
    body = json.loads(path.read_text())
    body["properties"]["page_kind"]["enum"] = ["home"]
    path.write_text(json.dumps(body))

    result = _invoke(project, "diff", "-s", "avo/main")

    assert result.exit_code == 1
    assert "ENUM_VALUES_REMOVED page_kind" in _flat(result.output)


def test_diff_needs_a_select_against_a_registry(segment_project):
    result = _invoke(segment_project(), "diff")
    assert result.exit_code == 2
    assert "needs --select" in result.output


def _git(root, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_diff_against_a_git_ref(make_project):
    project = make_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)
    project.add_schema("segment/shop/Order_Completed/1-0", PROPS)
    project.add_schema("segment/shop/Gone_Event/1-0", PROPS)
    _git(project.root, "init", "-q", "-b", "main")
    _git(project.root, "add", ".")
    _git(project.root, "commit", "-q", "-m", "base")
    # Working tree: an in-place breaking edit, a proper minor bump, a deletion.
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS, required=["cart_id"])
    project.add_schema("segment/shop/Order_Completed/1-1", MORE)
    (project.schemas_dir / "segment/shop/Gone_Event/1-0.json").unlink()

    result = _invoke(project, "diff", "--against", "git:main")

    assert result.exit_code == 1, result.output
    out = _flat(result.output)
    assert "breaking change: this needs 2-0, the file says 1-0" in out
    assert "segment/shop/Order_Completed MINOR change, version bumped: OK" in out
    assert "segment/shop/Gone_Event removed" in out
    assert "with git:main" in out

    selected = _invoke(
        project, "diff", "--against", "git:main", "-s", "segment/shop/Order_Completed"
    )
    assert selected.exit_code == 0, selected.output
    assert "Compared 1 event with git:main: 1 bumped correctly (MINOR)." in _flat(selected.output)


def test_a_deleted_schema_fails_the_git_check_but_not_a_registry_diff(
    make_project, segment, segment_project
):
    """Against git a removal is part of the change under review; against Segment, push
    leaves rules that are not local alone, so they are reported but do not fail."""
    project = make_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)
    project.add_schema("segment/shop/Gone_Event/1-0", PROPS)
    _git(project.root, "init", "-q", "-b", "main")
    _git(project.root, "add", ".")
    _git(project.root, "commit", "-q", "-m", "base")
    (project.schemas_dir / "segment/shop/Gone_Event/1-0.json").unlink()

    against_git = _invoke(project, "diff", "--against", "git:main", "--format", "github")

    assert against_git.exit_code == 1, against_git.output
    assert "Compared 2 events with git:main: 1 removed, 1 unchanged." in against_git.output
    assert "::notice file=schemas/segment/shop/Gone_Event,title=reflekt diff%3A removed" in (
        against_git.output
    )
    assert "event removed" not in against_git.output  # the note says it once

    segment.add_plan("shop", [track_rule("Cart Viewed"), track_rule("Other Event")])
    remote = segment_project()
    remote.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)
    against_segment = _invoke(remote, "diff", "-s", "segment/shop")
    assert against_segment.exit_code == 0, against_segment.output
    assert "1 removed" in against_segment.output


def test_diff_against_a_plan_that_does_not_exist_yet(segment, segment_project):
    project = segment_project()
    project.add_schema("segment/brand_new/Cart_Viewed/1-0", PROPS)

    result = _invoke(project, "diff", "-s", "segment/brand_new")

    assert result.exit_code == 0, result.output
    assert (
        "Compared 1 event with segment/brand_new (not in the registry yet): 1 new." in result.output
    )


def test_diff_against_an_unknown_ref_is_a_usage_error(make_project):
    project = make_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)
    _git(project.root, "init", "-q", "-b", "main")

    result = _invoke(project, "diff", "--against", "git:nope")

    assert result.exit_code == 2
    assert "'nope' is not a known commit" in _flat(result.output)


def test_diff_against_git_outside_a_repository(make_project):
    project = make_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)

    result = _invoke(project, "diff", "--against", "git:main")

    assert result.exit_code == 2
    output = _flat(result.output)
    assert f"--against git:main: the project ({project.root}) is not inside a git repository" in (
        output
    )
    assert "fatal:" not in output and "rev-parse" not in output
    assert "git: names no ref" in _flat(_invoke(project, "diff", "--against", "git:").output)


def test_a_bumped_breaking_change_reads_ok_and_a_missing_bump_says_the_version(
    segment, segment_project
):
    """Issue 13 #20: not "[compatible] MAJOR" but what it means; JSON keeps its keys."""
    segment.add_plan("shop", [track_rule("Cart Viewed", PROPS), track_rule("Order Completed")])
    project = segment_project()
    required = {"required": ["cart_id"], "description": "An event."}
    project.add_schema("segment/shop/Cart_Viewed/2-0", PROPS, **required)  # bumped: OK
    project.add_schema("segment/shop/Order_Completed/1-0", PROPS, **required)  # not bumped

    text = _invoke(project, "diff", "-s", "segment/shop")
    out = _flat(text.output)
    assert text.exit_code == 1, text.output
    assert "segment/shop/Cart_Viewed MAJOR change, version bumped: OK (local 2-0, base 1-0)" in out
    assert (
        "segment/shop/Order_Completed MAJOR change, version not bumped: should be 2-0 "
        "(local 1-0, base 1-0)" in out
    )
    assert "[compatible]" not in out and "[breaking]" not in out

    answer = _invoke(project, "diff", "-s", "segment/shop", "--format", "json")
    events = {e["event"]: e for e in json.loads(answer.output)["events"]}
    cart = events["segment/shop/Cart_Viewed"]
    assert (cart["verdict"], cart["class"]) == ("compatible", "MAJOR")  # keys kept
    assert cart["outcome"] == "MAJOR change, version bumped: OK"  # one key added
    order = events["segment/shop/Order_Completed"]
    assert order["outcome"] == "MAJOR change, version not bumped: should be 2-0"
