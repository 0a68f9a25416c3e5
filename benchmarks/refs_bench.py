"""Time lint and diff of N schemas that each reference 3 shared definitions, against the same
schemas with the definitions written out (inlined): the overhead of resolving `$ref`s.

Usage: python benchmarks/refs_bench.py [--runs R] [N]   (default: N = 2000, R = 3)

Both projects hold the same events (9 properties of their own, plus `products`, `shipping`
and `currency`): in one those three are `$ref`s to `schemas/.reflekt/common/`, in the other
their definitions are copied in, so every reader sees the same schemas. Timed in process
through the core API, each R times (medians printed):
- lint: `lint_project` without the cache (every file read, resolved and linted);
- diff: `compare(..., against="git:HEAD")` of the whole project with its own commit (both
  sides read and resolved: the working tree, and the blobs at HEAD with the definitions at
  HEAD; `skip_unchanged=False`, else the unchanged events would not be read at HEAD).
Target (issue 18): overhead <= 20%.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFINITIONS = {
    "products/1-0.json": {
        "description": "The products of a cart or an order.",
        "definitions": {
            "product": {
                "type": "object",
                "description": "One product.",
                "properties": {
                    "sku": {"type": "string", "description": "The SKU."},
                    "name": {"type": "string", "description": "The product's name."},
                    "price": {"type": "number", "description": "The unit price."},
                    "quantity": {"type": "integer", "description": "How many."},
                },
                "required": ["sku"],
            },
            "products": {
                "type": "array",
                "description": "The products.",
                "items": {"$ref": "#/definitions/product"},
            },
        },
    },
    "address/1-0.json": {
        "type": "object",
        "description": "A postal address.",
        "properties": {
            "street": {"type": "string", "description": "The street."},
            "city": {"type": "string", "description": "The city."},
            "zip_code": {"type": "string", "description": "The zip code."},
            "country": {"type": "string", "description": "The country."},
        },
    },
    "money/1-0.json": {
        "definitions": {
            "currency": {
                "type": "string",
                "description": "ISO 4217.",
                "enum": ["EUR", "USD", "GBP", "JPY"],
            }
        }
    },
}
REFS = {
    "products": "common/products/1-0.json#/definitions/products",
    "shipping": "common/address/1-0.json",
    "currency": "common/money/1-0.json#/definitions/currency",
}
TYPES = ["string", "integer", "number", "boolean", ["string", "null"], "string"]


def _word(number: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    out, number = "", number + 1
    while number:
        number, rest = divmod(number - 1, 26)
        out = letters[rest] + out
    return out.capitalize()


def _inlined(ref: str) -> dict:
    """What a reference names, its own references inlined (the written-out copy)."""
    file, _, pointer = ref.partition("#")
    node = DEFINITIONS[file.removeprefix("common/")]
    for part in [p for p in pointer.split("/") if p]:
        node = node[part]
    node = json.loads(json.dumps(node))
    if node.get("items") == {"$ref": "#/definitions/product"}:
        node["items"] = _inlined(file + "#/definitions/product")
    return node


def make_project(root: Path, count: int, *, shared: bool) -> None:
    from reflekt.core.scaffold import NewProject, create_project
    from reflekt.core.schemas import dump_schema, new_schema_body

    create_project(
        root, NewProject(name="bench", vendor="com.example", profile="dev", profiles_path="p.yml")
    )
    if shared:
        for rel, body in DEFINITIONS.items():
            path = root / "schemas" / ".reflekt" / "common" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    for index in range(count):
        name = f"Event {_word(index)} Viewed"
        schema_id = f"segment/plan_{index // 500:03d}/{name.replace(' ', '_')}/1-0.json"
        properties: dict = {
            f"property_{_word(p).lower()}": {
                "type": TYPES[p % len(TYPES)],
                "description": f"Property {p} of event {index}.",
            }
            for p in range(9)
        }
        for prop, ref in REFS.items():
            properties[prop] = {"$ref": ref} if shared else _inlined(ref)
        body = new_schema_body(
            schema_id,
            vendor="com.example",
            name=name,
            version="1-0",
            description=f"Benchmark event number {index}.",
            properties=properties,
            required=["currency"],
        )
        path = root / "schemas" / schema_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_schema(body), encoding="utf-8")
    git = ["git", "-c", "user.name=b", "-c", "user.email=b@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "."], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "bench"], cwd=root, check=True)


def _time(job) -> tuple[float, object]:
    started = time.perf_counter()
    result = job()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from reflekt.core.lint import lint_project
    from reflekt.core.project import load_project
    from reflekt.core.registries.compare import compare

    with tempfile.TemporaryDirectory() as tmp:
        times: dict[tuple[str, str], list[float]] = {}
        outcomes: dict[tuple[str, str], object] = {}
        projects = {}
        for kind in ("inlined", "shared"):
            root = Path(tmp) / kind
            make_project(root, args.count, shared=kind == "shared")
            projects[kind] = load_project(root)
        for _ in range(args.runs):
            for kind, project in projects.items():
                seconds, report = _time(lambda p=project: lint_project(p))
                times.setdefault(("lint", kind), []).append(seconds)
                outcomes[("lint", kind)] = [(f.rule, f.schema_id) for f in report.findings]
                seconds, diff = _time(
                    lambda p=project: compare(p, None, [], against="git:HEAD", skip_unchanged=False)
                )
                times.setdefault(("diff", kind), []).append(seconds)
                outcomes[("diff", kind)] = [(e.event_key, e.verdict) for e in diff.events]
        print(f"{args.count} schemas, each with 3 shared definitions; medians of {args.runs} runs")
        for job in ("lint", "diff"):
            same = outcomes[(job, "inlined")] == outcomes[(job, "shared")]
            inlined = statistics.median(times[(job, "inlined")])
            shared = statistics.median(times[(job, "shared")])
            overhead = (shared / inlined - 1) * 100
            print(
                f"  {job}: inlined {inlined:.3f} s, with $ref {shared:.3f} s, overhead "
                f"{overhead:+.1f}% (target <= 20%); same result: {same}"
            )


if __name__ == "__main__":
    main()
