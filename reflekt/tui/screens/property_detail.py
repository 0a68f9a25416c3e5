"""A property in full (Enter on a properties row): long descriptions and every constraint,
wrapped to the screen instead of cut in a table cell."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from reflekt.tui.safe_text import clean


def spec_at(body: Any, path: str) -> dict[str, Any] | None:
    """The schema of the property at a table path (`products[].sku`), or None."""
    node = body
    for part in path.split("."):
        items = part.endswith("[]")
        name = part.removesuffix("[]")
        properties = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(properties, dict) or not isinstance(properties.get(name), dict):
            return None
        node = properties[name]
        if items:
            node = node.get("items")
    return node if isinstance(node, dict) else None


def detail_text(path: str, spec: dict[str, Any], required: bool) -> Text:
    text = Text()
    text.append(clean(path), style="bold")
    text.append("  required" if required else "  optional", style="bold" if required else "dim")
    description = spec.get("description")
    if isinstance(description, str) and description:
        text.append("\n\n" + clean(description))
    rest = {key: value for key, value in spec.items() if key != "description"}
    text.append("\n\n" + clean(json.dumps(rest, indent=2, ensure_ascii=False)), style="dim")
    return text


class PropertyScreen(ModalScreen[None]):
    """One property: description wrapped, then its schema (Esc or q closes)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "app.pop_screen", "Close", id="property.close")
    ]
    DEFAULT_CSS = """
    PropertyScreen { align: center middle; }
    #property-box { width: 90%; max-width: 110; height: auto; max-height: 90%;
                    border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, text: Text) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="property-box"):
            yield Static(self.text, id="property-detail")
