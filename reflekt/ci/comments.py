"""One pull-request comment per command, updated in place on each push.

The comment is found by a hidden marker (`<!-- reflekt-report -->` and the command's own
tag), among the comments written by the token's own user: a person who quotes the marker
does not get their comment rewritten, and a second push edits the same comment instead of
adding another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reflekt.ci.api import ApiClient, ApiError

MARKER = "<!-- reflekt-report -->"
GITHUB_ACTIONS_BOT = "github-actions[bot]"  # the author of GITHUB_TOKEN's comments
MAX_BODY = 65_000  # GitHub refuses a comment over 65,536 characters


@dataclass(frozen=True)
class CommentResult:
    """What was done: `created` or `updated`, and the comment's URL."""

    action: str
    comment_id: int
    url: str


def tag(command: str) -> str:
    """The second hidden line: lint and diff keep a comment each."""
    return f"<!-- reflekt-command: {command} -->"


def comment_body(command: str, report: str, details_url: str | None = None) -> str:
    """The marker, the report, capped under GitHub's limit (the full report is in the run)."""
    head = f"{MARKER}\n{tag(command)}\n"
    body = report.rstrip("\n") + "\n"
    room = MAX_BODY - len(head) - 200
    if len(body) > room:
        cut = body[:room].rsplit("\n", 1)[0]
        where = f"the [job summary]({details_url})" if details_url else "the job summary"
        body = f"{cut}\n\n_Report truncated: the whole report is in {where}._\n"
    return head + body


def upsert_comment(
    client: ApiClient, repo: str, number: int, command: str, body: str
) -> CommentResult:
    """Edit our earlier comment of this command on the pull request, else create one."""
    author = _own_login(client)
    comments = client.list_all(f"/repos/{repo}/issues/{number}/comments?per_page=100")
    mine = [c for c in comments if _is_ours(c, author, command)]
    if mine:
        target = mine[-1]
        answer = client.request(
            "PATCH", f"/repos/{repo}/issues/comments/{int(target['id'])}", {"body": body}
        )
        action = "updated"
    else:
        answer = client.request("POST", f"/repos/{repo}/issues/{number}/comments", {"body": body})
        action = "created"
    if not isinstance(answer, dict) or "id" not in answer:
        raise ApiError(f"the API's answer to the {action[:-1]} of a comment has no id")
    return CommentResult(action, int(answer["id"]), str(answer.get("html_url", "")))


def _own_login(client: ApiClient) -> str:
    """The token's user: GET /user for a personal token; GITHUB_TOKEN may not call it."""
    try:
        me = client.request("GET", "/user")
    except ApiError as exc:
        if exc.status in (403, 404):  # "Resource not accessible by integration"
            return GITHUB_ACTIONS_BOT
        raise
    if isinstance(me, dict) and isinstance(me.get("login"), str):
        return me["login"]
    return GITHUB_ACTIONS_BOT


def _is_ours(comment: Any, author: str, command: str) -> bool:
    if not isinstance(comment, dict):
        return False
    body = comment.get("body") or ""
    user = comment.get("user") or {}
    return (
        isinstance(body, str)
        and body.startswith(MARKER)
        and tag(command) in body
        and isinstance(user, dict)
        and user.get("login") == author
    )
