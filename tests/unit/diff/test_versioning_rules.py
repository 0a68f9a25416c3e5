"""RF601 / RF602: each version of an event compared with the previous one, through lint."""

from __future__ import annotations

from reflekt.core.lint import lint_project
from reflekt.core.project import load_project

PROPS = {"cart_id": {"type": "string", "description": "The cart."}}
MORE = {**PROPS, "coupon": {"type": "string", "description": "A coupon."}}


def _findings(builder, code):
    report = lint_project(load_project(builder.root))
    return [f for f in report.findings if f.rule == code]


def test_minor_bump_with_a_breaking_change_is_an_error(make_project):
    project = make_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)
    project.add_schema("segment/shop/Cart_Viewed/1-1", PROPS, required=["cart_id"])

    [finding] = _findings(project, "RF601")

    assert finding.severity == "error"
    assert finding.file.endswith("Cart_Viewed/1-1.json")
    assert "property 'cart_id' is now required" in finding.message
    assert "it should be 2-0" in finding.message
    assert finding.property == "cart_id"


def test_major_bump_for_a_breaking_change_is_fine(make_project):
    project = make_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)
    project.add_schema("segment/shop/Cart_Viewed/1-1", MORE)
    project.add_schema("segment/shop/Cart_Viewed/2-0", MORE, required=["cart_id"])

    assert _findings(project, "RF601") == []
    assert _findings(project, "RF602") == []


def test_major_bump_without_breaking_change_is_a_warning(make_project):
    project = make_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)
    project.add_schema("segment/shop/Cart_Viewed/2-0", MORE)

    [finding] = _findings(project, "RF602")

    assert finding.severity == "warning"
    assert finding.file.endswith("Cart_Viewed/2-0.json")
    assert "1-1 would do" in finding.message


def test_selection_reports_only_selected_versions(make_project):
    project = make_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)
    project.add_schema("segment/shop/Cart_Viewed/1-1", PROPS, required=["cart_id"])
    root = load_project(project.root)

    only_old = lint_project(root, paths=[project.schemas_dir / "segment/shop/Cart_Viewed/1-0.json"])
    with_new = lint_project(root, paths=[project.schemas_dir / "segment/shop/Cart_Viewed/1-1.json"])

    assert not [f for f in only_old.findings if f.rule == "RF601"]
    assert [f for f in with_new.findings if f.rule == "RF601"]
