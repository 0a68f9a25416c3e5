"""Benchmark the build wizard's checkbox tree over 25,000 events: open, tick all, tick none.

Target (issue 14): opening the tree (set_events and the first paint) and ticking all or none
each <= 0.3 s CPU at 25,000 events. The tree runs alone in a headless Textual app (120x40)
with the events of `tui_bench.py --schemas 50000` (one registry, 20 plans); each figure is
the median of 3 runs, each open in a fresh app. Also: opening one plan (its 1,250 events get
nodes) and a search that lands in a plan never opened. Prints JSON.

    python benchmarks/wizard_bench.py [--events 25000] [--plans 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time

from textual.app import App, ComposeResult

from reflekt.tui.search import search_tree
from reflekt.tui.widgets.check_tree import CheckTree

TARGET_MS = 300


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield CheckTree(id="tree")


def event_keys(events: int, plans: int) -> list[str]:
    """Keys as the wizard gets them: registry/plan/event, in tree order."""
    per_plan = max(1, events // plans)
    return [
        f"segment/plan_{plan:02d}/Event_{plan:02d}_{event:04d}_Viewed"
        for plan in range(plans)
        for event in range(per_plan)
    ][:events]


async def cpu_ms(pilot, action) -> float:
    """CPU milliseconds of `action()` and the repaint that follows it."""
    mark = time.process_time()
    action()
    await pilot.pause()
    return (time.process_time() - mark) * 1000


async def one_run(keys: list[str]) -> dict[str, float]:
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(CheckTree)
        tree.focus()
        await pilot.pause()
        figures = {"open_ms": await cpu_ms(pilot, lambda: tree.set_events(keys))}
        figures["tick_none_ms"] = await cpu_ms(pilot, tree.action_check_none)
        figures["tick_all_ms"] = await cpu_ms(pilot, tree.action_check_all)
        assert len(tree.checked) == len(keys)
        plan = tree.get_node_at_line(1)

        def open_plan() -> None:
            tree.ensure_filled(plan)
            plan.expand()

        figures["open_plan_ms"] = await cpu_ms(pilot, open_plan)
        figures["search_unopened_ms"] = await cpu_ms(
            pilot, lambda: search_tree(tree, keys[-1].rpartition("/")[2], True)
        )
        assert tree.cursor_key == keys[-1]
        figures["nodes_per_plan"] = len(plan.children)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=25_000)
    parser.add_argument("--plans", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    keys = event_keys(args.events, args.plans)
    runs = [asyncio.run(one_run(keys)) for _ in range(args.runs)]
    figures: dict[str, object] = {"events": len(keys), "runs": len(runs)}
    for name in runs[0]:
        figures[name] = round(statistics.median(run[name] for run in runs), 1)
    met = all(figures[name] <= TARGET_MS for name in ("open_ms", "tick_all_ms", "tick_none_ms"))
    figures["target_ms"] = TARGET_MS
    figures["target_met"] = met
    print(json.dumps(figures, indent=2))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
