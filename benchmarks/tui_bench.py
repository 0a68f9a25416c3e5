"""Benchmark the TUI on a project of 5,000 schemas: first screen, filter keystrokes, memory.

Targets (issue 5): first screen ready <= 2 s, each filter keystroke <= 100 ms, RSS < 300 MB.
Runs the real app headless (Textual's test driver) at 120x40 and prints the figures. The
generated names hold digits, which the default conventions flag: about nine findings per
schema, a worst case for the lint panel.

    python benchmarks/tui_bench.py [--schemas 5000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def make_project(root: Path, count: int) -> None:
    """A project with `count` schema files: 20 plans, events with 2 versions each."""
    from reflekt.core.scaffold import NewProject, create_project
    from reflekt.core.schemas import dump_schema, new_schema_body

    create_project(
        root,
        NewProject(
            name="bench", vendor="com.example", profile="dev", profiles_path="reflekt_profiles.yml"
        ),
    )
    plans = 20
    per_plan = max(1, count // (plans * 2))
    written = 0
    for plan in range(plans):
        for event in range(per_plan):
            for version in ("1-0", "1-1"):
                if written >= count:
                    return
                name = f"Event {plan:02d} {event:04d} Viewed"
                folder = name.replace(" ", "_")
                schema_id = f"segment/plan_{plan:02d}/{folder}/{version}.json"
                properties = {
                    f"property_{i}": {"type": "string", "description": f"Property {i}."}
                    for i in range(8)
                }
                properties["nested"] = {
                    "type": "object",
                    "description": "Nested.",
                    "properties": {"inner": {"type": "integer", "description": "Inner."}},
                }
                body = new_schema_body(
                    schema_id,
                    vendor="com.example",
                    name=name,
                    version=version,
                    description=f"{name}.",
                    properties=properties,
                    required=["property_0"],
                )
                path = root / "schemas" / schema_id
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(dump_schema(body), encoding="utf-8")
                written += 1


async def measure(root: Path, query: str) -> dict[str, object]:
    from reflekt.tui.app import create_app
    from reflekt.tui.widgets.schema_tree import SchemaTree

    started = time.perf_counter()
    app = create_app(root, watch_interval=0)
    figures: dict[str, object] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        while screen.index is None:
            await pilot.pause(0.005)
        await pilot.pause()
        figures["first_screen_s"] = round(time.perf_counter() - started, 3)
        figures["schemas"] = len(screen.index)
        while screen.lint.running or not screen.linted_schemas:
            await pilot.pause(0.02)
        figures["lint_done_s"] = round(time.perf_counter() - started, 3)
        figures["lint_findings"] = len(screen.findings)
        # Redrawing the lint badges and panel with every finding (runs on the UI thread).
        mark = time.process_time()
        screen.show_lint_results()
        await pilot.pause()
        figures["lint_results_redraw_ms"] = round((time.process_time() - mark) * 1000, 1)

        tree = screen.query_one(SchemaTree)
        await pilot.press("slash")
        # Per keystroke: CPU time of the process from the key press until the screen is
        # redrawn (what the user waits for; Pilot's own idle waits cost no CPU), and the
        # wall time through Pilot (which includes those fixed waits).
        cpu: list[float] = []
        wall: list[float] = []
        keys = [*query, *(["backspace"] * len(query))]
        for index, key in enumerate(keys):
            mark, cpu_mark = time.perf_counter(), time.process_time()
            await pilot.press(key)
            await pilot.pause()
            cpu.append(time.process_time() - cpu_mark)
            wall.append(time.perf_counter() - mark)
            if index == len(query) - 1:
                figures["filter_query"] = query
                figures["filter_matches"] = tree.shown_schemas
        figures["filter_keystroke_ms_max"] = round(max(cpu) * 1000, 1)
        figures["filter_keystroke_ms_median"] = round(statistics.median(cpu) * 1000, 1)
        figures["filter_keystroke_wall_ms_median_via_pilot"] = round(
            statistics.median(wall) * 1000, 1
        )
        figures["tree_lines_unfiltered"] = tree.last_line + 1

        # The build wizard's checkbox tree over every event (2,500 here): open it, then
        # untick and tick everything (benchmarks/wizard_bench.py measures the tree alone).
        from reflekt.tui.widgets.check_tree import CheckTree

        await pilot.press("escape")
        mark, cpu_mark = time.perf_counter(), time.process_time()
        await pilot.press("b")
        await pilot.pause()
        wizard_tree = app.screen.query_one(CheckTree)
        figures["wizard_events"] = len(wizard_tree.keys)
        figures["wizard_open_ms"] = round((time.process_time() - cpu_mark) * 1000, 1)
        figures["wizard_open_wall_ms"] = round((time.perf_counter() - mark) * 1000, 1)
        ticks: list[float] = []
        for key in ("n", "a"):
            cpu_mark = time.process_time()
            await pilot.press(key)
            await pilot.pause()
            ticks.append(time.process_time() - cpu_mark)
        figures["wizard_tick_all_ms_max"] = round(max(ticks) * 1000, 1)
    figures["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", type=int, default=5000)
    parser.add_argument("--query", default="plan_07/event_07_01")
    parser.add_argument(
        "--keep", type=Path, default=None, help="build the project here and keep it"
    )
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="reflekt-tui-bench-"))
    root = base / "project"
    try:
        if not (root / "reflekt_project.yml").exists():
            mark = time.perf_counter()
            make_project(root, args.schemas)
            print(f"generated {args.schemas} schemas in {time.perf_counter() - mark:.1f}s")
        figures = asyncio.run(measure(root, args.query))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print(json.dumps(figures, indent=2))
    ok = (
        figures["first_screen_s"] <= 2.0
        and figures["filter_keystroke_ms_max"] <= 100
        and figures["max_rss_mb"] < 300
    )
    print(
        "targets: first screen <= 2 s, keystroke <= 100 ms, RSS < 300 MB:",
        "met" if ok else "MISSED",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
