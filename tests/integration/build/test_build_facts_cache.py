"""The build's facts cache (`.reflekt_cache/build/`): a build from it writes the package a
build without it writes, byte for byte; edited files are read again (what the stat key cannot
see, the content hash or the racy rule does); a broken cache is ignored; invalid schemas fail
as before; --no-cache, REFLEKT_NO_CACHE and `reflekt cache clean`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core import fsutil
from reflekt.core.build import facts_cache
from reflekt.core.build.pipeline import load_event_schemas
from reflekt.core.errors import SchemaFileError
from reflekt.core.project import load_project

SOURCE = "wh.warehouse.segment_prod"  # the `wh` source of the small_project fixture
CART = "segment/shop/Cart_Viewed/1-0.json"
PAGE = "segment/shop/Page/1-0.json"
# Outside text that must come back exactly: Jinja braces, quotes, backslashes, newlines,
# non-ASCII and a control character, numbers JSON could blur (-0.0, 1e300, an int beside a
# float that equals it).
HOSTILE_TEXT = 'greg\'s "{{ team }}" {% raw %}\\n\n\t é 漢 \u2028 \x1b }}'
HOSTILE_PROPERTIES = {
    "cart_id": {"type": "string", "description": HOSTILE_TEXT, "examples": [-0.0, 1e300, 1, 1.0]},
    "user_id": {"type": "string", "description": "{{ config(materialized='table') }}"},
    "page_url": {"type": "string", "description": "'; drop table x; --"},
    "products_count": {"type": "integer", "description": "n", "maximum": 10**30},
    "nested": {
        "type": "object",
        "description": 'Nested "object".',
        "properties": {"innerVal": {"type": "number", "description": "{{ var('x') }}"}},
    },
}


@pytest.fixture
def trust_stats(monkeypatch):
    """Files written just now are trusted by their stat (no racy window), as they will be
    two seconds from now: the tests then see what the stat key alone decides."""
    monkeypatch.setattr(fsutil, "RACY_NS", -1_000_000_000)


@pytest.fixture
def loads(monkeypatch) -> list[str]:
    """The schema files the facts cache parses (every `load_schema` it calls)."""
    called: list[str] = []
    real = facts_cache.load_schema

    def counting(path, schemas_dir):
        called.append(path.relative_to(schemas_dir).as_posix())
        return real(path, schemas_dir)

    monkeypatch.setattr(facts_cache, "load_schema", counting)
    return called


def hostile(small_project) -> None:
    """Cart Viewed 1-0 with hostile content, its text as JSON escapes."""
    body = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": CART,
        "description": HOSTILE_TEXT,
        "self": {"vendor": "com.example", "name": "Cart Viewed", "format": "jsonschema"},
        "metadata": {"owner": HOSTILE_TEXT, "tags": {"{{ a }}": ["'", '"', None, True]}},
        "type": "object",
        "properties": HOSTILE_PROPERTIES,
        "required": ["cart_id", "nested"],
        "additionalProperties": False,
    }
    small_project.project.write_raw(f"schemas/{CART}", json.dumps(body, indent=2))


def build(small_project, *args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(
        cli,
        ["build", "dbt", "--project-dir", str(small_project.root), "--source", SOURCE, *args],
        env=env,
    )
    return result


def package_files(small_project) -> dict[str, bytes]:
    root = small_project.package_dir
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def cache_files(root: Path) -> list[Path]:
    return sorted((root / ".reflekt_cache" / "build").glob("facts-*.txt"))


def cache_entries(root: Path) -> dict[str, str]:
    """The cache's entries by schema id (the file must be the one cache file there)."""
    (path,) = cache_files(root)
    lines = path.read_text(encoding="utf-8").split("\n")
    return dict(zip(lines[1:-2:2], lines[2:-2:2], strict=True))


def rewrite_entry(root: Path, schema_id: str, entry: str) -> None:
    """Put `entry` in place of `schema_id`'s entry, the rest of the cache as it is."""
    (path,) = cache_files(root)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[lines.index(schema_id) + 1] = entry
    path.write_text("\n".join(lines), encoding="utf-8")


