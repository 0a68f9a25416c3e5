"""Push never erases what Reflekt does not own; `any` and untyped properties are normal (issue 8).

Over the wire against the local Segment fake, through the CLI: rules shaped like the real
plans (root `required: ["properties"]`, `context`, `traits`, unknown keywords, `"type":
"any"`, untyped properties, names with spaces) pull, lint clean with the default project,
and push back with every byte of foreign content intact, only the edited part changed; a
rule the plan lost is re-created from what the pull kept. `push --delete` sends at most 20
rules per DELETE. A library or template sharing a live plan's name is never picked unless
`--plan-type` asks for it. `any` through diff and lint gives sensible classes, no crash.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "registries"))

from registry_fakes import (
    SEGMENT_TOKEN,
    FakeSegment,
    _delete_rules_from_query,
    track_rule,
)

from reflekt.cli import cli
from reflekt.core.registries.segment_convert import (
    foreign_part,
    rule_to_remote,
    schema_to_rule,
)
from reflekt.core.schemas import dump_schema, parse_schema_text

PLAN = "shop"


# -- rules shaped like the real plans ------------------------------------------------------


def page_viewed() -> dict[str, Any]:
    """Root `required`, `context`/`traits` set in Segment's editor, unknown keywords, `any`."""
    return {
        "key": "Page Viewed",
        "type": "TRACK",
        "version": 1,
        "jsonSchema": {
            "required": ["properties"],
            "x-owner": {"team": "web", "slack": "#web"},
            "labels": {"area": "web"},
            "description": "A page was viewed.",
            "properties": {
                "context": {"type": "object", "required": ["page"]},
                "traits": {"type": "object"},
                "properties": {
                    "type": "object",
                    "description": "kept as Segment stores it",
                    "properties": {
                        "page_kind": {"type": ["any"], "description": "Anything."},
                        "url": {"type": ["string"], "description": "The URL."},
                    },
                    "required": ["url"],
                },
            },
        },
    }


def site_searched() -> dict[str, Any]:
    """An untyped property and names with spaces, as in the real plans."""
    return {
        "key": "Site Searched",
        "type": "TRACK",
        "version": 1,
        "jsonSchema": {
            "properties": {
                "context": {},
                "traits": {},
                "properties": {
                    "properties": {
                        "site id": {},
                        "page type": {"type": ["string"], "description": "Kind of page."},
                    },
                },
            },
        },
    }


def identify() -> dict[str, Any]:
    """A keyless IDENTIFY rule: Reflekt owns `traits`, `properties.properties` is foreign."""
    return {
        "type": "IDENTIFY",
        "version": 1,
        "jsonSchema": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "required": ["traits"],
            "properties": {
                "context": {},
                "properties": {"type": "object", "properties": {"legacy": {"type": "string"}}},
                "traits": {
                    "type": "object",
                    "properties": {"email": {"type": ["string"], "description": "Email."}},
                    "required": [],
                },
            },
        },
    }


def plain() -> dict[str, Any]:
    return track_rule("Cart Viewed")


# -- plumbing ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFLEKT_HTTP_MAX_WAIT", "0")
    monkeypatch.setenv("REFLEKT_HTTP_TIMEOUT", "10")


@pytest.fixture
def segment() -> Iterator[FakeSegment]:
    server = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    yield server
    server.stop()


@pytest.fixture
def project(make_project, segment):
    built = make_project()
    built.write_profiles(
        {
            "version": 1.0,
            "dev": {
                "registry": [
                    {"type": "segment", "api_token": SEGMENT_TOKEN, "api_url": segment.url}
                ]
            },
        }
    )
    return built


def invoke(project, *args: str):
    result = CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)])
    assert "Traceback" not in result.output
    return result


def files_by_name(project) -> dict[str, Path]:
    """Pulled schema files by `self.name` (folder names are the names rule's business)."""
    out = {}
    for path in (project.schemas_dir / "segment" / PLAN).rglob("*.json"):
        out[json.loads(path.read_text(encoding="utf-8"))["self"]["name"]] = path
    return out


def stored(segment: FakeSegment, kind: str, key: str = "", plan: str = PLAN) -> dict[str, Any]:
    found = [
        r for r in segment.plan_named(plan).rules if r["type"] == kind and r.get("key", "") == key
    ]
    assert len(found) == 1, found
    return found[0]


