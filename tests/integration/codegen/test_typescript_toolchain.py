"""The generated TypeScript under the real compiler and runtime: the demo and hostile plans
compile in the strictest modes, wrong calls do not, the real SDK clients fit the generated
client interface, and compiled wrappers deliver the events through @segment/analytics-node
to a local stand-in for Segment's API (with the validation hook reporting a bad call)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typescript_support import (
    body,
    clash_events,
    declared_names,
    demo_events,
    events_of,
    hostile_events,
    versioned_clash_events,
)
from typescript_toolchain_support import Diagnostic, Toolchain, TrackingApi

from reflekt.core.codegen.emit import CodeOptions
from reflekt.core.codegen.typescript import emit

SDKS = ("analytics-next", "analytics-node", "rudder", "none")


def _write(folder: Path, rel: str, text: str) -> str:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return rel


def _module(events, sdk: str, validate: bool) -> str:
    options = CodeOptions("typescript", sdk, validate, "reflekt build code", len(events))
    return emit(events, options)[0].text


# Programs a user writes: each must compile, or fail with the given error at the given line.
USAGE_NEXT = """\
import * as t from "./gen/analytics-next-validate/index";

t.setAnalytics({ track: () => undefined, identify: () => undefined, page: () => undefined });
t.setViolationHandler((violations) => {
  for (const violation of violations) console.log(violation.event, violation.path);
});
t.orderCompleted({
  order_id: "o1",
  total: 10,
  payment_method: "card",
  currency: "EUR",
  products: [{ product_id: "p1", quantity: 2, any_extra: [1, 2] }],
});
t.cartViewed({ cart_id: "c1" }, { integrations: { All: false } });
t.identify("u1", { email: "a@example.com" });
t.identify(null);
t.page({ path: "/" }, undefined, "Home");
t.page();
t.setViolationHandler(null);
t.setAnalytics(null);
"""
USAGE_NODE = """\
import * as t from "./gen/analytics-node-plain/index";

t.cartViewed({ userId: "u1" }, { cart_id: "c1" }, { timestamp: new Date(0) });
t.cartViewed({ anonymousId: "a1" }, { cart_id: "c1" }, { messageId: "m1" });
t.identify({ userId: "u1" }, { plan: "pro" });
t.page({ userId: "u1" }, { path: "/" }, { name: "Home", category: "Docs" });
"""
COMPAT = """\
import { Analytics } from "@segment/analytics-node";
import { AnalyticsBrowser } from "@segment/analytics-next";
import { RudderAnalytics } from "@rudderstack/analytics-js";
import * as node from "./gen/analytics-node-validate/index.js";
import * as next from "./gen/analytics-next-validate/index.js";
import * as rudder from "./gen/rudder-validate/index.js";

node.setAnalytics(new Analytics({ writeKey: "key" }));
next.setAnalytics(AnalyticsBrowser.load({ writeKey: "key" }));
rudder.setAnalytics(new RudderAnalytics());
"""
# (file, program, expected error code, a phrase of its message)
BAD = [
    (
        "bad_type.ts",
        't.orderCompleted({ order_id: 7, total: 1, payment_method: "card" });',
        "TS2322",
        "Type 'number' is not assignable to type 'string'",
    ),
    (
        "bad_missing.ts",
        't.orderCompleted({ order_id: "o1", total: 1 });',
        "TS2345",
        "Property 'payment_method' is missing",
    ),
    (
        "bad_literal.ts",
        't.orderCompleted({ order_id: "o", total: 1, payment_method: "c", currency: "JPY" });',
        "TS2322",
        '\'"JPY"\' is not assignable to type \'"USD" | "EUR" | "GBP"',
    ),
    (
        "bad_closed.ts",
        't.cartViewed({ cart_id: "c1", coupon: "x" });',
        "TS2353",
        "'coupon' does not exist in type 'CartViewed'",
    ),
    (
        "bad_optional_undefined.ts",
        't.cartViewed({ cart_id: "c1", value: undefined });',
        "TS2379",
        "exactOptionalPropertyTypes",
    ),
]
BAD_NODE = (
    "bad_identity.ts",
    'import * as t from "./gen/analytics-node-plain/index";\n'
    't.cartViewed({}, { cart_id: "c1" });\n',
    "TS2345",
    "not assignable to parameter of type 'Identity'",
)
BAD_NONE = (
    "bad_none.ts",
    'import { cartViewed } from "./gen/none-plain/index";\ncartViewed({ cart_id: "c1" });\n',
    "TS2724",
    "has no exported member named 'cartViewed'",
)

RUNTIME = """\
import { Analytics } from "@segment/analytics-node";
import * as demo from "./gen/analytics-node-validate/index";
import * as hostile from "./gen/hostile-analytics-node/index";

