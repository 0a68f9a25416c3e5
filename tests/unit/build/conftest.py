"""Helpers of the builder unit tests: render a generated model the way dbt would, in DuckDB."""

from __future__ import annotations

from types import SimpleNamespace

import pytest


def render_model(sql: str, schema: str = "segment_prod") -> str:
    """Render a generated model's Jinja with a DuckDB stand-in for dbt's context."""
    import jinja2

    context = {
        "config": lambda **kwargs: "",
        "source": lambda source_name, table: f'"{schema}"."{table}"',
        "adapter": SimpleNamespace(quote=lambda name: '"' + name.replace('"', '""') + '"'),
        "dbt": SimpleNamespace(type_string=lambda: "varchar"),
    }
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(sql).render(context)


@pytest.fixture(scope="session")
def render():
    return render_model
