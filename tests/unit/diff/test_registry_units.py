"""Pure parts of the registries: Segment rule conversions, retry policy, diff formatters."""

from __future__ import annotations

import json

from reflekt.core.diff import DiffReport, event_diff
from reflekt.core.output.diff import FORMATS
from reflekt.core.registries.http import RetryPolicy, error_message
from reflekt.core.registries.segment_convert import (
    collapse_types,
    rule_label,
    rule_to_remote,
    schema_to_rule,
)
from reflekt.core.schemas import Version, new_schema_body


def _body(name="Cart Viewed", version="1-1"):
    return new_schema_body(
        f"segment/shop/{name.replace(' ', '_')}/{version}.json",
        vendor="com.example",
        name=name,
        version=version,
        description="Viewed.",
        metadata={"owner": "web"},
        properties={
            "cart_id": {"type": "string", "description": "The cart."},
            "address": {
                "type": "object",
                "description": "Address.",
                "properties": {"zip": {"type": ["string", "null"], "description": "Zip."}},
            },
        },
        required=["cart_id"],
    )


def test_track_schema_to_rule_and_back():
    body = _body()
    rule = schema_to_rule(body, 1)
    assert rule["type"] == "TRACK" and rule["key"] == "Cart Viewed" and rule["version"] == 1
    section = rule["jsonSchema"]["properties"]["properties"]
    assert section["required"] == ["cart_id"] and section["additionalProperties"] is False
    assert rule["jsonSchema"]["labels"] == {"owner": "web"}
    remote = rule_to_remote(rule, "shop", "com.example")
    assert remote is not None and remote.version == Version(1, 0)
    expected = {**body, "$id": "segment/shop/Cart_Viewed/1-0.json"}
    expected["self"] = {**body["self"], "version": "1-0"}
    assert remote.body == expected


def test_identify_and_group_use_traits_without_key():
    for name, kind in (("Identify", "IDENTIFY"), ("Group", "GROUP")):
        rule = schema_to_rule(_body(name, "2-0"), 2)
        assert rule["type"] == kind and "key" not in rule
        assert rule["jsonSchema"]["properties"]["traits"]["required"] == ["cart_id"]
        assert rule["jsonSchema"]["properties"]["properties"] == {}
        remote = rule_to_remote(rule, "shop", "com.example")
        assert remote.name == name and remote.event_folder == name


def test_keyed_page_rule_keeps_its_type_through_the_metadata_marker():
    rule = {
        "type": "PAGE",
        "key": "Home",
        "version": 1,
        "jsonSchema": {"labels": {"owner": "web"}, "properties": {"properties": {}}},
    }
    remote = rule_to_remote(rule, "shop", "com.example")
    assert remote.name == "Home" and remote.event_folder == "Home"
    assert remote.body["metadata"] == {"owner": "web", "segment_rule_type": "PAGE"}
    back = schema_to_rule(remote.body, 1)
    assert (back["type"], back["key"]) == ("PAGE", "Home")
    assert back["jsonSchema"]["labels"] == {"owner": "web"}
    assert rule_label(back) == "Home (PAGE)@1"
    assert rule_label({"type": "IDENTIFY", "version": 2}) == "Identify@2"


def test_common_and_alias_rules_are_skipped():
    assert rule_to_remote({"type": "COMMON", "version": 1, "jsonSchema": {}}, "p", "v") is None
    assert rule_to_remote({"type": "ALIAS", "version": 1, "jsonSchema": None}, "p", "v") is None
    assert rule_to_remote({"type": "TRACK", "version": 1, "jsonSchema": None}, "p", "v") is None


def test_rule_with_null_json_schema_and_no_description():
    remote = rule_to_remote(
        {"type": "TRACK", "key": "X", "version": 3, "jsonSchema": None}, "p", "v"
    )
    assert remote.body["description"] == "" and remote.body["properties"] == {}
    assert remote.version == Version(3, 0)


def test_rules_with_odd_shapes_convert_without_crashing():
    odd = {"type": "TRACK", "key": "X", "version": 1, "jsonSchema": {"properties": ["x"]}}
    assert rule_to_remote(odd, "p", "v").body["properties"] == {}
    odd_required = {
        "type": "IDENTIFY",
        "version": 1,
        "jsonSchema": {"properties": {"traits": {"properties": {}, "required": "email"}}},
    }
    assert rule_to_remote(odd_required, "p", "v").body["required"] == []


