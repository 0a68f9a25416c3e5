"""The real TypeScript toolchain for the codegen tests: typescript and the SDKs from npm,
installed once per test run (one folder shared by every pytest-xdist worker, behind a file
lock), and a local HTTP server standing in for Segment's tracking API."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typescript_toolchain_support import INSTALL_TIMEOUT, PINS, Toolchain, TrackingApi


def _shared_folder(factory: pytest.TempPathFactory) -> Path:
    """The run's temp root, the same for every xdist worker (`pytest-N`, not `popen-gwK`)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def ts_toolchain(tmp_path_factory: pytest.TempPathFactory) -> Toolchain:
    """typescript and the SDKs, installed by the first worker to get here; the others wait
    on the lock and reuse the folder. npm unreachable (or missing): the tests are skipped."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the TypeScript toolchain tests")
    pins = json.dumps(PINS, sort_keys=True)
    digest = hashlib.sha256(pins.encode()).hexdigest()[:12]
    shared = _shared_folder(tmp_path_factory)
    root = shared / f"npm-toolchain-{digest}"
    done, failed = root / ".installed", root / ".failed"
    with open(shared / "npm-toolchain.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists() and not failed.exists():
            _install(root, failed)
            if not failed.exists():
                done.write_text(pins, encoding="utf-8")
    if failed.exists():
        pytest.skip(f"npm install failed (npm unreachable?): {failed.read_text('utf-8')}")
    return Toolchain(root)


def _install(root: Path, failed: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    package = {"name": "reflekt-codegen-tests", "private": True, "dependencies": PINS}
    (root / "package.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    env = {
        **os.environ,
        "npm_config_cache": str(root / ".npm-cache"),  # HOME is replaced per test
        "npm_config_update_notifier": "false",
        "npm_config_audit": "false",
        "npm_config_fund": "false",
    }
    try:
        result = subprocess.run(
            ["npm", "install", "--no-package-lock", "--loglevel", "error"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        failed.write_text(f"timed out after {INSTALL_TIMEOUT} s", encoding="utf-8")
        return
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        cause = [line for line in lines if any(w in line for w in ("code ", "errno", "reason"))]
        reason = " | ".join(cause[:3] or lines[-3:]) or f"exit {result.returncode}"
        failed.write_text(reason, encoding="utf-8")


@pytest.fixture
def tracking_api() -> Iterator[TrackingApi]:
    """An HTTP server on 127.0.0.1 that answers `POST /v1/batch` with 200 `{}`."""
    lock = threading.Lock()
    api = TrackingApi("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                payload = json.loads(raw.decode("utf-8"))
            except ValueError:
                payload = {"unparsed": raw.decode("utf-8", "replace")}
            with lock:
                api.requests.append((self.path, self.headers.get("Authorization", ""), payload))
            body = b"{}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
