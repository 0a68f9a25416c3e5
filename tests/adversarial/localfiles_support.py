"""Helpers of the local-file tests: hostile schema texts, a bounded `reflekt` process,
checks that a run neither crashed nor wrote anything."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REGISTRY_FAKES = Path(__file__).resolve().parents[1] / "integration" / "registries"
if str(REGISTRY_FAKES) not in sys.path:
    sys.path.insert(0, str(REGISTRY_FAKES))

from registry_fakes import SEGMENT_TOKEN, FakeSegment, track_rule  # noqa: E402

__all__ = [
    "HOSTILE",
    "SEGMENT_TOKEN",
    "FakeSegment",
    "Hostile",
    "assert_no_traceback",
    "deep_schema_text",
    "run_reflekt",
    "snapshot",
    "track_rule",
]


@dataclass(frozen=True)
class Hostile:
    """A schema text Python's json mishandles, the message lint gives and where."""

    text: str
    message: str
    line: int
    column: int


def _schema_head(extra: str) -> str:
    return (
        '{\n  "$schema": "http://json-schema.org/draft-07/schema#",\n'
        '  "type": "object",\n' + extra + '  "properties": {}\n}\n'
    )


HOSTILE: dict[str, Hostile] = {
    "arrays-10000-deep": Hostile(
        '{"a": ' + "[" * 10_000 + "]" * 10_000 + "}", "nested too deeply", 1, 7 + 63
    ),
    "objects-10000-deep": Hostile(
        '{"a": ' + '{"a": ' * 10_000 + "1" + "}" * 10_001,
        "more than 64 levels",
        1,
        1 + 6 * 64,
    ),
    "5000-digit-integer": Hostile(
        _schema_head('  "maxLength": ' + "9" * 5000 + ",\n"),
        "a number with 5,000 digits is too long",
        4,
        16,
    ),
    "lone-surrogate": Hostile(
        _schema_head('  "description": "half \\ud800 a pair",\n'),
        "\\ud800 is half of a UTF-16 surrogate pair",
        4,
        24,
    ),
    "lone-low-surrogate-in-key": Hostile(
        _schema_head('  "x\\udc00": 1,\n'), "\\udc00 is half of a UTF-16 surrogate pair", 4, 5
    ),
    "nan": Hostile(_schema_head('  "maximum": NaN,\n'), "NaN is not a JSON number", 4, 14),
    "infinity": Hostile(
        _schema_head('  "maximum": Infinity,\n'), "Infinity is not a JSON number", 4, 14
    ),
    "minus-infinity": Hostile(
        _schema_head('  "minimum": -Infinity,\n'), "-Infinity is not a JSON number", 4, 14
    ),
    "float-overflow": Hostile(
        _schema_head('  "maximum": 1e999,\n'), "the number 1e999 is out of range", 4, 14
    ),
    "duplicate-keys": Hostile(
        _schema_head('  "description": "first",\n  "description": "second",\n'),
        'duplicate key "description" in one object (first at line 4)',
        5,
        3,
    ),
}


def deep_schema_text(levels: int) -> str:
    """A valid schema whose property `p` nests `levels` objects (2 JSON levels each)."""
    node: dict = {"type": "string", "description": "The leaf."}
    for _ in range(levels):
        node = {"type": "object", "description": "A level.", "properties": {"p": node}}
    import json

    body = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "segment/shop/Deep_Thing/1-0.json",
        "description": "Deep but allowed.",
        "self": {
            "vendor": "com.example",
            "name": "Deep Thing",
            "format": "jsonschema",
            "version": "1-0",
        },
        "metadata": {},
        "type": "object",
        "properties": {"p": node},
        "required": [],
        "additionalProperties": False,
    }
    return json.dumps(body, indent=2) + "\n"


def assert_no_traceback(result) -> None:
    """A CliRunner result that ended by an exit code, not an exception."""
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` (bar logs and the cache) with a hash of its content."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(os.fsencode(root)):
        rel_dir = os.path.relpath(dirpath, os.fsencode(root))
        if rel_dir.split(b"/")[0] in (b".logs", b".reflekt_cache"):
            continue
        dirnames.sort()
        for name in filenames:
            path = os.path.join(dirpath, name)
            key = os.fsdecode(os.path.relpath(path, os.fsencode(root)))
            try:
                with open(path, "rb", opener=_nonblocking) as handle:
                    digest = hashlib.sha256(handle.read(1 << 20)).hexdigest()
            except OSError as exc:
                digest = f"unreadable: {exc.errno}"
            found[key] = digest
    return found


def _nonblocking(path, flags):
    import stat

    fd = os.open(path, flags | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(0, "not a regular file")
    return fd


def run_reflekt(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m reflekt <args>` with a 60 s timeout: a hang fails the test, not the suite."""
    return subprocess.run(
        [sys.executable, "-m", "reflekt", *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        capture_output=True,
        text=True,
        errors="replace",
        timeout=60,
        check=False,
    )
