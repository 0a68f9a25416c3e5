"""The context line: where the user is (project, profile, registry, git branch) and what the
background work is doing ("linting… / linted 27 in 1.2 s").

Read without running anything: the git branch comes from `.git/HEAD` (following a worktree's
or submodule's `gitdir:` file), so the line costs no subprocess and never blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from rich.text import Text

from reflekt.tui.safe_text import clean

_MAX_HEAD_BYTES = 4096


def git_branch(start: Path) -> str | None:
    """The checked-out branch of the repository holding `start` (`abc1234` when detached),
    or None outside a repository or when HEAD cannot be read."""
    for folder in (start, *start.parents):
        dot_git = folder / ".git"
        try:
            if dot_git.is_file():
                pointer = dot_git.read_text(encoding="utf-8", errors="replace")[:_MAX_HEAD_BYTES]
                if not pointer.startswith("gitdir:"):
                    return None
                git_dir = Path(pointer.removeprefix("gitdir:").strip())
                dot_git = git_dir if git_dir.is_absolute() else folder / git_dir
            elif not dot_git.is_dir():
                continue
            with open(dot_git / "HEAD", encoding="utf-8", errors="replace") as handle:
                head = handle.read(_MAX_HEAD_BYTES).strip()
        except OSError:
            return None
        if head.startswith("ref: refs/heads/"):
            return head.removeprefix("ref: refs/heads/")
        if head.startswith("ref: "):
            return head.removeprefix("ref: ")
        return head[:7] or None
    return None


def progress_bar_text(done: int, total: int | None, width: int = 10) -> str:
    """A bar the context line can hold: `▰▰▰▱▱▱▱▱▱▱ 30%` (`⟳` while the total is unknown)."""
    if not total:
        return "⟳"
    filled = min(width, max(0, done * width // total))
    return f"{'▰' * filled}{'▱' * (width - filled)} {min(100, done * 100 // total)}%"


@dataclass(frozen=True)
class Context:
    """What the context line says; `activity` is the background work's latest word."""

    project: str
    profile: str | None = None
    registries: tuple[str, ...] = ()  # host names: api.segmentapis.com
    branch: str | None = None
    activity: str = ""

    def render(self) -> Text:
        text = Text()
        parts: list[tuple[str, str]] = [("project", self.project)]
        if self.profile:
            parts.append(("profile", self.profile))
        if self.registries:
            parts.append(("registry", ", ".join(self.registries)))
        if self.branch:
            parts.append(("git", self.branch))
        for index, (label, value) in enumerate(parts):
            if index:
                text.append("  ")
            text.append(f"{label} ", style="dim")
            text.append(clean(value), style="bold")
        if self.activity:
            text.append("  ·  ", style="dim")
            text.append(clean(self.activity), style="italic")
        return text


def registry_hosts(urls: list[str]) -> tuple[str, ...]:
    """The host of each registry API URL, as the line shows them (no credentials, no path)."""
    hosts: list[str] = []
    for url in urls:
        host = urlsplit(url).hostname or url
        if host not in hosts:
            hosts.append(host)
    return tuple(hosts)
