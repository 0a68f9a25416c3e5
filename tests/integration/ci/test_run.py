"""`python -m reflekt.ci.github run`: Reflekt's exit code, annotations, summary, comment."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ci_support import github_env, run_ci
from github_fake import FakeGitHub

BAD_PROPERTY = {"CartId": {"type": "string", "description": "The cart."}}


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=ci@example.com", "-c", "user.name=CI", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_lint_findings_annotate_summarise_comment_and_exit_1(
    tmp_path: Path, make_project, github: FakeGitHub
) -> None:
    project = make_project()
    project.add_schema("segment/ecommerce/Cart_Viewed/1-0", BAD_PROPERTY)
    env = github_env(tmp_path, github)

    done = run_ci(["run", "--command", "lint", "--comment", "true"], env, project.root)

    assert done.returncode == 1, done.stderr
    assert "::error file=schemas/segment/ecommerce/Cart_Viewed/1-0.json" in done.stdout
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert summary.startswith("## Reflekt lint\n")  # Reflekt's own --format markdown
    assert "1 error" in summary
    assert "CartId" in summary
    assert len(github.comments) == 1  # posted even though Reflekt failed
    body = github.comments[0]["body"]
    assert body.startswith("<!-- reflekt-report -->\n<!-- reflekt-command: lint -->\n")
    assert "CartId" in body


def test_a_clean_project_passes_and_the_summary_is_appended(tmp_path: Path, make_project) -> None:
    project = make_project()
    project.add_schema("segment/ecommerce/Cart_Viewed/1-0")
    env = github_env(tmp_path, None)
    summary = Path(env["GITHUB_STEP_SUMMARY"])
    summary.write_text("earlier step\n", encoding="utf-8")

    done = run_ci(["run", "--command", "lint", "--select", "segment/ecommerce"], env, project.root)

    assert done.returncode == 0, done.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## Reflekt lint\n")
    assert "no problems found" in text


def test_select_limits_what_is_linted(tmp_path: Path, make_project) -> None:
    project = make_project()
    project.add_schema("segment/ecommerce/Cart_Viewed/1-0")
    project.add_schema("segment/other/Order_Placed/1-0", BAD_PROPERTY)
    env = github_env(tmp_path, None)

    clean = run_ci(
        ["run", "--command", "lint", "--select", "segment/ecommerce\n"], env, project.root
    )
    both = run_ci(
        ["run", "--command", "lint", "--select", "segment/ecommerce segment/other"],
        env,
        project.root,
    )

    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert both.returncode == 1
    assert "Order_Placed" in both.stdout


def test_diff_on_a_push_compares_with_the_previous_commit(tmp_path: Path, make_project) -> None:
    project = make_project()
    project.add_schema(
        "segment/ecommerce/Cart_Viewed/1-0",
        {"cart_id": {"type": "string", "description": "The cart."}},
        required=["cart_id"],
    )
    _git(project.root, "init", "-q", "-b", "main")
    _git(project.root, "add", "-A")
    _git(project.root, "commit", "-qm", "first")
    project.add_schema(  # a required property removed, no MAJOR bump: breaking
        "segment/ecommerce/Cart_Viewed/1-0",
        {"note": {"type": "string", "description": "A note."}},
    )
    _git(project.root, "commit", "-qam", "second")
    env = github_env(tmp_path, None, pr=None)

    done = run_ci(["run", "--command", "diff"], env, project.root)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "::error" in done.stdout
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert summary.startswith("## Reflekt diff\n")
    assert "HEAD\\~1" in summary  # the default ref on a push, Markdown-escaped
    assert "PROPERTY_REMOVED_REQUIRED" in summary

    never = run_ci(["run", "--command", "diff", "--fail-on", "never"], env, project.root)
    assert never.returncode == 0, never.stdout + never.stderr


def test_a_usage_error_is_exit_2_with_the_error_in_the_summary(
    tmp_path: Path, make_project
) -> None:
    project = make_project()
    project.add_schema("segment/ecommerce/Cart_Viewed/1-0")
    env = github_env(tmp_path, None)

    done = run_ci(["run", "--command", "lint", "--select", "segment/nowhere"], env, project.root)

    assert done.returncode == 2
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "usage or configuration error (exit 2)" in summary
    assert "nowhere" in summary
