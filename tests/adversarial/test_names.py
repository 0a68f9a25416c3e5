"""Names from outside stay inside (issue 8).

Hostile registry names, over the wire against the local Segment and Avo fakes, through the
CLI: every file lands under `schemas/<registry>/<plan>/<event>/`, the real name stays in
`self.name`, collisions are reported instead of replacing files, a second pull is
byte-identical. Plus: the folder rule's properties (hypothesis), symlinks that leave the
project (pull, demo), `--select` paths that would leave `schemas/`, and terminal escape
sequences in names printed by pull and diff.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "registries"))

from registry_fakes import AVO_ACCOUNT, SEGMENT_TOKEN, FakeAvo, FakeSegment, track_rule

from reflekt.cli import cli
from reflekt.core.escape import terminal_text
from reflekt.core.names import (
    HASH_MARK,
    MAX_FOLDER_BYTES,
    WINDOWS_DEVICES,
    event_folder,
    folder_key,
    name_of_folder,
)
from reflekt.core.safepath import PathGuard, UnsafePathError, ensure_inside, inside

HOSTILE_KEYS = [
    "..",
    ".",
    " .. ",
    "   ",
    "\t",
    ".git",
    ".hidden",
    "a\x00b",
    "x" * 300,
    "é" * 200,
    "ctrl\x01\x7f\x9b",
    "\x1b]0;pwned\x07",
    "[red]x[/red]",
    "Cart\tViewed",
    "Cart/Viewed",
    "Cart\\Viewed",
    "Cart  Viewed",
    "../../outside",
    "/etc/passwd",
    "CON",
    "nul.txt",
    "a:b*c?",
    "{{ log('pwned') }}",
    "trailing.",
    "\u202eevil",
]


@pytest.fixture(autouse=True)
def _fast_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFLEKT_HTTP_MAX_WAIT", "0")
    monkeypatch.setenv("REFLEKT_HTTP_TIMEOUT", "10")


@pytest.fixture
def segment():
    server = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    yield server
    server.stop()


@pytest.fixture
def avo():
    server = FakeAvo(workspace="ws123", account=AVO_ACCOUNT).start()
    yield server
    server.stop()


def _segment_project(make_project, segment, folder: str = "project"):
    project = make_project(folder=folder)
    project.write_profiles(
        {
            "version": 1.0,
            "dev": {
                "registry": [
                    {"type": "segment", "api_token": SEGMENT_TOKEN, "api_url": segment.url}
                ]
            },
        }
    )
    return project


def _invoke(project, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)])


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (symlinks not followed), with its bytes."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def _outside(tmp_path: Path, project_root: Path) -> dict[str, bytes]:
    """Files under tmp_path that are not in the project (what a pull must never write)."""
    return {
        k: v for k, v in _tree(tmp_path).items() if not (tmp_path / k).is_relative_to(project_root)
    }


# -- pull over the wire ----------------------------------------------------------------------


def test_hostile_segment_keys_stay_inside_and_keep_their_names(tmp_path, make_project, segment):
    project = _segment_project(make_project, segment)
    local = project.add_schema("segment/hostile/Cart_Viewed/1-1", name="Cart Viewed")
    before_local = local.read_bytes()
    rules = [track_rule(key) for key in HOSTILE_KEYS] + [track_rule("Cart_Viewed")]
    segment.add_plan("hostile", rules)
    outside_before = _outside(tmp_path, project.root)

    result = _invoke(project, "pull", "--select", "segment/hostile")

    assert result.exit_code == 0, result.output
    assert _outside(tmp_path, project.root) == outside_before
    # The local "Cart Viewed" is not replaced by the registry's "Cart_Viewed": reported.
    assert local.read_bytes() == before_local
    assert "not pulled" in result.output and "Cart_Viewed" in result.output
    plan_dir = project.schemas_dir / "segment" / "hostile"
    written = [p for p in plan_dir.rglob("*") if p.is_file()]
    names = {}
    for path in written:
        rel = path.relative_to(plan_dir)
        assert len(rel.parts) == 2, rel  # <event>/<version>.json, nothing deeper or higher
        assert path.resolve().is_relative_to(plan_dir.resolve())
        body = json.loads(path.read_text(encoding="utf-8"))
        assert body["$id"] == f"segment/hostile/{rel.as_posix()}"
        names[body["self"]["name"]] = rel.parts[0]
    assert set(names) == {*HOSTILE_KEYS, "Cart Viewed"}
    for name, folder in names.items():
        if name != "Cart Viewed":
            assert folder == event_folder(name)
    assert len(set(names.values())) == len(names)  # one folder per name

    # The pulled files agree with their folders: no $id / name / folder findings.
    lint = _invoke(project, "lint", "--select", "segment/hostile", "--format", "json")
    assert lint.exit_code in (0, 1), lint.output
    rules = {f["rule"] for f in json.loads(lint.stdout)["findings"]}
    assert not {"RF201", "RF202", "RF203"} & rules, rules

    # diff matches every hostile registry event with its pulled file.
    diff = _invoke(project, "diff", "--select", "segment/hostile")
    assert diff.exit_code == 0, diff.output
    assert f", {len(HOSTILE_KEYS)} unchanged." in diff.output

    snapshot = _tree(project.schemas_dir)
    again = _invoke(project, "pull", "--select", "segment/hostile")
    assert again.exit_code == 0, again.output
    assert _tree(project.schemas_dir) == snapshot
    assert f"0 created, 0 updated, {len(HOSTILE_KEYS)} unchanged" in again.output


def test_names_that_share_a_folder_are_reported_not_merged(make_project, segment):
    nfc = unicodedata.normalize("NFC", "Café Opened")
    nfd = unicodedata.normalize("NFD", "Café Opened")
    segment.add_plan(
        "shared",
        [track_rule("Cart Viewed"), track_rule("Cart_Viewed", version=2), track_rule(nfd)],
    )
    segment.add_plan("shared2", [track_rule(nfc), track_rule(nfd)])
    project = _segment_project(make_project, segment)

    result = _invoke(project, "pull", "--select", "segment/shared")
    assert result.exit_code == 0, result.output
    folder = project.schemas_dir / "segment" / "shared" / "Cart_Viewed"
    assert sorted(p.name for p in folder.iterdir()) == ["1-0.json"]  # no 2-0 of "Cart_Viewed"
    assert json.loads((folder / "1-0.json").read_text())["self"]["name"] == "Cart Viewed"
    assert "not pulled: the TRACK rule 'Cart_Viewed' (version 2)" in result.output
    # An NFD name gets the NFC folder, and keeps its own spelling in self.name.
    cafe = project.schemas_dir / "segment" / "shared" / event_folder(nfc) / "1-0.json"
    assert event_folder(nfd) == event_folder(nfc) == "Café_Opened"
    assert json.loads(cafe.read_text(encoding="utf-8"))["self"]["name"] == nfd

    both = _invoke(project, "pull", "--select", "segment/shared2")
    assert both.exit_code == 0, both.output
    files = list((project.schemas_dir / "segment" / "shared2").rglob("*.json"))
    assert len(files) == 1
    assert "not pulled" in both.output and "schemas/segment/shared2/Café_Opened" in both.output


def test_folders_that_differ_only_by_case_are_both_pulled_with_a_note(make_project, segment):
    segment.add_plan("cases", [track_rule("Signed Up"), track_rule("Signed up")])
    project = _segment_project(make_project, segment)

    result = _invoke(project, "pull", "--select", "segment/cases")

    assert result.exit_code == 0, result.output
    folders = sorted(p.name for p in (project.schemas_dir / "segment" / "cases").iterdir())
    assert folders == ["Signed_Up", "Signed_up"]
    assert "differ only by case" in result.output


def test_hostile_avo_names_stay_inside(tmp_path, make_project, avo):
    def event(name: str) -> dict:
        return {"id": "E1", "name": name, "description": "d", "tags": [], "categories": []}

    avo.set_branch(
        "main",
        {"events": [event(n) for n in ("..", "../x", ".git", "a/b", "Cart\tViewed", "CON")]},
    )
    project = make_project()
    project.write_profiles(
        {
            "version": 1.0,
            "dev": {
                "registry": [
                    {
                        "type": "avo",
                        "workspace_id": "ws123",
                        "service_account_name": AVO_ACCOUNT[0],
                        "service_account_secret": AVO_ACCOUNT[1],
                        "api_url": avo.url,
                    }
                ]
            },
        }
    )
    outside_before = _outside(tmp_path, project.root)

    result = _invoke(project, "pull", "--select", "avo/main")

    assert result.exit_code == 0, result.output
    assert _outside(tmp_path, project.root) == outside_before
    branch = project.schemas_dir / "avo" / "main"
    folders = sorted(p.name for p in branch.iterdir())
    assert folders == sorted(
        event_folder(n) for n in ("..", "../x", ".git", "a/b", "Cart\tViewed", "CON")
    )
    for folder in folders:
        body = json.loads((branch / folder / "1-0.json").read_text(encoding="utf-8"))
        assert event_folder(body["self"]["name"]) == folder


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(keys=st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=6, unique=True))
def test_any_rule_keys_pull_inside_deterministically(tmp_path_factory, keys):
    from reflekt.core.profiles import load_profile
    from reflekt.core.project import load_project
    from reflekt.core.registries import RetryPolicy, pull
    from reflekt.core.scaffold import NewProject, create_project

    root = tmp_path_factory.mktemp("any") / "project"
    create_project(
        root,
        NewProject(
            name="p", vendor="com.example", profile="dev", profiles_path="reflekt_profiles.yml"
        ),
    )
    server = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    try:
        server.add_plan("plan", [track_rule(key) for key in keys])
        (root / "reflekt_profiles.yml").write_text(
            f"version: 1.0\ndev:\n  registry:\n    - type: segment\n      api_token: {SEGMENT_TOKEN}\n"
            f"      api_url: {server.url}\n"
        )
        project = load_project(root)
        profile = load_profile(project, None)
        policy = RetryPolicy(max_wait=0)
        first = pull(project, profile, "segment/plan", policy=policy)
        snapshot = _tree(root.parent)
        second = pull(project, profile, "segment/plan", policy=policy)
    finally:
        server.stop()
    plan_dir = root / "schemas" / "segment" / "plan"
    assert set(_tree(root.parent)) == set(snapshot)
    assert _tree(root.parent) == snapshot and not second.created and not second.updated
    for rel in snapshot:
        assert rel.startswith("project/")
    pulled = {}
    for path in plan_dir.rglob("*.json"):
        assert path.parent.parent == plan_dir
        pulled[json.loads(path.read_text(encoding="utf-8"))["self"]["name"]] = path.parent.name
    # Every key is pulled under its own name, or reported as sharing a folder.
    for key in keys:
        if key not in pulled:
            assert any(event_folder(key) in note for note in first.notes), (key, first.notes)
        else:
            assert pulled[key] == event_folder(key)


# -- the folder rule -------------------------------------------------------------------------

# Every kind of code point, including controls, surrogates, bidi marks and combining marks.
ANY_TEXT = st.text(st.characters(codec=None), max_size=120) | st.text(
    st.sampled_from(list("._ /\\%~:{}aA\x00\x1b\u202e\u0301é\ud800")), max_size=300
)


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT)
def test_event_folder_is_always_safe(name):
    folder = event_folder(name)
    assert folder and folder not in (".", "..")
    assert "/" not in folder and "\\" not in folder and "\x00" not in folder
    assert not folder.startswith(".") and not folder.endswith((".", " "))
    assert len(folder.encode("utf-8")) <= MAX_FOLDER_BYTES
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in folder)
    assert not any(c in ':*?"<>|{}' for c in folder)
    assert folder.split(".", 1)[0].upper() not in WINDOWS_DEVICES
    assert not folder.lower().endswith(".json"), "an event folder never looks like a schema"
    assert unicodedata.is_normalized("NFC", folder)
    assert event_folder(name) == folder  # deterministic


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT)
def test_event_folder_is_reversible_hence_injective(name):
    """The folder gives the name back (spaces for `_`), so two names that are not the same
    modulo the seed's `_`/space equivalence and NFC never share a folder."""
    folder = event_folder(name)
    if HASH_MARK in folder:
        assert name_of_folder(folder) is None
        assert len(event_folder(name + "x")) <= MAX_FOLDER_BYTES
        assert event_folder(name + "x") != folder
    else:
        assert name_of_folder(folder) == folder_key(name)


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, ANY_TEXT)
def test_two_names_share_a_folder_only_when_their_keys_are_equal(a, b):
    assert (event_folder(a) == event_folder(b)) == (folder_key(a) == folder_key(b))


