"""Lint findings grouped by schema file, and which line of the list shows what: no Textual.

Why not sort and group every finding on each redraw: with 450,000 findings over 50,000 files
that alone costs about a second of the UI thread. Here `FindingGroups` indexes each file's
findings as runs of positions in one list (lint emits a file's findings together, so a run
is usually the whole file), counts them with C-level list operations, and sorts a file's
findings only when one of them is shown (`members`). `RowLayout` maps a line of the list to
a file or one of its findings from the sorted file ids and the open files only, so
scrolling, moving the cursor and opening a file cost O(log files + open files), whatever the
number of findings.

Findings a lazy lint left in the index (`StoredFindings`, see `core/lint/stored.py`) are
listed from their counts and decoded when a file is shown: a warm start with 450,000
findings builds no Finding for a file nobody opens.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate, compress, islice
from operator import ne, sub

from reflekt.core.lint.findings import Finding
from reflekt.core.lint.stored import StoredFindings


def findings_sort_key(finding: Finding) -> tuple:
    return (finding.schema_id, finding.line or 0, finding.column or 0, finding.rule)


def in_scope(schema_id: str, prefix: str) -> bool:
    """Whether a schema id is the selected file or lies under the selected folder."""
    return schema_id.removesuffix(".json") == prefix or schema_id.startswith(prefix + "/")


class FindingGroups:
    """Every finding, indexed by schema file; `add` costs what the added findings cost.

    Per file it keeps plain ints (its first run, size, errors) in dicts, not a list or tuple
    per file: 50,000 new containers would wake the garbage collector, which then walks every
    finding (more than the indexing itself costs).
    """

    def __init__(self) -> None:
        self.findings: list[Finding] = []  # every decoded finding, in the order given
        self.stored = StoredFindings.empty()  # the rest, counted, decoded per file when asked
        self.keys: list[str] = []  # the schema ids, sorted
        self.errors = 0
        self._start: dict[str, int] = {}  # id -> where its first run starts in `findings`
        self._more: dict[str, list[tuple[int, int]]] = {}  # id -> its later runs (rare)
        self._sizes: dict[str, int] = {}  # id -> all its findings (the first run: the rest)
        self._errors: dict[str, int] = {}  # id -> its errors, counted when first asked
        self._sorted: dict[str, list[Finding]] = {}  # id -> its findings sorted, when shown

    def reset(self, findings: Iterable[Finding], stored: StoredFindings | None = None) -> list[str]:
        """Index these findings (and those `stored`) in place of all: the containers are
        emptied and refilled, not new. Why: a new 450,000-item list is young to the garbage
        collector, which then walks every finding at each young collection of the next
        repaint (60 ms here)."""
        self.findings.clear()
        self.keys.clear()
        self.errors = 0
        for table in (self._start, self._more, self._sizes, self._errors, self._sorted):
            table.clear()
        self.stored = stored if stored is not None else StoredFindings.empty()
        counts = self.stored.counts
        if counts:
            self.keys.extend(sorted(counts))
            self._sizes.update(
                (key, errors + warnings) for key, (errors, warnings) in counts.items()
            )
            self._errors.update((key, errors) for key, (errors, _) in counts.items())
            self.errors = self.stored.errors
        return self.add(findings)

    def __len__(self) -> int:
        return len(self.findings) + len(self.stored)

    @property
    def warnings(self) -> int:
        return len(self) - self.errors

    def all_findings(self) -> list[Finding]:
        """Every finding, the stored ones decoded (O(findings): not for redraws)."""
        if not self.stored:
            return self.findings
        return [*self.findings, *self.stored.all()]

    @property
    def sizes(self) -> dict[str, int]:
        """Findings per schema id (read only)."""
        return self._sizes

    def add(self, findings: Iterable[Finding]) -> list[str]:
        """Index more findings; returns the schema ids that were not listed before.

        `findings` keeps them in the order given, except a chunk whose files interleave
        (more runs than twice its files): it is kept sorted by file, so that each file is
        one run again (indexing run by run would cost a Python step per finding).
        """
        first = len(self.findings)
        self.findings.extend(findings)
        chunk = self.findings[first:] if first else self.findings
        if not chunk:
            return []
        ids = [f.schema_id for f in chunk]
        self.errors += [f.severity for f in chunk].count("error")
        starts = _run_starts(ids)
        run_ids = list(map(ids.__getitem__, starts))
        files = set(run_ids)
        if len(starts) > 2 * len(files) + 64:
            chunk, ids = _by_file(chunk, ids, files)
            self.findings[first:] = chunk
            starts = _run_starts(ids)
            run_ids = list(map(ids.__getitem__, starts))
        sizes = list(map(sub, [*islice(starts, 1, None), len(ids)], starts))
        if first:
            starts = list(map(first.__add__, starts))
        known = self._sizes.keys()
        if len(files) == len(run_ids) and (not known or known.isdisjoint(run_ids)):
            new = run_ids  # the usual case: each file's findings together, all new files
            self._start.update(zip(run_ids, starts, strict=True))
            self._sizes.update(zip(run_ids, sizes, strict=True))
        else:
            new = self._merge_runs(run_ids, starts, sizes)
        self._insert_keys(new)
        return new

    def _merge_runs(self, run_ids: list[str], starts: list[int], sizes: list[int]) -> list[str]:
        """Runs of files seen before (or twice in one chunk): one at a time."""
        new: list[str] = []
        for key, start, size in zip(run_ids, starts, sizes, strict=True):
            if key not in self._sizes:
                self._start[key], self._sizes[key] = start, size
                new.append(key)
                continue
            self._more.setdefault(key, []).append((start, start + size))
            self._sizes[key] += size
            self._errors.pop(key, None)
            self._sorted.pop(key, None)
        return new

    def _insert_keys(self, new: list[str]) -> None:
        """Few new ids go in by bisection, many by one sort (both keep `keys` sorted)."""
        if len(new) > 64:
            self.keys.extend(new)
            self.keys.sort()
            return
        for key in new:
            self.keys.insert(bisect_left(self.keys, key), key)

    def size(self, key: str) -> int:
        return self._sizes.get(key, 0)

    def error_count(self, key: str) -> int:
        count = self._errors.get(key)
        if count is None:
            count = self._errors[key] = [f.severity for f in self._unsorted(key)].count("error")
        return count

    def members(self, key: str) -> list[Finding]:
        """A file's findings in list order (line, column, rule), sorted on first use."""
        cached = self._sorted.get(key)
        if cached is None:
            cached = self._sorted[key] = sorted(self._unsorted(key), key=findings_sort_key)
            if len(cached) != self._sizes.get(key, 0):
                self._resized(key, cached)
        return cached

    def _resized(self, key: str, members: list[Finding]) -> None:
        """A stored file's findings were not what the index counted (an edited index: they
        were linted again, see `StoredFindings.of`): its size and errors follow them."""
        errors = [f.severity for f in members].count("error")
        self.errors += errors - self._errors.get(key, errors)
        self._errors[key] = errors
        self._sizes[key] = len(members)

    def _unsorted(self, key: str) -> list[Finding]:
        stored = self.stored.of(key) if key in self.stored else []
        more = self._more.get(key, [])
        runs = list(more)
        if key in self._start:  # its first run (a file the stored findings do not hold)
            start = self._start[key]
            first_size = self._sizes[key] - sum(end - begin for begin, end in more)
            runs.insert(0, (start, start + first_size))
        return [*stored, *(f for start, end in runs for f in self.findings[start:end])]

    def keys_in(self, prefix: str | None) -> list[str]:
        """The sorted ids in a scope: all (None), else the file or folder `prefix`."""
        if not prefix:
            return self.keys
        keys = self.keys
        under = keys[bisect_left(keys, prefix + "/") : bisect_left(keys, prefix + "0")]
        exact = [k for k in (prefix, prefix + ".json") if k in self._sizes]
        return exact + under  # "x" < "x.json" < "x/...": still sorted

    def counts(self, keys: Sequence[str]) -> tuple[int, int, int]:
        """(errors, warnings, files) of these ids."""
        if keys is self.keys:
            return self.errors, self.warnings, len(keys)
        errors = sum(map(self.error_count, keys))
        total = sum(map(self._sizes.__getitem__, keys))
        return errors, total - errors, len(keys)


