"""`reflekt demo`: lays out the e-commerce demo, lints clean, refreshes without losing files."""

from __future__ import annotations

from pathlib import Path

import pytest

from reflekt.core.errors import ConfigError
from reflekt.core.lint import lint_project
from reflekt.core.project import load_project
from reflekt.demo.layout import lay_out_demo


def test_demo_project_lints_clean(tmp_path: Path) -> None:
    layout = lay_out_demo(tmp_path / "demo")
    project = load_project(layout.root)
    report = lint_project(project)
    assert report.schemas >= 25
    assert report.errors == 0 and report.warnings == 0, report.findings
    events = {
        p.parent.name for p in project.schemas_dir.rglob("*.json") if ".reflekt" not in p.parts
    }
    assert {"Products_Searched", "Order_Completed", "Cart_Viewed", "Identify", "Page"} <= events


def test_refresh_restores_demo_files_and_keeps_the_users(tmp_path: Path) -> None:
    root = lay_out_demo(tmp_path / "demo").root
    cart = root / "schemas/segment/ecommerce/Cart_Viewed/1-0.json"
    original = cart.read_text()
    cart.write_text("{broken")
    mine = root / "schemas/segment/ecommerce/My_Event/1-0.json"
    mine.parent.mkdir()
    mine.write_text("{}")
    layout = lay_out_demo(root)
    assert layout.refreshed and layout.updated == 1 and layout.created == 0
    assert cart.read_text() == original
    assert mine.read_text() == "{}"


def test_demo_never_writes_into_another_project_or_folder(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "reflekt_project.yml").write_text("name: mine\ndefault_profile: dev\n")
    with pytest.raises(ConfigError, match="another Reflekt project"):
        lay_out_demo(other)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="not empty"):
        lay_out_demo(busy)
    assert sorted(p.name for p in busy.iterdir()) == ["notes.txt"]
