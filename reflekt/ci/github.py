"""`python -m reflekt.ci.github run ...`: what action.yml runs in its one Reflekt step.

Runs `reflekt <command>` once in the requested format (annotations in the log, exit code
kept), once more with `--format markdown` to a file, appends that report to
`$GITHUB_STEP_SUMMARY`, and on a pull request posts or updates one comment when asked. The
step's exit code is Reflekt's: the comment is posted even when Reflekt fails with findings,
and a failure to comment is a warning unless `--comment-required`.

The token comes from the environment (`REFLEKT_GITHUB_TOKEN`, else `GITHUB_TOKEN`), never
from the command line (argv is visible to every process), and is never printed.
`python -m reflekt.ci.github comment --command diff --report FILE` only posts a report.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from reflekt.ci.api import DEFAULT_API_URL, ApiClient, ApiError, Limits
from reflekt.ci.comments import comment_body, upsert_comment
from reflekt.ci.history import default_against, ensure_history
from reflekt.ci.report import assemble, fenced

COMMANDS = ("lint", "diff")
EXIT_COMMENT_FAILED = 3  # with --comment-required: the network step failed
_MAX_EVENT_BYTES = 25 * 1024 * 1024
_BOOLS = ("true", "false")


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    args = _parser().parse_args(argv)
    if args.action == "run":
        return run(args, env)
    report = _read_report(Path(args.report))
    return _maybe_comment(args, env, report, exit_code=0)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Reflekt in the log, the report in the summary (and the comment); Reflekt's exit code."""
    reflekt = [sys.executable, "-m", "reflekt"]
    against = None
    common: list[str] = []
    for select in split_list(args.select):
        common += ["--select", select]
    if args.command == "diff":
        against = args.against or default_against(env)
        for line in ensure_history(against, Path.cwd()):
            _log(f"reflekt: {line}")
        common += ["--against", against]
        if args.fail_on:
            common += ["--fail-on", args.fail_on]
    elif args.fail_on:
        _log("::warning::reflekt: `fail-on` applies to `diff` only; ignored for lint")

    argv = [*reflekt, args.command, *common, "--format", args.format]
    _log(f"reflekt: {' '.join(argv[2:])}")
    exit_code = subprocess.run(argv).returncode

    body, native = _markdown(reflekt, args.command, common)
    # Reflekt's own Markdown has its heading and verdict; a fenced fallback gets ours.
    report = body if native else assemble(args.command, against, exit_code, body)
    summary = args.summary_file or env.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(report + "\n")
    if args.comment == "true":
        failed = _maybe_comment(args, env, report, exit_code)
        if failed and exit_code == 0:
            return failed
    return exit_code


def split_list(value: str | None) -> list[str]:
    """An action input holding a list: one item a line, or separated by spaces or commas."""
    return [item for item in re.split(r"[\s,]+", value or "") if item]


def _markdown(reflekt: list[str], command: str, common: list[str]) -> tuple[str, bool]:
    """Reflekt's Markdown report (True); its text output or its error fenced (False)."""
    with tempfile.TemporaryDirectory(prefix="reflekt-report-") as tmp:
        out = Path(tmp) / "report.md"
        argv = [*reflekt, command, *common, "--format", "markdown", "--output", str(out)]
        done = subprocess.run(argv, capture_output=True, text=True)
        if out.is_file() and out.stat().st_size:
            return out.read_text(encoding="utf-8"), True
    if "markdown" in done.stderr and done.returncode == 2:  # a Reflekt without it
        text = subprocess.run(
            [*reflekt, command, *common, "--format", "text"], capture_output=True, text=True
        )
        return fenced(text.stdout or text.stderr), False
    return fenced(done.stderr or done.stdout or f"reflekt exited {done.returncode}"), False


def _maybe_comment(
    args: argparse.Namespace, env: Mapping[str, str], report: str, exit_code: int
) -> int:
    """Post or update the PR comment; 0, or EXIT_COMMENT_FAILED when it failed and must not."""
    number = pull_request_number(env)
    if number is None:
        _log("::notice::reflekt: not a pull request; no comment posted")
        return 0
    token = env.get("REFLEKT_GITHUB_TOKEN") or env.get("GITHUB_TOKEN") or ""
    repo = env.get("GITHUB_REPOSITORY", "")
    problem = None
    if not token:
        problem = "no token: set the action's `token` input (default: github.token)"
    elif not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        problem = f"GITHUB_REPOSITORY is not owner/name: {repo!r}"
    else:
        api = ApiClient(env.get("GITHUB_API_URL") or DEFAULT_API_URL, token, Limits.from_env(env))
        details = _run_url(env)
        try:
            done = upsert_comment(
                api, repo, number, args.command, comment_body(args.command, report, details)
            )
        except ApiError as exc:
            problem = str(exc)
        else:
            _log(f"reflekt: {done.action} the pull request comment {done.url}".rstrip())
    if problem is None:
        return 0
    required = args.comment_required == "true"
    level = "error" if required else "warning"
    _log(f"::{level}::reflekt could not post the pull request comment: {problem}")
    return EXIT_COMMENT_FAILED if required else 0


def pull_request_number(env: Mapping[str, str]) -> int | None:
    """The PR of this run, from the event payload GitHub writes to GITHUB_EVENT_PATH."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        with open(path, "rb") as handle:
            event = json.loads(handle.read(_MAX_EVENT_BYTES))
    except (OSError, ValueError):
        return None
    if not isinstance(event, dict):
        return None
    pr = event.get("pull_request")
    if isinstance(pr, dict) and isinstance(pr.get("number"), int):
        return pr["number"]
    issue = event.get("issue")  # issue_comment on a pull request
    if (
        isinstance(issue, dict)
        and issue.get("pull_request")
        and isinstance(issue.get("number"), int)
    ):
        return issue["number"]
    return None


def _run_url(env: Mapping[str, str]) -> str | None:
    server, repo, run_id = (
        env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    if server and repo and run_id:
        return f"{server}/{repo}/actions/runs/{run_id}"
    return None


def _read_report(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(f"reflekt: cannot read {path}: {exc.strerror}") from None


def _log(line: str) -> None:
    print(line, file=sys.stderr if not line.startswith("::") else sys.stdout, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m reflekt.ci.github", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    run_p = sub.add_parser("run", help="run Reflekt, write the summary, comment")
    run_p.add_argument("--command", choices=COMMANDS, required=True)
    run_p.add_argument("--against", default="", help="git:REF (diff); default: the PR base")
    run_p.add_argument("--select", default="", help="schemas, one a line (or space-separated)")
    run_p.add_argument("--format", default="github", help="format of the log output")
    run_p.add_argument("--fail-on", default="", help="diff's --fail-on")
    run_p.add_argument("--comment", type=str.lower, choices=_BOOLS, default="false")
    run_p.add_argument("--comment-required", type=str.lower, choices=_BOOLS, default="false")
    run_p.add_argument("--summary-file", default="", help="default: $GITHUB_STEP_SUMMARY")
    post = sub.add_parser("comment", help="post or update the PR comment with a report file")
    post.add_argument("--command", choices=COMMANDS, required=True)
    post.add_argument("--report", required=True, help="a Markdown file")
    post.add_argument("--comment-required", type=str.lower, choices=_BOOLS, default="false")
    return parser


if __name__ == "__main__":
    sys.exit(main())
