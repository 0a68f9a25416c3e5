"""The lint cache (`.reflekt_cache/lint/`): it never changes a result, survives broken and
hostile cache files, two runs at once and a project it cannot write; --no-cache,
REFLEKT_NO_CACHE and `reflekt cache clean`."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reflekt.cli import cli
from reflekt.core.lint import lint_project
from reflekt.core.lint.cache import (
    FORMAT,
    RowTable,
    decode_index,
    encode_index,
    load_index_file,
    stat_key,
    stored_value_rows,
)
from reflekt.core.lint.engine import PARALLEL_THRESHOLD, lint_referenced_common_files
from reflekt.core.lint.findings import Finding, finding_fields, sort_key
from reflekt.core.project import load_project
from reflekt.core.schemas import list_schema_files

GOOD = {"cart_id": {"type": "string", "description": "The cart."}}
CAMEL = {"cartId": {"type": "string", "description": "The cart."}}  # RF311
NUMBER = {"cart_id": {"type": "number", "description": "The cart."}}  # RF601 after GOOD
EXTRA = {**GOOD, "sku": {"type": "string", "description": "The sku."}}
# `cart_id` from a shared definition: its findings follow edits of schemas/.reflekt/common/.
SHARED = {"cart_id": {"$ref": "common/cart/1-0.json#/definitions/cart_id"}}
# The same from the other definition file (its name as long: a same-size edit swaps them),
# and from both.
SHARED_2 = {"cart_id": {"$ref": "common/cart/2-0.json#/definitions/cart_id"}}
SHARED_BOTH = {**SHARED, "sku": {"$ref": "common/cart/2-0.json#/definitions/cart_id"}}
BODIES = [GOOD, CAMEL, NUMBER, EXTRA, {}, SHARED, SHARED_2, SHARED_BOTH]
COMMON_FILE = ".reflekt/common/cart/1-0.json"
COMMON_FILES = [COMMON_FILE, ".reflekt/common/cart/2-0.json"]
COMMONS = [  # what a shared definition file holds after a "common" edit
    json.dumps({"definitions": {"cart_id": GOOD["cart_id"]}}),
    json.dumps({"definitions": {"cart_id": NUMBER["cart_id"]}}),  # RF601 after GOOD
    json.dumps({"definitions": {"cart_id": {"type": "string"}}}),  # RF402
    json.dumps({"definitions": {"cart_id": {"$ref": "#/definitions/cart_id"}}}),  # RF104
    '{"definitions": ',  # RF104: not JSON
    None,  # removed: RF104
]
# A "common" edit of either definition file: one of COMMONS, or the other file's definition
# (reached transitively; from cart/2-0.json itself, a cycle).
COMMON_EDITS = [*COMMONS, json.dumps({"definitions": {"cart_id": SHARED_2["cart_id"]}})]
EVENTS = ["Cart_Viewed", "Cart_Left", "Order_Done"]
VERSIONS = ["1-0", "1-1", "2-0", "1-2"]


def index_files(root: Path) -> list[Path]:
    """The index files (each with the delta of its generation, if any, beside it)."""
    return sorted((root / ".reflekt_cache" / "lint").glob("index-*.idx"))


def _fingerprint(index: Path) -> str:
    return index.name.removeprefix("index-").removesuffix(".idx")


NAMES = ("files", "events", "folders", "file_rows", "event_rows", "flags", "table")


def read_index(index: Path) -> dict:
    """The index's entries: files and events (strings), and the finding rows of each, as
    readable rows (`[id, file, line, column, rule, name, severity, message, property,
    suggestion, path]`, the numbers of the stored rows looked up in its table)."""
    assert decode_index(index.read_bytes(), _fingerprint(index)) is not None
    loaded = load_index_file(index, _fingerprint(index))  # with its delta applied
    flags = {name for name in ("complete", "listed") if getattr(loaded, name)}
    data = {name: getattr(loaded, name) for name in NAMES if name not in ("flags", "table")}
    data["flags"] = flags
    table = loaded.table
    for name in ("file_rows", "event_rows"):
        data[name] = {
            key: [_readable(row, table) for row in stored_value_rows(value)]
            for key, value in data[name].items()
        }
    return data


def _readable(row: list, table: RowTable) -> list:
    text = table.strings
    opt = [None if row[at] is None else text[row[at]] for at in (8, 9)]
    return [*(text[row[at]] for at in (0, 1)), row[2], row[3],
            *(text[row[at]] for at in (4, 5, 6, 7)), *opt, list(table.paths[row[10]])]  # fmt: skip


def write_index(index: Path, data: dict) -> None:
    """`read_index`'s data back as an index; rows that are not readable rows are kept as
    they are (to plant broken ones)."""
    table = RowTable()
    stores = {}
    for name in ("file_rows", "event_rows"):
        stores[name] = {key: _value(rows, table) for key, rows in data[name].items()}
    parts = [stores.get(name, data.get(name)) for name in NAMES[:-1]]
    index.write_text(encode_index(_fingerprint(index), *parts, table), encoding="utf-8")


def _value(rows: list, table: RowTable) -> str:
    """The stored value of readable rows: `<errors>|<rows>` (a planted row as it is)."""
    errors = sum(1 for row in rows if isinstance(row, list) and row[6:7] == ["error"])
    return f"{errors}|{json.dumps([_stored(row, table) for row in rows])}"


def _stored(row, table: RowTable):
    if not (isinstance(row, list) and len(row) == 11 and isinstance(row[0], str)):
        return row
    text = table._string
    return [text(row[0]), text(row[1]), row[2], row[3], *(text(v) for v in row[4:10]),
            table._path(tuple(row[10]))]  # fmt: skip


def index_format(index: Path) -> int:
    return int(index.read_text(encoding="utf-8").split(" ", 2)[1])


def trusted_entry(path: Path, digest: str, count: int, refs: str = "-") -> str:
    """An entry that claims the file's current stat (not racy), the shared definitions
    `refs` (its refs field: `-` for none) and `count` findings."""
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino} {digest} {refs} {count}"


def refs_of(entry: str) -> str:
    """The refs field of a file's entry (the shared definitions its bytes name)."""
    return entry.removeprefix("~").split(" ")[5]


def digest_of(entry: str) -> str:
    return entry.removeprefix("~").split(" ")[4]


def both(root: Path, paths: list[Path] | None = None, *, whole: bool | None = None, shared=False):
    """Lint with and without the cache, and lazily (the TUI's way: the unchanged files'
    findings decoded from the index one file at a time); assert the reports are the same;
    return the cached. `shared`: the shared definitions too (as `reflekt lint` does); over
    given `paths` those are the definitions the files reach, which must be what reading
    each file for its `$ref`s finds (`lint_referenced_common_files` told nothing), whether
    the names came from the index or from this run's parse."""
    project = load_project(root)
    cached = lint_project(project, paths, cache=True, whole_project=whole, shared=shared)
    fresh = lint_project(project, paths, shared=shared)
    assert cached.findings == fresh.findings
    if shared and paths is not None and not whole:
        plain = lint_project(project, paths).findings
        read = lint_referenced_common_files(project, paths)
        assert fresh.findings == sorted([*plain, *read], key=sort_key)
    assert cached.files == fresh.files and cached.schemas == fresh.schemas
    lazy = lint_project(project, paths, cache=True, whole_project=whole, lazy=True, shared=shared)
    assert all_findings(lazy) == fresh.findings
    assert (lazy.errors, lazy.warnings) == (fresh.errors, fresh.warnings)
    assert lazy.files == fresh.files and lazy.schemas == fresh.schemas
    return cached


def all_findings(report) -> list:
    """A report's findings with those it left in the index (`lazy=True`), in lint's order."""
    stored = report.stored.all() if report.stored is not None else []
    return sorted([*report.findings, *stored], key=sort_key)


def configure(root: Path, rules: dict[str, str]) -> None:
    path = root / "reflekt_project.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["lint"] = {"rules": rules} if rules else {}
    if not rules:
        config.pop("lint")
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


_examples = itertools.count()

