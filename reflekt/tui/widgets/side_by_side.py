"""Two schema bodies next to each other, changed lines coloured by the change class.

Pure functions (no Textual): the JSON is printed with sorted keys (so a registry body and a
file line up whatever their key order), each line tagged with the property path it belongs
to (`cart_id`, `address.city`, `products[].sku`, the same paths as `Change.path`), then the
two sides are aligned with difflib on (path, text without its trailing comma): a line is only
ever paired with the same line of the same property, so a renamed property cannot borrow its
neighbour's `"type": "string"`. A changed line takes the class of the change at its property
(or around it; a rename's new name on the local side); lines no change explains are plain
"changed". Long values wrap inside their column (nothing is cut off).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import replace
from itertools import zip_longest
from typing import Any

from rich.table import Table
from rich.text import Text

from reflekt.tui.safe_text import plain

CLASS_LINE_STYLE = {"MAJOR": "bold red", "MINOR": "yellow", "NONE": "cyan", None: "magenta"}
_RANK = {"NONE": 0, "MINOR": 1, "MAJOR": 2}

Line = tuple[str, str, str]  # (text, property path, schema keyword the line is under)

# Top-level keys that name the file, not the data (the diff ignores them too).
HIDDEN_TOP = ("$id", "$schema", "self")
# Keywords whose changes have their own codes (a description edit is NONE, not the type's class).
_DOC_CODES = {"description": "DESCRIPTION_CHANGED", "metadata": "METADATA_CHANGED"}
_RENAMES = ("PROPERTY_RENAMED_REQUIRED", "PROPERTY_RENAMED_OPTIONAL")


def data_part(body: Any) -> Any:
    """The body without the keys that name the file ($id, $schema, self)."""
    if not isinstance(body, dict):
        return body
    return {key: value for key, value in body.items() if key not in HIDDEN_TOP}


def json_lines(body: Any) -> list[Line]:
    """`json.dumps(body, indent=2, sort_keys=True)` as lines, each with its property path."""
    out: list[Line] = []
    _emit(body, "", "", 0, "", "", out)
    return out


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _emit(
    value: Any, path: str, keyword: str, depth: int, prefix: str, suffix: str, out: list[Line]
) -> None:
    pad = "  " * depth
    if isinstance(value, dict) and value:
        out.append((f"{pad}{prefix}{{", path, keyword))
        keys = sorted(value, key=str)
        for index, key in enumerate(keys):
            comma = "," if index < len(keys) - 1 else ""
            child = value[key]
            if isinstance(child, dict) and key == "properties" and _is_schema_map(child):
                _emit_properties(child, path, depth + 1, comma, out)
                continue
            child_path, child_keyword = path, keyword or str(key)
            if key == "items" and isinstance(child, dict) and not keyword:
                child_path, child_keyword = (f"{path}[]" if path else "[]"), ""
            _emit(
                child, child_path, child_keyword, depth + 1, f"{json.dumps(str(key))}: ", comma, out
            )
        out.append((f"{pad}}}{suffix}", path, keyword))
    elif isinstance(value, list) and value:
        out.append((f"{pad}{prefix}[", path, keyword))
        for index, item in enumerate(value):
            comma = "," if index < len(value) - 1 else ""
            item_path = path
            if keyword == "required" and isinstance(item, str):
                item_path = _join(path, item)  # a required name belongs to that property
            _emit(item, item_path, keyword, depth + 1, "", comma, out)
        out.append((f"{pad}]{suffix}", path, keyword))
    else:
        text = json.dumps(value, ensure_ascii=False)
        out.append((f"{pad}{prefix}{text}{suffix}", path, keyword))


def _is_schema_map(value: dict) -> bool:
    return all(isinstance(item, dict) for item in value.values())


def _emit_properties(props: dict, path: str, depth: int, suffix: str, out: list[Line]) -> None:
    pad = "  " * depth
    if not props:
        out.append((f'{pad}"properties": {{}}{suffix}', path, ""))
        return
    out.append((f'{pad}"properties": {{', path, ""))
    names = sorted(props, key=str)
    for index, name in enumerate(names):
        comma = "," if index < len(names) - 1 else ""
        child_path = _join(path, str(name))
        _emit(props[name], child_path, "", depth + 1, f"{json.dumps(str(name))}: ", comma, out)
    out.append((f"{pad}}}{suffix}", path, ""))


def line_class(path: str, changes: Any, keyword: str = "") -> str | None:
    """The class of the change that explains a changed line at `path` (None: no change does).

    A change at the line's property or at one of its ancestors wins (the line is inside what
    changed); else a change below it (a `required` list naming a changed child). Under
    `description` or `metadata` only the documentation change of that property counts.
    """
    doc_code = _DOC_CODES.get(keyword)
    if doc_code is not None:
        own = [c.change_class for c in changes if c.path == path and c.code == doc_code]
        if own:
            return own[0]
    docs = set(_DOC_CODES.values())
    inside = [
        c.change_class
        for c in changes
        if _within(path, c.path) and (c.code not in docs or c.path != path)
    ]
    if inside:
        return max(inside, key=lambda cls: _RANK.get(cls, 0))
    below = [c.change_class for c in changes if path == "" or _within(c.path, path)]
    if below:
        return max(below, key=lambda cls: _RANK.get(cls, 0))
    return None


def _within(path: str, ancestor: str) -> bool:
    if not ancestor:
        return path == ""
    return path == ancestor or path.startswith(ancestor + ".") or path.startswith(ancestor + "[]")


def side_by_side(
    base: Any,
    local: Any,
    changes: Any,
    base_title: str,
    local_title: str,
) -> Table:
    """A two-column table: the base schema on the left, the local one on the right.

    `base` or `local` may be None (a new or removed event): that side stays empty.
    """
    left = json_lines(data_part(base)) if base is not None else []
    right = json_lines(data_part(local)) if local is not None else []
    table = Table(expand=True, box=None, padding=(0, 1), show_edge=False)
    table.add_column(base_title, ratio=1, overflow="fold")
    table.add_column(local_title, ratio=1, overflow="fold")
    matcher = difflib.SequenceMatcher(
        None,
        [_match_key(line) for line in left],
        [_match_key(line) for line in right],
        autojunk=False,
    )
    local_changes = _on_local_side(changes)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for (ltext, *_), (rtext, *_) in zip(left[i1:i2], right[j1:j2], strict=True):
                table.add_row(plain("  " + ltext, style="dim"), plain("  " + rtext, style="dim"))
            continue
        for old, new in zip_longest(left[i1:i2], right[j1:j2]):
            table.add_row(_cell(old, "-", changes), _cell(new, "+", local_changes))
    return table


def _match_key(line: Line) -> tuple[str, str]:
    """What must agree for two lines to be the same line: the property and the text (a comma
    that only follows from a neighbour added or removed after it is no change)."""
    text, path, _keyword = line
    return path, text.rstrip(",")


def _on_local_side(changes: Any) -> list[Any]:
    """The changes as the local column sees them: a rename is at the property's new name."""
    out = []
    for change in changes:
        if change.code in _RENAMES and isinstance(change.new, str):
            parent = change.path.rpartition(".")[0]
            out.append(replace(change, path=f"{parent}.{change.new}" if parent else change.new))
        else:
            out.append(change)
    return out


def _cell(line: Line | None, mark: str, changes: Any) -> Text:
    if line is None:
        return Text("")
    text, path, keyword = line
    style = CLASS_LINE_STYLE[line_class(path, changes, keyword)]
    return plain(f"{mark} {text}", style=style)


def legend() -> Text:
    """What the colours of the side-by-side mean."""
    text = Text()
    text.append("colours: ", style="dim")
    text.append("breaking (MAJOR)", style=CLASS_LINE_STYLE["MAJOR"])
    text.append(" · ", style="dim")
    text.append("compatible (MINOR)", style=CLASS_LINE_STYLE["MINOR"])
    text.append(" · ", style="dim")
    text.append("docs only (NONE)", style=CLASS_LINE_STYLE["NONE"])
    text.append(" · keys sorted; $id, $schema, self hidden", style="dim")
    return text