PLAIN_TEXT = st.text(st.sampled_from(list("aA0_ -CONULPTcomx1")), min_size=1, max_size=210) | (
    st.sampled_from(sorted(WINDOWS_DEVICES)).map(lambda name: name.lower())
)


@settings(max_examples=300, deadline=None)
@given(PLAIN_TEXT)
def test_plain_names_take_the_folder_the_character_rule_gives(name):
    """`event_folder`'s shortcut for ASCII letters, digits, `_`, `-` and spaces (what lint
    asks of every schema) gives the folder of the rule character by character."""
    from reflekt.core import names

    by_character = "".join(names._units(unicodedata.normalize("NFC", name)))
    if len(by_character.encode("utf-8")) <= MAX_FOLDER_BYTES:
        assert event_folder(name) == by_character
    else:
        assert HASH_MARK in event_folder(name)
    assert event_folder("con") == "%63on" and event_folder("Nul") == "%4Eul"


def test_a_name_ending_in_json_gets_a_folder_lint_reads_as_a_folder():
    """Found by hypothesis: the rule key `0.json` became the folder `0.json`, which lint then
    reported as an unreadable schema file (a directory named *.json)."""
    assert event_folder("0.json") == "0%2Ejson"
    assert event_folder("Export.JSON") == "Export%2EJSON"
    assert name_of_folder("0%2Ejson") == "0.json"
    assert event_folder("a.json.gz") == "a.json.gz"


