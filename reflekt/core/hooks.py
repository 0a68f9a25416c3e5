"""Reflekt's own git `pre-push` hook, for teams without pre-commit (`reflekt hooks install`).

Why a hook of our own: a push that breaks a schema without a version bump should stop on the
developer's machine, not in CI. The hook is a short POSIX shell script marked by `HEADER`
(its second line): `uninstall_hook` removes only a file carrying it, and `install_hook`
never overwrites a hook without it unless forced. The hooks folder is git's own answer
(`git rev-parse --git-path hooks`), so `core.hooksPath` is honoured.

The script diffs with `--changed` against the merge-base of the upstream (or, for a branch
pushed for the first time, the remote's default branch), reading only the changed events.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from reflekt.core.errors import ReflektError
from reflekt.core.gitrun import run_git

HEADER = "# reflekt-hook: pre-push"
HOOK_NAME = "pre-push"

_SCRIPT = """#!/bin/sh
{header} (written by `reflekt hooks install`; `reflekt hooks uninstall` removes it)
# Blocks a push whose schema changes break (MAJOR) without a version bump: the changed
# schemas are diffed against the merge-base of the upstream branch. Skip once with
# `git push --no-verify`.
remote="$1"
cd "$(git rev-parse --show-toplevel)"/{project} || exit 1
base='@{{upstream}}'
if ! git rev-parse --verify --quiet "$base" >/dev/null 2>&1; then
  base=''  # a new branch: compare with the remote's default branch
  for ref in "refs/remotes/$remote/HEAD" "refs/remotes/$remote/main" "refs/remotes/$remote/master"; do
    if git rev-parse --verify --quiet "$ref" >/dev/null 2>&1; then base="$ref"; break; fi
  done
fi
if [ -z "$base" ]; then
  echo "reflekt: no upstream and no default branch of '$remote' to compare with; schema diff skipped" >&2
  exit 0
fi
if command -v reflekt >/dev/null 2>&1; then
  set -- reflekt
else
  set -- {python} -m reflekt
fi
"$@" diff --against "git:$base..." --changed || {{
  status=$?
  echo "reflekt: push blocked: fix the schema versions above (or git push --no-verify)" >&2
  exit "$status"
}}
"""


@dataclass(frozen=True)
class HookChange:
    """What install/uninstall did: `action` is installed, replaced, unchanged, removed or absent."""

    path: Path
    action: str


def hook_script(project_dir: str, python: str | None = None) -> str:
    """The pre-push script for a project at `project_dir` (relative to the repository root)."""
    return _SCRIPT.format(
        header=HEADER,
        project=shlex.quote(project_dir or "."),
        python=shlex.quote(python or sys.executable),
    )


def is_reflekt_hook(text: str) -> bool:
    return any(line.startswith(HEADER) for line in text.splitlines()[:3])


def hook_path(project_root: Path) -> Path:
    """The pre-push hook file git runs for this project's repository (core.hooksPath too)."""
    hooks = Path(_git(project_root, "rev-parse", "--git-path", "hooks"))
    if not hooks.is_absolute():
        hooks = project_root / hooks
    return hooks / HOOK_NAME


def install_hook(project_root: Path, *, force: bool = False) -> HookChange:
    """Write Reflekt's pre-push hook; a foreign hook is kept unless `force`."""
    path = hook_path(project_root)
    top = Path(_git(project_root, "rev-parse", "--show-toplevel"))
    rel = os.path.relpath(os.path.realpath(project_root), os.path.realpath(top))
    script = hook_script("" if rel == "." else Path(rel).as_posix())
    action = "installed"
    if path.exists() or path.is_symlink():
        current = _read(path)
        if current == script:
            return HookChange(path, "unchanged")
        if not is_reflekt_hook(current) and not force:
            raise ReflektError(
                f"{path} exists and is not Reflekt's hook: left as it is",
                hint="add `reflekt diff --against 'git:@{upstream}...' --changed` to it, "
                "or replace it: reflekt hooks install --force",
            )
        action = "replaced"
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script, encoding="utf-8")
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o777 & ~umask | 0o100)  # executable by its owner whatever the umask
    return HookChange(path, action)


def uninstall_hook(project_root: Path) -> HookChange:
    """Remove the pre-push hook if it is Reflekt's; a foreign hook is an error, kept."""
    path = hook_path(project_root)
    if not (path.exists() or path.is_symlink()):
        return HookChange(path, "absent")
    if not is_reflekt_hook(_read(path)):
        raise ReflektError(
            f"{path} is not Reflekt's hook (no '{HEADER}' line): left as it is",
            hint="remove it yourself if you mean to",
        )
    path.unlink()
    return HookChange(path, "removed")


def _read(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(65536).decode("utf-8", "replace")
    except OSError:
        return ""


def _git(root: Path, *args: str) -> str:
    result = run_git(root, *args)
    if result is None:
        raise ReflektError("git could not be run (needed by reflekt hooks)")
    if result.returncode != 0:
        raise ReflektError(
            f"the project ({root}) is not inside a git repository",
            hint="run `git init` first (a hook lives in the repository's .git/hooks)",
        )
    return result.stdout.decode("utf-8", "replace").strip()
