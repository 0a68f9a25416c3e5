"""Registry and file content is data in the generated dbt package, never Jinja or SQL (issue 8).

Each attack goes through `reflekt build dbt` (CliRunner) on a real project with a real DuckDB
warehouse, then REAL dbt (`deps`, `parse`, `build`) on the package: hostile event folders and
rule keys (a PAGE rule keyed `{{run_query(...)}}` that dropped a table), hostile descriptions
(`{{ env_var('SEG_TOKEN') }}` put the token into `target/manifest.json`; `{% raw %}` made
`dbt parse` fail), newlines in folder names (broke out of the header comments). dbt costs
seconds per call, so one module fixture builds every attack into ONE project and runs dbt
once; the hypothesis test batches its strings into one project per example.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reflekt.cli import cli
from reflekt.core import escape
from reflekt.core.build import segment
from reflekt.core.build.casts import CASTS_PATH
from reflekt.core.build.dbt import header_schema_ids, is_generated
from reflekt.core.build.dbt_runner import (
    DbtRunResult,
    dbt_command,
    run_dbt,
    write_downstream_project,
)
from reflekt.core.build.schema_tests import MACROS_PATH
from reflekt.core.build.templating import FILTERS, UnescapedValueError, environment, render
from reflekt.core.profiles import SourceConfig
from reflekt.core.scaffold import NewProject, create_project
from reflekt.core.schemas import dump_schema, new_schema_body

needs_dbt = [
    pytest.mark.dbt,
    pytest.mark.skipif(dbt_command() is None, reason="dbt is not installed"),
]

SECRET = "tok-5f1e9c-must-never-reach-the-manifest"
CANARY = "CANARY-7d3a"
RUN_QUERY_KEY = '{{run_query(("drop%ctable%csegment_prod.victim")|format(32,32))}}'
SCHEMA = "segment_prod"
PACKAGE = "hostile"
SOURCE_ARG = f"wh.warehouse.{SCHEMA}"

HOSTILE_TEXTS = (
    "{{ env_var('SEG_TOKEN') }}",
    "{% raw %} unbalanced {{",
    "{% endraw %} closes nothing",
    "{%- endraw -%}{%endraw%}{%+ endraw +%}",
    "{# an unclosed comment",
    "a }} b %} c #} d",
    f"{{{{ log('{CANARY}', info=True) }}}}",
    f"{{{{ exceptions.raise_compiler_error('{CANARY}') }}}}",
    "line one\nline two\n-- not a comment\nselect 1;",
    "carriage\rreturn\r\nand crlf\r",
    "*/ -- ; drop table victim; /* '",
    'it\'s "quoted" with a \\ backslash and \\\\ two',
    "unicode é ü 漢字 🎉, separators \u2028 \u2029 \u0085 and a tab\t.",
    "key: value # not a YAML comment",
    "trailing newline\n",
    " leading and trailing spaces ",
    "control \x00 nul \x1b[31m ansi \x07 bell \x7f del \x9b csi",
    "yes",
    "",
)


@dataclass(frozen=True)
class Event:
    """One hostile event schema: its folder, `self.name`, description and properties."""

    folder: str
    name: str
    description: str
    properties: Mapping[str, Any] = field(default_factory=dict)
    rule_type: str | None = None

    @property
    def schema_id(self) -> str:
        return f"segment/plan/{self.folder}/1-0.json"

    @property
    def table(self) -> str:
        return segment.call_for_event(self.name, None, self.rule_type)[1]


def _property(description: str, kind: Any = "string") -> dict[str, Any]:
    return {"type": kind, "description": description}


def hostile_events() -> list[Event]:
    """Every attack of the issue, as schema files a pull (or a careless user) would write."""
    events = [
        # The PAGE rule that dropped a table: its key is the folder and the page's name.
        Event(RUN_QUERY_KEY, RUN_QUERY_KEY, "A page rule keyed with Jinja.", {}, "PAGE"),
        Event(
            f"{{{{ log('{CANARY}', info=True) }}}}",
            f"{{{{ log('{CANARY}', info=True) }}}}",
            "A page keyed with a canary.",
            {},
            "PAGE",
        ),
        # TRACK rules keyed with Jinja, a newline, a comment closer and quotes.
        Event(
            f"{{{{ exceptions.raise_compiler_error('{CANARY}') }}}}",
            "Jinja Keyed Event",
            "A track rule keyed with Jinja.",
            {"amount": _property("How much.")},
            "TRACK",
        ),
        Event(
            "Line\nBreak -- select 1;\n{{ log('x') }}",
            "Line Break Event",
            "A local folder with newlines.",
            {"a": _property("A.")},
        ),
        Event("Carriage\rReturn", "Carriage Return Event", "A folder with a CR.", {}),
        Event('it\'s "quoted" */ --', "Quoted Event", "A folder with quotes.", {}),
        Event("Back\\slash \u2028 é", "Backslash Event", "A folder with a backslash.", {}),
        Event("Bell\x07Tab\tEsc\x1b[0m", "Control Event", "A folder with control characters.", {}),
        # `type: any` (the seed's own data type, in real Segment plans): an untyped column.
        Event(
            "Any_Typed",
            "Any Typed",
            "Properties typed `any`.",
            {
                "anything": _property("Any value.", "any"),
                "maybe": _property("Any or null.", ["any", "null"]),
                "mixed": _property("A string or any.", ["string", "any"]),
                "any_object": {
                    "type": "any",
                    "description": "Any, with properties.",
                    "properties": {"x": _property("X.")},
                },
            },
        ),
    ]
    # Every hostile text as an event description, a property description and a property name.
    for index, text in enumerate(HOSTILE_TEXTS):
        events.append(
            Event(
                f"Hostile_{index}",
                f"Hostile {index}",
                text,
                {f"p{index}": _property(text), f"{{{{x}}}}{text}": _property(f"named {index}")},
            )
        )
    return events


def write_project(root: Path, events: list[Event]) -> None:
    """A real project (`reflekt init`'s files) with one schema file per event."""
    create_project(
        root,
        NewProject(
            name=PACKAGE, vendor="com.example", profile="dev", profiles_path="reflekt_profiles.yml"
        ),
    )
    for event in events:
        body = new_schema_body(
            event.schema_id,
            vendor="com.example",
            name=event.name,
            version="1-0",
            description=event.description,
            metadata={"segment_rule_type": event.rule_type} if event.rule_type else {},
            properties=dict(event.properties),
        )
        path = root / "schemas" / event.schema_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_schema(body), encoding="utf-8")


