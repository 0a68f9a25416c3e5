"""action.yml: valid, the documented inputs, and scripts that only use what exists.

The "Run Reflekt" step's script is run for real with bash (inputs at their defaults), so a
flag it passes that `python -m reflekt.ci.github` does not know fails here, not in a workflow.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml
from ci_support import SOURCE_ROOT, github_env

ACTION = Path(SOURCE_ROOT) / "action.yml"
README = Path(SOURCE_ROOT) / "README.md"
INPUTS = {
    "command": "lint",
    "against": "",
    "select": "",
    "format": "github",
    "fail-on": "",
    "python-version": "3.11",
    "version": "",
    "comment": "false",
    "comment-required": "false",
    "token": "${{ github.token }}",
    "working-directory": ".",
}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def _step(name: str) -> dict[str, Any]:
    return next(s for s in _action()["runs"]["steps"] if s.get("name") == name)


def test_is_a_composite_action_with_the_documented_inputs() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert {name: spec.get("default") for name, spec in action["inputs"].items()} == INPUTS
    assert all(spec.get("description") for spec in action["inputs"].values())
    uses = [s["uses"] for s in action["runs"]["steps"] if "uses" in s]
    assert uses == ["actions/setup-python@v5"]


def test_every_expression_names_an_input_that_exists() -> None:
    steps = yaml.safe_dump(_action()["runs"]["steps"])
    names = re.findall(r"inputs\.([A-Za-z0-9_-]+)", " ".join(EXPRESSION.findall(steps)))
    assert names  # the steps do read inputs
    assert set(names) <= set(INPUTS), set(names) - set(INPUTS)
    assert set(names) == set(INPUTS)  # and every input is used


def test_run_scripts_read_inputs_through_env_only() -> None:
    """No `${{ }}` inside a script (injection), and every `$REFLEKT_*` it reads is set."""
    for step in _action()["runs"]["steps"]:
        if "run" not in step:
            continue
        assert "${{" not in step["run"], step["name"]
        assert step["shell"] == "bash"
        used = set(re.findall(r"\$\{?(REFLEKT_[A-Z_]+)", step["run"]))
        assert used <= set(step.get("env", {})), (step["name"], used - set(step["env"]))


def test_the_run_step_script_runs_and_reports_the_exit_code(tmp_path: Path, make_project) -> None:
    project = make_project()
    project.add_schema("segment/ecommerce/Cart_Viewed/1-0", {"CartId": {"type": "string"}})
    step = _step("Run Reflekt")
    env = github_env(tmp_path, None)
    output = tmp_path / "github_output"
    env["GITHUB_OUTPUT"] = str(output)
    for key, value in step["env"].items():
        name = EXPRESSION.fullmatch(value).group(1).removeprefix("inputs.")
        env[key] = INPUTS[name]
    env["REFLEKT_GITHUB_TOKEN"] = "ghs_unused"
    assert EXPRESSION.fullmatch(step["working-directory"]).group(1) == "inputs.working-directory"

    done = subprocess.run(
        ["bash", "-c", step["run"]], cwd=project.root, env=env, capture_output=True, text=True
    )

    assert done.returncode == 1, done.stderr
    assert "::error file=schemas/segment/ecommerce/Cart_Viewed/1-0.json" in done.stdout
    assert output.read_text(encoding="utf-8") == "exit-code=1\n"
    assert "## Reflekt lint" in Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")


def test_the_install_step_picks_the_requirement(tmp_path: Path) -> None:
    """`version` empty: the action's checkout; a number: reflekt==N; else as given."""
    script = _step("Install Reflekt")["run"].replace("python -m pip install", "echo")
    for version, expected in (
        ("", "/actions/reflekt"),
        ("1.2.0", "reflekt==1.2.0"),
        ("reflekt>=1.2", "reflekt>=1.2"),
    ):
        env = {**os.environ, "REFLEKT_VERSION": version, "REFLEKT_ACTION_PATH": "/actions/reflekt"}
        done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split()[-1] == expected


def test_the_readme_documents_every_input() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### In CI") :]
    rows = set(re.findall(r"^\| `([a-z-]+)` \|", section, flags=re.M))
    assert set(INPUTS) <= rows, set(INPUTS) - rows
