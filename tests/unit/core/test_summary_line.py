"""`summary_line`: the one line both faces show for a pull, a push and a build."""

from __future__ import annotations

import pytest

from reflekt.core.output.summary import summary_line
from reflekt.core.registries.base import PullResult, PushResult


def _ids(count: int) -> tuple[str, ...]:
    return tuple(f"segment/shop/E{i}/1-0.json" for i in range(count))


@pytest.mark.parametrize(
    ("result", "line"),
    [
        (
            PullResult("segment", "shop", _ids(1), _ids(2), _ids(3)),
            "Pulled: segment/shop: 1 created, 2 updated, 3 unchanged.",
        ),
        (
            PullResult("avo", "main", (), _ids(1), (), dry_run=True),
            "Dry run, nothing written: avo/main: 0 created, 1 updated, 0 unchanged.",
        ),
        (
            PushResult("segment", "shop", ("A@1",), (), ("B@1", "C@1")),
            "Pushed: segment/shop: 1 created, 0 updated, 2 unchanged.",
        ),
        (
            PushResult("segment", "shop", (), ("A@1",), (), dry_run=True),
            "Dry run, nothing sent: segment/shop: 0 created, 1 updated, 0 unchanged.",
        ),
        (
            PushResult("segment", "shop", deleted=("A@1", "B@1"), delete=True),
            "Deleted: segment/shop: 2 deleted.",
        ),
        (
            PushResult("segment", "shop", deleted=("A@1",), delete=True, dry_run=True),
            "Dry run, nothing sent: segment/shop: 1 would be deleted.",
        ),
        (
            PushResult("segment", "shop", delete=True),
            "Nothing to delete: none of the selected rules is in segment/shop.",
        ),
    ],
)
def test_pull_and_push_lines(result, line):
    assert summary_line(result) == line


def test_a_result_without_a_line_is_a_type_error():
    with pytest.raises(TypeError, match="no summary line for a dict"):
        summary_line({})
