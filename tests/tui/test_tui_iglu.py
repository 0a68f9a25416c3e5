"""A project with an Iglu registry in its profile: the context line names its host (api key
never shown), the schema tree holds the pulled vendor's schemas, and a push of them goes to
the Iglu Server after the same confirm as Segment's."""

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
        # Avo is not pushed from the TUI: the toast names both targets it pushes to
        pilot.app.main_screen._push_select("avo/main", False)
        await settle(pilot)
        assert any("Segment or an Iglu Server" in toast for toast in toasts(pilot.app))

    drive(make_app(project.root), scenario)


def test_push_to_an_iglu_server_shows_the_diff_then_publishes_on_confirm(make_project):
    """The same confirm-then-push as Segment's, against the Iglu Server stand-in: nothing
    is sent before `y`, then the server holds the schema under its Iglu version."""
    import sys
    from pathlib import Path

    fakes = str(Path(__file__).resolve().parents[1] / "integration" / "registries")
    if fakes not in sys.path:
        sys.path.insert(0, fakes)
    from iglu_fake import FakeIgluServer

    from reflekt.tui.screens.registry import ConfirmPushScreen, ResultScreen

    server = FakeIgluServer().start()
    try:
        keys = server.keygen("com.acme")
        project = make_project(name="snow")
        project.vendor = "com.acme"  # an Iglu schema's self names its own vendor folder
        project.write_profiles(
            {
                "version": 1.0,
                "dev": {
                    "registry": [{"type": "iglu", "url": server.api_url, "api_key": keys["write"]}]
                },
            }
        )
        config = (project.root / "reflekt_project.yml").read_text()
        start, end = config.index("schemas:\n"), config.index("# REGISTRY CONFIG")
        project.set_config(config[:start] + "schemas:\n  conventions: snowplow\n\n" + config[end:])
        project.add_schema(
            "iglu/com.acme/checkout_started/1-0",
            {"cartId": {"type": "string", "description": "The cart."}},
            name="checkout_started",
            description="A checkout started.",
            metadata={"iglu": {"version": "1-0-0"}},
        )

        async def scenario(pilot):
            await settle(pilot)
            screen = pilot.app.main_screen
            screen.query_one(SchemaTree).select_key("iglu/com.acme/checkout_started")
            screen.action_push()
            await settle(pilot)
            assert isinstance(pilot.app.screen, ConfirmPushScreen), toasts(pilot.app)
            title = str(pilot.app.screen.query_one(".title", Static).render())
            assert "to the Iglu Server" in title
            assert not [r for r in server.requests if r.method == "PUT"], "nothing before y"
            await pilot.press("y")
            await settle(pilot)
            assert isinstance(pilot.app.screen, ResultScreen), toasts(pilot.app)
            body = str(pilot.app.screen.query_one("#result-body", Static).render())
            assert "created: 1" in body

        drive(make_app(project.root), scenario)
        assert list(server.schemas) == [("com.acme", "checkout_started", "jsonschema", "1-0-0")]
        assert keys["write"] not in "".join(
            p.read_text() for p in (project.root / ".logs").glob("*.log")
        )
    finally:
        server.stop()