def test_avo_events_with_odd_shapes_convert_without_crashing():
    from reflekt.core.registries.avo import export_to_remotes

    payload = {
        "events": [
            {"name": "A", "rules": {"properties": ["x"]}},
            {"name": "B", "rules": {"properties": {"properties": {"properties": ["x"]}}}},
            {"name": "C", "rules": {"properties": {"userProperties": {"properties": "x"}}}},
            {"name": "", "rules": {}},
            "not an event",
        ]
    }
    remotes = export_to_remotes(payload, "main", "v")
    assert [r.name for r in remotes] == ["A", "B", "C"]
    assert all(r.body["properties"] == {} for r in remotes)


def test_collapse_types_recurses():
    node = {
        "type": ["object"],
        "properties": {"a": {"type": ["integer"]}, "b": {"type": ["string", "null"]}},
        "items": {"type": ["string"]},
    }
    assert collapse_types(node) == {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": ["string", "null"]}},
        "items": {"type": "string"},
    }


def test_retry_policy_caps_waits_and_reads_env(monkeypatch):
    policy = RetryPolicy(backoff=0.5, max_wait=10)
    assert policy.wait(1, None) == 0.5 and policy.wait(3, None) == 2.0
    assert policy.wait(1, 7) == 7  # Retry-After preferred over the backoff schedule
    assert policy.wait(1, 120) == 10  # but capped
    monkeypatch.setenv("REFLEKT_HTTP_MAX_WAIT", "0")
    monkeypatch.setenv("REFLEKT_HTTP_RETRIES", "2")
    monkeypatch.setenv("REFLEKT_HTTP_TIMEOUT", "bogus")
    env = RetryPolicy.from_env()
    assert (env.max_wait, env.attempts, env.read_timeout) == (0.0, 2, RetryPolicy().read_timeout)


def test_error_message_reads_segment_and_avo_bodies():
    segment = {
        "errors": [{"type": "input-validation", "message": '"id" is required', "field": "id"}]
    }
    assert error_message(segment, "x") == '"id" is required (field: id)'
    assert error_message({"error": "Unauthorized"}, "x") == "Unauthorized"
    assert error_message({"message": "Branch not found", "warnings": []}, "x") == "Branch not found"
    assert error_message(None, "fallback") == "fallback"


def _report():
    v = Version.parse
    old = _body(version="1-0")
    new = json.loads(json.dumps(old))
    new["required"].append("address")
    breaking = event_diff(
        "segment/shop/Cart_Viewed",
        "Cart Viewed",
        (v("1-0"), new),
        (v("1-0"), old),
        "segment/shop/Cart_Viewed/1-0.json",
    )
    same = event_diff("segment/shop/Other", "Other", (v("1-0"), old), (v("1-0"), old))
    return DiffReport("segment/shop", (breaking, same))


def test_text_format():
    text = FORMATS["text"](_report())
    assert (
        "segment/shop/Cart_Viewed  MAJOR change, version not bumped: should be 2-0  (local 1-0, base 1-0)"
        in text
    )
    assert "MAJOR PROPERTY_MADE_REQUIRED address: property 'address' is now required" in text
    assert "Other" not in text
    assert text.endswith(
        "Compared 2 events with segment/shop: 1 needs a MAJOR version bump, 1 unchanged.\n"
    )


def test_json_format_is_deterministic():
    first, second = FORMATS["json"](_report()), FORMATS["json"](_report())
    assert first == second
    data = json.loads(first)
    assert data["summary"]["breaking"] == 1
    assert data["events"][0]["changes"][0] == {
        "code": "PROPERTY_MADE_REQUIRED",
        "path": "address",
        "class": "MAJOR",
        "message": "property 'address' is now required",
        "old": False,
        "new": True,
    }


def test_github_format_escapes():
    line = FORMATS["github"](_report()).splitlines()[0]
    assert line.startswith(
        "::error file=schemas/segment/shop/Cart_Viewed/1-0.json,"
        "title=reflekt diff%3A MAJOR change%2C version not bumped%3A should be 2-0::"
    )
    assert "\n" not in line
