"""The PR comment: created once, then updated in place; other comments untouched; errors clear."""

from __future__ import annotations

from pathlib import Path

from ci_support import github_env, run_ci
from github_fake import ALICE_TOKEN, BOT, BOT_TOKEN, READ_ONLY_TOKEN, FakeGitHub, serve_github

MARKER = "<!-- reflekt-report -->"


def _report(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "report.md"
    path.write_text(text, encoding="utf-8")
    return path


def _comment(tmp_path: Path, env: dict[str, str], report: str, *extra: str):
    path = _report(tmp_path, report)
    return run_ci(["comment", "--command", "diff", "--report", str(path), *extra], env, tmp_path)


def test_first_run_creates_the_comment_and_the_second_updates_it(
    tmp_path: Path, github: FakeGitHub
) -> None:
    env = github_env(tmp_path, github)
    first = _comment(tmp_path, env, "| Event | Verdict |\n|---|---|\n| Cart Viewed | breaking |\n")
    assert first.returncode == 0, first.stderr
    assert len(github.comments) == 1
    created = github.comments[0]
    assert created["body"].startswith(MARKER)
    assert "Cart Viewed | breaking" in created["body"]
    assert created["user"]["login"] == BOT
    assert "created the pull request comment" in first.stderr

    second = _comment(
        tmp_path, env, "| Event | Verdict |\n|---|---|\n| Cart Viewed | compatible |\n"
    )
    assert second.returncode == 0, second.stderr
    assert len(github.comments) == 1  # no second comment
    assert github.comments[0]["id"] == created["id"]
    assert "compatible" in github.comments[0]["body"]
    assert "breaking" not in github.comments[0]["body"]
    assert "updated the pull request comment" in second.stderr
    methods = [m for m, path, _ in github.requests if "/comments" in path]
    assert methods == ["GET", "POST", "GET", "PATCH"]


def test_finds_its_comment_on_a_later_page_and_leaves_others_alone(
    tmp_path: Path, github: FakeGitHub
) -> None:
    for i in range(120):
        github.add_comment("bob", f"comment {i}")
    quoted = github.add_comment("alice", f"{MARKER}\n<!-- reflekt-command: diff -->\nI quote it")
    ours = github.add_comment(BOT, f"{MARKER}\n<!-- reflekt-command: diff -->\nold report")
    lint = github.add_comment(BOT, f"{MARKER}\n<!-- reflekt-command: lint -->\nlint report")
    before = {c["id"]: c["body"] for c in github.comments}

    done = _comment(tmp_path, github_env(tmp_path, github), "new report\n")

    assert done.returncode == 0, done.stderr
    assert len(github.comments) == len(before)
    assert github.by_id(ours["id"])["body"].endswith("new report\n")
    for comment in github.comments:
        if comment["id"] != ours["id"]:
            assert comment["body"] == before[comment["id"]]
    assert github.by_id(quoted["id"])["user"]["login"] == "alice"
    assert github.by_id(lint["id"])["body"].endswith("lint report")
    pages = [p for m, p, _ in github.requests if m == "GET" and "/comments" in p]
    assert len(pages) == 2 and "page=2" in pages[1]


def test_a_personal_token_finds_its_own_login(tmp_path: Path, github: FakeGitHub) -> None:
    mine = github.add_comment("alice", f"{MARKER}\n<!-- reflekt-command: diff -->\nold")
    github.add_comment(BOT, f"{MARKER}\n<!-- reflekt-command: diff -->\nthe bot's")

    done = _comment(tmp_path, github_env(tmp_path, github, token=ALICE_TOKEN), "alice's report\n")

    assert done.returncode == 0, done.stderr
    assert github.by_id(mine["id"])["body"].endswith("alice's report\n")
    assert len(github.comments) == 2


def test_a_5xx_is_retried_once(tmp_path: Path, github: FakeGitHub) -> None:
    github.fail_next = [502]
    done = _comment(tmp_path, github_env(tmp_path, github), "report\n")
    assert done.returncode == 0, done.stderr
    assert len(github.comments) == 1
    assert github.requests[0][1] == github.requests[1][1]  # the same call, twice


def test_two_5xx_in_a_row_warn_and_keep_the_exit_code(tmp_path: Path, github: FakeGitHub) -> None:
    github.fail_next = [503, 503]
    done = _comment(tmp_path, github_env(tmp_path, github), "report\n")
    assert done.returncode == 0
    assert "::warning::reflekt could not post the pull request comment" in done.stdout
    assert "503" in done.stdout
    assert github.comments == []


def test_comment_required_fails_the_step(tmp_path: Path, github: FakeGitHub) -> None:
    github.fail_next = [503, 503]
    env = github_env(tmp_path, github)
    done = _comment(tmp_path, env, "report\n", "--comment-required", "true")
    assert done.returncode == 3
    assert "::error::reflekt could not post" in done.stdout


def test_a_read_only_token_says_which_permission_is_missing(
    tmp_path: Path, github: FakeGitHub
) -> None:
    done = _comment(tmp_path, github_env(tmp_path, github, token=READ_ONLY_TOKEN), "report\n")
    assert done.returncode == 0
    assert "403" in done.stdout and "pull-requests: write" in done.stdout
    assert READ_ONLY_TOKEN not in done.stdout + done.stderr


def test_a_bad_token_is_a_clear_401_and_never_printed(tmp_path: Path, github: FakeGitHub) -> None:
    token = "ghp_wrongTOKENnotknown"
    done = _comment(tmp_path, github_env(tmp_path, github, token=token), "report\n")
    assert done.returncode == 0
    assert "token was refused (401)" in done.stdout
    assert token not in done.stdout + done.stderr


def test_another_repository_is_a_clear_404(tmp_path: Path, github: FakeGitHub) -> None:
    env = github_env(tmp_path, github)
    env["GITHUB_REPOSITORY"] = "acme/elsewhere"
    done = _comment(tmp_path, env, "report\n")
    assert done.returncode == 0
    assert "not found (404)" in done.stdout
    assert "/repos/acme/elsewhere/issues/7/comments" in done.stdout


def test_outside_a_pull_request_nothing_is_posted(tmp_path: Path, github: FakeGitHub) -> None:
    done = _comment(tmp_path, github_env(tmp_path, github, pr=None), "report\n")
    assert done.returncode == 0
    assert "not a pull request" in done.stdout
    assert github.requests == []


def test_the_page_cap_stops_an_endless_listing(tmp_path: Path, github: FakeGitHub) -> None:
    for i in range(250):
        github.add_comment("bob", f"comment {i}")
    env = github_env(tmp_path, github)
    env["REFLEKT_CI_HTTP_MAX_PAGES"] = "2"
    done = _comment(tmp_path, env, "report\n")
    assert done.returncode == 0
    assert "more than 2 pages" in done.stdout
    assert len(github.comments) == 250


def test_a_next_page_on_another_host_is_not_followed(tmp_path: Path, github: FakeGitHub) -> None:
    """The token goes to GITHUB_API_URL's host only, whatever a Link header says."""
    for i in range(120):
        github.add_comment("bob", f"comment {i}")
    with serve_github() as elsewhere:
        github.link_host = elsewhere.url.replace("127.0.0.1", "localhost")
        done = _comment(tmp_path, github_env(tmp_path, github), "report\n")
        assert elsewhere.requests == []
    assert done.returncode == 0
    assert "next page is on another host" in done.stdout
    assert BOT_TOKEN not in done.stdout + done.stderr
    assert len(github.comments) == 120
