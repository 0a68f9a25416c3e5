"""After an audit (tab `4`) the schema tree shows its verdict per event: ◆✗ ◆▲ ◆✓, or nothing."""

from __future__ import annotations

import yaml
from tui_support import drive, make_app, settle

# The shop's warehouse has no `email_opened` table (RA101, made an error here), a column in
# no schema in `order_completed` (RA104, a warning), and re-deliveries (RA208, turned off):
# so Email_Opened fails, Order_Completed warns and Cart_Viewed is clean.
AUDIT_RULES = {"audit": {"rules": {"RA101": "error", "RA208": "off"}}}


def _labels(tree) -> dict[str, str]:
    """Every filled node's label as shown, by its key (event and folder keys, schema ids)."""
    found: dict[str, str] = {}

    def walk(node) -> None:
        for child in node.children:
            if child.data is not None:
                found[child.data.key] = str(child.label)
            walk(child)

    walk(tree.root)
    return found


def _configure(project, rules: dict) -> None:
    config_path = project.root / "reflekt_project.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config.update(rules)
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")


def test_audit_verdicts_badge_the_tree_and_the_next_audit_replaces_them(
    warehouse_shop, tmp_path
) -> None:
    from textual.widgets import Input

    from reflekt.core.schemas import list_schema_files
    from reflekt.demo.warehouse import create_demo_warehouse
    from reflekt.tui.widgets.audit_panel import AuditPanel
    from reflekt.tui.widgets.schema_tree import SchemaTree

    _configure(warehouse_shop, AUDIT_RULES)
    app = make_app(warehouse_shop.root)
    cart, order = "segment/ecommerce/Cart_Viewed", "segment/ecommerce/Order_Completed"
    email, clicked = "segment/marketing/Email_Opened", "segment/marketing/Email_Clicked"

    async def run_audit(pilot, since: str = "3000d") -> None:
        panel = app.screen.query_one(AuditPanel)
        panel.query_one("#audit-schema", Input).value = "segment_prod"
        panel.query_one("#audit-since", Input).value = since  # the demo rows are from 2024
        panel.query_one("#audit-since", Input).focus()
        await pilot.press("enter")
        await settle(pilot, rounds=10)

    async def scenario(pilot):
        tree = app.screen.query_one(SchemaTree)
        before = _labels(tree)
        await pilot.press("4")
        await settle(pilot)
        await run_audit(pilot)
        first = _labels(tree)
        # A schema added after the audit was not audited: after a reload it has no verdict,
        # while the audited events keep theirs through the rebuild.
        warehouse_shop.add_schema(
            f"{clicked}/1-0", {"campaign": {"type": "string", "description": "Campaign."}}
        )
        await pilot.press("ctrl+r")
        await settle(pilot)
        reloaded = _labels(tree)
        await run_audit(pilot, since="soon")  # a failed audit
        failed = _labels(tree)
        # Fix the data: every event now has its table (the new one too).
        files = list_schema_files(warehouse_shop.schemas_dir)
        create_demo_warehouse(
            tmp_path / "warehouse.duckdb", files, warehouse_shop.schemas_dir, (), seed=3
        )
        await run_audit(pilot)
        return before, first, reloaded, failed, _labels(tree)

    before, first, reloaded, failed, second = drive(app, scenario)

    assert not any("◆" in label for label in before.values()), "no audit yet: no verdict"
    assert first[email].endswith(" ◆✗1"), first[email]
    assert first[order].endswith(" ◆▲1"), first[order]
    assert first[cart].endswith(" ◆✓"), first[cart]
    # Folders show the worst below them; versions show no verdict (it is the event's).
    assert first["segment/marketing"].endswith(" ◆✗1"), first["segment/marketing"]
    assert first["segment/ecommerce"].endswith(" ◆▲1"), first["segment/ecommerce"]
    assert first["segment"].endswith(" ◆✗1"), first["segment"]
    assert not any("◆" in label for key, label in first.items() if key.endswith(".json"))

    assert "◆" not in reloaded[clicked], reloaded[clicked]
    assert reloaded[email].endswith(" ◆✗1") and reloaded[cart].endswith(" ◆✓")

    assert not any("◆" in label for label in failed.values()), "a failed audit clears them"

    assert second[email].endswith(" ◆✓"), "its table is there now: " + second[email]
    assert second["segment/marketing"].endswith(" ◆✓"), second["segment/marketing"]
    assert "◆" in second[clicked], "the new event was audited this time"
    assert second[cart].endswith(" ◆✓"), second[cart]
