"""Config and secrets under attack: alias bombs, duplicate keys, odd scalars, env_var forms,
URL user-info, secrets read only when used, unsafe dbt prefixes (issue 8).

Everything goes through the CLI; the alias bombs run in a subprocess with 1 GiB of address
space so that a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from config_support import SEGMENT_TOKEN, FakeSegment, alias_bomb, run_limited, track_rule
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reflekt.cli import cli
from reflekt.core.envvars import MissingEnvVarError, Where, parse_template
from reflekt.core.errors import ConfigError
from reflekt.core.schemas import list_schema_files
from reflekt.demo.warehouse import create_demo_warehouse

PROJECT_HEAD = "name: shop\nvendor: com.example\ndefault_profile: dev\n"
PROFILES_LINE = "profiles_path: reflekt_profiles.yml\n"


def invoke(project, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project.root)], env=env)


def assert_no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def log_text(project) -> str:
    return "".join(p.read_text() for p in (project.root / ".logs").glob("*.log"))


@pytest.fixture
def project(make_project):
    built = make_project(name="shop")
    built.write_profiles({"version": 1.0, "dev": {}})
    return built


# -- alias bombs --------------------------------------------------------------------------


def test_alias_bomb_in_project_file_is_refused(project) -> None:
    project.set_config(PROJECT_HEAD + PROFILES_LINE + alias_bomb(8, key="tui"))
    done = run_limited("lint", "--project-dir", str(project.root), cwd=project.root)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "reflekt_project.yml:" in done.stderr
    assert "aliases expand this file to more than 100,000 values" in done.stderr


@pytest.mark.parametrize("command", [("debug",), ("build", "dbt", "--source", "wh.a.b")])
def test_alias_bomb_in_profiles_is_refused(project, command) -> None:
    project.write_profiles("version: 1.0\ndev: {}\n" + alias_bomb(8))
    done = run_limited(*command, "--project-dir", str(project.root), cwd=project.root)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Traceback" not in output
    assert "reflekt_profiles.yml:" in output
    assert "aliases expand this file" in output


def test_small_aliases_and_merge_keys_still_work(project, tmp_path: Path) -> None:
    """dbt-style `<<: *defaults` profiles are allowed: aliases are capped, not banned."""
    project.write_profiles(
        textwrap.dedent(
            f"""\
            version: 1.0
            base: &base
              source:
                - &wh {{id: wh, type: duckdb, path: {tmp_path / "w.duckdb"}}}
            dev:
              <<: *base
              registry:
                - type: segment
                  api_token: tok-abc
            """
        )
    )
    result = invoke(project, "debug")
    assert result.exit_code == 0, result.output
    assert "wh (duckdb)" in result.output


def test_deep_nesting_is_refused(project) -> None:
    project.write_profiles("dev: " + "[" * 5000 + "]" * 5000 + "\n")
    done = run_limited("debug", "--project-dir", str(project.root), cwd=project.root)
    assert done.returncode == 2
    assert "nested more than 64 levels deep" in done.stdout + done.stderr


def test_oversized_config_file_is_refused(project) -> None:
    project.set_config(PROJECT_HEAD + "# padding\n" * 120_000)
    result = invoke(project, "lint")
    assert result.exit_code == 2
    assert "larger than 1,000,000 bytes" in result.output


def test_config_file_that_is_not_a_regular_file(project, tmp_path: Path) -> None:
    project.set_config(PROJECT_HEAD + "profiles_path: /dev/zero\n")
    result = invoke(project, "debug")
    assert result.exit_code == 2
    assert "/dev/zero is not a regular file" in result.output


# -- duplicate keys and odd scalars -------------------------------------------------------


def test_duplicate_key_in_project_file_names_both_lines(project) -> None:
    project.set_config(PROJECT_HEAD + "vendor: com.other\n")
    result = invoke(project, "lint")
    assert result.exit_code == 2
    assert "reflekt_project.yml:4: duplicate key 'vendor' (first on line 2, again on line 4)" in (
        result.output
    )


def test_duplicate_key_in_profiles_names_both_lines(project) -> None:
    project.write_profiles(
        "dev:\n  registry:\n    - type: segment\n      api_token: a-token\n      api_token: b\n"
    )
    result = invoke(project, "debug")
    assert result.exit_code == 2
    assert (
        "reflekt_profiles.yml:5: duplicate key 'api_token' (first on line 4, again on line 5)"
        in (result.output)
    )


def test_keys_yaml_would_merge_are_duplicates(project) -> None:
    project.write_profiles("dev: {}\n1: a\n1.0: b\n")
    result = invoke(project, "debug")
    assert result.exit_code == 2
    assert "duplicate key '1.0' (first on line 2, again on line 3)" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: 123\nvendor: com.example\ndefault_profile: dev\n", "name: expected a string"),
        ("name: 1.10\nvendor: com.example\ndefault_profile: dev\n", "got the number 1.10"),
        (PROJECT_HEAD.replace("dev", "2024"), "default_profile: expected a string"),
        (PROJECT_HEAD + "version: .nan\n", "version: expected a finite number"),
        (PROJECT_HEAD + "version: -.inf\n", "version: expected a finite number"),
        (PROJECT_HEAD + "version: 1.0e+999\n", "version: expected a finite number"),
        (PROJECT_HEAD + "vendor2: x\n", "unknown key"),
        (PROJECT_HEAD.replace("shop", '"sh\\nop"'), "must not contain control characters"),
        (PROJECT_HEAD + "when: 2020-02-30\n", "a value cannot be read"),
    ],
)
def test_bad_project_values_are_config_errors(project, text: str, expected: str) -> None:
    project.set_config(text + PROFILES_LINE)
    result = invoke(project, "lint")
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "reflekt_project.yml:" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: .nan\ndev: {}\n", "reflekt_profiles.yml:1: version: expected a finite number"),
        (
            "dev:\n  source:\n    - {type: postgres, host: h, database: d, user: u, password: 0123}\n",
            "got the number 0123",
        ),
        (
            "dev:\n  source:\n    - {type: postgres, host: h, database: d, user: u, port: 70000}\n",
            "70000 is not a TCP port",
        ),
        ("dev:\n  registry:\n    - type: segment\n      api_token: yes\n", "got a boolean"),
        (
            "dev:\n  registry:\n    - type: segment\n      api_token: {{ env_var('X') }}\n",
            "quote a value that holds {{ ... }}",
        ),
    ],
)
def test_bad_profile_values_are_config_errors(project, text: str, expected: str) -> None:
    project.write_profiles(text)
    result = invoke(project, "debug")
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert expected in result.output


def test_lossless_numbers_are_still_accepted(project) -> None:
    project.write_profiles(
        "dev:\n  source:\n    - {type: postgres, host: h, database: d, user: 1234, port: 5433}\n"
    )
    result = invoke(project, "debug")
    assert result.exit_code == 0, result.output
    assert "user=1234" in result.output and "port=5433" in result.output


# -- env_var forms ------------------------------------------------------------------------

BAD_FORMS = [
    ("{{ env_var('SEG_TOKEN') | upper }}", "filters"),
    ("{{ env_var(SEG_TOKEN) }}", "must be quoted"),
    ("{{ env_var('') }}", "names no variable"),
    ("{{ env_var() }}", "names no variable"),
    ("{{ env_var('SEG TOKEN') }}", "is not an environment variable name"),
    ("{{ env_var('SEG_TOKEN') ~ 'x' }}", "only a plain env_var(...) call"),
    ("{{ other() }}", "only env_var(...) is understood"),
    ("{{ env_var('SEG_TOKEN')", "only a plain env_var(...) call"),
    ("abc{% if x %}", "only env_var(...) is understood"),
    ("{# comment #}", "only env_var(...) is understood"),
]


@pytest.mark.parametrize(("form", "reason"), BAD_FORMS)
@pytest.mark.parametrize("key", ["api_token", "api_url"])
def test_unrecognised_env_var_forms_are_config_errors(project, form, reason, key) -> None:
    values = {"api_token": "a-token", key: form}
    project.write_profiles({"dev": {"registry": [{"type": "segment", **values}]}})
    line = 4 if key == "api_token" else 5
    result = invoke(project, "debug", env={"SEG_TOKEN": "secret-from-env"})
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert f"reflekt_profiles.yml:{line}: dev.registry[0].{key}:" in result.output
    assert reason in result.output
    if key == "api_token":  # a secret's text is never echoed, even a malformed one
        assert form not in result.output
    assert "secret-from-env" not in result.output


def test_bad_env_var_form_also_stops_build_and_pull(project) -> None:
    project.write_profiles(
        {"dev": {"registry": [{"type": "segment", "api_token": "{{ env_var(T) }}"}]}}
    )
    for args in (("build", "dbt", "--source", "wh.a.b"), ("pull", "--select", "segment/x")):
        result = invoke(project, *args)
        assert result.exit_code == 2, result.output
        assert "must be quoted" in result.output


def test_good_env_var_forms_still_resolve(project) -> None:
    project.write_profiles(
        {
            "dev": {
                "registry": [
                    {
                        "type": "avo",
                        "workspace_id": "ws-{{ env_var('WS') }}-{{env_var(\"N\", 'x\"y')}}",
                        "service_account_name": "{{ env_var('SA', '') }}sa",
                        "service_account_secret": "{{ env_var('SA_SECRET') }}",
                    }
                ]
            }
        }
    )
    env = {"WS": "{{ abc }}", "SA_SECRET": "s3cr3t-value"}
    result = invoke(project, "debug", env=env)
    assert result.exit_code == 0, result.output
    # A variable's value is used as is, never read as a template itself.
    assert 'workspace_id=ws-{{ abc }}-x"y' in result.output
    assert "service_account_name=sa" in result.output
    assert "s3cr3t-value" not in result.output


_TEMPLATE_BITS = st.sampled_from(
    [
        "{{",
        "}}",
        "{%",
        "%}",
        "{#",
        "#}",
        "env_var",
        "(",
        ")",
        "'",
        '"',
        ",",
        " ",
        "|",
        "~",
        "A_1",
        "x",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_TEMPLATE_BITS, st.text(max_size=3)), max_size=14).map("".join))
def test_any_value_is_either_a_clean_template_or_a_config_error(text: str) -> None:
    """An accepted value leaves no template syntax behind once its variables are read."""
    env = {"A_1": "v", "x": "v"}
    where = Where("dev.registry[0].api_token", Path("p.yml"), 4)
    try:
        template = parse_template(text, where)
    except ConfigError as error:
        assert error.line == 4 and error.file == "p.yml"
        return
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        resolved = template.resolve()
    except MissingEnvVarError:
        return
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    assert not any(opener in resolved for opener in ("{{", "{%", "{#")), resolved


def test_numeric_profile_name_is_found(project) -> None:
    project.set_config("name: shop\ndefault_profile: '2024'\n" + PROFILES_LINE)
    project.write_profiles("2024:\n  registry:\n    - {type: segment, api_token: yes}\n")
    result = invoke(project, "debug")
    assert result.exit_code == 2
    assert "reflekt_profiles.yml:3: 2024.registry[0].api_token: expected a string" in result.output


# -- secrets read only when used ----------------------------------------------------------


def _warehouse_project(project, tmp_path: Path, source_extra: dict | None = None) -> Path:
    project.add_schema("segment/shop/Cart_Viewed/1-0", name="Cart Viewed")
    db_path = tmp_path / "warehouse.duckdb"
    files = list_schema_files(project.schemas_dir)
    create_demo_warehouse(db_path, files, project.schemas_dir, seed=3)
    return db_path


def test_build_and_lint_do_not_need_registry_secrets(project, tmp_path: Path) -> None:
    db_path = _warehouse_project(project, tmp_path)
    project.write_profiles(
        {
            "dev": {
                "registry": [
                    {"type": "segment", "api_token": "{{ env_var('SEGMENT_TOKEN_UNSET') }}"},
                    {
                        "type": "avo",
                        "workspace_id": "{{ env_var('AVO_WS_UNSET') }}",
                        "service_account_name": "sa",
                        "service_account_secret": "{{ env_var('AVO_SECRET_UNSET') }}",
                    },
                ],
                "source": [
                    {"id": "wh", "type": "duckdb", "path": str(db_path)},
                    {
                        "id": "pg",
                        "type": "postgres",
                        "host": "127.0.0.1",
                        "database": "test",
                        "user": "u",
                        "password": "{{ env_var('PG_PASSWORD_UNSET') }}",
                    },
                ],
            }
        }
    )
    built = invoke(project, "build", "dbt", "--source", "wh.warehouse.segment_prod")
    assert built.exit_code == 0, built.output
    assert "Built" in built.output
    assert invoke(project, "lint").exit_code == 0

    for args in (("pull",), ("push", "--dry-run"), ("diff",)):
        needs = invoke(project, *args, "--select", "segment/shop")
        assert needs.exit_code == 2, needs.output
        assert "environment variable 'SEGMENT_TOKEN_UNSET' is not set" in needs.output
        assert "reflekt_profiles.yml:4:" in needs.output
    avo = invoke(project, "pull", "--select", "avo/main")
    assert avo.exit_code == 2
    assert "AVO_WS_UNSET" in avo.output
    on_pg = invoke(project, "build", "dbt", "--source", "pg.test.segment_prod")
    assert on_pg.exit_code == 2
    assert "PG_PASSWORD_UNSET" in on_pg.output

    debug = invoke(project, "debug")
    assert debug.exit_code == 2
    assert "FAIL registry segment" in debug.output and "FAIL source pg" in debug.output


def test_pull_does_not_need_warehouse_secrets(project) -> None:
    segment = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    try:
        segment.add_plan("shop", [track_rule("Cart Viewed")])
        project.write_profiles(
            {
                "dev": {
                    "registry": [
                        {"type": "segment", "api_token": SEGMENT_TOKEN, "api_url": segment.url}
                    ],
                    "source": [
                        {
                            "type": "snowflake",
                            "account": "abc",
                            "user": "u",
                            "password": "{{ env_var('SNOWFLAKE_PASSWORD_UNSET') }}",
                        }
                    ],
                }
            }
        )
        result = invoke(project, "pull", "--select", "segment/shop")
    finally:
        segment.stop()
    assert result.exit_code == 0, result.output
    assert (project.schemas_dir / "segment" / "shop" / "Cart_Viewed" / "1-0.json").is_file()


# -- URL user-info ------------------------------------------------------------------------

USER_INFO_PASSWORD = "hunter2-pw"


def _user_info_profile(project, url: str) -> None:
    with_user = url.replace("http://", f"http://admin:{USER_INFO_PASSWORD}@")
    project.write_profiles(
        {
            "dev": {
                "registry": [{"type": "segment", "api_token": "wrong-token", "api_url": with_user}]
            }
        }
    )


def _assert_masked(text: str) -> None:
    assert USER_INFO_PASSWORD not in text
    assert "admin:" not in text


def test_url_user_info_masked_in_registry_error_and_logs(project) -> None:
    segment = FakeSegment(tokens=(SEGMENT_TOKEN,)).start()
    try:
        segment.add_plan("shop", [track_rule("Cart Viewed")])
        _user_info_profile(project, segment.url)
        result = invoke(project, "pull", "--select", "segment/shop", "--verbose")
        connect = invoke(project, "debug", "--connect")
    finally:
        segment.stop()
    assert result.exit_code == 3, result.output
    assert "http://********@127.0.0.1" in result.output
    _assert_masked(result.output)
    assert connect.exit_code == 3, connect.output
    _assert_masked(connect.output)
    logs = log_text(project)
    assert "exit 3" in logs and "********@127.0.0.1" in logs
    _assert_masked(logs)


def test_url_user_info_masked_when_nothing_listens(project) -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _user_info_profile(project, f"http://127.0.0.1:{port}")
    result = invoke(project, "pull", "--select", "segment/shop", env={"REFLEKT_HTTP_MAX_WAIT": "0"})
    assert result.exit_code == 3, result.output
    _assert_masked(result.output)
    _assert_masked(log_text(project))


def test_url_user_info_masked_in_debug_listing(project) -> None:
    _user_info_profile(project, "http://127.0.0.1:9/api")
    result = invoke(project, "debug")
    assert result.exit_code == 0, result.output
    assert "api_url=http://********@127.0.0.1:9/api" in result.output
    _assert_masked(result.output)
    _assert_masked(log_text(project))


def test_url_with_user_info_that_is_not_a_url_is_masked_in_the_error(project) -> None:
    project.write_profiles(
        {
            "dev": {
                "registry": [
                    {"type": "segment", "api_token": "t0k", "api_url": "http://admin:pa/ss@h:x"}
                ]
            }
        }
    )
    result = invoke(project, "debug")
    assert result.exit_code == 2
    assert "pa/ss" not in result.output and "admin" not in result.output


# -- dbt prefixes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "a/b",
        "..",
        "../x",
        "stg.",
        ".stg_",
        '"a\\0b"',
        '"a\\nb"',
        '"a\\\\b"',
        "a b",
        "ü_",
        '"x "',
        '"\\tx"',
    ],
)
@pytest.mark.parametrize("section", ["sources", "models", "docs"])
def test_unsafe_dbt_prefix_is_a_config_error(project, value: str, section: str) -> None:
    project.set_config(
        PROJECT_HEAD
        + PROFILES_LINE
        + f"artifacts:\n  dbt:\n    {section}:\n      prefix: {value}\n"
    )
    result = invoke(project, "lint")
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert f"reflekt_project.yml:8: artifacts.dbt.{section}.prefix:" in result.output
    assert "is not a safe prefix" in result.output


@pytest.mark.parametrize("value", ["stg_", "''", "my-stg_", "_x9"])
def test_safe_dbt_prefixes_are_accepted(project, value: str) -> None:
    project.set_config(
        PROJECT_HEAD + PROFILES_LINE + f"artifacts:\n  dbt:\n    models:\n      prefix: {value}\n"
    )
    result = invoke(project, "lint")
    assert result.exit_code == 0, result.output


# -- random small configs -----------------------------------------------------------------

_SCALARS = st.sampled_from(
    [
        "x",
        "123",
        "0123",
        ".nan",
        "-.inf",
        "yes",
        "null",
        "~",
        "''",
        "2020-02-30",
        "!!binary zz",
        "!!python/object:os.system x",
        "*a",
        "&a [1, 2]",
        "[*a, *a]",
        "{{ env_var('X') }}",
        "\"{{ env_var('X') }}\"",
        "\"{{ env_var('HOME') | upper }}\"",
        '"\\0"',
        '"a\\nb"',
        "[]",
        "{}",
        "[[[[]]]]",
        "duckdb",
        "segment",
    ]
)
_KEYS = st.sampled_from(
    [
        "name",
        "vendor",
        "default_profile",
        "version",
        "profiles_path",
        "schemas",
        "conventions",
        "artifacts",
        "dbt",
        "prefix",
        "models",
        "lint",
        "rules",
        "dev",
        "registry",
        "source",
        "type",
        "api_token",
        "api_url",
        "path",
        "<<",
        "1",
        "1.0",
        "? [a]",
    ]
)


def _yaml_text(tree) -> str:
    """Render a tree of (key, value) pairs as block YAML, with scalars written verbatim."""

    def render(node, indent: int) -> list[str]:
        lines = []
        for key, value in node:
            if isinstance(value, list):
                lines.append(" " * indent + f"{key}:")
                lines.extend(render(value, indent + 2))
            else:
                lines.append(" " * indent + f"{key}: {value}")
        return lines

    return "\n".join(render(tree, 0)) + "\n"


_TREES = st.recursive(
    st.lists(st.tuples(_KEYS, _SCALARS), max_size=4),
    lambda children: st.lists(st.tuples(_KEYS, st.one_of(_SCALARS, children)), max_size=4),
    max_leaves=12,
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(project_tree=_TREES, profiles_tree=_TREES, which=st.sampled_from(["project", "profiles"]))
def test_random_configs_never_crash(project, project_tree, profiles_tree, which) -> None:
    if which == "project":
        project.set_config(PROJECT_HEAD + PROFILES_LINE + _yaml_text(project_tree))
        project.write_profiles({"dev": {}})
    else:
        project.set_config(PROJECT_HEAD + PROFILES_LINE)
        project.write_profiles(_yaml_text(profiles_tree))
    result = invoke(project, "debug")
    assert_no_traceback(result)
    assert result.exit_code in {0, 1, 2, 3}, result.output


def test_yaml_text_helper_renders_what_it_is_given() -> None:
    text = _yaml_text([("a", "1"), ("b", [("c", "x")])])
    assert yaml.safe_load(text) == {"a": 1, "b": {"c": "x"}}


def test_init_profiles_example_loads_once_uncommented(tmp_path: Path) -> None:
    """The commented example `reflekt init` writes is valid YAML when uncommented (its
    env_var() values are quoted; unquoted, `{{ ... }}` is a YAML mapping)."""
    target = tmp_path / "fresh"
    args = ["init", "--dir", str(target), "--no-input", "--name", "shop", "--profile", "dev"]
    assert CliRunner().invoke(cli, [*args, "--vendor", "com.shop"]).exit_code == 0
    profiles = Path.home() / ".reflekt" / "reflekt_profiles.yml"
    lines = profiles.read_text().splitlines()
    uncommented = [line[:4] + line[6:] if line.startswith("    # ") else line for line in lines]
    profiles.write_text("\n".join(uncommented) + "\n")
    env = {
        "SEGMENT_API_TOKEN": "seg-token-for-init-example-1",
        "AVO_SERVICE_ACCOUNT_SECRET": "avo-secret-for-init-example-2",
        "SNOWFLAKE_PASSWORD": "snowflake-password-for-init-example-3",
    }
    result = CliRunner().invoke(cli, ["debug", "--project-dir", str(target)], env=env)
    assert result.exit_code == 0, result.output
    assert "2 registries, 2 source(s)" in result.output