def test_the_seed_folders_are_kept():
    assert event_folder("Cart Viewed") == "Cart_Viewed"
    assert event_folder("order_completed") == "order_completed"
    assert event_folder("Checkout Step Viewed") == "Checkout_Step_Viewed"
    assert event_folder("Cart\tViewed") != event_folder("Cart Viewed")
    assert event_folder("Cart/Viewed") != event_folder("Cart Viewed")
    assert event_folder("Cart  Viewed") != event_folder("Cart Viewed")
    assert event_folder("..") == "%2E%2E" and event_folder(".git") == "%2Egit"


# -- symlinks --------------------------------------------------------------------------------


def test_pull_refuses_a_symlinked_registry_folder_leaving_the_project(
    tmp_path, make_project, segment
):
    segment.add_plan("ecommerce", [track_rule("Cart Viewed")])
    project = _segment_project(make_project, segment)
    victim = tmp_path / "victim"
    (victim / "ecommerce" / "Cart_Viewed").mkdir(parents=True)
    target = victim / "ecommerce" / "Cart_Viewed" / "1-0.json"
    target.write_text("precious\n")
    (project.schemas_dir / "segment").symlink_to(victim, target_is_directory=True)

    result = _invoke(project, "pull", "--select", "segment/ecommerce")

    assert result.exit_code == 2, result.output
    assert "symlink" in result.output and "Traceback" not in result.output
    assert target.read_text() == "precious\n"
    assert sorted(p.name for p in victim.rglob("*")) == ["1-0.json", "Cart_Viewed", "ecommerce"]


