"""Safe fixes for lint findings, as edits of the file's text (`reflekt lint --fix`, the TUI).

Which findings have a fix, and when it is safe:
- RF201 `$id` does not match the path (or is missing): set it to the path.
- RF203 `self.version` does not match the file name: set it to the file's version.
- RF311 a property name breaks the casing: rename it to the suggestion (and in `required`),
  unless another version of the event has the old name (a rename there breaks the data
  already sent), the new name is taken in the same object, or the schema was pulled from a
  registry (its Segment bookkeeping in `metadata`: rename it in the registry instead).

Edits replace exact spans of the original text, so the rest of the file (formatting, key
order, other properties) stays byte for byte. Only files that parse as strict JSON are
fixed; each fixed text is parsed again and must mean the original with just that change.
Writing is the caller's (`apply_fixes`: all files or none).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path, PurePosixPath
from typing import Any

from reflekt.core.jsonpath import JsonPath
from reflekt.core.lint.base import walk_properties
from reflekt.core.lint.findings import Finding
from reflekt.core.platforms.segment import RESERVED_METADATA
from reflekt.core.strictjson import StrictJsonError, loads_strict

FIXABLE = ("RF201", "RF203", "RF311")
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Fix:
    """One change made to one file."""

    file: str  # relative to the project root, as in the finding
    rule: str
    line: int | None
    description: str  # 'property "cartId" renamed to "cart_id"'


@dataclass(frozen=True)
class Skipped:
    """A fixable finding left as it is, and why."""

    finding: Finding
    reason: str


@dataclass(frozen=True)
class FixPlan:
    """The new text of every file with a fix, what changed, and what was left."""

    texts: dict[Path, str]
    fixes: tuple[Fix, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True)
class _Span:
    key_start: int  # the key's opening quote ("" for an array item: its value's start)
    value_start: int
    value_end: int


def _spans(text: str) -> dict[JsonPath, _Span]:
    """The span of every key and value of a strict JSON text, by JSON path."""
    spans: dict[JsonPath, _Span] = {}

    def skip(index: int) -> int:
        match = _WS.match(text, index)
        return match.end() if match else index

    def value(index: int, path: JsonPath) -> int:
        index = skip(index)
        char = text[index]
        if char == "{":
            index = skip(index + 1)
            if text[index] == "}":
                return index + 1
            while True:
                key_start = index
                key, index = scanstring(text, index + 1)
                index = skip(index) + 1  # the colon
                value_start = skip(index)
                end = value(value_start, (*path, key))
                spans[(*path, key)] = _Span(key_start, value_start, end)
                index = skip(end)
                if text[index] == ",":
                    index = skip(index + 1)
                    continue
                return index + 1  # the closing brace
        if char == "[":
            index = skip(index + 1)
            if text[index] == "]":
                return index + 1
            item = 0
            while True:
                start = skip(index)
                end = value(start, (*path, item))
                spans[(*path, item)] = _Span(start, start, end)
                item += 1
                index = skip(end)
                if text[index] == ",":
                    index += 1
                    continue
                return index + 1
        if char == '"':
            return scanstring(text, index + 1)[1]
        return _DECODER.raw_decode(text, index)[1]

    value(0, ())
    return spans


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _property_names(body: Any) -> set[str]:
    """Every property's dotted path (nested objects and array items too), as lint names them."""
    return {prop.dotted for prop in walk_properties(body)} if isinstance(body, dict) else set()


