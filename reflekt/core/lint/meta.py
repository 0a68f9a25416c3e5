"""Compiled checks against the draft-07 meta-schema and the project's event meta-schema.

Reflekt's dialect is draft-07 plus the seed's `any` type (`data_types: [..., any, 'null']`;
Segment stores and returns `"type": "any"`): `draft7_metaschema()` lists `any` among the
simple types, so a pulled rule with `any` is valid (RF502 still checks it against the
project's `data_types`). Everything else is draft-07 as published.

`jsonschema` takes milliseconds per file; linting 10,000 schemas that way takes minutes. So
both schemas are compiled once with `fastjsonschema` (a fast yes/no per file), and only a
file that fails is validated again with `jsonschema` to list every error with its path.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reflekt.core.errors import ConfigError
from reflekt.core.schemas import json_kind

DRAFT7_URI = "http://json-schema.org/draft-07/schema"
_DRAFT7_FILE = Path(__file__).with_name("draft-07-schema.json")


@dataclass(frozen=True)
class SchemaError:
    """One validation error: a readable message and the JSON path it is about."""

    message: str
    path: tuple[str | int, ...]


EXTRA_TYPES = ("any",)  # types Reflekt accepts beyond draft-07's seven


def draft7_metaschema() -> dict[str, Any]:
    """The draft-07 meta-schema, with `any` among the simple types (see the module doc)."""
    schema = json.loads(_DRAFT7_FILE.read_text(encoding="utf-8"))
    schema["definitions"]["simpleTypes"]["enum"].extend(EXTRA_TYPES)
    return schema


def _handlers() -> dict[str, Any]:
    """Resolve references to the draft-07 meta-schema locally (no network)."""
    draft7 = draft7_metaschema()

    def fetch(uri: str) -> dict[str, Any]:
        if uri.rstrip("#") == DRAFT7_URI:
            return draft7
        raise ConfigError(f"the meta-schema refers to '{uri}', which Reflekt cannot fetch")

    return {"http": fetch, "https": fetch}


# The generated code builds a name for every nested value (`data.properties.x`) with
# `.format(**locals())`, only for its error messages. We only ask it yes or no (details come
# from jsonschema), so those names are dropped: validation runs about twice as fast.
_NAME_FORMAT = re.compile(r'\(name_prefix or "data"\) \+ "[^"\n]*"\.format\(\*\*locals\(\)\)')
_FIRST_DEF = re.compile(r"^def (\w+)\(", re.MULTILINE)


def _compile_fast(schema: dict[str, Any]) -> Callable[[Any], Any]:
    import fastjsonschema

    handlers = _handlers()
    try:
        code = fastjsonschema.compile_to_code(schema, handlers=handlers, use_default=False)
        match = _FIRST_DEF.search(code)
        if match is None:
            raise ValueError("no validation function in the generated code")
        # The generated code tests numbers with `Decimal`, which `compile_to_code` does
        # not import: without it every schema holding a bound (`minimum: 0`) raised
        # NameError here, was taken as invalid, and went to the slow detailed check.
        from decimal import Decimal

        namespace: dict[str, Any] = {"Decimal": Decimal}
        exec(compile(_NAME_FORMAT.sub("None", code), "<meta-schema>", "exec"), namespace)
        return namespace[match.group(1)]
    except ConfigError:
        raise
    except Exception:
        return fastjsonschema.compile(schema, handlers=handlers, use_default=False)


_VALUE_KEYWORDS = frozenset({"enum", "const", "default", "examples"})  # hold data, not schemas


def without_any_type(node: Any) -> Any:
    """The schema with every `"type": "any"` (or a type list holding `any`) dropped.

    In Reflekt's dialect `any` admits every value, which is what a schema without `type`
    does; neither fastjsonschema nor jsonschema knows the name, so a meta-schema that uses
    it is validated in this equivalent form.
    """
    if isinstance(node, list):
        return [without_any_type(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _VALUE_KEYWORDS:
            out[key] = value
        elif key == "type" and (value == "any" or (isinstance(value, list) and "any" in value)):
            continue
        else:
            out[key] = without_any_type(value)
    return out


class _Validator:
    """A fast validity check plus a detailed (slower) error listing for failures.

    `lazy`: compiled when first asked (`compiled`), not now: for a schema that cannot fail
    to compile (Reflekt's own draft-07), which most lint runs never call (see
    `_Draft7Validator`); compiling it is 50 ms of a one-file lint's second."""

    def __init__(self, schema: dict[str, Any], *, lazy: bool = False) -> None:
        import fastjsonschema

        schema = without_any_type(schema)
        self.schema = schema
        self._fast: Callable[[Any], Any] | None = None if lazy else _compile_fast(schema)
        self._exception = fastjsonschema.JsonSchemaException
        self._detailed: Any = None

    def compiled(self) -> Callable[[Any], Any]:
        """The fast check, compiled now if it was not (before forking: workers share it)."""
        if self._fast is None:
            self._fast = _compile_fast(self.schema)
        return self._fast

    def is_valid(self, instance: Any) -> bool:
        try:
            self.compiled()(instance)
        except self._exception:
            return False
        except Exception:
            return False
        return True

    def errors(self, instance: Any) -> list[SchemaError]:
        """Every error, sorted by path, for an instance known to fail."""
        if self._detailed is None:
            from jsonschema import Draft7Validator

            self._detailed = Draft7Validator(
                self.schema, format_checker=None, registry=_draft7_registry()
            )
        found = []
        for error in self._detailed.iter_errors(instance):
            found.extend(_leaf_errors(error))
        if not found:
            # fastjsonschema also checks formats (a `pattern` must be a valid regex).
            from jsonschema import Draft7Validator

            checked = Draft7Validator(
                self.schema,
                format_checker=Draft7Validator.FORMAT_CHECKER,
                registry=_draft7_registry(),
            )
            for error in checked.iter_errors(instance):
                found.extend(_leaf_errors(error))
        unique = {(e.path, e.message): e for e in found}
        return [unique[key] for key in sorted(unique, key=lambda k: (tuple(map(str, k[0])), k[1]))]


