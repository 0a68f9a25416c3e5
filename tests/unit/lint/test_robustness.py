"""No rule crashes on any JSON body: every problem is a finding, never an exception."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reflekt.core.lint import lint_documents
from reflekt.core.project import load_project
from reflekt.core.schemas import SchemaDocument, SchemaId

SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(
    ["type", "description", "properties", "items", "required", "anyOf", "oneOf", "self", "$id"]
)
SCHEMA_LIKE = st.recursive(
    JSON,
    lambda children: st.dictionaries(KEYS | st.text(max_size=6), children, max_size=5),
    max_leaves=30,
)
BODIES = st.fixed_dictionaries(
    {},
    optional={
        "$id": JSON,
        "description": JSON,
        "self": st.fixed_dictionaries({}, optional={"name": JSON, "version": JSON}) | JSON,
        "properties": st.dictionaries(st.text(max_size=10), SCHEMA_LIKE, max_size=5) | JSON,
        "required": st.lists(JSON, max_size=3) | JSON,
        "items": SCHEMA_LIKE,
    },
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES)
def test_no_rule_crashes_on_any_body(proj, body):
    project = load_project(proj.root)
    schema_id = "segment/shop/Cart_Viewed/1-0.json"
    text = json.dumps(body, indent=2)
    doc = SchemaDocument(project.schemas_dir / schema_id, SchemaId(schema_id), text, body)

    report = lint_documents(project, [doc])

    crashed = [f for f in report.findings if "could not check" in f.message]
    assert crashed == []
    assert all(f.line is None or f.line >= 1 for f in report.findings)
