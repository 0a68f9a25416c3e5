"""TypeScript tracking code: one module, `index.ts`, with a type and a typed wrapper per event.

What the module holds, in order (everything shared comes before the first event's section,
because a section runs to the next marker or the end of the file):

1. The header (`// ` + each of `header_lines`), `export {};` (a module even when empty).
2. Unless `--sdk none`: the client interface (`AnalyticsClient`: only the calls the plan's
   events make, declared structurally so the file compiles without the SDK installed; the
   SDK's own client is assignable to it) and `setAnalytics(client | null)`. A wrapper called
   before `setAnalytics` throws an `Error` that says so.
3. With `validate` (and an SDK): `Violation`, `ViolationHandler`, `setViolationHandler`, and
   one small interpreter (`$check`) of the per-event descriptors (`descriptor`: the type
   tree as JSON, in a string literal parsed on an event's first check). Wrappers validate only
   while a handler is set (the default is none: a production build that never sets one
   pays one `!== null` test per call); a violation is reported, the event is still sent.
4. One section per event (`emit.section_marker`, in key order): the TSDoc'd interface of its
   properties (named interfaces for nested objects), its validation descriptor, and its
   wrapper.

Types: property keys keep their wire names (quoted with `code_string` unless a plain
identifier); required fields are non-optional, others `?:`; `enum`/`const` are literal
unions; integer is `number` with a TSDoc note; JSON Schema's open objects get an index
signature `[key: string]: unknown`, a closed object with no fields is `{ [key: string]:
never }`; AnyType is `unknown`; an integer literal beyond 2^53 becomes `number`. An
optional property named like a member every object inherits (`constructor`, `toString`)
also accepts that member's type (`constructor?: string | Object["constructor"]`): TypeScript
compares an optional property with the inherited one, so otherwise no object literal fits.
Descriptions and the model's notes (pattern, bounds, format, metadata) are TSDoc.

Names follow `names.py` in one module scope, in its one order (`names.name_events`, the
same as Python's): first the event types (PascalCase of the wire name, `V<major>` appended
with version policy `all`), then the functions (camelCase), each in wire-name order, then
nested interfaces (parent type + PascalCase field name) as the sections are written;
reserved are the language's keywords, the globals the module uses (`Object`, `Array`,
`Error`, ...) and its own exports. Internal names start with `$`, which the name rule never
produces.

Wrappers, per SDK (`props` may be omitted when no property is required):
- analytics-next, rudder (browser): `cartViewed(props, options?)` ->
  `client.track("Cart Viewed", props, options)`; `identify(userId | null, traits, options?)`;
  `group(groupId, traits, options?)`; a named page `home(props, options?)` ->
  `client.page("Home", props, options)`; the generic `page(props, options?, name?)`; screen
  likewise (rudder's browser SDK has no screen: a plan with screen events needs a client
  that has one).
- analytics-node: every wrapper takes the identity first (`{ userId } | { anonymousId }`),
  and calls the object form: `client.track({ ...options, ...identity, event, properties })`;
  `group(identity, groupId, traits, options?)`; the generic page's options may carry
  `name` and `category`.
- none: types only (no client, no wrappers, no validation); so is a plan with no events.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reflekt.core.codegen.emit import CodeOptions, GeneratedFile, header_lines, section_marker
from reflekt.core.codegen.model import (
    ArrayType,
    CodeEvent,
    Doc,
    JsonScalar,
    Literals,
    ObjectType,
    Scalar,
    TypeNode,
    UnionType,
)
from reflekt.core.codegen.names import (
    EventIdentifiers,
    Namer,
    name_events,
    section_order,
    styled,
)
from reflekt.core.escape import code_comment, code_comment_lines, code_string

FILE = "index.ts"
BROWSER_SDKS = ("analytics-next", "rudder")
NODE_SDK = "analytics-node"


def _words(text: str) -> list[str]:
    return text.split()


# Words no declaration may take: ECMAScript reserved and strict-mode words, TypeScript's
# type keywords, the globals the module uses or a reader expects, and the module's exports.
RESERVED = frozenset(
    _words(
        """
    break case catch class const continue debugger default delete do else enum export
    extends false finally for function if import in instanceof new null return super switch
    this throw true try typeof var void while with implements interface let package private
    protected public static yield await async of get set arguments eval undefined NaN
    Infinity globalThis any unknown never string number boolean symbol object bigint type
    namespace module declare abstract as asserts is keyof readonly infer satisfies unique
    constructor prototype __proto__
    Object Array Error TypeError Date String Number Boolean Symbol BigInt JSON Math Promise
    Record Partial Required Readonly Pick Omit Exclude Extract NonNullable ReturnType
    Parameters Map Set WeakMap WeakSet RegExp Function Iterable PropertyKey
    AnalyticsClient Identity CallOptions setAnalytics Violation ViolationHandler
    setViolationHandler PageOptions
    """
    )
)

# What every object inherits (lib.es5's `interface Object`).
OBJECT_MEMBERS = frozenset(
    (
        "constructor",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "toString",
        "valueOf",
    )
)
_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_MAX_SAFE = 2**53


def emit(events: Sequence[CodeEvent], options: CodeOptions) -> list[GeneratedFile]:
    """The module for `events` (one `index.ts`)."""
    ordered = section_order(events)
    namer = Namer(RESERVED)
    names = _assign_names(ordered, namer)
    # No events: no client either (its helpers would be unused locals under strict lints).
    sdk = options.sdk if ordered else "none"
    validate = options.validate and sdk != "none"
    out: list[str] = [f"// {line}" for line in header_lines(options)]
    out += ["", "/* eslint-disable */", "export {};", ""]
    if sdk != "none":
        out += _client_lines(sdk, {event.call for event in ordered})
    if validate:
        out += [*_VALIDATION_RUNTIME.splitlines(), ""]
    for event in ordered:
        out += _Section(event, names[event.key], namer, sdk, validate).lines()
    return [GeneratedFile(FILE, "\n".join(out).rstrip("\n") + "\n")]


def _base_name(event: CodeEvent) -> str:
    return event.wire_name if event.major is None else f"{event.wire_name} V{event.major}"


def _assign_names(events: Sequence[CodeEvent], namer: Namer) -> dict[str, EventIdentifiers]:
    """Every event's type and function, in the order every emitter names them (`names`)."""
    return name_events(
        events,
        namer,
        type_name=lambda event: styled(_base_name(event), "pascal", "Event"),
        function_name=lambda event: styled(_base_name(event), "camel", "event"),
    )


