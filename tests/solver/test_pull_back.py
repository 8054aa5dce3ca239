"""`solver.assign.pull_back`: a plan's items go back to the workers of an earlier plan where they fit.

- an item whose earlier worker is free goes back; two items that swapped workers swap back;
- an item whose earlier worker is busy with an item that belongs there stays where it is;
- on generated days (with crews and daily limits), pulled towards any item -> worker map, a valid plan stays
  valid (the independent checker), and no item that was on its earlier worker leaves it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from solver.assign import Assignment, pull_back
from solver.checker import assignment_problems
from solver.domain import Scenario, Shift, Task, Worker
from solver.instance import Instance, compile_scenario
from solver.plan import named_assignment
from tests.solver.generated_kit import planned_day

T0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def _day(workers: list[str], tasks: list[tuple[str, float, float]]) -> Instance:
    shift = (Shift(_at(0), _at(12)),)
    return compile_scenario(Scenario(workers=tuple(Worker(w, shifts=shift) for w in workers),
                                     tasks=tuple(Task(t, _at(a), _at(b)) for t, a, b in tasks)))


def _items(inst: Instance, named: dict[str, str]) -> dict[int, int]:
    return {inst.task_ids.index(t): inst.worker_ids.index(w) for t, w in named.items()}


def _names(inst: Instance, a: Assignment) -> dict[str, str]:
    return {inst.task_ids[t]: inst.worker_ids[w] for t, w in a.of.items()}


def test_an_item_goes_back_where_its_worker_is_free_and_swapped_items_swap_back() -> None:
    inst = _day(["anna", "boris", "vera", "igor"], [("a", 1, 3), ("b", 2, 4), ("c", 5, 6)])
    earlier = _items(inst, {"a": "anna", "b": "boris", "c": "vera"})
    now = Assignment(inst, _items(inst, {"a": "boris", "b": "anna", "c": "igor"}))
    assert pull_back(now, earlier) == 3  # noqa: PLR2004 -- all three
    assert _names(inst, now) == {"a": "anna", "b": "boris", "c": "vera"}


def test_an_item_stays_where_its_earlier_worker_holds_an_item_that_belongs_there() -> None:
    inst = _day(["anna", "boris"], [("a", 1, 3), ("n", 2, 4)])
    earlier = _items(inst, {"a": "anna"})  # "n" is new: anna took it, so "a" moved to boris
    now = Assignment(inst, _items(inst, {"a": "boris", "n": "anna"}))
    assert pull_back(now, earlier) == 0
    assert _names(inst, now) == {"a": "boris", "n": "anna"}


@pytest.mark.parametrize(("workers", "seed", "crews"), [(20, 1, False), (40, 2, True), (60, 3, True), (80, 4, False)])
def test_a_valid_plan_stays_valid_and_nothing_on_its_earlier_worker_leaves(workers: int, seed: int,
                                                                          crews: bool) -> None:
    scenario, inst, planned = planned_day(workers, 0.85, seed, crews_tag=f"pull-{seed}" if crews else None)
    rnd = random.Random(seed)
    total = 0
    for _ in range(5):
        # An earlier plan: most items where this one has them, the rest on any eligible worker (not a valid
        # plan: pull_back must not trust it).
        earlier = {t: (rnd.choice(inst.eligible[t]) if rnd.random() < 0.3 and inst.eligible[t] else w)  # noqa: PLR2004
                   for t, w in planned.items()}
        a = Assignment(inst, planned)
        kept = {t for t, w in a.of.items() if earlier[t] == w}
        moved_back = pull_back(a, earlier)
        assert assignment_problems(scenario, named_assignment(scenario, inst, a.of)) == []
        assert all(a.of[t] == earlier[t] for t in kept)
        back = {t for t, w in a.of.items() if earlier[t] == w} - kept
        assert len(back) == moved_back
        total += moved_back
    assert total > 0  # something did go back
