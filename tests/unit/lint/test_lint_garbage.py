"""A lint leaves no reference cycles per file: with 50,000 files, each cycle is memory the
cyclic collector must find (lint runs with it paused, `engine.lint_project`) and, before
that, CPU it spent scanning (`base._visit` was a closure that called itself)."""

from __future__ import annotations

import gc

from reflekt.core.lint import lint_project
from reflekt.core.project import load_project

NESTED = {
    "cartId": {"type": "string", "description": "The cart."},  # RF311
    "order": {
        "type": "object",
        "description": "The order.",
        "properties": {
            "lineItems": {
                "type": "array",
                "description": "Its lines.",
                "items": {
                    "type": "object",
                    "properties": {"sku": {"type": "string", "description": "A sku."}},
                },
            }
        },
    },
}


def _cyclic_garbage(project, paths) -> int:
    """The objects that only the cyclic collector would free after linting `paths`."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        lint_project(project, paths, jobs=1, cache=True)
        return gc.collect()
    finally:
        if was_enabled:
            gc.enable()


def test_linting_more_files_makes_no_more_cyclic_garbage(make_project):
    builder = make_project()
    paths = [builder.add_schema(f"segment/p/Event_{index}/1-0.json", NESTED) for index in range(60)]
    project = load_project(builder.root)
    assert any(f.rule == "RF311" for f in lint_project(project, paths).findings)
    few = _cyclic_garbage(project, paths[:5])
    many = _cyclic_garbage(project, paths)
    assert many - few < 30, (few, many)  # per run (the meta-schema's compile), not per file


def test_the_collector_is_on_again_after_a_lint(make_project):
    builder = make_project()
    path = builder.add_schema("segment/p/Event_One/1-0.json", NESTED)
    assert gc.isenabled()
    lint_project(load_project(builder.root), [path], jobs=1)
    assert gc.isenabled()