# -- doc comments -------------------------------------------------------------------------


def _doc_block(indent: str, doc: Doc, extra: Sequence[str] = ()) -> list[str]:
    """A TSDoc comment: the description, a blank line, the notes and `extra` (all escaped)."""
    body = code_comment_lines(doc.description)
    notes = [code_comment(note) for note in (*doc.notes, *extra)]
    if body and notes:
        body.append("")
    body += notes
    if not body:
        return []
    if len(body) == 1:
        return [f"{indent}/** {body[0]} */"]
    return [
        f"{indent}/**",
        *(f"{indent} *{' ' + line if line else ''}" for line in body),
        f"{indent} */",
    ]


def _type_notes(node: TypeNode) -> list[str]:
    return ["Integer (a whole number)."] if _has_integer(node) else []


def _has_integer(node: TypeNode) -> bool:
    if isinstance(node, Scalar):
        return node.kind == "integer"
    if isinstance(node, UnionType):
        return any(_has_integer(option) for option in node.options)
    return False


def _sends(event: CodeEvent) -> str:
    """What the event's call sends, for its doc: `track("Cart Viewed")`, `page("Home")`,
    or `identify()` (an event named for its call sends no name)."""
    named = event.call == "track" or event.keyed
    return f"Sends: {event.call}({json.dumps(event.wire_name) if named else ''})"


# -- types --------------------------------------------------------------------------------


def property_key(wire: str) -> str:
    """A property name as written in a type: bare when a plain identifier, else quoted."""
    return wire if _PLAIN_KEY.match(wire) else code_string(wire)