def lint(project, *selects: str) -> list[dict[str, Any]]:
    args = ["lint", "--format", "json"]
    for sel in selects:
        args += ["--select", sel]
    result = invoke(project, *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["findings"]


def relative(project, path: Path) -> str:
    return path.relative_to(project.schemas_dir).as_posix()


def edit(path: Path, change) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    change(body)
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")


def seed(segment: FakeSegment, rules: list[dict[str, Any]], **kwargs: Any):
    return segment.add_plan(PLAN, copy.deepcopy(rules), **kwargs)


# -- the round trip ------------------------------------------------------------------------


def test_pull_edit_push_keeps_every_byte_reflekt_does_not_own(segment, project):
    originals = [page_viewed(), site_searched(), identify(), plain()]
    seed(segment, originals)

    pulled = invoke(project, "pull", "-s", f"segment/{PLAN}")
    assert pulled.exit_code == 0, pulled.output
    files = files_by_name(project)
    assert set(files) == {"Page Viewed", "Site Searched", "Identify", "Cart Viewed"}
    page = json.loads(files["Page Viewed"].read_text(encoding="utf-8"))
    assert page["properties"]["page_kind"]["type"] == "any"
    assert page["metadata"]["area"] == "web"
    kept = page["metadata"]["segment_rule"]["jsonSchema"]
    assert kept["required"] == ["properties"] and kept["x-owner"]["team"] == "web"
    assert kept["properties"]["context"] == {"type": "object", "required": ["page"]}
    # An ordinary rule keeps nothing extra: the file is what it always was.
    cart = json.loads(files["Cart Viewed"].read_text(encoding="utf-8"))
    assert "segment_rule" not in cart["metadata"]

    # Lint with the default project: `any` and the kept content are clean.
    clean = [relative(project, files[n]) for n in ("Page Viewed", "Identify", "Cart Viewed")]
    assert lint(project, *clean) == []
    # Untyped properties and names with spaces: only the project's own rules speak.
    codes = {f["rule"] for f in lint(project, relative(project, files["Site Searched"]))}
    assert codes and codes <= {"RF311", "RF402", "RF501", "RF401"}, codes

    # A second pull changes no byte (the kept content is deterministic).
    before = {p: p.read_bytes() for p in files.values()}
    again = invoke(project, "pull", "-s", f"segment/{PLAN}")
    assert again.exit_code == 0 and "0 created, 0 updated, 4 unchanged" in again.output
    assert {p: p.read_bytes() for p in files.values()} == before
    # Diff sees no change (the kept content is not compared).
    diffed = invoke(project, "diff", "-s", f"segment/{PLAN}", "--format", "json")
    assert diffed.exit_code == 0, diffed.output
    assert all(not e["changes"] for e in json.loads(diffed.stdout)["events"])

    # Edit one property of Page Viewed and one trait of Identify; push.
    edit(
        files["Page Viewed"],
        lambda b: b["properties"]["url"].update(description="The page URL."),
    )
    edit(files["Identify"], lambda b: b["properties"]["email"].update(format="email"))
    segment.requests.clear()
    pushed = invoke(
        project,
        "push",
        "-s",
        relative(project, files["Page Viewed"]).removesuffix(".json"),
        "-s",
        relative(project, files["Identify"]).removesuffix(".json"),
        "-s",
        relative(project, files["Cart Viewed"]).removesuffix(".json"),
    )
    assert pushed.exit_code == 0, pushed.output
    assert "0 created, 2 updated, 1 unchanged" in pushed.output

    expected_page = copy.deepcopy(page_viewed()["jsonSchema"])
    expected_page["properties"]["properties"]["properties"]["url"] = {
        "type": "string",
        "description": "The page URL.",
    }
    assert stored(segment, "TRACK", "Page Viewed")["jsonSchema"] == expected_page
    expected_identify = copy.deepcopy(identify()["jsonSchema"])
    expected_identify["properties"]["traits"]["properties"]["email"] = {
        "type": "string",
        "description": "Email.",
        "format": "email",
    }
    assert stored(segment, "IDENTIFY")["jsonSchema"] == expected_identify
    # Untouched rules are byte-for-byte what Segment had, and were not sent.
    assert stored(segment, "TRACK", "Cart Viewed")["jsonSchema"] == plain()["jsonSchema"]
    assert stored(segment, "TRACK", "Site Searched")["jsonSchema"] == site_searched()["jsonSchema"]
    patches = segment.calls("PATCH")
    assert len(patches) == 1
    assert sorted(r.get("key", "") for r in patches[0].body["rules"]) == ["", "Page Viewed"]


def test_untyped_properties_and_spaced_names_push_per_project_rules(segment, project):
    seed(segment, [site_searched()])
    assert invoke(project, "pull", "-s", f"segment/{PLAN}").exit_code == 0
    path = files_by_name(project)["Site Searched"]
    select = relative(project, path).removesuffix(".json")

    refused = invoke(project, "push", "-s", select)  # the default project's rules refuse
    assert refused.exit_code == 1 and "RF102" not in refused.output

    config = (project.root / "reflekt_project.yml").read_text(encoding="utf-8")
    config = config.replace("casing: snake", "casing: any")
    config += "\nlint:\n  rules:\n    property-type: off\n    property-description: off\n"
    config += "    event-description: off\n"
    project.set_config(config)
    assert lint(project, select) == []
    edit(path, lambda b: b["properties"]["page type"].update(description="The page kind."))
    pushed = invoke(project, "push", "-s", select)
    assert pushed.exit_code == 0, pushed.output
    expected = copy.deepcopy(site_searched()["jsonSchema"])
    expected["properties"]["properties"]["properties"]["page type"] = {
        "type": "string",
        "description": "The page kind.",
    }
    assert stored(segment, "TRACK", "Site Searched")["jsonSchema"] == expected


def test_a_rule_the_plan_lost_is_recreated_from_what_pull_kept(segment, project):
    plan = seed(segment, [page_viewed(), plain()])
    assert invoke(project, "pull", "-s", f"segment/{PLAN}").exit_code == 0
    plan.rules = [r for r in plan.rules if r.get("key") != "Page Viewed"]  # lost in Segment

    pushed = invoke(project, "push", "-s", f"segment/{PLAN}")
    assert pushed.exit_code == 0, pushed.output
    assert "1 created, 0 updated, 1 unchanged" in pushed.output
    recreated = stored(segment, "TRACK", "Page Viewed")["jsonSchema"]
    original = page_viewed()["jsonSchema"]
    for key in ("required", "x-owner", "labels", "description"):
        assert recreated[key] == original[key]
    assert recreated["properties"]["context"] == original["properties"]["context"]
    assert recreated["properties"]["traits"] == original["properties"]["traits"]
    section = recreated["properties"]["properties"]
    assert section["description"] == "kept as Segment stores it"
    assert section["type"] == "object"
    assert section["properties"]["page_kind"] == {"type": "any", "description": "Anything."}
    assert section["required"] == ["url"]
    assert "segment_rule" not in recreated["labels"]  # the kept copy is never a label


def test_push_to_a_new_plan_carries_the_kept_content(segment, project):
    seed(segment, [page_viewed()])
    assert invoke(project, "pull", "-s", f"segment/{PLAN}").exit_code == 0
    source = files_by_name(project)["Page Viewed"]
    target = project.schemas_dir / "segment" / "shop_copy" / source.parent.name / source.name
    target.parent.mkdir(parents=True)
    body = json.loads(source.read_text(encoding="utf-8"))
    body["$id"] = relative(project, target)
    target.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")

    pushed = invoke(project, "push", "-s", "segment/shop_copy")
    assert pushed.exit_code == 0, pushed.output
    rule = stored(segment, "TRACK", "Page Viewed", plan="shop_copy")
    assert rule["jsonSchema"]["required"] == ["properties"]
    assert rule["jsonSchema"]["x-owner"] == page_viewed()["jsonSchema"]["x-owner"]


# -- push --delete -------------------------------------------------------------------------


def _letters(i: int) -> str:
    return "".join(chr(ord("a") + (i // 26**n) % 26) for n in (2, 1, 0)).capitalize()


def test_delete_sends_at_most_twenty_rules_per_request(segment, project):
    names = [f"Event {_letters(i)}" for i in range(45)]
    seed(segment, [track_rule(name) for name in names] + [plain()])
    assert invoke(project, "pull", "-s", f"segment/{PLAN}").exit_code == 0
    files = files_by_name(project)
    segment.requests.clear()

    selects = []
    for name in names:
        selects += ["-s", relative(project, files[name].parent)]
    deleted = invoke(project, "push", "--delete", "--yes", *selects)

    assert deleted.exit_code == 0, deleted.output
    assert "45 deleted" in deleted.output
    sizes = [len(_delete_rules_from_query(r.query)) for r in segment.calls("DELETE")]
    assert sizes == [20, 20, 5]
    for request in segment.calls("DELETE"):  # indexes 0..19: what Node's `qs` keeps as an array
        indexes = {int(k.split(".")[1].split("[")[0]) for k, _ in request.query}
        assert max(indexes) < 20
    assert [r.get("key") for r in segment.plan_named(PLAN).rules] == ["Cart Viewed"]


# -- plan type -----------------------------------------------------------------------------


def _two_plans_of_one_name(segment: FakeSegment) -> None:
    # The template comes first: a lookup by name alone picks it.
    segment.add_plan(PLAN, [track_rule("Template Event")], plan_type="TEMPLATE")
    segment.add_plan(PLAN, [track_rule("Live Event")])


def test_the_live_plan_is_picked_over_a_template_of_the_same_name(segment, project):
    _two_plans_of_one_name(segment)

    pulled = invoke(project, "pull", "-s", f"segment/{PLAN}")
    assert pulled.exit_code == 0, pulled.output
    assert set(files_by_name(project)) == {"Live Event"}
    listing = segment.calls("GET", "/tracking-plans")
    assert listing and all(("type", "LIVE") in r.query for r in listing)

    diffed = invoke(project, "diff", "-s", f"segment/{PLAN}", "--format", "json")
    assert diffed.exit_code == 0, diffed.output
    template = invoke(
        project, "diff", "-s", f"segment/{PLAN}", "--plan-type", "template", "--format", "json"
    )
    events = {e["name"]: e["verdict"] for e in json.loads(template.stdout)["events"]}
    assert events == {"Live Event": "new", "Template Event": "removed"}

    chosen = invoke(project, "pull", "-s", f"segment/{PLAN}", "--plan-type", "TEMPLATE")
    assert chosen.exit_code == 0, chosen.output
    assert set(files_by_name(project)) == {"Live Event", "Template Event"}

    # push goes to the live plan unless told otherwise
    path = files_by_name(project)["Live Event"]
    edit(path, lambda b: b["properties"]["cart_id"].update(description="Which cart."))
    pushed = invoke(project, "push", "-s", relative(project, path.parent))
    assert pushed.exit_code == 0, pushed.output
    live = next(p for p in segment.plans.values() if p.type == "LIVE")
    template_plan = next(p for p in segment.plans.values() if p.type == "TEMPLATE")
    section = live.rules[0]["jsonSchema"]["properties"]["properties"]
    assert section["properties"]["cart_id"]["description"] == "Which cart."
    assert [r["key"] for r in template_plan.rules] == ["Template Event"]


class FilterlessSegment(FakeSegment):
    """A server that ignores `?type=` (older or partial implementations): every plan."""

    def _list_plans(self, record):
        record.query = [(k, v) for k, v in record.query if k != "type"]
        return super()._list_plans(record)


def test_the_live_plan_is_picked_even_when_the_server_ignores_the_filter(make_project):
    server = FilterlessSegment(tokens=(SEGMENT_TOKEN,)).start()
    try:
        _two_plans_of_one_name(server)
        built = make_project()
        built.write_profiles(
            {
                "version": 1.0,
                "dev": {
                    "registry": [
                        {"type": "segment", "api_token": SEGMENT_TOKEN, "api_url": server.url}
                    ]
                },
            }
        )
        pulled = invoke(built, "pull", "-s", f"segment/{PLAN}")
        assert pulled.exit_code == 0, pulled.output
        assert set(files_by_name(built)) == {"Live Event"}
    finally:
        server.stop()


def test_only_a_template_of_that_name_says_how_to_choose_it(segment, project):
    segment.add_plan(PLAN, [track_rule("Template Event")], plan_type="TEMPLATE")

    missing = invoke(project, "pull", "-s", f"segment/{PLAN}")
    assert missing.exit_code == 3
    assert "no LIVE tracking plan named 'shop'" in missing.output
    assert "--plan-type TEMPLATE" in missing.output

    bad = invoke(project, "pull", "-s", f"segment/{PLAN}", "--plan-type", "SANDBOX")
    assert bad.exit_code == 2


def test_push_creates_a_missing_plan_of_the_chosen_type(segment, project):
    project.add_schema(f"segment/{PLAN}/Cart_Viewed/1-0", metadata={})
    pushed = invoke(project, "push", "-s", f"segment/{PLAN}", "--plan-type", "TEMPLATE")
    assert pushed.exit_code == 0, pushed.output
    created = segment.plan_named(PLAN)
    assert created.type == "TEMPLATE" and len(created.rules) == 1


# -- `any` through lint and diff -----------------------------------------------------------


def _any_schema(project, type_value: Any, version: str = "1-0") -> Path:
    return project.add_schema(
        f"segment/{PLAN}/Cart_Viewed/{version}",
        {"payload": {"type": type_value, "description": "Anything at all."}},
        metadata={},
        description="An event.",  # as track_rule() says: only the type differs
    )


def test_any_is_valid_json_schema_and_a_project_data_type(project):
    _any_schema(project, "any")
    assert lint(project) == []
    _any_schema(project, ["any", "null"])
    assert lint(project) == []
    _any_schema(project, "anything")  # not a type at all: still RF102
    assert {f["rule"] for f in lint(project)} >= {"RF102"}

    # A project that leaves `any` out of data_types: RF502 says so, not RF102.
    _any_schema(project, "any")
    config = (project.root / "reflekt_project.yml").read_text(encoding="utf-8")
    project.set_config(config.replace("array, any, 'null'", "array, 'null'"))
    assert {f["rule"] for f in lint(project)} == {"RF502"}


def test_a_meta_schema_built_on_draft7_accepts_any(project):
    meta_path = project.schemas_dir / ".reflekt" / "event-meta" / "1-0.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["allOf"] = [{"$ref": "http://json-schema.org/draft-07/schema#"}]
    meta["properties"]["metadata"]["required"] = ["owner"]
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    _any_schema(project, "any")

    findings = lint(project)
    assert [f["rule"] for f in findings] == ["RF103"]  # the missing owner, nothing about `any`
    assert "owner" in findings[0]["message"]


@pytest.mark.parametrize(
    ("remote", "local", "code", "klass"),
    [
        (["string"], "any", "TYPE_WIDENED", "MAJOR"),  # a type change, widening included
        (["any"], "string", "TYPE_NARROWED", "MAJOR"),
        (None, "any", None, "NONE"),
        (["any"], ["integer", "null"], "TYPE_NARROWED", "MAJOR"),
    ],
)
def test_any_through_diff(segment, project, remote, local, code, klass):
    prop: dict[str, Any] = {"description": "Anything at all."}
    if remote is not None:
        prop["type"] = remote
    seed(segment, [track_rule("Cart Viewed", {"payload": prop})])
    _any_schema(project, local)

    diffed = invoke(project, "diff", "-s", f"segment/{PLAN}", "--format", "json")
    assert diffed.exit_code in (0, 1), diffed.output
    (event,) = json.loads(diffed.stdout)["events"]
    assert event["class"] == klass
    assert [c["code"] for c in event["changes"]] == ([code] if code else [])
    assert diffed.exit_code == (1 if klass == "MAJOR" else 0)


# -- the conversion's contract, over arbitrary foreign content -----------------------------

_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=8)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_extra = st.dictionaries(
    st.text(max_size=8).filter(
        lambda k: (
            k
            not in (
                "properties",
                "required",
                "additionalProperties",
                "description",
                "labels",
                "type",
                "$schema",
            )
        )
    ),
    _json,
    max_size=3,
)
_property = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["string", ["string"], "any", ["any"], ["integer", "null"]]),
        "description": st.text(max_size=10),
        "enum": st.lists(st.text(max_size=4), max_size=3),
    },
)


