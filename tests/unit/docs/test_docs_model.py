"""The catalog model: changelog from the diff core, properties tables, property conflicts,
facets, pages and audit figures, through `build_docs()` on a real project."""

from __future__ import annotations

from reflekt.core.build.events import EventSchema
from reflekt.core.diff import DiffSettings, diff_schemas
from reflekt.core.docs.model import (
    AuditData,
    DbtModel,
    SchemaFile,
    audit_figures,
    catalog,
    page_paths,
    property_rows,
)
from reflekt.core.docs.pipeline import build_docs
from reflekt.core.project import load_project


def _catalog(project, **kwargs):
    return build_docs(load_project(project.root), dry_run=True, **kwargs).catalog


def _event(catalog, key):
    [event] = [event for event in catalog.events if event.key == key]
    return event


def test_changelog_is_the_diff_cores_between_consecutive_versions(shop):
    event = _event(_catalog(shop), "segment/ecommerce/Cart_Viewed")
    assert [v.version for v in event.versions] == ["2-0", "1-1", "1-0"]
    newest, middle, first = event.versions
    assert first.previous is None and first.changes == ()
    assert middle.previous == "1-0" and newest.previous == "1-1"
    bodies = {
        version: shop.read_json(f"schemas/segment/ecommerce/Cart_Viewed/{version}.json")
        for version in ("1-0", "1-1", "2-0")
    }
    expected = diff_schemas(bodies["1-1"], bodies["2-0"], DiffSettings())
    assert [(c.code, c.change_class, c.path) for c in newest.changes] == [
        (c.code, c.change_class, c.path) for c in expected
    ]
    codes = {c.code: c.change_class for c in newest.changes}
    assert codes["PROPERTY_ADDED_REQUIRED"] == "MAJOR"  # currency
    assert newest.change_class == "MAJOR"
    assert ("PROPERTY_ADDED_OPTIONAL", "MINOR", "coupon") in {
        (c.code, c.change_class, c.path) for c in middle.changes
    }
    assert middle.change_class == "MINOR"


def test_properties_table_indents_nested_items_with_their_rules(shop):
    event = _event(_catalog(shop), "segment/ecommerce/Cart_Viewed")
    rows = {row.path: row for row in event.versions[-1].properties}  # 1-0
    assert list(rows) == ["cart_id", "products", "products[].sku", "products[].price"]
    assert rows["cart_id"].required and rows["cart_id"].depth == 0
    assert rows["products[].sku"].depth == 1 and rows["products[].sku"].required
    assert not rows["products[].price"].required
    assert rows["products[].price"].bounds == ("≥ 0",)
    newest = {row.path: row for row in event.newest.properties}
    assert newest["currency"].values == ('"USD"', '"EUR"')


def test_properties_table_of_scalar_arrays_and_deep_nesting():
    rows = property_rows(
        {
            "tags": {"type": "array", "items": {"type": "string"}},
            "a": {"type": "object", "properties": {"b": {"type": ["string", "null"]}}},
        },
        ["tags"],
    )
    assert [(r.path, r.type_text, r.depth) for r in rows] == [
        ("tags", "array<string>", 0),
        ("a", "object", 0),
        ("a.b", "string | null", 1),
    ]
    deep: dict = {"type": "object"}
    node = deep
    for _ in range(100):
        child: dict = {"type": "object"}
        node["properties"] = {"x": child}
        node = child
    assert len(property_rows({"root": deep}, [])) == 32  # cut at MAX_DEPTH, no recursion error


def test_property_index_flags_conflicting_types_and_descriptions(shop):
    catalog = _catalog(shop)
    entries = {entry.path: entry for entry in catalog.properties}
    cart_id = entries["cart_id"]
    assert cart_id.types == ("integer", "string")
    assert cart_id.type_conflict and cart_id.description_conflict
    assert {use.event for use in cart_id.uses} == {
        "segment/ecommerce/Cart_Viewed",
        "segment/ecommerce/Order_Completed",
    }
    assert not entries["campaign"].type_conflict
    assert not entries["campaign"].description_conflict


def test_facets_owners_and_status(shop):
    catalog = _catalog(shop)
    assert catalog.facets["plan"] == {"segment/ecommerce": 2, "segment/marketing": 2}
    assert catalog.facets["owner"] == {"checkout": 1, "growth": 1, "marketing": 2}
    assert _event(catalog, "segment/marketing/Email_Opened").status == ("deprecated",)
    assert "errors" in _event(catalog, "segment/marketing/Email_Clicked").status
    clicked = _event(catalog, "segment/marketing/Email_Clicked").newest
    assert any(line.rule == "RF311" for line in clicked.lint)
    assert _event(catalog, "segment/ecommerce/Order_Completed").status == ("clean",)
    assert catalog.schema_count == 6


def test_a_selection_documents_every_version_of_its_events(shop):
    catalog = _catalog(shop, selects=["segment/ecommerce/Cart_Viewed/1-1"])
    [event] = catalog.events
    assert [v.version for v in event.versions] == ["2-0", "1-1", "1-0"]


def test_pages_are_distinct_on_case_folding_file_systems():
    pages = page_paths(["segment/p/Cart", "segment/p/cart", "segment/p/a\nb"])
    assert len(set(pages.values())) == 3
    assert pages["segment/p/Cart"] == "events/segment/p/Cart"
    assert pages["segment/p/cart"] == "events/segment/p/cart~2"
    assert "\n" not in pages["segment/p/a\nb"]