def _scalar_literal(value: JsonScalar) -> str | None:
    """A literal's TypeScript (and JavaScript) text; None for an integer no double holds."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < _MAX_SAFE else None
    if isinstance(value, float):
        return json.dumps(value)
    return code_string(value)


@dataclass
class _Section:
    """One event's code: its marker, types, validation descriptor and wrapper."""

    event: CodeEvent
    names: EventIdentifiers
    namer: Namer
    sdk: str
    validate: bool
    interfaces: list[list[str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        event = self.event
        root = self._interface(self.names.type, event.properties, event.doc, self._event_notes())
        out = [section_marker("//", event.key), *root]
        for interface in self.interfaces:
            out += ["", *interface]
        if self.sdk != "none":
            out.append("")
            if self.validate:
                literal = _descriptor_literal(event.properties)
                out.append(f"const $s_{self.names.type} = {literal};")
                out.append("")
            out += self._wrapper()
        out.append("")
        return out

    def _event_notes(self) -> list[str]:
        event = self.event
        return [f"Schema: {event.schema_id}", _sends(event)]

    def _interface(
        self, name: str, node: ObjectType, doc: Doc, extra: Sequence[str] = ()
    ) -> list[str]:
        lines = _doc_block("", doc, extra)
        if not node.fields and not node.extra:
            return [*lines, f"export interface {name} {{", "  [key: string]: never;", "}"]
        lines.append(f"export interface {name} {{")
        for item in node.fields:
            expression = self._type(item.type, name + styled(item.wire, "pascal", "Field"))
            lines += _doc_block("  ", item.doc, _type_notes(item.type))
            optional = "" if item.required else "?"
            if optional and item.wire in OBJECT_MEMBERS:
                # TypeScript checks an optional property against what every object inherits
                # (`{}` has a `constructor`): accept the inherited member, or no call compiles.
                expression = f"{expression} | Object[{code_string(item.wire)}]"
            lines.append(f"  {property_key(item.wire)}{optional}: {expression};")
        if node.extra:
            lines.append("  [key: string]: unknown;")
        lines.append("}")
        return lines

    def _type(self, node: TypeNode, context: str) -> str:
        if isinstance(node, Scalar):
            return "number" if node.kind == "integer" else node.kind
        if isinstance(node, Literals):
            texts = [_scalar_literal(value) for value in node.values]
            parts = list(dict.fromkeys(text or "number" for text in texts))
            return " | ".join(parts) or "never"
        if isinstance(node, ArrayType):
            items = self._type(node.items, context)
            return f"({items})[]" if " | " in items else f"{items}[]"
        if isinstance(node, UnionType):
            return " | ".join(dict.fromkeys(self._type(o, context) for o in node.options))
        if isinstance(node, ObjectType):
            name = self.namer.take(context)
            self.interfaces.append([])  # keep parents before children
            slot = len(self.interfaces) - 1
            self.interfaces[slot] = self._interface(name, node, Doc())
            return name
        return "unknown"

    # -- wrappers -------------------------------------------------------------------------

    def _wrapper(self) -> list[str]:
        """The typed function that sends this event through the client (module docstring)."""
        event, names = self.event, self.names
        wire = code_string(event.wire_name)
        noun = "traits" if event.call in ("identify", "group") else "properties"
        # No required property: the argument may be left out. (Not `= {}`: `{}` is not
        # assignable to a type with a property named like an Object member, `constructor`.)
        omittable = not any(item.required for item in event.properties.fields)
        props = f"{noun}{'?' if omittable else ''}: {names.type}"
        value = f"{noun} ?? {{}}" if omittable else noun
        entry = f"{noun}: {value}" if omittable else noun  # in the object form
        node = self.sdk == NODE_SDK
        params: list[str] = ["identity: Identity"] if node else []
        options = "options?: CallOptions"
        method = event.call
        condition = ""  # with two calls: when the first is made
        if event.call == "track":
            params += [props, options]
            calls = [
                f"track({{ ...options, ...identity, event: {wire}, {entry} }})"
                if node
                else f"track({wire}, {value}, options)"
            ]
        elif event.call == "identify":
            if node:
                params += [props, options]
                calls = [f"identify({{ ...options, ...identity, {entry} }})"]
            else:
                params = ["userId: string | null", props, options]
                calls = [
                    f"identify({value}, options)",
                    f"identify(userId, {value}, options)",
                ]
                condition = "userId === null"
        elif event.call == "group":
            params += ["groupId: string", props, options]
            calls = [
                f"group({{ ...options, ...identity, groupId, {entry} }})"
                if node
                else f"group(groupId, {value}, options)"
            ]
        elif event.keyed:  # a named page or screen
            params += [props, options]
            calls = [
                f"{method}({{ ...options, ...identity, name: {wire}, {entry} }})"
                if node
                else f"{method}({wire}, {value}, options)"
            ]
        elif node:
            params += [props, "options?: CallOptions & PageOptions"]
            calls = [f"{method}({{ ...options, ...identity, {entry} }})"]
        else:
            params += [props, options, "name?: string"]
            calls = [f"{method}({value}, options)", f"{method}(name, {value}, options)"]
            condition = "name === undefined"
        body = []
        if self.validate:
            body.append(
                f"  if ($handler !== null) $check({code_string(event.key)}, "
                f"$s_{names.type}, {value});"
            )
        if len(calls) == 1:
            body.append(f"  $client().{calls[0]};")
        else:
            body += [
                f"  if ({condition}) $client().{calls[0]};",
                f"  else $client().{calls[1]};",
            ]
        doc = Doc(event.doc.description, ())
        return [
            *_doc_block("", doc, [_sends(event)]),
            f"export function {names.function}({', '.join(params)}): void {{",
            *body,
            "}",
        ]


def descriptor(node: TypeNode) -> Any:
    """The validation descriptor of a type (JSON): what `$walk` in the module interprets.

    `{"k": kind}` for scalars and any, `{"k": "literals", "v": [...]}`, `{"k": "array",
    "i": items}`, `{"k": "union", "o": [...]}`, `{"k": "object", "f": [[wire, required,
    type], ...], "x": other keys allowed}`. An integer literal no double holds is any number.
    """
    if isinstance(node, Scalar):
        return {"k": node.kind}
    if isinstance(node, Literals):
        exact = [v for v in node.values if not _inexact(v)]
        literal = {"k": "literals", "v": exact}
        if len(exact) == len(node.values):
            return literal
        return {"k": "union", "o": [literal, {"k": "number"}]}
    if isinstance(node, ArrayType):
        return {"k": "array", "i": descriptor(node.items)}
    if isinstance(node, UnionType):
        return {"k": "union", "o": [descriptor(option) for option in node.options]}
    if isinstance(node, ObjectType):
        fields = [[item.wire, item.required, descriptor(item.type)] for item in node.fields]
        return {"k": "object", "f": fields, "x": node.extra}
    return {"k": "any"}


def _inexact(value: JsonScalar) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _MAX_SAFE


def _descriptor_literal(node: TypeNode) -> str:
    """The descriptor as a string literal of its JSON, parsed on the first check: a string
    costs the compiler nothing (1,000 object literals checked against `$Node` took seconds),
    and a build that never sets a handler never parses it."""
    text = json.dumps(descriptor(node), ensure_ascii=False, separators=(",", ":"))
    return code_string(text)


# -- shared code --------------------------------------------------------------------------


def _client_lines(sdk: str, calls: set[str]) -> list[str]:
    """The client interface (only the calls used), setAnalytics, and `$client()`."""
    if sdk == NODE_SDK:
        lines = [
            "/** Who a call is about: a user id, an anonymous id, or both. */",
            "export type Identity =",
            "  | { userId: string; anonymousId?: string | undefined }",
            "  | { userId?: string | undefined; anonymousId: string };",
            "",
            "/** What any call may add (see the SDK's documentation). */",
            "export interface CallOptions {",
            "  context?: object | undefined;",
            "  timestamp?: Date | string | undefined;",
            "  integrations?: object | undefined;",
            "  messageId?: string | undefined;",
            "}",
            "",
        ]
        if calls & {"page", "screen"}:
            lines += [
                "/** What a page or screen call without a name in the plan may add. */",
                "export interface PageOptions {",
                "  name?: string | undefined;",
                "  category?: string | undefined;",
                "}",
                "",
            ]
        methods = {
            "track": "track(message: Identity & CallOptions & "
            "{ event: string; properties?: object | undefined }): unknown;",
            "identify": "identify(message: Identity & CallOptions & "
            "{ traits?: object | undefined }): unknown;",
            "page": "page(message: Identity & CallOptions & PageOptions & "
            "{ properties?: object | undefined }): unknown;",
            "screen": "screen(message: Identity & CallOptions & PageOptions & "
            "{ properties?: object | undefined }): unknown;",
            "group": "group(message: Identity & CallOptions & "
            "{ groupId: string; traits?: object | undefined }): unknown;",
        }
        client_doc = (
            "The `Analytics` client of @segment/analytics-node (or any object with these calls)."
        )
    else:
        lines = [
            "/** The SDK's call options (integrations, context, timestamp, ...). */",
            "export type CallOptions = object;",
            "",
        ]
        methods = {
            "track": "track(event: string, properties?: object, options?: object): unknown;",
            "identify": "identify(userId: string, traits?: object, options?: object): unknown;\n"
            "  identify(traits: object | null, options?: object): unknown;",
            "page": "page(name: string, properties?: object, options?: object): unknown;\n"
            "  page(properties: object | null, options?: object): unknown;",
            "screen": "screen(name: string, properties?: object, options?: object): unknown;\n"
            "  screen(properties: object | null, options?: object): unknown;",
            "group": "group(groupId: string, traits?: object, options?: object): unknown;",
        }
        client_doc = (
            "`AnalyticsBrowser` or `window.analytics` of @segment/analytics-next (or any object "
            "with these calls)."
            if sdk == "analytics-next"
            else "The `RudderAnalytics` client of @rudderstack/analytics-js (or any object "
            "with these calls)."
        )
    used = [
        methods[call] for call in ("track", "identify", "page", "screen", "group") if call in calls
    ]
    lines += [
        f"/** {client_doc} */",
        "export interface AnalyticsClient {",
        *(f"  {method}" for method in used),
        "}",
        "",
        "let $analytics: AnalyticsClient | null = null;",
        "",
        "/** The client every wrapper calls; `null` unsets it. */",
        "export function setAnalytics(client: AnalyticsClient | null): void {",
        "  $analytics = client;",
        "}",
        "",
        "function $client(): AnalyticsClient {",
        "  if ($analytics === null) {",
        '    throw new Error("reflekt tracking: call setAnalytics(client) before tracking");',
        "  }",
        "  return $analytics;",
        "}",
        "",
    ]
    return lines


_VALIDATION_RUNTIME = """\
/** A property that does not match the event's schema. */
export interface Violation {
  /** The event, as named in the plan. */
  readonly event: string;
  /** Where: a JSON Pointer into the properties ("" for the whole object). */
  readonly path: string;
  readonly message: string;
}

/** Called with an event's violations (the event is still sent). */
export type ViolationHandler = (violations: readonly Violation[]) => void;

let $handler: ViolationHandler | null = null;

/** Validate every call against its schema while a handler is set (dev mode); `null` stops. */
export function setViolationHandler(handler: ViolationHandler | null): void {
  $handler = handler;
}

type $Node =
  | { readonly k: "string" | "number" | "integer" | "boolean" | "null" | "any" }
  | { readonly k: "literals"; readonly v: readonly (string | number | boolean | null)[] }
  | { readonly k: "array"; readonly i: $Node }
  | { readonly k: "union"; readonly o: readonly $Node[] }
  | {
      readonly k: "object";
      readonly f: readonly (readonly [string, boolean, $Node])[];
      readonly x: boolean;
    };

function $kind(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

function $walk(node: $Node, value: unknown, path: string, event: string, out: Violation[]): void {
  const fail = (message: string): void => {
    out.push({ event, path, message });
  };
  switch (node.k) {
    case "any":
      return;
    case "string":
    case "boolean":
      if (typeof value !== node.k) fail(`expected ${node.k}, got ${$kind(value)}`);
      return;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) {
        fail(`expected number, got ${$kind(value)}`);
      }
      return;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        fail(`expected integer, got ${$kind(value)}`);
      }
      return;
    case "null":
      if (value !== null) fail(`expected null, got ${$kind(value)}`);
      return;
    case "literals":
      if (!node.v.some((allowed) => allowed === value)) {
        fail(`expected one of ${JSON.stringify(node.v)}`);
      }
      return;
    case "array":
      if (!Array.isArray(value)) {
        fail(`expected array, got ${$kind(value)}`);
        return;
      }
      value.forEach((item: unknown, index: number) => {
        $walk(node.i, item, `${path}/${index}`, event, out);
      });
      return;
    case "union":
      for (const option of node.o) {
        const tried: Violation[] = [];
        $walk(option, value, path, event, tried);
        if (tried.length === 0) return;
      }
      fail(`matches none of the allowed types (got ${$kind(value)})`);
      return;
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        fail(`expected object, got ${$kind(value)}`);
        return;
      }
      const record = value as { readonly [key: string]: unknown };
      for (const [key, required, child] of node.f) {
        const at = `${path}/${key.replace(/~/g, "~0").replace(/\\//g, "~1")}`;
        const item = Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
        if (item === undefined) {
          if (required) out.push({ event, path: at, message: "required property is missing" });
        } else {
          $walk(child, item, at, event, out);
        }
      }
      if (!node.x) {
        for (const key of Object.keys(record)) {
          if (!node.f.some((known) => known[0] === key) && record[key] !== undefined) {
            out.push({ event, path, message: `property ${JSON.stringify(key)} is not allowed` });
          }
        }
      }
      return;
    }
  }
}

const $nodes = new Map<string, $Node>();

function $check(event: string, schema: string, value: unknown): void {
  let node = $nodes.get(event);
  if (node === undefined) {
    node = JSON.parse(schema) as $Node;
    $nodes.set(event, node);
  }
  const out: Violation[] = [];
  $walk(node, value, "", event, out);
  if (out.length > 0 && $handler !== null) $handler(out);
}
"""
