"""Run real dbt on a generated package, in a throw-away downstream dbt project.

The demo and the integration tests both use this to prove the package works: it writes a
minimal dbt project that installs the package as a LOCAL package (`dbt deps` needs no network
for those), a profiles.yml for the source's warehouse, runs dbt as a subprocess and reads
`target/run_results.json` and dbt's JSON log for models built, tests passed and warnings.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reflekt.core.errors import DbtCancelledError, DbtRunError
from reflekt.core.profiles import SourceConfig
from reflekt.core.secrets import Secret, redact

DOWNSTREAM_PROJECT = "reflekt_downstream"
_PASSWORD_ENV = "REFLEKT_DBT_PASSWORD"
DBT_ENV = "REFLEKT_DBT"  # the dbt command to run (e.g. a dbt in another virtualenv)
_POLL_SECONDS = 0.1  # how often a running dbt checks whether it was cancelled
_TERM_GRACE_SECONDS = 5.0  # after SIGTERM, before SIGKILL


@dataclass(frozen=True)
class WarnedTest:
    """A warn-level test that found rows: which rule, on which model column, how many rows."""

    test: str  # the generic test's name: `reflekt_accepted_values`, `not_null`...
    model: str
    column: str
    rows: int

    def describe(self) -> str:
        plural = "row" if self.rows == 1 else "rows"
        return f"{self.test} on {self.model}.{self.column}: {self.rows} {plural}"


@dataclass(frozen=True)
class DbtRunResult:
    """Outcome of one dbt command."""

    command: tuple[str, ...]
    returncode: int
    models_built: int = 0
    models_failed: int = 0
    tests_passed: int = 0
    tests_failed: int = 0
    # Tests at severity warn that found rows (the schema-derived tests by default): the run
    # still passes, as dbt's own exit code says.
    tests_warned: int = 0
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()  # unique ids of failed nodes
    warned_tests: tuple[WarnedTest, ...] = ()
    log: str = field(default="", repr=False)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.models_failed and not self.tests_failed

    def summary_line(self) -> str:
        """`dbt build: 3 model(s) built, 12 test(s) passed, 2 warned` (the demo and the TUI)."""
        # Warn-level tests (the schema-derived ones) that found rows: the build still passes.
        warned = f", {self.tests_warned} warned" if self.tests_warned else ""
        return (
            f"dbt {' '.join(self.command)}: {self.models_built} model(s) built, "
            f"{self.tests_passed} test(s) passed{warned}"
        )


def dbt_command() -> list[str] | None:
    """How to run dbt: $REFLEKT_DBT, else the executable next to this Python, else on PATH,
    else the module (`python -m dbt.cli.main`), else None."""
    chosen = os.environ.get(DBT_ENV, "").strip()
    if chosen:
        return shlex.split(chosen)
    beside = Path(sys.executable).parent / "dbt"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("dbt")
    if found:
        return [found]
    import importlib.util

    try:
        if importlib.util.find_spec("dbt.cli.main") is not None:
            return [sys.executable, "-m", "dbt.cli.main"]
    except ModuleNotFoundError:
        pass
    return None


def dbt_adapter_installed(source_type: str) -> bool:
    import importlib.util

    module = {
        "duckdb": "dbt.adapters.duckdb",
        "postgres": "dbt.adapters.postgres",
        "bigquery": "dbt.adapters.bigquery",
    }.get("postgres" if source_type == "redshift" else source_type)
    if module is None:
        return False
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


# What `_profile_target` can write. dbt-bigquery is no extra of Reflekt's (it brings pandas
# and more): install it beside dbt-core yourself.
DBT_SOURCE_TYPES = ("bigquery", "duckdb", "postgres", "redshift")
_KEYFILE_JSON_ENV = "REFLEKT_DBT_BIGQUERY_KEYFILE_JSON"
# dbt-bigquery has no anonymous method: an emulator takes any token.
_EMULATOR_TOKEN = "reflekt-emulator"


def dbt_missing_reason(source_type: str) -> str | None:
    """Why dbt cannot run on a source of this type here (what to install), or None."""
    if source_type not in DBT_SOURCE_TYPES:
        return (
            "running dbt here supports bigquery, duckdb, postgres and redshift sources, "
            f"not {source_type}"
        )
    adapter = "dbt-postgres" if source_type == "redshift" else f"dbt-{source_type}"
    extra = (
        "pip install dbt-bigquery" if source_type == "bigquery" else "pip install 'reflekt[dbt]'"
    )
    if dbt_command() is None:
        return f"dbt-core and {adapter} are not installed ({extra})"
    if not dbt_adapter_installed(source_type):
        return f"{adapter} is not installed ({extra} or pip install {adapter})"
    return None


def _bigquery_target(settings: dict[str, Any], target_schema: str, threads: int) -> dict[str, Any]:
    """dbt-bigquery's profile for a `type: bigquery` source: the same method and keys (the
    inline key through an environment variable, never written to the file)."""
    method = str(settings.get("method") or "oauth")
    target: dict[str, Any] = {
        "type": "bigquery",
        "project": str(settings["project"]),
        "dataset": target_schema,
        "threads": threads,
        "method": "oauth-secrets" if method == "anonymous" else method,
    }
    if method == "anonymous":
        target["token"] = _EMULATOR_TOKEN
    if method == "service-account":
        target["keyfile"] = str(settings["keyfile"])
    if method == "service-account-json":
        target["keyfile_json"] = "{{ env_var('" + _KEYFILE_JSON_ENV + "') | as_native }}"
    for key in ("location", "api_endpoint", "maximum_bytes_billed"):
        if settings.get(key):
            target[key] = settings[key]
    return target


def _profile_target(source: SourceConfig, target_schema: str, threads: int) -> dict[str, Any]:
    settings = source.settings
    if source.type == "duckdb":
        return {
            "type": "duckdb",
            "path": str(settings["path"]),
            "schema": target_schema,
            "threads": threads,
        }
    if source.type in ("postgres", "redshift"):
        target: dict[str, Any] = {
            "type": "postgres",
            "host": str(settings["host"]),
            "port": int(settings.get("port") or 5432),
            "user": str(settings["user"]),
            "password": "{{ env_var('" + _PASSWORD_ENV + "', '') }}",
            "dbname": str(settings["database"]),
            "schema": target_schema,
            "threads": threads,
        }
        if settings.get("sslmode"):
            target["sslmode"] = str(settings["sslmode"])
        return target
    if source.type == "bigquery":
        return _bigquery_target(settings, target_schema, threads)
    raise DbtRunError(f"running dbt against a {source.type} source is not supported here")


def write_downstream_project(
    work_dir: Path, package_dir: Path, source: SourceConfig, target_schema: str, threads: int = 1
) -> None:
    """A minimal dbt project in `work_dir` that installs `package_dir` as a local package."""
    import yaml

    work_dir.mkdir(parents=True, exist_ok=True)
    project = {
        "name": DOWNSTREAM_PROJECT,
        "version": "1.0.0",
        "config-version": 2,
        "profile": DOWNSTREAM_PROJECT,
        "model-paths": ["models"],
    }
    (work_dir / "models").mkdir(exist_ok=True)
    (work_dir / "dbt_project.yml").write_text(yaml.safe_dump(project, sort_keys=False))
    packages = {"packages": [{"local": str(package_dir.resolve())}]}
    (work_dir / "packages.yml").write_text(yaml.safe_dump(packages, sort_keys=False))
    profiles = {
        DOWNSTREAM_PROJECT: {
            "target": "dev",
            "outputs": {"dev": _profile_target(source, target_schema, threads)},
        }
    }
    (work_dir / "profiles.yml").write_text(yaml.safe_dump(profiles, sort_keys=False))


def _env(work_dir: Path, source: SourceConfig) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DBT_PROFILES_DIR": str(work_dir),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_USE_COLORS": "false",
            "DBT_VERSION_CHECK": "false",
            "DBT_PARTIAL_PARSE": "false",
            "DBT_LOG_FORMAT": "json",
            "DBT_PRINTER_WIDTH": "120",
        }
    )
    keyfile_json = source.settings.get("keyfile_json")
    if isinstance(keyfile_json, Secret):
        env[_KEYFILE_JSON_ENV] = keyfile_json.reveal()
    password = source.settings.get("password")
    if isinstance(password, Secret):
        env[_PASSWORD_ENV] = password.reveal()
    elif password:
        env[_PASSWORD_ENV] = str(password)
    return env


def run_dbt(
    work_dir: Path,
    source: SourceConfig,
    args: Sequence[str],
    *,
    cancel: threading.Event | None = None,
) -> DbtRunResult:
    """Run one dbt command in `work_dir` and summarise it. Setting `cancel` stops dbt (its
    whole process group) and raises DbtCancelledError: closing the TUI need not wait."""
    base = dbt_command()
    if base is None:
        raise DbtRunError("dbt is not installed", hint="pip install 'reflekt[dbt]'")
    run_results = work_dir / "target" / "run_results.json"
    run_results.unlink(missing_ok=True)
    command = [*base, *args, "--project-dir", str(work_dir)]
    if cancel is not None and cancel.is_set():
        raise DbtCancelledError(f"dbt {' '.join(args)} was cancelled")
    stdout, stderr, returncode = _run(command, work_dir, _env(work_dir, source), cancel)
    warnings, errors, text_lines = [], [], []
    for line in stdout.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            text_lines.append(line)
            continue
        info = event.get("info", {}) if isinstance(event, dict) else {}
        message = redact(str(info.get("msg", "")))
        text_lines.append(message)
        level = info.get("level")
        if level == "warn":
            warnings.append(message)
        elif level == "error":
            errors.append(message)
    result = DbtRunResult(
        command=tuple(args),
        returncode=returncode,
        warnings=tuple(warnings),
        errors=tuple(errors),
        log=redact("\n".join(text_lines) + ("\n" + stderr if stderr else "")),
    )
    if run_results.is_file():
        results = json.loads(run_results.read_text(encoding="utf-8"))
        result = _with_results(result, results)
        if result.tests_warned:
            warned = _warned_tests(results, work_dir / "target" / "manifest.json")
            result = replace(result, warned_tests=warned)
    return result


def _run(
    command: list[str], work_dir: Path, env: dict[str, str], cancel: threading.Event | None
) -> tuple[str, str, int]:
    """Run `command` to its end (stdout, stderr, exit code), or until `cancel` is set: then
    its process group is terminated (dbt's own children too) and DbtCancelledError raised."""
    posix = os.name == "posix"
    process = subprocess.Popen(
        command,
        cwd=work_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=posix,  # its own process group, to stop it with its children
    )
    try:
        while True:
            try:
                timeout = None if cancel is None else _POLL_SECONDS
                stdout, stderr = process.communicate(timeout=timeout)
                return stdout, stderr, process.returncode
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.is_set():
                    raise DbtCancelledError("dbt was cancelled") from None
    except BaseException:  # cancelled, or Ctrl+C: dbt must not live on
        _stop(process, posix)
        raise


def _stop(process: subprocess.Popen[str], posix: bool) -> None:
    """Terminate the process group (SIGKILL when it does not end in time) and reap it."""

    def signal_group(sig: int) -> None:
        try:
            if posix:
                os.killpg(process.pid, sig)
            else:
                process.kill()
        except (ProcessLookupError, PermissionError):
            pass

    signal_group(signal.SIGTERM)
    try:
        process.communicate(timeout=_TERM_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        signal_group(signal.SIGKILL)
        process.communicate()


def _warned_tests(results: dict[str, Any], manifest: Path) -> tuple[WarnedTest, ...]:
    """The warned tests of `results` (run_results.json), named from dbt's manifest (sorted;
    () when the manifest is unreadable)."""
    try:
        nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    warned = []
    for item in results.get("results", []):
        node = nodes.get(item.get("unique_id")) if item.get("status") == "warn" else None
        if not isinstance(node, dict):
            continue
        metadata = node.get("test_metadata") or {}
        attached = str(node.get("attached_node") or "").rsplit(".", 1)[-1]
        rows = item.get("failures")
        warned.append(
            WarnedTest(
                str(metadata.get("name") or node.get("name", "")),
                attached,
                str(node.get("column_name") or ""),
                rows if isinstance(rows, int) else 0,
            )
        )
    return tuple(sorted(warned, key=lambda t: (t.model, t.column, t.test)))


def _with_results(result: DbtRunResult, data: dict[str, Any]) -> DbtRunResult:
    built = failed = passed = test_failed = warned = 0
    failures = []
    for node in data.get("results", []):
        unique_id = str(node.get("unique_id", ""))
        status = node.get("status")
        if unique_id.startswith("model."):
            if status == "success":
                built += 1
            else:
                failed += 1
                failures.append(unique_id)
        elif unique_id.startswith("test."):
            if status == "pass":
                passed += 1
            elif status == "warn":
                warned += 1
            else:
                test_failed += 1
                failures.append(unique_id)
    return DbtRunResult(
        command=result.command,
        returncode=result.returncode,
        models_built=built,
        models_failed=failed,
        tests_passed=passed,
        tests_failed=test_failed,
        tests_warned=warned,
        warnings=result.warnings,
        errors=result.errors,
        failures=tuple(failures),
        log=result.log,
    )


def build_package_with_dbt(
    package_dir: Path,
    source: SourceConfig,
    work_dir: Path,
    *,
    target_schema: str = "reflekt_staging",
    commands: Sequence[Sequence[str]] = (("build",),),
) -> list[DbtRunResult]:
    """Install the package in a downstream project in `work_dir`, then run `dbt deps` and
    each of `commands` (default: `dbt build`). Stops at the first failing command."""
    write_downstream_project(work_dir, package_dir, source, target_schema)
    results = [run_dbt(work_dir, source, ["deps"])]
    for args in commands:
        if not results[-1].ok:
            break
        results.append(run_dbt(work_dir, source, list(args)))
    return results
