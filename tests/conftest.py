"""Fixtures shared by every test area. Area fixtures live in each folder's own conftest.py."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reflekt.core.scaffold import NewProject, create_project
from reflekt.core.schemas import dump_schema, new_schema_body


def pytest_configure(config: pytest.Config) -> None:
    """Tests interrupt subprocesses with SIGINT (Ctrl-C: exit 130, nothing left behind). A
    shell starting the suite in the background sets SIGINT to ignored, and an ignored signal
    stays ignored in every child: the interrupted command would then hang at its pause. A
    handler (unlike SIG_IGN) is reset to the default in each child, so install Python's."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


class ProjectBuilder:
    """A real project on disk in a temp folder, with helpers to add schemas and profiles."""

    def __init__(self, root: Path, vendor: str = "com.example") -> None:
        self.root = root
        self.vendor = vendor
        self.profiles_path = root / "reflekt_profiles.yml"

    @property
    def schemas_dir(self) -> Path:
        return self.root / "schemas"

    def add_schema(
        self,
        schema_id: str,
        properties: dict[str, Any] | None = None,
        *,
        required: list[str] | None = None,
        description: str = "An event for the tests.",
        metadata: dict[str, Any] | None = None,
        name: str | None = None,
        **extra: Any,
    ) -> Path:
        """Write a well-formed schema at `schemas/<schema_id>` (`.json` added if missing)."""
        if not schema_id.endswith(".json"):
            schema_id += ".json"
        parts = schema_id.split("/")
        body = new_schema_body(
            schema_id,
            vendor=self.vendor,
            name=name or parts[-2].replace("_", " "),
            version=parts[-1].removesuffix(".json"),
            description=description,
            metadata=metadata,
            properties=properties
            if properties is not None
            else {"cart_id": {"type": "string", "description": "The cart."}},
            required=required,
        )
        body.update(extra)
        path = self.schemas_dir / schema_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_schema(body), encoding="utf-8")
        return path

    def write_raw(self, rel_path: str, text: str) -> Path:
        """Write any text at a path relative to the project root."""
        path = self.root / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def write_profiles(self, profiles: dict[str, Any] | str) -> Path:
        """Write reflekt_profiles.yml (a dict is dumped as YAML, a str written as is)."""
        import yaml

        text = profiles if isinstance(profiles, str) else yaml.safe_dump(profiles, sort_keys=False)
        self.profiles_path.write_text(text, encoding="utf-8")
        return self.profiles_path

    def set_config(self, text: str) -> Path:
        """Replace reflekt_project.yml."""
        return self.write_raw("reflekt_project.yml", text)

    def read_json(self, rel_path: str) -> Any:
        return json.loads((self.root / rel_path).read_text(encoding="utf-8"))


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., ProjectBuilder]:
    """Factory: `make_project()` creates a fresh project (title events, snake properties).

    The profiles file is `<root>/reflekt_profiles.yml` with an empty profile `dev`.
    """

    def factory(name: str = "test_project", folder: str = "project") -> ProjectBuilder:
        root = tmp_path / folder
        create_project(
            root,
            NewProject(
                name=name, vendor="com.example", profile="dev", profiles_path="reflekt_profiles.yml"
            ),
        )
        return ProjectBuilder(root)

    return factory


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Never read or write the real ~/.reflekt, and no colour codes in captured output."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("REFLEKT_PROFILES_PATH", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return home


@pytest.fixture(scope="session")
def bq_emulator():
    """A running BigQuery emulator (`tests/bqemulator_support.py`), one per test process."""
    pytest.importorskip("google.cloud.bigquery", reason="google-cloud-bigquery not installed")
    from bqemulator_support import EmulatorUnavailable, emulator_python, running_emulator

    try:
        python = emulator_python()
        context = running_emulator(python)
        emulator = context.__enter__()
    except EmulatorUnavailable as error:
        pytest.skip(f"no BigQuery emulator: {error}")
    try:
        yield emulator
    finally:
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def dbt_bigquery_command() -> str:
    """`dbt` with dbt-bigquery, from its own cached venv (`tests/bqemulator_support.py`)."""
    from bqemulator_support import EmulatorUnavailable, dbt_bigquery

    try:
        return str(dbt_bigquery())
    except EmulatorUnavailable as error:
        pytest.skip(f"no dbt-bigquery: {error}")
