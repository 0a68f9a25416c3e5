"""Each lint rule, one by one: a bad schema gives its finding, a good one does not."""

from __future__ import annotations

import json

import pytest

from reflekt.core.lint import all_rules

CART = "segment/shop/Cart_Viewed/1-0.json"
PROPS = {"cart_id": {"type": "string", "description": "The cart."}}


def test_a_well_formed_project_has_no_findings(proj):
    proj.add(CART, PROPS)
    proj.add("segment/shop/Cart_Viewed/1-1.json", PROPS)
    proj.add("segment/shop/Order_ID_Shown/1-0.json", PROPS, name="Order ID Shown")

    report = proj.lint()

    assert report.findings == []
    assert report.schemas == 3
    assert report.errors == 0


def test_every_rule_has_code_name_severity_summary_and_examples():
    rules = all_rules()
    codes = [rule.code for rule in rules]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    assert len({rule.name for rule in rules}) == len(rules)
    for rule in rules:
        assert rule.severity in ("error", "warning")
        assert rule.summary
        assert rule.bad_examples and rule.good_examples, rule.code  # linted: test_examples.py
        assert rule.bad_example and rule.good_example, rule.code


# RF101 json-syntax: see test_bad_input.py for every kind of broken file.


def test_rf102_invalid_draft7_schema(proj):
    proj.add(CART, {"cart_id": {"type": "text", "description": "The cart.", "minLength": -1}})
    findings = proj.findings("RF102")
    assert findings, "a bad type and a negative minLength are not draft-07"
    assert all(f.property == "cart_id" for f in findings)
    assert any("minLength" in f.message for f in findings)


def test_rf102_valid_schema(proj):
    proj.add(CART, {"cart_id": {"type": "string", "description": "The cart.", "minLength": 1}})
    assert proj.findings("RF102") == []


def test_rf103_meta_schema_requires_metadata(proj):
    meta_path = proj.schemas_dir / ".reflekt/event-meta/1-0.json"
    meta = json.loads(meta_path.read_text())
    meta["properties"]["metadata"]["required"] = ["code_owner"]
    meta["required"] = [*meta["required"], "metadata"]
    meta_path.write_text(json.dumps(meta, indent=2))
    proj.add(CART, PROPS, metadata={})
    proj.add("segment/shop/Cart_Left/1-0.json", PROPS, metadata={"code_owner": "growth"})

    findings = proj.findings("RF103")

    assert [f.schema_id for f in findings] == [CART]
    assert "code_owner" in findings[0].message
    assert findings[0].line is not None


def test_rf201_id_must_equal_path(proj):
    proj.add(CART, PROPS, **{"$id": "segment/shop/CartViewed/1-0.json"})
    [finding] = proj.findings("RF201")
    assert finding.suggestion == CART
    assert finding.line == 3  # "$id" is the second key of the saved file
    proj.add(CART, PROPS)
    assert proj.findings("RF201") == []


def test_rf201_missing_id(proj):
    path = proj.add(CART, PROPS)
    body = json.loads(path.read_text())
    del body["$id"]
    path.write_text(json.dumps(body, indent=2))
    [finding] = proj.findings("RF201")
    assert "missing" in finding.message


def test_rf202_name_must_match_folder(proj):
    proj.add(CART, PROPS, name="Cart Updated")
    [finding] = proj.findings("RF202")
    assert finding.suggestion == "Cart Viewed"
    proj.add(CART, PROPS, name="Cart Viewed")
    assert proj.findings("RF202") == []


def test_rf203_version_must_match_file_name(proj):
    path = proj.add("segment/shop/Cart_Viewed/1-1.json", PROPS)
    body = json.loads(path.read_text())
    body["self"]["version"] = "1-0"
    path.write_text(json.dumps(body, indent=2))
    proj.add(CART, PROPS)

    [finding] = proj.findings("RF203")

    assert finding.schema_id == "segment/shop/Cart_Viewed/1-1.json"
    assert finding.suggestion == "1-1"


