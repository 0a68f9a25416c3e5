"""CheckModel: the wizard tree's ticks and per-folder counts, kept up to date incrementally,
always equal a recount from scratch (random trees, random tick and untick sequences)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reflekt.tui.check_model import ROOT, CheckModel, parent_of

KEY = st.lists(st.sampled_from("abc"), min_size=1, max_size=4).map("/".join)
KEYS = st.lists(KEY, max_size=25)


def nodes_of(keys: list[str]) -> list[str]:
    """Every folder and event named by the keys, in first-seen order (top-down)."""
    seen: dict[str, None] = {}
    for key in keys:
        parts = key.split("/")
        for depth in range(1, len(parts) + 1):
            seen.setdefault("/".join(parts[:depth]))
    return list(seen)


def leaves_of(keys: list[str], node: str) -> set[str]:
    return {key for key in keys if node == ROOT or key == node or key.startswith(node + "/")}


def only_leaves(keys: list[str]) -> list[str]:
    """Drop keys that hold others: a real event folder holds versions, not events."""
    return [key for key in keys if not any(o.startswith(key + "/") for o in keys)]


def assert_counts_match_a_recount(model: CheckModel, keys: list[str], checked: set[str]):
    assert model.checked == checked
    assert model.ticked() == [key for key in dict.fromkeys(keys) if key in checked]
    for node in [ROOT, *model.tree_order()]:
        leaves = leaves_of(keys, node)
        ticked = len(leaves & checked)
        assert model.total(node) == len(leaves), node
        assert model.ticked_count(node) == ticked, node
        expected = "all" if leaves and ticked == len(leaves) else "some" if ticked else "none"
        assert model.state(node) == expected, node


# An operation: tick (True) or untick a node, or tick/untick a handful of keys at once.
OPS = st.lists(
    st.tuples(st.booleans(), st.one_of(KEY, st.just(ROOT)), st.booleans(), st.lists(KEY)),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(keys=KEYS, initial=st.one_of(st.none(), st.lists(KEY)), ops=OPS)
def test_counts_after_any_ticks_equal_a_recount(keys, initial, ops):
    model = CheckModel(keys, initial)
    nodes = set(nodes_of(keys))
    assert set(model.tree_order()) == nodes
    checked = set(keys) if initial is None else set(initial) & set(keys)
    assert_counts_match_a_recount(model, keys, checked)
    for whole_node, node, tick, some in ops:
        if whole_node:
            known = node == ROOT or node in nodes
            changed = leaves_of(keys, node) if known else set()
            assert set(model.set_checked(node, tick)) == changed  # what `Changed` reports
        else:
            model.tick(some, tick)
            changed = set(some) & set(keys)
        checked = checked | changed if tick else checked - changed
        assert_counts_match_a_recount(model, keys, checked)


@settings(max_examples=300, deadline=None)
@given(keys=KEYS.map(only_leaves), ticked=st.lists(KEY))
def test_ticked_selects_cover_exactly_the_ticks_with_fewest_selects(keys, ticked):
    model = CheckModel(keys, ticked)
    selects = model.ticked_selects()
    covered = [leaves_of(keys, select) for select in selects]
    assert set().union(*covered) == model.checked
    assert sum(map(len, covered)) == len(model.checked)  # no event named twice
    for select in selects:
        assert model.state(select) == "all"
        # Fewest: the folder above is not all ticked (else it would be the one select).
        assert parent_of(select) == ROOT or model.state(parent_of(select)) != "all"


@settings(max_examples=200, deadline=None)
@given(keys=KEYS, query=st.sampled_from(["a", "B", "c", "x"]))
def test_tree_order_and_search_cover_every_node(keys, query):
    model = CheckModel(keys)
    order = model.tree_order()
    assert sorted(order) == sorted(nodes_of(keys))
    for index, node in enumerate(order):  # a folder comes before what it holds
        assert model.order(node) == index
        if parent_of(node) != ROOT:
            assert model.order(parent_of(node)) < index
    nodes = nodes_of(keys)
    for node in [ROOT, *nodes]:  # each folder's children in the order the keys named them
        assert model.children(node) == [other for other in nodes if parent_of(other) == node]
    found = [order[index] for index in model.matches(query)]
    assert found == [node for node in order if query.lower() in node.rsplit("/", 1)[-1]]


def test_children_keep_the_order_the_keys_named_them():
    model = CheckModel(["s/b/E1", "s/a/E2", "t/x/E3", "s/b/E4"], checked=["s/a/E2"])
    assert model.children() == ["s", "t"]
    assert "s/a" in model and "s/a/E2" in model and "s/zz" not in model
    assert model.children("s") == ["s/b", "s/a"]
    assert model.leaves("s/b") == ["s/b/E1", "s/b/E4"]
    assert (model.ticked_count("s"), model.total("s"), model.state("s")) == (1, 3, "some")
    assert model.ticked_selects() == ["s/a"]
    model.set_checked("s", True)
    assert model.ticked_selects() == ["s"]
    assert model.set_checked(ROOT, False) == model.keys
    assert model.state(ROOT) == "none" and model.ticked_count("s/b") == 0


def test_an_event_that_holds_events_below_a_folder_is_listed_once():
    """`s` is an event and, through `s/a`, a folder: one node, where the keys first named it."""
    for keys in (["s", "s/a/E"], ["s/a/E", "s"], ["t/E", "s/a/E", "s", "t"]):
        model = CheckModel(keys, checked=["s"])
        assert model.children().count("s") == 1, keys
        assert model.children() == [key for key in ("t", "s") if key in model.children()]
        assert (model.total("s"), model.ticked_count("s")) == (2, 1)
        assert model.total() == len(keys) and model.ticked_count() == 1
