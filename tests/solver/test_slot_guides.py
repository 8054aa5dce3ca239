"""Guides (`solver.domain.Guides`): what one slot query learns for the next query of the same day. They are
hints, so the specification is that they never change an answer: with guides from an earlier version of the
day or made up at random, `find_slots` gives exactly the naive engine's slots (a fresh CP-SAT model of the
whole day per candidate, itself checked against brute force in `test_engine_vs_naive`), and every plan a
guide leads to passes the independent checker (`verify`). And `solver.assign.towards` and
`solver.assign.rebuilt`, which mend a guide into today's plan, return only valid plans; on the very day a
guide was learned, every start that took windows is decided by its guide, and no start needs a repair again
(its moves are replayed, step 2b).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st

from solver import find_slots, load_scenario
from solver.assign import Assignment, is_valid, rebuilt, towards
from solver.domain import Guides, Slot, SlotAnswer, SlotQuery
from solver.instance import Instance, compile_scenario
from solver.options import SolverOptions
from solver.plan import plan, witness_hint
from tests.solver.test_crews_vs_brute_force import DAY, PROPERTY, valid_doc

# Every probe past the Hall check goes to the guide, then to CP-SAT's windows (no repair, no depth-first
# search), so small days produce guides and use them.
SLOW = SolverOptions(verify=True, repair_effort=0, tiny_search=(0, 0), tiny_day=(0, 0))
NAIVE = SolverOptions(engine="naive")
QUERY = SlotQuery(DAY, 60, 30)
ORIGIN = datetime.combine(DAY, time(8, 0), tzinfo=UTC)
GRID = timedelta(minutes=30)


def tight_doc(rnd: random.Random) -> dict[str, Any]:
    """A packed day: 3 workers' 8-hour timelines filled with 30-120-minute tasks and short gaps (so a plan
    exists), the tasks then listed without their workers, so that a new task mostly fits only after moves."""
    workers, tasks = [], []
    for i in range(3):
        lo, hi = rnd.choice([0, 0, 2]), rnd.choice([16, 16, 14])
        workers.append({"id": f"w{i}", "skills": [], "shifts": [{"start": (ORIGIN + lo * GRID).isoformat(),
                                                                  "end": (ORIGIN + hi * GRID).isoformat()}]})
        at = lo + rnd.randint(0, 1)
        while at < hi and len(tasks) < 10:
            length = min(hi - at, rnd.randint(1, 4))
            tasks.append({"id": f"t{len(tasks)}", "start": (ORIGIN + at * GRID).isoformat(),
                          "end": (ORIGIN + (at + length) * GRID).isoformat()})
            at += length + rnd.choice([0, 0, 1, 2])
    rnd.shuffle(tasks)
    return {"timezone": "UTC", "day_start": "03:00", "workers": workers, "tasks": tasks}


def tight_or_random_doc(rnd: random.Random) -> dict[str, Any]:
    """Half the time a packed day (`tight_doc`), else a random one with crews, holders and limits (`valid_doc`)."""
    return tight_doc(rnd) if rnd.random() < 0.5 else valid_doc(rnd)


def made_up_plan(rnd: random.Random, doc: dict[str, Any], share: float = 1.0) -> dict[str, tuple[str, ...]]:
    """A made-up plan of a scenario document: each task (a random `share` of them) on 1-3 random workers, any
    skill, any shift."""
    ids = [w["id"] for w in doc["workers"]]
    return {t["id"]: tuple(rnd.sample(ids, min(len(ids), rnd.randint(1, 3)))) for t in doc["tasks"]
            if share >= 1.0 or rnd.random() < share}


def _random_guides(rnd: random.Random, doc: dict[str, Any], starts: list[Slot]) -> Guides:
    """Made-up plans (`made_up_plan`) for random candidate starts."""
    ids = [w["id"] for w in doc["workers"]]
    chosen = rnd.sample(starts, min(len(starts), 6))
    seats = {s.start: tuple(rnd.sample(ids, 1)) for s in chosen if rnd.random() < 0.7}  # the new task's worker
    cheap = frozenset(s.start for s in chosen if rnd.random() < 0.5)  # replayed only (step 2b), no rebuild
    return Guides(made_up_plan(rnd, doc), {s.start: made_up_plan(rnd, doc) for s in chosen}, seats, cheap)


def _assert_same(answer: SlotAnswer, expected: SlotAnswer) -> None:
    assert answer.feasible_base is expected.feasible_base
    assert answer.slots == expected.slots
    assert answer.undecided == expected.undecided == []


@PROPERTY
@given(seed=st.integers(0, 10**9))
def test_guides_of_an_earlier_day_never_change_the_slots(seed: int) -> None:
    rnd = random.Random(seed)
    doc = tight_doc(rnd)
    expected = find_slots(load_scenario(doc), QUERY, NAIVE)
    # The day before its last booking: its answer's guides, then the query on today's day with them.
    earlier = {**doc, "tasks": doc["tasks"][:-1]}
    learned = find_slots(load_scenario(earlier), QUERY, SLOW).guides
    event("guides learned" if learned else "nothing learned")
    answer = find_slots(load_scenario(doc), QUERY, SLOW, guides=learned)
    event(f"decided by a guide: {min(answer.stats.by_guide, 2)}")
    _assert_same(answer, expected)


@PROPERTY
@given(seed=st.integers(0, 10**9))
def test_made_up_guides_never_change_the_slots(seed: int) -> None:
    rnd = random.Random(seed)
    doc = tight_or_random_doc(rnd)
    sc = load_scenario(doc)
    expected = find_slots(sc, QUERY, NAIVE)
    every = [Slot(s, s + timedelta(minutes=QUERY.duration_minutes)) for s in QUERY.candidates(sc)]
    for options in (SLOW, SolverOptions(verify=True)):
        answer = find_slots(sc, QUERY, options, guides=_random_guides(rnd, doc, every))
        event(f"decided by a guide: {min(answer.stats.by_guide, 2)}")
        _assert_same(answer, expected)


def _planned_day(rnd: random.Random) -> tuple[Instance, dict[int, int]] | None:
    """A small random day and a plan of its items (the solver's), or None if it has none as items."""
    sc = load_scenario(valid_doc(rnd, n_workers=(3, 5), n_tasks=(3, 7)))
    result = plan(sc)
    if result.assignment == {}:
        return None  # no plan of the day to start from
    inst = compile_scenario(sc)
    base = witness_hint(inst, result.assignment) or {}
    if not is_valid(inst, base):
        return None  # a flexible crew's seats listed in another order: not a plan of these items
    return inst, base


@PROPERTY
@given(seed=st.integers(0, 10**9))
def test_towards_returns_only_valid_plans(seed: int) -> None:
    rnd = random.Random(seed)
    day = _planned_day(rnd)
    if day is None:
        return
    inst, base = day
    moves = {i: rnd.randrange(len(inst.worker_ids)) for i in range(inst.n_tasks) if rnd.random() < 0.6}
    found = towards(Assignment(inst, base), moves, effort=rnd.choice([None, 0, 50]))
    event("mended" if found is not None else "gave up")
    if found is not None:
        assert set(found.of) == set(base)
        assert is_valid(inst, found.of)


@PROPERTY
@given(seed=st.integers(0, 10**9))
def test_rebuilt_returns_only_valid_plans(seed: int) -> None:
    rnd = random.Random(seed)
    day = _planned_day(rnd)
    if day is None:
        return
    inst, base = day
    made_up = {i: rnd.randrange(len(inst.worker_ids)) for i in range(inst.n_tasks) if rnd.random() < 0.8}
    found = rebuilt(inst, made_up, base, effort=rnd.choice([None, 0, 50]))
    event("rebuilt" if found is not None else "gave up")
    if found is not None:
        assert set(found.of) == set(base)
        assert is_valid(inst, found.of)


@PROPERTY
@given(seed=st.integers(0, 10**9))
def test_on_the_day_they_were_learned_guides_decide_every_start_that_took_windows(seed: int) -> None:
    sc = load_scenario(tight_doc(random.Random(seed)))
    first = find_slots(sc, QUERY, SLOW)
    learned = first.guides
    event("guides learned" if learned else "nothing learned")
    if learned is None:
        return
    assert set(learned.new) == set(learned.plans)  # every plan names the new task's worker
    again = find_slots(sc, QUERY, SLOW, guides=learned)
    assert again.slots == first.slots
    assert again.stats.by_neighbourhood == again.stats.by_solver == 0
    assert again.stats.by_guide >= first.stats.by_neighbourhood + first.stats.by_solver


# Repairs on (the default effort), depth-first search off: small days' slots come from certificates and repairs.
REPAIRING = SolverOptions(verify=True, tiny_search=(0, 0), tiny_day=(0, 0))


@PROPERTY
@given(seed=st.integers(0, 10**9))
def test_on_the_day_they_were_learned_a_repairs_moves_are_replayed_not_searched_again(seed: int) -> None:
    sc = load_scenario(tight_doc(random.Random(seed)))
    first = find_slots(sc, QUERY, REPAIRING)
    learned = first.guides
    event(f"repairs: {min(first.stats.by_repair, 2)}")
    if learned is None:
        return
    assert {s.start for s in first.slots} >= set(learned.plans) >= learned.cheap
    # The same day plan to start from (the first query's), so that the moves learned on it apply as they were.
    again = find_slots(sc, QUERY, REPAIRING, witness=learned.base, guides=learned)
    assert again.slots == first.slots
    assert again.stats.by_repair == again.stats.by_neighbourhood == again.stats.by_solver == 0