def _draft7_registry() -> Any:
    """References to draft-07 resolve to Reflekt's dialect (with `any`), as in the fast check."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT7

    resource = DRAFT7.create_resource(draft7_metaschema())
    return Registry().with_resources([(DRAFT7_URI, resource), (DRAFT7_URI + "#", resource)])


def _leaf_errors(error: Any) -> list[SchemaError]:
    """The most specific errors under an anyOf/oneOf failure (its own message otherwise)."""
    if error.context and error.validator in ("anyOf", "oneOf"):
        deepest = max(len(sub.absolute_path) for sub in error.context)
        if deepest > len(error.absolute_path):
            subs = [sub for sub in error.context if len(sub.absolute_path) == deepest]
            return [e for sub in subs for e in _leaf_errors(sub)]
        enums = [sub for sub in error.context if sub.validator == "enum"]
        if enums and len(enums[0].absolute_path) == len(error.absolute_path):
            return [SchemaError(_message(enums[0]), tuple(error.absolute_path))]
    return [SchemaError(_message(error), tuple(error.absolute_path))]


_SHOWN = 60  # characters of an offending value quoted in a message
_PY_STRING = re.compile(r"'([^'\"\\]*)'")


def _json_value(value: Any) -> str:
    """The value as JSON (not Python's repr), cut to a readable length."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _message(error: Any) -> str:
    """jsonschema's message, readable: no Python repr, no value dumped whole.

    `properties: [['cart_id', {...}], ...] is not of type 'object'` becomes
    `properties: expected type object, found an array`.
    """
    where = "/".join(str(part) for part in error.absolute_path)
    if error.validator == "type":
        wanted = error.validator_value
        wanted = " or ".join(wanted) if isinstance(wanted, list) else str(wanted)
        text = f"expected type {wanted}, found {json_kind(error.instance)}"
    else:
        text, shown = error.message, repr(error.instance)
        head = ""
        if text.startswith(shown):
            head, text = _json_value(error.instance), text[len(shown) :]
        text = head + _PY_STRING.sub(r'"\1"', text)  # 'cart_id' -> "cart_id", as in JSON
        if len(text) > 300:
            text = text[:297] + "..."
    return f"{where}: {text}" if where else text


class _Draft7Validator(_Validator):
    """The draft-07 check, which first asks `draft7_fast.certainly_valid` (most schemas of
    real plans: no call of the compiled meta-schema at all)."""

    def is_valid(self, instance: Any) -> bool:
        from reflekt.core.lint.draft7_fast import certainly_valid

        return certainly_valid(instance) or super().is_valid(instance)


@functools.cache
def draft7_validator() -> _Validator:
    """The draft-07 check (compiled once per process, when a schema first needs it)."""
    return _Draft7Validator(draft7_metaschema(), lazy=True)


class MetaChecks:
    """The draft-07 check and the project's meta-schema check, compiled once per run."""

    def __init__(self, meta_schema_path: Path | None, *, need_draft7: bool, need_meta: bool):
        self.draft7 = draft7_validator() if need_draft7 else None
        self.meta = _load_meta(meta_schema_path) if need_meta and meta_schema_path else None


def _load_meta(path: Path) -> _Validator:
    """Compile the project's meta-schema; a missing or broken one is a ConfigError (exit 2)."""
    from reflekt.core.readfile import UnreadableFileError, read_regular
    from reflekt.core.schemas import parse_schema_text

    hint = "`reflekt init` writes a default one; restore it from git or from a new project"
    if (path.parent.parent / "meta" / "1-0.json").is_file():  # reflekt 0.6's meta-schema
        hint = (
            "this is a reflekt 0.6 project (schemas/.reflekt/meta/1-0.json): convert it with "
            "`reflekt migrate --dry-run`, then `reflekt migrate`"
        )
    try:
        text = read_regular(path).decode("utf-8-sig")  # a FIFO or /dev/zero: no hang
    except FileNotFoundError:
        raise ConfigError(f"the meta-schema {path} does not exist", hint=hint) from None
    except UnreadableFileError as exc:
        raise ConfigError(f"cannot read the meta-schema {path}: {exc.message}", hint=hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the meta-schema {path}: {exc}", hint=hint) from None
    body, problems = parse_schema_text(text)
    if problems:
        first = problems[0]
        raise ConfigError(
            f"the meta-schema is not valid JSON: {first.message.removeprefix('invalid JSON: ')}",
            file=path,
            line=first.line,
            column=first.column,
            hint=hint,
        )
    assert body is not None
    draft7 = draft7_validator()
    if not draft7.is_valid(body):
        errors = draft7.errors(body)
        error = errors[0] if errors else SchemaError("invalid", ())
        from reflekt.core.lint.locate import Locator

        line, column = Locator(text).position(error.path)
        raise ConfigError(
            f"the meta-schema is not a valid draft-07 JSON Schema: {error.message}",
            file=path,
            line=line,
            column=column,
            hint=hint,
        )
    try:
        return _Validator(body)
    except ConfigError as error:
        raise ConfigError(
            error.message,
            file=path,
            hint="a meta-schema may only $ref the draft-07 meta-schema "
            f"({DRAFT7_URI}#) or its own definitions",
        ) from None
    except Exception as exc:
        raise ConfigError(
            f"the meta-schema cannot be compiled: {exc}", file=path, hint=hint
        ) from None


def load_meta_schema(path: Path) -> None:
    """Load and compile the project's meta-schema exactly as lint does (`reflekt debug`
    checks with it, so the two never disagree); ConfigError (exit 2) when lint could not
    use it."""
    _load_meta(path)
