"""`solver.assign.insert`'s ejection chains (step 5 of a slot probe) with links that push on two tasks.

The start seen on the load test's fullest days: the new task's only worker holds a long task, whose only
other worker holds two tasks in its way; one of them fits into the gap the long task leaves beside the new
one, the other goes to a free worker. Three moves, and CP-SAT windows of 220-260 tasks were needed to find
them while each link could push on only one task and the new task's worker was closed to the chains.

- with links of two tasks (`SolverOptions.repair_inner_blockers`, 2 by default) `insert` frees the worker and
  the plan with the new task on it is valid (the independent checker); with links of one it gives up and
  changes nothing;
- on a day with daily limits the new task's worker stays closed to the chains (room under its limits is
  made by `make_room` alone), so the same day with a limit finds no room there, and changes nothing;
- on generated days (with crews and daily limits), an item taken out and put back where `insert` makes room
  with two-task links leaves a valid plan, and a failure changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from solver.assign import Assignment, insert
from solver.checker import assignment_problems
from solver.domain import Scenario, Shift, Task, Worker
from solver.instance import Instance, compile_scenario
from solver.options import DEFAULT_OPTIONS
from solver.plan import named_assignment
from tests.solver.generated_kit import put_back_elsewhere

T0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
SHIFT = (Shift(T0, T0 + timedelta(hours=12)),)


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def _day(limit: int | None = None) -> Scenario:
    """anna (x, y) holds "long" 1:15-3:45; boris (y, z) holds "early" 1:45-3:00 and "late" 3:00-3:45; vera (z)
    is free. The new task "n" (x, 3:00-4:00) can only go to anna: long to boris, early into anna's gap before
    n, late to vera. `limit`: anna's daily limit in tasks."""
    return Scenario(
        workers=(Worker("anna", skills=frozenset("xy"), shifts=SHIFT, max_tasks=limit),
                 Worker("boris", skills=frozenset("yz"), shifts=SHIFT),
                 Worker("vera", skills=frozenset("z"), shifts=SHIFT)),
        tasks=(Task("long", _at(1.25), _at(3.75), skill="y"), Task("early", _at(1.75), _at(3), skill="y"),
               Task("late", _at(3), _at(3.75), skill="z"), Task("n", _at(3), _at(4), skill="x")))


def _plan(inst: Instance) -> Assignment:
    workers = {"long": "anna", "early": "boris", "late": "boris"}
    return Assignment(inst, {inst.task_ids.index(t): inst.worker_ids.index(w) for t, w in workers.items()})


def test_two_task_links_free_the_new_tasks_worker_with_three_moves() -> None:
    scenario = _day()
    inst = compile_scenario(scenario)
    n = inst.task_ids.index("n")
    a = _plan(inst)
    assert DEFAULT_OPTIONS.repair_inner_blockers == 2  # noqa: PLR2004 -- the production setting
    w = insert(a, n, inst.starts[n], inst.ends[n], inst.eligible[n], depth=2, inner_blockers=2)
    assert w == inst.worker_ids.index("anna")
    a.put(n, w)
    named = {inst.task_ids[t]: inst.worker_ids[v] for t, v in a.of.items()}
    assert named == {"n": "anna", "early": "anna", "long": "boris", "late": "vera"}
    assert assignment_problems(scenario, named_assignment(scenario, inst, a.of)) == []


def test_one_task_links_cannot_and_change_nothing() -> None:
    inst = compile_scenario(_day())
    n = inst.task_ids.index("n")
    a = _plan(inst)
    before = dict(a.of)
    assert insert(a, n, inst.starts[n], inst.ends[n], inst.eligible[n], depth=2, inner_blockers=1) is None
    assert a.of == before


def test_with_daily_limits_the_new_tasks_worker_stays_closed_to_the_chains() -> None:
    inst = compile_scenario(_day(limit=3))
    n = inst.task_ids.index("n")
    a = _plan(inst)
    before = dict(a.of)
    assert insert(a, n, inst.starts[n], inst.ends[n], inst.eligible[n], depth=2, inner_blockers=2) is None
    assert a.of == before


@pytest.mark.parametrize(("workers", "seed", "crews"), [(20, 1, False), (40, 2, True), (60, 3, True), (80, 4, False)])
def test_an_item_put_back_where_it_makes_room_leaves_a_valid_plan(workers: int, seed: int, crews: bool) -> None:
    def links(a: Assignment, t: int, workers_t: tuple[int, ...]) -> int | None:
        return insert(a, t, a.inst.starts[t], a.inst.ends[t], workers_t, depth=2, effort=300, inner_blockers=2)

    assert put_back_elsewhere(workers, seed, crews, "links", links) > 0
