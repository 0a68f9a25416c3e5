"""The TypeScript emitter's output, read as text (the compiler's verdict is the integration
tests'): structure, names, escaping, determinism and sections."""

from __future__ import annotations

import json
import re

import pytest
from typescript_support import (
    HOSTILE_TEXT,
    body,
    declared_names,
    demo_events,
    events_of,
    hostile_events,
)

from reflekt.core.codegen.emit import (
    PREAMBLE,
    CodeOptions,
    changed_sections,
    header_lines,
    section_marker,
    sections,
)
from reflekt.core.codegen.typescript import emit

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
SDKS = ("analytics-next", "analytics-node", "rudder", "none")


def options(sdk: str = "analytics-next", validate: bool = False) -> CodeOptions:
    return CodeOptions("typescript", sdk, validate, "reflekt build code --lang typescript", 27)


def text_of(events, sdk: str = "analytics-next", validate: bool = False) -> str:
    files = emit(events, options(sdk, validate))
    assert [file.path for file in files] == ["index.ts"]
    return files[0].text


@pytest.fixture(scope="module")
def demo():
    return demo_events()


@pytest.fixture(scope="module")
def hostile():
    return hostile_events()


def test_header_first_then_one_section_per_event(demo):
    text = text_of(demo)
    header = [f"// {line}" for line in header_lines(options())]
    assert text.splitlines()[: len(header)] == header
    found = sections(text)
    assert sorted(found) == sorted([PREAMBLE, *(event.key for event in demo)])
    for event in demo:
        assert found[event.key].startswith(section_marker("//", event.key) + "\n")
    assert text.endswith("}\n") and not text.endswith("\n\n")


def test_an_event_s_types_and_wrapper_are_in_its_own_section(demo):
    section = sections(text_of(demo))["Order Completed"]
    assert "export interface OrderCompleted {" in section
    assert "export interface OrderCompletedProducts {" in section
    assert "  products?: OrderCompletedProducts[];" in section
    assert "  order_id: string;" in section  # required: not optional
    assert "  checkout_id?: string;" in section
    assert '  currency?: "USD" | "EUR" | "GBP";' in section  # enum as a literal union
    assert "export function orderCompleted(properties: OrderCompleted, options?: CallOptions)" in (
        section
    )
    assert '  $client().track("Order Completed", properties, options);' in section
    # The plan's Order Completed is closed (no index signature); its products are open.
    root = section.split("export interface OrderCompletedProducts")[0]
    nested = section.split("export interface OrderCompletedProducts")[1]
    assert "[key: string]" not in root
    assert "  [key: string]: unknown;\n}" in nested


def test_descriptions_notes_and_integers_are_tsdoc(demo):
    section = sections(text_of(demo))["Order Completed"]
    assert "/**\n * User completed the order.\n *\n * code_owner: engineering/ecommerce-squad" in (
        section
    )
    assert " * Schema: segment/ecommerce/Order_Completed/2-0.json" in section
    assert "   * minimum: 0\n   */\n  total: number;" in section
    assert "   * Integer (a whole number).\n   */\n  quantity?: number;" in section


@pytest.mark.parametrize("sdk", SDKS)
def test_every_sdk_output_is_deterministic_and_order_free(demo, sdk):
    first = text_of(demo, sdk, validate=True)
    assert text_of(list(reversed(demo)), sdk, validate=True) == first
    assert text_of(demo, sdk, validate=True) == first
    assert "/tmp" not in first and "/work" not in first