def write_warehouse(root: Path, events: list[Event]) -> Path:
    """A DuckDB warehouse with each event's table (one row, named like the event), `tracks`,
    and `victim`, the table the PAGE rule's key tried to drop. Returns the profile's source."""
    import duckdb

    tables: dict[str, dict[str, str]] = {
        "tracks": {"id": "varchar", "event": "varchar"},
        "victim": {"id": "varchar"},
    }
    rows: dict[str, list[dict[str, str]]] = {"victim": [{"id": "still here"}]}
    for event in events:
        columns = tables.setdefault(event.table, {"id": "varchar", "name": "varchar"})
        for prop in segment.flatten_properties(event.properties):
            columns[prop.column] = "varchar"
        rows.setdefault(event.table, []).append({"id": event.schema_id, "name": event.name})
    db_path = root / "warehouse.duckdb"
    db_path.unlink(missing_ok=True)
    with duckdb.connect(str(db_path)) as con:
        con.execute(f"create schema {SCHEMA}")
        for table, columns in tables.items():
            spec = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
            con.execute(f'create table {SCHEMA}."{table}" ({spec})')
            for row in rows.get(table, []):
                names = ", ".join(f'"{name}"' for name in row)
                marks = ", ".join("?" for _ in row)
                con.execute(
                    f'insert into {SCHEMA}."{table}" ({names}) values ({marks})', list(row.values())
                )
    (root / "reflekt_profiles.yml").write_text(
        yaml.safe_dump(
            {
                "version": 1.0,
                "dev": {"source": [{"id": "wh", "type": "duckdb", "path": str(db_path)}]},
            }
        ),
        encoding="utf-8",
    )
    return db_path


