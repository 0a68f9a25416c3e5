"""FindingGroups and RowLayout (the lint panel's index) against the naive sort-and-group.

The index takes shortcuts (runs of positions, C-level counting, a file's findings sorted
only when shown); whatever the order the findings come in and however they are chunked,
it must list exactly what sorting every finding and grouping by file lists.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stored_support import stored_of

from reflekt.core.lint.cache import RowTable
from reflekt.core.lint.findings import Finding
from reflekt.core.lint.stored import StoredFindings
from reflekt.tui.widgets.finding_groups import FindingGroups, RowLayout, findings_sort_key

IDS = [f"segment/p{p}/E{e}/1-0.json" for p in range(3) for e in range(4)] + ["segment/p1.json"]


def finding(schema_id: str, line: int, severity: str = "error") -> Finding:
    return Finding(
        schema_id, f"schemas/{schema_id}", line, 1, "RF311", "casing", severity, f"m{line}"
    )


findings_lists = st.lists(
    st.builds(
        finding,
        st.sampled_from(IDS),
        st.integers(1, 30),
        st.sampled_from(["error", "warning"]),
    ),
    max_size=120,
)


def naive(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for item in sorted(findings, key=findings_sort_key):
        grouped.setdefault(item.schema_id, []).append(item)
    return grouped


@settings(max_examples=150, deadline=None)
@given(findings_lists, st.lists(st.integers(1, 40), max_size=6))
def test_any_order_and_any_chunks_index_as_sorting_everything(findings, cuts):
    groups = FindingGroups()
    start = 0
    for cut in [*cuts, len(findings)]:
        groups.add(findings[start : start + cut])
        start += cut
    groups.add(findings[start:])
    expected = naive(findings)
    assert groups.keys == sorted(expected)
    assert sorted(groups.findings, key=id) == sorted(findings, key=id)
    assert groups.errors == sum(f.severity == "error" for f in findings)
    for key, items in expected.items():
        assert groups.members(key) == items
        assert groups.size(key) == len(items)
        assert groups.error_count(key) == sum(f.severity == "error" for f in items)


@settings(max_examples=150, deadline=None)
@given(findings_lists, findings_lists, st.lists(st.integers(1, 40), max_size=4))
def test_stored_and_decoded_findings_index_as_sorting_everything(stored, decoded, cuts):
    """A warm start: the files' findings in the index, the events' decoded (the same files,
    some of them), and chunks streamed after: listed as if every one had been decoded."""
    groups = FindingGroups()
    groups.reset(decoded[: cuts[0] if cuts else 0], stored_of(stored))
    start = cuts[0] if cuts else 0
    for cut in cuts[1:]:
        groups.add(decoded[start : start + cut])
        start += cut
    groups.add(decoded[start:])
    everything = [*stored, *decoded]
    expected = naive(everything)
    assert groups.keys == sorted(expected)
    assert len(groups) == len(everything)
    assert groups.errors == sum(f.severity == "error" for f in everything)
    for key, items in expected.items():
        assert groups.size(key) == len(items)
        assert groups.error_count(key) == sum(f.severity == "error" for f in items)
        assert groups.members(key) == items
    assert sorted(groups.all_findings(), key=repr) == sorted(everything, key=repr)


def test_a_stored_file_that_does_not_decode_is_linted_again_and_recounted():
    """An edited index: the header says 3 findings, the file's rules find 1 (exact)."""
    key = IDS[0]
    real = [finding(key, 7, "warning")]
    table = RowTable()
    stored = StoredFindings(table, {key: "2|[[broken"}, {key: (2, 1)}, lambda _key: list(real))
    groups = FindingGroups()
    groups.reset([], stored)
    assert groups.size(key) == 3 and groups.errors == 2  # the header's word, until shown
    assert groups.members(key) == real
    assert (groups.size(key), groups.error_count(key), groups.errors) == (1, 0, 0)
    assert len(groups) == 1 and stored.of(key) == real  # asked again: the same


def test_a_scope_is_its_file_or_folder_and_counts_only_those():
    findings = [finding(i, n, "warning" if n % 2 else "error") for n, i in enumerate(IDS)]
    findings.append(finding("segment/p10/E0/1-0.json", 99))  # p10 is not under p1
    groups = FindingGroups()
    groups.add(findings)
    scoped = groups.keys_in("segment/p1")
    assert scoped == ["segment/p1.json"] + [f"segment/p1/E{e}/1-0.json" for e in range(4)]
    wanted = [f for f in findings if f.schema_id in scoped]
    errors = sum(f.severity == "error" for f in wanted)
    assert groups.counts(scoped) == (errors, len(wanted) - errors, 5)
    assert groups.keys_in(None) is groups.keys
    assert groups.counts(groups.keys) == (groups.errors, groups.warnings, len(groups.keys))


def naive_lines(keys: list[str], sizes: dict[str, int], open_keys: set[str]):
    lines = []
    for group, key in enumerate(keys):
        lines.append((group, -1))
        if key in open_keys:
            lines.extend((group, index) for index in range(sizes[key]))
    return lines


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=0, max_size=12), st.data())
def test_the_layout_maps_lines_as_listing_every_row(sizes_list, data):
    keys = [f"k{i:02d}" for i in range(len(sizes_list))]
    sizes = dict(zip(keys, sizes_list, strict=True))
    open_keys = set(data.draw(st.lists(st.sampled_from(keys), unique=True))) if keys else set()
    layout = RowLayout(keys, sizes, open_keys)
    lines = naive_lines(keys, sizes, open_keys)
    assert layout.rows == len(lines)
    for line, (group, index) in enumerate(lines):
        assert layout.locate(line) == (group, index)
        assert layout.line_of(group, index) == line
        assert layout.is_open(group) == (keys[group] in open_keys)
    assert layout.locate(len(lines)) is None
    assert layout.locate(-1) is None


def test_interleaved_files_are_reordered_by_file_and_list_the_same():
    """Round-robin over the files (every finding its own run): the chunk is kept sorted by
    file, each file one run again, and the list is the naive one."""
    findings = [finding(IDS[n % len(IDS)], n // len(IDS)) for n in range(2_000)]
    groups = FindingGroups()
    groups.add(findings[:13])
    groups.add(findings[13:])
    assert [f.schema_id for f in groups.findings[13:]] == sorted(f.schema_id for f in findings[13:])
    for key, items in naive(findings).items():
        assert groups.members(key) == items