def _by_file(
    chunk: list[Finding], ids: list[str], files: set[str]
) -> tuple[list[Finding], list[str]]:
    """The chunk (and its ids) stably sorted by file: by the file's number, an int, so that
    450,000 findings sort by int comparisons rather than by comparing their ids."""
    number = {key: index for index, key in enumerate(sorted(files))}
    numbers = list(map(number.__getitem__, ids))
    order = sorted(range(len(ids)), key=numbers.__getitem__)
    return list(map(chunk.__getitem__, order)), list(map(ids.__getitem__, order))


def _run_starts(ids: list[str]) -> list[int]:
    """Where each run of equal ids starts (C-level: no Python step per finding)."""
    return [0, *compress(range(1, len(ids)), map(ne, islice(ids, 1, None), ids))]


class RowLayout:
    """Line numbers of a list of files (sorted `keys`), the `open` ones with their findings.

    Only the open files are walked: a file's line is its index plus the sizes of the open
    files before it (bisection in `_open_index`).
    """

    def __init__(self, keys: Sequence[str], sizes: dict[str, int], open_keys: set[str]) -> None:
        self.keys = keys
        index = sorted(i for i in (index_of(keys, k) for k in open_keys) if i >= 0)
        self._open_index = index
        self._open_sizes = [sizes[keys[i]] for i in index]
        self._before = list(accumulate(self._open_sizes, initial=0))  # extra lines before
        self._starts = [i + extra for i, extra in zip(index, self._before, strict=False)]
        self.rows = len(keys) + self._before[-1]

    def locate(self, line: int) -> tuple[int, int] | None:
        """(file index, finding index or -1 for the file's own line) shown on `line`."""
        if not 0 <= line < self.rows:
            return None
        i = bisect_right(self._starts, line) - 1
        if i < 0:
            return line, -1
        group, start, size = self._open_index[i], self._starts[i], self._open_sizes[i]
        if line <= start + size:
            return group, line - start - 1
        return group + line - start - size, -1

    def line_of(self, group: int, finding: int = -1) -> int:
        """The line of file `group` (or of its finding number `finding`)."""
        return group + self._before[bisect_left(self._open_index, group)] + finding + 1

    def is_open(self, group: int) -> bool:
        i = bisect_left(self._open_index, group)
        return i < len(self._open_index) and self._open_index[i] == group


def index_of(keys: Sequence[str], key: str) -> int:
    """The index of `key` in the sorted `keys`, or -1."""
    i = bisect_left(keys, key)
    return i if i < len(keys) and keys[i] == key else -1
