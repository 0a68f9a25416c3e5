"""Shared by the output-format tests: a real project with hostile names under git, the
validators (official SARIF 2.1.0 schema, junit-10.xsd, GitLab Code Quality fields), and a
GFM renderer (markdown-it-py with tables, as rich ships it)."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from reflekt.cli import cli

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "output"

# Outside strings a registry or a teammate could send: quotes, a pipe, HTML, Jinja, a newline.
HOSTILE_NAME = "Evil \"x\" | <script>alert('x')</script> {{ x }}\nnext"
HOSTILE_FOLDER = 'Evil_"x"_|_<script>{{x}}'
HOSTILE_PROPERTY = "a|b<script>\n{{c}}"
HOSTILE_DESCRIPTION = 'd | "q" <img src=x onerror=alert(1)>'
PROPS = {"cart_id": {"type": "string", "description": "The cart."}}
MANY = 12  # changes or findings: more than markdown.LONG, so the list collapses


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def hostile_git_project(builder: Any) -> Any:
    """A committed base, then working-tree edits: a hostile event made breaking, an event
    with MANY breaking changes, a proper minor bump, an unbumped minor change, a new event
    and a deleted one."""
    hostile = f"segment/shop/{HOSTILE_FOLDER}"
    builder.add_schema(f"{hostile}/1-0", PROPS, name=HOSTILE_NAME)
    builder.add_schema("segment/shop/Cart_Viewed/1-0", PROPS)
    builder.add_schema("segment/shop/Order_Completed/1-0", PROPS)
    builder.add_schema("segment/shop/Product_Viewed/1-0", PROPS)
    builder.add_schema("segment/shop/Gone_Event/1-0", PROPS)
    builder.add_schema("segment/shop/Still_Same/1-0", PROPS)
    git(builder.root, "init", "-q", "-b", "main")
    git(builder.root, "add", ".")
    git(builder.root, "commit", "-q", "-m", "base")
    extra = {HOSTILE_PROPERTY: {"type": "string", "description": HOSTILE_DESCRIPTION}}
    builder.add_schema(
        f"{hostile}/1-0", {**PROPS, **extra}, name=HOSTILE_NAME, required=[HOSTILE_PROPERTY]
    )
    many = {f"field_{chr(97 + i)}": {"type": "string", "description": "x"} for i in range(MANY)}
    builder.add_schema("segment/shop/Cart_Viewed/1-0", {**PROPS, **many}, required=list(many))
    coupon = {"coupon": {"type": "string", "description": "A coupon."}}
    builder.add_schema("segment/shop/Order_Completed/1-1", {**PROPS, **coupon})
    builder.add_schema("segment/shop/Product_Viewed/1-0", {**PROPS, **coupon})
    builder.add_schema("segment/shop/Brand_New/1-0", PROPS)
    (builder.schemas_dir / "segment/shop/Gone_Event/1-0.json").unlink()
    return builder


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(root)])


@cache
def sarif_validator() -> Any:
    from jsonschema import Draft4Validator

    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return Draft4Validator(schema)


@cache
def gitlab_validator() -> Any:
    from jsonschema import Draft7Validator

    text = (FIXTURES / "gitlab-codequality.schema.json").read_text(encoding="utf-8")
    return Draft7Validator(json.loads(text))


@cache
def junit_schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(FIXTURES / "junit-10.xsd"))


def schema_errors(validator: Any, data: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]


def render_gfm(markdown: str) -> str:
    """HTML as a GFM renderer makes it (CommonMark + tables)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(markdown)


class Tables(HTMLParser):
    """The tables of rendered HTML as rows of cell texts, and every tag seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.tags: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse_tables(html: str) -> Tables:
    parser = Tables()
    parser.feed(html)
    return parser
