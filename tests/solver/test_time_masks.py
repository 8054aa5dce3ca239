"""A worker's occupancy as one integer of time slots (`solver.instance.span_mask`, `Instance.masks`,
`solver.assign.Assignment.busy`), checked against the plain interval test it replaces:

- two intervals overlap exactly when their masks share a bit, whenever one of them starts and ends on the
  day's instants (every item does), whatever the other is (a new task's start between them included);
- an interval that meets another always shares a bit with it, whatever the two are (never "free" wrongly);
- an assignment's `busy` is the union of its workers' items' masks after any sequence of puts, removes and
  rollbacks, so "free" by mask is "free" by scan;
- an instance a new task extends shares its slots, and an assignment refuses an instance that does not.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solver.assign import Assignment
from solver.instance import Instance, span_mask

interval = st.tuples(st.integers(0, 60), st.integers(1, 30)).map(lambda p: (p[0], p[0] + p[1]))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@given(st.lists(interval, min_size=1, max_size=12), interval)
def test_an_item_and_any_interval_overlap_exactly_when_their_masks_meet(items: list[tuple[int, int]],
                                                                       other: tuple[int, int]) -> None:
    breaks = sorted({x for it in items for x in it})
    for it in items:
        assert bool(span_mask(breaks, *it) & span_mask(breaks, *other)) == _overlap(it, other)


@given(st.lists(interval, min_size=1, max_size=12), interval, interval)
def test_intervals_that_meet_always_share_a_bit(items: list[tuple[int, int]], a: tuple[int, int],
                                                b: tuple[int, int]) -> None:
    breaks = sorted({x for it in items for x in it})
    if _overlap(a, b):
        assert span_mask(breaks, *a) & span_mask(breaks, *b)


def _instance(spans: list[tuple[int, int]], workers: int) -> Instance:
    return Instance([f"w{k}" for k in range(workers)], [], [f"t{i}" for i in range(len(spans))],
                    [s for s, _ in spans], [e for _, e in spans], [None] * len(spans),
                    [tuple(range(workers))] * len(spans))


@given(st.lists(interval, min_size=1, max_size=10),
       st.lists(st.tuples(st.sampled_from(["put", "remove", "begin", "rollback"]), st.integers(0, 9),
                          st.integers(0, 2)), max_size=40),
       interval)
def test_busy_is_the_union_of_each_workers_items(spans: list[tuple[int, int]],
                                                 steps: list[tuple[str, int, int]], probe: tuple[int, int]) -> None:
    inst = _instance(spans, 3)
    a = Assignment(inst)
    marks: list[int] = []
    for op, i, w in steps:
        t = i % len(spans)
        if op == "put" and t not in a.of:
            a.put(t, w)  # overlaps allowed here: an ejection chain holds two items on a worker for a moment
        elif op == "remove" and t in a.of:
            a.remove(t)
        elif op == "begin":
            marks.append(a.begin())
        elif op == "rollback" and marks:
            a.rollback(marks.pop())
        for v in range(3):
            union = 0
            for u in a.on.get(v, ()):
                union |= inst.masks[u]
            assert a.busy.get(v, 0) == union
    m = span_mask(inst.time_breaks, *probe)
    for v in range(3):
        assert a.free_for(v, m) == a.is_free(v, *probe)


def test_a_new_tasks_instance_shares_the_slots_and_a_foreign_one_is_refused() -> None:
    inst = _instance([(0, 10), (10, 20)], 2)
    a = Assignment(inst, {0: 0})
    with_new = inst.with_task("new", 5, 15, None)
    assert with_new.time_breaks is inst.time_breaks
    with a.extended(with_new):
        a.put(2, 1)
        assert not a.free_for(1, with_new.masks[1])  # the new task [5, 15) meets item 1 [10, 20)
        a.remove(2)
    with pytest.raises(ValueError, match="derived"), a.extended(_instance([(0, 10), (10, 20)], 2)):
        pass