def reflekt_build(root: Path) -> str:
    result = CliRunner().invoke(
        cli, ["build", "dbt", "--project-dir", str(root), "--source", SOURCE_ARG]
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def package_dir(root: Path) -> Path:
    return root / "artifacts" / "dbt" / PACKAGE


def package_files(root: Path) -> dict[str, str]:
    base = package_dir(root)
    return {
        p.relative_to(base).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(base.rglob("*"))
        if p.is_file()
    }


def manifest_of(work_dir: Path) -> dict[str, Any]:
    return json.loads((work_dir / "target" / "manifest.json").read_text(encoding="utf-8"))


def models_by_schema_id(manifest: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The manifest's models of the package, by the schema id of their generated file."""
    found: dict[str, dict[str, Any]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["package_name"] == PACKAGE:
            for schema_id in header_schema_ids(node["raw_code"]):
                found[schema_id] = node
    return found


def canary_ran(runs: list[DbtRunResult]) -> bool:
    """A canary ran when dbt logged it or raised it (dbt prints the error message)."""
    return any(CANARY in run.log for run in runs)


@dataclass
class HostileRun:
    root: Path
    db_path: Path
    events: list[Event]
    build_output: str
    files: dict[str, str]
    runs: list[DbtRunResult]  # deps, parse, build
    manifest: dict[str, Any]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    """Every attack in one project: `reflekt build dbt`, then real dbt deps, parse and build."""
    base = tmp_path_factory.mktemp("hostile")
    events = hostile_events()
    root = base / "project"
    write_project(root, events)
    db_path = write_warehouse(root, events)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(base))
        patch.setenv("SEG_TOKEN", SECRET)
        output = reflekt_build(root)
        source = SourceConfig("wh", "duckdb", {"path": str(db_path)})
        work_dir = base / "downstream"
        write_downstream_project(work_dir, package_dir(root), source, "reflekt_staging")
        runs = [run_dbt(work_dir, source, ["deps"])] if dbt_command() else []
        for args in (["parse"], ["build"]) if runs else ():
            if runs[-1].ok:
                runs.append(run_dbt(work_dir, source, args))
        manifest = manifest_of(work_dir) if (work_dir / "target/manifest.json").is_file() else {}
        yield HostileRun(root, db_path, events, output, package_files(root), runs, manifest)


# --- real dbt: parse, build, manifest -------------------------------------------------------


class TestRealDbt:
    pytestmark = needs_dbt

    def test_dbt_parse_and_build_succeed(self, hostile: HostileRun) -> None:
        assert [run.command for run in hostile.runs] == [("deps",), ("parse",), ("build",)], [
            run.log[-3000:] for run in hostile.runs
        ]
        for run in hostile.runs:
            assert run.ok, run.log[-3000:]
        # Every event has its model (PAGE keys included): nothing was skipped or lost.
        assert len(models_by_schema_id(hostile.manifest)) == len(hostile.events)

    def test_descriptions_reach_the_manifest_verbatim(self, hostile: HostileRun) -> None:
        models = models_by_schema_id(hostile.manifest)
        sources = {
            node["name"]: node
            for node in hostile.manifest["sources"].values()
            if node["package_name"] == PACKAGE
        }
        for event in hostile.events:
            node = models[event.schema_id]
            assert own_description(node) == (event.description or f"{event.name} events.")
            if event.rule_type == "PAGE":
                continue
            assert sources[event.table]["description"] == own_description(node)
            columns = {column["description"] for column in node["columns"].values()}
            for prop in event.properties.values():
                if "properties" not in prop or prop["type"] == "any":
                    assert prop["description"] in columns, (event.folder, prop)

    def test_env_var_in_a_description_does_not_leak_the_secret(self, hostile: HostileRun) -> None:
        text = json.dumps(hostile.manifest, ensure_ascii=False)
        assert SECRET not in text
        assert "{{ env_var('SEG_TOKEN') }}" in text
        for run in hostile.runs:
            assert SECRET not in run.log

    def test_canaries_never_run(self, hostile: HostileRun) -> None:
        assert not canary_ran(hostile.runs)
        # ...and they are in the package as text (the test would pass vacuously otherwise).
        assert any(CANARY in text for text in hostile.files.values())

    def test_page_rule_key_cannot_drop_a_table(self, hostile: HostileRun) -> None:
        import duckdb

        models = models_by_schema_id(hostile.manifest)
        page = models[Event(RUN_QUERY_KEY, RUN_QUERY_KEY, "").schema_id]
        with duckdb.connect(str(hostile.db_path), read_only=True) as con:
            assert con.execute(f"select id from {SCHEMA}.victim").fetchall() == [("still here",)]
            # The PAGE model reads the rows of its page, named by the key verbatim.
            rows = con.execute(
                f'select page_id, source_table from reflekt_staging."{page["name"]}"'
            ).fetchall()
        assert rows == [(f"segment/plan/{RUN_QUERY_KEY}/1-0.json", "pages")]

    def test_table_literals_are_verbatim_in_the_views(self, hostile: HostileRun) -> None:
        import duckdb

        models = models_by_schema_id(hostile.manifest)
        with duckdb.connect(str(hostile.db_path), read_only=True) as con:
            for event in hostile.events:
                if event.rule_type == "PAGE":
                    continue
                view = models[event.schema_id]["name"]
                tables = con.execute(
                    f'select source_table from reflekt_staging."{view}"'
                ).fetchall()
                assert set(tables) == {(event.table,)}, event.folder


def own_description(node: dict) -> str:
    """A model's description as the schema gave it: dbt shows Segment's columns after it (the
    package's docs block, appended by Reflekt)."""
    own, block, _ = node["description"].partition("\n\n**Segment's columns.**")
    assert block, node["description"][-300:]
    return own


# --- the generated files themselves (no dbt needed) -----------------------------------------


def test_headers_are_one_line_each_and_name_the_original_ids(hostile: HostileRun) -> None:
    ids_seen: set[str] = set()
    for rel, text in hostile.files.items():
        assert is_generated(text), rel
        if rel.endswith(".yml"):
            yaml.safe_load(text)  # a header that broke out of its comment breaks the YAML
        if rel.startswith("models/"):
            ids = header_schema_ids(text)
            ids_seen.update(ids)
            lines = text.split("\n")
            comment = {".sql": "-- ", ".md": "<!-- "}.get(Path(rel).suffix, "# ")
            # The header: the marker line, then one comment line per schema id, then the body.
            assert all(line.startswith(comment) for line in lines[: 1 + len(ids)]), rel
            assert not lines[1 + len(ids)].startswith(comment), rel
            for line in lines[: 1 + len(ids)]:
                assert "{" not in line and "\r" not in line, line
    assert ids_seen == {event.schema_id for event in hostile.events}


def test_no_jinja_forms_outside_what_the_builder_writes(hostile: HostileRun) -> None:
    """In the models, every `{{`/`{%`/`{#` is one of the builder's own constructs."""
    allowed = (
        "{{\n  config(",
        "{{ source(",
        "{{ dbt.type_string() }}",
        "{{ reflekt_cast_",  # a text column cast to its JSON type (a package macro)
        '{{ "',
        "{{ adapter.quote(",
        "{% raw %}",  # only inside `{{ "..." }}` strings, as text
    )
    for rel, text in hostile.files.items():
        if not rel.endswith(".sql"):
            continue
        if rel == MACROS_PATH:
            # The schema tests' macros are fixed text: only the package name varies, and it
            # is a snake_case identifier (in a Jinja string literal).
            package = hostile.files["dbt_project.yml"].split("\nname: ", 1)[1].split("\n")[0]
            assert re.fullmatch(r"[a-z0-9_]+", package), package
            assert text == render("schema_tests.sql.j2", package_name=package)
            continue
        if rel == CASTS_PATH:
            package = hostile.files["dbt_project.yml"].split("\nname: ", 1)[1].split("\n")[0]
            assert text == render("casts.sql.j2", package_name=package)
            continue
        rest = text
        for marker in ("{{", "{%", "{#"):
            position = rest.find(marker)
            while position != -1:
                window = rest[position : position + 30]
                assert window.startswith(allowed) or _inside_jinja_string(rest, position), (
                    rel,
                    window,
                )
                position = rest.find(marker, position + 1)


def _inside_jinja_string(text: str, position: int) -> bool:
    """True when `position` is inside a `{{ "..." }}` string the builder wrote (a literal)."""
    line_start = text.rfind("\n", 0, position) + 1
    line = text[line_start : text.find("\n", position)]
    return (
        '{{ "' in line[: position - line_start]
        or "{{ adapter.quote('" in line[: position - line_start]
    )


def test_any_typed_properties_are_untyped_columns(hostile: HostileRun) -> None:
    (rel,) = [r for r in hostile.files if r.endswith("__any_typed.sql")]
    select = hostile.files[rel]
    for column in ("anything", "maybe", "mixed", "any_object"):
        assert f"\n        {column}," in select or f"\n        {column}\n" in select, column
    assert "cast(anything" not in select


def test_rebuild_is_byte_identical_and_removes_only_gone_models(
    hostile: HostileRun, tmp_path: Path
) -> None:
    """The writer finds its files by their (escaped) headers: unchanged on a rebuild, removed
    when their schema is gone, and a hand-written file is kept."""
    root = tmp_path / "project"
    shutil.copytree(hostile.root, root)
    before = package_files(root)
    own = package_dir(root) / "models" / SCHEMA / "my_own_model.sql"
    own.write_text("select 1 as id -- {{ hand written }}\n", encoding="utf-8")
    reflekt_build(root)
    assert package_files(root) == {**before, f"models/{SCHEMA}/my_own_model.sql": own.read_text()}
    gone = next(e for e in hostile.events if "\n" in e.folder)
    shutil.rmtree((root / "schemas" / gone.schema_id).parent)
    reflekt_build(root)
    after = package_files(root)
    dropped = {rel for rel in before if rel not in after}
    assert dropped and all(gone.schema_id in header_schema_ids(before[rel]) for rel in dropped)
    assert own.is_file()


# --- templates: every interpolation is escaped ------------------------------------------------


def test_every_template_interpolation_goes_through_an_escaping_filter() -> None:
    from jinja2 import nodes

    env = environment()
    templates = env.list_templates()
    assert {"model.sql.j2", "README.md.j2", "dbt_project.yml.j2", "gitignore.j2"} <= set(templates)
    for name in templates:
        source = env.loader.get_source(env, name)[0]
        for output in env.parse(source).find_all(nodes.Output):
            for node in output.nodes:
                if isinstance(node, nodes.TemplateData):
                    continue
                assert isinstance(node, nodes.Filter) and node.name in FILTERS, (name, node)


def test_a_template_that_forgets_to_escape_fails() -> None:
    env = environment()
    with pytest.raises(UnescapedValueError):
        env.from_string("-- {{ name }}").render(name="{{ evil }}")
    assert env.from_string("-- {{ name|sql_comment }}").render(name="{{ evil }}") == (
        "-- \\u007b\\u007b evil \\u007d\\u007d"
    )


# --- escape.py (pure) -------------------------------------------------------------------------

_JINJA_STARTS = ("{{", "{%", "{#")


def _render(text: str) -> str:
    """Render like dbt does: only strings with Jinja characters, in a bare Jinja environment."""
    import jinja2

    from reflekt.core.escape import _RENDER_CHARS

    if not _RENDER_CHARS.search(text):
        return text
    return jinja2.Environment().from_string(text).render()


def _outside_raw(text: str) -> str:
    import re

    return re.sub(r"\{% raw %\}.*?\{% endraw %\}", "", text, flags=re.DOTALL)


jinja_texts = st.text(
    alphabet=st.sampled_from(list("{}%#-+ raw endraw\r\n\\'\"x")) | st.characters(), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(jinja_texts)
def test_jinja_text_renders_back_to_the_original_and_runs_nothing(text: str) -> None:
    escaped = escape.jinja_text(text)
    assert _render(escaped) == text
    assert escape.jinja_text_decode(escaped) == text
    outside = _outside_raw(escaped).replace("{{ '\\r' }}", "")
    assert not any(start in outside for start in _JINJA_STARTS), escaped


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["'", '"']))
def test_jinja_string_evaluates_to_the_original(text: str, quote: str) -> None:
    import jinja2

    literal = escape.jinja_string(text, quote)
    assert jinja2.Environment().from_string("{{ " + literal + " }}").render() == text
    assert "\n" not in literal and "\r" not in literal


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["duckdb", "postgres", "snowflake"]))
def test_sql_string_renders_to_one_sql_literal(text: str, dialect: str) -> None:
    rendered = _render(escape.sql_string(text, dialect))
    assert rendered.startswith("'") and rendered.endswith("'")
    body = rendered[1:-1]
    assert "'" not in body.replace("''", "")
    unescaped = body.replace("''", "'")
    if dialect == "snowflake":
        unescaped = body.replace("\\\\", "\\").replace("''", "'")
    assert unescaped == text


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_comment_text_is_one_line_without_braces_and_decodes(text: str) -> None:
    for function in (escape.comment_text, escape.html_comment):
        line = function(text)
        assert escape.comment_decode(line) == text
        assert not any(c in line for c in "{}\n\r\x0b\x0c\x85\u2028\u2029")
        # It stays a comment in YAML (PyYAML refuses non-printable characters anywhere).
        assert yaml.safe_load(f"# {line}\nkey: 1\n") == {"key": 1}
        line.encode("utf-8")
    assert "-->" not in escape.html_comment(text) and "--" not in escape.html_comment(text)


