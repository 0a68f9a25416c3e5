"""The TypeScript toolchain tests' helpers: tsc and node runs, their diagnostics, what the
stand-in tracking API received."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Pinned: typescript 5.x (7.x is the native port), analytics-node 3.x; the browser SDKs are
# installed only to check that their clients fit the generated AnalyticsClient.
PINS = {
    "typescript": "5.9.3",
    "@segment/analytics-node": "3.1.0",
    "@segment/analytics-next": "1.84.3",
    "@rudderstack/analytics-js": "3.34.1",
}
INSTALL_TIMEOUT = 600
TSCONFIG_OPTIONS: dict[str, Any] = {
    "strict": True,
    "noUncheckedIndexedAccess": True,
    "exactOptionalPropertyTypes": True,
    "noUnusedLocals": True,
    "noFallthroughCasesInSwitch": True,
    "target": "es2020",
    "module": "node16",
    "moduleResolution": "node16",
    "lib": ["es2020", "dom"],
    "types": [],
    "skipLibCheck": True,
}
_DIAGNOSTIC = re.compile(
    r"^(?P<file>[^\s(][^(]*)\((?P<line>\d+),(?P<col>\d+)\): error (?P<code>TS\d+): (?P<message>.*)$"
)


@dataclass(frozen=True)
class Diagnostic:
    file: str  # relative to the project folder, `/`-separated
    line: int
    code: str
    message: str  # the first line, then any continuation lines tsc printed


@dataclass(frozen=True)
class Toolchain:
    root: Path  # holds node_modules

    def link(self, folder: Path) -> None:
        """Let programs in `folder` resolve the installed packages (node and tsc alike)."""
        folder.mkdir(parents=True, exist_ok=True)
        link = folder / "node_modules"
        if not link.exists():
            link.symlink_to(self.root / "node_modules", target_is_directory=True)

    @property
    def tsc_command(self) -> str:
        return str(self.root / "node_modules" / ".bin" / "tsc")

    def tsc(
        self, folder: Path, files: list[str], *, emit: bool = False
    ) -> tuple[subprocess.CompletedProcess[str], list[Diagnostic]]:
        """Compile `files` (relative to `folder`) with one tsconfig; the diagnostics parsed."""
        self.link(folder)
        options = {**TSCONFIG_OPTIONS, **({"outDir": "out"} if emit else {"noEmit": True})}
        config = {"compilerOptions": options, "files": files}
        (folder / "tsconfig.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
        result = subprocess.run(
            [self.tsc_command, "-p", str(folder), "--pretty", "false"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return result, parse_diagnostics(result.stdout)

    def node(
        self, script: Path, *args: str, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["node", str(script), *args],
            cwd=script.parent,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def parse_diagnostics(output: str) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    for line in output.splitlines():
        match = _DIAGNOSTIC.match(line)
        if match:
            diagnostics.append(
                Diagnostic(
                    match["file"].replace("\\", "/"),
                    int(match["line"]),
                    match["code"],
                    match["message"],
                )
            )
        elif diagnostics and line.startswith(" "):
            last = diagnostics[-1]
            diagnostics[-1] = Diagnostic(
                last.file, last.line, last.code, f"{last.message}\n{line.strip()}"
            )
    return diagnostics


# -- a stand-in for Segment's tracking API -------------------------------------------------


@dataclass
class TrackingApi:
    """What the SDK posted: every request's path, auth header and JSON body."""

    url: str
    requests: list[tuple[str, str, Any]] = field(default_factory=list)

    def messages(self) -> list[dict[str, Any]]:
        """Every message of every batch, in the order received."""
        return [
            message
            for path, _auth, body in self.requests
            if path == "/v1/batch"
            for message in body.get("batch", [])
        ]
