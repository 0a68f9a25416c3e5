"""Shared definitions (`$ref` to schemas/.reflekt/common/) with a registry and git: push
inlines them (Segment resolves no `$ref`), pull keeps inlined schemas as they are, and
`reflekt diff` names the definition a change comes from."""

from __future__ import annotations

import json
import subprocess

from click.testing import CliRunner
from registry_fakes import track_rule

from reflekt.cli import cli

PRODUCTS = {
    "description": "The shop's products.",
    "definitions": {
        "product": {
            "type": "object",
            "description": "One product of the cart.",
            "properties": {
                "sku": {"type": "string", "description": "The SKU."},
                "price": {"$ref": "#/definitions/price"},
            },
            "required": ["sku"],
        },
        "price": {"type": "number", "description": "The unit price, {{ not jinja }}."},
    },
}
USES = {
    "cart_id": {"type": "string", "description": "The cart."},
    "products": {
        "type": "array",
        "description": "The products.",
        "items": {"$ref": "common/products/1-0.json#/definitions/product"},
    },
}
EVENTS = ("Cart_Viewed", "Order_Completed")


def _invoke(project, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)])


def _flat(text: str) -> str:
    return " ".join(text.split())


def _shared(project, body=PRODUCTS) -> None:
    path = project.schemas_dir / ".reflekt" / "common" / "products" / "1-0.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2), encoding="utf-8")


def _with_price_type(price_type: str) -> dict:
    body = json.loads(json.dumps(PRODUCTS))
    body["definitions"]["price"]["type"] = price_type
    return body


def _events(project, plan: str = "shop") -> None:
    _shared(project)
    for event in EVENTS:
        project.add_schema(f"segment/{plan}/{event}/1-0", USES, required=["cart_id"])


def _inlined_products() -> dict:
    return {
        "type": ["array"],
        "description": "The products.",
        "items": {
            "type": ["object"],
            "description": "One product of the cart.",
            "properties": {
                "sku": {"type": ["string"], "description": "The SKU."},
                "price": {"type": ["number"], "description": "The unit price, {{ not jinja }}."},
            },
            "required": ["sku"],
        },
    }


def test_push_inlines_shared_definitions_and_pull_keeps_them_inlined(segment, segment_project):
    project = segment_project()
    _events(project)

    pushed = _invoke(project, "push", "-s", "segment/shop")

    assert pushed.exit_code == 0, pushed.output
    plan = segment.plan_named("shop")
    assert plan is not None and len(plan.rules) == 2
    for rule in plan.rules:
        sent = rule["jsonSchema"]
        assert "$ref" not in json.dumps(sent)  # Segment resolves no reference
        products = sent["properties"]["properties"]["properties"]["products"]
        assert products["items"]["properties"]["price"]["description"] == (
            "The unit price, {{ not jinja }}."
        )
        assert products["items"]["properties"]["sku"]["type"] in ("string", ["string"])

    # Against the registry, the local schema (references inlined) is unchanged.
    diffed = _invoke(project, "diff", "-s", "segment/shop")
    assert diffed.exit_code == 0, diffed.output
    assert "2 unchanged" in _flat(diffed.output)

    # Pull into another plan folder: the schemas come as the registry has them, inlined.
    segment.add_plan("other", [track_rule("Cart Viewed", {"products": _inlined_products()})])
    pulled = _invoke(project, "pull", "-s", "segment/other")
    assert pulled.exit_code == 0, pulled.output
    text = (project.schemas_dir / "segment/other/Cart_Viewed/1-0.json").read_text("utf-8")
    assert "$ref" not in text and '"sku"' in text
    # and the local shared-definition files are not touched by a pull
    common = project.schemas_dir / ".reflekt/common/products/1-0.json"
    assert json.loads(common.read_text("utf-8")) == PRODUCTS


def test_a_reference_that_does_not_resolve_refuses_the_push(segment, segment_project):
    project = segment_project()
    project.add_schema(
        "segment/shop/Cart_Viewed/1-0",
        {"products": {"$ref": "common/products/9-9.json#/definitions/product"}},
    )

    result = _invoke(project, "push", "-s", "segment/shop")

    assert result.exit_code != 0
    assert "RF104" in result.output
    assert "common/products/9-9.json" in result.output
    assert segment.calls("PATCH") == [] and segment.plan_named("shop") is None


