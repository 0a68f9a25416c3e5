"""`reflekt build code` on a plan shaped like a real Segment workspace's (registry-contracts.md,
"Corrections from real plans"): rules converted by the pull's own converter, holding content
Reflekt does not own (root `required: ["properties"]`, `context`/`traits` objects), `"type":
"any"`, properties without a type, names with spaces and dots, one-element type lists,
nullable unions, a numeric enum, a PAGE rule keyed `Home`, an IDENTIFY rule, two majors, two
names that collide once made identifiers, and hostile descriptions. The generated code must
compile in strict mode (tsc, mypy --strict), and a usage program that sends the real keys
must type-check."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from python_codegen_support import run_mypy

from reflekt.cli import cli
from reflekt.core.registries.segment_convert import rule_to_remote
from reflekt.core.schemas import dump_schema


def rule(key: str, kind: str, properties: dict, *, version: int = 1, required=()) -> dict:
    """A rule as Segment's API returns it, with what real rules carry besides properties."""
    section = "traits" if kind in ("IDENTIFY", "GROUP") else "properties"
    json_schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "description": f"{key}: real rules hold */ and\nnew lines </script> {{{{ x }}}}",
        "labels": {"squad": "growth"},
        "required": ["properties"],
        "properties": {
            "context": {"type": "object"},
            "traits": {"type": "object"},
            section: {
                "type": "object",
                "properties": properties,
                "required": list(required),
            },
        },
    }
    return {"key": key, "type": kind, "version": version, "jsonSchema": json_schema}


RULES = [
    rule(
        "Product Viewed",
        "TRACK",
        {
            "page type": {"type": ["string"], "description": "Where the product was shown."},
            "site id": {},
            "wf session id": {"type": ["string", "null"]},
            "product.id": {"type": ["string"]},
            "price": {"type": ["number", "string"], "description": "Sometimes sent as text."},
            "misc": {"type": "any"},
            "size": {"type": ["integer"], "enum": [36, 38, 40]},
            "tags": {"type": ["array"], "items": {"type": ["string"]}},
            "variant": {
                "type": ["object"],
                "properties": {"color": {"type": ["string"], "enum": ["red", "blue"]}},
                "required": ["color"],
            },
        },
        required=["page type", "product.id"],
    ),
    rule("Product Viewed", "TRACK", {"sku": {"type": ["string"]}}, version=2, required=["sku"]),
    rule("Cart Viewed", "TRACK", {"cart_id": {"type": ["string"]}}),
    rule("CartViewed", "TRACK", {"cart id": {"type": ["string"]}}),
    rule("Home", "PAGE", {"referrer": {"type": ["string", "null"]}}),
    rule("Identify", "IDENTIFY", {"email": {"type": ["string"], "format": "email"}}),
]


@pytest.fixture
def real_plan(make_project):
    project = make_project("real")
    for item in RULES:
        remote = rule_to_remote(item, "production", "com.example")
        assert remote is not None
        path = project.schemas_dir / f"{remote.event_key}/{remote.version}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_schema(remote.body), encoding="utf-8")
    return project


def build(project, *args: str) -> str:
    result = CliRunner().invoke(cli, ["build", "code", "--project-dir", str(project.root), *args])
    assert result.exit_code == 0, result.output
    return result.output


TS_USAGE = """\
import { setAnalytics, productViewedV2, productViewedV1, cartViewedV1, cartViewedV1_2, homeV1,
  identifyV1, type AnalyticsClient } from "./tracking/index";

declare const client: AnalyticsClient;
setAnalytics(client);
productViewedV2({ sku: "s-1" });
productViewedV1({ "page type": "grid", "product.id": "p-1", price: "12.50", size: 38,
  variant: { color: "red" }, "site id": { anything: true }, "wf session id": null });
cartViewedV1({ cart_id: "c-1" });
cartViewedV1_2({ "cart id": "c-2" });
homeV1({ referrer: null });
identifyV1("u-1", { email: "a@example.com" });
"""

TS_WRONG = """\
import { productViewedV1 } from "./tracking/index";

productViewedV1({ "page type": "grid", "product.id": "p-1", size: 37 });
"""

PY_USAGE = """\
from tracking import (
    cart_viewed_v1, cart_viewed_v1_2, home_v1, identify_v1, product_viewed_v1, product_viewed_v2,
)

product_viewed_v2({"sku": "s-1"}, user_id="u-1")
product_viewed_v1(
    {"page type": "grid", "product.id": "p-1", "price": "12.50", "size": 38,
     "variant": {"color": "red"}, "wf session id": None},
    anonymous_id="a-1",
)
cart_viewed_v1({"cart_id": "c-1"}, user_id="u-1")
cart_viewed_v1_2({"cart id": "c-2"}, user_id="u-1")
home_v1({"referrer": None}, user_id="u-1")
identify_v1({"email": "a@example.com"}, user_id="u-1")
"""

PY_WRONG = """\
from tracking import product_viewed_v1

product_viewed_v1({"page type": "grid", "product.id": "p-1", "size": 37}, user_id="u-1")
"""


def test_a_real_plan_gives_typescript_that_compiles_and_types_the_real_keys(
    real_plan, ts_toolchain
):
    build(
        real_plan,
        "--lang",
        "typescript",
        "--sdk",
        "analytics-next",
        "--out",
        "web/tracking",
        "--version-policy",
        "all",
        "--validate",
    )
    web = real_plan.root / "web"
    (web / "usage.ts").write_text(TS_USAGE, encoding="utf-8")
    (web / "wrong.ts").write_text(TS_WRONG, encoding="utf-8")
    result, diagnostics = ts_toolchain.tsc(web, ["tracking/index.ts", "usage.ts", "wrong.ts"])
    assert [(d.file, d.code) for d in diagnostics] == [("wrong.ts", "TS2322")], result.stdout
    text = (web / "tracking/index.ts").read_text(encoding="utf-8")
    assert 'track("Product Viewed"' in text and 'page("Home"' in text


def test_a_real_plan_gives_python_that_passes_mypy_strict(real_plan):
    build(real_plan, "--lang", "python", "--out", "app/tracking", "--version-policy", "all")
    app = real_plan.root / "app"
    (app / "usage.py").write_text(PY_USAGE, encoding="utf-8")
    code, output = run_mypy(["tracking", "usage.py"], app)
    assert code == 0, output
    (app / "wrong.py").write_text(PY_WRONG, encoding="utf-8")
    code, output = run_mypy(["wrong.py"], app)
    assert code == 1 and "wrong.py:3" in output and "[typeddict-item]" in output, output


def test_rebuilding_a_real_plan_changes_no_byte(real_plan):
    build(real_plan, "--lang", "typescript", "--out", "web/tracking")
    first = (real_plan.root / "web/tracking/index.ts").read_bytes()
    assert "unchanged" in build(real_plan, "--lang", "typescript", "--out", "web/tracking")
    assert (real_plan.root / "web/tracking/index.ts").read_bytes() == first
    assert "Up to date" in build(
        real_plan, "--lang", "typescript", "--out", "web/tracking", "--check"
    )


def test_the_schema_files_are_left_untouched(real_plan):
    before = {p: p.read_bytes() for p in Path(real_plan.schemas_dir).rglob("*.json")}
    build(real_plan, "--lang", "python")
    build(real_plan, "--lang", "typescript")
    assert {p: p.read_bytes() for p in Path(real_plan.schemas_dir).rglob("*.json")} == before