def test_pull_refuses_a_symlinked_event_folder_and_writes_nothing(tmp_path, make_project, segment):
    segment.add_plan("ecommerce", [track_rule("Aaa"), track_rule("Cart Viewed")])
    project = _segment_project(make_project, segment)
    victim = tmp_path / "victim"
    victim.mkdir()
    plan_dir = project.schemas_dir / "segment" / "ecommerce"
    plan_dir.mkdir(parents=True)
    (plan_dir / "Cart_Viewed").symlink_to(victim, target_is_directory=True)

    result = _invoke(project, "pull", "--select", "segment/ecommerce")

    assert result.exit_code == 2, result.output
    assert list(victim.iterdir()) == []
    assert not (plan_dir / "Aaa").exists()  # checked before the first write


def test_safepath_allows_symlinks_that_stay_inside(tmp_path):
    root = tmp_path / "p"
    (root / "real").mkdir(parents=True)
    (root / "link").symlink_to(root / "real", target_is_directory=True)
    (root / "out").symlink_to(tmp_path, target_is_directory=True)
    assert inside(root, root / "link" / "x.json")
    assert not inside(root, root / "out" / "x.json")
    assert not inside(root, root / "a" / ".." / ".." / "x")
    assert ensure_inside(root, Path("real/new/x.json")) == root / "real" / "new" / "x.json"
    with pytest.raises(UnsafePathError) as raised:
        ensure_inside(root, root / "out" / "x.json")
    assert raised.value.exit_code == 2 and "out" in str(raised.value)
    with pytest.raises(UnsafePathError):
        ensure_inside(root, root / "real" / "x", within=root / "schemas")


