"""Load YAML with the line number of every key, so config errors can point at the line.

PyYAML's composer keeps the position of each node; we walk the node tree once and record
`key path -> line` next to the plain Python data. The same walk refuses duplicate keys (YAML
would silently keep the last one), and yamlguard bounds size, nesting and alias expansion
before anything is built.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reflekt.core.errors import ConfigError
from reflekt.core.yamlguard import MAX_CONFIG_BYTES, MAX_DEPTH, check_limits

KeyPath = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """Parsed YAML data plus the 1-based line of each key path."""

    path: Path
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    raw_numbers: dict[KeyPath, str] = field(default_factory=dict)
    """Source text of each unquoted number, to tell `port: 5432` from `password: 0123`."""

    def line_of(self, key_path: KeyPath) -> int | None:
        """Line of the deepest known ancestor of `key_path`."""
        for end in range(len(key_path), -1, -1):
            line = self.lines.get(tuple(key_path[:end]))
            if line is not None:
                return line
        return None


_MERGE_TAG = "tag:yaml.org,2002:merge"
_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_CONSTRUCT_ERRORS = (ValueError, TypeError, AttributeError, OverflowError, RecursionError)


class _Walker:
    """One walk over the composed nodes: line of each key path, duplicate keys, raw numbers.

    Aliases are followed for the line map (yamlguard has bounded what that costs); each
    literal mapping is checked for duplicate keys once.
    """

    def __init__(self, doc: YamlDocument, loader: Any) -> None:
        self.doc = doc
        self.loader = loader
        self.checked: set[int] = set()

    def walk(self, node: yaml.Node, key_path: KeyPath) -> None:
        if isinstance(node, yaml.MappingNode):
            if id(node) not in self.checked:
                self.checked.add(id(node))
                self.check_duplicates(node)
            merged: list[yaml.Node] = []
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    merged.append(value_node)
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                child = (*key_path, str(key_node.value))
                self.doc.lines[child] = key_node.start_mark.line + 1
                self.walk(value_node, child)
            for value_node in merged:  # explicit keys win over merged ones
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    if isinstance(source, yaml.MappingNode):
                        self.walk_merged(source, key_path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = (*key_path, index)
                self.doc.lines[child] = item.start_mark.line + 1
                self.walk(item, child)
        elif isinstance(node, yaml.ScalarNode) and not node.style and node.tag in _NUMBER_TAGS:
            self.doc.raw_numbers[key_path] = node.value

    def walk_merged(self, source: yaml.MappingNode, key_path: KeyPath) -> None:
        for key_node, value_node in source.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            child = (*key_path, str(key_node.value))
            if child not in self.doc.lines:
                self.doc.lines[child] = key_node.start_mark.line + 1
                self.walk(value_node, child)

    def check_duplicates(self, node: yaml.MappingNode) -> None:
        """Two keys that would become one dict key (`a`/`a`, `1`/`1.0`, `yes`/`true`)."""
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            key = self.loader.construct_object(key_node)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
                if first is None:
                    seen[key] = line
                    continue
            except TypeError:  # unhashable: the constructor reports it
                continue
            raise ConfigError(
                f"duplicate key '{key_node.value}' (first on line {first}, again on line "
                f"{line}); YAML would keep only the last value",
                file=self.doc.path,
                line=line,
                hint="remove or rename one of the two",
            )


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """Parse YAML text; a syntax error or a crossed limit is a ConfigError with file and line."""
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if len(text) > MAX_CONFIG_BYTES:
        raise _too_big(path)
    doc = YamlDocument(path=path, data=None)
    try:
        check_limits(text, path, loader_cls)
        loader = loader_cls(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                doc.lines[()] = node.start_mark.line + 1
                _Walker(doc, loader).walk(node, ())
                doc.data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in problem:  # newer PyYAML stops deep flows while scanning
            problem = f"nested more than {MAX_DEPTH} levels deep"
        raise ConfigError(
            f"invalid YAML: {problem}",
            file=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint=_hint_for(problem, text, mark),
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=path) from None
    except _CONSTRUCT_ERRORS as exc:
        raise ConfigError(
            f"invalid YAML: a value cannot be read ({exc})",
            file=path,
            hint='quote values that are meant as text, e.g. "2020-02-30"',
        ) from None
    return doc


def _hint_for(problem: str, text: str, mark: Any) -> str | None:
    if mark is None or "unhashable" not in problem:
        return None
    lines = text.splitlines()
    if mark.line < len(lines) and "{{" in lines[mark.line]:
        return "quote a value that holds {{ ... }}: api_token: \"{{ env_var('NAME') }}\""
    return None


def _too_big(path: Path) -> ConfigError:
    return ConfigError(
        f"{path.name} is larger than {MAX_CONFIG_BYTES:,} bytes; a config file this big is refused",
        file=path,
    )


def load_yaml(path: Path) -> YamlDocument:
    """Read (a regular file, size-capped) and parse a YAML file; problems are ConfigErrors."""
    try:
        if path.exists() and not path.is_file():  # a FIFO would block, /dev/zero never end
            raise ConfigError(f"{path} is not a regular file", file=path)
        with path.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ConfigError(f"{path} is not a regular file", file=path)
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise _too_big(path)
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"not UTF-8 text: {exc.reason}", file=path, line=line) from None
    return parse_yaml(text, path)