def loaded(root: Path):
    project = load_project(root)
    return load_event_schemas(project, None).versions


def test_a_build_from_the_cache_writes_what_a_build_without_it_writes(
    small_project, trust_stats, loads
):
    hostile(small_project)
    assert build(small_project, "--no-cache").exit_code == 0
    assert cache_files(small_project.root) == []  # --no-cache writes nothing
    uncached = package_files(small_project)
    assert len(loads) == 0  # not through the cache at all

    first = build(small_project)  # cold: every file parsed, the cache written
    assert first.exit_code == 0, first.output
    assert len(loads) == 5
    assert len(cache_entries(small_project.root)) == 5
    assert package_files(small_project) == uncached

    loads.clear()
    warm = build(small_project)  # warm: no file parsed
    assert warm.exit_code == 0, warm.output
    assert loads == []
    assert "0 new, 0 changed, 16 unchanged, 0 removed" in warm.output
    assert package_files(small_project) == uncached


def test_hostile_content_comes_back_from_the_cache_exactly(
    small_project, trust_stats, loads, monkeypatch
):
    hostile(small_project)
    fresh = loaded(small_project.root)  # cold: parsed, then cached
    loads.clear()
    cached = loaded(small_project.root)
    assert loads == []
    assert cached == fresh
    assert repr(cached) == repr(fresh)  # 1.0 == 1 and -0.0 == 0.0: repr tells them apart
    cart = next(schema for schema in cached if schema.schema_id == CART)
    assert cart.description == HOSTILE_TEXT
    assert cart.properties["cart_id"]["examples"] == [-0.0, 1e300, 1, 1.0]
    assert [type(v) for v in cart.properties["cart_id"]["examples"]] == [float, float, int, float]
    assert cart.required == ("cart_id", "nested") and cart.closed is True
    monkeypatch.setenv("REFLEKT_NO_CACHE", "1")
    assert repr(loaded(small_project.root)) == repr(fresh)


def test_a_same_size_edit_with_its_mtime_put_back_is_read_again(small_project, trust_stats, loads):
    path = small_project.root / "schemas" / PAGE
    assert build(small_project).exit_code == 0
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "Page title." in text
    path.write_text(text.replace("Page title.", "Page TITLE."), encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    # The ctime moved (no user can set it back): the stat key differs, the hash too.
    loads.clear()
    result = build(small_project)
    assert result.exit_code == 0, result.output
    assert loads == [PAGE]
    model_docs = small_project.package_dir / "models/segment_prod/_stg_segment_prod__pages.yml"
    assert "Page TITLE." in model_docs.read_text(encoding="utf-8")
    assert build(small_project, "--no-cache").output == build(small_project).output


def test_a_racy_entry_is_hashed_even_when_the_stat_matches(
    small_project, trust_stats, loads, monkeypatch
):
    """What the stat key cannot see: an edit in the same clock tick, at the same size. A file
    changed within `RACY_NS` of the run is kept racy (`~`), and a racy entry is never
    trusted by its stat: this one has the file's stat and another text's facts."""
    path = small_project.root / "schemas" / PAGE
    assert build(small_project).exit_code == 0
    entry = cache_entries(small_project.root)[PAGE]
    fields = entry.split(" ", 5)
    stat, facts = " ".join(fields[:4]), fields[5]
    assert stat == fsutil.stat_fields(path.stat())
    forged = facts.replace("User viewed a page.", "Not what the file says.")
    assert forged != facts
    rewrite_entry(small_project.root, PAGE, f"~{stat} {'0' * 32} {forged}")
    loads.clear()
    (page,) = (s for s in loaded(small_project.root) if s.schema_id == PAGE)
    assert loads == [PAGE]
    assert page.description == "User viewed a page."
    assert cache_entries(small_project.root)[PAGE] == entry  # the true entry again
    # Within the racy window (the default two seconds) a file just written is kept racy.
    monkeypatch.setattr(fsutil, "RACY_NS", 2_000_000_000)
    path.write_text(path.read_text(encoding="utf-8").replace("User", "Usr"), encoding="utf-8")
    assert build(small_project).exit_code == 0
    assert cache_entries(small_project.root)[PAGE].startswith("~")
    # CART was written just now too, but its entry (made with no racy window) is still
    # trusted by its unchanged stat: it is kept as it was.
    assert not cache_entries(small_project.root)[CART].startswith("~")


def test_a_new_stat_with_the_same_text_is_not_parsed_again(small_project, trust_stats, loads):
    """A `git checkout` rewrites files (new mtime, ctime, maybe inode), not their text."""
    path = small_project.root / "schemas" / PAGE
    assert build(small_project).exit_code == 0
    entry = cache_entries(small_project.root)[PAGE]
    text = path.read_bytes()
    path.unlink()
    path.write_bytes(text)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    loads.clear()
    result = build(small_project)
    assert result.exit_code == 0, result.output
    assert loads == []
    kept = cache_entries(small_project.root)[PAGE]
    assert kept != entry and kept.startswith(fsutil.stat_fields(path.stat()) + " ")
    assert kept.split(" ", 4)[4] == entry.split(" ", 4)[4]  # same hash, same facts


def test_a_byte_order_mark_does_not_change_the_hash(small_project, trust_stats, loads):
    path = small_project.root / "schemas" / PAGE
    assert build(small_project).exit_code == 0
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # the same text to `utf-8-sig`
    loads.clear()
    fresh = build(small_project)
    assert fresh.exit_code == 0 and loads == []


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe garbage",
        b"reflekt-build-facts 999 abc\nend 0\n",  # another format
        b"{}",
    ],
)
def test_a_broken_or_foreign_cache_is_ignored_and_rebuilt(
    small_project, trust_stats, loads, content
):
    assert build(small_project).exit_code == 0
    expected = package_files(small_project)
    (path,) = cache_files(small_project.root)
    path.write_bytes(content)
    loads.clear()
    result = build(small_project)
    assert result.exit_code == 0, result.output
    assert len(loads) == 5
    assert package_files(small_project) == expected
    assert len(cache_entries(small_project.root)) == 5  # rewritten whole


