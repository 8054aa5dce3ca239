"""Property: the depth-first search of tiny models (`solver.backtrack`) answers exactly as the CP-SAT model.

Models: random crew days with holders and daily limits (the documents of `test_crews_vs_brute_force`, a
little bigger: 3-5 workers, up to 10 tasks), a random subset of their tasks, with some workers of each
crew entry struck out (as a restricted window's pins do) and random load held outside the model on the
limited workers (`pinned`). Without a node limit the search must decide; it must say "no plan" exactly
when CP-SAT proves there is none, and its plan is checked here rule by rule from the instance's fields.
"""

from __future__ import annotations

import random

from hypothesis import event, given, settings
from hypothesis import strategies as st

from solver import backtrack, load_scenario
from solver.domain import Status
from solver.instance import TICKS_PER_MINUTE, Instance, compile_scenario
from solver.model import solve
from tests.solver.test_crews_vs_brute_force import EXAMPLES, PROPERTY, valid_doc

UNLIMITED = 10**9
Pinned = dict[tuple[int, int], tuple[int, int]]


def random_model(rnd: random.Random) -> tuple[Instance, list[int], Pinned]:
    """A narrowed instance, the items of the model (whole tasks), and the load pinned outside it."""
    inst = compile_scenario(load_scenario(valid_doc(rnd, n_workers=(3, 5), n_tasks=(2, 10))))
    tasks = [t for t in range(len(inst.tasks)) if rnd.random() < 0.8]
    eligible = list(inst.eligible)
    for t in tasks:
        info = inst.tasks[t]
        if info.flexible:
            continue
        for e in {inst.entry[i] for i in info.seats}:  # the seats of one entry keep the same workers
            keep = tuple(w for w in inst.allowed(t, e) if rnd.random() < 0.9)
            for i in info.seats:
                if inst.entry[i] == e:
                    eligible[i] = keep
    pinned: Pinned = {}
    for w in inst.limits:
        for day in set(inst.days):
            if rnd.random() < 0.3:
                pinned[w, day] = (rnd.randint(0, 1), rnd.choice([0, 30, 60]) * TICKS_PER_MINUTE)
    items = [i for t in tasks for i in inst.tasks[t].seats]
    return inst.restrict(eligible), items, pinned


def plan_problems(inst: Instance, items: list[int], pinned: Pinned, plan: dict[int, int]) -> list[str]:
    """The model's rules, read straight off the instance: a worker per seat among the seat's eligible, no
    worker on two overlapping seats, and the limits with the holders' and the pinned load."""
    problems = [f"seat {i} has no worker it allows" for i in items if plan.get(i) not in inst.eligible[i]]
    by_worker: dict[int, list[int]] = {}
    for i in items:
        by_worker.setdefault(plan.get(i, -1), []).append(i)
    for w, mine in by_worker.items():
        problems += [f"worker {w}: seats {a} and {b} overlap" for a in mine for b in mine
                     if a < b and inst.starts[a] < inst.ends[b] and inst.starts[b] < inst.ends[a]]
        if w not in inst.limits:
            continue
        max_seats, max_ticks = inst.limits[w]
        for day in {inst.days[i] for i in mine}:
            held = inst.used.get((w, day), (0, 0))
            out = pinned.get((w, day), (0, 0))
            seats = sum(1 for i in mine if inst.days[i] == day) + held[0] + out[0]
            ticks = sum(inst.ends[i] - inst.starts[i] for i in mine if inst.days[i] == day) + held[1] + out[1]
            if max_seats is not None and seats > max_seats:
                problems.append(f"worker {w} holds {seats} seats on day {day}")
            if max_ticks is not None and ticks > max_ticks:
                problems.append(f"worker {w} holds {ticks} ticks on day {day}")
    return problems


@settings(PROPERTY, max_examples=EXAMPLES * 5)  # a few milliseconds each
@given(seed=st.integers(0, 10**9))
def test_depth_first_search_decides_as_cp_sat_does(seed: int) -> None:
    inst, items, pinned = random_model(random.Random(seed))
    tasks = sorted({inst.owner[i] for i in items})
    found = backtrack.search(inst, tasks, pinned=pinned, max_nodes=UNLIMITED)
    if any(inst.tasks[t].flexible for t in tasks):
        event("flexible: left to CP-SAT")
        assert found is None
        return
    reference = solve(inst, items, time_limit=30, pinned=pinned)
    assert reference.status in (Status.FEASIBLE, Status.INFEASIBLE)
    event(f"CP-SAT: {reference.status.name}")
    assert found is not None, "without a node limit the search decides"
    assert (found is False) == (reference.status is Status.INFEASIBLE)
    if found is not False:
        assert set(found) == set(items)
        assert plan_problems(inst, items, pinned, found) == []


@settings(PROPERTY, max_examples=EXAMPLES * 2)
@given(seed=st.integers(0, 10**9))
def test_solve_answers_the_same_with_and_without_the_search(seed: int) -> None:
    """Through `solve`, with a node limit small enough that some models go on to CP-SAT."""
    inst, items, pinned = random_model(random.Random(seed))
    plain = solve(inst, items, time_limit=30, pinned=pinned)
    searched = solve(inst, items, time_limit=30, pinned=pinned, search=(1000, 4))
    assert searched.status is plain.status
    if searched.status is Status.FEASIBLE:
        assert plan_problems(inst, items, pinned, searched.assignment) == []


def _pigeons(workers: int) -> Instance:
    """`workers` + 1 one-seat tasks at the same time, and `workers` workers who could each take any."""
    day = "2026-11-23"
    doc = {"timezone": "UTC", "day_start": "03:00",
           "workers": [{"id": f"w{k}", "shifts": [{"start": f"{day}T08:00:00", "end": f"{day}T18:00:00"}]}
                       for k in range(workers)],
           "tasks": [{"id": f"t{k}", "start": f"{day}T10:00:00", "end": f"{day}T11:00:00"}
                     for k in range(workers + 1)]}
    return compile_scenario(load_scenario(doc))


def test_search_gives_up_past_its_node_limit_and_cp_sat_decides_instead() -> None:
    """Pigeonhole: 5 tasks, 4 workers. The search needs every order of 4 workers to prove it (4! leaves),
    so with 10 nodes it gives up (None), without a limit it proves it, and `solve` answers either way."""
    inst = _pigeons(4)
    tasks = list(range(len(inst.tasks)))
    assert backtrack.search(inst, tasks, max_nodes=10) is None
    assert backtrack.search(inst, tasks, max_nodes=UNLIMITED) is False
    assert solve(inst, search=(1000, 10)).status is Status.INFEASIBLE


def test_search_fills_a_crew_with_distinct_workers_in_one_order() -> None:
    """A two-seat crew of the same entry: the seats are interchangeable, so only the sorted order of two
    workers is tried (the symmetry cut), and the plan puts different workers on them."""
    day = "2026-11-23"
    doc = {"timezone": "UTC", "day_start": "03:00",
           "workers": [{"id": f"w{k}", "shifts": [{"start": f"{day}T08:00:00", "end": f"{day}T18:00:00"}]}
                       for k in range(3)],
           "tasks": [{"id": "kitchen", "start": f"{day}T10:00:00", "end": f"{day}T12:00:00",
                      "crew": [{"skill": None, "count": 2}]}]}
    inst = compile_scenario(load_scenario(doc))
    found = backtrack.search(inst, [0], max_nodes=UNLIMITED)
    assert isinstance(found, dict)
    first, second = inst.tasks[0].seats
    assert set(found) == {first, second}
    assert found[first] < found[second]
