"""A BigQuery emulator (`bqemulator`: BigQuery's REST API on DuckDB) for the tests.

The emulator pins its own DuckDB (the version of the `duckdb-extension-spatial` package,
whose extension file it loads offline), older than the project's, so it runs from a virtual
environment of its own, made once per machine in a cache folder (shared by xdist workers
through a file lock) and reused. When it cannot be made (no package index), the tests that
need it skip and say why.
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EMULATOR_REQUIREMENTS = (
    "bqemulator==1.4.0",
    "duckdb==1.5.5",
    "duckdb-extension-spatial==1.5.5",
    "numpy",
)
PROJECT = "test-proj"
_READY = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
START_DEADLINE = 120.0  # seconds for the emulator to listen (its first start is slow)


class EmulatorUnavailable(RuntimeError):
    """The emulator's environment could not be made or it did not start: the reason."""


# dbt-bigquery runs the generated package against the emulator (`api_endpoint`), from a venv
# of its own too: it brings pandas and Google's AI Platform client, which the project's
# environment does not need. dbt-core as the `dbt` extra pins it.
DBT_BIGQUERY_REQUIREMENTS = ("dbt-core==1.10.23", "dbt-bigquery==1.10.3")


def cache_dir(name: str, requirements: tuple[str, ...]) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:12]
    return base / "reflekt-tests" / f"{name}-{key}"


def cached_venv(name: str, requirements: tuple[str, ...], *then: list[str]) -> Path:
    """A venv with `requirements` (and `then` commands run by its python), made once under
    a file lock and reused; returns its bin folder."""
    from filelock import FileLock

    root = cache_dir(name, requirements)
    root.parent.mkdir(parents=True, exist_ok=True)
    bin_dir = root / "venv" / "bin"
    python = bin_dir / "python"
    done = root / "ready"
    with FileLock(str(root) + ".lock", timeout=900):
        if done.is_file() and python.is_file():
            return bin_dir
        root.mkdir(exist_ok=True)
        steps = [
            [sys.executable, "-m", "venv", "--clear", str(root / "venv")],
            [str(python), "-m", "pip", "install", "--quiet", *requirements],
            *([str(python), *step] for step in then),
        ]
        for step in steps:
            try:
                result = subprocess.run(
                    step, capture_output=True, text=True, timeout=900, check=False
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise EmulatorUnavailable(f"cannot make the {name} venv: {exc}") from None
            if result.returncode != 0:
                tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
                raise EmulatorUnavailable(
                    f"cannot make the {name} venv ({' '.join(step[:4])}): {' | '.join(tail)}"
                )
        done.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    return bin_dir


def emulator_python() -> Path:
    """The emulator venv's python (the spatial extension installed from its package)."""
    return cached_venv("bqemulator", EMULATOR_REQUIREMENTS, ["-c", _INSTALL_SPATIAL]) / "python"


def dbt_bigquery() -> Path:
    """dbt, with dbt-bigquery, from its own venv."""
    return cached_venv("dbt-bigquery", DBT_BIGQUERY_REQUIREMENTS) / "dbt"


# Installs the spatial extension into DuckDB from the package's own file (no download).
_INSTALL_SPATIAL = """
import glob, os, duckdb, duckdb_extension_spatial
here = os.path.dirname(duckdb_extension_spatial.__file__)
path = glob.glob(os.path.join(here, '**', 'spatial.duckdb_extension'), recursive=True)[0]
connection = duckdb.connect()
connection.execute("INSTALL '" + path.replace("'", "''") + "'")
connection.execute('LOAD spatial')
"""


@dataclass(frozen=True)
class Emulator:
    endpoint: str  # http://127.0.0.1:PORT
    project: str = PROJECT

    def client(self) -> Any:
        from google.api_core.client_options import ClientOptions
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery

        return bigquery.Client(
            project=self.project,
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=self.endpoint),
        )

    def source_settings(self, **extra: Any) -> dict[str, Any]:
        """A profile's `type: bigquery` source that reaches the emulator."""
        return {
            "type": "bigquery",
            "project": self.project,
            "method": "anonymous",
            "api_endpoint": self.endpoint,
            **extra,
        }


@contextmanager
def running_emulator(python: Path) -> Iterator[Emulator]:
    """Start the emulator on a free port; stopped (its process only) on exit."""
    process = subprocess.Popen(
        [
            str(python),
            "-m",
            "bqemulator",
            "start",
            "--rest-port",
            "0",
            "--grpc-port",
            "0",
            "--project",
            PROJECT,
            "--log-level",
            "info",
            "--log-format",
            "console",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        seen: list[str] = []
        while True:
            try:
                line = lines.get(timeout=START_DEADLINE)
            except queue.Empty:
                raise EmulatorUnavailable("bqemulator did not start in time") from None
            if line is None:
                raise EmulatorUnavailable(f"bqemulator exited: {''.join(seen[-5:])[-500:]}")
            seen.append(line)
            match = _READY.search(line)
            if match:
                break
        yield Emulator(f"http://127.0.0.1:{match.group(1)}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- running generated models -----------------------------------------------------------------


def render_model(text: str, project: str, dataset: str) -> str:
    """A generated BigQuery model as dbt-bigquery renders it on a first (not incremental)
    run: `config()` prints nothing, `source()` is the backticked table path, `adapter.quote`
    backticks. (dbt-bigquery cannot be pointed at an emulator.)"""
    import jinja2

    def quote(name: str) -> str:
        return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"

    class Adapter:
        @staticmethod
        def quote(name: str) -> str:
            return quote(name)

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(text).render(
        config=lambda **_: "",
        source=lambda _source, table: f"{quote(project)}.{quote(dataset)}.{quote(table)}",
        adapter=Adapter(),
        is_incremental=lambda: False,
    )
