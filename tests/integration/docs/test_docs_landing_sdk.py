"""Where the catalog says an event lands, after a real `reflekt build dbt --sdk ...` over a
demo warehouse shaped as that SDK writes it: RudderStack's tables (`Order` in `_order`) and
"RudderStack call", Segment's as before, and a hand-edited generated model whose table is
hostile (escaped in both formats, or ignored), never a crash.

The HTML pages are read back by an HTML parser, the Markdown pages by their table rows; both
formats must say the same.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from rudder_support import add_order  # `Order`: RudderStack's table `_order`

from reflekt.cli import cli
from reflekt.core.escape import display_text, jinja_string
from reflekt.core.project import load_project
from reflekt.core.schemas import list_schema_files
from reflekt.demo.layout import lay_out_demo
from reflekt.demo.warehouse import DEMO_SCHEMAS, DEMO_SOURCE_ID, create_demo_warehouse

HOSTILE_TABLE = "</script><b>x</b> {{ 7*7 }} | `a` 'q' \\ \"d\"\nnext"
LANDING_ROWS = ("call", "Warehouse table", "dbt model")


@dataclass(frozen=True)
class Built:
    root: Path
    schema: str  # the warehouse schema = the dbt source


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _build_docs(root: Path) -> None:
    for fmt in ("html", "markdown"):
        _invoke("build", "docs", "--project-dir", str(root), "--format", fmt)


def _project(root: Path, sdk: str) -> Built:
    """The demo project plus `Order`, its warehouse as `sdk` writes it, `reflekt build dbt
    --sdk <sdk>` over it, and the catalog in both formats."""
    lay_out_demo(root)
    add_order(root)
    project = load_project(root)
    summary = create_demo_warehouse(
        root / "warehouse.duckdb",
        list_schema_files(project.schemas_dir),
        project.schemas_dir,
        (),
        sdk=sdk,
    )
    assert summary.schema == DEMO_SCHEMAS[sdk]
    source = f"{DEMO_SOURCE_ID}.warehouse.{summary.schema}"
    _invoke("build", "dbt", "--project-dir", str(root), "--source", source, "--sdk", sdk)
    _build_docs(root)
    return Built(root, summary.schema)


@pytest.fixture(scope="module")
def rudderstack(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _project(tmp_path_factory.mktemp("docs_rudder") / "demo", "rudderstack")


@pytest.fixture(scope="module")
def segment(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _project(tmp_path_factory.mktemp("docs_segment") / "demo", "segment")


class _Facts(HTMLParser):
    """The `Where it lands` facts of an event page: (term, definition text), and the tags
    met inside the definitions."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts: list[tuple[str, str]] = []
        self.tags_in_dd: set[str] = set()
        self._in_section = False
        self._cell: str | None = None
        self._text: list[str] = []
        self._term = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self._in_section = ("aria-labelledby", "lands") in attrs
        elif self._in_section and tag in ("dt", "dd"):
            self._cell, self._text = tag, []
        elif self._cell == "dd":
            self.tags_in_dd.add(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._in_section = False
        elif self._cell == tag == "dt":
            self._term, self._cell = "".join(self._text), None
        elif self._cell == tag == "dd":
            self.facts.append((self._term, "".join(self._text)))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell:
            self._text.append(data)


def html_landing(root: Path, event: str) -> tuple[list[tuple[str, str]], set[str]]:
    parser = _Facts()
    parser.feed((root / f"artifacts/docs/events/segment/ecommerce/{event}.html").read_text("utf-8"))
    return [fact for fact in parser.facts if fact[0].endswith(LANDING_ROWS)], parser.tags_in_dd


def markdown_rows(root: Path, event: str) -> list[list[str]]:
    """The cells of the page's facts table (a `|` after a backslash does not split)."""
    text = (root / f"artifacts/docs-md/events/segment/ecommerce/{event}.md").read_text("utf-8")
    rows = []
    for line in text.split("\n"):
        if line.startswith("| ") and line.endswith(" |"):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line[1:-1])])
    return rows


def markdown_landing(root: Path, event: str) -> list[tuple[str, str]]:
    return [
        (row[0], row[1].strip("`"))
        for row in markdown_rows(root, event)
        if len(row) == 2 and row[0].endswith(LANDING_ROWS)
    ]


def test_rudderstack_order_lands_in_its_renamed_table(rudderstack: Built) -> None:
    model = f"stg_{rudderstack.schema}___order"
    facts, _tags = html_landing(rudderstack.root, "Order")
    assert facts[:2] == [("RudderStack call", "track"), ("Warehouse table", "_order")]
    assert facts[2][0] == "dbt model" and facts[2][1].startswith(model + " (")
    markdown = markdown_landing(rudderstack.root, "Order")
    assert markdown[:2] == [("RudderStack call", "track"), ("Warehouse table", "_order")]
    assert markdown[2][0] == "dbt model" and markdown[2][1].startswith(model + "` (")


def test_rudderstack_every_page_says_rudderstack_and_both_formats_agree(
    rudderstack: Built,
) -> None:
    pages = sorted(p.stem for p in (rudderstack.root / "artifacts/docs-md/events").rglob("*.md"))
    assert "Order" in pages and "Identify" in pages
    for event in pages:
        html, _tags = html_landing(rudderstack.root, event)
        markdown = markdown_landing(rudderstack.root, event)
        assert html[0][0] == "RudderStack call", event
        assert [term for term, _ in html] == [term for term, _ in markdown], event
        assert html[:2] == markdown[:2], event
    text = (rudderstack.root / "artifacts/docs/events/segment/ecommerce/Order.html").read_text()
    assert "Segment call" not in text


