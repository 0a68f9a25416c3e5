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


def _configure(project, min_events: int | None, severity: str | None) -> None:
    import yaml

    path = project.root / "reflekt_project.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    if min_events is not None:
        config["schemas"]["conventions"]["shared_definitions"] = {"min_events": min_events}
    if severity is not None:
        config["lint"] = {"rules": {"shared-definition-suggested": severity}}
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


CURRENCY = {"type": "string", "description": "ISO 4217, {{ x }}.", "enum": ["EUR", "USD"]}


def test_rf701_is_off_by_default_then_counts_the_newest_versions(make_project):
    from reflekt.core.lint import lint_project
    from reflekt.core.project import load_project

    project = make_project()
    for event in ("Cart_Viewed", "Order_Done"):
        project.add_schema(f"segment/shop/{event}/1-0", {"currency": CURRENCY})
    # an older version with the copy, a newer one referencing a definition: not counted
    project.add_schema("segment/shop/Product_Added/1-0", {"currency": CURRENCY})
    project.add_schema(
        "segment/shop/Product_Added/1-1", {"currency": {"$ref": "common/money/1-0.json"}}
    )
    _common(project, "money/1-0.json", CURRENCY)

    assert _lint(project) == (0, [])
    _configure(project, None, "warning")
    assert _lint(project) == (0, [])  # 2 events, the default asks for 3
    _configure(project, 2, "warning")

    code, findings = _lint(project)

    assert code == 0  # a warning
    assert [(f["rule"], f["schema_id"], f["severity"]) for f in findings] == [
        ("RF701", "segment/shop/Cart_Viewed/1-0.json", "warning"),
        ("RF701", "segment/shop/Order_Done/1-0.json", "warning"),
    ]
    assert 'property "currency" is defined the same way in 2 events' in findings[0]["message"]
    # A selection reports on its own files, counting over the whole project.
    _, selected = _lint(project, "--select", "segment/shop/Order_Done")
    assert [f["schema_id"] for f in selected] == ["segment/shop/Order_Done/1-0.json"]
    # The cache never changes the result (the rule itself is not cached).
    loaded = load_project(project.root)
    cached = lint_project(loaded, cache=True)
    again = lint_project(loaded, cache=True)
    assert cached.findings == again.findings == lint_project(loaded).findings
    assert len(again.findings) == 2


def test_min_events_must_be_a_whole_number_of_two_or_more(make_project):
    project = make_project()
    _configure(project, 1, None)
    result = CliRunner().invoke(cli, ["lint", "--project-dir", str(project.root)])
    assert result.exit_code == 2
    assert "shared_definitions.min_events" in result.output and "2 or more" in result.output


def test_fix_does_not_rename_inside_a_shared_definition(make_project):
    project = make_project()
    _common(
        project,
        "cart/1-0.json",
        {
            "type": "object",
            "description": "A cart.",
            "properties": {"cartId": {"type": "string", "description": "Id."}},
        },
    )
    path = project.add_schema(
        "segment/shop/Cart_Viewed/1-0", {"cart": {"$ref": "common/cart/1-0.json"}}
    )
    before = path.read_bytes()
    common = project.schemas_dir / ".reflekt/common/cart/1-0.json"
    common_before = common.read_bytes()

    result = CliRunner().invoke(cli, ["lint", "--fix", "--project-dir", str(project.root)])

    assert result.exit_code == 1
    assert "comes from a shared definition ($ref): rename it there" in result.output
    assert path.read_bytes() == before and common.read_bytes() == common_before


def test_a_broken_definition_no_event_uses_yet_is_reported_by_a_whole_project_lint(
    make_project,
):
    """A definition is read through the events that reference it: on its own, only a
    whole-project lint sees it (JSON syntax and its own references)."""
    project = make_project()
    project.add_schema(
        "segment/shop/Cart_Viewed/1-0",
        {"cart_id": {"type": "string", "description": "The cart."}},
        required=["cart_id"],
    )
    broken = project.schemas_dir / ".reflekt" / "common" / "money" / "1-0.json"
    broken.parent.mkdir(parents=True)
    broken.write_text('{\n  "definitions": {"price": {"type": "number",}}\n', encoding="utf-8")
    _common(project, "chain/1-0.json", {"definitions": {"a": {"$ref": "common/gone/1-0.json"}}})
    outside = project.root / "elsewhere.json"
    outside.write_text("{ not json", encoding="utf-8")
    (project.schemas_dir / ".reflekt" / "common" / "link").mkdir()
    (project.schemas_dir / ".reflekt" / "common" / "link" / "1-0.json").symlink_to(outside)

    code, findings = _lint(project)

    assert code == 1
    assert sorted((f["file"], f["rule"]) for f in findings) == [
        ("schemas/.reflekt/common/chain/1-0.json", "RF104"),
        ("schemas/.reflekt/common/money/1-0.json", "RF101"),
        ("schemas/.reflekt/common/money/1-0.json", "RF101"),
    ], "a symlinked definition is never read"
    chain = next(f for f in findings if f["rule"] == "RF104")
    chain_file = project.schemas_dir / ".reflekt" / "common" / "chain" / "1-0.json"
    assert "common/gone/1-0.json" in chain["message"]
    assert chain["line"] == _line_of(chain_file, "common/gone/1-0.json")
    assert _lint(project, "--select", "segment")[0] == 0, (
        "a selection checks only the definitions its schemas reference"
    )
