"""The Audit tab (`4`): a source picker, the audit in a worker, findings, Enter jumps."""

from __future__ import annotations

from tui_support import drive, make_app, plain, settle


def test_audit_tab_runs_the_core_audit_and_jumps_to_the_property(warehouse_shop) -> None:
    from textual.widgets import Input, Static, TabbedContent

    from reflekt.tui.widgets.audit_panel import AuditPanel, AuditTree

    app = make_app(warehouse_shop.root)

    async def scenario(pilot):
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one(TabbedContent).active == "audit"
        panel = screen.query_one(AuditPanel)
        # One source in the profile: chosen, its database filled, the schema asked for.
        assert panel.query_one("#audit-database", Input).value == "warehouse"
        assert app.focused is panel.query_one("#audit-schema", Input)
        await pilot.press(*"segment_prod")
        since = panel.query_one("#audit-since", Input)
        since.value = "3000d"  # the demo generator's rows are from 2024
        await pilot.press("enter")
        await settle(pilot, rounds=10)
        summary = plain(panel.query_one("#audit-summary", Static).render())
        assert summary.startswith("Audited 3 event(s), 2 table(s) checked row by row")
        tree = panel.query_one(AuditTree)
        assert app.focused is tree
        labels = [str(node.label) for node in tree.root.children]
        assert any(label.startswith("email_opened") for label in labels), labels
        leaves = [leaf for group in tree.root.children for leaf in group.children]
        codes = {str(leaf.label).split()[0] for leaf in leaves}
        assert "RA101" in codes and "RA208" in codes, codes  # no table; re-deliveries
        # Enter on a finding shows its schema.
        target = next(leaf for leaf in leaves if leaf.data.schema_id and leaf.data.code == "RA208")
        tree.move_cursor(target)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one(TabbedContent).active == "schema"
        return [leaf.data for leaf in leaves]

    findings = drive(app, scenario)
    assert all(finding.code.startswith("RA") for finding in findings)


def test_audit_tab_bad_input_says_so(warehouse_shop) -> None:
    from textual.widgets import Input, Static

    from reflekt.tui.widgets.audit_panel import AuditPanel

    app = make_app(warehouse_shop.root)

    async def scenario(pilot):
        await pilot.press("4")
        await settle(pilot)
        panel = app.screen.query_one(AuditPanel)
        await pilot.press("enter")  # no schema given
        first = plain(panel.query_one("#audit-summary", Static).render())
        panel.query_one("#audit-schema", Input).value = "segment_prod"
        panel.query_one("#audit-since", Input).value = "soon"
        panel.query_one("#audit-schema", Input).focus()
        await pilot.press("enter")
        await settle(pilot, rounds=10)
        return first, plain(panel.query_one("#audit-summary", Static).render())

    first, second = drive(app, scenario)
    assert "give its database and schema" in first
    assert "--since 'soon' is not a duration or a date" in second


def test_audit_tab_audits_rudderstack_tables_and_says_when_nothing_was_checked(
    rudder_shop,
) -> None:
    """The SDK choice is `reflekt audit --sdk`: a RudderStack warehouse audited as Segment's
    says which choice fits (its own columns look unplanned); as RudderStack's, they are
    not. A window with no row says that no row was checked."""
    from textual.widgets import Input, Select, Static

    from reflekt.tui.widgets.audit_panel import AuditPanel, AuditTree

    app = make_app(rudder_shop.root)

    async def run(pilot, panel, since: str, sdk: str) -> tuple[str, set[str]]:
        panel.query_one("#audit-since", Input).value = since
        panel.query_one("#audit-sdk", Select).value = sdk
        panel.query_one("#audit-schema", Input).focus()
        await pilot.press("enter")
        await settle(pilot, rounds=10)
        tree = panel.query_one(AuditTree)
        leaves = [leaf for group in tree.root.children for leaf in group.children]
        unplanned = {leaf.data.column for leaf in leaves if leaf.data.code == "RA104"}
        shown = plain(panel.query_one("#audit-summary", Static).render(), width=400)
        summary = " ".join(shown.split())
        return summary, unplanned

    async def scenario(pilot):
        await pilot.press("4")
        await settle(pilot)
        panel = app.screen.query_one(AuditPanel)
        panel.query_one("#audit-schema", Input).value = "rudder_prod"
        return (
            await run(pilot, panel, "3000d", "segment"),
            await run(pilot, panel, "3000d", "rudderstack"),
            await run(pilot, panel, "7d", "rudderstack"),
        )

    as_segment, as_rudderstack, empty = drive(app, scenario)
    assert {"channel", "rudder_id"} <= as_segment[1]
    assert "own rudder_id column" in as_segment[0]
    assert not as_rudderstack[1] & {"channel", "rudder_id"}
    assert "own rudder_id column" not in as_rudderstack[0]
    assert "no row was checked" in empty[0] and "no row was checked" not in as_rudderstack[0]


def test_audit_tab_fills_in_the_last_warehouse_choice_and_remembers_its_own(warehouse_shop):
    """The tables one builds from are the ones one audits: the tab starts from the wizard's
    last choice (source, database, schema, SDK), and an audit run is remembered in turn."""
    import json

    from textual.widgets import Input, Select

    from reflekt.tui.widgets.audit_panel import AuditPanel

    memory = warehouse_shop.root / ".reflekt_cache/tui_wizard.json"
    memory.parent.mkdir(parents=True, exist_ok=True)
    last = {"source": "wh", "database": "warehouse", "schema": "segment_prod", "sdk": "rudderstack"}
    memory.write_text(json.dumps({"version": 1, "profiles": {"dev": last}}), encoding="utf-8")
    app = make_app(warehouse_shop.root)

    async def scenario(pilot):
        await pilot.press("4")
        await settle(pilot)
        panel = app.screen.query_one(AuditPanel)
        filled = {
            name: str(panel.query_one(f"#audit-{name}", widget).value)
            for name, widget in (
                ("source", Select),
                ("database", Input),
                ("schema", Input),
                ("sdk", Select),
            )
        }
        panel.query_one("#audit-sdk", Select).value = "segment"
        panel.query_one("#audit-since", Input).value = "3000d"
        panel.query_one("#audit-schema", Input).focus()
        await pilot.press("enter")
        await settle(pilot, rounds=10)
        return filled

    filled = drive(app, scenario)
    assert filled == last
    saved = json.loads(memory.read_text(encoding="utf-8"))["profiles"]["dev"]
    assert saved == {**last, "sdk": "segment"}