# One edit between runs: (kind, event, version, body or rule choice).
edits = st.tuples(
    st.sampled_from(
        [
            "add",
            "remove",
            "same-size",
            "ref-swap",
            "touch-back",
            "rules",
            "raw",
            "subset",
            "common",
        ]
    ),
    st.sampled_from(EVENTS),
    st.sampled_from(VERSIONS),
    st.integers(min_value=0, max_value=len(BODIES) - 1),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(edits, min_size=1, max_size=8))
def test_the_cache_never_changes_a_result(make_project, edit_list):
    _edit_and_compare(make_project, edit_list)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(edits, min_size=1, max_size=8))
def test_the_cache_never_changes_a_result_when_every_stat_is_trusted(
    make_project, no_racy_window, edit_list
):
    """The same with no racy window: unchanged files are answered by their stat alone, so
    whole runs take the warm path (`core/lint/warm.py`) with only the edited events linted."""
    _edit_and_compare(make_project, edit_list)


def _edit_and_compare(make_project, edit_list) -> None:
    builder = make_project(folder=f"p{next(_examples)}")
    root = builder.root
    builder.add_schema("segment/shop/Cart_Viewed/1-0.json", GOOD)
    builder.add_schema("segment/shop/Cart_Viewed/1-1.json", NUMBER)
    builder.add_schema("segment/shop/Cart_Left/1-0.json", CAMEL)
    builder.add_schema("segment/shop/Order_Done/1-0.json", SHARED_BOTH)
    _edit_common(builder, COMMONS[0], COMMON_FILES[0])
    _edit_common(
        builder, COMMONS[3], COMMON_FILES[1]
    )  # RF104: only a selection reaching it says so
    both(root)
    for kind, event, version, choice in edit_list:
        schema_id = f"segment/shop/{event}/{version}.json"
        path = builder.schemas_dir / schema_id
        if kind == "add":
            builder.add_schema(schema_id, BODIES[choice])
        elif kind == "remove":
            path.unlink(missing_ok=True)
        elif kind == "same-size" and path.exists():
            text = path.read_text(encoding="utf-8")
            swapped = text.replace("cart_id", "cartXid").replace("string", "strinG")
            old = path.stat()
            path.write_text(swapped, encoding="utf-8")
            os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))  # the stat looks the same
        elif kind == "ref-swap" and path.exists():
            # a same-size edit of its `$ref`s, the mtime put back (only the ctime tells)
            _swap_refs(path, drop=bool(choice % 2))
        elif kind == "touch-back" and path.exists():
            os.utime(path, ns=(0, 0))
        elif kind == "rules":
            choices = [
                {},
                {"RF311": "off"},
                {"RF311": "warning"},
                {"RF601": "off"},
                {"RF402": "off"},
            ]
            configure(root, choices[choice % len(choices)])
        elif kind == "raw":
            raws = ['{"$id": ', "[]", "", "{}", "nul"]
            builder.write_raw(f"schemas/{schema_id}", raws[choice % len(raws)])
        elif kind == "common":
            which = COMMON_FILES[VERSIONS.index(version) % len(COMMON_FILES)]
            _edit_common(builder, COMMON_EDITS[choice % len(COMMON_EDITS)], which)
        elif kind == "subset" and path.exists():
            both(root, [path])
            both(root, [path], shared=True)  # with the definitions it references
            continue
        both(root)
        # every file given (`--select segment`): the unchanged ones' `$ref`s from the index
        both(root, list_schema_files(builder.schemas_dir), whole=False, shared=True)


def _swap_refs(path: Path, *, drop: bool) -> None:
    """The file references the other definition file instead (cart/1-0 <-> cart/2-0); with
    `drop` its first `$ref` also becomes `$rex` (no reference), or a `$rex` one again. The
    same size, the mtime put back."""
    text = path.read_text(encoding="utf-8")
    swapped = text.replace("cart/1-0.json", "cart/X-0.json").replace(
        "cart/2-0.json", "cart/1-0.json"
    )
    swapped = swapped.replace("cart/X-0.json", "cart/2-0.json")
    if drop:
        old, new = ('"$ref"', '"$rex"') if '"$ref"' in swapped else ('"$rex"', '"$ref"')
        swapped = swapped.replace(old, new, 1)
    st = path.stat()
    path.write_text(swapped, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _edit_common(builder, text: str | None, rel: str = COMMON_FILE) -> None:
    """Write (None: remove) a shared definition, keeping its size and mtime when it can
    (a stat-based cache would not see the edit)."""
    path = builder.schemas_dir / rel
    if text is None:
        path.unlink(missing_ok=True)
        return
    old = path.stat() if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if old is not None:
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))


@pytest.mark.parametrize("bound", [None, 1])
def test_an_edit_of_a_shared_definition_changes_the_cached_findings(
    make_project, monkeypatch, bound
):
    """Editing only schemas/.reflekt/common/ changes the findings of the files that use it,
    cached or not (the events' own files are untouched). With more definition files than
    the fingerprint looks at (`refs.MAX_COMMON_FILES`, lowered here) there is no cache: its
    signature is "too many" whatever they hold, and the cache used to trust it."""
    from reflekt.core import refs

    if bound is not None:
        monkeypatch.setattr(refs, "MAX_COMMON_FILES", bound)
    builder = make_project(folder="shared-edit")
    builder.add_schema("segment/shop/Cart_Viewed/1-0.json", GOOD)
    builder.add_schema("segment/shop/Cart_Viewed/1-1.json", SHARED)
    builder.write_raw("schemas/.reflekt/common/other/1-0.json", '{"definitions": {}}')
    _edit_common(builder, COMMONS[0])
    assert [f.rule for f in both(builder.root).findings] == []
    assert bool(index_files(builder.root)) == (bound is None)  # two files: "too many"
    _edit_common(builder, COMMONS[1])  # the definition became a number: a breaking change
    assert [f.rule for f in both(builder.root).findings] == ["RF601"]
    _edit_common(builder, COMMONS[2])
    assert [f.rule for f in both(builder.root).findings] == ["RF402"]
    _edit_common(builder, None)  # RF601: the diff cannot prove a `$ref` accepts a string
    assert sorted(f.rule for f in both(builder.root).findings) == ["RF104", "RF601"]
    _edit_common(builder, COMMONS[0])
    assert [f.rule for f in both(builder.root).findings] == []


def test_a_selection_checks_the_definition_it_references_cached_or_not(make_project):
    """A select run of a file using the shared definition reports that definition's own
    findings (RF101, RF104 at its line) exactly as the uncached run, across edits of it;
    a file that references nothing reaches no definition."""
    builder = make_project(folder="shared-select")
    builder.add_schema("segment/shop/Cart_Viewed/1-0.json", GOOD)
    user = builder.add_schema("segment/shop/Cart_Viewed/1-1.json", SHARED)
    plain = builder.schemas_dir / "segment/shop/Cart_Viewed/1-0.json"
    common = f"schemas/{COMMON_FILE}"
    seen = []
    for text in COMMONS:
        _edit_common(builder, text)
        for _ in range(2):  # cold, then warm
            report = both(builder.root, [user], shared=True)
            assert (
                both(builder.root, [plain], shared=True).findings
                == both(builder.root, [plain]).findings
            )
        seen.append(sorted((f.rule, f.line) for f in report.findings if f.file == common))
    assert seen == [[], [], [], [("RF104", 1)], [("RF101", 1)], []]
    assert both(builder.root, shared=True).findings == both(builder.root, whole=True).findings


def _project_with_findings(builder) -> Path:
    builder.add_schema("segment/shop/Cart_Viewed/1-0.json", GOOD)
    builder.add_schema("segment/shop/Cart_Viewed/1-1.json", NUMBER)
    builder.add_schema("segment/shop/Cart_Left/1-0.json", CAMEL)
    return builder.root


