"""`reflekt lint` on schemas that reference shared definitions: RF104 with file, line and
the reference; every other rule on the inlined schema; RF601 across versions that use
different versions of a definition."""

from __future__ import annotations

import json

from click.testing import CliRunner

from reflekt.cli import cli


def _common(project, rel: str, body) -> None:
    path = project.schemas_dir / ".reflekt" / "common" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2), encoding="utf-8")


def _lint(project, *args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(
        cli, ["lint", "--format", "json", "--project-dir", str(project.root), *args]
    )
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    findings = data["findings"] if isinstance(data, dict) else data
    return result.exit_code, findings


def _line_of(path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def test_rf104_names_the_file_the_line_and_the_reference(make_project):
    project = make_project()
    path = project.add_schema(
        "segment/shop/Cart_Viewed/1-0",
        {
            "cart_id": {"type": "string", "description": "The cart."},
            "products": {"$ref": "common/products/1-0.json#/definitions/product"},
            "leak": {"$ref": "../../../../../../etc/passwd"},
        },
    )

    code, findings = _lint(project)

    assert code == 1
    assert [(f["rule"], f["property"]) for f in findings] == [
        ("RF104", "products"),
        ("RF104", "leak"),
    ]
    first, second = findings
    assert first["file"] == "schemas/segment/shop/Cart_Viewed/1-0.json"
    assert first["line"] == _line_of(path, "common/products/1-0.json")
    assert "common/products/1-0.json#/definitions/product" in first["message"]
    assert "no such file" in first["message"]
    assert second["line"] == _line_of(path, "etc/passwd")


def test_rules_see_the_inlined_definition_and_point_at_the_reference(make_project):
    """A camelCase property inside a shared definition is RF311 of every event using it,
    at the line of the event's property that holds the `$ref` (the definition's own file
    is not an event)."""
    project = make_project()
    _common(
        project,
        "products/1-0.json",
        {
            "definitions": {
                "product": {
                    "type": "object",
                    "description": "A product.",
                    "properties": {"productSku": {"type": "string", "description": "SKU."}},
                }
            }
        },
    )
    paths = [
        project.add_schema(
            f"segment/shop/{event}/1-0",
            {"product": {"$ref": "common/products/1-0.json#/definitions/product"}},
        )
        for event in ("Cart_Viewed", "Product_Added")
    ]

    _, findings = _lint(project)

    assert [(f["rule"], f["property"]) for f in findings] == [("RF311", "product.productSku")] * 2
    for finding, path in zip(findings, paths, strict=True):
        assert finding["line"] == _line_of(path, '"product": {')


def test_a_new_definition_version_with_a_breaking_change_needs_a_major_bump(make_project):
    project = make_project()
    _common(project, "money/1-0.json", {"type": "number", "description": "An amount."})
    _common(project, "money/2-0.json", {"type": "string", "description": "An amount."})
    project.add_schema("segment/shop/Order_Done/1-0", {"total": {"$ref": "common/money/1-0.json"}})
    project.add_schema("segment/shop/Order_Done/1-1", {"total": {"$ref": "common/money/2-0.json"}})

    _, findings = _lint(project)

    assert [(f["rule"], f["schema_id"]) for f in findings] == [
        ("RF601", "segment/shop/Order_Done/1-1.json")
    ]
    assert "type of property 'total' changed" in findings[0]["message"]