def test_audit_figures_by_schema_id_then_event_name():
    audit = AuditData(
        source="duckdb.warehouse.segment_prod",
        since="2025-01-01 00:00:00",
        until="2025-01-08 00:00:00",
        audited=frozenset({"segment/shop/Cart_Viewed/1-1.json"}),
        findings=(
            {
                "code": "RA202",
                "rule": "value-not-allowed",
                "severity": "error",
                "schema_id": "segment/shop/Cart_Viewed/1-1.json",
                "message": "bad currency",
                "violating": 2,
                "checked": 100,
                "rate": 0.02,
                "last_seen": "2025-01-07 10:00:00",
            },
            {"code": "RA201", "schema_id": "segment/shop/Other/1-0.json", "event": "Other"},
        ),
        volume=({"table": "cart_viewed", "event": "Cart Viewed", "rows": 100},),
    )
    figures = audit_figures(
        audit,
        ["segment/shop/Cart_Viewed/1-0.json", "segment/shop/Cart_Viewed/1-1.json"],
        "Cart Viewed",
        "cart_viewed",
    )
    assert figures.audited
    assert [(f.code, f.violating, f.checked, f.rate) for f in figures.findings] == [
        ("RA202", 2, 100, 0.02)
    ]
    assert figures.volume is not None and figures.volume.rows == 100


def _many_events(make_project):
    """A project of FORK_ABOVE + 1 events: enough for the CLI's forked render."""
    from reflekt.core.docs.render import FORK_ABOVE
    from reflekt.core.schemas import dump_schema, new_schema_body

    project = make_project(name="many")
    for index in range(FORK_ABOVE + 1):
        schema_id = f"segment/plan/Event_{index:04d}/1-0.json"
        body = new_schema_body(
            schema_id,
            vendor="com.example",
            name=f"Event {index:04d}",
            version="1-0",
            description=f"Event number {index}.",
            properties={"value": {"type": "integer", "description": "A value."}},
        )
        path = project.schemas_dir / schema_id
        path.parent.mkdir(parents=True)
        path.write_text(dump_schema(body), encoding="utf-8")
    return project


def _without_key_line(path):  # (its inputs name the folder, as the footer does)
    lines = path.read_text(encoding="utf-8").split("\n")
    return "\n".join(line for line in lines if "reflekt docs page:" not in line)


def test_pages_rendered_in_forked_workers_are_the_same(make_project):
    """Past FORK_ABOVE events the CLI renders pages in forked workers: same bytes."""
    from reflekt.core.docs.render import FORK_ABOVE

    project = _many_events(make_project)
    loaded = load_project(project.root)
    alone = build_docs(loaded, out="site-1", fmt="markdown", jobs=1)
    forked = build_docs(loaded, out="site-2", fmt="markdown", jobs=2)
    assert len(forked.plan.new) == FORK_ABOVE + 3
    one, two = project.root / "site-1", project.root / "site-2"
    for rel in alone.plan.new:
        assert _without_key_line(one / rel).replace("site-1", "site-2") == _without_key_line(
            two / rel
        ), rel


def test_a_forked_html_site_is_the_same_and_a_rebuild_reuses_its_pages(make_project):
    """The forked HTML build (workers and this process each rendering a share, the index
    rendered meanwhile, a new page's key made with it) writes the single-process site, and
    the next build finds every page's key as it computes it: nothing is rewritten."""
    from reflekt.core.docs.render import FORK_ABOVE

    project = _many_events(make_project)
    loaded = load_project(project.root)
    alone = build_docs(loaded, out="site-1", jobs=1)
    forked = build_docs(loaded, out="site-2", jobs=2)
    assert sorted(forked.plan.new) == sorted(alone.plan.new)
    assert len(forked.plan.new) == FORK_ABOVE + 1 + 6  # index, properties, data, css, js, .nojekyll
    one, two = project.root / "site-1", project.root / "site-2"
    for rel in alone.plan.new:
        assert _without_key_line(one / rel).replace("site-1", "site-2") == _without_key_line(
            two / rel
        ), rel
    again = build_docs(loaded, out="site-2", jobs=2)
    assert not again.plan.writes
    assert len(again.plan.unchanged) == len(forked.plan.new)


def _file(schema_id: str, name: str) -> SchemaFile:
    body = {"self": {"name": name, "version": "1-0"}, "type": "object", "properties": {}}
    return SchemaFile(EventSchema.from_body(schema_id, body), body, "{}")


def test_an_event_without_a_model_lands_as_the_packages_sdk_names_it():
    """The package's models name RudderStack: an event it has no model for (its table was
    missing) is named by RudderStack's rule too (`Order` -> `_order`), and the audit's volume
    of that table is its own; with no package, Segment's (`order`)."""
    files = [
        _file("segment/shop/Order/1-0.json", "Order"),
        _file("segment/shop/Cart_Viewed/1-0.json", "Cart Viewed"),
    ]
    cart = DbtModel(
        "stg_rudder__cart_viewed",
        "artifacts/dbt/shop/models/rudder/_stg_rudder__cart_viewed.yml",
        sdk="rudderstack",
        call="track",
        table="cart_viewed",
    )
    audit = AuditData("wh.db.rudder", "", "", frozenset(), (), ({"table": "_order", "rows": 7},))
    made = catalog("shop", files, models={"segment/shop/Cart_Viewed/1-0.json": cart}, audit=audit)
    order = _event(made, "segment/shop/Order")
    assert (order.landing.sdk_label, order.landing.call, order.landing.table) == (
        "RudderStack",
        "track",
        "_order",
    )
    assert order.landing.model is None
    assert order.audit is not None and order.audit.volume is not None
    assert order.audit.volume.rows == 7
    assert _event(made, "segment/shop/Cart_Viewed").landing.model == cart

    alone = _event(catalog("shop", files, audit=audit), "segment/shop/Order")
    assert (alone.landing.sdk_label, alone.landing.table) == ("Segment", "order")
    assert alone.audit is not None and alone.audit.volume is None
