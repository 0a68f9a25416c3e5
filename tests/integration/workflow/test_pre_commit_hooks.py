"""The hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit` on a temp git repo.

Why `repo: local`: a `repo: <path>` hook makes pre-commit `pip install` Reflekt and all its
warehouse dependencies into a fresh virtualenv (minutes, not seconds). The local hooks here
are built FROM the manifest (same id, entry, files, stages, pass_filenames; only
`language: system`), so what runs is what the manifest declares; `reflekt` on PATH runs this
worktree's code (PYTHONPATH first).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from workflow_support import commit_all, git, git_env, git_project, make_breaking, make_compatible

WORKTREE = Path(__file__).resolve().parents[3]
MANIFEST = WORKTREE / ".pre-commit-hooks.yaml"

pytestmark = pytest.mark.skipif(
    shutil.which("pre-commit") is None or shutil.which("reflekt") is None,
    reason="needs the pre-commit tool and reflekt on PATH",
)


def _manifest() -> dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}


def test_the_manifest_declares_the_three_hooks():
    hooks = _manifest()
    assert set(hooks) == {"reflekt-lint", "reflekt-diff", "reflekt-code-check"}
    code = hooks["reflekt-code-check"]
    assert code["entry"] == "reflekt build code --check"
    assert code["files"] == r"^schemas/.*\.json$"
    assert code["pass_filenames"] is False
    lint, diff = hooks["reflekt-lint"], hooks["reflekt-diff"]
    assert lint["entry"] == "reflekt lint"
    assert lint["files"] == r"^schemas/.*\.json$"
    assert lint.get("pass_filenames", True) is True
    assert diff["entry"] == "reflekt diff --against git:@{upstream}... --changed"
    assert diff["stages"] == ["pre-push"]
    assert diff["pass_filenames"] is False
    assert {lint["language"], diff["language"]} == {"python"}


def _env(tmp_path: Path) -> dict[str, str]:
    env = git_env()
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(WORKTREE), env.get("PYTHONPATH")]))
    return env


def _run(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, check=False)


def _said(result: subprocess.CompletedProcess[str]) -> str:
    return " ".join((result.stdout + result.stderr).split())


@pytest.fixture
def repo(make_project, tmp_path):
    """A project repo with pre-commit installed for both stages and a bare remote."""
    project = git_project(make_project)
    hooks = []
    for hook in _manifest().values():
        local = {key: value for key, value in hook.items() if key != "description"}
        local["language"] = "system"
        if hook["id"] == "reflekt-code-check":
            local["args"] = ["--lang", "python", "--out", "app/tracking"]
        hooks.append(local)
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    (project.root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    generated = _run(
        project.root,
        _env(tmp_path),
        "reflekt",
        "build",
        "code",
        "--lang",
        "python",
        "--out",
        "app/tracking",
    )
    assert generated.returncode == 0, _said(generated)
    commit_all(project.root, "pre-commit config, generated tracking code")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project.root, "remote", "add", "origin", str(remote))
    git(project.root, "push", "-q", "-u", "origin", "main")
    env = _env(tmp_path)
    installed = _run(
        project.root,
        env,
        "pre-commit",
        "install",
        "--hook-type",
        "pre-commit",
        "--hook-type",
        "pre-push",
    )
    assert installed.returncode == 0, _said(installed)
    return project, env


def test_lint_of_a_staged_bad_schema_blocks_the_commit(repo):
    project, env = repo
    project.add_schema("segment/shop/Bad_Event/1-0", description="")  # RF: no description
    (project.root / "README.md").write_text("# shop\n", encoding="utf-8")
    git(project.root, "add", "-A")
    blocked = _run(project.root, env, "git", "commit", "-m", "a bad schema")
    assert blocked.returncode != 0, _said(blocked)
    said = _said(blocked)
    assert "reflekt lint" in said and "Failed" in said
    assert "schemas/segment/shop/Bad_Event/1-0.json" in said
    assert "Cart_Viewed" not in said  # only the staged schema was linted

    project.add_schema("segment/shop/Bad_Event/1-0", description="An event.")
    git(project.root, "add", "-A")
    stale = _run(project.root, env, "git", "commit", "-m", "a good schema")
    said = _said(stale)
    assert stale.returncode != 0, said  # the generated code lacks the new event
    assert "reflekt build code --check" in said and "added event(s): Bad Event" in said

    _regenerate(project, env)
    fixed = _run(project.root, env, "git", "commit", "-m", "a good schema, its code")
    assert fixed.returncode == 0, _said(fixed)


def _regenerate(project, env) -> None:
    """`reflekt build code` as the code-check hook's args say, then stage everything."""
    regenerated = _run(
        project.root, env, "reflekt", "build", "code", "--lang", "python", "--out", "app/tracking"
    )
    assert regenerated.returncode == 0, _said(regenerated)
    git(project.root, "add", "-A")


def test_a_breaking_change_without_a_bump_blocks_the_push(repo):
    project, env = repo
    make_compatible(project)
    _regenerate(project, env)
    assert _run(project.root, env, "git", "commit", "-m", "coupon").returncode == 0
    clean = _run(project.root, env, "git", "push")
    assert clean.returncode == 0, _said(clean)
    assert "reflekt diff" in _said(clean) and "Passed" in _said(clean)

    make_breaking(project)
    _regenerate(project, env)
    assert _run(project.root, env, "git", "commit", "-m", "required").returncode == 0
    blocked = _run(project.root, env, "git", "push")
    said = _said(blocked)
    assert blocked.returncode != 0, said
    assert "breaking change: this needs 2-0, the file says 1-0" in said
    assert "segment/shop/Cart_Viewed" in said
    assert (
        git(project.root, "rev-parse", "origin/main").stdout
        != git(project.root, "rev-parse", "HEAD").stdout
    )


def test_lint_of_a_staged_schema_checks_the_definitions_it_references(repo):
    """The staged schema's own `$ref` resolves, but the definition file it references has a
    broken reference elsewhere: the lint hook names the definition's file and line."""
    project, env = repo
    common = project.schemas_dir / ".reflekt" / "common" / "money" / "1-0.json"
    common.parent.mkdir(parents=True)
    body = {
        "definitions": {
            "price": {"type": "number", "description": "The price."},
            "old": {"$ref": "common/gone/1-0.json#/definitions/x"},
        }
    }
    common.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "--no-verify", "-m", "a definition, committed unchecked")
    line = next(
        number
        for number, text in enumerate(common.read_text(encoding="utf-8").splitlines(), 1)
        if "common/gone/1-0.json" in text
    )
    project.add_schema(
        "segment/shop/Order_Paid/1-0",
        {"price": {"$ref": "common/money/1-0.json#/definitions/price"}},
    )
    _regenerate(project, env)

    blocked = _run(project.root, env, "git", "commit", "-m", "an event using it")

    said = _said(blocked)
    assert blocked.returncode != 0, said
    assert "reflekt lint" in said and "Failed" in said
    assert f"schemas/.reflekt/common/money/1-0.json {line}:" in said
    assert "RF104" in said and "common/gone/1-0.json" in said
    assert "reflekt build code --check" in said  # the code hook ran, and passed
    assert "Cart_Viewed" not in said