declare const process: { readonly argv: readonly string[] };

async function main(): Promise<void> {
  const report: { unset: string; violations: demo.Violation[] } = { unset: "", violations: [] };
  try {
    demo.cartViewed({ userId: "u0" }, { cart_id: "never sent" });
  } catch (error) {
    report.unset = error instanceof Error ? error.message : String(error);
  }
  const analytics = new Analytics({
    writeKey: "test-key",
    host: process.argv[2] ?? "",
    maxEventsInBatch: 1,
    flushInterval: 20,
    maxRetries: 0,
  });
  demo.setAnalytics(analytics);
  hostile.setAnalytics(analytics);
  const bad = {
    order_id: 7,
    total: "12",
    payment_method: "card",
    currency: "JPY",
    products: [{ sku: "s1", quantity: 1.5 }],
    unknown_key: true,
  } as unknown as demo.OrderCompleted;
  demo.orderCompleted({ userId: "before" }, bad); // no handler yet: not validated
  demo.setViolationHandler((violations) => {
    report.violations.push(...violations);
  });
  demo.orderCompleted(
    { userId: "u1" },
    {
      order_id: "o1",
      total: 12.5,
      payment_method: "card",
      currency: "EUR",
      products: [{ product_id: "p1", quantity: 2, price: 6.25 }],
    },
  );
  demo.orderCompleted({ userId: "u2" }, bad);
  demo.identify({ anonymousId: "a1" }, { email: "a@example.com", plan: "pro" });
  demo.page({ userId: "u1-page" }, { path: "/cart" }, { name: "Cart" });
  hostile.lineBreakEvent(
    { userId: "h1" },
    { delete: "d", "1st": "one", "*/": "closer", "a-b": "dash", "\\u2028": "ls", "q\\"uote": "q" },
  );
  await analytics.closeAndFlush({ timeout: 20000 });
  console.log(JSON.stringify(report));
}

main().catch((error: unknown) => {
  console.log(JSON.stringify({ crashed: String(error) }));
});
"""


@dataclass(frozen=True)
class Compiled:
    folder: Path
    output: str
    diagnostics: list[Diagnostic]

    def errors(self, file: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.file == file]


@pytest.fixture(scope="module")
def compiled(ts_toolchain: Toolchain, tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    """Every generated module and program, compiled (and emitted to out/) by ONE tsc run."""
    folder = tmp_path_factory.mktemp("ts-project")
    demo, hostile = demo_events(), hostile_events()
    files: list[str] = []
    for sdk in SDKS:
        for validate in (False, True):
            name = f"gen/{sdk}-{'validate' if validate else 'plain'}/index.ts"
            files.append(_write(folder, name, _module(demo, sdk, validate)))
        files.append(_write(folder, f"gen/hostile-{sdk}/index.ts", _module(hostile, sdk, True)))
        files.append(_write(folder, f"gen/empty-{sdk}/index.ts", _module([], sdk, True)))
    for name, clash in (("clash", clash_events()), ("clash-versioned", versioned_clash_events())):
        files.append(_write(folder, f"gen/{name}/index.ts", _module(clash, "analytics-next", True)))
    files.append(_write(folder, "usage_next.ts", USAGE_NEXT))
    files.append(_write(folder, "usage_node.ts", USAGE_NODE))
    files.append(_write(folder, "compat.mts", COMPAT))
    files.append(_write(folder, "runtime.ts", RUNTIME))
    header = 'import * as t from "./gen/analytics-next-plain/index";\n'
    for file, program, _code, _phrase in BAD:
        files.append(_write(folder, file, header + program + "\n"))
    for file, program, _code, _phrase in (BAD_NODE, BAD_NONE):
        files.append(_write(folder, file, program))
    result, diagnostics = ts_toolchain.tsc(folder, files, emit=True)
    return Compiled(folder, result.stdout + result.stderr, diagnostics)


def test_demo_and_hostile_modules_compile_in_strict_mode(compiled: Compiled):
    generated = [d for d in compiled.diagnostics if d.file.startswith("gen/")]
    assert generated == [], compiled.output
    # Every variant was compiled (and emitted): 4 SDKs x (plain, validate, hostile, empty),
    # and the two modules whose names clash across kinds and versions.
    assert len(list((compiled.folder / "out" / "gen").glob("*/index.js"))) == 18


def test_usage_programs_and_the_real_sdk_clients_compile(compiled: Compiled):
    for file in ("usage_next.ts", "usage_node.ts", "compat.mts", "runtime.ts"):
        assert compiled.errors(file) == [], compiled.output


@pytest.mark.parametrize("case", [*BAD, BAD_NODE, BAD_NONE], ids=lambda case: case[0])
def test_wrong_calls_do_not_compile(compiled: Compiled, case):
    file, _program, code, phrase = case
    errors = compiled.errors(file)
    assert errors, f"{file} compiled, but must not:\n{compiled.output}"
    assert [d.code for d in errors] == [code], compiled.output
    assert phrase in errors[0].message, errors[0].message


def test_compiled_wrappers_send_through_analytics_node(
    compiled: Compiled, ts_toolchain: Toolchain, tracking_api: TrackingApi
):
    result = ts_toolchain.node(compiled.folder / "out" / "runtime.js", tracking_api.url)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "crashed" not in report, report
    assert report["unset"] == "reflekt tracking: call setAnalytics(client) before tracking"

    messages = tracking_api.messages()
    assert all(
        path == "/v1/batch" and auth.startswith("Basic ")
        for path, auth, _ in (tracking_api.requests)
    )
    # One message per request (maxEventsInBatch 1), posted concurrently: in any order.
    by_who = {m.get("userId") or m.get("anonymousId"): m for m in messages}
    summary = sorted((m["type"], m.get("event") or m.get("name"), who) for who, m in by_who.items())
    assert len(messages) == len(by_who) == 6
    assert summary == [
        ("identify", None, "a1"),
        ("page", "Cart", "u1-page"),
        ("track", "Order Completed", "before"),
        ("track", "Order Completed", "u1"),
        ("track", "Order Completed", "u2"),
        ("track", "line\nbreak */ event", "h1"),
    ]
    good, identify, page, odd = by_who["u1"], by_who["a1"], by_who["u1-page"], by_who["h1"]
    assert good["properties"] == {
        "order_id": "o1",
        "total": 12.5,
        "payment_method": "card",
        "currency": "EUR",
        "products": [{"product_id": "p1", "quantity": 2, "price": 6.25}],
    }
    assert identify["anonymousId"] == "a1"
    assert identify["traits"] == {"email": "a@example.com", "plan": "pro"}
    assert page["properties"]["path"] == "/cart"
    assert odd["properties"] == {
        "delete": "d",
        "1st": "one",
        "*/": "closer",
        "a-b": "dash",
        "\u2028": "ls",
        'q"uote': "q",
    }
    # The bad call is still sent, and (only once a handler was set) reported, every problem.
    assert by_who["before"]["properties"]["order_id"] == 7
    assert by_who["u2"]["properties"]["order_id"] == 7
    found = {(v["event"], v["path"], v["message"]) for v in report["violations"]}
    assert found == {
        ("Order Completed", "/order_id", "expected string, got number"),
        ("Order Completed", "/total", "expected number, got string"),
        ("Order Completed", "/currency", 'expected one of ["USD","EUR","GBP"]'),
        ("Order Completed", "/products/0/product_id", "required property is missing"),
        ("Order Completed", "/products/0/quantity", "expected integer, got number"),
        ("Order Completed", "", 'property "unknown_key" is not allowed'),
    }


# Any text (lone surrogates too), and the names most likely to clash with the module's own.
NAMES = st.text(
    st.characters(exclude_categories=()) | st.sampled_from("-_ 1$*/\\\"'"), max_size=12
) | st.sampled_from(
    ["delete", "constructor", "toString", "__proto__", "Object", "setAnalytics", "$client", ""]
)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=st.lists(st.tuples(NAMES, st.lists(NAMES, max_size=5)), min_size=1, max_size=12),
    sdk=st.sampled_from(SDKS),
)
def test_arbitrary_names_give_a_module_that_compiles(
    ts_toolchain: Toolchain, tmp_path_factory: pytest.TempPathFactory, events, sdk
):
    bodies = [
        (
            f"s/p/E{index}/1-0.json",
            body(name, {key: {"type": "string"} for key in keys}, required=keys[:1]),
        )
        for index, (name, keys) in enumerate(events)
    ]
    text = _module(events_of(bodies), sdk, True)
    declared = declared_names(text)
    assert len(declared) == len(set(declared))
    folder = tmp_path_factory.mktemp("ts-names")
    _write(folder, "index.ts", text)
    result, diagnostics = ts_toolchain.tsc(folder, ["index.ts"])
    assert diagnostics == [] and result.returncode == 0, result.stdout + text
