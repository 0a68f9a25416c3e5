"""The Reflekt terminal UI (Textual): `reflekt.tui.app.create_app` builds it.

Thin over the core: every screen calls the same core functions as the CLI (in workers), and
nothing here parses schemas or configuration itself.
"""
