"""Benchmark the TUI lint panel with 450,000 findings over 50,000 files (issue 14).

Target: `LintPanel.show()` plus the next repaint <= 0.3 s CPU; scrolling, cursor moves and
opening a file cost what is on screen (a few ms), whatever the number of findings. The
panel runs alone in a small App (Textual's headless test driver, 120x40); the findings are
synthetic `Finding` objects, nine per file, a third of them errors. Figures are CPU time
(`time.process_time`) of the call plus the event-loop turns that repaint the screen, the
median of `--runs` runs:

    PYTHONPATH=. python benchmarks/lint_panel_bench.py [--files 50000] [--per-file 9] [--runs 3]

Besides the target it prints `show` of the same findings shuffled (files not contiguous, the
slow path of the indexing) and streaming them with `add` in 50 chunks (per chunk).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import time

from textual.app import App, ComposeResult

from reflekt.core.lint.findings import Finding
from reflekt.tui.widgets.lint_panel import FindingsTree, LintPanel

RULES = [
    ("RF311", "property-casing", "error", 'property "{p}" is not snake_case', "{p}_id"),
    ("RF402", "description-missing", "warning", 'property "{p}" has no description', None),
    ("RF205", "event-casing", "warning", 'event name "{p}" is not Title Case', "Event {p}"),
]


def synthetic_findings(files: int, per_file: int) -> list[Finding]:
    """`files` schema files with `per_file` findings each, grouped by file as lint emits."""
    findings = []
    for number in range(files):
        schema_id = f"segment/plan_{number % 20:02d}/Event_{number:05d}_Viewed/1-0.json"
        for index in range(per_file):
            rule, name, severity, message, suggestion = RULES[index % len(RULES)]
            prop = f"property{index}"
            findings.append(
                Finding(
                    schema_id=schema_id,
                    file=f"schemas/{schema_id}",
                    line=10 + index * 3,
                    column=9,
                    rule=rule,
                    rule_name=name,
                    severity=severity,
                    message=message.format(p=prop),
                    property=prop,
                    suggestion=suggestion.format(p=prop) if suggestion else None,
                )
            )
    return findings


class PanelApp(App[None]):
    AUTO_FOCUS = None

    def compose(self) -> ComposeResult:
        yield LintPanel()


async def repaint(pilot) -> None:
    """The event-loop turns after a change: messages handled, the screen painted."""
    await pilot.pause()
    await pilot.pause()


async def cpu_ms(pilot, action) -> float:
    return (await split_ms(pilot, action))[1]


async def split_ms(pilot, action) -> tuple[float, float]:
    """CPU ms of the call alone, and of the call plus the repaint."""
    gc.collect()
    mark = time.process_time()
    action()
    called = time.process_time()
    await repaint(pilot)
    return (called - mark) * 1000, (time.process_time() - mark) * 1000


async def press_ms(pilot, key: str) -> float:
    gc.collect()
    mark = time.process_time()
    await pilot.press(key)
    await repaint(pilot)
    return (time.process_time() - mark) * 1000


async def measure(findings: list[Finding], files: int, runs: int) -> dict[str, float]:
    shuffled = findings[:]
    random.Random(14).shuffle(shuffled)
    figures: dict[str, list[float]] = {}

    def record(name: str, value: float) -> None:
        figures.setdefault(name, []).append(value)

    app = PanelApp()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(LintPanel)
        tree = app.query_one(FindingsTree)
        for _ in range(runs):
            panel.show([], 0)
            await repaint(pilot)
            call, total = await split_ms(pilot, lambda: panel.show(findings, files))
            record("show_repaint_ms", total)
            record("  of which show", call)
            panel.focus_findings()
            await repaint(pilot)
            record("cursor_down_ms", await press_ms(pilot, "j"))
            record("page_down_ms", await press_ms(pilot, "pagedown"))
            record("expand_ms", await press_ms(pilot, "l"))
            record("collapse_ms", await press_ms(pilot, "h"))
            record("end_ms", await press_ms(pilot, "end"))
            record("shuffled_show_ms", await cpu_ms(pilot, lambda: panel.show(shuffled, files)))
            panel.show([], 0)
            await repaint(pilot)
            chunk = len(findings) // 50
            for start in range(0, len(findings), chunk):
                part = findings[start : start + chunk]
                record("add_chunk_ms", await cpu_ms(pilot, lambda part=part: panel.add(part)))
            assert len(panel.findings) == len(findings) and tree.row_count == files
    return {name: round(statistics.median(values), 1) for name, values in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--per-file", type=int, default=9)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    findings = synthetic_findings(args.files, args.per_file)
    print(f"{len(findings)} findings in {args.files} files, median of {args.runs}")
    for name, value in asyncio.run(measure(findings, args.files, args.runs)).items():
        print(f"  {name:<18} {value:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
