"""The TUI's lint honours `lint.ignore` (the per-schema / per-property switches that
`reflekt migrate` writes for reflekt 0.6's `lint: false`), as `reflekt lint` does."""

from __future__ import annotations

from tui_support import drive, make_app

BAD_ID = "segment/ecommerce/Checkout_Started/1-0.json"


def test_lint_ignore_hides_exactly_the_switched_off_findings(shop):
    shop.add_schema(
        "segment/ecommerce/Checkout_Started/1-0",
        {
            "cartID": {"type": "string", "description": "The cart."},
            "legacyID": {"type": "string", "description": "Old."},
        },
        description="A user started checkout.",
    )
    config = shop.root / "reflekt_project.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "lint:\n  ignore:\n    - select: segment/ecommerce/Checkout_Started/1-0\n"
        "      property: legacyID\n      rules: [property-casing]\n",
        encoding="utf-8",
    )

    async def scenario(pilot):
        found = {
            (f.rule, f.property) for f in pilot.app.main_screen.findings if f.schema_id == BAD_ID
        }
        assert ("RF311", "cartID") in found
        assert ("RF311", "legacyID") not in found

    drive(make_app(shop.root), scenario)