def _other_versions(path: Path) -> list[tuple[str, Any]]:
    """(file name, parsed body) of the event's other version files (unreadable ones skipped)."""
    others = []
    for sibling in sorted(path.parent.glob("*.json")):
        if sibling == path:
            continue
        try:
            others.append((sibling.name, loads_strict(sibling.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, StrictJsonError, ValueError):
            continue
    return others


class _FileFixer:
    """The edits of one file, checked against its parsed meaning."""

    def __init__(self, path: Path, text: str, body: dict[str, Any]) -> None:
        self.path = path
        self.text = text
        self.body = body
        self.spans = _spans(text)
        self.edits: list[tuple[int, int, str]] = []
        self.expected = json.loads(text)  # what the fixed text must parse to

    def replace_value(self, at: JsonPath, value: str) -> bool:
        """Replace the value at `at`; False when there is no such key."""
        span = self.spans.get(at)
        if span is None:
            return False
        self.edits.append((span.value_start, span.value_end, _string(value)))
        _node(self.expected, at[:-1])[at[-1]] = value
        return True

    def insert_id(self, schema_id: str) -> None:
        """`"$id": ...` as the root object's first key, laid out like the key after it."""
        entry = f"{_string('$id')}: {_string(schema_id)}"
        keys = [span for at, span in self.spans.items() if len(at) == 1]
        if not keys:
            brace = self.text.index("{")
            self.edits.append((brace + 1, brace + 1, entry))
        else:
            first = min(keys, key=lambda span: span.key_start).key_start
            line_start = self.text.rfind("\n", 0, first) + 1
            indent = self.text[line_start:first]
            separator = f",\n{indent}" if line_start and not indent.strip() else ", "
            self.edits.append((first, first, entry + separator))
        self.expected = {"$id": schema_id, **self.expected}

    def rename_key(self, at: JsonPath, new: str) -> None:
        """Rename a property's key, and its entry in the owning object's `required`."""
        span = self.spans[at]
        key_end = scanstring(self.text, span.key_start + 1)[1]
        self.edits.append((span.key_start, key_end, _string(new)))
        properties_path, old = at[:-1], at[-1]
        properties = _node(self.expected, properties_path)
        entries = list(properties.items())
        properties.clear()
        properties.update((new if key == old else key, value) for key, value in entries)
        owner_path = properties_path[:-1]  # the object holding `properties` and `required`
        required = _node(self.expected, owner_path).get("required")
        if not isinstance(required, list):
            return
        for index, name in enumerate(required):
            item = self.spans.get((*owner_path, "required", index))
            if name == old and item is not None:
                self.edits.append((item.value_start, item.value_end, _string(new)))
                required[index] = new

    def result(self) -> str:
        text = self.text
        for start, end, new in sorted(self.edits, reverse=True):
            text = text[:start] + new + text[end:]
        if json.loads(text) != self.expected:  # never write what we did not mean
            raise ValueError(f"{self.path}: a fix changed more than it should")
        return text


def _node(document: Any, at: JsonPath) -> Any:
    for part in at:
        document = document[part]
    return document


def _registry_bookkeeping(body: dict[str, Any]) -> bool:
    metadata = body.get("metadata")
    return isinstance(metadata, dict) and bool(RESERVED_METADATA & set(metadata))


def _prefixes(at: tuple) -> list[tuple]:
    """The JSON paths `at` is under (`a/b/c`: `a`, `a/b`)."""
    return [tuple(at[:end]) for end in range(1, len(at))]


def _rename_refusal(
    finding: Finding, fixer: _FileFixer, others: Sequence[tuple[str, Any]]
) -> str | None:
    """Why a property rename is not safe here, or None."""
    at, new = finding.path, finding.suggestion or ""
    if len(at) < 2 or at[-2] != "properties" or at not in fixer.spans:
        if any((*prefix, "$ref") in fixer.spans for prefix in _prefixes(at)):
            return "the property comes from a shared definition ($ref): rename it there"
        return "the property was not found where the finding points"
    if new in _node(fixer.expected, at[:-1]):
        return f'a property "{new}" already exists there'
    if _registry_bookkeeping(fixer.body):
        return "the schema was pulled from a registry: rename the property there"
    dotted = finding.property or str(at[-1])
    for name, body in others:
        if dotted in _property_names(body):
            return (
                f'version {name.removesuffix(".json")} has "{dotted}" too: renaming breaks the '
                "data already sent (make a new version instead)"
            )
    return None


def plan_fixes(root: Path, findings: Sequence[Finding]) -> FixPlan:
    """The fixes of `findings` that are safe, as new file texts (nothing is written).

    `root` is the project root (findings name files relative to it).
    """
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule in FIXABLE and finding.suggestion:
            by_file.setdefault(finding.file, []).append(finding)
    texts: dict[Path, str] = {}
    fixes: list[Fix] = []
    skipped: list[Skipped] = []
    for file, file_findings in sorted(by_file.items()):
        path = root / file
        try:
            text = path.read_text(encoding="utf-8")
            body = loads_strict(text)
        except (OSError, UnicodeDecodeError, StrictJsonError, ValueError):
            skipped += [
                Skipped(f, "the file is not strict JSON: fix RF101 first") for f in file_findings
            ]
            continue
        if not isinstance(body, dict):
            continue
        fixer = _FileFixer(path, text, body)
        others: list[tuple[str, Any]] | None = None  # read once, and only for a rename
        done: list[Fix] = []
        for finding in sorted(file_findings, key=lambda f: (f.line or 0, f.rule)):
            new = finding.suggestion or ""
            if finding.rule == "RF201":
                if not fixer.replace_value(("$id",), new):
                    fixer.insert_id(new)
                done.append(Fix(file, "RF201", finding.line, f"`$id` set to {_string(new)}"))
            elif finding.rule == "RF203":
                if fixer.replace_value(("self", "version"), new):
                    done.append(
                        Fix(file, "RF203", finding.line, f"`self.version` set to {_string(new)}")
                    )
            else:
                if others is None:
                    others = _other_versions(path)
                refusal = _rename_refusal(finding, fixer, others)
                if refusal:
                    skipped.append(Skipped(finding, refusal))
                    continue
                fixer.rename_key(finding.path, new)
                old = finding.property or str(finding.path[-1])
                done.append(
                    Fix(
                        file,
                        "RF311",
                        finding.line,
                        f"property {_string(old)} renamed to {_string(new)}",
                    )
                )
        if done:
            texts[path] = fixer.result()
            fixes += done
    return FixPlan(texts, tuple(fixes), tuple(skipped))


def apply_fixes(root: Path, plan: FixPlan) -> None:
    """Write the fixed files: all or none (`core/transaction.py`), keeping each file's mode."""
    from reflekt.core.fsutil import write_all_atomic

    write_all_atomic(plan.texts, root)


@dataclass(frozen=True)
class Renumbering:
    """RF601's fix: the mis-numbered newest version moved to the MAJOR version it should be."""

    old: Path
    new: Path
    text: str  # the old file's text with `$id` and `self.version` of the new one


def plan_renumber(root: Path, finding: Finding) -> Renumbering:
    """The move of an RF601 finding's file (`1-1.json` with a breaking change) to the MAJOR
    version it should be (`2-0.json`), nothing written. Only the newest version of an event
    is renumbered, and only to a free file name: ValueError says why not otherwise.
    """
    from reflekt.core.schemas import Version

    if finding.rule != "RF601" or not finding.suggestion:
        raise ValueError("only an RF601 finding (a breaking change in a MINOR bump) is renumbered")
    old = root / finding.file
    new = old.with_name(f"{finding.suggestion}.json")
    if new.exists():
        raise ValueError(f"{new.name} already exists: merge the changes into it by hand")
    current = Version.try_parse(old.stem)
    later = [
        sibling.name
        for sibling in old.parent.glob("*.json")
        if (version := Version.try_parse(sibling.stem)) is not None
        and current is not None
        and version > current
    ]
    if later:
        raise ValueError(
            f"{', '.join(sorted(later))} come after {old.name}: only the newest version moves"
        )
    try:
        text = old.read_text(encoding="utf-8")
        body = loads_strict(text)
    except (OSError, UnicodeDecodeError, StrictJsonError, ValueError):
        raise ValueError(f"{finding.file} is not strict JSON: fix RF101 first") from None
    if not isinstance(body, dict):
        raise ValueError(f"{finding.file} is not a JSON object")
    fixer = _FileFixer(old, text, body)
    new_id = str(PurePosixPath(finding.schema_id).with_name(new.name))
    if not fixer.replace_value(("$id",), new_id):
        fixer.insert_id(new_id)
    fixer.replace_value(("self", "version"), finding.suggestion)
    return Renumbering(old, new, fixer.result())


def apply_renumber(root: Path, move: Renumbering) -> None:
    """Write the new version and remove the old one: both or neither."""
    from reflekt.core.transaction import apply_files

    apply_files(root, {move.new: move.text}, [move.old])
