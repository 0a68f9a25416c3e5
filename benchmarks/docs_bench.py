"""Benchmark: `reflekt build docs` for 5,000 events (10 properties each, one in five with a
second version, 10 plans, 25 owners).

Target: at most 5 s for a rebuild of unchanged schemas (which renders and writes nothing);
the cold build (the lint cache empty, every file new) is printed too. Prints the index page's weight (index.html plus its search
data) and, in headless Chromium (/usr/bin/chromium + chromedriver, via selenium), the time
from an input event in the search box to the filtered list (performance.now() around the
event and a forced layout; median of several searches). Run with
`python benchmarks/docs_bench.py [--events N] [--no-browser]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from docs_support import CHROMEDRIVER, CHROMIUM, FLAGS  # the browser tests' own Chromium

from reflekt.core.docs.pipeline import build_docs
from reflekt.core.project import load_project
from reflekt.core.scaffold import NewProject, create_project
from reflekt.core.schemas import dump_schema, new_schema_body

PROPERTIES = 10
PLANS = 10
OWNERS = 25
SECOND_VERSION_EVERY = 5
SEARCHES = ("event", "0042", "property_07", "team-07", "checkout", "zzz-nothing", "happened 1")


def make_project(root: Path, events: int) -> int:
    """The project; returns how many schema files it has."""
    create_project(
        root,
        NewProject(
            name="bench", vendor="com.example", profile="dev", profiles_path="reflekt_profiles.yml"
        ),
    )
    files = 0
    for index in range(events):
        name = f"Event Number {index:04d} Happened"
        plan = f"plan_{index % PLANS:02d}"
        properties = {
            f"property_{p:02d}": {
                "type": "integer" if p == 3 else "string",
                "description": f"Property {p} of the {'checkout' if index % 7 == 0 else 'app'}.",
            }
            for p in range(PROPERTIES)
        }
        versions = [("1-0", properties)]
        if index % SECOND_VERSION_EVERY == 0:
            versions.append(
                ("1-1", {**properties, "extra": {"type": "string", "description": "Added."}})
            )
        for version, props in versions:
            schema_id = f"segment/{plan}/{name.replace(' ', '_')}/{version}.json"
            body = new_schema_body(
                schema_id,
                vendor="com.example",
                name=name,
                version=version,
                description=f"Someone did thing number {index} in the app.",
                metadata={"code_owner": f"team-{index % OWNERS:02d}"},
                properties=props,
                required=["property_00"],
            )
            path = root / "schemas" / schema_id
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dump_schema(body), encoding="utf-8")
            files += 1
    return files


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the forked lint): a figure the
    other jobs of a shared machine do not inflate, unlike the wall time."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def browser_filter_ms(index_html: Path) -> list[float]:
    import shutil

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="reflekt-bench-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.set_window_size(1280, 800)
        started = time.perf_counter()
        driver.get(index_html.as_uri())
        print(f"page load (file://, to the load event): {time.perf_counter() - started:.2f} s")
        times = []
        for term in SEARCHES:
            elapsed, shown = driver.execute_script(
                "const q = document.getElementById('q');"
                "const t0 = performance.now();"
                "q.value = arguments[0];"
                "q.dispatchEvent(new Event('input'));"
                "const shown = document.getElementById('count').textContent;"
                "document.body.offsetHeight;"  # the layout of the filtered list
                "return [performance.now() - t0, shown];",
                term,
            )
            times.append(elapsed)
            print(f"  filter {term!r}: {elapsed:.1f} ms ({shown})")
        return times
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "bench"
        files = make_project(root, args.events)
        project = load_project(root)
        print(f"{args.events} events, {files} schema files")

        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        cpu = cpu_seconds()
        cold = build_docs(project, jobs=jobs)  # as the CLI runs it: lint on every CPU
        cold_cpu = cpu_seconds() - cpu
        print(
            f"build docs (html, cold lint cache): {cold.timings['total']:.2f} s wall, "
            f"{cold_cpu:.2f} s CPU "
            f"({', '.join(f'{k} {v:.2f}' for k, v in cold.timings.items() if k != 'total')}); "
            f"{len(cold.plan.new)} files written"
        )
        # The first rebuild also settles the lint cache the cold run wrote; the second is
        # what every later rebuild of unchanged schemas costs.
        for label in ("first rebuild", "rebuild"):
            cpu = cpu_seconds()
            warm = build_docs(project, jobs=jobs)
            warm_cpu = cpu_seconds() - cpu
            print(
                f"build docs (html, {label}, unchanged): {warm.timings['total']:.2f} s wall, "
                f"{warm_cpu:.2f} s CPU "
                f"({', '.join(f'{k} {v:.2f}' for k, v in warm.timings.items() if k != 'total')}"
                f"); {len(warm.plan.writes)} files rewritten"
            )
        markdown = build_docs(project, fmt="markdown", jobs=jobs)
        print(f"build docs (markdown): {markdown.timings['total']:.2f} s")

        site = cold.out_dir
        index_bytes = (site / "index.html").stat().st_size
        data_bytes = (site / "assets" / "search-index.js").stat().st_size
        assets = sum(
            (site / "assets" / name).stat().st_size for name in ("catalog.css", "catalog.js")
        )
        total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        print(
            f"index page weight: {index_bytes + data_bytes:,} bytes "
            f"(index.html {index_bytes:,} + search data {data_bytes:,}; css+js {assets:,}); "
            f"whole site {total:,} bytes"
        )
        target = warm.timings["total"] <= 5.0
        print(f"load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        if not args.no_browser:
            if not Path("/usr/bin/chromium").exists():
                print("no /usr/bin/chromium: browser figures skipped")
            else:
                times = browser_filter_ms(site / "index.html")
                print(
                    f"time to first filter result: median {statistics.median(times):.1f} ms, "
                    f"max {max(times):.1f} ms over {len(times)} searches"
                )
        print(
            f"target (rebuild <= 5 s): {'met' if target else 'MISSED'}; "
            f"cold build {cold.timings['total']:.1f} s (the lint cache empty, every file new)"
        )
        return 0 if target else 1


if __name__ == "__main__":
    sys.exit(main())