def test_a_truncated_cache_is_ignored(small_project, trust_stats, loads):
    assert build(small_project).exit_code == 0
    (path,) = cache_files(small_project.root)
    raw = path.read_bytes()
    for cut in (len(raw) - 1, len(raw) // 2, raw.index(b"\n") + 1):
        path.write_bytes(raw[:cut])
        loads.clear()
        assert build(small_project).exit_code == 0
        assert len(loads) == 5, cut
        assert path.read_bytes() == raw  # the same entries written again


@pytest.mark.parametrize(
    "facts",
    [
        '["Page",1,0,"d",{},{},[],false',  # not JSON
        '[1,1,0,"d",{},{},[],false]',  # a name that is not a string
        '["Page",true,0,"d",{},{},[],false]',  # a bool for a version number
        '["Page",1,0,"d",[],{},[],false]',  # metadata not an object
        '["Page",1,0,"d",{},{},[1],false]',  # a required name not a string
        '["Page",1,0,"d",{},{},[],0]',  # closed not a bool
        '["Page",1,0,"d",{},{}]',  # too short
        "[" * 100_000,  # deeper than the decoder goes
    ],
)
def test_a_hostile_entry_is_a_miss(small_project, trust_stats, loads, facts):
    path = small_project.root / "schemas" / PAGE
    assert build(small_project).exit_code == 0
    entry = cache_entries(small_project.root)[PAGE]
    stat, digest = " ".join(entry.split(" ")[:4]), entry.split(" ")[4]
    assert stat == fsutil.stat_fields(path.stat())
    rewrite_entry(small_project.root, PAGE, f"{stat} {digest} {facts}")
    loads.clear()
    (page,) = (s for s in loaded(small_project.root) if s.schema_id == PAGE)
    assert loads == [PAGE]
    assert page.name == "Page" and page.description == "User viewed a page."
    assert cache_entries(small_project.root)[PAGE] == entry


def test_no_cache_reads_no_cache(small_project, trust_stats, loads, monkeypatch):
    """With a cache that lies (a test forges it), --no-cache and REFLEKT_NO_CACHE build from
    the files; without them the forged entry is trusted (its stat is the file's)."""
    assert build(small_project).exit_code == 0
    entry = cache_entries(small_project.root)[PAGE]
    lie = entry.replace("User viewed a page.", "A LIE.")
    rewrite_entry(small_project.root, PAGE, lie)
    model_docs = small_project.package_dir / "models/segment_prod/_stg_segment_prod__pages.yml"
    assert build(small_project, "--no-cache").exit_code == 0
    assert "A LIE." not in model_docs.read_text(encoding="utf-8")
    assert cache_entries(small_project.root)[PAGE] == lie  # not written either
    assert build(small_project, env={"REFLEKT_NO_CACHE": "1"}).exit_code == 0
    assert "A LIE." not in model_docs.read_text(encoding="utf-8")
    assert build(small_project).exit_code == 0
    assert "A LIE." in model_docs.read_text(encoding="utf-8")  # the cache was read


def test_an_invalid_schema_fails_the_same_with_and_without_a_warm_cache(small_project, trust_stats):
    assert build(small_project).exit_code == 0
    assert PAGE in cache_entries(small_project.root)
    broken = small_project.root / "schemas" / PAGE
    broken.write_text('{\n  "$id": "segment/shop/Pa')
    results = [build(small_project), build(small_project, "--no-cache"), build(small_project)]
    for result in results:
        assert result.exit_code == 2, result.output
        assert f"{broken}:2:10: invalid JSON: Unterminated string" in result.output
        assert "Hint: `reflekt lint` lists every problem" in result.output
    assert len({result.output for result in results}) == 1
    assert PAGE in cache_entries(small_project.root)  # a failed build writes nothing
    # Only a file that loaded is ever kept: a build of the rest does not keep the broken one.
    other = build(small_project, "--select", "segment/shop/Identify")
    assert other.exit_code == 0, other.output
    assert build(small_project).exit_code == 2


def test_a_broken_other_version_is_left_out_and_never_kept(small_project, trust_stats):
    broken = small_project.root / "schemas/segment/shop/Cart_Viewed/2-0.json"
    broken.write_text("{ nope")
    result = build(small_project, "--select", "segment/shop/Cart_Viewed/1-0")
    assert result.exit_code == 0, result.output
    assert set(cache_entries(small_project.root)) == {CART}


def test_an_edit_of_a_shared_definition_is_seen(make_project, trust_stats, monkeypatch):
    project = make_project()
    project.write_raw(
        "schemas/.reflekt/common/money/1-0.json",
        json.dumps({"definitions": {"amount": {"type": "number", "description": "Old."}}}),
    )
    project.add_schema(
        "segment/shop/Order_Done/1-0",
        {"total": {"$ref": "common/money/1-0.json#/definitions/amount"}},
    )
    (first,) = loaded(project.root)
    assert first.properties["total"]["description"] == "Old."
    project.write_raw(
        "schemas/.reflekt/common/money/1-0.json",
        json.dumps({"definitions": {"amount": {"type": "number", "description": "New."}}}),
    )
    (second,) = loaded(project.root)
    assert second.properties["total"]["description"] == "New."
    assert len(cache_files(project.root)) == 1  # the old fingerprint's file is gone
    (project.schemas_dir / ".reflekt/common/money/1-0.json").unlink()
    errors = []
    for off in ("", "1"):
        monkeypatch.setenv("REFLEKT_NO_CACHE", off)
        with pytest.raises(SchemaFileError) as raised:
            loaded(project.root)
        error = raised.value
        errors.append((error.message, error.file, error.line, error.column, error.hint))
    assert errors[0] == errors[1]
    assert "does not resolve" in errors[0][0]


def test_no_cache_when_common_has_more_files_than_its_signature_reads(small_project, monkeypatch):
    from reflekt.core import refs

    for name in ("a", "b"):
        small_project.project.write_raw(f"schemas/.reflekt/common/{name}/1-0.json", "{}")
    monkeypatch.setattr(refs, "MAX_COMMON_FILES", 1)
    assert build(small_project).exit_code == 0
    assert cache_files(small_project.root) == []
    monkeypatch.setattr(refs, "MAX_COMMON_FILES", 2)
    assert build(small_project).exit_code == 0
    assert len(cache_files(small_project.root)) == 1


def test_a_selection_keeps_the_other_entries_and_a_whole_build_drops_removed_files(
    small_project, trust_stats
):
    assert build(small_project).exit_code == 0
    assert len(cache_entries(small_project.root)) == 5
    assert build(small_project, "--select", "segment/shop/Page").exit_code == 0
    assert len(cache_entries(small_project.root)) == 5
    (small_project.root / "schemas/segment/shop/Order_Refunded/1-0.json").unlink()
    assert build(small_project).exit_code == 0
    assert "segment/shop/Order_Refunded/1-0.json" not in cache_entries(small_project.root)
    assert len(cache_entries(small_project.root)) == 4


def test_cache_clean_removes_the_facts(small_project):
    assert build(small_project).exit_code == 0
    (path,) = cache_files(small_project.root)
    result = CliRunner().invoke(cli, ["cache", "clean", "--project-dir", str(small_project.root)])
    assert result.exit_code == 0, result.output
    assert "removed .reflekt_cache/build/" + path.name in result.output
    assert not path.exists() and not path.parent.exists()


def test_audit_and_build_code_take_no_cache():
    for command in (["audit"], ["build", "code"], ["build", "dbt"]):
        result = CliRunner().invoke(cli, [*command, "--help"])
        assert result.exit_code == 0 and "--no-cache" in result.output, command


def test_a_build_never_reads_a_half_written_cache(small_project, trust_stats, loads, tmp_path):
    """Two builds at once: one stopped with its cache written to the temp file, not yet in
    place; the other builds meanwhile (no cache to read: the temp file is not one) and
    writes its own; then the first puts its (whole) file in place, which the next reads."""
    import subprocess
    import sys

    from pause_support import Pause

    pause = Pause(tmp_path / "pause", "write")
    command = [sys.executable, "-m", "reflekt", "build", "dbt", "--dry-run"]
    command += ["--project-dir", str(small_project.root), "--source", SOURCE]
    env = {**os.environ, **pause.env, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        pause.wait(proc)
        folder = small_project.root / ".reflekt_cache" / "build"
        (temp,) = [path.name for path in folder.iterdir()]
        assert temp.startswith(".facts-") and temp.endswith(".tmp")
        result = build(small_project)
        assert result.exit_code == 0, result.output
        assert len(loads) == 5  # nothing cached could be read
        assert len(cache_entries(small_project.root)) == 5
        pause.resume()
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    finally:
        pause.close()
        if proc.poll() is None:
            proc.kill()
    assert len(cache_entries(small_project.root)) == 5
    assert [path.name for path in folder.iterdir()] == [cache_files(small_project.root)[0].name]
    loads.clear()
    assert build(small_project).exit_code == 0
    assert loads == []


def test_a_cache_left_in_the_shipped_demo_folder_is_not_laid_out(tmp_path, monkeypatch):
    """A build run on the package's demo folder in place leaves `.reflekt_cache/` there:
    `reflekt demo` lays out the demo's files, not that (which it would refuse to write)."""
    from reflekt.demo import layout

    shipped = tmp_path / "package"
    for rel in ("event-meta.json", "reflekt_project.yml", "schemas/.reflekt/common/a/1-0.json"):
        (shipped / "project" / rel).parent.mkdir(parents=True, exist_ok=True)
        (shipped / "project" / rel).write_text("{}", encoding="utf-8")
    for rel in (".reflekt_cache/build/facts-x.txt", ".logs/run.log"):
        (shipped / "project" / rel).parent.mkdir(parents=True)
        (shipped / "project" / rel).write_text("left by a run", encoding="utf-8")
    monkeypatch.setattr(layout.resources, "files", lambda package: shipped)
    assert sorted(layout._demo_files()) == [
        ".gitignore",
        "reflekt_project.yml",
        "schemas/.reflekt/common/a/1-0.json",
        "schemas/.reflekt/event-meta/1-0.json",
    ]
