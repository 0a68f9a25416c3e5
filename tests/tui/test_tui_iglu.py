"""A project with an Iglu registry in its profile: the context line names its host (api key
never shown), the schema tree holds the pulled vendor's schemas, and push (Segment only in
the TUI) says how to push them from the CLI."""

from __future__ import annotations

from textual.widgets import Static
from tui_support import drive, make_app, settle, toasts

from reflekt.tui.widgets.schema_tree import SchemaTree

KEY = "0b5b0a3e-5f0c-4c7f-9a55-3f1a2b3c4d5e"


def test_iglu_host_in_the_context_line_and_its_schemas_in_the_tree(make_project):
    project = make_project(name="snow")
    project.write_profiles(
        {
            "version": 1.0,
            "dev": {
                "registry": [
                    {"type": "iglu", "url": "https://iglu.acme.example/api", "api_key": KEY}
                ]
            },
        }
    )
    project.add_schema(
        "iglu/com.acme/checkout_started/1-0",
        {"cartId": {"type": "string", "description": "The cart."}},
        name="checkout_started",
        metadata={"iglu": {"version": "1-0-0"}},
    )

    async def scenario(pilot):
        await settle(pilot)
        line = pilot.app.main_screen.query_one("#context", Static).render().plain
        assert "registry iglu.acme.example" in line
        assert KEY not in line
        tree = pilot.app.screen.query_one(SchemaTree)
        keys = set()

        def walk(node) -> None:
            for child in node.children:
                if child.data is not None:
                    keys.add(child.data.key)
                walk(child)

        walk(tree.root)
        assert "iglu/com.acme/checkout_started" in keys
        # the TUI pushes to Segment only: an Iglu selection says how to push it
        tree.select_key("iglu/com.acme/checkout_started")
        pilot.app.main_screen.action_push()
        await settle(pilot)
        assert any("reflekt push --select iglu/<vendor>" in toast for toast in toasts(pilot.app))

    drive(make_app(project.root), scenario)
