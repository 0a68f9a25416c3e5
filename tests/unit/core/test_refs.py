"""Shared definitions (`$ref` to schemas/.reflekt/common/) through the core API: what is
inlined, what is refused (never read), and the bounds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reflekt.core.errors import SchemaFileError
from reflekt.core.refs import MAX_INLINED_NODES, MAX_REF_DEPTH
from reflekt.core.schemas import load_schema, read_schema

PRODUCTS = {
    "description": "The shop's product definitions.",
    "definitions": {
        "product": {
            "type": "object",
            "description": "One product.",
            "properties": {
                "sku": {"type": "string", "description": "The SKU."},
                "price": {"$ref": "#/definitions/price"},
            },
        },
        "price": {"type": "number", "description": "The unit price."},
        "a/b~c": {"type": "string", "description": "A key with / and ~ in it."},
    },
}


def _common(builder, rel: str, body) -> Path:
    path = builder.schemas_dir / ".reflekt" / "common" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    return path


def _event(builder, properties: dict, **extra) -> Path:
    return builder.add_schema("segment/shop/Cart_Viewed/1-0", properties, **extra)


def _read(builder, path: Path):
    return read_schema(path, builder.schemas_dir)


@pytest.fixture
def shop(make_project):
    builder = make_project()
    _common(builder, "products/1-0.json", PRODUCTS)
    return builder


def test_a_pointer_into_a_shared_file_is_inlined_with_its_own_references(shop):
    path = _event(
        shop,
        {
            "products": {
                "type": "array",
                "description": "The products.",
                "items": {"$ref": "common/products/1-0.json#/definitions/product"},
            }
        },
    )
    doc = _read(shop, path)
    items = doc.body["properties"]["products"]["items"]
    assert items["properties"]["sku"] == {"type": "string", "description": "The SKU."}
    assert items["properties"]["price"] == PRODUCTS["definitions"]["price"]
    assert doc.refs.problems == ()
    assert doc.refs.uses == ("common/products/1-0.json",)
    # every level is known: the innermost definition names the nested part
    origins = doc.refs.origins
    assert origins[("properties", "products", "items")] == (
        "common/products/1-0.json#/definitions/product"
    )
    assert origins[("properties", "products", "items", "properties", "price")] == (
        "common/products/1-0.json#/definitions/price"
    )
    # the file as written is kept apart; the text is untouched
    assert doc.written["properties"]["products"]["items"] == {
        "$ref": "common/products/1-0.json#/definitions/product"
    }
    assert "$ref" in doc.text


def test_escaped_pointers_a_whole_file_and_keys_beside_the_ref(shop):
    _common(shop, "money/1-0.json", {"type": "string", "description": "A currency code."})
    path = _event(
        shop,
        {
            "odd": {"$ref": "common/products/1-0.json#/definitions/a~1b~0c"},
            "currency": {"$ref": "common/money/1-0.json", "description": "What was paid in."},
            "local": {"$ref": "#/definitions/local"},
        },
        definitions={"local": {"type": "boolean", "description": "Defined in this file."}},
    )
    body = _read(shop, path).body
    assert body["properties"]["odd"]["description"] == "A key with / and ~ in it."
    # keys beside a `$ref` win over what it names
    assert body["properties"]["currency"] == {"type": "string", "description": "What was paid in."}
    assert body["properties"]["local"]["type"] == "boolean"


def test_a_file_without_references_is_read_as_before(shop):
    doc = _read(shop, _event(shop, {"cart_id": {"type": "string", "description": "x"}}))
    assert doc.refs is None and doc.written is doc.body


@pytest.mark.parametrize(
    ("common", "ref", "says"),
    [
        ({"definitions": {"a": {"$ref": "#/definitions/a"}}}, "#/definitions/a", "a cycle"),
        (
            {"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}},
            "#/definitions/a",
            "a cycle",
        ),
        (
            {"definitions": {"a": {"properties": {"x": {"$ref": "common/loop/1-0.json"}}}}},
            "#/definitions/a",
            "a cycle",
        ),
    ],
)
def test_cycles_are_a_problem_not_a_hang(shop, common, ref, says):
    _common(shop, "loop/1-0.json", common)
    path = _event(shop, {"x": {"$ref": f"common/loop/1-0.json{ref}"}})
    doc = _read(shop, path)
    [problem] = doc.refs.problems
    assert says in problem.message
    assert problem.ref == f"common/loop/1-0.json{ref}"  # the reference in the event's file
    assert problem.at == ("properties", "x", "$ref")


def test_a_cycle_through_the_schema_itself(shop):
    path = _event(shop, {"x": {"$ref": "#/properties/x"}})
    [problem] = _read(shop, path).refs.problems
    assert "a cycle" in problem.message


@pytest.mark.parametrize(
    ("ref", "says"),
    [
        ("common/nope/1-0.json", "no such file"),
        ("common/products/1-0.json#/definitions/nope", "no /definitions/nope in"),
        ("common/products/1-0.json#definitions", "JSON pointer"),
        ("#/definitions/nope", "no /definitions/nope in this file"),
        ("common/products/1-0.json#/definitions/product/properties/sku/type/x", "no /"),
    ],
)
def test_missing_files_and_bad_pointers(shop, ref, says):
    path = _event(shop, {"x": {"$ref": ref}})
    doc = _read(shop, path)
    [problem] = doc.refs.problems
    assert says in problem.message
    assert doc.body["properties"]["x"] == {"$ref": ref}  # left as it is


@pytest.mark.parametrize(
    "ref",
    [
        "/etc/passwd",
        "file:///etc/passwd",
        "http://127.0.0.1:9/common/products/1-0.json",
        "https://example.com/x.json",
        "../../../../../../etc/passwd",
        "common/../../../../etc/passwd.json",
        "common/products/../../event-meta/1-0.json",
        "common/./products/1-0.json",
        "common/.hidden/1-0.json",
        "//example.com/x.json",
        "common\\..\\..\\x.json",
        "common/products/1-0.json\x00.txt",
        "products/1-0.json",
        "schemas/.reflekt/common/products/1-0.json",
        "common/products/1-0.json?x=1",
        "common/products/1-0",
        "",
    ],
)
def test_references_outside_common_are_refused_not_read(shop, ref):
    path = _event(shop, {"x": {"$ref": ref}})
    doc = _read(shop, path)
    [problem] = doc.refs.problems
    assert "only `common/<name>/<M-m>.json#/pointer`" in problem.message
    assert doc.body["properties"]["x"] == {"$ref": ref}


def test_a_symlink_out_of_common_is_refused(shop, tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"definitions": {"x": {"type": "string"}}}), encoding="utf-8")
    link = shop.schemas_dir / ".reflekt" / "common" / "leak" / "1-0.json"
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    path = _event(shop, {"x": {"$ref": "common/leak/1-0.json#/definitions/x"}})
    [problem] = _read(shop, path).refs.problems
    assert "leads out of schemas/.reflekt/common/" in problem.message


def test_a_common_folder_that_is_a_symlink_out_of_schemas_is_refused(make_project, tmp_path):
    builder = make_project()
    outside = tmp_path / "elsewhere"
    (outside / "products").mkdir(parents=True)
    (outside / "products" / "1-0.json").write_text(json.dumps(PRODUCTS), encoding="utf-8")
    (builder.schemas_dir / ".reflekt" / "common").symlink_to(outside)
    path = _event(builder, {"x": {"$ref": "common/products/1-0.json#/definitions/price"}})
    [problem] = _read(builder, path).refs.problems
    assert "out of schemas/" in problem.message


def test_a_fifo_or_a_large_file_in_common_is_a_problem_not_a_hang(shop, monkeypatch):
    fifo = shop.schemas_dir / ".reflekt" / "common" / "pipe" / "1-0.json"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    path = _event(shop, {"x": {"$ref": "common/pipe/1-0.json"}})
    [problem] = _read(shop, path).refs.problems
    assert "FIFO" in problem.message
    monkeypatch.setenv("REFLEKT_MAX_SCHEMA_BYTES", "2000")
    _common(shop, "big/1-0.json", {"description": "x" * 5000})
    path = _event(shop, {"x": {"$ref": "common/big/1-0.json"}})
    [problem] = _read(shop, path).refs.problems
    assert "too large" in problem.message


def test_a_shared_file_that_is_not_strict_json_is_a_problem(shop):
    _common(shop, "broken/1-0.json", '{"definitions": {"a": {"type": "string"}}, }')
    _common(shop, "dupe/1-0.json", '{"type": "string", "type": "integer"}')
    path = _event(
        shop, {"a": {"$ref": "common/broken/1-0.json"}, "b": {"$ref": "common/dupe/1-0.json"}}
    )
    problems = _read(shop, path).refs.problems
    assert [p.ref for p in problems] == ["common/broken/1-0.json", "common/dupe/1-0.json"]
    assert all("not plain JSON" in p.message for p in problems)


def test_hostile_names_are_data(shop):
    """Names with quotes, braces, spaces and non-ASCII: a file whose name fits the form is
    read; one that does not is refused; a property name from a definition stays as written."""
    _common(
        shop,
        "naïve {{ x }}/1-0.json",
        {"type": "string", "description": "Not reachable: the name has spaces."},
    )
    _common(
        shop,
        "weird_'name'/1-0.json",
        {"type": "object", "properties": {"{{ config() }}": {"type": "string"}}},
    )
    path = _event(
        shop,
        {
            "a": {"$ref": "common/naïve {{ x }}/1-0.json"},
            "b": {"$ref": "common/weird_'name'/1-0.json"},
        },
    )
    doc = _read(shop, path)
    assert [p.ref for p in doc.refs.problems] == [
        "common/naïve {{ x }}/1-0.json",
        "common/weird_'name'/1-0.json",
    ]
    _common(shop, "weird_name/1-0.json", {"properties": {"{{ config() }}": {"type": "string"}}})
    path = _event(shop, {"b": {"$ref": "common/weird_name/1-0.json"}})
    doc = _read(shop, path)
    assert doc.refs.problems == ()
    assert list(doc.body["properties"]["b"]["properties"]) == ["{{ config() }}"]


def test_chains_deeper_than_the_bound_stop(shop):
    depth = MAX_REF_DEPTH + 5
    definitions = {f"d{i}": {"$ref": f"#/definitions/d{i + 1}"} for i in range(depth)}
    definitions[f"d{depth}"] = {"type": "string"}
    _common(shop, "deep/1-0.json", {"definitions": definitions})
    path = _event(shop, {"x": {"$ref": "common/deep/1-0.json#/definitions/d0"}})
    [problem] = _read(shop, path).refs.problems
    assert f"nested more than {MAX_REF_DEPTH} deep" in problem.message


def test_an_exponential_expansion_is_bounded(shop):
    """Each level refers to the one below twice: 2**40 copies if nothing stopped it."""
    definitions = {
        f"l{i}": {"type": "array", "items": [{"$ref": f"#/definitions/l{i + 1}"}] * 2}
        for i in range(30)
    }
    definitions["l30"] = {"type": "string"}
    _common(shop, "bomb/1-0.json", {"definitions": definitions})
    path = _event(shop, {"x": {"$ref": "common/bomb/1-0.json#/definitions/l0"}})
    [problem] = _read(shop, path).refs.problems
    assert f"{MAX_INLINED_NODES:,}" in problem.message


def test_load_schema_refuses_an_unresolved_reference_with_file_and_line(shop):
    path = _event(shop, {"cart_id": {"$ref": "common/nope/1-0.json"}})
    with pytest.raises(SchemaFileError) as raised:
        load_schema(path, shop.schemas_dir)
    error = raised.value
    assert "common/nope/1-0.json" in error.message
    assert error.file and error.file.endswith("Cart_Viewed/1-0.json")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert '"$ref": "common/nope/1-0.json"' in lines[error.line - 1]
    assert error.exit_code == 2


def test_a_ref_that_is_not_a_string_is_left_to_rf102(shop):
    path = _event(shop, {"x": {"$ref": 42, "type": "string", "description": "x"}})
    doc = _read(shop, path)
    assert doc.refs is None  # nothing inlined, no problem of this kind
