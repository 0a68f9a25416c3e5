"""reflekt 0.6's reflekt_project.yml and profiles file, edited for this Reflekt (pure).

Edits are made on the text, line by line, so comments and layout stay; each edited text is
parsed again and checked before it is kept. What changes:
- `casing: camel` without `capitalize_camel`: 0.6 meant camelCase (`cartId`), while here
  (as in the seed) `camel` with the default `capitalize_camel: true` means PascalCase, so
  `capitalize_camel: false` is written to keep the meaning;
- the `lint: false` switches of schema files become `lint.ignore` entries;
- profiles: `do_not_track` is dropped (there is no telemetry), and the `host_url` that 0.6's
  `init` wrote for Redshift becomes `host` (what both versions read).
Values written come through `core.escape.yaml_scalar` (names are outside content).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reflekt.core.errors import ConfigError
from reflekt.core.escape import yaml_scalar
from reflekt.core.migrate.schema import IgnoreEntry
from reflekt.core.yamlfile import YamlDocument, parse_yaml

_CAMEL_LINE = re.compile(r"^(?P<indent>\s*)casing\s*:\s*['\"]?camel['\"]?\s*(#.*)?$")
_CAMEL_FLOW = re.compile(r"(casing\s*:\s*['\"]?camel['\"]?)(\s*[,}])")
_DNT_LINE = re.compile(r"^\s*do_not_track\s*:\s*[^\s#]+\s*(#.*)?$")
_HOST_URL = re.compile(r"^(?P<head>\s*(?:-\s+)?)host_url(?P<tail>\s*:)")


@dataclass(frozen=True)
class ConfigEdit:
    """The new text of a config file and what changed in it."""

    text: str
    changes: tuple[str, ...]
    no_equivalent: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def edit_project_yaml(text: str, path: Path, ignores: Sequence[IgnoreEntry]) -> ConfigEdit:
    doc = parse_yaml(text, path)
    data = doc.data if isinstance(doc.data, dict) else {}
    lines = text.splitlines(keepends=True)
    changes: list[str] = []
    notes: list[str] = []
    inserts: dict[int, str] = {}  # 0-based line index -> text inserted after it
    conventions = ((data.get("schemas") or {}).get("conventions") or {}) if data else {}
    for kind in ("event", "property"):
        section = conventions.get(kind) if isinstance(conventions, dict) else None
        if not isinstance(section, dict) or section.get("casing") != "camel":
            continue
        if "capitalize_camel" in section:
            continue
        key_path = ("schemas", "conventions", kind, "casing")
        line_no = doc.lines.get(key_path)
        where = f"schemas.conventions.{kind}"
        if line_no is None:
            continue
        index = line_no - 1
        line = lines[index]
        block = _CAMEL_LINE.match(line.rstrip("\r\n"))
        if block:
            inserts[index] = f"{block.group('indent')}capitalize_camel: false\n"
        elif _CAMEL_FLOW.search(line):
            lines[index] = _CAMEL_FLOW.sub(r"\1, capitalize_camel: false\2", line, count=1)
        else:
            notes.append(
                f"{path.name}: add `capitalize_camel: false` under {where} by hand "
                "(0.6's camel was camelCase)"
            )
            continue
        changes.append(
            f"{where}.capitalize_camel: false added (0.6's `camel` is camelCase; "
            "here `camel` alone means PascalCase)"
        )
    out = "".join(line + inserts.get(i, "") for i, line in enumerate(lines))
    if ignores:
        if isinstance(data, dict) and data.get("lint") is not None:
            notes.append(
                f"{path.name} already has a `lint:` section: add these `lint.ignore` entries "
                "by hand:\n" + _ignore_block(ignores, indent="  ")
            )
        else:
            if out and not out.endswith("\n"):
                out += "\n"
            out += "\n# reflekt migrate: what `lint: false` switched off in the 0.6 schema files\n"
            out += "lint:\n  ignore:\n" + _ignore_block(ignores, indent="  ")
            changes.append(
                f"lint.ignore: {len(ignores)} entr{'y' if len(ignores) == 1 else 'ies'} added"
            )
    setting = data.get("profiles_path") if isinstance(data, dict) else None
    if isinstance(setting, str) and not setting.startswith(("/", "~")):
        notes.append(
            f"profiles_path '{setting}' is relative: Reflekt reads it relative to the project "
            "folder (0.6: to the working directory)"
        )
    _check(out, path, lambda parsed: True)
    return ConfigEdit(out, tuple(changes), (), tuple(notes))


def _ignore_block(ignores: Sequence[IgnoreEntry], indent: str) -> str:
    out = []
    for entry in ignores:
        out.append(f"{indent}  - select: {yaml_scalar(entry.select)}\n")
        if entry.property is not None:
            out.append(f"{indent}    property: {yaml_scalar(entry.property)}\n")
        rules = ", ".join(yaml_scalar(rule) for rule in entry.rules)
        out.append(f"{indent}    rules: [{rules}]\n")
        out.append(f"{indent}    reason: {yaml_scalar('reflekt 0.6 ' + entry.reason)}\n")
    return "".join(out)


def edit_profiles_yaml(text: str, path: Path) -> ConfigEdit:
    doc = parse_yaml(text, path)
    data = doc.data if isinstance(doc.data, dict) else {}
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    changes: list[str] = []
    no_equivalent: list[str] = []
    notes: list[str] = []
    for name, profile in data.items():
        if not isinstance(profile, dict):
            continue
        if "do_not_track" in profile:
            line_no = doc.lines.get((str(name), "do_not_track"))
            index = (line_no or 0) - 1
            if line_no is not None and _DNT_LINE.match(lines[index].rstrip("\r\n")):
                drop.add(index)
                changes.append(f"{name}.do_not_track removed")
            else:
                notes.append(f"{path.name}: remove {name}.do_not_track by hand")
            no_equivalent.append(
                f"{name}.do_not_track: Reflekt sends no usage statistics, there is nothing "
                "to switch off"
            )
        sources = profile.get("source")
        for i, source in enumerate(sources if isinstance(sources, list) else []):
            if not isinstance(source, dict) or source.get("type") != "redshift":
                continue
            if "host_url" not in source or "host" in source:
                continue
            line_no = doc.lines.get((str(name), "source", i, "host_url"))
            index = (line_no or 0) - 1
            if line_no is not None and _HOST_URL.match(lines[index]):
                lines[index] = _HOST_URL.sub(r"\g<head>host\g<tail>", lines[index], count=1)
                changes.append(f"{name}.source[{i}].host_url -> host")
    out = "".join(line for i, line in enumerate(lines) if i not in drop)

    def clean(parsed: Any) -> bool:
        return not any(
            isinstance(p, dict) and "do_not_track" in p and f"remove {n}." not in " ".join(notes)
            for n, p in (parsed or {}).items()
        )

    _check(out, path, clean)
    return ConfigEdit(out, tuple(changes), tuple(no_equivalent), tuple(notes))


def _check(text: str, path: Path, ok: Any) -> YamlDocument:
    """Parse an edited text again: an edit that breaks the file is a bug, never written."""
    try:
        doc = parse_yaml(text, path)
    except ConfigError as error:
        raise ConfigError(
            f"reflekt migrate could not edit {path.name} safely ({error.message}); nothing "
            "was changed",
            file=path,
            hint="edit the file by hand as the --dry-run lists, then run reflekt migrate again",
        ) from None
    if not ok(doc.data):
        raise ConfigError(
            f"reflekt migrate could not edit {path.name} safely; nothing was changed", file=path
        )
    return doc
