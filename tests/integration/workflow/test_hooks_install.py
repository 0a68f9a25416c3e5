"""`reflekt hooks install|uninstall`, and the hook blocking a real `git push`."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from click.testing import CliRunner
from workflow_support import commit_all, git, git_env, git_project, make_breaking, make_compatible

from reflekt.cli import cli

WORKTREE = Path(__file__).resolve().parents[3]


def _hooks(project, *args: str):
    return CliRunner().invoke(cli, ["hooks", *args, "--project-dir", str(project.root)])


def _push(root: Path, *args: str):
    """A real `git push`; the hook runs this worktree's reflekt (PYTHONPATH first)."""
    env = git_env()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(WORKTREE), env.get("PYTHONPATH")]))
    import subprocess

    return subprocess.run(
        ["git", "push", *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )


def _with_remote(make_project, tmp_path):
    project = git_project(make_project)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project.root, "remote", "add", "origin", str(remote))
    git(project.root, "push", "-q", "-u", "origin", "main")
    return project


def test_the_hook_blocks_a_breaking_push_and_lets_a_clean_one_through(make_project, tmp_path):
    project = _with_remote(make_project, tmp_path)
    installed = _hooks(project, "install")
    assert installed.exit_code == 0, installed.output
    hook = project.root / ".git/hooks/pre-push"
    assert "Installed the pre-push hook" in installed.output
    assert hook.stat().st_mode & stat.S_IXUSR

    make_compatible(project)
    commit_all(project.root, "coupon, bumped to 1-1")
    clean = _push(project.root)
    assert clean.returncode == 0, clean.stderr
    assert "1 bumped correctly (MINOR)" in " ".join(clean.stdout.split() + clean.stderr.split())

    make_breaking(project)
    commit_all(project.root, "cart_id required, no bump")
    blocked = _push(project.root)
    said = " ".join((blocked.stdout + blocked.stderr).split())
    assert blocked.returncode != 0, said
    assert "breaking change: this needs 2-0, the file says 1-0" in said
    assert "push blocked" in said
    remote_head = git(project.root, "rev-parse", "origin/main").stdout
    assert remote_head != git(project.root, "rev-parse", "HEAD").stdout  # nothing pushed


def test_a_new_branch_is_compared_with_the_remote_default_branch(make_project, tmp_path):
    project = _with_remote(make_project, tmp_path)
    assert _hooks(project, "install").exit_code == 0
    git(project.root, "checkout", "-q", "-b", "feature")
    make_breaking(project)
    commit_all(project.root, "breaking")
    blocked = _push(project.root, "-u", "origin", "feature")
    assert blocked.returncode != 0
    assert "breaking change" in " ".join((blocked.stdout + blocked.stderr).split())


def test_a_foreign_hook_is_kept_unless_forced(make_project):
    project = git_project(make_project)
    hook = project.root / ".git/hooks/pre-push"
    hook.write_text("#!/bin/sh\necho theirs\n", encoding="utf-8")

    refused = _hooks(project, "install")
    assert refused.exit_code == 2, refused.output
    assert "is not Reflekt's hook: left as it is" in " ".join(refused.output.split())
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\necho theirs\n"

    not_ours = _hooks(project, "uninstall")
    assert not_ours.exit_code == 2
    assert hook.exists()

    forced = _hooks(project, "install", "--force")
    assert forced.exit_code == 0, forced.output
    assert "Replaced the pre-push hook" in forced.output
    assert "# reflekt-hook: pre-push" in hook.read_text(encoding="utf-8")
    assert "already installed" in _hooks(project, "install").output

    removed = _hooks(project, "uninstall")
    assert removed.exit_code == 0 and "Removed" in removed.output
    assert not hook.exists()
    assert "No pre-push hook to remove" in _hooks(project, "uninstall").output


def test_core_hooks_path_is_respected(make_project):
    project = git_project(make_project)
    git(project.root, "config", "core.hooksPath", ".githooks")
    result = _hooks(project, "install")
    assert result.exit_code == 0, result.output
    assert (project.root / ".githooks/pre-push").is_file()
    assert not (project.root / ".git/hooks/pre-push").exists()


def test_outside_a_git_repository(make_project):
    project = make_project()
    result = _hooks(project, "install")
    assert result.exit_code == 2
    assert "is not inside a git repository" in " ".join(result.output.split())
