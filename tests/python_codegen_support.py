"""Shared by the Python emitter's unit and toolchain tests: the demo plan's and a hostile
plan's events, a package written from them, and `mypy --strict` run over files."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from reflekt.core.build.events import EventSchema
from reflekt.core.codegen import python
from reflekt.core.codegen.emit import CodeOptions
from reflekt.core.codegen.model import CodeEvent, VersionPolicy, code_events

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "reflekt" / "demo" / "project"

# Everything that must not break out of a name, key or description.
EVIL = 'x"""y\n# z\\w\u2028\u202e\ud800\x00\'end'
HOSTILE_KEYS = [
    "order id",
    "class",
    "None",
    "str",
    "type",
    "list",
    "__dunder",
    "\ufb01le",  # the `fi` ligature: NFKC would make it `file` in a class body
    "Café",
    'a"b',
    "\n",
    "",
    "x\\y",
    "#",
    '"""',
    "\u202e",
    "\ud800",
    "\x00",
    "orderId",
    "OrderId",
    "JSONValue",
    "NotRequired",
    EVIL,
]


def body(
    name: str,
    properties: Mapping[str, Any],
    *,
    required: Sequence[str] = (),
    description: str = "",
    closed: bool = False,
) -> dict[str, Any]:
    return {
        "description": description,
        "self": {"name": name, "version": "1-0"},
        "type": "object",
        "properties": dict(properties),
        "required": list(required),
        "additionalProperties": not closed,
    }


def events_of(
    bodies: Sequence[tuple[str, Mapping[str, Any]]], policy: VersionPolicy = "newest"
) -> list[CodeEvent]:
    return code_events([EventSchema.from_body(sid, b) for sid, b in bodies], policy)


def hostile_events() -> list[CodeEvent]:
    """Names and descriptions built to break out, collide and shadow."""
    nested = {
        "type": "object",
        "description": EVIL,
        "properties": {key: {"type": "string", "description": EVIL} for key in HOSTILE_KEYS},
        "required": ["class", EVIL],
        "additionalProperties": False,
    }
    hostile_props: dict[str, Any] = {
        key: {"type": "string", "description": EVIL} for key in HOSTILE_KEYS
    }
    hostile_props.update(
        {
            "mixed enum": {"enum": [1.5, "a\n\"b'", None, True, -3, EVIL]},
            "const": {"const": EVIL},
            "floats": {"enum": [1.5, 2.5]},
            "nested": nested,
            "nested list": {"type": "array", "items": nested},
            "maybe": {"type": ["string", "null"], "minLength": 1},
            "either": {"anyOf": [{"type": "integer"}, {"type": "object", "properties": {}}]},
            "all of": {"allOf": [{"type": "string"}]},
            "open object": {"type": "object"},
            "n": {"type": "number", "pattern": EVIL},
        }
    )
    names = [
        "Cart Viewed",
        "CartViewed",
        "cart_viewed",
        "class",
        "None",
        "match",
        "str",
        "list",
        "type",
        "set_client",
        "JSONValue",
        "AnalyticsClient",
        "1st Visit",
        "!!!",
        "???",
        EVIL,
        "Café Visité",
    ]
    bodies: list[tuple[str, Mapping[str, Any]]] = [
        (
            f"hostile/plan/E{index}/1-0.json",
            body(name, hostile_props, required=["class", EVIL, "nested"], description=EVIL),
        )
        for index, name in enumerate(names)
    ]
    bodies += [
        ("hostile/plan/Identify/1-0.json", body("Identify", hostile_props, description=EVIL)),
        ("hostile/plan/Group/1-0.json", body("Group", {"name": {"type": "string"}})),
        ("hostile/plan/Home/1-0.json", body("Home", {}, closed=True)),
        ("hostile/plan/Page/1-0.json", body("Page", {"title": {"type": "string"}})),
        ("hostile/plan/Screen/1-0.json", body("Screen", {})),
        ("hostile/plan/Same/1-0.json", body("Cart Viewed", {"a": {"type": "string"}})),
    ]
    # The same wire name in two folders, and a page `Home` keyed call with metadata.
    bodies.append(
        (
            "hostile/plan/Home_Page/1-0.json",
            {
                **body("Home", {"x": {"type": "integer"}}),
                "metadata": {"segment_rule_type": "PAGE", EVIL: EVIL},
            },
        )
    )
    return events_of(bodies)


def demo_events() -> list[CodeEvent]:
    """The shipped demo's events, read in place with caches off (nothing written there)."""
    from reflekt.core.build.pipeline import load_event_schemas
    from reflekt.core.cache_switch import caches_off
    from reflekt.core.project import load_project

    with caches_off():
        return code_events(load_event_schemas(load_project(DEMO), None).selected)


def options(sdk: str = "analytics-python", count: int = 0, validate: bool = False) -> CodeOptions:
    return CodeOptions(
        "python",
        sdk,
        validate=validate,
        command=f"reflekt build code --lang python {EVIL}",
        schema_count=count,
    )


def write_package(
    events: Sequence[CodeEvent],
    folder: Path,
    package: str,
    sdk: str = "analytics-python",
    validate: bool = False,
) -> Path:
    """The generated package `package` under `folder` (its parent on sys.path)."""
    target = folder / package
    target.mkdir(parents=True, exist_ok=True)
    for generated in python.emit(events, options(sdk, len(events), validate)):
        (target / generated.path).write_text(generated.text, encoding="utf-8")
    return target


def import_package(folder: Path, package: str) -> ModuleType:
    """Import a written package by path, under its own name (no sys.path change)."""
    spec = importlib.util.spec_from_file_location(
        package, folder / package / "__init__.py", submodule_search_locations=[]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[package] = module
    spec.loader.exec_module(module)
    return module


def run_mypy(targets: Sequence[str], cwd: Path) -> tuple[int, str]:
    """`mypy --strict` over `targets` (one run), from `cwd` (a temp folder: no config file
    of ours applies); (exit code, output)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--show-error-codes",
            "--no-error-summary",
            *targets,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr
