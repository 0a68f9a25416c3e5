"""Lint panel: findings of a broken schema, jump to the property, re-lint on change, scope."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static, TabbedContent
from tui_support import drive, make_app, settle

from reflekt.tui.widgets.lint_panel import FindingsTree, LintPanel
from reflekt.tui.widgets.schema_tree import SchemaTree
from reflekt.tui.widgets.schema_view import SchemaView

BAD_ID = "segment/ecommerce/Checkout_Started/1-0.json"


def add_bad_schema(shop):
    return shop.add_schema(
        "segment/ecommerce/Checkout_Started/1-0",
        {
            "cartID": {"type": "string", "description": "The cart."},
            "items": {
                "type": "array",
                "description": "Items.",
                "items": {"type": "object", "properties": {"sku": {"type": "string"}}},
            },
        },
        description="A user started checkout.",
    )


def finding_lines(tree: FindingsTree) -> dict[str, int]:
    """rule+property -> line of that finding in the findings list."""
    lines = {}
    line = 0
    while (row := tree.row_at(line)) is not None:
        if row.finding is not None:
            lines[f"{row.schema_id}:{row.finding.rule}:{row.finding.property}"] = line
        line += 1
    return lines


def test_lint_findings_of_a_broken_schema_and_jump_to_the_property(shop):
    add_bad_schema(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        # Badges in the tree: the event with problems carries an error count.
        assert tree.select_key("segment/ecommerce/Checkout_Started")
        assert "✗" in tree.cursor_node.label.plain
        await pilot.press("2")
        assert screen.query_one(TabbedContent).active == "lint"
        findings = screen.query_one(FindingsTree)
        assert findings.has_focus
        summary = str(screen.query_one("#lint-summary", Static).render())
        assert "error" in summary
        lines = finding_lines(findings)
        casing = f"{BAD_ID}:RF311:cartID"
        assert casing in lines
        assert "segment/ecommerce/Broken_Event/1-0.json:RF101:None" in lines
        label = findings.row_at(lines[casing]).label.plain
        assert "cart_id" in label  # the suggestion
        assert "error" in label
        findings.cursor_line = lines[casing]
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "schema"
        view = screen.query_one(SchemaView)
        assert view.entry.id == BAD_ID
        assert view.highlighted_property == "cartID"
        table = view.query_one("#properties", DataTable)
        assert table.has_focus
        assert table.get_row_at(table.cursor_row)[0].plain == "cartID"
        # A nested property: items.items.sku is the `items[].sku` row.
        await pilot.press("2")
        lines = finding_lines(findings)
        findings.cursor_line = lines[f"{BAD_ID}:RF402:items.items.sku"]
        await pilot.press("enter")
        await pilot.pause()
        assert view.highlighted_property == "items[].sku"

    drive(make_app(shop.root), scenario)


def test_fixing_a_file_on_disk_relints_only_that_event(shop):
    path = add_bad_schema(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        before = [f for f in screen.findings if f.schema_id == BAD_ID]
        assert any(f.rule == "RF311" for f in before)
        others = [f for f in screen.findings if f.schema_id != BAD_ID]
        path.write_text(
            path.read_text(encoding="utf-8").replace('"cartID"', '"cart_id"'), encoding="utf-8"
        )
        screen.check_for_changes()
        await settle(pilot)
        after = [f for f in screen.findings if f.schema_id == BAD_ID]
        assert not any(f.rule == "RF311" for f in after)
        assert [f for f in screen.findings if f.schema_id != BAD_ID] == others
        tree = screen.query_one(SchemaTree)
        tree.select_key("segment/ecommerce/Checkout_Started")
        # Only the nested description finding is left.
        assert "✗1" in tree.cursor_node.label.plain

    drive(make_app(shop.root), scenario)


def test_lint_scope_switches_to_the_selection(shop):
    add_bad_schema(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce/Checkout_Started")
        await pilot.pause()
        await pilot.press("2")
        panel = screen.query_one(LintPanel)
        assert {f.schema_id for f in panel.visible_findings()} > {BAD_ID}
        await pilot.press("s")
        assert {f.schema_id for f in panel.visible_findings()} == {BAD_ID}
        summary = str(screen.query_one("#lint-summary", Static).render())
        assert "selection segment/ecommerce/Checkout_Started" in summary

    drive(make_app(shop.root), scenario)


def test_shift_l_lints_everything_again_and_shows_the_panel(shop):
    add_bad_schema(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        before = list(screen.findings)
        # A file fixed behind the app's back (no polling): L re-lints the whole project.
        path = shop.schemas_dir / BAD_ID
        path.write_text(path.read_text(encoding="utf-8").replace('"cartID"', '"cart_id"'))
        screen.index.poll()
        await pilot.press("L")
        await settle(pilot)
        assert screen.query_one(TabbedContent).active == "lint"
        assert any(f.rule == "RF311" for f in before)
        assert not any(f.rule == "RF311" for f in screen.findings)

    drive(make_app(shop.root), scenario)


def test_tab_two_then_enter_jumps_to_the_first_finding(shop):
    """Arriving in the panel puts the cursor on the first finding (not on nothing)."""
    (shop.schemas_dir / "segment/ecommerce/Broken_Event/1-0.json").unlink()
    add_bad_schema(shop)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        await pilot.press("2")
        findings = screen.query_one(FindingsTree)
        assert findings.has_focus
        first = findings.cursor_row.finding
        assert first is not None
        await pilot.press("enter")
        await pilot.pause()
        view = screen.query_one(SchemaView)
        assert view.entry.id == first.schema_id == BAD_ID
        assert view.highlighted_property is not None

    drive(make_app(shop.root), scenario)


def test_a_clean_project_says_no_findings(shop):
    (shop.schemas_dir / "segment/ecommerce/Broken_Event/1-0.json").unlink()

    async def scenario(pilot):
        await pilot.press("2")
        summary = str(pilot.app.main_screen.query_one("#lint-summary", Static).render())
        assert "✓ no findings: all 4 schemas pass the rules" in summary

    drive(make_app(shop.root), scenario)


@pytest.mark.parametrize(
    ("kept", "said"),
    [
        ("segment/marketing/Email_Opened/1-0.json", "✓ no findings: the schema passes the rules"),
        ("segment/ecommerce/Broken_Event/1-0.json", "· scope: project, 1 schema (s)"),
    ],
)
def test_a_project_of_one_schema_is_counted_in_the_singular(shop, kept, said):
    """`1 schemas` read wrong: the summary names the one schema, clean or not."""
    for path in shop.schemas_dir.glob("segment/*/*/*.json"):
        if path.relative_to(shop.schemas_dir).as_posix() != kept:
            path.unlink()

    async def scenario(pilot):
        await pilot.press("2")
        await settle(pilot)
        return str(pilot.app.main_screen.query_one("#lint-summary", Static).render())

    summary = drive(make_app(shop.root), scenario)
    assert said in summary
    assert "1 schemas" not in summary
