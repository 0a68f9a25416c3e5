"""The TUI's import graph, read from the source (ast): no cycle, widgets never import screens.

Every import statement counts, at module level, inside a function or under TYPE_CHECKING, so
a cycle cannot hide behind a late import. Inside a function the TUI may import only what is
outside it (a heavy core module loaded on first use), never one of its own modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import reflekt.tui

PACKAGE = "reflekt.tui"
ROOT = Path(reflekt.tui.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def tui_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def imported_names(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> set[str]:
    """Modules (and names that may be modules) an import statement brings in."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    base = node.module or ""
    if node.level:
        anchor = importer.split(".")
        anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
        base = ".".join([*anchor, base] if base else anchor)
    return {base, *(f"{base}.{alias.name}" for alias in node.names)}


def import_graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(module -> TUI modules it imports, module -> TUI modules it imports inside a function)."""
    modules = tui_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    late: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        functions = [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        inside = {id(n) for f in functions for n in ast.walk(f)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            found = imported_names(node, name, path.name == "__init__.py") & set(modules)
            graph[name] |= found - {name}
            if id(node) in inside:
                late[name] |= found
    return graph, late


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path (first module repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_graph_is_read_from_the_real_files():
    graph, _ = import_graph()
    # A reader that finds nothing would pass every test below: check a known edge first.
    assert "reflekt.tui.screens.main" in graph["reflekt.tui.app"]
    assert "reflekt.tui.widgets.diff_view" in graph["reflekt.tui.screens.registry"]


def test_no_import_cycle_inside_the_tui():
    graph, _ = import_graph()
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_widgets_never_import_screens_even_indirectly():
    graph, _ = import_graph()
    widgets = [name for name in graph if name.startswith("reflekt.tui.widgets.")]
    assert widgets
    for widget in widgets:
        screens = {m for m in reachable(graph, widget) if m.startswith("reflekt.tui.screens")}
        assert not screens, f"{widget} reaches {sorted(screens)}"


def test_no_tui_module_is_imported_inside_a_function():
    _, late = import_graph()
    assert {name: found for name, found in late.items() if found} == {}
