"""Helpers of the migrate tests: a reflekt 0.6 project in git, the CLI, snapshots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "registries"))
sys.path.insert(0, str(HERE))

from click.testing import CliRunner  # noqa: E402
from project06 import profiles_yml_06, write_project_06  # noqa: E402
from registry_fakes import AVO_ACCOUNT, SEGMENT_TOKEN, FakeAvo, FakeSegment  # noqa: E402

from reflekt.cli import cli  # noqa: E402


@dataclass
class Project06:
    root: Path
    segment: FakeSegment
    avo: FakeAvo
    db_path: Path
    pre_commit: str  # the commit holding the 0.6 layout

    def git(self, *args: str) -> str:
        return git(self.root, *args)


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, env=env
    )
    return done.stdout


def lay_out(root: Path, segment_url: str, avo_url: str) -> Path:
    """The 0.6 project at `root`, committed; returns the DuckDB path its profile names."""
    db_path = root.parent / "wh.duckdb"
    write_project_06(
        root, profiles_yml_06(segment_url, avo_url, db_path, SEGMENT_TOKEN, AVO_ACCOUNT)
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "reflekt 0.6 project")
    return db_path


FOLDERS = ("--folder", "ecommerce=segment", "--folder", "marketing=segment")
REGISTRY_OF = {"ecommerce": "segment", "marketing": "segment", "main": "avo", "staging": "avo"}

# What 0.6's lint reported on the fixture (reference section 4), by content: the schema
# (without registry level), the check, the property. `lint: false` hid the rest.
FINDINGS_06 = {
    ("ecommerce/Order_Completed/1-0", "property-casing", "couponCode"),
    ("ecommerce/Order_Completed/1-0", "property-description", "total"),
    ("marketing/Promo_Clicked/1-0", "meta-schema", None),
}


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(root)])


def snapshot(root: Path) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in (".logs", ".reflekt_cache", ".git"):
            continue
        found[rel] = None if path.is_dir() else path.read_bytes()
    return found


def migrated(project: Project06) -> str:
    result = invoke(project.root, "migrate", *FOLDERS)
    assert result.exit_code == 0, result.output
    return result.output


def lint_content(root: Path) -> set[tuple[str, str, str | None]]:
    result = invoke(root, "lint", "--format", "json", "--no-cache")
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.stdout)["findings"]
    return {
        (f["schema_id"].split("/", 1)[1].removesuffix(".json"), f["rule_name"], f["property"])
        for f in findings
    }