def test_a_run_writes_one_index_and_the_next_reads_it(make_project):
    root = _project_with_findings(make_project())
    first = both(root)
    [index] = index_files(root)
    data = read_index(index)
    assert index_format(index) == FORMAT
    assert set(data["files"]) == set(first.files)
    assert set(data["events"]) == {"segment/shop/Cart_Viewed", "segment/shop/Cart_Left"}
    assert {f.rule for f in first.findings} >= {"RF311", "RF601"}
    assert both(root).findings == first.findings


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{",
        '{"format": 1, "fingerprint": "x", "files": {}, "events": {}}',  # the old layout
        f'reflekt-lint-index {FORMAT} x\n{{"files":{{}},"events":{{}}}}\n0 0\n',  # not ours
        'reflekt-lint-index 999 {print}\n{{"files":{{}},"events":{{}}}}\n0 0\n',
        "reflekt-lint-index {format} {print}\n" + "[" * 100_000 + "]" * 100_000 + "\n0 0\n",
        'reflekt-lint-index {format} {print}\n{{"files":{{}},"events":{{}}}}\n5 0\na\nb\n',
        'reflekt-lint-index {format} {print}\n{{"files":{{}},"events":{{}}}}\n0 0\nno entry\n',
        'reflekt-lint-index {format} {print}\n{{"files":[],"events":{{}}}}\n0 0\n',
        'reflekt-lint-index {format} {print}\n{{"files":{{}},"events":{{}}}}\n0 0\na\nb',
        "\x00\xff garbage",
    ],
    ids=[
        "empty",
        "truncated",
        "format-1",
        "foreign-fingerprint",
        "foreign-format",
        "deep",
        "bad-count",
        "odd-lines",
        "rows-not-an-object",
        "no-final-newline",
        "binary",
    ],
)
def test_a_broken_or_foreign_index_is_ignored_and_rebuilt(make_project, content):
    root = _project_with_findings(make_project())
    expected = both(root).findings
    [index] = index_files(root)
    content = content.replace("{format}", str(FORMAT)).replace("{print}", _fingerprint(index))
    content = content.replace("{{", "{").replace("}}", "}")
    index.write_text(content, encoding="utf-8", errors="surrogateescape")

    assert both(root).findings == expected
    assert index_format(index) == FORMAT  # rebuilt
    assert set(read_index(index)["files"]) == set(both(root).files)


def test_hostile_entries_are_misses_not_findings(make_project):
    root = _project_with_findings(make_project())
    expected = both(root).findings
    [index] = index_files(root)
    data = read_index(index)
    for rel, entry in data["files"].items():
        data["files"][rel] = trusted_entry(root / rel, digest_of(entry), 1)
        data["file_rows"][rel] = [
            ["x", rel, "one", None, "RF999", "n", "fatal", "\x1b[31m", None, None, []]
        ]
    for key, entry in data["events"].items():
        data["events"][key] = "1:" + entry.partition(":")[2]
        data["event_rows"][key] = [[1, 2, 3]]
    write_index(index, data)

    assert both(root).findings == expected


def test_a_truncated_entry_list_is_a_miss(make_project):
    root = _project_with_findings(make_project())
    expected = both(root).findings
    [index] = index_files(root)
    data = read_index(index)
    data["files"] = {rel: " ".join(entry.split(" ")[:3]) for rel, entry in data["files"].items()}
    data["events"] = {key: "x" for key in data["events"]}
    write_index(index, data)

    assert both(root).findings == expected


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and ".reflekt_cache" not in path.relative_to(root).parts
    }


def test_the_cache_writes_only_inside_reflekt_cache(make_project):
    root = _project_with_findings(make_project())
    before = _tree(root)
    both(root)
    builder_path = root / "schemas/segment/shop/Cart_Left/1-0.json"
    builder_path.write_text(builder_path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    before = _tree(root)
    both(root)
    assert _tree(root) == before
    written = [p for p in (root / ".reflekt_cache").rglob("*") if p.is_file()]
    assert written and all(p.parent == root / ".reflekt_cache" / "lint" for p in written)


def test_a_symlinked_cache_folder_is_not_written_through(make_project, tmp_path):
    root = _project_with_findings(make_project())
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / ".reflekt_cache").mkdir(exist_ok=True)
    (root / ".reflekt_cache" / "lint").symlink_to(outside)

    both(root)
    assert list(outside.iterdir()) == []


def test_a_project_whose_cache_cannot_be_written_still_lints(make_project):
    root = _project_with_findings(make_project())
    shutil.rmtree(root / ".reflekt_cache", ignore_errors=True)
    (root / ".reflekt_cache").write_text("not a folder", encoding="utf-8")

    result = CliRunner().invoke(cli, ["lint", "--project-dir", str(root), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} >= {"RF311", "RF601"}
    assert (root / ".reflekt_cache").read_text(encoding="utf-8") == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_cache_folder_still_lints(make_project):
    root = _project_with_findings(make_project())
    expected = both(root).findings
    shutil.rmtree(root / ".reflekt_cache" / "lint")
    (root / ".reflekt_cache").chmod(0o555)
    try:
        assert both(root).findings == expected
        assert not (root / ".reflekt_cache" / "lint").exists()
    finally:
        (root / ".reflekt_cache").chmod(0o755)


def test_a_subset_updates_only_its_own_entries(make_project):
    builder = make_project()
    root = _project_with_findings(builder)
    both(root)
    [index] = index_files(root)
    before = read_index(index)
    left = builder.add_schema("segment/shop/Cart_Left/1-0.json", EXTRA)
    builder.add_schema("segment/shop/Cart_Viewed/1-0.json", CAMEL)

    both(root, [left])
    after = read_index(index)
    viewed = "schemas/segment/shop/Cart_Viewed/1-0.json"
    left_rel = "schemas/segment/shop/Cart_Left/1-0.json"
    assert after["files"][viewed] == before["files"][viewed]
    assert before["files"][left_rel].endswith(" 1") and left_rel in before["file_rows"]
    assert after["files"][left_rel].endswith(" 0") and left_rel not in after["file_rows"]
    assert set(after["files"]) == set(before["files"])
    both(root)  # and the whole project still agrees


def test_removed_files_leave_the_index_on_a_whole_run(make_project):
    root = _project_with_findings(make_project())
    both(root)
    (root / "schemas/segment/shop/Cart_Left/1-0.json").unlink()
    both(root)
    [index] = index_files(root)
    data = read_index(index)
    assert "schemas/segment/shop/Cart_Left/1-0.json" not in data["files"]
    assert "schemas/segment/shop/Cart_Left/1-0.json" not in data["file_rows"]
    assert "segment/shop/Cart_Left" not in data["events"]


def test_another_config_is_another_index(make_project):
    root = _project_with_findings(make_project())
    both(root)
    [first] = index_files(root)
    configure(root, {"RF311": "warning"})
    report = both(root)
    [second] = index_files(root)
    assert second != first
    assert {f.severity for f in report.findings if f.rule == "RF311"} == {"warning"}


def test_the_forked_path_with_the_cache(make_project):
    builder = make_project()
    for index in range(PARALLEL_THRESHOLD + 10):
        letters = "".join(chr(ord("A") + int(d)) for d in f"{index:05d}")
        builder.add_schema(f"segment/p{index % 5}/Event_{letters.title()}/1-0.json", GOOD)
    builder.add_schema("segment/p0/Event_Gap/1-0.json", CAMEL)
    builder.add_schema("segment/p0/Event_Gap/1-2.json", GOOD)
    project = load_project(builder.root)
    serial = lint_project(project, jobs=1)

    cold = lint_project(project, jobs=2, cache=True)
    warm = lint_project(project, jobs=2, cache=True)
    assert cold.findings == serial.findings == warm.findings
    assert {f.rule for f in serial.findings} == {"RF311", "RF204"}
    data = read_index(index_files(builder.root)[0])
    assert len(data["files"]) == PARALLEL_THRESHOLD + 12


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cold_index_writes_what_a_scanned_run_writes(make_project, monkeypatch, jobs):
    """Over an index without file entries the parent does not stat the files before
    linting (`engine._changed`: each file's state is made where it is linted): the same
    findings, and the same index, as a run that stats them first (`engine._scan`). With
    two jobs both runs lint while they list (`engine._lint_while_listing`), which stats
    nothing first either: the index is the same from one run to the next."""
    from reflekt.core import fsutil
    from reflekt.core.lint import engine

    monkeypatch.setattr(fsutil, "RACY_NS", -1_000_000_000)  # every entry kept, none racy
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 1)  # forked with 2 jobs
    builder = make_project()
    root = _project_with_findings(builder)
    builder.add_schema("segment/shop/Cart_Left/1-1.json", EXTRA)
    builder.add_schema("segment/other/Order_Done/1-0.json", SHARED)
    project = load_project(root)
    fresh = lint_project(project, jobs=jobs)
    cold = lint_project(project, jobs=jobs, cache=True)
    [index] = index_files(root)
    written = read_index(index)
    shutil.rmtree(root / ".reflekt_cache")
    monkeypatch.setattr(engine, "_changed", engine._scan)
    scanned = lint_project(project, jobs=jobs, cache=True)
    assert cold.findings == scanned.findings == fresh.findings
    assert {f.rule for f in fresh.findings} >= {"RF311", "RF601"}
    assert read_index(index) == written
    assert written["flags"] == {"complete", "listed"}
    assert len(written["files"]) == 5
    assert lint_project(project, jobs=jobs, cache=True).findings == fresh.findings


