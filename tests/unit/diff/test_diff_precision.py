"""Diff precision on real-world schema edits, table-driven (cases in diff_cases_support.py).

(a) a `type` that an existing `enum`/`const` already implies is not a narrowing; (b) any
change of a property's type is MAJOR by default, widening included, MINOR with
`diff.type_widening: minor`; (c) a keyword the diff does not model is MAJOR when added or
changed, MINOR only when removed where that provably loosens.
"""

from __future__ import annotations

import pytest
from diff_cases_support import IMPLIED_TYPE, KEYWORDS, TYPE_CHANGES, Case

from reflekt.core.diff import classify, diff_schemas


def _codes(case: Case) -> list[tuple[str, str]]:
    return [(c.code, c.change_class) for c in diff_schemas(case.old, case.new, case.settings)]


@pytest.mark.parametrize("case", IMPLIED_TYPE, ids=lambda case: case.id)
def test_a_type_implied_by_enum_or_const_is_not_a_narrowing(case):
    assert _codes(case) == case.expected


@pytest.mark.parametrize("case", TYPE_CHANGES, ids=lambda case: case.id)
def test_a_change_of_type_is_major_unless_widening_is_allowed(case):
    assert _codes(case) == case.expected


@pytest.mark.parametrize("case", KEYWORDS, ids=lambda case: case.id)
def test_an_unmodelled_keyword_is_major_unless_provably_loosening(case):
    assert _codes(case) == case.expected


def test_changes_say_what_changed_and_where():
    [explicit] = diff_schemas(IMPLIED_TYPE[0].old, IMPLIED_TYPE[0].new)
    assert explicit.path == "p"
    assert explicit.message == "property 'p' now states its type, which its enum implies"
    assert (explicit.old, explicit.new) == (None, "string")
    [const] = diff_schemas(IMPLIED_TYPE[1].old, IMPLIED_TYPE[1].new)
    assert const.message == "property 'p' now states its type, which its const implies"
    one_of = next(case for case in KEYWORDS if case.id == "oneOf-added")
    [change] = diff_schemas(one_of.old, one_of.new)
    assert change.message == "'oneOf' added to property 'p'"
    assert change.old is None and change.new == [{"type": "string"}, {"type": "integer"}]
    removed = next(case for case in KEYWORDS if case.id == "allOf-removed")
    [change] = diff_schemas(removed.old, removed.new)
    assert change.message == "'allOf' removed from property 'p'"


def test_a_documentation_only_type_statement_needs_no_version_bump():
    from reflekt.core.diff import COMPATIBLE, event_diff
    from reflekt.core.schemas import Version

    case = IMPLIED_TYPE[0]
    assert classify(diff_schemas(case.old, case.new)) == "NONE"
    same = Version(1, 0)
    result = event_diff("s/p/E", "E", (same, case.new), (same, case.old))
    assert (result.verdict, result.note) == (COMPATIBLE, "documentation only")
    assert result.required_version == same


def test_type_false_is_not_a_schema_the_diff_can_read():
    case = TYPE_CHANGES[0]
    broken = {**case.new, "properties": {"p": {"type": False}}}
    with pytest.raises(TypeError, match="'type' is false"):
        diff_schemas(case.old, broken)
