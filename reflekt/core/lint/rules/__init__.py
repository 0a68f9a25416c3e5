"""Lint rules. Every module in this package is imported automatically (`load_rules`).

How to write a rule module
==========================

Add a module here (e.g. `versioning.py`). Each rule is a function decorated with
`schema_rule` (run once per schema file) or `event_rule` (run once per event folder), which
registers it; it yields `Issue`s and never raises for bad input (a crash in a rule would stop
lint). The docstring says why the rule exists. `examples=` holds at least one `bad(...)` and
one `good(...)` example (`reflekt.core.lint.examples`): a test lints each through
`lint_project`, and a Bad one must yield the rule's finding, a Good one no finding at all::

    from collections.abc import Iterator

    from reflekt.core.lint.base import EventContext, Issue, SchemaContext, event_rule, schema_rule
    from reflekt.core.lint.examples import bad, good


    @schema_rule(
        "RF999",
        "my-rule",
        summary="One line for the rule table.",
        examples=(
            bad({"description": ""}),  # a fragment over a well-formed Cart_Viewed/1-0.json
            good({"description": "When the user views the cart."}),
        ),
    )
    def my_rule(ctx: SchemaContext) -> Iterator[Issue]:
        \"\"\"Why the rule exists.\"\"\"
        if not (ctx.body or {}).get("description"):
            yield Issue("the event has no description", at=("description",))

Examples take `conventions=` (merged over the default `schemas.conventions`) and `files=`
(several files by path under `segment/ecommerce/`, for event rules); a str instead of a
fragment is a file's exact text.

After adding or changing a rule, regenerate the README's rule table (a test checks it):
`python -m reflekt.core.lint.docs README.md`.

Codes: `RF` + three digits, unique; names kebab-case, unique. Ranges in use: RF1xx file and
JSON Schema validity, RF2xx ids and versions, RF3xx naming, RF4xx descriptions, RF5xx types
and `required`; RF6xx is kept for versioning (changes between versions of an event); RF7xx
for project rules (`project_rule`: over the newest version of every event, e.g. RF701).
Default severity is "error"; pass `severity="warning"` for advice. Users override severities
(or switch rules off) in `reflekt_project.yml` under `lint: rules:`, by code or name.

Per-schema rules get a `SchemaContext`:
- `ctx.project`: the loaded `Project` (conventions in `ctx.project.conventions`);
- `ctx.doc`: the `SchemaDocument` (`reflekt.core.schemas.read_schema`): `.body` (the parsed
  object), `.text`, `.problems` (JSON syntax problems), `.schema_id` (a `SchemaId`);
- `ctx.body`, `ctx.self_block` (the `self` object or {}), `ctx.properties` (every property,
  nested objects and array items included, as `PropertyRef`: name, dotted path, sub-schema,
  JSON path `at` of its key);
- `ctx.meta`: the compiled draft-07 and project meta-schema checks.
By default a schema rule only runs when `ctx.body` is a JSON object; files that had only
comments or trailing commas still have a body. Pass `needs_body=False` to see every file.
Bad input is normal: a `properties` that is a list, a sub-schema that is a number, a name
that is not a string. Check types with `isinstance` before use.

Per-event rules get an `EventContext`: `ctx.project`, `ctx.event_key`
("segment/ecommerce/Cart_Viewed") and `ctx.documents`, every version of that event folder
sorted by `Version` (files whose name is not MAJOR-MINOR are left out; `doc.body` may be
None for a file that did not parse: skip it). `ctx.pairs()` yields (previous, current)
pairs. When a selection is linted, an event rule still sees all versions of the selected
events' folders, but only issues on selected files are reported: set `Issue.document` to the
version the issue is about (usually the newer one of a pair).

Per-project rules (`project_rule`, off by default, not cached) get a `ProjectContext`:
`ctx.project` and `ctx.documents`, the newest version of every event; set `Issue.document`.

Shared definitions: `doc.body` is the schema with its `$ref`s inlined (`reflekt.core.refs`),
`doc.written` the body as the file says it, `doc.refs` what was inlined from where.

Locating an issue: give `at=` the JSON path of the offending key (the engine finds its line
and column, also in files with comments), and `property=` the dotted property path
("products.items.sku") when the issue is about a property.
"""

from __future__ import annotations

import importlib
import pkgutil

_loaded = False


def load_rules() -> None:
    """Import every module of this package once, so that its rules register themselves."""
    global _loaded
    if _loaded:
        return
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    _loaded = True