def test_rf203_file_name_must_be_a_version(proj):
    proj.add("segment/shop/Cart_Viewed/latest.json", PROPS)
    [finding] = proj.findings("RF203")
    assert "latest.json" in finding.message


def test_rf204_versions_start_at_1_0(proj):
    proj.add("segment/shop/Cart_Viewed/1-1.json", PROPS)
    [finding] = proj.findings("RF204")
    assert "start at 1-0" in finding.message


def test_rf204_gap_in_versions(proj):
    proj.add(CART, PROPS)
    proj.add("segment/shop/Cart_Viewed/1-1.json", PROPS)
    proj.add("segment/shop/Cart_Viewed/1-3.json", PROPS)
    proj.add("segment/shop/Cart_Viewed/2-0.json", PROPS)
    proj.add("segment/shop/Cart_Viewed/2-1.json", PROPS)

    [finding] = proj.findings("RF204")

    assert finding.schema_id == "segment/shop/Cart_Viewed/1-3.json"
    assert "1-2" in finding.message


def test_rf204_numeric_order_and_major_bumps_are_fine(proj):
    for version in ["1-0", *(f"1-{minor}" for minor in range(1, 11)), "2-0", "3-0"]:
        proj.add(f"segment/shop/Cart_Viewed/{version}.json", PROPS)
    assert proj.findings("RF204") == []


def test_rf204_selection_still_sees_every_version(proj):
    proj.add("segment/shop/Cart_Viewed/1-0.json", PROPS)
    proj.add("segment/shop/Cart_Viewed/1-2.json", PROPS)

    gap = proj.findings("RF204", "segment/shop/Cart_Viewed/1-2.json")
    other = proj.findings("RF204", "segment/shop/Cart_Viewed/1-0.json")

    assert len(gap) == 1, "1-0 is not selected but is still the previous version"
    assert other == [], "findings on versions outside the selection are not reported"


@pytest.mark.parametrize(
    ("casing", "bad", "suggestion", "good"),
    [
        ("title", "cart viewed", "Cart Viewed", "Cart Viewed"),
        ("title", "CartViewed", "Cart Viewed", "Order ID Shown"),
        ("snake", "Cart Viewed", "cart_viewed", "cart_viewed"),
        ("camel", "cart_viewed", "cartViewed", "cartViewed"),
        ("pascal", "cart viewed", "CartViewed", "CartViewed"),
    ],
)
def test_rf301_event_casing(proj, casing, bad, suggestion, good):
    proj.configure(event={"casing": casing, "capitalize_camel": False})
    proj.add(f"segment/shop/{bad.replace(' ', '_')}/1-0.json", PROPS, name=bad)
    proj.add(f"segment/shop/{good.replace(' ', '_')}/1-0.json", PROPS, name=good)

    findings = proj.findings("RF301")

    assert [f.suggestion for f in findings] == [suggestion]
    assert f'"{bad}"' in findings[0].message


def test_rf301_camel_with_capitalize_camel_means_pascal(proj):
    proj.configure(event={"casing": "camel", "capitalize_camel": True})
    proj.add("segment/shop/cartViewed/1-0.json", PROPS, name="cartViewed")
    proj.add("segment/shop/CartLeft/1-0.json", PROPS, name="CartLeft")
    assert [f.suggestion for f in proj.findings("RF301")] == ["CartViewed"]


def test_rf301_any_casing_accepts_anything(proj):
    proj.configure(event={"casing": "any"})
    proj.add("segment/shop/whatever_Name/1-0.json", PROPS, name="whatever Name")
    assert proj.findings("RF301") == []


def test_rf302_digits_are_an_error_only_with_numbers_false(proj):
    proj.add("segment/shop/Step_2_Completed/1-0.json", PROPS, name="Step 2 Completed")
    [finding] = proj.findings("RF302")
    assert "digits" in finding.message
    assert proj.findings("RF301") == [], "digits do not break Title Case"

    proj.configure(event={"numbers": True})
    assert proj.findings("RF302") == []