def test_a_store_only_prime_keeps_hostile_names_and_texts_exactly(make_project, monkeypatch):
    """The priming run's tuples (`store_only`) on what real plans hold: property names with
    `{{ }}`, quotes, a newline and bidi controls, non-ASCII names, a description that
    is a Jinja block, a file name that is not UTF-8, a file that does not parse, a version
    pair with a breaking change. Its index equals a normal run's, and the lint that
    reads it back gives exactly the uncached findings."""
    from reflekt.core import fsutil
    from reflekt.core.lint import engine

    monkeypatch.setattr(fsutil, "RACY_NS", -1_000_000_000)
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 3)
    monkeypatch.setattr(engine, "_STREAM_CHUNK", 2)
    hostile = {
        "{{ config.secret }}": {"type": "string", "description": "{% raw %}x{% endraw %}"},
        'say "hi"': {"type": "string", "description": "quotes"},
        "line\nbreak": {"type": "number", "description": "a newline"},
        "\u202eevil": {"type": "string", "description": "bidi \u202e override"},
        "Préférence_Élue": {"type": "string", "description": "non-ASCII"},
    }
    retyped = {**hostile, "Préférence_Élue": {"type": "number", "description": "x"}}  # RF601
    builder = make_project()
    for index in range(8):
        builder.add_schema(f"segment/p{index % 2}/Event_{chr(65 + index)}/1-0.json", hostile)
        builder.add_schema(f"segment/p{index % 2}/Event_{chr(65 + index)}/1-1.json", retyped)
    root = builder.root
    folder = root / "schemas" / "segment" / "p0"
    (folder / "Event_Broken").mkdir()
    (folder / "Event_Broken" / "1-0.json").write_text('{"self": {"name": ', encoding="utf-8")
    odd = os.fsdecode(b"Event_\xff")
    (folder / odd).mkdir()
    (folder / odd / "1-0.json").write_text(json.dumps(GOOD), encoding="utf-8")
    project = load_project(root)
    fresh = lint_project(project, jobs=1)
    assert {"RF101", "RF311", "RF601"} <= {f.rule for f in fresh.findings}
    assert any("{{ config.secret }}" in (f.property or "") for f in fresh.findings)

    lint_project(project, jobs=2, cache=True)
    [index] = index_files(root)
    normal = read_index(index)
    shutil.rmtree(root / ".reflekt_cache")
    primed = lint_project(project, jobs=2, cache=True, store_only=True)
    assert primed.findings == []
    [index] = index_files(root)
    stored = read_index(index)
    for name in ("files", "events", "file_rows", "event_rows", "flags"):
        assert stored[name] == normal[name], name
    assert lint_project(project, jobs=2, cache=True).findings == fresh.findings


def test_a_cold_whole_project_run_lints_while_it_lists(make_project, monkeypatch):
    """A cold whole-project lint on two cores starts the workers while the walk of
    schemas/ goes on (`engine._lint_while_listing`, a few folders a task): the findings,
    the index entries and the progress are those of a run given the listing first; whole
    event folders go to one task (the version rules see every version), and the index it
    writes lets the next run take the warm path."""
    from reflekt.core import fsutil
    from reflekt.core.lint import engine
    from reflekt.core.schemas import list_schema_paths

    monkeypatch.setattr(fsutil, "RACY_NS", -1_000_000_000)  # every entry kept, none racy
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 3)
    monkeypatch.setattr(engine, "_STREAM_CHUNK", 2)  # versions 1-0 and 1-1 share a task
    builder = make_project()
    for index in range(40):
        name = "".join(chr(ord("A") + int(d)) for d in f"{index:03d}").title()
        builder.add_schema(f"segment/p{index % 3}/Event_{name}/1-0.json", GOOD)
        if index % 4 == 0:  # a breaking change in a minor version: RF601 on 1-1
            builder.add_schema(f"segment/p{index % 3}/Event_{name}/1-1.json", NUMBER)
        if index % 5 == 0:
            builder.add_schema(f"segment/p{index % 3}/Event_{name}/2-0.json", CAMEL)
    root = builder.root
    project = load_project(root)
    calls: list[tuple[int, int | None]] = []

    streamed = lint_project(
        project, jobs=2, cache=True, progress=lambda done, total, _: calls.append((done, total))
    )
    [index] = index_files(root)
    written = read_index(index)
    fresh = lint_project(project, jobs=1)
    assert streamed.findings == fresh.findings and streamed.files == fresh.files
    assert {f.rule for f in fresh.findings} >= {"RF311", "RF601"}
    assert written["flags"] == {"complete", "listed"}
    assert calls[-1] == (streamed.schemas, streamed.schemas) == (58, 58)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert all(total in (None, 58) for _, total in calls)

    shutil.rmtree(root / ".reflekt_cache")
    listed = list_schema_paths(project.schemas_dir)
    given = lint_project(project, listed, jobs=2, cache=True, whole_project=True)
    assert given.findings == fresh.findings
    given_index = read_index(index_files(root)[0])
    assert given_index["files"] == written["files"]
    assert given_index["events"] == written["events"]

    shutil.rmtree(root / ".reflekt_cache")
    lint_project(project, jobs=2, cache=True)
    warm = lint_project(project, jobs=2, cache=True, lazy=True)
    assert warm.stored is not None  # the warm path: the files' findings left in the index
    assert sorted([*warm.findings, *warm.stored.all()], key=sort_key) == fresh.findings

    # The priming process's run: the findings only go to the index (sent as tuples).
    shutil.rmtree(root / ".reflekt_cache")
    primed = lint_project(project, jobs=2, cache=True, store_only=True)
    assert primed.findings == [] and primed.schemas == 58
    primed_index = read_index(index_files(root)[0])
    for name in ("files", "events", "file_rows", "event_rows", "flags"):
        assert primed_index[name] == written[name], name
    assert lint_project(project, jobs=2, cache=True).findings == fresh.findings


def test_stored_rows_are_written_as_json_writes_them():
    """`RowTable.value` writes the rows by hand: the text `json.dumps` of the rows gives,
    and the same table, for repeated ends of rows, nulls, negative and odd lines; the
    same from the findings' field tuples (what a priming worker sends)."""
    a = Finding("e/1-0.json", "schemas/e/1-0.json", 3, 7, "RF311", "casing", "error", "m", "p")
    findings = [
        a,
        replace(a, line=None, column=None, suggestion="s", path=("properties", 0)),
        replace(a, line=-1, severity="warning"),
        replace(a, schema_id="e/1-1.json", file="schemas/e/1-1.json", message='m\n"q\u00e9'),
        replace(a, line=True),  # not an int: as json writes a bool
        a,
    ]
    for chosen in (findings[:4], findings, findings[5:], []):
        by_hand, dumped, as_fields = RowTable(), RowTable(), RowTable()
        fields = [finding_fields(finding) for finding in chosen]
        assert by_hand.value(chosen) == dumped._dumped(fields) == as_fields.value(fields)
        assert by_hand.value(chosen) == dumped.value(chosen)  # the ends of rows kept
        assert (by_hand.strings, by_hand.paths) == (dumped.strings, dumped.paths)
        assert (as_fields.strings, as_fields.paths) == (dumped.strings, dumped.paths)
        if not any(isinstance(finding.line, bool) for finding in chosen):  # not a row
            assert dumped.findings(dumped.value(chosen)) == chosen


