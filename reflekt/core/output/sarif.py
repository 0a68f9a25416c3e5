"""The SARIF 2.1.0 envelope shared by the lint and diff reports.

Why one: GitHub code scanning and other dashboards read one log shape; lint and diff differ
only in their rules (lint rules, change kinds) and results.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reflekt import __version__

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT_ID = "PROJECTROOT"


def physical_location(
    uri: str, line: int | None, column: int | None, project_root: Path | None
) -> dict[str, Any]:
    """A `physicalLocation`: `uri` relative to the project root (`uriBaseId` when known)."""
    artifact: dict[str, Any] = {"uri": uri}
    if project_root is not None:
        artifact["uriBaseId"] = ROOT_ID
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line is not None:
        region: dict[str, Any] = {"startLine": line}
        if column is not None:
            region["startColumn"] = column
        physical["region"] = region
    return physical


def sarif_log(
    tool: str,
    rules: list[dict[str, Any]],
    results: list[dict[str, Any]],
    project_root: Path | None,
) -> str:
    """One run of `tool` (`reflekt lint`, `reflekt diff`) as a SARIF 2.1.0 log, as JSON text."""
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "reflekt",
                "fullName": tool,
                "version": __version__,
                "informationUri": "https://github.com/GClunies/reflekt",
                "rules": rules,
            }
        },
        "results": results,
    }
    if project_root is not None:
        run["originalUriBaseIds"] = {ROOT_ID: {"uri": project_root.resolve().as_uri() + "/"}}
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