def test_rf303_reserved_event_name(proj):
    proj.configure(event={"reserved": ["Identify"]})
    proj.add("segment/shop/identify/1-0.json", PROPS, name="identify", description="x")
    proj.add(CART, PROPS)
    [finding] = proj.findings("RF303")
    assert finding.schema_id == "segment/shop/identify/1-0.json"


NESTED = {
    "cartId": {"type": "string", "description": "The cart."},
    "products": {
        "type": "array",
        "description": "Products in the cart.",
        "items": {
            "type": "object",
            "properties": {
                "productSku": {"type": "string", "description": "SKU."},
                "price": {"type": "number", "description": "Price."},
            },
        },
    },
    "shipping": {
        "type": "object",
        "description": "Where it goes.",
        "properties": {"postalCode": {"type": "string", "description": "Postcode."}},
    },
}


def test_rf311_property_casing_top_level_nested_and_array_items(proj):
    proj.add(CART, NESTED)

    findings = proj.findings("RF311")

    by_property = {f.property: f.suggestion for f in findings}
    assert by_property == {
        "cartId": "cart_id",
        "products.items.productSku": "product_sku",
        "shipping.postalCode": "postal_code",
    }
    text = (proj.schemas_dir / CART).read_text().splitlines()
    for finding in findings:
        name = finding.property.rsplit(".", 1)[-1]
        assert f'"{name}":' in text[finding.line - 1]


def test_rf311_camel_properties(proj):
    proj.configure(prop={"casing": "camel", "capitalize_camel": False})
    proj.add(CART, NESTED)
    assert proj.findings("RF311") == []


def test_rf312_property_digits_with_numbers_false_and_true(proj):
    props = {
        "address_line2": {"type": "string", "description": "Second line."},
        "items": {
            "type": "array",
            "description": "x",
            "items": {
                "type": "object",
                "properties": {"sku2": {"type": "string", "description": "y"}},
            },
        },
    }
    proj.add(CART, props)
    assert {f.property for f in proj.findings("RF312")} == {"address_line2", "items.items.sku2"}
    assert proj.findings("RF311") == [], "digits are allowed by the snake pattern itself"

    proj.configure(prop={"numbers": True})
    assert proj.findings("RF312") == []


def test_rf313_reserved_property(proj):
    proj.configure(prop={"reserved": ["timestamp"]})
    proj.add(CART, {"Timestamp": {"type": "string", "description": "When."}, **PROPS})
    [finding] = proj.findings("RF313")
    assert finding.property == "Timestamp"


def test_rf314_column_collision(proj):
    proj.configure(prop={"casing": "any"})
    proj.add(
        CART,
        {
            "productId": {"type": "string", "description": "a"},
            "product_id": {"type": "string", "description": "b"},
            "order": {
                "type": "object",
                "description": "c",
                "properties": {"id": {"type": "string", "description": "d"}},
            },
            "order_id": {"type": "string", "description": "e"},
        },
    )
    findings = proj.findings("RF314")
    assert {f.property for f in findings} == {"product_id", "order_id"}
    assert all("both land on the warehouse column" in f.message for f in findings)


def test_rf314_same_name_in_different_array_items_is_fine(proj):
    proj.add(
        CART,
        {
            "product_id": {"type": "string", "description": "a"},
            "products": {
                "type": "array",
                "description": "b",
                "items": {
                    "type": "object",
                    "properties": {"product_id": {"type": "string", "description": "c"}},
                },
            },
        },
    )
    assert proj.findings("RF314") == []


@pytest.mark.parametrize("description", [None, "", "   ", 42])
def test_rf401_event_description(proj, description):
    path = proj.add(CART, PROPS)
    body = json.loads(path.read_text())
    if description is None:
        del body["description"]
    else:
        body["description"] = description
    path.write_text(json.dumps(body, indent=2))
    [finding] = proj.findings("RF401")
    assert finding.line is not None