def _cli_lint(root: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(
        cli, ["lint", "--project-dir", str(root), "--format", "json", *args], env=env
    )


def test_no_cache_flag_neither_reads_nor_writes(make_project):
    root = _project_with_findings(make_project())
    result = _cli_lint(root, "--no-cache")
    assert result.exit_code == 1
    assert index_files(root) == []
    assert _cli_lint(root).stdout == result.stdout
    assert len(index_files(root)) == 1


@pytest.mark.parametrize("value", ["1", "yes"])
def test_reflekt_no_cache_env(make_project, value):
    root = _project_with_findings(make_project())
    result = _cli_lint(root, env={"REFLEKT_NO_CACHE": value})
    assert result.exit_code == 1
    assert index_files(root) == []
    assert _cli_lint(root, env={"REFLEKT_NO_CACHE": "0"}).stdout == result.stdout
    assert len(index_files(root)) == 1


def test_cache_clean_removes_the_lint_cache_and_says_so(make_project):
    root = _project_with_findings(make_project())
    _cli_lint(root)
    [index] = index_files(root)
    (root / ".reflekt_cache" / "lock").write_text("", encoding="utf-8")

    result = CliRunner().invoke(cli, ["cache", "clean", "--project-dir", str(root)])
    assert result.exit_code == 0, result.output
    assert f"removed .reflekt_cache/lint/{index.name}" in result.stdout
    assert "Removed 1 cache file(s)." in result.stderr
    assert not (root / ".reflekt_cache" / "lint").exists()
    assert (root / ".reflekt_cache" / "lock").exists()  # not a cache file

    again = CliRunner().invoke(cli, ["cache", "clean", "--project-dir", str(root)])
    assert again.exit_code == 0
    assert "No cache files to remove." in again.stderr


def test_cache_is_listed_in_help():
    result = CliRunner().invoke(cli, ["--help"])
    assert "cache" in result.output and "Remove Reflekt's cache files" in result.output


def test_two_lint_processes_at_once(make_project):
    builder = make_project()
    for index in range(300):
        letters = "".join(chr(ord("A") + int(d)) for d in f"{index:04d}")
        builder.add_schema(
            f"segment/p/Event_{letters.title()}/1-0.json", CAMEL if index % 7 else GOOD
        )
    root = builder.root
    expected = _cli_lint(root, "--no-cache").stdout
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3]), "NO_COLOR": "1"}
    args = [sys.executable, "-m", "reflekt", "lint", "--format", "json", "--project-dir", str(root)]
    runs = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [1, 1], outputs
    assert [out for out, _ in outputs] == [expected, expected]
    assert all("Traceback" not in err for _, err in outputs)
    [index] = index_files(root)
    assert index_format(index) == FORMAT
    assert _cli_lint(root).stdout == expected


def test_a_trusted_stat_is_not_read_and_a_changed_ctime_is(make_project):
    """An entry older than the racy window whose stat matches is answered without reading
    the file (shown here with a planted finding); setting mtime back after a same-size edit
    does not fool it, since ctime changed."""
    root = _project_with_findings(make_project())
    expected = both(root).findings
    [index] = index_files(root)
    data = read_index(index)
    rel = "schemas/segment/shop/Cart_Left/1-0.json"
    sid = "segment/shop/Cart_Left/1-0.json"
    planted = [
        sid,
        rel,
        1,
        1,
        "RF402",
        "property-description",
        "warning",
        "planted",
        None,
        None,
        [],
    ]
    data["files"][rel] = trusted_entry(root / rel, digest_of(data["files"][rel]), 1)
    data["file_rows"][rel] = [planted]
    write_index(index, data)
    project = load_project(root)

    trusted = lint_project(project, cache=True)
    assert [f.message for f in trusted.findings if f.file == rel] == ["planted"]

    path = root / rel
    old = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("cartId", "cartXd"), encoding="utf-8")
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    if path.stat().st_ctime_ns == old.st_ctime_ns:
        pytest.skip("the filesystem clock did not tick between the two writes")
    again = lint_project(project, cache=True)
    assert again.findings == lint_project(project).findings != expected


def test_an_index_that_is_a_fifo_does_not_hang_lint(make_project):
    root = _project_with_findings(make_project())
    expected = both(root).findings
    [index] = index_files(root)
    index.unlink()
    os.mkfifo(index)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    args = [sys.executable, "-m", "reflekt", "lint", "--format", "json", "--project-dir", str(root)]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    assert len(json.loads(done.stdout)["findings"]) == len(expected)


def test_cache_clean_does_not_follow_a_symlinked_folder(make_project, tmp_path):
    root = _project_with_findings(make_project())
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "index-precious.json").write_text("{}", encoding="utf-8")
    (root / ".reflekt_cache").mkdir(exist_ok=True)
    (root / ".reflekt_cache" / "lint").symlink_to(outside)

    result = CliRunner().invoke(cli, ["cache", "clean", "--project-dir", str(root)])
    assert result.exit_code == 0
    assert (outside / "index-precious.json").exists()
    assert "No cache files to remove." in result.stderr


def test_a_run_that_changes_nothing_does_not_rewrite_the_index(make_project):
    root = _project_with_findings(make_project())
    first = both(root)
    [index] = index_files(root)
    before = index.stat()
    again = both(root)
    [same] = index_files(root)
    after = same.stat()
    assert again.findings == first.findings
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_file_without_findings_stores_no_rows(make_project):
    root = _project_with_findings(make_project())
    both(root)
    data = read_index(index_files(root)[0])
    clean = "schemas/segment/shop/Cart_Viewed/1-0.json"
    assert data["files"][clean].endswith(" 0") and clean not in data["file_rows"]
    assert set(data["file_rows"]) == {"schemas/segment/shop/Cart_Left/1-0.json"}


@pytest.mark.parametrize("schemas", [True, False], ids=["warm-cache", "no-schemas"])
def test_a_broken_meta_schema_is_exit_2_with_the_cache(make_project, schemas):
    """The meta-schema is compiled only when a file must be linted; a broken one is still
    a configuration error when the cache would answer every file, or there is none."""
    builder = make_project()
    root = _project_with_findings(builder) if schemas else builder.root
    assert _cli_lint(root).exit_code == (1 if schemas else 0)
    assert _cli_lint(root).exit_code == (1 if schemas else 0)  # warm
    meta = load_project(root).meta_schema_path
    meta.write_text('{"type": "object",', encoding="utf-8")

    result = _cli_lint(root)
    assert result.exit_code == 2, result.output
    assert "the meta-schema is not valid JSON" in result.output


@pytest.fixture
def no_racy_window(monkeypatch):
    """Trust every stat at once (the racy window covers edits in the same clock tick; these
    tests make each edit a lint run apart)."""
    from reflekt.core import fsutil

    monkeypatch.setattr(fsutil, "RACY_NS", -1_000_000_000)


def test_an_unchanged_folder_is_listed_from_the_index(make_project, no_racy_window):
    root = _project_with_findings(make_project())
    both(root)
    [index] = index_files(root)
    data = read_index(index)
    assert {"", "segment", "segment/shop", "segment/shop/Cart_Left"} <= set(data["folders"])
    data["folders"]["segment/shop/Cart_Left"] += "\0F9-9.json"  # a planted name
    data["flags"] = {"complete"}  # not "listed": the folders are walked
    write_index(index, data)

    report = lint_project(load_project(root), cache=True)
    assert "schemas/segment/shop/Cart_Left/9-9.json" in report.files  # not listed again


def _swap_for_link(root: Path) -> None:
    folder = root / "schemas/segment/shop/Cart_Left"
    shutil.move(folder, root / "elsewhere")
    folder.symlink_to(root / "elsewhere", target_is_directory=True)


