"""LintScheduler and DiskWatch on their own: what runs next, which findings are kept, when to poll."""

from __future__ import annotations

from stored_support import stored_of

from reflekt.core.lint.findings import Finding, LintReport
from reflekt.core.project import load_project
from reflekt.tui.disk_watch import DiskWatch
from reflekt.tui.lint_scheduler import LintRun, LintScheduler, files_to_lint
from reflekt.tui.model import Changes, SchemaIndex

CART = "segment/ecommerce/Cart_Viewed/1-0.json"
CART_1 = "segment/ecommerce/Cart_Viewed/1-1.json"
ORDER = "segment/ecommerce/Order_Completed/1-0.json"


def finding(schema_id: str, severity: str = "error", rule: str = "RF311") -> Finding:
    return Finding(
        schema_id=schema_id,
        file=f"schemas/{schema_id}",
        line=3,
        column=5,
        rule=rule,
        rule_name="property-casing",
        severity=severity,
        message="not snake_case",
    )


def report(*findings: Finding, schemas: int = 3) -> LintReport:
    return LintReport(list(findings), schemas)


def test_the_first_request_runs_and_the_next_waits_for_it():
    lint = LintScheduler()
    assert lint.request(None) == LintRun(None)
    assert lint.running
    assert lint.request([CART]) is None  # queued, not a second run


def test_requests_during_a_run_are_merged_into_one_run_after_it():
    lint = LintScheduler()
    lint.request(None)
    lint.request([ORDER])
    lint.request([CART, ORDER])
    after = lint.finished(None, report())
    assert after == LintRun((CART, ORDER))
    assert lint.running
    assert lint.finished(after.ids, report()) is None
    assert not lint.running


def test_a_full_request_during_a_run_swallows_partial_ones():
    lint = LintScheduler()
    lint.request([CART])
    lint.request([ORDER])
    lint.request(None)
    lint.request([CART_1])  # the full run covers it
    assert lint.finished((CART,), report()) == LintRun(None)
    assert lint.finished(None, report()) is None


def test_a_partial_run_replaces_only_the_findings_of_the_ids_it_covered():
    lint = LintScheduler()
    lint.request(None)
    lint.finished(None, report(finding(CART), finding(ORDER), schemas=3))
    assert lint.linted_schemas == 3
    lint.request([CART])
    lint.finished((CART, CART_1), report(finding(CART_1, "warning")))
    assert [(f.schema_id, f.severity) for f in lint.findings] == [
        (ORDER, "error"),
        (CART_1, "warning"),
    ]
    assert lint.linted_schemas == 3  # a partial run does not recount the project


def test_a_failed_run_runs_nothing_after_it_until_asked_again():
    lint = LintScheduler()
    lint.request(None)
    lint.request([CART])
    lint.failed()
    assert not lint.running
    assert lint.request([ORDER]) == LintRun((ORDER,))


def test_findings_left_in_the_index_count_and_are_replaced_as_decoded_ones():
    lint = LintScheduler()
    lint.request(None)
    event_rule = finding(CART, "warning", rule="RF601")
    warm = LintReport([event_rule], 3, stored=stored_of([finding(CART), finding(ORDER, "warning")]))
    lint.finished(None, warm)
    assert lint.counts() == {CART: (1, 1), ORDER: (0, 1)}
    assert lint.errors_in("segment/ecommerce") == 1 and lint.finding_count == 3
    assert sorted(f.rule for f in lint.all_findings()) == ["RF311", "RF311", "RF601"]
    lint.request([CART])  # the file was edited: its findings are those of the new run
    lint.finished((CART, CART_1), report(finding(CART, "warning")))
    assert lint.counts() == {CART: (0, 1), ORDER: (0, 1)}
    assert lint.errors_in("segment/ecommerce") == 0 and lint.finding_count == 2
    lint.forget([ORDER])
    assert lint.counts() == {CART: (0, 1)} and ORDER not in lint.stored