@st.composite
def rules(draw) -> dict[str, Any]:
    kind = draw(st.sampled_from(["TRACK", "IDENTIFY", "GROUP", "PAGE"]))
    own, other = (
        ("traits", "properties") if kind in ("IDENTIFY", "GROUP") else ("properties", "traits")
    )
    section: dict[str, Any] = draw(_extra)
    names = draw(st.lists(st.text(min_size=1, max_size=8), max_size=4, unique=True))
    if draw(st.booleans()):
        section["properties"] = {name: draw(_property) for name in names}
    if draw(st.booleans()):
        section["required"] = draw(
            st.lists(st.sampled_from(names) if names else st.just("x"), max_size=2)
        )
    if draw(st.booleans()):
        section["additionalProperties"] = draw(st.booleans())
    if draw(st.booleans()):
        section["type"] = draw(st.sampled_from(["object", ["object"]]))
    sections = {
        own: section,
        "context": draw(st.just({}) | _extra),
        other: draw(st.just({}) | _extra),
    }
    json_schema: dict[str, Any] = {"properties": sections, **draw(_extra)}
    for key, strategy in (
        ("$schema", st.just("http://json-schema.org/draft-07/schema#")),
        ("type", st.just("object")),
        ("description", st.text(max_size=10)),
        (
            "labels",
            st.dictionaries(
                st.sampled_from(["team", "area", "segment_rule"]), st.text(max_size=5), max_size=2
            ),
        ),
        ("required", st.just(["properties"])),
    ):
        if draw(st.booleans()):
            json_schema[key] = draw(strategy)
    rule = {"type": kind, "version": draw(st.integers(1, 3)), "jsonSchema": json_schema}
    if kind == "TRACK" or draw(st.booleans()):
        rule["key"] = draw(st.sampled_from(["Cart Viewed", "Home", "Order Completed"]))
    return rule