FOLDER_EDITS = {
    "add-a-version": lambda root: shutil.copy(
        root / "schemas/segment/shop/Cart_Viewed/1-1.json",
        root / "schemas/segment/shop/Cart_Viewed/1-2.json",
    ),
    "remove-a-version": lambda root: (root / "schemas/segment/shop/Cart_Viewed/1-1.json").unlink(),
    "add-an-event": lambda root: shutil.copytree(
        root / "schemas/segment/shop/Cart_Left", root / "schemas/segment/shop/Cart_Right"
    ),
    "rename-an-event": lambda root: (root / "schemas/segment/shop/Cart_Left").rename(
        root / "schemas/segment/shop/Cart_Gone"
    ),
    "add-a-plan": lambda root: shutil.copytree(
        root / "schemas/segment/shop", root / "schemas/segment/other"
    ),
    "hide-an-event": lambda root: (root / "schemas/segment/shop/Cart_Left").rename(
        root / "schemas/segment/shop/.Cart_Left"
    ),
    "folder-becomes-a-link": _swap_for_link,
}


@pytest.mark.parametrize("edit", list(FOLDER_EDITS))
def test_a_changed_folder_is_listed_again(make_project, no_racy_window, edit):
    root = _project_with_findings(make_project())
    both(root)
    both(root)  # the listings come from the index now
    FOLDER_EDITS[edit](root)

    report = both(root)
    assert report.files == lint_project(load_project(root)).files
    assert report.files == [
        path.relative_to(root).as_posix() for path in list_schema_files(root / "schemas")
    ]


class _NoProjectApp:
    """What `create_app` returns without a project, minus the screen."""

    project = None
    error = None

    def run(self) -> None:
        pass


def test_tui_no_cache_flag_turns_the_lint_cache_off(monkeypatch):
    """`reflekt tui` lints through the cache (in its own workers): --no-cache sets
    REFLEKT_NO_CACHE for the whole process, which `lint_project` obeys."""
    import reflekt.tui.app
    from reflekt.core.cache_switch import cache_disabled

    monkeypatch.setenv("REFLEKT_NO_CACHE", "")  # unset again after the test
    monkeypatch.setattr(reflekt.tui.app, "create_app", lambda *args: _NoProjectApp())
    assert "--no-cache" in CliRunner().invoke(cli, ["tui", "--help"]).output

    CliRunner().invoke(cli, ["tui"])
    assert not cache_disabled()
    result = CliRunner().invoke(cli, ["tui", "--no-cache"])
    assert result.exit_code == 2
    assert cache_disabled()


def test_findings_from_the_index_share_their_repeated_strings(make_project):
    """450,000 cached findings of 50,000 files hold each file's id and path once, not per
    finding (the TUI keeps them all in memory)."""
    builder = make_project()
    builder.add_schema("segment/shop/Cart_Left/1-0.json", {**CAMEL, "otherCamel": CAMEL["cartId"]})
    root = builder.root
    both(root)
    warm = both(root).findings
    of_file = [f for f in warm if f.rule == "RF311"]
    assert len(of_file) >= 2
    first, second = of_file[0], of_file[1]
    assert first.schema_id is second.schema_id and first.file is second.file
    assert first.rule_name is second.rule_name


def _flags(root: Path) -> set[str]:
    [index] = index_files(root)
    return read_index(index)["flags"]


def test_a_whole_run_marks_the_index_complete_and_listed(make_project, no_racy_window):
    root = _project_with_findings(make_project())
    both(root)
    assert _flags(root) == {"complete", "listed"}
    both(root, [root / "schemas/segment/shop/Cart_Left/1-0.json"])  # a subset keeps them
    assert _flags(root) == {"complete", "listed"}


def test_an_uncacheable_file_leaves_the_index_incomplete(make_project, no_racy_window):
    """A name with a newline cannot be a key: that file is linted each run, so the stored
    rows are not the whole answer and the warm path is not taken."""
    root = _project_with_findings(make_project())
    odd = root / "schemas/segment/shop/Cart_Left/1-1\n.json"
    odd.write_text("{}", encoding="utf-8")
    both(root)
    both(root)
    assert "complete" not in _flags(root)


def test_the_warm_path_lints_only_the_events_that_changed(make_project, no_racy_window):
    """Over a complete index, an unchanged event's findings are the stored ones (shown with a
    planted row) while the edited event is linted again, and the result is what a run
    without the cache gives for the edited event."""
    root = _project_with_findings(make_project())
    both(root)
    [index] = index_files(root)
    data = read_index(index)
    rel = "schemas/segment/shop/Cart_Left/1-0.json"
    planted = [
        "segment/shop/Cart_Left/1-0.json", rel, 1, 1, "RF402",
        "property-description", "warning", "planted", None, None, [],
    ]  # fmt: skip
    data["files"][rel] = trusted_entry(root / rel, digest_of(data["files"][rel]), 1)
    data["file_rows"][rel] = [planted]
    write_index(index, data)
    edited = root / "schemas/segment/shop/Cart_Viewed/1-1.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace("cart_id", "cartId"), "utf-8")

    project = load_project(root)
    warm = lint_project(project, cache=True)
    fresh = lint_project(project)
    assert [f.message for f in warm.findings if f.file == rel] == ["planted"]
    viewed = "schemas/segment/shop/Cart_Viewed/"
    assert [f for f in warm.findings if f.file.startswith(viewed)] == [
        f for f in fresh.findings if f.file.startswith(viewed)
    ]
    assert any(f.rule == "RF311" for f in warm.findings if f.file == viewed + "1-1.json")


def test_a_listed_index_lists_schemas_from_its_keys(make_project, no_racy_window):
    """When no folder's stat changed, the listing is the index's file keys (no folder is
    read); any change to a folder walks it again."""
    root = _project_with_findings(make_project())
    both(root)
    [index] = index_files(root)
    data = read_index(index)
    data["files"] = {key: entry for key, entry in data["files"].items() if "Cart_Left" not in key}
    write_index(index, data)

    project = load_project(root)
    listed = lint_project(project, cache=True)
    assert not any("Cart_Left" in file for file in listed.files)  # taken from the keys

    (root / "schemas/segment/shop/Cart_Left/notes.txt").write_text("x", encoding="utf-8")
    walked = lint_project(project, cache=True)
    assert walked.files == lint_project(project).files
    assert any("Cart_Left" in file for file in walked.files)


@pytest.mark.parametrize("row", [["not", "a", "finding"], None])
def test_a_complete_index_with_broken_rows_falls_back(make_project, no_racy_window, row):
    root = _project_with_findings(make_project())
    expected = both(root).findings
    [index] = index_files(root)
    data = read_index(index)
    rel = "schemas/segment/shop/Cart_Left/1-0.json"
    assert rel in data["file_rows"]
    if row is None:
        del data["file_rows"][rel]
    else:
        data["file_rows"][rel] = [row]
    write_index(index, data)
    assert both(root).findings == expected


def _set_in_every_row(rows: dict, at: int, planted: object) -> None:
    """Plant a value at one position of every stored file row (values `<errors>|<rows>`)."""
    for key, value in rows["files"].items():
        errors, _, text = value.partition("|")
        stored = json.loads(text)
        for row in stored:
            row[at] = planted
        rows["files"][key] = f"{errors}|{json.dumps(stored)}"


@pytest.mark.parametrize(
    "plant",
    [
        lambda rows: rows.update({"strings": [1, 2]}),  # not a table of strings
        lambda rows: rows.update({"paths": [["properties", 1.5]]}),
        lambda rows: _set_in_every_row(rows, 7, 10**9),
        lambda rows: _set_in_every_row(rows, 4, "RF311"),
        lambda rows: _set_in_every_row(rows, 10, -(10**9)),
    ],
    ids=["strings", "paths", "out-of-range", "not-a-number", "negative-path"],
)
def test_a_broken_row_table_is_a_miss(make_project, no_racy_window, plant):
    """The stored rows are numbers into the index's table of strings and paths: a table that
    is not one, or a number that is not a position in it, is a miss, never a finding."""
    root = _project_with_findings(make_project())
    expected = both(root).findings
    [index] = index_files(root)
    head, rows_line, rest = index.read_text(encoding="utf-8").split("\n", 2)
    rows = json.loads(rows_line)
    assert rows["files"]
    plant(rows)
    index.write_text(f"{head}\n{json.dumps(rows)}\n{rest}", encoding="utf-8")

    assert both(root).findings == expected
    assert both(root, [root / "schemas/segment/shop/Cart_Left/1-0.json"]).findings


