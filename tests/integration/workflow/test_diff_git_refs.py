"""`reflekt diff` before a push: `git:REF...` merge-bases, `@{upstream}`, --staged, --changed.

Real git repositories in temp folders; the CLI through Click's runner.
"""

from __future__ import annotations

from click.testing import CliRunner
from workflow_support import (
    PROPS,
    commit_all,
    git,
    git_project,
    make_breaking,
    make_compatible,
)

from reflekt.cli import cli


def _diff(project, *args: str):
    return CliRunner().invoke(cli, ["diff", *args, "--project-dir", str(project.root)])


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_three_dots_compare_with_the_merge_base_so_main_moving_on_is_not_blamed(make_project):
    project = git_project(make_project)
    git(project.root, "checkout", "-q", "-b", "feature")
    make_compatible(project)
    commit_all(project.root, "feature: coupon")
    git(project.root, "checkout", "-q", "main")
    project.add_schema("segment/shop/Signed_Up/1-0", PROPS, description="An event.")
    commit_all(project.root, "main: a new event")
    git(project.root, "checkout", "-q", "feature")

    two_way = _diff(project, "--against", "git:main")
    merge_base = _diff(project, "--against", "git:main...")

    # Against main itself the branch "removes" the event main added after the branch point.
    assert two_way.exit_code == 1, two_way.output
    assert "segment/shop/Signed_Up removed" in _flat(two_way.output)
    assert merge_base.exit_code == 0, merge_base.output
    out = _flat(merge_base.output)
    assert "Signed_Up" not in out
    assert "segment/shop/Order_Completed MINOR change, version bumped: OK" in out
    assert "with git:main..." in out
    assert _diff(project, "--against", "git:main...HEAD").exit_code == 0


def test_upstream_ref_and_its_merge_base(make_project, tmp_path):
    project = git_project(make_project)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project.root, "remote", "add", "origin", str(remote))
    git(project.root, "push", "-q", "-u", "origin", "main")
    make_breaking(project)

    upstream = _diff(project, "--against", "git:@{upstream}")
    assert upstream.exit_code == 1, upstream.output
    out = _flat(upstream.output)
    assert "with git:@{upstream}" in out
    assert "breaking change: this needs 2-0, the file says 1-0" in out
    assert _diff(project, "--against", "git:@{u}...").exit_code == 1

    git(project.root, "checkout", "-q", "-b", "no-upstream")
    lonely = _diff(project, "--against", "git:@{upstream}...")
    assert lonely.exit_code == 2, lonely.output
    assert "'@{upstream}' is not a known commit, branch or tag" in _flat(lonely.output)
    assert "no upstream" in _flat(lonely.output)
    assert "Traceback" not in lonely.output


def test_bad_refs_are_one_clear_error(make_project):
    project = git_project(make_project)
    cases = {
        "git:nope...": "'nope' is not a known commit, branch or tag",
        "git:--output=/tmp/x": "a ref cannot start with '-'",
        "git:-h...": "a ref cannot start with '-'",
        "git:main...feature": "only REF... (or REF...HEAD) is supported",
        "git:...": "names no ref",
        "git:ma in": "no spaces or control characters",
    }
    for against, message in cases.items():
        result = _diff(project, "--against", against)
        assert result.exit_code == 2, (against, result.output)
        assert message in _flat(result.output), (against, result.output)
        assert "Traceback" not in result.output
    assert not (project.root / "--output=").exists()


def test_unrelated_histories_have_no_merge_base(make_project):
    project = git_project(make_project)
    git(project.root, "checkout", "-q", "--orphan", "other")
    commit_all(project.root, "unrelated root")
    result = _diff(project, "--against", "git:main...")
    assert result.exit_code == 2, result.output
    assert "'main' and HEAD have no common ancestor" in _flat(result.output)


def test_changed_reads_only_the_events_whose_files_differ(make_project):
    project = git_project(make_project)
    for index in range(5):
        project.add_schema(f"segment/shop/Other_{index}/1-0", PROPS, description="An event.")
    commit_all(project.root, "more events")

    clean = _diff(project, "--changed")
    assert clean.exit_code == 0, clean.output
    assert "Compared 0 events with git:HEAD" in _flat(clean.output)

    make_compatible(project)  # untracked new file 1-1
    (project.root / "schemas/segment/shop/Other_0/1-0.json").unlink()  # a removal
    project.add_schema("segment/shop/Brand_New/1-0", PROPS, description="An event.")

    result = _diff(project, "--changed")
    out = _flat(result.output)
    assert result.exit_code == 1, result.output  # the removal breaks against git
    assert "Compared 3 events with git:HEAD: 1 removed, 1 new, 1 bumped correctly (MINOR)." in out
    assert "segment/shop/Order_Completed MINOR change, version bumped: OK" in out
    assert "Cart_Viewed" not in out and "Other_1" not in out

    selected = _diff(project, "--changed", "--select", "segment/shop/Order_Completed")
    assert selected.exit_code == 0, selected.output
    assert "Compared 1 event with git:HEAD: 1 bumped correctly (MINOR)." in _flat(selected.output)


def test_changed_against_a_branch_counts_committed_and_uncommitted_work(make_project):
    project = git_project(make_project)
    git(project.root, "checkout", "-q", "-b", "feature")
    make_compatible(project)
    commit_all(project.root, "coupon")
    make_breaking(project)  # not committed

    result = _diff(project, "--against", "git:main...", "--changed")
    out = _flat(result.output)
    assert result.exit_code == 1, result.output
    assert (
        "Compared 2 events with git:main...: 1 needs a MAJOR version bump, 1 bumped correctly (MINOR)."
        in out
    )


def test_staged_compares_the_index_not_the_working_tree(make_project):
    project = git_project(make_project)
    make_breaking(project)
    git(project.root, "add", "schemas")
    # The index holds the breaking edit; the working tree goes back to the committed file.
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS, description="An event.")

    staged = _diff(project, "--staged")
    assert staged.exit_code == 1, staged.output
    assert "breaking change: this needs 2-0, the file says 1-0" in _flat(staged.output)
    working = _diff(project, "--against", "git:HEAD")
    assert working.exit_code == 0, working.output

    staged_changed = _diff(project, "--staged", "--changed")
    assert staged_changed.exit_code == 1
    assert "Compared 1 event with git:HEAD: 1 needs a MAJOR version bump." in _flat(
        staged_changed.output
    )

    # The reverse: a clean index, a breaking working tree.
    git(project.root, "reset", "-q")
    make_breaking(project)
    assert _diff(project, "--staged").exit_code == 0
    assert _diff(project, "--changed").exit_code == 1


def test_staged_and_changed_need_git(make_project):
    project = make_project()
    project.add_schema("segment/shop/Cart_Viewed/1-0", PROPS, description="An event.")
    for flag in ("--staged", "--changed"):
        result = _diff(project, flag)
        assert result.exit_code == 2, result.output
        assert "is not inside a git repository" in _flat(result.output)
        assert "Traceback" not in result.output
    mixed = _diff(project, "--changed", "--against", "segment")
    assert mixed.exit_code == 2
    assert "--staged and --changed compare with git" in _flat(mixed.output)
