"""A generated day (benchmarks.generate), optionally with crews, compiled and planned: the starting point of the
property tests of the plan-mending heuristics (`test_displace`, `test_pull_back`, `test_repair_links`)."""

from __future__ import annotations

import random
from collections.abc import Callable

from benchmarks.crews import to_crews
from benchmarks.generate import generate_day
from solver.assign import Assignment
from solver.checker import assignment_problems
from solver.domain import Scenario, Status
from solver.instance import Instance, compile_scenario
from solver.plan import named_assignment, plan_instance

# Makes room for item t (taken out of the plan) among these workers: the freed worker, or None (plan unchanged).
MakeRoom = Callable[[Assignment, int, tuple[int, ...]], "int | None"]


def planned_day(workers: int, utilisation: float, seed: int, *, crews_tag: str | None = None
                ) -> tuple[Scenario, Instance, dict[int, int]]:
    """The day, its instance and a plan of it (`crews_tag`: the day turned into a crew day under that name)."""
    bench = generate_day(workers, utilisation, seed)
    if crews_tag is not None:
        bench = to_crews(bench, crews_tag, seed)
    scenario = bench.scenario()
    inst = compile_scenario(scenario)
    found = plan_instance(inst)
    assert found.status is Status.FEASIBLE
    return scenario, inst, found.assignment


def put_back_elsewhere(workers: int, seed: int, crews: bool, tag: str, make_room: MakeRoom) -> int:
    """On a generated day at 90 %, up to 40 items taken out one by one and put back where `make_room` frees a worker
    other than their own (so it must move others, or give up): a failure leaves the plan as it was (the item goes
    home), a success leaves a valid plan with the item on the freed worker (the independent checker). The count
    of successes."""
    scenario, inst, planned = planned_day(workers, 0.9, seed, crews_tag=f"{tag}-{seed}" if crews else None)
    rnd = random.Random(seed)
    a = Assignment(inst, planned)
    movable = [t for t in a.of if inst.entry[t] >= 0]
    placed = 0
    for t in rnd.sample(movable, min(40, len(movable))):
        w_was = a.of[t]
        a.remove(t)
        before = dict(a.of)
        w = make_room(a, t, tuple(w for w in inst.eligible[t] if w != w_was))
        if w is None:
            assert a.of == before
            a.put(t, w_was)
            continue
        placed += 1
        assert w != w_was
        a.put(t, w)
        assert assignment_problems(scenario, named_assignment(scenario, inst, a.of)) == []
    return placed