def test_removing_files_drops_their_strings_from_the_table(make_project, no_racy_window):
    root = _project_with_findings(make_project())
    both(root)
    shutil.rmtree(root / "schemas/segment/shop/Cart_Left")
    both(root)
    [index] = index_files(root)
    table = decode_index(index.read_bytes(), _fingerprint(index))[-2]
    assert not any("Cart_Left" in text for text in table.strings)


HOSTILE = ["Cart_{{_config(x)_}}", 'Quote_\\"_Event', "Jinja_{%_raw_%}", "Space Name"]


def test_hostile_names_and_descriptions_take_the_warm_path_unchanged(make_project, no_racy_window):
    """Event folders and descriptions as real plans have them (Jinja braces, quotes,
    backslashes, spaces): the warm path gives what a run without the cache gives, before and
    after an edit; a file name that is not UTF-8 keeps the index from being complete (it
    cannot be a key) and is linted each time, as without the cache."""
    builder = make_project()
    root = builder.root
    for number, name in enumerate(HOSTILE):
        props = {"cart_id" if number % 2 else "cartId": {
            "type": "string", "description": "{{ var('x') }} \\\" {% raw %} ünï"}}  # fmt: skip
        builder.add_schema(f"segment/shop/{name}/1-0.json", props)
    both(root)
    assert _flags(root) == {"complete", "listed"}
    warm = both(root)
    assert {f.schema_id.split("/")[2] for f in warm.findings} >= {HOSTILE[0], HOSTILE[2]}
    edited = root / f"schemas/segment/shop/{HOSTILE[0]}/1-0.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace("cartId", "cart_id"), "utf-8")
    assert not any(HOSTILE[0] in f.schema_id and f.rule == "RF311" for f in both(root).findings)

    raw = os.fsencode(root / "schemas/segment/shop/Bad") + b"_\xff"
    os.makedirs(raw)
    with open(raw + b"/1-0.json", "w", encoding="utf-8") as handle:
        handle.write("{}")
    both(root)
    assert "complete" not in _flags(root)
    assert any("\\xff" in f.schema_id for f in both(root).findings)


def test_a_lazy_warm_run_leaves_the_files_findings_in_the_index(make_project, no_racy_window):
    """The TUI's run: unchanged files' findings counted from the index, decoded per file."""
    root = _project_with_findings(make_project())
    fresh = both(root)
    lazy = lint_project(load_project(root), cache=True, lazy=True)
    assert lazy.stored is not None
    left = "segment/shop/Cart_Left/1-0.json"
    assert left in lazy.stored and not any(f.schema_id == left for f in lazy.findings)
    expected = [f for f in fresh.findings if f.schema_id == left]
    assert lazy.stored.of(left) == expected
    errors = sum(1 for f in expected if f.severity == "error")
    assert lazy.stored.counts[left] == (errors, len(expected) - errors)
    rule = expected[0].rule
    assert left in lazy.stored.ids_with_rule(rule)
    assert lazy.stored.ids_with_rule("RF999") == []
    rest = lazy.stored.without([left])
    assert left not in rest and len(rest) == len(lazy.stored) - len(expected)


@pytest.mark.parametrize(
    "planted",
    ["0|not json", "0|[[1,2]]", "7|[]", "x|[]", '0|"a string"'],
    ids=["not-json", "short-row", "wrong-errors", "bad-header", "not-rows"],
)
def test_a_lazy_run_over_a_stored_value_that_does_not_decode_lints_that_file(
    make_project, no_racy_window, planted
):
    """An index someone edited, with a file's value broken but its layout right: the lazy
    run trusts the header's counts until the file is shown; then that file's own rules run
    again, so what is shown (and counted from then on) is exact."""
    root = _project_with_findings(make_project())
    fresh = both(root)
    [index] = index_files(root)
    head, rows_line, rest = index.read_text(encoding="utf-8").split("\n", 2)
    rows = json.loads(rows_line)
    rel = "schemas/segment/shop/Cart_Left/1-0.json"
    rows["files"][rel] = planted
    index.write_text(f"{head}\n{json.dumps(rows)}\n{rest}", encoding="utf-8")

    lazy = lint_project(load_project(root), cache=True, lazy=True)
    if lazy.stored is None or "segment/shop/Cart_Left/1-0.json" not in lazy.stored:
        assert all_findings(lazy) == fresh.findings  # the header itself was refused
        return
    assert all_findings(lazy) == fresh.findings
    assert (lazy.errors, lazy.warnings) == (fresh.errors, fresh.warnings)


# -- the delta (FORMAT 5): a run that changed a few entries writes only those -------------------


def _delta(index: Path) -> Path:
    return index.with_name(index.name.removesuffix(".idx") + ".delta")


def test_editing_one_file_writes_a_delta_not_the_index(make_project, no_racy_window):
    root = _project_with_findings(make_project())
    both(root)
    [index] = index_files(root)
    before = index.read_bytes()
    cart = root / "schemas/segment/shop/Cart_Left/1-0.json"
    cart.write_text(cart.read_text(encoding="utf-8").replace("cartId", "cart_id"), "utf-8")
    fixed = both(root)  # the same findings as a run without the cache
    assert not any(f.rule == "RF311" for f in fixed.findings)
    assert index.read_bytes() == before  # the index was not rewritten
    delta = _delta(index)
    assert delta.is_file()
    data = read_index(index)  # the index with its delta applied
    assert data["file_rows"].get("schemas/segment/shop/Cart_Left/1-0.json") is None
    assert both(root).findings == fixed.findings  # the next run reads index + delta
    cart.write_text(cart.read_text(encoding="utf-8").replace("cart_id", "cartId"), "utf-8")
    assert any(f.rule == "RF311" for f in both(root).findings)  # a delta over a delta
    assert index.read_bytes() == before


def test_a_new_file_rewrites_the_index_and_drops_the_delta(make_project, no_racy_window):
    builder = make_project()
    root = _project_with_findings(builder)
    both(root)
    cart = root / "schemas/segment/shop/Cart_Left/1-0.json"
    cart.write_text(cart.read_text(encoding="utf-8").replace("cartId", "cart_id"), "utf-8")
    both(root)
    [index] = index_files(root)
    stale = _delta(index).read_bytes()
    builder.add_schema("segment/shop/Order_Done/1-0.json", CAMEL)
    both(root)
    [index] = index_files(root)
    assert not _delta(index).exists()  # the index holds it all, under a new generation
    _delta(index).write_bytes(stale)  # the old generation's delta, put back: ignored
    assert not any("Cart_Left" in f.schema_id and f.rule == "RF311" for f in both(root).findings)
    assert any("Order_Done" in f.schema_id for f in both(root).findings)


@pytest.mark.parametrize("text", [b"", b"garbage", b"reflekt-lint-delta 5 x y\n{}", b"\xff\xfe"])
def test_a_broken_delta_is_ignored(make_project, no_racy_window, text):
    root = _project_with_findings(make_project())
    expected = both(root).findings
    [index] = index_files(root)
    _delta(index).write_bytes(text)
    assert both(root).findings == expected


