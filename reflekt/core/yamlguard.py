"""Limits checked on a config file's YAML events before anything is built from them.

Aliases are allowed (profiles share settings with `<<: *defaults`, as dbt profiles do), but
a small file whose aliases nest (an "alias bomb") would expand to billions of values in the
line map and in every walk over the data. One pass over the parser's events measures what
the document expands to, without expanding it, and stops at the first limit crossed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from reflekt.core.errors import ConfigError

MAX_CONFIG_BYTES = 1_000_000
"""A config file larger than this is refused (the seed's examples are ~3 KB)."""

MAX_DEPTH = 64
"""Deepest nesting allowed, aliases expanded (the seed's files nest 5 levels)."""

MAX_NODES = 100_000
"""Most values (keys, scalars, lists, mappings) a document may hold, aliases expanded."""


@dataclass
class _Open:
    """A mapping or sequence whose end event has not been seen yet."""

    anchor: str | None
    size: int = 1
    height: int = 0


@dataclass(frozen=True)
class _Measure:
    size: int
    height: int


def check_limits(text: str, path: Path, loader_cls: type) -> None:
    """Raise ConfigError (file and line) if `text` nests or expands beyond the limits.

    YAML syntax errors are left for the composer to report.
    """
    meter = _Meter(path)
    try:
        for event in yaml.parse(text, Loader=loader_cls):
            meter.feed(event)
    except yaml.YAMLError:
        return


class _Meter:
    """Sizes and heights of what is open, and of every anchor, as the events go by."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.anchors: dict[str, _Measure] = {}
        self.stack: list[_Open] = []
        self.aliased = False

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.CollectionStartEvent):
            self.stack.append(_Open(event.anchor))
            if len(self.stack) > MAX_DEPTH:
                raise self.fail(event, f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            done = self.stack.pop()
            measure = _Measure(done.size, done.height)
            if done.anchor is not None:
                self.anchors[done.anchor] = measure
            self.add(event, measure)
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                self.anchors[event.anchor] = _Measure(1, 0)
            self.add(event, _Measure(1, 0))
        elif isinstance(event, yaml.AliasEvent):
            if any(frame.anchor == event.anchor for frame in self.stack):
                raise self.fail(event, f"alias *{event.anchor} is inside the value it names")
            named = self.anchors.get(event.anchor) if event.anchor is not None else None
            if named is not None:  # an undefined alias is the composer's to report
                self.aliased = True
                self.add(event, named)

    def add(self, event: yaml.Event, measure: _Measure) -> None:
        if not self.stack:
            return
        parent = self.stack[-1]
        parent.size += measure.size
        parent.height = max(parent.height, measure.height + 1)
        if len(self.stack) + measure.height > MAX_DEPTH:
            raise self.fail(event, f"aliases nest it more than {MAX_DEPTH} levels deep")
        if sum(frame.size for frame in self.stack) > MAX_NODES:
            what = "aliases expand this file" if self.aliased else "this file holds"
            raise self.fail(event, f"{what} to more than {MAX_NODES:,} values")

    def fail(self, event: yaml.Event, problem: str) -> ConfigError:
        mark = event.start_mark
        return ConfigError(
            f"invalid YAML: {problem}",
            file=self.path,
            line=mark.line + 1 if mark else None,
            hint="a config file needs neither deep nesting nor aliases of aliases; write the "
            "values out (small aliases such as `<<: *defaults` are fine)",
        )