@settings(max_examples=300, deadline=None)
@given(st.text() | st.none() | st.booleans() | st.integers())
def test_yaml_scalar_reads_back_as_the_original(value: Any) -> None:
    assert yaml.safe_load(f"key: {escape.yaml_scalar(value)}\n") == {"key": value}


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_yaml_scalar_of_jinja_text_reads_back_as_the_escaped_text(text: str) -> None:
    escaped = escape.jinja_text(text)
    assert yaml.safe_load(f"key: {escape.yaml_scalar(escaped)}\n") == {"key": escaped}


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_markdown_text_forms_no_jinja_no_html_and_no_line_break(text: str) -> None:
    shown = escape.markdown_text(text)
    assert not any(start in shown for start in _JINJA_STARTS)
    assert "<" not in shown and ">" not in shown and "\n" not in shown
    shown.encode("utf-8")
    code = escape.markdown_code(text)
    assert "`" not in code and "\n" not in code
    assert not any(start in code for start in _JINJA_STARTS)


def test_escape_examples() -> None:
    assert escape.jinja_text("plain text") == "plain text"
    assert escape.jinja_text("{{ x }}") == "{% raw %}{{ x }}{% endraw %}"
    assert escape.comment_text("segment/shop/Cart_Viewed/1-0.json") == (
        "segment/shop/Cart_Viewed/1-0.json"
    )
    assert escape.sql_string("it's") == "'it''s'"
    assert escape.markdown_text("a_b {{ c }}") == "a\\_b \\{\\{ c \\}\\}"
    assert escape.dbt_quote("We'ird") == "{{ adapter.quote('We\\'ird') }}"


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=20), st.just({"type": "string"}), min_size=1, max_size=6))
def test_property_columns_are_plain_identifiers_named_as_lint_names_them(
    properties: dict[str, Any],
) -> None:
    """Any property name (`{{x}}`, quotes, newlines) becomes a column the SQL names bare, and
    the build and lint's RF314 (column collisions) agree on that name."""
    from reflekt.core.lint.base import walk_properties

    built = [prop.column for prop in segment.flatten_properties(properties)]
    linted = [ref.column for ref in walk_properties({"properties": properties})]
    assert built == linted
    for column in built:
        assert segment.is_plain_identifier(segment.safe_alias(column)), column


