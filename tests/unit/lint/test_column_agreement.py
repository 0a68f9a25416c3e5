"""Lint's column-collision rule (RF314) and the dbt build name warehouse columns alike.

Both use `reflekt.core.platforms.segment.snake_case` (the one implementation of Segment's column
naming): whatever the property names, RF314 reports a collision exactly when the build would
write two properties to the same column.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reflekt.core.build.segment import flatten_properties
from reflekt.core.lint import lint_documents
from reflekt.core.project import load_project
from reflekt.core.schemas import (
    SchemaDocument,
    dump_schema,
    new_schema_body,
    parse_schema_text,
    relative_id,
)

SCHEMA_ID = "segment/shop/Cart_Viewed/1-0.json"
names = st.from_regex(r"[A-Za-z][A-Za-z0-9_ \-]{0,8}", fullmatch=True)
leaf = st.just({"type": "string", "description": "x"})
nested = st.dictionaries(names, leaf, min_size=1, max_size=3).map(
    lambda props: {"type": "object", "description": "x", "properties": props}
)
properties = st.dictionaries(names, st.one_of(leaf, nested), min_size=1, max_size=5)


def build_collides(props: dict) -> bool:
    columns = Counter(column.column for column in flatten_properties(props))
    return any(count > 1 for count in columns.values())


def lint_properties(project, props: dict) -> list:
    """Lint one in-memory schema holding `props`; its findings."""
    body = new_schema_body(
        SCHEMA_ID, vendor="v", name="Cart Viewed", version="1-0", description="d", properties=props
    )
    text = dump_schema(body)
    path = project.schemas_dir / SCHEMA_ID
    parsed, problems = parse_schema_text(text)
    doc = SchemaDocument(path, relative_id(path, project.schemas_dir), text, parsed, problems)
    return lint_documents(project, [doc], read_sibling=lambda _: doc).findings


@pytest.fixture
def project(make_project):
    return load_project(make_project().root)


# The project is only read: sharing it between examples is safe.
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(props=properties)
def test_rf314_agrees_with_the_build(project, props):
    findings = lint_properties(project, props)
    lint_collides = any(f.rule == "RF314" for f in findings)
    assert lint_collides == build_collides(props), (props, findings)


def test_rf314_ignores_an_object_that_only_has_leaf_columns(project):
    """`x` (an object with properties) writes `x_a`, not `x`: no clash with `X`."""
    props = {
        "X": {"type": "string", "description": "x"},
        "x": {"type": "object", "description": "x", "properties": {"a": {"type": "string"}}},
    }
    assert not build_collides(props)
    findings = lint_properties(project, props)
    assert [f for f in findings if f.rule == "RF314"] == []
    assert [f.property for f in findings if f.rule == "RF311"] == ["X"], "still a casing error"