def test_browser_wrappers_for_every_call():
    events = events_of(
        [
            ("s/p/Identify/1-0.json", body("Identify", {"email": {"type": "string"}})),
            ("s/p/Group/1-0.json", body("Group", {"plan": {"type": "string"}})),
            ("s/p/Page/1-0.json", body("Page", {"path": {"type": "string"}})),
            ("s/p/Screen/1-0.json", body("Screen", {})),
            (
                "s/p/Home/1-0.json",
                body("Home", {}, metadata={"segment_rule_type": "PAGE"}),
            ),
        ]
    )
    text = text_of(events, "analytics-next")
    assert "export function identify(userId: string | null, traits?: Identify, options?:" in text
    assert "  if (userId === null) $client().identify(traits ?? {}, options);" in text
    assert "  else $client().identify(userId, traits ?? {}, options);" in text
    assert "  $client().group(groupId, traits ?? {}, options);" in text
    assert "export function page(properties?: Page, options?: CallOptions, name?: string)" in text
    assert '  $client().page("Home", properties ?? {}, options);' in text
    assert "  if (name === undefined) $client().screen(properties ?? {}, options);" in text
    # Only the calls the plan makes are asked of the client.
    client = text.split("export interface AnalyticsClient {")[1].split("}")[0]
    assert "track(" not in client
    assert all(f"  {call}(" in client for call in ("identify", "group", "page", "screen"))


def test_node_wrappers_take_the_identity_and_send_the_object_form(demo):
    text = text_of(demo, "analytics-node")
    assert (
        "export function cartViewed(identity: Identity, properties: CartViewed, "
        "options?: CallOptions): void {\n"
        '  $client().track({ ...options, ...identity, event: "Cart Viewed", properties });'
    ) in text
    assert "export type Identity =" in text
    assert "export function identify(identity: Identity, traits" in text
    assert "$client().identify({ ...options, ...identity, traits: traits ?? {} })" in text
    assert "options?: CallOptions & PageOptions" in text


def test_sdk_none_emits_types_only(demo):
    for validate in (False, True):
        text = text_of(demo, "none", validate)
        assert "export function" not in text
        assert "AnalyticsClient" not in text and "$client" not in text
        assert "$check" not in text and "setViolationHandler" not in text
        assert "export interface OrderCompleted {" in text


def test_validation_code_only_when_asked(demo):
    off = text_of(demo, "analytics-next", validate=False)
    on = text_of(demo, "analytics-next", validate=True)
    assert "$check" not in off and "$Node" not in off and "setViolationHandler" not in off
    assert "export function setViolationHandler(handler: ViolationHandler | null)" in on
    section = sections(on)["Cart Viewed"]
    assert 'const $s_CartViewed = "{\\"k\\":\\"object\\",' in section
    assert '  if ($handler !== null) $check("Cart Viewed", $s_CartViewed, properties);' in section


def test_validation_descriptor_follows_the_type():
    events = events_of(
        [
            (
                "s/p/Thing/1-0.json",
                body(
                    "Thing",
                    {
                        "n": {"type": "integer"},
                        "tags": {"type": "array", "items": {"enum": ["a", 1, None]}},
                        "o": {"type": "object", "properties": {"k": {"type": ["string", "null"]}}},
                        "big": {"const": 10**20},
                    },
                    required=["n"],
                ),
            )
        ]
    )
    text = text_of(events, validate=True)
    line = next(line for line in text.splitlines() if line.startswith("const $s_Thing = "))
    literal = line.removeprefix("const $s_Thing = ").removesuffix(";")
    assert json.loads(json.loads(literal)) == {
        "k": "object",
        "f": [
            ["n", True, {"k": "integer"}],
            ["tags", False, {"k": "array", "i": {"k": "literals", "v": ["a", 1, None]}}],
            [
                "o",
                False,
                {
                    "k": "object",
                    "f": [["k", False, {"k": "union", "o": [{"k": "string"}, {"k": "null"}]}]],
                    "x": True,
                },
            ],
            # 10**20 has no exact double: any number
            ["big", False, {"k": "union", "o": [{"k": "literals", "v": []}, {"k": "number"}]}],
        ],
        "x": False,
    }
    assert '  tags?: ("a" | 1 | null)[];' in text
    assert "  big?: number;" in text  # 10**20 has no exact double: number


