"""`reflekt lint FILE` and `reflekt lint --select` check the shared definitions the selected
schemas reference (transitively), at the definition file's own line, and only those: a
definition no selected schema reaches is neither reported nor read. The same with the lint
cache on and off; hostile content in a definition stays data in the messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core.lint import lint_project
from reflekt.core.project import load_project

PRICE = "common/money/1-0.json#/definitions/price"
CACHE = pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cache", "no-cache"])


def _write(project, rel: str, text: str) -> Path:
    path = project.schemas_dir / ".reflekt" / "common" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _common(project, rel: str, body) -> Path:
    return _write(project, rel, json.dumps(body, indent=2) + "\n")


def _lint(project, *args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(
        cli, ["lint", "--format", "json", "--project-dir", str(project.root), *args]
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def _where(findings: list[dict]) -> list[tuple[str, str, int | None]]:
    return sorted((f["file"], f["rule"], f["line"]) for f in findings)


def _shop(project) -> tuple[Path, Path]:
    """Order_Done references money's `price`; money's unused `old` names a file that is
    gone; junk is broken and nobody references it; Cart_Viewed references nothing."""
    money = _common(
        project,
        "money/1-0.json",
        {
            "definitions": {
                "price": {"type": "number", "description": "The price."},
                "old": {"$ref": "common/gone/1-0.json#/definitions/x"},
            }
        },
    )
    _write(project, "junk/1-0.json", "{ not json\n")
    order = project.add_schema("segment/shop/Order_Done/1-0", {"price": {"$ref": PRICE}})
    project.add_schema("segment/shop/Cart_Viewed/1-0")
    return order, money


@CACHE
def test_a_file_lint_reports_a_broken_reference_inside_a_definition_it_uses(make_project, cache):
    """Before: `reflekt lint <Order_Done>` said nothing (the schema's own reference
    resolves); the broken `old` showed only in a whole-project lint."""
    project = make_project()
    order, money = _shop(project)
    money_file = "schemas/.reflekt/common/money/1-0.json"
    expected = [(money_file, "RF104", _line_of(money, "common/gone/1-0.json"))]

    for args in ([str(order)], ["--select", "segment/shop/Order_Done"]):
        code, findings = _lint(project, *cache, *args)
        assert (code, _where(findings)) == (1, expected), args
        [finding] = findings
        assert finding["schema_id"] == ".reflekt/common/money/1-0.json"
        assert "common/gone/1-0.json" in finding["message"]
        assert "no such file" in finding["message"]
    # the unrelated schema reaches no definition: nothing to say, and junk is never reported
    assert _lint(project, *cache, "--select", "segment/shop/Cart_Viewed") == (0, [])
    # the whole project: the same finding on money, and junk too
    _, whole = _lint(project, *cache)
    assert [w for w in _where(whole) if w[0] == money_file] == expected
    assert {w[0] for w in _where(whole)} == {money_file, "schemas/.reflekt/common/junk/1-0.json"}


@CACHE
def test_a_definition_that_does_not_parse_is_reported_at_its_own_line(make_project, cache):
    """Before: only the schema's RF104 ("the file is not plain JSON (line 4 ...)"), at the
    schema's `$ref`, never RF101 at the definition's line."""
    project = make_project()
    order = project.add_schema("segment/shop/Order_Done/1-0", {"price": {"$ref": PRICE}})
    money = _write(
        project,
        "money/1-0.json",
        '{\n  "definitions": {\n    "price": {"type": "number"},\n    "tax": {"type": "number",}\n'
        "  }\n}\n",
    )

    code, findings = _lint(project, *cache, str(order))

    assert code == 1
    assert _where(findings) == [
        ("schemas/.reflekt/common/money/1-0.json", "RF101", 4),
        ("schemas/segment/shop/Order_Done/1-0.json", "RF104", _line_of(order, PRICE)),
    ]
    _, whole = _lint(project, *cache)
    assert [f for f in whole if f["file"].endswith("money/1-0.json")] == [
        f for f in findings if f["file"].endswith("money/1-0.json")
    ], "the same finding as the whole-project lint gives"
    assert money.exists()


@CACHE
def test_definitions_are_followed_transitively_and_a_cycle_ends(make_project, cache):
    project = make_project()
    _common(
        project,
        "a/1-0.json",
        {
            "definitions": {
                "x": {"$ref": "common/b/1-0.json#/definitions/y"},
                "w": {"$ref": "common/c/1-0.json"},
            }
        },
    )
    b = _common(
        project,
        "b/1-0.json",
        {
            "definitions": {
                "y": {"type": "string", "description": "Y."},
                "z": {"$ref": "#/definitions/nowhere"},
                "back": {"$ref": "common/a/1-0.json#/definitions/x"},  # a file cycle
            }
        },
    )
    _write(project, "c/1-0.json", '{"type": "string",}\n')  # reached only through a's `w`
    _write(project, "d/1-0.json", "{ nobody uses me\n")
    order = project.add_schema(
        "segment/shop/Order_Done/1-0", {"x": {"$ref": "common/a/1-0.json#/definitions/x"}}
    )

    code, findings = _lint(project, *cache, str(order))

    assert code == 1
    common = [w for w in _where(findings) if "/.reflekt/common/" in w[0]]
    assert common == [
        (
            "schemas/.reflekt/common/a/1-0.json",
            "RF104",
            _line_of(project.schemas_dir / ".reflekt/common/a/1-0.json", "common/c/1-0.json"),
        ),
        ("schemas/.reflekt/common/b/1-0.json", "RF104", _line_of(b, "#/definitions/nowhere")),
        ("schemas/.reflekt/common/c/1-0.json", "RF101", 1),
    ]


def test_a_staged_definition_is_checked_itself(make_project):
    """pre-commit passes the staged files: a definition among them is linted itself, even
    when no schema references it yet (and it still stands for every schema)."""
    project = make_project()
    _shop(project)
    junk = project.schemas_dir / ".reflekt/common/junk/1-0.json"

    readme = project.root / "README.md"
    readme.write_text("# shop\n", encoding="utf-8")

    code, findings = _lint(project, str(junk), str(readme))

    assert code == 1
    files = {f["file"] for f in findings}
    assert "schemas/.reflekt/common/junk/1-0.json" in files
    assert "schemas/.reflekt/common/money/1-0.json" in files  # used by Order_Done


HOSTILE_KEY = "\x1b[2J\x1b]0;owned\x07"
HOSTILE_REF = "common/{{ cycler.__init__ }}/\x1b[31m.json"


@CACHE
def test_hostile_content_in_a_definition_stays_data(make_project, cache):
    """A Jinja description, terminal controls in keys and in a reference: in the findings
    as they are (data), shown as visible escapes on a terminal."""
    project = make_project()
    evil = _common(
        project,
        "evil/1-0.json",
        {
            "description": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
            "definitions": {
                "ok": {"type": "string", "description": "{{ 7 * 7 }}"},
                HOSTILE_KEY: {"$ref": HOSTILE_REF},
                "dup": {"$ref": "common/dup/1-0.json"},
            },
        },
    )
    _write(
        project,
        "dup/1-0.json",
        f"{{\n  {json.dumps(HOSTILE_KEY)}: 1,\n  {json.dumps(HOSTILE_KEY)}: 2\n}}\n",
    )
    order = project.add_schema(
        "segment/shop/Order_Done/1-0", {"p": {"$ref": "common/evil/1-0.json#/definitions/ok"}}
    )

    code, findings = _lint(project, *cache, str(order))

    assert code == 1
    assert _where(findings) == [
        ("schemas/.reflekt/common/dup/1-0.json", "RF101", 3),
        ("schemas/.reflekt/common/evil/1-0.json", "RF104", _line_of(evil, "cycler.__init__ }}")),
        ("schemas/.reflekt/common/evil/1-0.json", "RF104", _line_of(evil, "common/dup/1-0")),
    ]
    dup, bad, _ = findings
    assert HOSTILE_REF in bad["message"], "the reference as it is, as data"
    assert '"\\u001b[2J\\u001b]0;owned\\u0007"' in dup["message"]
    text = CliRunner().invoke(cli, ["lint", *cache, "--project-dir", str(project.root), str(order)])
    assert text.exit_code == 1
    assert "\x1b" not in text.output and "\x07" not in text.output
    assert "{{ cycler.__init__ }}/\\x1b[31m.json" in text.output
    assert "schemas/.reflekt/common/evil/1-0.json\n" in text.output
    assert "schemas/.reflekt/common/dup/1-0.json\n  3:3  error    RF101" in text.output


def test_the_core_api_adds_definitions_only_when_asked(make_project):
    project = make_project()
    order, _ = _shop(project)
    loaded = load_project(project.root)
    assert lint_project(loaded, [order]).findings == []
    for cache in (False, True, True):
        shared = lint_project(loaded, [order], cache=cache, shared=True)
        assert [(f.file, f.rule) for f in shared.findings] == [
            ("schemas/.reflekt/common/money/1-0.json", "RF104")
        ]
        assert shared.files == ["schemas/segment/shop/Order_Done/1-0.json"]
        assert shared.schemas == 1


_OPENS = """
import sys
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        opened.append(str(args[0]))
sys.addaudithook(hook)
import reflekt.core.fsutil
reflekt.core.fsutil.RACY_NS = -1_000_000_000  # as the `no_racy_window` fixture: trust stats now
from reflekt.cli import cli
try:
    cli(sys.argv[1:], prog_name="reflekt")
