"""`reflekt diff --against git:REF` skips the events whose files are the same at the ref.

The shortcut (no read at the ref, no diff) must answer what the full comparison answers:
each case below edits a committed project in one way (or several at once) and compares every
output format of `compare(...)` with `compare(..., skip_unchanged=False)`, and the CLI's
`--format json` and text with the full comparison's. Real git repositories; the CLI through
Click's runner, the core through its API.
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from workflow_support import MORE, PROPS, commit_all, git

from reflekt.cli import cli
from reflekt.core.output.diff import FORMATS
from reflekt.core.project import load_project
from reflekt.core.registries.compare import compare

MONEY = {"type": "object", "description": "An amount.", "properties": {"value": {"type": "number"}}}
OTHER = {"type": "string", "description": "A code."}
NOT_SCHEMA = '{"type": "object", "properties": {"cart_id": {"type": {}}}}\n'


def _project(make_project):
    """Events of every shape a change can touch, committed on main."""
    project = make_project()
    root = project.root
    project.add_schema("segment/shop/Two_Versions/1-0", PROPS, description="An event.")
    project.add_schema("segment/shop/Two_Versions/1-1", MORE, description="An event.")
    project.add_schema("segment/shop/Plain/1-0", PROPS, description="An event.")
    project.add_schema("segment/shop/Renamed_Later/1-0", PROPS, description="An event.")
    project.add_schema("segment/shop/Gone_Later/1-0", PROPS, description="An event.")
    project.add_schema(
        "segment/shop/Named/1-0", PROPS, name="Named By Self", description="An event."
    )
    project.add_schema(
        "segment/shop/Uses_Money/1-0",
        {**PROPS, "total": {"$ref": "common/money/1-0.json"}},
        description="An event.",
    )
    project.add_schema(
        "segment/shop/Uses_Other/1-0",
        {**PROPS, "code": {"$ref": "common/other/1-0.json"}},
        description="An event.",
    )
    project.write_raw("schemas/.reflekt/common/money/1-0.json", json.dumps(MONEY, indent=2))
    project.write_raw("schemas/.reflekt/common/other/1-0.json", json.dumps(OTHER, indent=2))
    # JSON the diff cannot read as JSON Schema (lint's RF102), the same on both sides.
    project.write_raw("schemas/segment/shop/Not_Schema/1-0.json", NOT_SCHEMA)
    # Committed with a byte order mark (the text read is the same without it).
    with_bom = project.schemas_dir / "segment/shop/Bom_At_Ref/1-0.json"
    project.add_schema("segment/shop/Bom_At_Ref/1-0", PROPS, description="An event.")
    with_bom.write_bytes(b"\xef\xbb\xbf" + with_bom.read_bytes())
    (root / ".gitignore").write_text(".logs/\n.reflekt_cache/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "base")
    return project


def _schema(project, schema_id: str):
    return project.schemas_dir / f"segment/shop/{schema_id}.json"


def _edit_in_place(project):
    path = _schema(project, "Two_Versions/1-1")
    path.write_text(path.read_text().replace("A coupon.", "The coupon."), encoding="utf-8")


def _add_version(project):
    project.add_schema("segment/shop/Plain/1-1", MORE, description="An event.")


def _remove_version(project):
    _schema(project, "Two_Versions/1-1").unlink()


def _rename_version(project):
    old = _schema(project, "Renamed_Later/1-0")
    old.rename(old.with_name("2-0.json"))


def _remove_event(project):
    shutil.rmtree(_schema(project, "Gone_Later/1-0").parent)


def _add_event(project):
    project.add_schema("segment/shop/Brand_New/1-0", PROPS, description="An event.")


def _change_definition(project):
    """A shared definition one event uses: that event changes, the others do not."""
    changed = {**MONEY, "properties": {"value": {"type": "integer"}}}
    project.write_raw("schemas/.reflekt/common/money/1-0.json", json.dumps(changed, indent=2))


def _touch_definition_bytes(project):
    """common/ differs by whitespace only: nothing changes, but `$ref` users are compared."""
    path = project.schemas_dir / ".reflekt/common/other/1-0.json"
    path.write_text(path.read_text() + "\n\n", encoding="utf-8")


def _whitespace(project):
    path = _schema(project, "Plain/1-0")
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(json.dumps(json.loads(text)) + "\n", encoding="utf-8")


def _crlf(project):
    path = _schema(project, "Named/1-0")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def _bom_added(project):
    path = _schema(project, "Plain/1-0")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


def _bom_removed(project):
    path = _schema(project, "Bom_At_Ref/1-0")
    path.write_bytes(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))


def _edit_not_schema_description(project):
    """Same bytes, other JSON types: `1` where the ref has `true` (Python's `==` says equal)."""
    path = _schema(project, "Not_Schema/1-0")
    path.write_text(NOT_SCHEMA.replace('"type": {}', '"type": {}, "x": true'), encoding="utf-8")
    commit_all(project.root, "x is true")
    path.write_text(NOT_SCHEMA.replace('"type": {}', '"type": {}, "x": 1'), encoding="utf-8")


EDITS = {
    "nothing": [],
    "edited-in-place": [_edit_in_place],
    "added-version": [_add_version],
    "removed-version": [_remove_version],
    "renamed-version": [_rename_version],
    "removed-event": [_remove_event],
    "added-event": [_add_event],
    "changed-definition": [_change_definition],
    "definition-whitespace": [_touch_definition_bytes],
    "whitespace-only": [_whitespace],
    "crlf": [_crlf],
    "bom-added-locally": [_bom_added],
    "bom-only-at-the-ref": [_bom_removed],
    "every-kind-at-once": [
        _edit_in_place,
        _add_version,
        _rename_version,
        _remove_event,
        _add_event,
        _change_definition,
        _crlf,
        _bom_removed,
    ],
}


def _reports(project, against: str = "git:HEAD", selects: list[str] | None = None):
    loaded = load_project(project.root)
    fast = compare(loaded, None, selects or [], against=against)
    full = compare(loaded, None, selects or [], against=against, skip_unchanged=False)
    return loaded, fast, full


@pytest.mark.parametrize("edits", sorted(EDITS))
def test_the_shortcut_answers_what_the_full_comparison_answers(make_project, edits):
    project = _project(make_project)
    for edit in EDITS[edits]:
        edit(project)
    loaded, fast, full = _reports(project)
    assert fast.to_dict() == full.to_dict()
    for name, formatter in FORMATS.items():
        assert formatter(fast, loaded.root) == formatter(full, loaded.root), name
    for args, name in ((["--format", "json"], "json"), ([], "text")):
        result = CliRunner().invoke(
            cli, ["diff", "--against", "git:HEAD", *args, "--project-dir", str(project.root)]
        )
        assert result.exit_code == full.exit_code(), result.output
        assert result.stdout == FORMATS[name](full, loaded.root)


def test_what_each_edit_is_reported_as(make_project):
    """The cases above are not all "unchanged": the edits show through the shortcut."""
    project = _project(make_project)
    for edit in EDITS["every-kind-at-once"]:
        edit(project)
    _, fast, _ = _reports(project)
    verdicts = {
        event.event_key.removeprefix("segment/shop/"): event.verdict for event in fast.events
    }
    assert verdicts == {
        "Bom_At_Ref": "unchanged",
        "Brand_New": "new",
        "Gone_Later": "removed",
        "Named": "unchanged",
        "Not_Schema": "unchanged",
        "Plain": "compatible",
        "Renamed_Later": "unchanged",  # 2-0 compared with 1-0: the same schema
        "Two_Versions": "compatible",
        "Uses_Money": "breaking",
        "Uses_Other": "unchanged",
    }
    named = next(e for e in fast.events if e.event_key.endswith("/Named"))
    assert (named.name, named.local_id) == ("Named By Self", "segment/shop/Named/1-0.json")


def test_a_selection_and_a_merge_base_take_the_shortcut_too(make_project):
    project = _project(make_project)
    git(project.root, "checkout", "-q", "-b", "feature")
    _edit_in_place(project)
    _change_definition(project)
    commit_all(project.root, "feature")
    _crlf(project)
    for selects in ([], ["segment/shop/Two_Versions"], ["segment/shop/Named/1-0"]):
        loaded, fast, full = _reports(project, "git:main...", selects)
        assert FORMATS["json"](fast, loaded.root) == FORMATS["json"](full, loaded.root)


def test_same_bytes_other_json_types_are_still_compared(make_project):
    """`{"x": true}` at the ref and `{"x": 1}` locally are equal to Python but not the same
    file: the event is read and compared (here: an error, as the diff cannot read it)."""
    project = _project(make_project)
    _edit_not_schema_description(project)
    result = CliRunner().invoke(
        cli, ["diff", "--against", "git:HEAD", "--project-dir", str(project.root)]
    )
    assert result.exit_code == 2, result.output
    assert "cannot compare segment/shop/Not_Schema" in result.output


def _read_at_ref(project, against: str = "git:HEAD") -> int:
    """How many schema files the comparison reads at the ref (its progress says it)."""
    seen: list[int] = []

    def progress(done: int, total: int, what: str) -> None:
        if what.startswith("reading schemas at"):
            seen.append(total)

    compare(load_project(project.root), None, [], against=against, progress=progress)
    return max(seen, default=0)


def test_the_ref_side_reads_only_the_events_that_differ(make_project):
    project = _project(make_project)
    # Bom_At_Ref only: the text read locally (a byte order mark is not part of it) is
    # compared with the blob at the ref, which has one; a local mark alone is no change
    assert _read_at_ref(project) == 1
    _bom_added(project)
    assert _read_at_ref(project) == 1
    _edit_in_place(project)  # Two_Versions: both of its files are read at the ref
    assert _read_at_ref(project) == 3
    _whitespace(project)  # Plain: other bytes, same JSON: read and compared
    assert _read_at_ref(project) == 4
    _touch_definition_bytes(project)  # common/ differs: the two events with `$ref`s too
    assert _read_at_ref(project) == 6


def test_an_unchanged_event_the_diff_cannot_read_is_unchanged(make_project):
    """The full comparison too: nothing changed, so the shape lint reports (RF102) does not
    fail the comparison (it did: `cannot compare`, exit 2)."""
    project = _project(make_project)
    _whitespace(project)
    for skip in (True, False):
        report = compare(
            load_project(project.root), None, [], against="git:HEAD", skip_unchanged=skip
        )
        [event] = [e for e in report.events if e.event_key.endswith("/Not_Schema")]
        assert (event.verdict, event.note, event.outcome) == ("unchanged", "no change", "no change")
