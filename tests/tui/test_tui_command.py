"""`reflekt tui` as a command: its options, and that it stays light until it runs."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from reflekt.cli import cli


def test_tui_help_lists_its_options():
    result = CliRunner().invoke(cli, ["tui", "--help"])
    assert result.exit_code == 0, result.output
    assert "--project-dir" in result.output
    assert "--profile" in result.output


def test_the_command_module_does_not_import_textual():
    code = "import sys, reflekt.commands.tui, reflekt.cli; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