def test_demo_refuses_a_symlink_leaving_its_folder(tmp_path):
    from reflekt.demo.layout import lay_out_demo

    demo = tmp_path / "demo"
    lay_out_demo(demo)
    victim = tmp_path / "victim"
    victim.mkdir()
    schemas = demo / "schemas" / "segment"
    for path in sorted(schemas.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    schemas.rmdir()
    schemas.symlink_to(victim, target_is_directory=True)

    result = CliRunner().invoke(cli, ["demo", "--dir", str(demo)])

    assert result.exit_code == 2, result.output
    assert "symlink" in result.output and "Traceback" not in result.output
    assert list(victim.iterdir()) == []


# -- --select --------------------------------------------------------------------------------


@pytest.mark.parametrize("select", ["segment/..", "segment/../..", "../x", "/etc", "segment/."])
@pytest.mark.parametrize("command", ["pull", "push", "diff"])
def test_registry_selects_leaving_schemas_are_usage_errors(make_project, segment, command, select):
    project = _segment_project(make_project, segment)
    before = _tree(project.schemas_dir)

    result = _invoke(project, command, "--select", select)

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert ("'..'" in result.output) or ("absolute" in result.output)
    assert _tree(project.schemas_dir) == before
    assert sorted(p.name for p in project.root.parent.iterdir()) == ["project"]
    assert not segment.calls()  # refused before any request


@pytest.mark.parametrize("select", ["segment/..", "../x", "/etc/passwd", "schemas/../.."])
def test_lint_and_build_selects_leaving_schemas_are_usage_errors(make_project, select):
    project = make_project()
    project.add_schema("segment/ecommerce/Cart_Viewed/1-0")
    for args in (["lint"], ["build", "dbt"]):
        result = _invoke(project, *args, "--select", select)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize("plan", [" ", ".hidden", "a\x1bb"])
def test_plan_names_that_are_no_folder_are_usage_errors(make_project, segment, plan):
    project = _segment_project(make_project, segment)
    result = _invoke(project, "pull", "--select", f"segment/{plan}")
    assert result.exit_code == 2, result.output
    assert "\x1b" not in result.output


# -- terminal output -------------------------------------------------------------------------

EVIL = "\x1b]0;pwned\x07[red]x[/red]\x1b[2J"


def test_pull_output_neutralises_terminal_sequences_and_markup(make_project, segment):
    project = _segment_project(make_project, segment)
    project.add_schema("segment/evil/Evil/1-0", name="Evil", properties={})
    segment.add_plan(
        "evil",
        [track_rule("Evil", {EVIL: {"type": ["string"], "description": EVIL}}), track_rule(EVIL)],
    )

    result = _invoke(project, "pull", "--select", "segment/evil")

    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;pwned" in result.output  # the property name, shown as visible escapes
    assert "[red]x[/red]" in result.output  # markup printed literally
    assert f"schemas/segment/evil/{event_folder(EVIL)}/1-0.json" in result.output


def test_diff_output_neutralises_terminal_sequences(make_project, segment):
    project = _segment_project(make_project, segment)
    project.add_schema("segment/evil/Evil/1-0", name="Evil", properties={})
    segment.add_plan("evil", [track_rule("Evil", {EVIL: {"type": ["string"], "description": "d"}})])

    for args in ([], ["--format", "github"]):
        result = _invoke(project, "diff", "--select", "segment/evil", *args)
        assert result.exit_code in (0, 1), result.output
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "\\x1b]0;pwned" in result.output


def test_terminal_text_keeps_ordinary_text():
    text = "Cart Viewed — café 👍\tnext\nline [bold]"
    assert terminal_text(text) == text
    assert terminal_text("a\x1b[31mb\x9bc\u202ed\r") == "a\\x1b[31mb\\x9bc\\u202ed\\x0d"


def test_tui_shows_hostile_names_literally_without_terminal_codes(make_project):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tui"))
    from tui_support import drive, make_app

    evil = "\x1b]0;pwned\x07[/red]x[bold]\x1b[2J\u202e"
    project = make_project()
    folder = event_folder(evil)
    project.add_schema(
        f"segment/evil/{folder}/1-0",
        {evil: {"type": "string", "description": evil}},
        name=evil,
        description=evil,
        metadata={evil: evil},
    )

    async def scenario(pilot):
        await pilot.press("down")
        await pilot.pause()
        return pilot.app.export_screenshot()

    screen = drive(make_app(project.root), scenario)
    assert "\x1b" not in screen and "\u202e" not in screen
    assert "\\x1b]0;pwned" in screen.replace("&#160;", " ")
    assert "[/red]x[bold]" in screen.replace("&#160;", " ")


def test_verbose_output_prints_markup_in_names_literally(make_project, segment):
    segment.add_plan("[red]plan", [track_rule("[/bold]x")])
    project = _segment_project(make_project, segment)

    result = _invoke(project, "pull", "--select", "segment/[red]plan", "--verbose")

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "MarkupError" not in result.output
    assert "--select=segment/[red]plan" in result.output  # the verbose run line


def test_path_guard_resolves_like_realpath(tmp_path):
    """The batch guard's memoised resolution agrees with os.path.realpath, symlinks included."""
    root = tmp_path / "project"
    (root / "schemas" / "segment" / "real").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "schemas" / "segment" / "inner").symlink_to(root / "schemas" / "segment" / "real")
    (root / "schemas" / "segment" / "leak").symlink_to(outside)
    (root / "schemas" / "segment" / "rel").symlink_to("real")
    guard = PathGuard(root)
    for rel in ("inner/A/1-0.json", "leak/B/1-0.json", "rel/C/1-0.json", "real/D/1-0.json"):
        path = str(root / "schemas" / "segment" / rel)
        assert guard.realpath(path) == os.path.realpath(path), rel
    assert guard.ensure(root / "schemas" / "segment" / "inner" / "x.json")
    with pytest.raises(UnsafePathError, match="leak is a symlink"):
        guard.ensure(root / "schemas" / "segment" / "leak" / "x.json")