def test_identify_lands_in_identifies_not_in_the_users_model(rudderstack: Built) -> None:
    """Both the identifies and the users model name Identify's schema: its rows land in
    `identifies` (users holds their latest traits)."""
    facts, _tags = html_landing(rudderstack.root, "Identify")
    assert facts[:2] == [("RudderStack call", "identify"), ("Warehouse table", "identifies")]
    assert facts[2][1].startswith(f"stg_{rudderstack.schema}__identifies (")


def test_segment_package_lands_as_before(segment: Built) -> None:
    model = f"stg_{segment.schema}__order"
    facts, _tags = html_landing(segment.root, "Order")
    assert facts[:2] == [("Segment call", "track"), ("Warehouse table", "order")]
    assert facts[2][1].startswith(model + " (")
    assert markdown_landing(segment.root, "Order")[:2] == [
        ("Segment call", "track"),
        ("Warehouse table", "order"),
    ]
    cart, _tags = html_landing(segment.root, "Cart_Viewed")
    assert cart[:2] == [("Segment call", "track"), ("Warehouse table", "cart_viewed")]


def _copy(built: Built, tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(built.root, root)
    return root


def _order_sql(root: Path, schema: str) -> Path:
    return root / f"artifacts/dbt/reflekt_demo/models/{schema}/stg_{schema}___order.sql"


def test_a_hostile_table_in_an_edited_model_is_text_in_both_formats(
    rudderstack: Built, tmp_path: Path
) -> None:
    root = _copy(rudderstack, tmp_path)
    sql = _order_sql(root, rudderstack.schema)
    text = sql.read_text("utf-8")
    call = f"{{{{ source('{rudderstack.schema}', '_order') }}}}"
    assert call in text
    hostile = f"{{{{ source('{rudderstack.schema}', {jinja_string(HOSTILE_TABLE)}) }}}}"
    sql.write_text(text.replace(call, hostile), encoding="utf-8")
    _build_docs(root)

    facts, tags = html_landing(root, "Order")
    assert facts[1] == ("Warehouse table", display_text(HOSTILE_TABLE))
    assert tags <= {"code"}, "no tag of the table name's became an element"
    page = (root / "artifacts/docs/events/segment/ecommerce/Order.html").read_text("utf-8")
    assert "</script><b>" not in page and "<b>x</b>" not in page

    table_rows = [row for row in markdown_rows(root, "Order") if row[0] == "Warehouse table"]
    assert len(table_rows) == 1 and len(table_rows[0]) == 2, "the name ended no cell"
    cell = table_rows[0][1]
    assert cell.startswith("`") and cell.endswith("`") and cell.count("`") == 2
    assert "{{" not in cell and "\n" not in cell and "</script>" in cell  # code shows it


@pytest.mark.parametrize(
    "edit",
    [
        "{{ source('SRC', '_order' ~ evil) }}",  # not a literal
        "{{ source('SRC', '_ord\\x41er') }}",  # an escape jinja_string never writes
        "{{ source('SRC', 'unterminated) }}",
        "select 1",  # no source() at all
    ],
)
def test_an_edited_model_that_is_not_ours_gives_the_layouts_table(
    rudderstack: Built, tmp_path: Path, edit: str
) -> None:
    root = _copy(rudderstack, tmp_path)
    sql = _order_sql(root, rudderstack.schema)
    text = sql.read_text("utf-8")
    call = f"{{{{ source('{rudderstack.schema}', '_order') }}}}"
    sql.write_text(text.replace(call, edit.replace("SRC", rudderstack.schema)), encoding="utf-8")
    _build_docs(root)
    facts, _tags = html_landing(root, "Order")
    assert facts[:2] == [("RudderStack call", "track"), ("Warehouse table", "_order")]


def test_a_model_without_the_header_or_of_other_schemas_is_not_read(
    rudderstack: Built, tmp_path: Path
) -> None:
    """The SQL of the model's name must be generated and name the same schemas."""
    root = _copy(rudderstack, tmp_path)
    sql = _order_sql(root, rudderstack.schema)
    text = sql.read_text("utf-8")
    call = f"{{{{ source('{rudderstack.schema}', '_order') }}}}"
    elsewhere = text.replace(call, f"{{{{ source('{rudderstack.schema}', 'elsewhere') }}}}")
    assert "Order/1-0.json" in elsewhere.split("\n", 2)[1]
    sql.write_text(elsewhere.replace("Order/1-0.json", "Other/1-0.json"), encoding="utf-8")
    _build_docs(root)
    assert html_landing(root, "Order")[0][1] == ("Warehouse table", "_order")
    sql.write_text(elsewhere.split("\n", 1)[1], encoding="utf-8")  # no header: the user's
    _build_docs(root)
    assert html_landing(root, "Order")[0][1] == ("Warehouse table", "_order")
    sql.write_text(elsewhere, encoding="utf-8")  # generated, of the same schema: read
    _build_docs(root)
    assert html_landing(root, "Order")[0][1] == ("Warehouse table", "elsewhere")
