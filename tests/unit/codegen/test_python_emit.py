"""The Python emitter: structure, names, hostile names and descriptions, sections."""

from __future__ import annotations

import ast
import typing
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_codegen_support import (
    EVIL,
    HOSTILE_KEYS,
    body,
    demo_events,
    events_of,
    hostile_events,
    import_package,
    options,
    write_package,
)

from reflekt.core.codegen import python
from reflekt.core.codegen.emit import header_lines, sections
from reflekt.core.codegen.python import has_surrogate
from reflekt.core.escape import python_string


class Recorder:
    """A client that keeps what it was asked to send (stands in for the SDK's Client)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _record(self, call: str, kwargs: dict[str, Any]) -> None:
        self.calls.append((call, kwargs))

    def track(self, **kwargs: Any) -> None:
        self._record("track", kwargs)

    def identify(self, **kwargs: Any) -> None:
        self._record("identify", kwargs)

    def group(self, **kwargs: Any) -> None:
        self._record("group", kwargs)

    def page(self, **kwargs: Any) -> None:
        self._record("page", kwargs)

    def screen(self, **kwargs: Any) -> None:
        self._record("screen", kwargs)


def top_level_names(text: str) -> list[str]:
    """Every name the module binds at the top level (imports, classes, functions, assigns)."""
    names: list[str] = []
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [alias.asname or alias.name for alias in node.names]
    return names


def init_text(events: list[Any], sdk: str = "analytics-python") -> str:
    files = {f.path: f.text for f in python.emit(events, options(sdk, len(events)))}
    assert sorted(files) == ["__init__.py", "py.typed"]
    return files["__init__.py"]


def test_demo_structure() -> None:
    events = demo_events()
    files = python.emit(events, options("analytics-python", len(events)))
    init, typed = files[0].text, files[1].text
    header = "".join(f"# {line}\n" for line in header_lines(options("analytics-python", 27)))
    assert init.startswith(header) and typed == header
    assert "class CartViewedProperties(TypedDict):\n" in init
    assert "    cart_id: str\n" in init and "    products: NotRequired[list[" in init
    assert "def cart_viewed(\n    properties: CartViewedProperties,\n    *,\n" in init
    assert 'event="Cart Viewed",' in init
    assert "def identify(\n    traits: IdentifyTraits | None = None," in init
    assert "def page(\n    properties: PageProperties | None = None," in init
    compile(init, "__init__.py", "exec")
    names = top_level_names(init)
    assert [n for n, c in Counter(names).items() if c > 1] == []


def test_sections_one_per_event_and_byte_identical() -> None:
    events = hostile_events()
    text = init_text(events)
    assert text == init_text(list(events))  # a pure function of its input
    cut = sections(text)
    assert sorted(k for k in cut if k) == sorted(e.key for e in events)
    assert len(events) == len({e.key for e in events})
    for event in events:  # the event's function is inside its own section
        assert "def " in cut[event.key] and code_event_marker(event.key) in cut[event.key]


@given(st.text(st.characters(exclude_categories=())))
def test_python_string_reads_back_exactly(text: str) -> None:
    literal = python_string(text)
    assert literal.isascii() and "\n" not in literal
    assert ast.literal_eval(literal) == text


def code_event_marker(key: str) -> str:
    from reflekt.core.escape import code_string

    return f"# reflekt:event {code_string(key)}"


def test_hostile_names_compile_import_and_give_the_wire_names_back(tmp_path: Path) -> None:
    events = hostile_events()
    write_package(events, tmp_path, "hostile_unit")
    module = import_package(tmp_path, "hostile_unit")
    text = (tmp_path / "hostile_unit" / "__init__.py").read_text(encoding="utf-8")
    assert text.isascii()  # every name and key as an escape: no bidi mark or NUL raw
    names = top_level_names(text)
    assert [n for n, c in Counter(names).items() if c > 1] == []
    # keywords and builtins never shadowed; the module's own names stay its own
    for reserved in ("class", "None", "match", "str", "list", "type"):
        assert reserved not in names
    assert module.set_client.__module__ == "hostile_unit"
    assert callable(module.class_) and callable(module.str_) and callable(module.set_client_)
    # the TypedDict has exactly the schema's keys, but those no type can hold
    props = typing.get_type_hints(module.EventProperties, include_extras=True)
    typed_keys = {k for k in HOSTILE_KEYS if not has_surrogate(k)}
    assert typed_keys <= set(props)
    assert module.EventProperties.__required_keys__ >= {"class", "nested"}
    nested = module.EventNested
    assert nested.__required_keys__ == {"class"}  # EVIL is required too, but untypable
    assert set(typing.get_type_hints(nested)) == typed_keys
    # the wrappers send the real names
    recorder = Recorder()
    module.set_client(recorder)
    by_wire = {e.wire_name: e for e in events if e.call == "track"}
    sent: list[str] = []
    for event in by_wire.values():
        function = getattr(module, python.event_names(events)[event.key].function)
        function({"class": "c", "nested": {"class": "n"}}, user_id="u")
        sent.append(recorder.calls[-1][1]["event"])
    assert sorted(sent) == sorted(by_wire)
    assert EVIL in sent
    module.home_2({"x": 1}, anonymous_id="a", extra_properties={"k": 2})
    call, kwargs = recorder.calls[-1]
    assert call == "page" and kwargs["name"] == "Home"
    assert kwargs["properties"] == {"x": 1, "k": 2}
    module.group({"name": "n"}, group_id="g", user_id="u")
    assert recorder.calls[-1] == (
        "group",
        {
            "user_id": "u",
            "group_id": "g",
            "traits": {"name": "n"},
            "context": None,
            "timestamp": None,
            "anonymous_id": None,
            "integrations": None,
            "message_id": None,
        },
    )
    with pytest.raises(ValueError, match="user_id or anonymous_id"):
        module.page({"title": "t"})


def test_names_collisions_in_wire_name_order() -> None:
    events = events_of(
        [
            (f"p/q/{folder}/1-0.json", body(name, {"a": {"type": "string"}}))
            for folder, name in [("C", "CartViewed"), ("A", "cart_viewed"), ("B", "Cart Viewed")]
        ]
    )
    names = python.event_names(events)
    by_wire = {e.wire_name: names[e.key] for e in events}
    # code point order: "Cart Viewed" < "CartViewed" < "cart_viewed"
    assert by_wire["Cart Viewed"].function == "cart_viewed"
    assert by_wire["CartViewed"].function == "cart_viewed_2"
    assert by_wire["cart_viewed"].function == "cart_viewed_3"
    assert by_wire["CartViewed"].type == "CartViewedProperties_2"
    # the same names whatever order the schemas come in
    assert python.event_names(list(reversed(events))) == names


def test_major_versions_get_their_own_names() -> None:
    bodies = [
        ("p/q/Signed_Up/1-0.json", body("Signed Up", {"a": {"type": "string"}})),
        ("p/q/Signed_Up/2-0.json", body("Signed Up", {"b": {"type": "integer"}})),
    ]
    text = init_text(events_of(bodies, "all"))
    assert "class SignedUpV1Properties(TypedDict):\n    a: NotRequired[str]" in text
    assert "class SignedUpV2Properties(TypedDict):\n    b: NotRequired[int]" in text
    assert "def signed_up_v2(" in text and text.count('event="Signed Up",') == 2


def test_types_of_the_schema() -> None:
    props = {
        "status": {"enum": ["a", "b", None, 2, True, 1.5]},
        "const": {"const": "x"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "maybe": {"type": ["integer", "null"]},
        "anything": {"allOf": [{"type": "string"}]},
        "bag": {"type": "object"},
        "n": {"type": "number"},
    }
    text = init_text(events_of([("p/q/E/1-0.json", body("E", props, closed=True))]))
    assert 'status: NotRequired[Literal["a", "b", None, 2, True] | float]' in text
    assert 'const: NotRequired[Literal["x"]]' in text
    assert "tags: NotRequired[list[str]]" in text
    assert "maybe: NotRequired[int | None]" in text
    assert "anything: NotRequired[JSONValue]" in text
    assert "bag: NotRequired[dict[str, JSONValue]]" in text
    assert "n: NotRequired[float]" in text
    assert "extra_properties" not in text.split("def e(")[1]  # closed: no other keys
    open_text = init_text(events_of([("p/q/E/1-0.json", body("E", props))]))
    assert "extra_properties: Mapping[str, JSONValue] | None = None," in open_text


def test_functional_syntax_only_when_a_key_needs_it() -> None:
    plain = init_text(events_of([("p/q/E/1-0.json", body("E", {"order_id": {}}))]))
    assert "class EProperties(TypedDict):\n    order_id: NotRequired[JSONValue]" in plain
    for key in ("order id", "class", "str", "__x", "Order", "\ufb01le"):
        text = init_text(events_of([("p/q/E/1-0.json", body("E", {key: {}}))]))
        assert 'EProperties = TypedDict("EProperties", {' in text, key


def test_sdk_none_types_only_and_rudder(tmp_path: Path) -> None:
    events = hostile_events()
    none = init_text(events, "none")
    tree = ast.parse(none)
    assert not [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert "AnalyticsClient" not in top_level_names(none) and "import importlib" not in none
    assert "class PageProperties(TypedDict):" in none
    compile(none, "__init__.py", "exec")
    assert set(sections(none)) == set(sections(init_text(events)))
    rudder = init_text(events, "rudder")
    assert 'importlib.import_module("rudderstack.analytics")' in rudder
    assert "pip install rudder-sdk-python" in rudder
    assert 'importlib.import_module("segment.analytics")' in init_text(events)


def test_descriptions_never_break_out() -> None:
    text = init_text(hostile_events())
    assert text.isascii() and "\x00" not in text
    tree = ast.parse(text)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    docstrings = {id(tree.body[0])} | {id(f.body[0]) for f in functions + classes}
    # every string statement is a docstring: no description became code or a stray string
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            assert id(node) in docstrings or node.value.value is ..., ast.dump(node)
    docs = [ast.get_docstring(f, clean=False) or "" for f in functions]
    assert any(doc.endswith(": " + EVIL) for doc in docs)  # the description, exactly


# Names to fuzz: any code point (lone surrogates too), biased to what breaks generated code.
NAME = st.one_of(
    st.sampled_from(["class", "None", "str", "type", "match", "set_client", "", "1", "__a"]),
    st.text(
        st.one_of(
            st.characters(exclude_categories=()), st.sampled_from(list('"\\#\n _-1aA\u202e'))
        ),
        max_size=12,
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            NAME,
            st.lists(NAME, max_size=5),
            st.booleans(),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_names_compile_import_and_stay_unique(
    tmp_path_factory: pytest.TempPathFactory, plan: list[tuple[str, list[str], bool]]
) -> None:
    bodies = [
        (
            f"p/q/E{index}/1-0.json",
            body(
                name,
                {key: {"type": "string", "description": name} for key in keys},
                required=keys[:1],
                closed=closed,
            ),
        )
        for index, (name, keys, closed) in enumerate(plan)
    ]
    events = events_of(bodies)
    folder = tmp_path_factory.mktemp("gen")
    write_package(events, folder, "fuzz_tracking")
    text = (folder / "fuzz_tracking" / "__init__.py").read_text(encoding="utf-8")
    names = top_level_names(text)
    assert [n for n, c in Counter(names).items() if c > 1] == []
    assert all(n.isidentifier() for n in names)
    module = import_package(folder, "fuzz_tracking")
    recorder = Recorder()
    module.set_client(recorder)
    for event, (_sid, schema) in zip(
        sorted(events, key=lambda e: e.folder), sorted(bodies), strict=True
    ):
        event_names = python.event_names(events)[event.key]
        keys = [k for k in schema["properties"] if not has_surrogate(k)]
        hints = typing.get_type_hints(getattr(module, event_names.type))
        assert set(hints) == set(keys)
        getattr(module, event_names.function)({k: "v" for k in keys}, user_id="u")
        assert recorder.calls[-1][1]["event"] == event.wire_name


def test_validation_hook_reports_violations_only_while_set(tmp_path: Path) -> None:
    props = {
        "id": {"type": "string"},
        "n": {"type": "integer"},
        "tags": {"type": "array", "items": {"enum": ["a", 1, True]}},
        "a/b~c": {"anyOf": [{"type": "null"}, {"type": "number"}]},
        "inner": {
            "type": "object",
            "properties": {"k": {"type": "boolean"}},
            "required": ["k"],
            "additionalProperties": False,
        },
    }
    events = events_of([("p/q/E/1-0.json", body(EVIL, props, required=["id"], closed=True))])
    write_package(events, tmp_path, "validated", validate=True)
    module = import_package(tmp_path, "validated")
    recorder = Recorder()
    module.set_client(recorder)
    function = getattr(module, python.event_names(events)[events[0].key].function)
    bad = {"n": 1.5, "tags": ["a", 1, 2, 1.0], "a/b~c": "x", "inner": {"z": 1}, "other": 0}
    function(bad, user_id="u")  # no handler: sent, nothing checked
    seen: list[Any] = []
    module.set_violation_handler(seen.extend)
    function(bad, user_id="u")
    assert [(v.event, v.path, v.message) for v in seen] == [
        (EVIL, "/id", "required property is missing"),
        (EVIL, "/n", "expected integer, got number"),
        (EVIL, "/tags/2", "expected one of ['a', 1, True]"),
        (EVIL, "/a~1b~0c", "matches none of the allowed types (got string)"),
        (EVIL, "/inner/k", "required property is missing"),
        (EVIL, "/inner", "property 'z' is not allowed"),
        (EVIL, "", "property 'other' is not allowed"),
    ]
    assert len(recorder.calls) == 2  # the event is still sent
    seen.clear()
    function(
        {"id": "i", "n": 2.0, "tags": [True, 1], "a/b~c": None, "inner": {"k": False}}, user_id="u"
    )
    assert seen == []
    module.set_violation_handler(None)
    function(bad, user_id="u")
    assert seen == []
    # off by default: no runtime at all without --validate
    assert "set_violation_handler" not in init_text(events)
    assert "set_violation_handler" not in init_text(events, "none")


def test_byte_identical_across_processes() -> None:
    """No set order or hash seed reaches the output: two interpreters, two seeds, one text."""
    import os
    import subprocess
    import sys

    script = (
        "import hashlib, python_codegen_support as s\n"
        "from reflekt.core.codegen import python\n"
        "ev = s.hostile_events() + s.demo_events()\n"
        "for sdk in ('analytics-python', 'rudder', 'none'):\n"
        "    for f in python.emit(ev, s.options(sdk, 1, True)):\n"
        "        print(hashlib.sha256(f.text.encode('utf-8', 'surrogatepass')).hexdigest())\n"
    )
    tests = Path(__file__).resolve().parents[2]
    outputs = []
    for seed in ("1", "2"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "PYTHONPATH": os.pathsep.join([str(tests.parent), str(tests)]),
        }
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and len(outputs[0].split()) == 6
