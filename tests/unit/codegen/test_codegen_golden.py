"""Golden files: what `reflekt build code` writes for a small plan with hostile names, byte
for byte. A change to an emitter shows here as a diff a reviewer reads; regenerate with
`REFLEKT_UPDATE_GOLDEN=1 pytest tests/unit/codegen/test_codegen_golden.py` and review it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reflekt.core.codegen.pipeline import build_code
from reflekt.core.project import load_project

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "codegen"
UPDATE = os.environ.get("REFLEKT_UPDATE_GOLDEN") == "1"

EVIL = 'Ends */ here; "quoted" \\ and\nnew line \u2028 \u202e bidi </script> {{ x }} 🎉'
CASES = {
    "typescript-analytics-next-validate": ("typescript", "analytics-next", True),
    "typescript-analytics-node": ("typescript", "analytics-node", False),
    "typescript-none": ("typescript", "none", False),
    "python-analytics-python": ("python", "analytics-python", False),
}


@pytest.fixture
def hostile(make_project):
    project = make_project("hostile")
    add = project.add_schema
    add(
        "segment/shop/Cart_Viewed/1-0",
        {
            "cart_id": {"type": "string", "description": EVIL, "pattern": "^c-[0-9]+$"},
            "page type": {"type": ["string", "null"]},
            "constructor": {"type": "integer", "minimum": 0},
            "currency": {"type": "string", "enum": ["USD", "EUR", 'a"b']},
            "products": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"sku": {"type": "string"}, "*/": {"type": "boolean"}},
                    "required": ["sku"],
                    "additionalProperties": False,
                },
            },
        },
        required=["cart_id"],
        description=EVIL,
        metadata={"code_owner": "growth */ team"},
        additionalProperties=False,
    )
    add("segment/shop/CartViewed/1-0", {"x": {"type": "string"}}, name="CartViewed")
    add("segment/shop/Delete/1-0", {"class": {"type": "string"}}, name="delete")
    add("segment/shop/First_Visit/1-0", {"1st": {"const": 1}}, name="1st Visit")
    add(
        "segment/shop/Signed_Up/1-0",
        {"plan": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
        name='Signed Up */ "x"\n// injected()',
    )
    add("segment/shop/Identify/1-0", {"email": {"type": "string", "format": "email"}})
    add(
        "segment/shop/Home/1-0",
        {"referrer": {"type": "string"}},
        name="Home",
        metadata={"segment_rule_type": "PAGE"},
    )
    return project


@pytest.mark.parametrize("case", CASES)
def test_generated_code_matches_its_golden_file(hostile, case):
    lang, sdk, validate = CASES[case]
    out = hostile.root / "out" / case
    result = build_code(load_project(hostile.root), None, lang, sdk, out, validate=validate)
    folder = GOLDEN / case
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.iterdir():
            stale.unlink()
        for file in result.files:
            (folder / file.path).write_bytes(file.text.encode("utf-8"))
    expected = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    actual = {file.path: (out / file.path).read_bytes() for file in result.files}
    assert actual.keys() == expected.keys()
    for name, text in actual.items():
        assert text == expected[name], (
            f"{case}/{name} differs from its golden file: REFLEKT_UPDATE_GOLDEN=1 regenerates it"
        )