def test_a_delta_naming_a_key_the_index_lacks_is_ignored(make_project, no_racy_window):
    root = _project_with_findings(make_project())
    both(root)
    cart = root / "schemas/segment/shop/Cart_Left/1-0.json"
    cart.write_text(cart.read_text(encoding="utf-8").replace("cartId", "cart_id"), "utf-8")
    both(root)
    [index] = index_files(root)
    head, _, body = _delta(index).read_text(encoding="utf-8").partition("\n")
    data = json.loads(body)
    data["files"]["schemas/segment/shop/Planted/1-0.json"] = ["1 2 3 4 " + "0" * 32 + " 0", None]
    _delta(index).write_text(f"{head}\n{json.dumps(data)}", encoding="utf-8")
    loaded = read_index(index)
    assert "schemas/segment/shop/Planted/1-0.json" not in loaded["files"]
    # Without the delta the edited file's entry is stale: it is read again, never trusted.
    assert not any("Cart_Left" in f.schema_id and f.rule == "RF311" for f in both(root).findings)


def test_more_changes_than_a_delta_holds_rewrite_the_index(
    make_project, no_racy_window, monkeypatch
):
    from reflekt.core.lint import cache

    monkeypatch.setattr(cache, "DELTA_MAX_ENTRIES", 1)
    root = _project_with_findings(make_project())
    both(root)
    [index] = index_files(root)
    before = index.read_bytes()
    cart = root / "schemas/segment/shop/Cart_Left/1-0.json"
    cart.write_text(cart.read_text(encoding="utf-8").replace("cartId", "cart_id"), "utf-8")
    both(root)
    assert index.read_bytes() != before and not _delta(index).exists()


def test_stats_the_caller_took_give_the_same_findings(make_project, no_racy_window):
    """The TUI stats every file for its disk watch just before it lints, and hands those
    stats over: the warm run compares them with the index instead of statting again."""
    import os

    root = _project_with_findings(make_project())
    both(root)
    project = load_project(root)
    texts = [str(path) for path in list_schema_files(project.schemas_dir)]

    def with_stats():
        stats = {text: stat_key(os.stat(text)) for text in texts}
        return lint_project(project, texts, cache=True, whole_project=True, stats=stats)

    assert with_stats().findings == lint_project(project, texts).findings
    cart = root / "schemas/segment/shop/Cart_Left/1-0.json"
    cart.write_text(cart.read_text(encoding="utf-8").replace("cartId", "cart_id"), "utf-8")
    edited = with_stats()  # the edit shows in the stats handed over
    assert edited.findings == lint_project(project, texts).findings
    assert not any("Cart_Left" in f.schema_id and f.rule == "RF311" for f in edited.findings)


# -- the `$ref` names (FORMAT 7): a selection follows an unchanged file's refs from the index ----


def _refs_project(builder) -> tuple[Path, Path, Path]:
    """Cart_Viewed/1-1 references cart/1-0 (sound); Cart_Left references nothing; the
    definition cart/2-0 is broken (RF104: a pointer into itself that goes nowhere)."""
    builder.add_schema("segment/shop/Cart_Viewed/1-0.json", GOOD)
    user = builder.add_schema("segment/shop/Cart_Viewed/1-1.json", SHARED)
    plain = builder.add_schema("segment/shop/Cart_Left/1-0.json", GOOD)
    _edit_common(builder, COMMONS[0], COMMON_FILES[0])
    _edit_common(builder, json.dumps({"x": {"$ref": "#/definitions/nowhere"}}), COMMON_FILES[1])
    return builder.root, user, plain


def _definition_rules(report) -> list[tuple[str, str]]:
    return sorted((f.file, f.rule) for f in report.findings if "/.reflekt/common/" in f.file)


def test_each_file_entry_holds_the_definitions_its_bytes_name(make_project):
    root, user, plain = _refs_project(make_project())
    both(root, [user, plain], shared=True)
    [index] = index_files(root)
    files = read_index(index)["files"]
    assert refs_of(files["schemas/segment/shop/Cart_Viewed/1-1.json"]) == "common/cart/1-0.json"
    assert refs_of(files["schemas/segment/shop/Cart_Left/1-0.json"]) == "-"
    _swap_refs(user, drop=False)  # now cart/2-0: the same size and mtime
    both(root, [user], shared=True)
    files = read_index(index)["files"]
    assert refs_of(files["schemas/segment/shop/Cart_Viewed/1-1.json"]) == "common/cart/2-0.json"


def test_an_unchanged_files_refs_come_from_its_entry(make_project, no_racy_window):
    """Shown with a planted refs field under the file's true stat: a selection of a file that
    references nothing reports the broken definition the entry names, so the file was not
    read for its `$ref`s; once its bytes change it is, and the planted name is gone."""
    root, _, plain = _refs_project(make_project())
    both(root, [plain], shared=True)
    [index] = index_files(root)
    data = read_index(index)
    rel = "schemas/segment/shop/Cart_Left/1-0.json"
    planted = COMMON_FILES[1].removeprefix(".reflekt/")  # common/cart/2-0.json
    data["files"][rel] = trusted_entry(root / rel, digest_of(data["files"][rel]), 0, planted)
    write_index(index, data)
    project = load_project(root)

    report = lint_project(project, [plain], cache=True, shared=True)
    assert _definition_rules(report) == [("schemas/.reflekt/common/cart/2-0.json", "RF104")]

    edited = plain.read_text(encoding="utf-8").replace("The cart.", "The cart!")
    plain.write_text(edited, encoding="utf-8")  # other bytes: read again
    again = lint_project(project, [plain], cache=True, shared=True)
    assert again.findings == lint_project(project, [plain], shared=True).findings
    assert _definition_rules(again) == []


@pytest.mark.parametrize(
    "field",
    ["", "common/", "common/../x.json", "common/.git/x.json", "/etc/passwd", "common/a.json,",
     "common/a.json,,common/b.json", "junk"],
)  # fmt: skip
def test_a_hostile_refs_field_is_a_miss(make_project, no_racy_window, field):
    """A refs field that `refs_field` never writes (outside content) makes the entry a
    miss: the file is read again, and the result is that of `--no-cache`."""
    root, user, plain = _refs_project(make_project())
    expected = both(root, [user, plain], shared=True).findings
    [index] = index_files(root)
    data = read_index(index)
    for rel, entry in data["files"].items():
        count = entry.rpartition(" ")[2]
        data["files"][rel] = trusted_entry(root / rel, digest_of(entry), int(count), field)
    write_index(index, data)
    text = index.read_text(encoding="utf-8")
    if field == "":  # an entry with the field left out (two spaces): as FORMAT 6 wrote it
        assert "  0\n" in text or "  1\n" in text

    assert both(root, [user, plain], shared=True).findings == expected
    assert _definition_rules(both(root, [user], shared=True)) == []


def test_an_index_of_the_format_before_refs_is_ignored_and_rebuilt(make_project):
    """A FORMAT 6 index (file entries without the refs field), whether under this run's
    name or an older fingerprint's: ignored, never an error; rebuilt with the refs."""
    root, user, _ = _refs_project(make_project())
    _swap_refs(user, drop=False)  # references the broken cart/2-0
    expected = both(root, [user], shared=True).findings
    assert _definition_rules(both(root, [user], shared=True)) == [
        ("schemas/.reflekt/common/cart/2-0.json", "RF104")
    ]
    [index] = index_files(root)
    data = read_index(index)
    data["files"] = {
        rel: " ".join(entry.split(" ")[:5] + entry.split(" ")[6:])  # no refs field
        for rel, entry in data["files"].items()
    }
    write_index(index, data)
    head, rest = index.read_text(encoding="utf-8").split("\n", 1)
    old = head.replace(f"reflekt-lint-index {FORMAT} ", f"reflekt-lint-index {FORMAT - 1} ", 1)
    assert old != head
    older = index.with_name("index-0123456789abcdef01234567.idx")
    for path in (index, older):
        path.write_text(f"{old}\n{rest}", encoding="utf-8")

    for _ in range(2):  # rebuilt, then read
        result = CliRunner().invoke(
            cli, ["lint", "--format", "json", "--project-dir", str(root), str(user)]
        )
        assert result.exit_code == 1, result.output
        assert {f["rule"] for f in json.loads(result.stdout)["findings"]} == {
            f.rule for f in expected
        }
        assert index_files(root) == [index] and index_format(index) == FORMAT
    assert refs_of(read_index(index)["files"]["schemas/segment/shop/Cart_Viewed/1-1.json"]) == (
        "common/cart/2-0.json"
    )
