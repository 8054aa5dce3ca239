"""`solver.assign.displace`: room for an item by one chain of displacements of any length (step 5c of a slot
probe, and the guides' rebuilds).

- a new task that only a four-link chain can make room for gets it, where `insert`'s two-link ejection trees
  find none; every task then has its own worker;
- with no chain (more tasks at once than workers who can take them) it gives up and leaves the plan as it was;
- on generated days (with crews and daily limits), an item taken out and put back where `displace` makes room
  leaves a valid plan (the independent checker), and a failure changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from solver.assign import Assignment, displace, insert
from solver.domain import Scenario, Shift, Task, Worker
from solver.instance import Instance, compile_scenario
from tests.solver.generated_kit import put_back_elsewhere

T0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
SHIFT = (Shift(T0, T0 + timedelta(hours=12)),)


def _chain_day(extra_worker: bool) -> Instance:
    """Four tasks at once, each on a worker who shares one skill with the next (anna a, boris a b, vera b c,
    igor c d, and dima d if `extra_worker`), and a new task "n" of skill a at the same time."""
    skills = {"anna": "a", "boris": "ab", "vera": "bc", "igor": "cd", "dima": "d"}
    if not extra_worker:
        del skills["dima"]
    at = (T0 + timedelta(hours=1), T0 + timedelta(hours=3))
    return compile_scenario(Scenario(
        workers=tuple(Worker(w, skills=frozenset(s), shifts=SHIFT) for w, s in skills.items()),
        tasks=tuple(Task(t, *at, skill=k) for t, k in [("u1", "a"), ("u2", "b"), ("u3", "c"), ("u4", "d"),
                                                       ("n", "a")])))


def _plan(inst: Instance) -> Assignment:
    """u1 on anna, u2 on boris, u3 on vera, u4 on igor; n not placed."""
    workers = {"u1": "anna", "u2": "boris", "u3": "vera", "u4": "igor"}
    return Assignment(inst, {inst.task_ids.index(t): inst.worker_ids.index(w) for t, w in workers.items()})


def test_a_four_link_chain_makes_room_where_two_link_ejection_trees_do_not() -> None:
    inst = _chain_day(extra_worker=True)
    n = inst.task_ids.index("n")
    s, e = inst.starts[n], inst.ends[n]
    a = _plan(inst)
    assert insert(a.copy(), n, s, e, inst.eligible[n], depth=2) is None
    w = displace(a, n, s, e, inst.eligible[n], max_nodes=100)
    assert w is not None
    a.put(n, w)
    assert len(a.of) == 5  # noqa: PLR2004 -- every task placed
    assert len(set(a.of.values())) == 5  # noqa: PLR2004 -- each on its own worker (they all overlap)
    assert all(w in inst.eligible[t] for t, w in a.of.items())


def test_without_a_chain_it_gives_up_and_changes_nothing() -> None:
    inst = _chain_day(extra_worker=False)  # five tasks at once, four workers
    n = inst.task_ids.index("n")
    a = _plan(inst)
    before = dict(a.of)
    assert displace(a, n, inst.starts[n], inst.ends[n], inst.eligible[n], max_nodes=100) is None
    assert a.of == before


def test_the_node_bound_is_honoured() -> None:
    inst = _chain_day(extra_worker=True)
    n = inst.task_ids.index("n")
    a = _plan(inst)
    before = dict(a.of)
    # One node: only n itself is expanded, and n has no free worker; the chain needs four more.
    assert displace(a, n, inst.starts[n], inst.ends[n], inst.eligible[n], max_nodes=1) is None
    assert a.of == before


@pytest.mark.parametrize(("workers", "seed", "crews"), [(20, 1, False), (40, 2, True), (60, 3, True), (80, 4, False)])
def test_an_item_put_back_where_it_makes_room_leaves_a_valid_plan(workers: int, seed: int, crews: bool) -> None:
    def chain(a: Assignment, t: int, workers_t: tuple[int, ...]) -> int | None:
        return displace(a, t, a.inst.starts[t], a.inst.ends[t], workers_t, max_nodes=2000)

    assert put_back_elsewhere(workers, seed, crews, "displace", chain) > 0