def test_counts_errors_in_a_select_and_forgetting_removed_files():
    lint = LintScheduler()
    lint.request(None)
    lint.finished(
        None, report(finding(CART), finding(CART, "warning"), finding(CART_1), finding(ORDER))
    )
    assert lint.counts() == {CART: (1, 1), CART_1: (1, 0), ORDER: (1, 0)}
    assert lint.errors_in("segment/ecommerce/Cart_Viewed") == 2
    assert lint.errors_in("segment/ecommerce/Cart_Viewed/1-0") == 1
    assert lint.errors_in("segment/ecommerce/Cart") == 0  # a prefix of a name is not a folder
    assert lint.errors_in("segment/ecommerce") == 3
    lint.forget([CART_1])
    assert lint.counts() == {CART: (1, 1), ORDER: (1, 0)}


def test_busy_text_says_what_runs():
    assert LintRun(None).busy_text == "linting…"
    assert LintRun((CART, ORDER)).busy_text == "re-linting 2"


def shop_index(make_project) -> SchemaIndex:
    builder = make_project()
    for schema_id in (CART, CART_1, ORDER):
        builder.add_schema(schema_id)
    return SchemaIndex.load(load_project(builder.root))


def test_a_relint_covers_every_version_of_the_changed_events(make_project):
    index = shop_index(make_project)
    schemas = index.project.schemas_dir
    covered, paths = files_to_lint(index, [CART])
    assert covered == (CART, CART_1)
    assert paths == [str(schemas / CART), str(schemas / CART_1)]
    covered, paths = files_to_lint(index, None)
    assert covered is None
    assert sorted(paths) == sorted(str(schemas / key) for key in (CART, CART_1, ORDER))


class Clock:
    """A clock that moves only when told to (DiskWatch takes the clock as a parameter)."""

    def __init__(self, *readings: float) -> None:
        self.readings = list(readings)

    def __call__(self) -> float:
        return self.readings.pop(0) if len(self.readings) > 1 else self.readings[0]


def test_a_timed_poll_waits_twenty_times_the_last_scan(make_project):
    index = shop_index(make_project)
    clock = Clock(100.0, 100.5)  # the scan starts at 100.0 and ends at 100.5
    watch = DiskWatch(clock)
    assert watch.begin()
    assert not watch.begin()  # one poll at a time
    assert watch.poll(index) == Changes()
    watch.end()
    assert watch.cost == 0.5
    clock.readings = [110.49]
    assert not watch.due()
    clock.readings = [110.5]
    assert watch.due()
    assert watch.begin()


def test_a_poll_sees_added_and_removed_files(make_project):
    builder = make_project()
    builder.add_schema(CART)
    builder.add_schema(ORDER)
    index = SchemaIndex.load(load_project(builder.root))
    builder.add_schema(CART_1)
    (builder.root / "schemas" / ORDER).unlink()
    assert DiskWatch().poll(index) == Changes(added=(CART_1,), removed=(ORDER,))


def test_the_counts_version_changes_whenever_the_counts_may_have():
    """The tree adds the folder totals up again only for a new version: every change to
    the counts must give one, and a finished run that is exactly what streamed keeps them."""
    lint = LintScheduler()
    lint.request(None)
    start = lint.counts_version
    assert lint.counts() == {}
    streamed = [finding(CART), finding(CART, "warning"), finding(ORDER)]
    lint.stream(streamed[:2])
    after_first = lint.counts_version
    assert after_first != start and lint.counts() == {CART: (1, 1)}
    lint.stream(streamed[2:])
    after_second = lint.counts_version
    assert after_second != after_first and lint.counts()[ORDER] == (1, 0)

    lint.finished(None, report(*reversed(streamed)))  # the same findings, sorted otherwise
    assert lint.counts_version == after_second
    assert lint.counts() == {CART: (1, 1), ORDER: (1, 0)}

    lint.request([CART])
    lint.finished((CART,), report(finding(CART)))
    assert lint.counts_version != after_second
    assert lint.counts() == {CART: (1, 0), ORDER: (1, 0)}
    before_forget = lint.counts_version
    lint.forget([ORDER])
    assert lint.counts_version != before_forget and ORDER not in lint.counts()
