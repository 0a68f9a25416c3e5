"""The shared definitions' own findings in the TUI, as `reflekt lint` reports them.

A definition under `schemas/.reflekt/common/` is no schema of the tree: the events read it
through their `$ref`s. `reflekt lint` of the whole project checks each definition on its own
too (`lint_common_files`: RF101 json-syntax and RF104 ref-resolves, at the definition's own
file and line), so a broken definition nobody uses yet still fails it. The TUI shows those
findings the same way (same rule, file, line, message), under the definition's schema id
(`.reflekt/common/<name>/<M-m>.json`, as the CLI's JSON names it). No Textual here.

When they are computed: on every whole-project lint, as the CLI does; on a partial re-lint
only when a definition changed since (`common_stamp`: a stat of each, no read), so that an
edit of one event does not read every definition again.
"""

from __future__ import annotations

from pathlib import Path

from reflekt.core.lint.engine import lint_common_files
from reflekt.core.lint.findings import Finding
from reflekt.core.project import Project
from reflekt.core.refs import COMMON_DIR, common_file_at, common_stamp

SHARED_PREFIX = "/".join(COMMON_DIR) + "/"  # the schema id of every definition starts so

Stamp = tuple[tuple[str, int, int, int, int], ...]


def is_shared_id(schema_id: str) -> bool:
    """Whether a finding's schema id is a shared definition's (not an entry of the tree).
    The tree never lists a file under `schemas/.reflekt/`."""
    return schema_id.startswith(SHARED_PREFIX)


def shared_findings(
    project: Project, whole_project: bool, last: Stamp | None
) -> tuple[Stamp, tuple[Finding, ...] | None]:
    """The definitions' stamp now, and their findings when they are due: on a whole-project
    run, or when the stamp differs from `last` (the one the findings held were made at;
    None: none held). None for the findings: those held are still right.

    The stamp is taken before the files are read: a definition changed while they are read
    differs from it, and the next run reads it again."""
    stamp = common_stamp(project.schemas_dir)
    if not whole_project and stamp == last:
        return stamp, None
    return stamp, tuple(lint_common_files(project))


def shared_file(project: Project, schema_id: str) -> Path | None:
    """The definition file of a shared finding's schema id, to open in the editor: a
    regular file (not a symlink) inside `schemas/.reflekt/common/`, else None."""
    if not is_shared_id(schema_id):
        return None
    parts = schema_id[len(SHARED_PREFIX) :].split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return common_file_at(project.schemas_dir, parts)
