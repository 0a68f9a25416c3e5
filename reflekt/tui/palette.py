"""The command palette's entries (ctrl+p): every action of the main screen.

Each entry says what it acts on (the tree's selection) and the key that does the same, as
the user remapped it, so the palette also teaches the keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from reflekt.tui.bindings import key_hint
from reflekt.tui.screens.main import MainScreen

PaletteCommand = tuple[str, str, Callable[[], object]]  # (title, help, callback)


def main_screen_commands(
    screen: MainScreen, keymap: Mapping[str, str], binding_classes: Iterable[type]
) -> list[PaletteCommand]:
    """(title, help, callback) for every action of the main screen.

    `binding_classes` declare the bindings whose keys are named (the screen's and the app's).
    """
    classes = tuple(binding_classes)

    def key(binding_id: str) -> str:
        return key_hint(binding_id, keymap, classes)

    commands: list[PaletteCommand] = [
        (
            "Filter schemas",
            f"Narrow the tree as you type{key('main.filter')}",
            screen.action_filter,
        ),
        (
            "Show schema",
            f"The schema view tab{key('main.tab_schema')}",
            lambda: screen.action_tab("schema"),
        ),
        (
            "Toggle raw JSON",
            f"Properties table or the file's text{key('main.raw')}",
            screen.action_toggle_raw,
        ),
        (
            "Edit schema in $EDITOR",
            f"Open the selected file{key('main.edit')}",
            screen.action_edit_schema,
        ),
        (
            "Reload project",
            f"Re-read every schema file and lint again{key('main.reload')}",
            screen.action_reload,
        ),
        ("Quit", f"Leave Reflekt{key('app.quit')}", screen.app.exit),
    ]
    select = screen.registry_select()
    target = select or "the selected event or plan"
    commands += [
        (
            "Diff selection",
            f"Compare {target} with the registry{key('main.diff')}",
            screen.action_diff,
        ),
        (
            "Diff selection against a git ref",
            f"Compare {target} with its files at a git ref",
            screen.action_diff_git_ref,
        ),
        ("Pull selection", f"Bring {target} from the registry", screen.action_pull),
        (
            "Push selection",
            f"Show the diff, then publish {target} to Segment after confirmation",
            screen.action_push,
        ),
        (
            "Push selection despite lint errors",
            f"As `reflekt push --force`: diff {target}, confirm, then publish",
            lambda: screen.action_push(force=True),
        ),
        ("Show diff", f"The diff tab{key('main.tab_diff')}", lambda: screen.action_tab("diff")),
        (
            "Build dbt package",
            f"The build wizard: schemas, source, preview, write{key('main.build')}",
            screen.action_build,
        ),
        (
            "Build docs",
            "Write the event catalog (HTML, as `reflekt build docs`) and show where",
            screen.action_build_docs,
        ),
    ]
    commands += [
        (
            "Lint all",
            f"Lint every schema of the project{key('main.lint_all')}",
            screen.action_lint_all,
        ),
        (
            "Show lint findings",
            f"The lint tab{key('main.tab_lint')}",
            lambda: screen.action_tab("lint"),
        ),
    ]
    return commands