finally:
    common = sorted({p.split("/.reflekt/common/")[1] for p in opened if "/.reflekt/common/" in p})
    sys.stderr.write("OPENED " + " ".join(common) + "\\n")
    schemas = [p.split("/schemas/", 1)[1] for p in opened if "/schemas/" in p]
    schemas = [p for p in schemas if not p.startswith(".reflekt/")]
    sys.stderr.write("SCHEMAS " + " ".join(schemas) + "\\n")
"""
WORKTREE = Path(__file__).resolve().parents[3]


def _opened(project, *args: str) -> list[str]:
    """The definition files a `reflekt lint` run opens (Python's audit hook, in a process
    of its own)."""
    return _opens(project, *args)[0]


def _opens(project, *args: str) -> tuple[list[str], list[str], str]:
    """The definition files a `reflekt lint` run opens, the schema files it opens (relative
    to schemas/, once per open) and its stdout."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(WORKTREE), os.environ.get("PYTHONPATH")])),
    }
    result = subprocess.run(
        [sys.executable, "-c", _OPENS, "lint", "--project-dir", str(project.root), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("OPENED")]
    [schemas] = [line for line in result.stderr.splitlines() if line.startswith("SCHEMAS")]
    return line.split()[1:], schemas.split()[1:], result.stdout


def test_a_warm_file_lint_does_not_open_the_schema_again(make_project):
    """A warm `reflekt lint FILE` (or `--select`) over an unchanged schema with a `$ref`:
    its findings and the definitions it names come from the lint cache's index, so the
    schema is statted, never opened; the definition it references is still checked (its
    RF104, as without the cache). Before, the `$ref`s were read off the file again."""
    project = make_project()
    order, _ = _shop(project)
    order_id = "segment/shop/Order_Done/1-0.json"
    for args in ([str(order)], ["--select", "segment/shop/Order_Done"]):
        uncached = _opens(project, "--no-cache", "--format", "json", *args)
        assert uncached[:2] == (["money/1-0.json"], [order_id]), "read once, not twice"
        _opens(project, "--format", "json", *args)  # cold (or warm from the last loop)
        common, schemas, out = _opens(project, "--format", "json", *args)
        assert schemas == []
        assert common == ["money/1-0.json"]
        assert json.loads(out) == json.loads(uncached[2])
        assert [f["file"] for f in json.loads(out)["findings"]] == [
            "schemas/.reflekt/common/money/1-0.json"
        ]


def test_a_file_lint_reads_only_the_definitions_it_reaches(make_project):
    """100 definitions, the schema references one: only that one is opened, without the
    cache and with it once it knows the others' hashes (`common-digests.txt`: the cache's
    fingerprint covers every definition); an edited definition is read again."""
    project = make_project()
    order, _ = _shop(project)
    others = [_common(project, f"other{n}/1-0.json", {"type": "string"}) for n in range(100)]
    names = sorted(
        p.relative_to(project.schemas_dir / ".reflekt/common").as_posix() for p in others
    )

    assert _opened(project, "--no-cache", str(order)) == ["money/1-0.json"]
    assert _opened(project, str(order)) == sorted([*names, "junk/1-0.json", "money/1-0.json"])
    assert _opened(project, str(order)) == ["money/1-0.json"]
    others[5].write_text('{"type": "number"}', encoding="utf-8")
    assert _opened(project, str(order)) == ["money/1-0.json", "other5/1-0.json"]
    assert _opened(project, str(order)) == ["money/1-0.json"]


def test_the_common_signature_is_the_same_with_known_hashes(make_project):
    """`common_signature` with the cache's known hashes: the same value as without; a
    definition whose stat changed (a same-size edit with its mtime put back still moves
    its ctime) is hashed again; a planted `known` for a gone file is dropped."""
    from reflekt.core.refs import common_signature

    project = make_project()
    money = _common(project, "money/1-0.json", {"type": "number"})
    schemas = project.schemas_dir
    st = money.stat()
    key = f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"
    known = {"gone/1-0.json": (key, "0" * 32)}
    fresh = common_signature(schemas)
    assert common_signature(schemas, known) == fresh
    assert "gone/1-0.json" not in known
    known["money/1-0.json"] = (key, "f" * 32)  # trusted by its stat: the planted hash counts
    assert common_signature(schemas, known) != fresh
    money.write_text(money.read_text(encoding="utf-8").replace("number", "string"), "utf-8")
    os.utime(money, ns=(st.st_atime_ns, st.st_mtime_ns))
    edited = common_signature(schemas)
    assert edited != fresh
    assert common_signature(schemas, known) == edited


@pytest.mark.parametrize(
    "damage",
    ["binary", "foreign lines", "truncated", "planted hash", "a folder"],
)
def test_a_damaged_digests_file_never_changes_a_result(make_project, damage, monkeypatch):
    """`.reflekt_cache/lint/common-digests.txt` is outside content once written: garbage,
    other tools' lines, a cut-off file, a hash planted under a stat that is not the file's,
    or a folder in its place is ignored (the definitions are hashed again), never an error,
    and the findings stay those of `--no-cache`, across an edit of a definition too."""
    from reflekt.core import fsutil

    monkeypatch.setattr(fsutil, "RACY_NS", -1_000_000_000)  # keep hashes of files just written
    project = make_project()
    order, money = _shop(project)
    assert _lint(project, str(order))[1]  # writes the index and the digests
    digests = project.root / ".reflekt_cache" / "lint" / "common-digests.txt"
    written = digests.read_text(encoding="utf-8")
    assert "money/1-0.json" in written
    if damage == "binary":
        digests.write_bytes(b"\xff\xfe\x00garbage\n\x80\x81")
    elif damage == "foreign lines":
        digests.write_text("money/1-0.json\n# a comment\n1 2 3\tabc\tmoney/1-0.json\n\t\t\n")
    elif damage == "truncated":
        digests.write_text(written[: len(written) // 2], encoding="utf-8")
    elif damage == "planted hash":
        digests.write_text(f"1 2 3 4\t{'0' * 32}\tmoney/1-0.json\n", encoding="utf-8")
    else:
        digests.unlink()
        digests.mkdir()
    # an edit of the definition: the `price` the schema uses now names a missing file (the
    # schema's own, cached, findings change), and its unused `old` another one
    text = money.read_text(encoding="utf-8").replace("common/gone/", "common/lost/")
    text = text.replace('"type": "number"', '"$ref": "common/nowhere/1-0.json"')
    money.write_text(text, encoding="utf-8")
    cached = _lint(project, str(order))
    uncached = _lint(project, "--no-cache", str(order))
    assert cached == uncached
    assert any("common/lost/1-0.json" in f["message"] for f in cached[1])
    assert any(
        f["schema_id"] == "segment/shop/Order_Done/1-0.json" and f["rule"] == "RF104"
        for f in cached[1]
    ), cached
    assert _lint(project, str(order)) == uncached  # and again, from what this run kept
