"""Helpers for the workflow tests: real git repositories holding a Reflekt project."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

PROPS = {"cart_id": {"type": "string", "description": "The cart."}}
MORE = {**PROPS, "coupon": {"type": "string", "description": "A coupon."}}

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git_env() -> dict[str, str]:
    return {**os.environ, **GIT_ENV}


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in `root` (a real git, with an author set); fail loudly unless `check=False`."""
    result = subprocess.run(
        ["git", *args], cwd=root, env=git_env(), capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def git_project(make_project, folder: str = "project"):
    """A project in a fresh git repo (branch main) with two events committed."""
    project = make_project(folder=folder)
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS, description="An event.")
    project.add_schema("segment/shop/Order_Completed/1-0", PROPS, description="An event.")
    (project.root / ".gitignore").write_text(".logs/\n.reflekt_cache/\n", encoding="utf-8")
    git(project.root, "init", "-q", "-b", "main")
    commit_all(project.root, "base")
    return project


def make_breaking(project, event: str = "Cart_Viewed") -> None:
    """cart_id made required in place (1-0 stays 1-0): a MAJOR change without a bump."""
    project.add_schema(
        f"segment/shop/{event}/1-0", PROPS, required=["cart_id"], description="An event."
    )


def make_compatible(project, event: str = "Order_Completed") -> None:
    """An optional property added, bumped to 1-1: a MINOR change with its bump."""
    project.add_schema(f"segment/shop/{event}/1-1", MORE, description="An event.")
