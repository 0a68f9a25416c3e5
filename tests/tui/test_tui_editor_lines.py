"""`editor_command(..., line=, column=)`: each editor family is told the finding's place."""

from __future__ import annotations

from pathlib import Path

import pytest

from reflekt.tui.editor import EditorError, editor_command


def _editor(tmp_path: Path, name: str) -> str:
    """An executable named like a real editor (what `shutil.which` needs)."""
    path = tmp_path / "bin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("nvim", ["+12", "{file}"]),
        ("vim", ["+12", "{file}"]),
        ("nano", ["+12,5", "{file}"]),
        ("emacs", ["+12:5", "{file}"]),
        ("code", ["--goto", "{file}:12:5"]),
        ("subl", ["{file}:12:5"]),
        ("ed", ["{file}"]),  # unknown: just the file
    ],
)
def test_each_editor_opens_at_the_line(tmp_path: Path, name: str, expected: list[str]) -> None:
    file = tmp_path / "schemas" / "1-0.json"
    editor = _editor(tmp_path, name)
    command = editor_command(file, {"EDITOR": f"{editor} --wait"}, line=12, column=5)
    assert command == [editor, "--wait", *(part.format(file=file) for part in expected)]


def test_without_a_line_it_is_just_the_file(tmp_path: Path) -> None:
    editor = _editor(tmp_path, "nvim")
    file = tmp_path / "1-0.json"
    assert editor_command(file, {"EDITOR": editor}) == [editor, str(file)]
    assert editor_command(file, {"EDITOR": editor}, line=3) == [editor, "+3", str(file)]


def test_an_empty_editor_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EditorError, match=r"\$EDITOR is empty"):
        editor_command(tmp_path / "1-0.json", {"EDITOR": "  "})