def test_diff_against_segment_names_the_shared_definition(segment, segment_project):
    project = segment_project()
    _events(project)
    assert _invoke(project, "push", "-s", "segment/shop").exit_code == 0
    _shared(project, _with_price_type("string"))  # only the shared definition changes

    result = _invoke(project, "diff", "-s", "segment/shop", "--format", "json")

    report = json.loads(result.output)
    assert [event["event"] for event in report["events"]] == [
        f"segment/shop/{event}" for event in EVENTS
    ]
    for event in report["events"]:
        [change] = event["changes"]
        assert change["path"] == "products[].price"
        assert change["class"] == "MAJOR"
        assert change["cause"] == "common/products/1-0.json#/definitions/price"
    text = _flat(_invoke(project, "diff", "-s", "segment/shop").output)
    assert (
        "products[].price: type of property 'products[].price' changed from \"number\" to "
        '"string" (from the shared definition common/products/1-0.json#/definitions/price)'
    ) in text


def _git(root, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_diff_against_git_reads_the_definitions_at_the_ref(make_project):
    """The base's references are inlined from the shared definitions as they were at the
    ref (and, with --staged, as staged): an edit of the definition alone is every event's
    change, with the definition named."""
    project = make_project()
    _events(project)
    _git(project.root, "init", "-q", "-b", "main")
    _git(project.root, "add", ".")
    _git(project.root, "commit", "-q", "-m", "base")

    unchanged = _invoke(project, "diff", "--against", "git:main")
    assert unchanged.exit_code == 0, unchanged.output
    assert "2 unchanged" in _flat(unchanged.output)

    _shared(project, _with_price_type("integer"))
    changed = _invoke(project, "diff", "--against", "git:main", "--format", "json")
    assert changed.exit_code == 1, changed.output
    events = json.loads(changed.output)["events"]
    assert [e["verdict"] for e in events] == ["breaking", "breaking"]
    assert {c["cause"] for e in events for c in e["changes"]} == {
        "common/products/1-0.json#/definitions/price"
    }

    # Staged: the index holds the old definition until it is added.
    staged = _invoke(project, "diff", "--staged")
    assert "2 unchanged" in _flat(staged.output), staged.output
    _git(project.root, "add", ".")
    staged = _invoke(project, "diff", "--staged", "--format", "json")
    assert [e["verdict"] for e in json.loads(staged.output)["events"]] == ["breaking"] * 2


def test_diff_changed_and_lint_files_count_a_shared_definition_as_every_event(make_project):
    """The pre-push hook (`diff --changed`) and the pre-commit hook (`lint FILE...`) see an
    edit of a shared definition alone as a change of the events that use it."""
    project = make_project()
    _events(project)
    project.add_schema(
        "segment/shop/Signed_Up/1-0", {"plan": {"type": "string", "description": "x"}}
    )
    _git(project.root, "init", "-q", "-b", "main")
    _git(project.root, "add", ".")
    _git(project.root, "commit", "-q", "-m", "base")
    _shared(project, _with_price_type("string"))

    changed = _invoke(project, "diff", "--changed", "--format", "json")
    verdicts = {e["event"]: e["verdict"] for e in json.loads(changed.output)["events"]}
    assert verdicts == {
        "segment/shop/Cart_Viewed": "breaking",
        "segment/shop/Order_Completed": "breaking",
        "segment/shop/Signed_Up": "unchanged",
    }

    common = project.schemas_dir / ".reflekt/common/products/1-0.json"
    _shared(project, {"definitions": {"product": {"type": "object", "properties": {"skuId": {}}}}})
    linted = CliRunner().invoke(cli, ["lint", "--project-dir", str(project.root), str(common)])
    assert linted.exit_code == 1, linted.output
    assert "Linted 3 schemas" in _flat(linted.output)
    assert 'property "products.items.skuId" is not snake_case' in linted.output


def test_pulling_back_what_was_pushed_keeps_the_references(segment, segment_project):
    """A local file whose references inline to exactly what the registry holds is unchanged
    by a pull (its `$ref`s stay); once the registry differs, the pull writes its inlined
    schema (and says what changed)."""
    project = segment_project()
    _events(project)
    paths = [project.schemas_dir / f"segment/shop/{event}/1-0.json" for event in EVENTS]
    before = [path.read_bytes() for path in paths]
    assert _invoke(project, "push", "-s", "segment/shop").exit_code == 0

    pulled = _invoke(project, "pull", "-s", "segment/shop")

    assert pulled.exit_code == 0, pulled.output
    assert "0 created, 0 updated, 2 unchanged" in _flat(pulled.output)
    assert [path.read_bytes() for path in paths] == before

    _shared(project, _with_price_type("string"))  # the registry now differs from the local
    pulled = _invoke(project, "pull", "-s", "segment/shop")
    assert "0 created, 2 updated, 0 unchanged" in _flat(pulled.output), pulled.output
    text = paths[0].read_text("utf-8")
    assert "$ref" not in text and '"number"' in text  # as the registry has it, inlined
