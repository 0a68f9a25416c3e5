"""`reflekt hooks install|uninstall`: Reflekt's git pre-push hook (thin: parse, call, say)."""

from __future__ import annotations

import click

from reflekt.commands._common import Run, reflekt_command

_SAID = {
    "installed": "Installed the pre-push hook: {path}",
    "replaced": "Replaced the pre-push hook: {path}",
    "unchanged": "The pre-push hook is already installed: {path}",
    "removed": "Removed Reflekt's pre-push hook: {path}",
    "absent": "No pre-push hook to remove ({path})",
}


@reflekt_command("hooks")
@click.argument("action", type=click.Choice(["install", "uninstall"]), metavar="ACTION")
@click.option("--force", is_flag=True, help="install: replace a pre-push hook that is not ours.")
def command(run: Run, action: str, force: bool) -> int:
    """Install or remove Reflekt's git pre-push hook (for teams without pre-commit).

    ACTION is `install` or `uninstall`. The hook diffs the changed schemas against the
    merge-base of the upstream branch (`reflekt diff --against 'git:@{upstream}...'
    --changed`) and blocks a push whose changes break without a version bump. It goes where
    git looks (core.hooksPath respected). install refuses to overwrite a hook that is not
    Reflekt's (--force replaces it); uninstall removes only Reflekt's own hook.

    \b
    Examples:
      reflekt hooks install
      reflekt hooks install --force
      reflekt hooks uninstall
    """
    from reflekt.core.hooks import install_hook, uninstall_hook

    project = run.project()
    if action == "install":
        change = install_hook(project.root, force=force)
    else:
        change = uninstall_hook(project.root)
    run.err.print(_SAID[change.action].format(path=change.path), markup=False)
    return 0
