"""The context line: project, profile, registry host, git branch, and what lint is doing."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static
from tui_support import drive, make_app, settle

from reflekt.tui.context import git_branch


def _line(app) -> str:
    return app.main_screen.query_one("#context", Static).render().plain


def test_the_line_names_the_project_profile_branch_and_the_lint(shop):
    git = Path(shop.root) / ".git"
    git.mkdir()
    (git / "HEAD").write_text("ref: refs/heads/tracking-plan-v2\n")

    async def scenario(pilot):
        await settle(pilot)
        line = _line(pilot.app)
        assert line.startswith("project shop  profile dev")
        assert "git tracking-plan-v2" in line
        assert "  ·  linted 5 in " in line and line.endswith(" s")
        pilot.app.main_screen.show_activity("linting…")
        await pilot.press("L")  # a new run ends with its own count and time
        await settle(pilot)
        assert "  ·  linted 5 in " in _line(pilot.app)

    drive(make_app(shop.root), scenario)


def test_git_branch_reads_head_worktrees_and_detached(tmp_path: Path) -> None:
    assert git_branch(tmp_path) is None
    main = tmp_path / "repo"
    (main / ".git").mkdir(parents=True)
    (main / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (main / "sub" / "deeper").mkdir(parents=True)
    assert git_branch(main / "sub" / "deeper") == "main"
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (main / ".git" / "worktrees" / "wt").mkdir(parents=True)
    (main / ".git" / "worktrees" / "wt" / "HEAD").write_text("0123456789abcdef\n")
    (worktree / ".git").write_text(f"gitdir: {main / '.git' / 'worktrees' / 'wt'}\n")
    assert git_branch(worktree) == "0123456"  # detached: the short commit
    (worktree / ".git").write_text("not a pointer")
    assert git_branch(worktree) is None