def test_names_collisions_reserved_words_digits_and_punctuation():
    names = ["Cart Viewed", "CartViewed", "delete", "1st Visit", "!!!", "String", "setAnalytics"]
    events = events_of([(f"s/p/E{i}/1-0.json", body(name, {})) for i, name in enumerate(names)])
    text = text_of(events)
    declared = declared_names(text)
    assert len(declared) == len(set(declared))
    # Rule 4: wire-name order decides: "Cart Viewed" < "CartViewed".
    assert "export interface CartViewed {" in sections(text)["Cart Viewed"]
    assert "export interface CartViewed_2 {" in sections(text)["CartViewed"]
    assert '$client().track("CartViewed", properties ?? {}, options);' in text
    assert "export function delete_(" in text and "export interface Delete {" in text
    assert "export interface _1stVisit {" in text and "export function _1stVisit_2(" in text
    assert "export interface Event {" in text and "export function event(" in text
    assert "export interface String_ {" in text  # would shadow the global String
    assert "export function setAnalytics_(" in text  # the module's own export
    assert '$client().track("!!!", properties ?? {}, options);' in text  # wire name kept


def test_major_versions_get_their_own_names():
    bodies = [
        (f"s/p/Cart_Viewed/{v}.json", body("Cart Viewed", {"v": {"type": "string"}}))
        for v in ("1-0", "1-1", "2-0")
    ]
    text = text_of(events_of(bodies, "all"))
    assert sorted(sections(text)) == ["", "Cart Viewed v1", "Cart Viewed v2"]
    assert "export interface CartViewedV1 {" in sections(text)["Cart Viewed v1"]
    assert "export function cartViewedV2(" in sections(text)["Cart Viewed v2"]
    assert text.count('$client().track("Cart Viewed", ') == 2


def test_property_keys_keep_their_wire_names():
    events = events_of(
        [
            (
                "s/p/E/1-0.json",
                body(
                    "E",
                    {
                        k: {"type": "string"}
                        for k in ("plain_1", "$ok", "a-b", "", "1st", "with space", "🎉")
                    },
                ),
            )
        ]
    )
    text = text_of(events)
    for line in (
        "  plain_1?: string;",
        "  $ok?: string;",
        '  "a-b"?: string;',
        '  ""?: string;',
        '  "1st"?: string;',
        '  "with space"?: string;',
        '  "\\ud83c\\udf89"?: string;',
    ):
        assert line in text


@pytest.mark.parametrize("sdk", SDKS)
def test_hostile_input_stays_inside_comments_and_strings(hostile, sdk):
    text = text_of(hostile, sdk, validate=True)
    text.encode("utf-8")  # no lone surrogate left raw
    for bad in ("\u2028", "\u2029", "\u202e", "\u2066", "\r", "\x0b", "\x0c", "\x85"):
        assert bad not in text
    assert HOSTILE_TEXT.splitlines()[0] not in text  # its "*/" is always escaped
    # Every `*/` closes a comment at the end of its line; in code, comment marks and the
    # hostile text's raw characters are only ever inside (escaped) string literals.
    in_comment = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("/*"):
            in_comment = True
        if in_comment:
            assert stripped.startswith(("/*", "* ")) or stripped in ("*", "*/"), line
            assert line.count("*/") <= 1 and ("*/" not in line or stripped.endswith("*/")), line
            in_comment = "*/" not in line
        elif not stripped.startswith("//"):
            code = _STRING.sub('""', line)
            assert "*/" not in code and "/*" not in code and "🎉" not in code, line
    assert not in_comment
    declared = declared_names(text)
    assert len(declared) == len(set(declared))
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) for name in declared)


def test_sections_name_only_the_event_that_changed(demo):
    from dataclasses import replace

    from reflekt.core.codegen.model import Doc

    before = text_of(demo, validate=True)
    changed = [
        replace(event, doc=Doc("Now described differently.", event.doc.notes))
        if event.key == "Coupon Applied"
        else event
        for event in demo
    ]
    after = text_of(changed, validate=True)
    assert changed_sections(before, after) == ([], [], ["Coupon Applied"])
    assert changed_sections(before, text_of(demo[1:], validate=True)) == (
        [],
        [demo[0].key],
        [],
    )


@pytest.mark.parametrize("sdk", SDKS)
def test_no_events_gives_the_header_and_an_empty_module(sdk):
    text = text_of([], sdk, validate=True)
    header = "".join(f"// {line}\n" for line in header_lines(options(sdk)))
    assert text == header + "\n/* eslint-disable */\nexport {};\n"
