"""Fixtures for the lint tests: a real project on disk, configurable conventions, lint runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from reflekt.core.lint import Finding, LintReport, lint_project
from reflekt.core.project import load_project

GOOD_PROPS = {"cart_id": {"type": "string", "description": "The cart."}}


class LintProject:
    """A project (from the shared `make_project` fixture) plus lint helpers."""

    def __init__(self, builder: Any) -> None:
        self.builder = builder
        self.root: Path = builder.root
        self.schemas_dir: Path = builder.schemas_dir

    def add(self, schema_id: str, properties: dict | None = None, **kwargs: Any) -> Path:
        return self.builder.add_schema(schema_id, properties, **kwargs)

    def write(self, schema_id: str, text: str) -> Path:
        """Write raw text as a schema file at schemas/<schema_id>."""
        return self.builder.write_raw(f"schemas/{schema_id}", text)

    def configure(
        self,
        *,
        event: dict | None = None,
        prop: dict | None = None,
        data_types: list[str] | None = None,
        rules: dict[str, str] | None = None,
    ) -> None:
        """Rewrite reflekt_project.yml with these conventions and lint rule overrides."""
        conventions: dict[str, Any] = {
            "event": {"casing": "title", "numbers": False, "reserved": [], **(event or {})},
            "property": {"casing": "snake", "numbers": False, "reserved": [], **(prop or {})},
        }
        if data_types is not None:
            conventions["data_types"] = data_types
        config: dict[str, Any] = {
            "version": 1.0,
            "name": "test_project",
            "vendor": "com.example",
            "default_profile": "dev",
            "profiles_path": "reflekt_profiles.yml",
            "schemas": {"conventions": conventions},
        }
        if rules is not None:
            config["lint"] = {"rules": rules}
        self.builder.set_config(yaml.safe_dump(config, sort_keys=False))

    def lint(self, *paths: str) -> LintReport:
        """Lint every schema, or the given schema ids."""
        project = load_project(self.root)
        selected = [self.schemas_dir / p for p in paths] if paths else None
        return lint_project(project, selected)

    def findings(self, code: str, *paths: str) -> list[Finding]:
        return [f for f in self.lint(*paths).findings if f.rule == code]


@pytest.fixture
def proj(make_project) -> LintProject:
    return LintProject(make_project())
