"""What the pipeline and every language's emitter share: options, files, header, sections.

An emitter is a module with `emit(events, options) -> list[GeneratedFile]`. Each file starts
with the generated header (`header_lines`, in the language's comment syntax), and each
event's code is one section that starts with a marker line, `<comment> reflekt:event
"<key>"` (`section_marker`), so `--check` can name the events whose code changed
(`sections`). Output is a pure function of the events and options: no time, no path of the
machine, nothing random (byte-identical when nothing changed).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from reflekt.core.build.dbt import GENERATED_MARKER
from reflekt.core.escape import code_comment, code_string

MARKER = "reflekt:event "
_MARKER_LINE = re.compile(r"^(?://|#) reflekt:event (\"(?:[^\"\\]|\\.)*\")\s*$", re.MULTILINE)
PREAMBLE = ""  # the sections() key of what comes before the first event's section


@dataclass(frozen=True)
class CodeOptions:
    """What a user chose on the command line (or in the wizard)."""

    lang: str  # typescript | python
    sdk: str  # one of LANGUAGES[lang].sdks
    validate: bool = False  # emit the dev-mode runtime validation hook
    command: str = ""  # the command line that regenerates the files (for the header)
    schema_count: int = 0


@dataclass(frozen=True)
class GeneratedFile:
    path: str  # relative to the output folder, `/`-separated
    text: str


@dataclass(frozen=True)
class Language:
    name: str
    module: str  # the emitter module
    sdks: tuple[str, ...]  # the first is the default
    default_out: str  # relative to the project root
    files: tuple[str, ...]  # every file the emitter can write (a stale one is removed)


LANGUAGES: dict[str, Language] = {
    "typescript": Language(
        "typescript",
        "reflekt.core.codegen.typescript",
        ("analytics-next", "analytics-node", "rudder", "none"),
        "artifacts/code/typescript",
        ("index.ts",),
    ),
    "python": Language(
        "python",
        "reflekt.core.codegen.python",
        ("analytics-python", "rudder", "none"),
        "artifacts/code/python/reflekt_tracking",
        ("__init__.py", "py.typed"),
    ),
}


def header_lines(options: CodeOptions) -> list[str]:
    """The header's lines, without comment syntax; the first holds GENERATED_MARKER."""
    lines = [
        f"{GENERATED_MARKER} (reflekt build code): do not edit, a rebuild overwrites this file.",
        "From the event schemas in git. Remove this header to take the file over: Reflekt "
        "then never touches it.",
    ]
    if options.command:
        lines.append(f"Regenerate: {code_comment(options.command)}")
    return lines


def section_marker(comment: str, key: str) -> str:
    """The line that starts an event's section: `// reflekt:event "Cart Viewed"`."""
    return f"{comment} {MARKER}{code_string(key)}"


def sections(text: str) -> dict[str, str]:
    """A generated file cut at its section markers: {event key: its text}, and the text
    before the first marker under PREAMBLE. A key that repeats keeps its first section."""
    found: dict[str, str] = {}
    matches = list(_MARKER_LINE.finditer(text))
    found[PREAMBLE] = text[: matches[0].start()] if matches else text
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        try:
            key = json.loads(match.group(1))
        except ValueError:
            continue
        if isinstance(key, str):
            found.setdefault(key, text[match.start() : end])
    return found


def changed_sections(old: str, new: str) -> tuple[list[str], list[str], list[str]]:
    """(added, removed, changed) event keys between two versions of a generated file."""
    before, after = sections(old), sections(new)
    before.pop(PREAMBLE, None)
    after.pop(PREAMBLE, None)
    added = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    changed = sorted(key for key in after.keys() & before.keys() if after[key] != before[key])
    return added, removed, changed
