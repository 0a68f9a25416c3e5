"""`reflekt --help`: the summary names every registry a profile can point at."""

from __future__ import annotations

from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core.profiles import REGISTRY_TYPES

NAMES = {"segment": "Segment", "avo": "Avo", "iglu": "Iglu"}


def test_the_summary_names_every_registry_type():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:] if line[:2] == "  "}
    text = " ".join(result.output.split())
    for kind in REGISTRY_TYPES:
        assert NAMES[kind] in lines["pull"], lines["pull"]
    assert "pull and push them (Segment, Avo, Iglu)" in text
    assert "Iglu" in lines["push"] and "Avo" not in lines["push"]  # Avo is edited in Avo
