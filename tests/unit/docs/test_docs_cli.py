"""`reflekt build docs` through the CLI: what it writes, byte-identical rebuilds, the header
guard, stale pages, bad input (exit 2, one message, nothing written), hostile names in
HTML and Markdown (golden files), the audit figures and the dbt model of the last build."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from docs_support import HOSTILE_NAME, hostile_folder

from reflekt.cli import cli
from reflekt.core.build.dbt import GENERATED_MARKER
from reflekt.core.escape import display_text

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "docs" / "markdown"


def run(project, *args: str):
    result = CliRunner().invoke(
        cli, ["build", "docs", "--project-dir", str(project.root), *args], catch_exceptions=False
    )
    return result


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_writes_the_site_with_headers(shop):
    result = run(shop)
    assert result.exit_code == 0, result.output
    assert (
        "Built the docs (html) of 4 event(s) from 6 schema(s) in artifacts/docs/" in result.output
    )
    site = files_under(shop.root / "artifacts" / "docs")
    assert {
        "index.html",
        "properties.html",
        "assets/catalog.css",
        "assets/catalog.js",
        "assets/search-index.js",
        "events/segment/ecommerce/Cart_Viewed.html",
        "events/segment/marketing/Email_Opened.html",
    } <= set(site)
    assert ".nojekyll" in site  # GitHub Pages publishes `_Folder` pages as they are
    for path, data in site.items():
        first = data.decode("utf-8").split("\n", 1)[0]
        assert GENERATED_MARKER in first, path
        if path == ".nojekyll":
            continue
        opener = "/* " if path.endswith((".css", ".js")) else "<!-- "
        assert first.startswith(opener), path
    page = site["events/segment/ecommerce/Cart_Viewed.html"].decode()
    assert "PROPERTY_ADDED_REQUIRED" in page and "MAJOR" in page
    assert 'href="../../../assets/catalog.css"' in page
    assert "file://" in result.output  # where to open it


def test_rebuild_is_byte_identical_and_rewrites_nothing(shop):
    assert run(shop).exit_code == 0
    folder = shop.root / "artifacts" / "docs"
    before = files_under(folder)
    mtimes = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    again = run(shop)
    assert again.exit_code == 0
    assert "(0 new, 0 changed," in again.output
    assert files_under(folder) == before
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()} == mtimes


def test_header_guard_and_stale_pages(shop):
    folder = shop.root / "artifacts" / "docs"
    assert run(shop).exit_code == 0
    mine = folder / "events" / "segment" / "ecommerce" / "Order_Completed.html"
    mine.write_text("<p>my own page</p>\n", encoding="utf-8")  # header removed: taken over
    notes = folder / "notes.html"
    notes.write_text("<p>hand-written</p>\n", encoding="utf-8")
    for path in (shop.schemas_dir / "segment" / "marketing" / "Email_Opened").iterdir():
        path.unlink()
    (shop.schemas_dir / "segment" / "marketing" / "Email_Opened").rmdir()
    result = run(shop)
    assert result.exit_code == 0, result.output
    assert "Kept events/segment/ecommerce/Order_Completed.html" in result.output
    assert mine.read_text(encoding="utf-8") == "<p>my own page</p>\n"
    assert notes.read_text(encoding="utf-8") == "<p>hand-written</p>\n"
    assert not (folder / "events" / "segment" / "marketing" / "Email_Opened.html").exists()
    assert "1 removed" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "{outside}"], "is outside the project"),
        (["--out", "../elsewhere"], "is outside the project"),
        (["--out", "schemas/site"], "is inside schemas/"),
        (["--out", ".reflekt_cache/site"], "is inside .reflekt_cache/"),
        (["--out", "."], "not the project root"),
        (["--select", "segment/nope"], "nope"),
        (["--with-audit", "{bad_audit}"], "not a `reflekt audit --format json` report"),
        (["--with-audit", "{not_json}"], "not JSON"),
        (["--with-audit", "missing.json"], "cannot read the file"),
    ],
)
def test_bad_input_is_exit_2_with_one_message_and_writes_nothing(shop, tmp_path, args, message):
    outside = tmp_path / "outside"
    bad_audit = tmp_path / "audit.json"
    bad_audit.write_text('{"volume": []}', encoding="utf-8")
    not_json = tmp_path / "audit.txt"
    not_json.write_text("</script>", encoding="utf-8")
    names = {"outside": outside, "bad_audit": bad_audit, "not_json": not_json}
    args = [arg.format(**names) for arg in args]
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    cwd = os.getcwd()
    os.chdir(shop.root)
    try:
        result = run(shop, *args)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.count("Error:") == 1
    assert "Traceback" not in result.output
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if ".logs" not in p.parts)
    assert after == [p for p in before if ".logs" not in p.parts]
    assert not (shop.root / "artifacts" / "docs").exists()


# -- hostile names -------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_hostile_names_are_text_in_html(hostile):
    assert run(hostile).exit_code == 0
    folder = hostile.root / "artifacts" / "docs"
    page = next((folder / "events" / "segment" / "hostile").glob("*.html"))
    for html in (page, folder / "index.html", folder / "properties.html"):
        parser = _Tags()
        parser.feed(html.read_text(encoding="utf-8"))
        tags = {tag for tag, _ in parser.tags}
        assert "img" not in tags, html
        scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
        assert all(set(attrs) == {"src"} for attrs in scripts), scripts  # only our files
        assert not any(k.startswith("on") for _, attrs in parser.tags for k in attrs)
        shown = "".join(parser.text)
        assert display_text(HOSTILE_NAME) in shown  # the bidi override shown as \u202e
        assert "\u202e" not in shown
    data = (folder / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert "<" not in data and "\u2028" not in data
    prefix = data.split("\n", 1)[1]
    assert prefix.startswith("window.REFLEKT_INDEX = ") and prefix.endswith(";\n")
    index = json.loads(prefix.removeprefix("window.REFLEKT_INDEX = ").removesuffix(";\n"))
    assert index["events"][0][0] == display_text(HOSTILE_NAME)


KEY_LINE = re.compile(rb"^<!-- reflekt docs page: [0-9a-f]{32} [0-9a-f]{32} -->$", re.MULTILINE)


def _unkeyed(data: bytes) -> bytes:
    lines = data.split(b"\n")
    if len(lines) > 1 and KEY_LINE.match(lines[1]):
        lines[1] = b"<!-- reflekt docs page: KEY -->"
    return b"\n".join(lines)


def test_hostile_markdown_matches_the_golden_files(hostile):
    """REFLEKT_UPDATE_GOLDEN=1 rewrites the golden files."""
    assert run(hostile, "--format", "markdown").exit_code == 0
    made = files_under(hostile.root / "artifacts" / "docs-md")
    assert f"events/segment/hostile/{hostile_folder()}.md" in made
    # Golden names: the event page under a fixed name (its folder is the escaped name); its
    # key line (digests of its inputs, Reflekt's templates among them) as a placeholder.
    renamed = {
        ("events/hostile-event.md" if path.startswith("events/") else path): _unkeyed(data)
        for path, data in made.items()
    }
    if os.environ.get("REFLEKT_UPDATE_GOLDEN"):
        for path, data in renamed.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_bytes(data)
    assert renamed == files_under(GOLDEN)
    page = renamed["events/hostile-event.md"].decode()
    for row in (line for line in page.splitlines() if line.startswith("| ")):
        # every table row keeps its cells: no unescaped pipe splits one
        unescaped = row.replace("\\|", "").count("|")
        assert unescaped == row.split("\n")[0].replace("\\|", "").count("|")
    assert "<img" not in page.split("```json")[0]
    assert "<script" not in page.split("```json")[0]
    assert "{{" not in page.split("```json")[0]


def test_markdown_rebuild_is_byte_identical(shop):
    assert run(shop, "--format", "markdown").exit_code == 0
    folder = shop.root / "artifacts" / "docs-md"
    before = files_under(folder)
    again = run(shop, "--format", "markdown")
    assert "(0 new, 0 changed," in again.output
    assert files_under(folder) == before
    assert set(before) == {
        "index.md",
        "properties.md",
        "events/segment/ecommerce/Cart_Viewed.md",
        "events/segment/ecommerce/Order_Completed.md",
        "events/segment/marketing/Email_Clicked.md",
        "events/segment/marketing/Email_Opened.md",
    }


# -- audit and dbt -------------------------------------------------------------------------------


def test_with_audit_shows_rates_last_seen_and_volume(shop, tmp_path):
    report = {
        "source": "duckdb.warehouse.segment_prod",
        "since": "2025-01-01 00:00:00",
        "until": "2025-01-08 00:00:00",
        "events": 4,
        "audited": ["segment/ecommerce/Cart_Viewed/2-0.json"],
        "tables": 1,
        "queries": 1,
        "summary": {"errors": 1, "warnings": 0},
        "findings": [
            {
                "code": "RA202",
                "rule": "value-not-allowed",
                "severity": "error",
                "event": "Cart Viewed",
                "table": "cart_viewed",
                "schema_id": "segment/ecommerce/Cart_Viewed/2-0.json",
                "column": "currency",
                "property": "currency",
                "message": "2 rows with a currency outside the enum",
                "violating": 2,
                "checked": 400,
                "rate": 0.005,
                "first_seen": "2025-01-02 09:00:00",
                "last_seen": "2025-01-07 18:30:00",
                "samples": ["usd"],
                "suggestion": "",
                "page": "",
            }
        ],
        "volume": [
            {
                "table": "cart_viewed",
                "event": "Cart Viewed",
                "page": "",
                "rows": 400,
                "previous_rows": 380,
                "first_seen": "2025-01-01 00:10:00",
                "last_seen": "2025-01-07 23:50:00",
                "daily": [],
            }
        ],
    }
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    assert run(shop, "--with-audit", str(path)).exit_code == 0
    page = (
        shop.root / "artifacts" / "docs" / "events" / "segment" / "ecommerce" / "Cart_Viewed.html"
    ).read_text(encoding="utf-8")
    assert "Data quality" in page
    assert "0.50%" in page and "2 of 400" in page and "2025-01-07 18:30:00" in page
    assert "400 (window before: 380)" in page
    other = (
        shop.root
        / "artifacts"
        / "docs"
        / "events"
        / "segment"
        / "ecommerce"
        / "Order_Completed.html"
    ).read_text(encoding="utf-8")
    assert "Not in the audit report." in other


def test_event_page_names_the_dbt_model_and_its_columns(shop):
    """The package of a real build (the pure builder, applied by the writer)."""
    from reflekt.core.build.dbt import build_package
    from reflekt.core.build.events import EventSchema
    from reflekt.core.build.writer import apply_plan, plan_package
    from reflekt.core.project import load_project
    from reflekt.core.warehouse import SchemaColumns, SourceArg, WarehouseColumn

    project = load_project(shop.root)
    schemas = [
        EventSchema.from_body(
            f"segment/ecommerce/Cart_Viewed/{v}.json",
            shop.read_json(f"schemas/segment/ecommerce/Cart_Viewed/{v}.json"),
        )
        for v in ("1-0", "1-1", "2-0")
    ]
    columns = SchemaColumns(
        "segment_prod",
        {
            "cart_viewed": tuple(
                WarehouseColumn(name, kind)
                for name, kind in (
                    ("id", "VARCHAR"),
                    ("received_at", "TIMESTAMP"),
                    ("cart_id", "VARCHAR"),
                    ("currency", "VARCHAR"),
                )
            )
        },
    )
    package = build_package(
        project_name=project.name,
        config=project.dbt,
        schemas=schemas,
        columns=columns,
        source=SourceArg("duckdb", "warehouse", "segment_prod"),
        source_type="duckdb",
        build_tracks=False,
    )
    package_dir = project.artifacts_dir / "dbt" / package.package_name
    ids = {s.schema_id for s in schemas}
    plan = plan_package(package_dir, package, selected_ids=ids, existing_ids=ids, full_build=True)
    apply_plan(plan, project_root=project.root)
    assert run(shop).exit_code == 0
    page = (
        shop.root / "artifacts" / "docs" / "events" / "segment" / "ecommerce" / "Cart_Viewed.html"
    ).read_text(encoding="utf-8")
    assert "stg_segment_prod__cart_viewed" in page
    assert "<code>currency</code>" in page
    assert "none yet" in (
        shop.root
        / "artifacts"
        / "docs"
        / "events"
        / "segment"
        / "ecommerce"
        / "Order_Completed.html"
    ).read_text(encoding="utf-8")


def test_a_rebuild_renders_only_what_changed_and_restores_edited_pages(shop):
    """Unchanged events' pages are reused (their key line matches); a page edited below
    its header is rendered again and overwritten; a changed schema rewrites its own page."""
    folder = shop.root / "artifacts" / "docs"
    assert run(shop).exit_code == 0
    cart = folder / "events" / "segment" / "ecommerce" / "Cart_Viewed.html"
    original = cart.read_text(encoding="utf-8")
    head, body = original.split("\n", 2)[:2], original.split("\n", 2)[2]
    cart.write_text("\n".join([*head, body.replace("Cart Viewed", "Hacked")]), encoding="utf-8")
    shop.add_schema(
        "segment/ecommerce/Order_Completed/1-0",
        {"order_id": {"type": "string", "description": "The order."}},
        required=["order_id"],
        metadata={"code_owner": "checkout"},
        description="A user completed an order (new words).",
    )
    result = run(shop)
    assert result.exit_code == 0, result.output
    assert cart.read_text(encoding="utf-8") == original
    assert "(0 new, 5 changed," in result.output  # the two pages, index, search data, props
    order = (folder / "events" / "segment" / "ecommerce" / "Order_Completed.html").read_text(
        encoding="utf-8"
    )
    assert "(new words)" in order


def test_an_out_folder_that_is_a_symlink_out_of_the_project_is_refused(shop, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (shop.root / "site").symlink_to(elsewhere, target_is_directory=True)
    result = run(shop, "--out", "site")
    assert result.exit_code == 2, result.output
    assert "symlink" in result.output
    assert list(elsewhere.iterdir()) == []
    fifo = shop.root / "artifacts" / "docs" / "notes.html"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)  # never read (it would hang), never removed: not a generated file
    result = run(shop)
    assert result.exit_code == 0, result.output
    assert fifo.exists() and not fifo.is_file()


def test_dry_run_lists_the_files_and_writes_nothing(shop):
    result = run(shop, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: files that would change in artifacts/docs/" in result.output
    assert "  + index.html" in result.output
    assert "Would build the docs (html) of 4 event(s)" in result.output
    assert not (shop.root / "artifacts" / "docs").exists()