def _through_a_file(rule: dict[str, Any]) -> dict[str, Any]:
    """Pull (convert, write the file's text, read it back)."""
    remote = rule_to_remote(rule, PLAN, "com.example")
    assert remote is not None
    body, problems = parse_schema_text(dump_schema(remote.body))
    assert not problems and body is not None
    return body


@settings(max_examples=300, deadline=None)
@given(rules())
def test_an_unedited_pull_pushes_back_exactly_what_segment_stores(rule):
    body = _through_a_file(rule)
    pushed = schema_to_rule(body, rule["version"], rule)
    assert pushed["jsonSchema"] == rule["jsonSchema"]
    assert (pushed["type"], pushed.get("key", ""), pushed["version"]) == (
        rule["type"],
        rule.get("key", ""),
        rule["version"],
    )


@settings(max_examples=300, deadline=None)
@given(rules(), st.text(max_size=10))
def test_an_edit_changes_only_what_was_edited_and_a_lost_rule_keeps_the_rest(rule, text):
    body = _through_a_file(rule)
    body["properties"]["new property"] = {"type": "string", "description": text}
    kind = rule["type"]
    pushed = schema_to_rule(body, rule["version"], rule)["jsonSchema"]
    assert foreign_part(pushed, kind) == foreign_part(rule["jsonSchema"], kind)
    section = pushed["properties"]["traits" if kind in ("IDENTIFY", "GROUP") else "properties"]
    original = rule["jsonSchema"]["properties"][
        "traits" if kind in ("IDENTIFY", "GROUP") else "properties"
    ]
    for name, sub in (original.get("properties") or {}).items():
        assert section["properties"][name] == sub  # untouched properties keep Segment's form
    assert section["properties"]["new property"]["description"] == text

    recreated = schema_to_rule(body, rule["version"])["jsonSchema"]  # the plan lost the rule
    foreign = foreign_part(rule["jsonSchema"], kind)
    if "segment_rule" in body["metadata"]:
        assert foreign_part(recreated, kind) == foreign
    else:  # nothing kept: only the skeleton every rule has
        assert foreign_part(recreated, kind)["properties"]["context"] == {}
    labels = rule["jsonSchema"].get("labels") or {}
    assert recreated["labels"].get("segment_rule") == labels.get("segment_rule")  # not the copy
