"""Plans for the docs catalog's tests: a shop plan with versions, and a hostile one.

The hostile plan holds what outside names and descriptions can hold: `</script>`, Jinja
braces, table pipes, line breaks, an `<img onerror>`, bidi controls and emoji. Its Markdown
pages are golden files (tests/fixtures/docs/markdown/); its HTML pages are read back by an
HTML parser and opened in Chromium.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reflekt.core.names import event_folder
from reflekt.core.scaffold import NewProject, create_project
from reflekt.core.schemas import dump_schema, new_schema_body

# The browser tests' Chromium (Debian's packages; axe-core: the `axe_js` fixture).
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / ".test-artifacts" / "docs"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


class PlanWriter:
    """A project on disk for a module-scoped fixture (the shared `make_project` is
    per test): `add_schema` as `ProjectBuilder.add_schema` does."""

    def __init__(self, root: Path) -> None:
        self.root = root
        create_project(
            root,
            NewProject(
                name="shop",
                vendor="com.example",
                profile="dev",
                profiles_path="reflekt_profiles.yml",
            ),
        )

    def add_schema(
        self,
        schema_id: str,
        properties: dict[str, Any],
        *,
        required: list[str] | None = None,
        description: str = "",
        metadata: dict[str, Any] | None = None,
        name: str | None = None,
    ) -> None:
        parts = schema_id.split("/")
        body = new_schema_body(
            schema_id + ".json",
            vendor="com.example",
            name=name or parts[-2].replace("_", " "),
            version=parts[-1],
            description=description,
            metadata=metadata,
            properties=properties,
            required=required,
        )
        path = self.root / "schemas" / f"{schema_id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_schema(body), encoding="utf-8")


HOSTILE_NAME = '</script><img src=x onerror="alert(1)"> {{ 7*7 }} | Cart\u202eevil 🛒'
HOSTILE_DESCRIPTION = "Line one\nline two | with {{ env_var('X') }} and <script>alert(2)</script>."
HOSTILE_PROPERTIES = {
    "a|b": {"type": "string", "description": "A pipe | in the name.\nAnd a line break."},
    "{{ x }}": {"type": "integer", "description": "{% raw %}Jinja{% endraw %}", "minimum": 0},
    "img": {
        "type": "string",
        "description": '<img src=x onerror="alert(3)">',
        "enum": ["</script>", "a`b", "\u202eabc"],
    },
    "emoji_🛒": {
        "type": "array",
        "description": "Emoji 🛒 in a name.",
        "items": {
            "type": "object",
            "properties": {"sku\u2066x": {"type": "string", "description": "bidi isolate"}},
            "required": ["sku\u2066x"],
        },
    },
}


CART_PRODUCTS = {
    "type": "array",
    "description": "Products in the cart.",
    "items": {
        "type": "object",
        "properties": {
            "sku": {"type": "string", "description": "Stock keeping unit."},
            "price": {"type": "number", "description": "Unit price.", "minimum": 0},
        },
        "required": ["sku"],
    },
}


def hostile_folder() -> str:
    return event_folder(HOSTILE_NAME)


def add_shop(project) -> None:
    """Two plans, a three-version event (with a changelog), owners, a deprecated event,
    a lint error, and one property name with two types (a conflict)."""
    project.add_schema(
        "segment/ecommerce/Cart_Viewed/1-0",
        {
            "cart_id": {"type": "string", "description": "The cart."},
            "products": CART_PRODUCTS,
        },
        required=["cart_id"],
        metadata={"code_owner": "growth", "product_owner": "pm@example.com"},
        description="A user viewed their cart.",
    )
    project.add_schema(
        "segment/ecommerce/Cart_Viewed/1-1",
        {
            "cart_id": {"type": "string", "description": "The cart."},
            "products": CART_PRODUCTS,
            "coupon": {"type": "string", "description": "Coupon code."},
        },
        required=["cart_id"],
        metadata={"code_owner": "growth", "product_owner": "pm@example.com"},
        description="A user viewed their cart.",
    )
    project.add_schema(
        "segment/ecommerce/Cart_Viewed/2-0",
        {
            "cart_id": {"type": "string", "description": "The cart."},
            "coupon": {"type": "string", "description": "Coupon code."},
            "currency": {"type": "string", "description": "ISO 4217.", "enum": ["USD", "EUR"]},
        },
        required=["cart_id", "currency"],
        metadata={"code_owner": "growth", "product_owner": "pm@example.com"},
        description="A user viewed their cart.",
    )
    project.add_schema(
        "segment/ecommerce/Order_Completed/1-0",
        {
            "order_id": {"type": "string", "description": "The order."},
            "cart_id": {"type": "integer", "description": "The cart, as a number."},
        },
        required=["order_id"],
        metadata={"code_owner": "checkout"},
        description="A user completed an order.",
    )
    project.add_schema(
        "segment/marketing/Email_Opened/1-0",
        {"campaign": {"type": "string", "description": "Campaign name."}},
        metadata={"code_owner": "marketing", "deprecated": True},
        description="A user opened a marketing email.",
    )
    # RF lint error: a property name that is not snake_case.
    project.add_schema(
        "segment/marketing/Email_Clicked/1-0",
        {"LinkURL": {"type": "string", "description": "The link."}},
        metadata={"code_owner": "marketing"},
        description="A user clicked a link in an email.",
    )


def add_hostile(project) -> None:
    folder = hostile_folder()
    project.add_schema(
        f"segment/hostile/{folder}/1-0",
        {"a|b": HOSTILE_PROPERTIES["a|b"]},
        name=HOSTILE_NAME,
        metadata={"code_owner": "<b>team</b> | {{ owner }}"},
        description=HOSTILE_DESCRIPTION,
    )
    project.add_schema(
        f"segment/hostile/{folder}/1-1",
        HOSTILE_PROPERTIES,
        name=HOSTILE_NAME,
        metadata={"code_owner": "<b>team</b> | {{ owner }}"},
        description=HOSTILE_DESCRIPTION,
    )