def test_rf401_names_json_kinds_not_python_types(proj):
    path = proj.add(CART, PROPS)
    body = json.loads(path.read_text())
    body["description"] = 42
    path.write_text(json.dumps(body, indent=2))
    [finding] = proj.findings("RF401")
    assert finding.message.endswith("has a description that is not a string (an integer)")


def test_rf202_a_folder_with_spaces_is_told_to_be_renamed(proj):
    proj.add("segment/shop/Cart Left/1-0.json", PROPS, name="Cart Left")
    [finding] = proj.findings("RF202")
    assert finding.message == (
        'the event folder "Cart Left" should be "Cart_Left" (spaces written as `_`): '
        "rename the folder"
    )
    assert finding.suggestion is None


def test_rf202_a_name_that_is_not_a_string(proj):
    proj.add(CART, PROPS, name=["Cart", "Viewed"])
    [finding] = proj.findings("RF202")
    assert finding.message == "`self.name` must be a string, found an array"


def test_rf402_property_description_missing_empty_and_nested(proj):
    proj.add(
        CART,
        {
            "cart_id": {"type": "string"},
            "coupon": {"type": "string", "description": ""},
            "products": {
                "type": "array",
                "description": "ok",
                "items": {"type": "object", "properties": {"sku": {"type": "string"}}},
            },
            "total": {"type": "number", "description": "Fine."},
        },
    )
    findings = proj.findings("RF402")
    assert [f.property for f in findings] == ["cart_id", "coupon", "products.items.sku"]


def test_rf501_property_type(proj):
    proj.add(
        CART,
        {
            "cart_id": {"description": "No type."},
            "value": {"description": "A or B.", "anyOf": [{"type": "string"}, {"type": "null"}]},
            "total": {"type": "number", "description": "Fine."},
        },
    )
    [finding] = proj.findings("RF501")
    assert finding.property == "cart_id"


def test_rf502_data_types(proj):
    proj.configure(data_types=["string", "integer", "null"])
    proj.add(
        CART,
        {
            "price": {"type": "number", "description": "Not allowed here."},
            "coupon": {"type": ["string", "null"], "description": "Fine."},
            "count": {"type": "integer", "description": "Fine."},
        },
    )
    [finding] = proj.findings("RF502")
    assert finding.property == "price"
    assert '"number"' in finding.message


def test_rf503_required_exists_top_level_and_nested(proj):
    proj.add(
        CART,
        {
            **PROPS,
            "products": {
                "type": "array",
                "description": "x",
                "items": {
                    "type": "object",
                    "properties": {"sku": {"type": "string", "description": "y"}},
                    "required": ["sku", "price"],
                },
            },
        },
        required=["cart_id", "cartId"],
    )
    findings = proj.findings("RF503")
    assert {f.property for f in findings} == {"cartId", "products.items.price"}


def test_nested_names_are_shown_with_their_path_and_values_as_json(proj):
    path = proj.add(
        "segment/shop/Cart_Viewed/1-1.json",
        {
            "nested": {
                "type": "object",
                "description": "n",
                "properties": {"innerX": {"type": "string", "description": "i"}},
            },
            "list": {
                "type": "array",
                "description": "l",
                "items": {
                    "type": "object",
                    "properties": {"Sku2": {"type": "string", "description": "s"}},
                },
            },
        },
        required=["nested", 3],
    )
    body = json.loads(path.read_text())
    body["self"]["version"] = "1-0"
    path.write_text(json.dumps(body, indent=2))
    messages = {(f.rule, f.message) for f in proj.lint().findings}
    assert ("RF311", 'property "nested.innerX" is not snake_case (suggestion: "inner_x")') in (
        messages
    )
    assert ("RF311", 'property "list.items.Sku2" is not snake_case (suggestion: "sku2")') in (
        messages
    )
    assert (
        "RF312",
        'property "list.items.Sku2" contains digits (conventions.property.numbers is false)',
    ) in messages
    assert ("RF203", '`self.version` "1-0" does not match the file name "1-1.json"') in messages
    assert ("RF503", "`required` holds 3, which is not a property name") in messages
