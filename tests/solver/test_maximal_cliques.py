"""Property: `maximal_cliques` (the no-overlap rows of the CP-SAT model, one sweep over intervals that come
in start order) gives exactly the maximal sets of two or more mutually overlapping half-open intervals,
each once, as a brute force over every start instant finds them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.instance import maximal_cliques

Intervals = list[tuple[int, int]]


def brute_force(intervals: Intervals) -> set[frozenset[int]]:
    """The sets alive at each start (every maximal clique of an interval graph is one), the maximal ones."""
    alive = {frozenset(k for k, (s, e) in enumerate(intervals) if s <= at < e) for at, _ in intervals}
    big = {c for c in alive if len(c) > 1}
    return {c for c in big if not any(c < d for d in big)}


intervals_st = st.lists(st.tuples(st.integers(0, 30), st.integers(1, 10)).map(lambda p: (p[0], p[0] + p[1])),
                        max_size=12)


@settings(max_examples=400, deadline=None)
@given(intervals_st)
def test_the_sweep_finds_exactly_the_maximal_cliques(intervals: Intervals) -> None:
    keys = sorted(range(len(intervals)), key=lambda k: intervals[k][0])
    found = maximal_cliques(keys, [s for s, _ in intervals], [e for _, e in intervals])
    assert {frozenset(c) for c in found} == brute_force(intervals)
    assert len(found) == len({frozenset(c) for c in found})  # each once


def test_touching_intervals_do_not_overlap() -> None:
    # [0, 4) and [4, 8) share no instant; [2, 6) overlaps both.
    assert sorted(map(sorted, maximal_cliques([0, 2, 1], [0, 4, 2], [4, 8, 6]))) == [[0, 2], [1, 2]]
