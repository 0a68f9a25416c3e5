"""The Python emitter: a typed package (`__init__.py`, `py.typed`) over Segment's SDK.

What `__init__.py` holds (Python 3.11+, checked with `mypy --strict`):

- `JSONValue`: the alias for any JSON value (what a schema leaves open).
- Per event a `TypedDict` keyed by the real property names: `CartViewedProperties`
  (`IdentifyTraits`, `GroupTraits` for the calls that send traits). Optional keys are
  `NotRequired[...]`; `enum`/`const` are `Literal[...]` (a float member, which `Literal`
  cannot hold, widens to `float`); arrays `list[...]`; nested objects their own TypedDict,
  named after the path (`OrderCompletedProductsItem`); an object with no fields that allows
  any key `dict[str, JSONValue]`. The class syntax is used when every key is a plain
  lower-case ASCII identifier (`[a-z][A-Za-z0-9_]*`) that is no keyword or builtin, so no key
  can shadow a name the annotations use; otherwise the functional syntax
  `TypedDict("X", {"order id": str})`, which takes any string as a key.
- With an SDK (`analytics-python`, `rudder`), per event a function in snake_case:
  `cart_viewed(properties, *, user_id=None, anonymous_id=None, context=None,
  timestamp=None, integrations=None, message_id=None)` sends
  `track(event="Cart Viewed", properties=...)`; `identify(traits, ...)`,
  `group(traits, *, group_id, ...)`, `page`/`screen(properties, *, name=None,
  category=None, ...)`; a named page or screen (`Home`) sends its name itself. Like the SDK,
  each raises ValueError without a user_id or anonymous_id. `properties` may be left out
  when no key is required. TypedDict cannot say "other keys too": an event whose schema
  allows other keys (JSON Schema's default) also takes `extra_properties:
  Mapping[str, JSONValue] | None`, merged into the payload under the typed properties
  (a typed key wins). A nested object that allows other keys is still a closed TypedDict.
- The client is typed by the `AnalyticsClient` Protocol, so the package type-checks whether
  or not the SDK ships types (segment-analytics-python 2.x and rudder-sdk-python 2.x do
  not). `set_client(client)` sends through a client (`segment.analytics.Client(write_key,
  host=..., sync_mode=...)`); without one the SDK's default module client is used
  (`segment.analytics` / `rudderstack.analytics`, configured by `analytics.write_key = ...`),
  imported on the first call, so importing the package never needs the SDK.
- `--sdk none`: the types only.

Names follow `names` (one module-wide `Namer`, in its one order, `names.name_events`, the
same as TypeScript's: the event types, then the functions, in wire-name order, then the
nested types as the sections are written); Python's keywords, soft keywords,
builtins and every name the module defines get a trailing `_` (`class_`, `str_`). With
`--version-policy all` names carry the major (`CartViewedV2Properties`, `cart_viewed_v2`).
Every name, key and description reaches the text through `reflekt.core.escape`: keys and
wire names as `python_string` literals (pure ASCII), descriptions as `code_comment_lines`
comments or a `python_string` docstring. Each event is one section from its marker line.

With `--validate` (and an SDK), as in TypeScript: `Violation(event, path, message)`,
`ViolationHandler`, `set_violation_handler(handler | None)`, one interpreter of per-event
descriptors (`_reflekt_spec_<function>`, tuples read from the same types). Wrappers check
the payload only while a handler is set (default none); the event is still sent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from reflekt.core.codegen.emit import CodeOptions, GeneratedFile, header_lines, section_marker
from reflekt.core.codegen.model import (
    ArrayType,
    CodeEvent,
    Doc,
    Literals,
    ObjectType,
    Scalar,
    TypeNode,
    UnionType,
)
from reflekt.core.codegen.names import Namer, name_events, section_order, styled
from reflekt.core.escape import code_comment, code_comment_lines, python_string

# Python 3.11-3.13: written out (not read from `keyword`/`builtins`) so the output is the
# same on every Python that runs Reflekt.
KEYWORDS = frozenset(
    [
        "False",
        "None",
        "True",
        "and",
        "as",
        "assert",
        "async",
        "await",
        "break",
        "class",
        "continue",
        "def",
        "del",
        "elif",
        "else",
        "except",
        "finally",
        "for",
        "from",
        "global",
        "if",
        "import",
        "in",
        "is",
        "lambda",
        "nonlocal",
        "not",
        "or",
        "pass",
        "raise",
        "return",
        "try",
        "while",
        "with",
        "yield",
        "_",
        "case",
        "match",
        "type",
    ]
)
BUILTINS = frozenset(
    [
        "ArithmeticError",
        "AssertionError",
        "AttributeError",
        "BaseException",
        "BaseExceptionGroup",
        "BlockingIOError",
        "BrokenPipeError",
        "BufferError",
        "BytesWarning",
        "ChildProcessError",
        "ConnectionAbortedError",
        "ConnectionError",
        "ConnectionRefusedError",
        "ConnectionResetError",
        "DeprecationWarning",
        "EOFError",
        "Ellipsis",
        "EncodingWarning",
        "EnvironmentError",
        "Exception",
        "ExceptionGroup",
        "FileExistsError",
        "FileNotFoundError",
        "FloatingPointError",
        "FutureWarning",
        "GeneratorExit",
        "IOError",
        "ImportError",
        "ImportWarning",
        "IndentationError",
        "IndexError",
        "InterruptedError",
        "IsADirectoryError",
        "KeyError",
        "KeyboardInterrupt",
        "LookupError",
        "MemoryError",
        "ModuleNotFoundError",
        "NameError",
        "NotADirectoryError",
        "NotImplemented",
        "NotImplementedError",
        "OSError",
        "OverflowError",
        "PendingDeprecationWarning",
        "PermissionError",
        "ProcessLookupError",
        "PythonFinalizationError",
        "RecursionError",
        "ReferenceError",
        "ResourceWarning",
        "RuntimeError",
        "RuntimeWarning",
        "StopAsyncIteration",
        "StopIteration",
        "SyntaxError",
        "SyntaxWarning",
        "SystemError",
        "SystemExit",
        "TabError",
        "TimeoutError",
        "TypeError",
        "UnboundLocalError",
        "UnicodeDecodeError",
        "UnicodeEncodeError",
        "UnicodeError",
        "UnicodeTranslateError",
        "UnicodeWarning",
        "UserWarning",
        "ValueError",
        "Warning",
        "ZeroDivisionError",
        "abs",
        "aiter",
        "all",
        "anext",
        "any",
        "ascii",
        "bin",
        "bool",
        "breakpoint",
        "bytearray",
        "bytes",
        "callable",
        "chr",
        "classmethod",
        "compile",
        "complex",
        "copyright",
        "credits",
        "delattr",
        "dict",
        "dir",
        "divmod",
        "enumerate",
        "eval",
        "exec",
        "exit",
        "filter",
        "float",
        "format",
        "frozenset",
        "getattr",
        "globals",
        "hasattr",
        "hash",
        "help",
        "hex",
        "id",
        "input",
        "int",
        "isinstance",
        "issubclass",
        "iter",
        "len",
        "license",
        "list",
        "locals",
        "map",
        "max",
        "memoryview",
        "min",
        "next",
        "object",
        "oct",
        "open",
        "ord",
        "pow",
        "print",
        "property",
        "quit",
        "range",
        "repr",
        "reversed",
        "round",
        "set",
        "setattr",
        "slice",
        "sorted",
        "staticmethod",
        "str",
        "sum",
        "super",
        "tuple",
        "type",
        "vars",
        "zip",
    ]
)
# What the generated module itself defines or imports (its private helpers start with
# `_reflekt`, which no styled name can: a styled name starts with a letter or `_<digit>`).
MODULE_NAMES = frozenset(
    [
        "Any",
        "JSONValue",
        "Literal",
        "Mapping",
        "NotRequired",
        "Protocol",
        "TypeAlias",
        "TypedDict",
        "cast",
        "datetime",
        "importlib",
        "AnalyticsClient",
        "set_client",
        "annotations",
        # with --validate (reserved without it too, so names never depend on the flag)
        "Callable",
        "Sequence",
        "dataclass",
        "math",
        "Violation",
        "ViolationHandler",
        "set_violation_handler",
    ]
)
RESERVED = KEYWORDS | BUILTINS | MODULE_NAMES
_CLASS_KEY = re.compile(r"[a-z][A-Za-z0-9_]*")

SDK_MODULES = {"analytics-python": "segment.analytics", "rudder": "rudderstack.analytics"}
SDK_PACKAGES = {"analytics-python": "segment-analytics-python", "rudder": "rudder-sdk-python"}

_CALL_ARGS = {  # the SDK method's keyword arguments, in its own order
    "track": "user_id event properties context timestamp anonymous_id integrations message_id",
    "identify": "user_id traits context timestamp anonymous_id integrations message_id",
    "group": "user_id group_id traits context timestamp anonymous_id integrations message_id",
    "page": "user_id category name properties context timestamp anonymous_id integrations "
    "message_id",
    "screen": "user_id category name properties context timestamp anonymous_id integrations "
    "message_id",
}
_ARG_TYPES = {
    "user_id": "str | None",
    "anonymous_id": "str | None",
    "event": "str | None",
    "group_id": "str | None",
    "name": "str | None",
    "category": "str | None",
    "properties": "dict[str, Any] | None",
    "traits": "dict[str, Any] | None",
    "context": "dict[str, Any] | None",
    "timestamp": "datetime | None",
    "integrations": "dict[str, Any] | None",
    "message_id": "str | None",
}


def has_surrogate(text: str) -> bool:
    """A lone surrogate (JSON's `"\\ud800"`): Python holds it, UTF-8 cannot, and mypy fails
    on one in a type (a `Literal` or a TypedDict key), so such a key or value is not typed."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def class_syntax_ok(key: str) -> bool:
    """Whether `key` can be a TypedDict key in the class syntax: a lower-case ASCII
    identifier that is no keyword or builtin (so it shadows nothing an annotation uses, and
    is neither name-mangled like `__x` nor NFKC-normalised like `ﬁ`)."""
    return _CLASS_KEY.fullmatch(key) is not None and key not in KEYWORDS | BUILTINS


@dataclass(frozen=True)
class EventNames:
    function: str  # `cart_viewed`
    type: str  # `CartViewedProperties`
    base: str  # what nested types are named from: `CartViewed` (+ `ProductsItem`)


@dataclass
class _Render:
    """The state of rendering one module: the namer and which typing names were used."""

    namer: Namer
    validate: bool = False
    typing: set[str] = field(default_factory=set)


def event_names(events: Sequence[CodeEvent]) -> dict[str, EventNames]:
    """Each event's function and type name, by event key (in the order every emitter names
    them, `names.name_events`: types, then functions, each in wire-name order, so a
    collision is settled by the names alone)."""
    namer = Namer(RESERVED)
    return _event_names(events, namer)


def _base(event: CodeEvent) -> str:
    """What the event's type and its nested types are named from: `CartViewed(V2)`."""
    major = "" if event.major is None else f"V{event.major}"
    return styled(event.wire_name, "pascal", "Event") + major


def _event_names(events: Sequence[CodeEvent], namer: Namer) -> dict[str, EventNames]:
    names = name_events(
        events,
        namer,
        type_name=lambda event: (
            _base(event) + ("Traits" if event.call in ("identify", "group") else "Properties")
        ),
        function_name=lambda event: (
            styled(event.wire_name, "snake", "event")
            + ("" if event.major is None else f"_v{event.major}")
        ),
    )
    return {
        event.key: EventNames(names[event.key].function, names[event.key].type, _base(event))
        for event in events
    }


def emit(events: Sequence[CodeEvent], options: CodeOptions) -> list[GeneratedFile]:
    """`__init__.py` (types, and functions over the SDK unless `--sdk none`) and `py.typed`."""
    header = "".join(f"# {line}\n" for line in header_lines(options))
    with_sdk = options.sdk != "none"
    render = _Render(Namer(RESERVED), validate=options.validate and with_sdk)
    events = section_order(events)
    names = _event_names(events, render.namer)
    sections = [_section(event, names[event.key], render, with_sdk) for event in events]
    # Generated code is compared byte for byte (`--check`): linters and formatters leave it
    # alone, as `/* eslint-disable */` does in TypeScript.
    tools = "# ruff: noqa\n# flake8: noqa\n# fmt: off\n"
    init = header + tools + _preamble(events, options, render) + "".join(sections)
    return [GeneratedFile("__init__.py", init), GeneratedFile("py.typed", header)]


def _preamble(events: Sequence[CodeEvent], options: CodeOptions, render: _Render) -> str:
    with_sdk = options.sdk != "none"
    lines = [
        '"""Typed tracking calls generated by Reflekt from the event schemas in git.',
        "",
        "One TypedDict per event, keyed by the real property names"
        + (
            f", and one function per event\nthat sends it with {SDK_PACKAGES[options.sdk]}."
            if with_sdk
            else " (types only: no SDK)."
        ),
        '"""',
        "",
    ]
    typing = set(render.typing) | {"TypeAlias"}
    if with_sdk:
        typing |= {"Any", "Protocol", "cast"}
        abc = "Callable, Mapping, Sequence" if render.validate else "Mapping"
        lines += ["import importlib"] + (["import math"] if render.validate else [])
        lines += [f"from collections.abc import {abc}"]
        if render.validate:
            lines.append("from dataclasses import dataclass")
        lines.append("from datetime import datetime")
    lines.append(f"from typing import {', '.join(sorted(typing))}")
    lines += [
        "",
        "# Any JSON value: what a schema leaves open.",
        "JSONValue: TypeAlias = (",
        '    str | int | float | bool | list["JSONValue"] | dict[str, "JSONValue"] | None',
        ")",
    ]
    if with_sdk:
        lines += _client_lines(options.sdk)
    if render.validate:
        lines += VALIDATION_RUNTIME.splitlines()
    return "\n".join(lines) + "\n"


# The dev-mode check (`--validate`): one interpreter of the per-event descriptors. Wrappers
# check only while a handler is set (default none: one `is not None` test per call); a
# violation is reported to the handler, and the event is still sent.
VALIDATION_RUNTIME = """

@dataclass(frozen=True)
class Violation:
    \"\"\"A property that does not match the event's schema.\"\"\"

    event: str  # the event, as named in the plan
    path: str  # where: a JSON Pointer into the properties ("" for the whole object)
    message: str


ViolationHandler: TypeAlias = Callable[[Sequence[Violation]], None]
_reflekt_handler: ViolationHandler | None = None


def set_violation_handler(handler: ViolationHandler | None) -> None:
    \"\"\"Check every call against its schema while a handler is set (dev mode); None stops.\"\"\"
    global _reflekt_handler
    _reflekt_handler = handler


def _reflekt_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    return "object" if isinstance(value, Mapping) else type(value).__name__


def _reflekt_same(value: object, allowed: object) -> bool:
    return isinstance(value, bool) == isinstance(allowed, bool) and value == allowed


def _reflekt_walk(
    node: tuple[Any, ...], value: object, path: str, event: str, out: list[Violation]
) -> None:
    kind = node[0]
    got = _reflekt_kind(value)
    if kind == "any":
        return
    if kind in ("string", "boolean", "null"):
        if got != kind:
            out.append(Violation(event, path, f"expected {kind}, got {got}"))
    elif kind in ("number", "integer"):
        number = False
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = isinstance(value, int) or (
                math.isfinite(value) and (kind == "number" or value.is_integer())
            )
        if not number:
            out.append(Violation(event, path, f"expected {kind}, got {got}"))
    elif kind == "literals":
        if not any(_reflekt_same(value, allowed) for allowed in node[1]):
            out.append(Violation(event, path, f"expected one of {list(node[1])!r}"))
    elif kind == "array":
        if not isinstance(value, (list, tuple)):
            out.append(Violation(event, path, f"expected array, got {got}"))
            return
        for index, item in enumerate(value):
            _reflekt_walk(node[1], item, f"{path}/{index}", event, out)
    elif kind == "union":
        for option in node[1]:
            tried: list[Violation] = []
            _reflekt_walk(option, value, path, event, tried)
            if not tried:
                return
        out.append(Violation(event, path, f"matches none of the allowed types (got {got})"))
    elif kind == "object":
        if not isinstance(value, Mapping):
            out.append(Violation(event, path, f"expected object, got {got}"))
            return
        known: set[str] = set()
        for key, required, child in node[1]:
            known.add(key)
            at = path + "/" + key.replace("~", "~0").replace("/", "~1")
            if key in value:
                _reflekt_walk(child, value[key], at, event, out)
            elif required:
                out.append(Violation(event, at, "required property is missing"))
        if not node[2]:
            for key in value:
                if key not in known:
                    out.append(Violation(event, path, f"property {key!r} is not allowed"))


def _reflekt_check(event: str, node: tuple[Any, ...], value: Mapping[str, object]) -> None:
    out: list[Violation] = []
    _reflekt_walk(node, value, "", event, out)
    handler = _reflekt_handler
    if out and handler is not None:
        handler(out)
"""


def _client_lines(sdk: str) -> list[str]:
    module = SDK_MODULES[sdk]
    lines = [
        "",
        "class AnalyticsClient(Protocol):",
        f'    """What the functions below call: `{module}.Client` and the `{module}`',
        '    module (the SDK\'s default client) both have it."""',
    ]
    for call, args in _CALL_ARGS.items():
        lines += ["", f"    def {call}(", "        self,", "        *,"]
        lines += [f"        {arg}: {_ARG_TYPES[arg]} = ...," for arg in args.split()]
        lines.append("    ) -> object: ...")
    lines += [
        "",
        "",
        "_reflekt_client: AnalyticsClient | None = None",
        "",
        "",
        "def set_client(client: AnalyticsClient | None) -> None:",
        f'    """Send through `client` (a `{module}.Client(write_key, ...)`); None: the',
        f'    SDK\'s default client, the `{module}` module (set its `write_key`)."""',
        "    global _reflekt_client",
        "    _reflekt_client = client",
        "",
        "",
        "def _reflekt_sdk() -> AnalyticsClient:",
        "    if _reflekt_client is not None:",
        "        return _reflekt_client",
        "    try:",
        f'        module = importlib.import_module("{module}")',
        "    except ImportError as error:",
        "        raise ImportError(",
        f'            "pip install {SDK_PACKAGES[sdk]}, or call set_client() first"',
        "        ) from error",
        "    return cast(AnalyticsClient, module)",
        "",
        "",
        "def _reflekt_payload(",
        "    properties: Mapping[str, object] | None, extra: Mapping[str, JSONValue] | None",
        ") -> dict[str, Any]:",
        "    payload: dict[str, Any] = dict(extra or {})",
        "    payload.update(properties or {})",
        "    return payload",
        "",
        "",
        "def _reflekt_require_id(user_id: str | None, anonymous_id: str | None) -> None:",
        "    if not user_id and not anonymous_id:",
        '        raise ValueError("user_id or anonymous_id is required")',
    ]
    return lines


def _section(event: CodeEvent, names: EventNames, render: _Render, with_sdk: bool) -> str:
    lines = ["", "", section_marker("#", event.key)]
    blocks: list[list[str]] = []
    _typed_dict(names.type, event.properties, names.base, render, blocks)
    blocks[-1][:0] = [*_comments(event.doc, ""), f"# From {code_comment(event.schema_id)}"]
    for index, block in enumerate(blocks):
        lines += ([] if index == 0 else ["", ""]) + block
    if with_sdk:
        if render.validate:
            spec = f"_reflekt_spec_{names.function}"
            lines += ["", "", f"{spec}: tuple[Any, ...] = {_descriptor(event.properties, '')}"]
        lines += _function(event, names, render)
    return "\n".join(lines) + "\n"


def _descriptor(node: TypeNode, indent: str) -> str:
    """What `_reflekt_walk` checks a value against, as a Python tuple literal: `("string",)`,
    `("literals", (values,))`, `("array", item)`, `("union", (options,))`, `("any",)`,
    `("object", ((key, required, node), ...), extra)`."""
    if isinstance(node, Scalar):
        return f'("{node.kind}",)'
    if isinstance(node, Literals):
        values = "".join(f"{_value(value)}, " for value in node.values)
        return f'("literals", ({values.rstrip()}))'
    if isinstance(node, ArrayType):
        return f'("array", {_descriptor(node.items, indent)})'
    if isinstance(node, UnionType):
        options = "".join(f"{_descriptor(option, indent)}, " for option in node.options)
        return f'("union", ({options.rstrip()}))'
    if isinstance(node, ObjectType):
        if not node.fields:
            return f'("object", (), {node.extra})'
        inner = indent + "    "
        fields = "".join(
            f"{inner}({python_string(item.wire)}, {item.required}, "
            f"{_descriptor(item.type, inner)}),\n"
            for item in node.fields
        )
        return f'("object", (\n{fields}{indent}), {node.extra})'
    return '("any",)'


def _value(value: object) -> str:
    if isinstance(value, str):
        return python_string(value)
    return repr(value)  # None, True, an int, a finite float


def _comments(doc: Doc, indent: str) -> list[str]:
    texts = code_comment_lines(doc.description) + [code_comment(note) for note in doc.notes]
    return [f"{indent}# {text}".rstrip() for text in texts]


def _typed_dict(
    name: str, node: ObjectType, base: str, render: _Render, out: list[list[str]]
) -> None:
    """The TypedDict `name` for `node` onto `out`, after the nested TypedDicts it uses."""
    render.typing.add("TypedDict")
    entries: list[tuple[list[str], str, str]] = []  # comments, key, annotation
    untyped = [item.wire for item in node.fields if has_surrogate(item.wire)]
    for item in node.fields:
        if has_surrogate(item.wire):
            continue
        hint = base + styled(item.wire, "pascal", "Field")
        annotation = _annotation(item.type, hint, render, out)
        if not item.required:
            render.typing.add("NotRequired")
            annotation = f"NotRequired[{annotation}]"
        entries.append((_comments(item.doc, "    "), item.wire, annotation))
    lines = [f"# Not typed (no UTF-8 spelling): {code_comment(key)}" for key in untyped]
    if all(class_syntax_ok(key) for _, key, _ in entries):
        lines.append(f"class {name}(TypedDict):")
        for comments, key, annotation in entries:
            lines += comments
            lines.append(f"    {key}: {annotation}")
        if not entries:
            lines.append("    pass")
    else:
        lines.append(f'{name} = TypedDict("{name}", {{')
        for comments, key, annotation in entries:
            lines += comments
            lines.append(f"    {python_string(key)}: {annotation},")
        lines.append("})")
    out.append(lines)


def _annotation(node: TypeNode, hint: str, render: _Render, out: list[list[str]]) -> str:
    """The type expression for `node`; nested objects become TypedDicts named from `hint`."""
    if isinstance(node, Scalar):
        return {"string": "str", "number": "float", "integer": "int", "boolean": "bool"}.get(
            node.kind, "None"
        )
    if isinstance(node, Literals):
        return _literal(node, render)
    if isinstance(node, ArrayType):
        return f"list[{_annotation(node.items, hint + 'Item', render, out)}]"
    if isinstance(node, UnionType):
        parts: list[str] = []
        for option in node.options:
            for part in _annotation(option, hint, render, out).split(" | "):
                if part not in parts:
                    parts.append(part)
        if "None" in parts:  # last: `None | X` needs X's __ror__ at runtime
            parts.remove("None")
            parts.append("None")
        return " | ".join(parts)
    if isinstance(node, ObjectType):
        if not node.fields and node.extra:
            return "dict[str, JSONValue]"
        name = render.namer.take(hint)
        _typed_dict(name, node, name, render, out)
        return name
    return "JSONValue"


def _literal(node: Literals, render: _Render) -> str:
    members: list[str] = []
    widened: list[str] = []
    for value in node.values:
        if value is None:
            members.append("None")
        elif isinstance(value, bool):
            members.append("True" if value else "False")
        elif isinstance(value, int):
            members.append(str(value))
        elif isinstance(value, float):
            widened.append("float")  # Literal cannot hold a float
        elif has_surrogate(value):
            widened.append("str")  # mypy cannot hold it in a type
        else:
            members.append(python_string(value))
    widened = list(dict.fromkeys(widened))
    if not members:
        return " | ".join(widened) or "JSONValue"
    render.typing.add("Literal")
    return " | ".join([f"Literal[{', '.join(members)}]", *widened])


def _function(event: CodeEvent, names: EventNames, render: _Render) -> list[str]:
    payload_name = "traits" if event.call in ("identify", "group") else "properties"
    optional = not any(item.required for item in event.properties.fields)
    params = [f"    {payload_name}: {names.type}" + (" | None = None," if optional else ",")]
    params.append("    *,")
    if event.call == "group":
        params.append("    group_id: str,")
    if event.call in ("page", "screen"):
        if not event.keyed:
            params.append("    name: str | None = None,")
        params.append("    category: str | None = None,")
    params += [
        "    user_id: str | None = None,",
        "    anonymous_id: str | None = None,",
        "    context: dict[str, Any] | None = None,",
        "    timestamp: datetime | None = None,",
        "    integrations: dict[str, Any] | None = None,",
        "    message_id: str | None = None,",
    ]
    open_payload = event.properties.extra or any(
        has_surrogate(item.wire) for item in event.properties.fields
    )
    extra = "extra_properties" if open_payload else "None"
    if open_payload:
        params.append("    extra_properties: Mapping[str, JSONValue] | None = None,")
    values = {
        "event": python_string(event.wire_name),
        "name": python_string(event.wire_name) if event.keyed else "name",
        "properties": "payload",
        "traits": "payload",
    }
    sent = event.call == "track" or event.keyed
    doc = f"{event.call}({python_string(event.wire_name) if sent else ''})"
    if event.doc.description:
        doc += ": " + event.doc.description
    lines = ["", "", f"def {names.function}(", *params, ") -> None:"]
    lines.append(f"    {python_string(doc)}")
    lines.append("    _reflekt_require_id(user_id, anonymous_id)")
    lines.append(f"    payload = _reflekt_payload({payload_name}, {extra})")
    if render.validate:
        lines.append("    if _reflekt_handler is not None:")
        lines.append(
            f"        _reflekt_check({python_string(event.wire_name)},"
            f" _reflekt_spec_{names.function}, payload)"
        )
    lines.append(f"    _reflekt_sdk().{event.call}(")
    for arg in _CALL_ARGS[event.call].split():
        lines.append(f"        {arg}={values.get(arg, arg)},")
    lines.append("    )")
    return lines