# --- hypothesis through real dbt --------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One downstream dbt project (deps installed once) reused by every example."""
    return {"base": tmp_path_factory.mktemp("fuzz"), "deps": False}


_CANARIES = (
    f"{{{{ log('{CANARY}', info=True) }}}}",
    f"{{{{ exceptions.raise_compiler_error('{CANARY}') }}}}",
)
fuzz_texts = st.lists(st.text(max_size=40), min_size=3, max_size=12)


@pytest.mark.dbt
@pytest.mark.skipif(dbt_command() is None, reason="dbt is not installed")
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts=fuzz_texts, position=st.integers(min_value=0, max_value=8))
def test_arbitrary_strings_render_verbatim_through_dbt_parse(
    fuzz_workspace: dict[str, Any], texts: list[str], position: int
) -> None:
    """Arbitrary strings (with a canary inserted) as descriptions, property names and page
    names: `dbt parse` succeeds, renders each verbatim, and the canary never runs."""
    texts = list(texts)
    texts.insert(position % (len(texts) + 1), _CANARIES[position % 2])
    events = [
        Event(
            f"Fuzz_{index}",
            f"Fuzz {index}",
            text,
            {"p": _property(text), f"q {text}": _property(f"named {index}")},
        )
        for index, text in enumerate(texts)
    ]
    events.append(
        Event("Fuzz_Page", texts[0] or "Fuzz Page", "A page.", {"t": _property(texts[-1])}, "PAGE")
    )
    base: Path = fuzz_workspace["base"]
    root = base / "project"
    shutil.rmtree(root, ignore_errors=True)
    write_project(root, events)
    db_path = write_warehouse(root, events)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(base))
        reflekt_build(root)
        source = SourceConfig("wh", "duckdb", {"path": str(db_path)})
        work_dir = base / "downstream"
        runs = []
        if not fuzz_workspace["deps"]:
            write_downstream_project(work_dir, package_dir(root), source, "reflekt_staging")
            runs.append(run_dbt(work_dir, source, ["deps"]))
            assert runs[-1].ok, runs[-1].log[-3000:]
            fuzz_workspace["deps"] = True
        runs.append(run_dbt(work_dir, source, ["parse"]))
    assert runs[-1].ok, runs[-1].log[-3000:]
    assert not canary_ran(runs)
    models = models_by_schema_id(manifest_of(work_dir))
    for event in events[:-1]:
        node = models[event.schema_id]
        assert own_description(node) == (event.description or f"{event.name} events.")
        described = {column["description"] for column in node["columns"].values()}
        assert {prop["description"] for prop in event.properties.values()} <= described
    page = models[events[-1].schema_id]
    assert texts[-1] in {column["description"] for column in page["columns"].values()}
