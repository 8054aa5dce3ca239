"""`solver.plan.plan`'s `candidates`: other plans that may cover the whole day, e.g. the plan a slot query found
for the start a manager then booked (`api.guides.booking_plan`). The specification: a candidate never changes
a verdict (made-up candidates give exactly the verdict without them, whose agreement with brute force is
`test_crews_vs_brute_force`'s), a valid one decides the day without any search, and on the day a booking
follows its slot query, the query's kept plan for the booked start is such a certificate; one that a change in
between made stale is mended into a plan, again without a search.
"""

from __future__ import annotations

import importlib
import random
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from solver import find_slots, load_scenario
from solver.domain import Status, Task
from solver.plan import plan
from tests.solver.test_crews_vs_brute_force import PROPERTY
from tests.solver.test_slot_guides import GRID, ORIGIN, QUERY, SLOW, made_up_plan, tight_doc, tight_or_random_doc

PLAN_MODULE = importlib.import_module("solver.plan")  # the package's `plan` is the function


def _made_up(rnd: random.Random, doc: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    return made_up_plan(rnd, doc, share=0.9)


def _searched(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("searched although a candidate was a plan")


@PROPERTY
@given(seed=st.integers(0, 10**9))
def test_made_up_candidates_never_change_the_verdict(seed: int) -> None:
    rnd = random.Random(seed)
    doc = tight_or_random_doc(rnd)
    sc = load_scenario(doc)
    expected = plan(sc)
    candidates = [_made_up(rnd, doc) for _ in range(rnd.randint(1, 3))]
    if expected.status is Status.FEASIBLE and rnd.random() < 0.5:
        candidates.insert(rnd.randrange(len(candidates) + 1), expected.assignment)  # a true plan among them
    got = plan(sc, witness=_made_up(rnd, doc) if rnd.random() < 0.5 else None, candidates=candidates)
    event(f"{expected.status.value}")
    assert got.status is expected.status  # a FEASIBLE one passed the independent checker inside `plan`
    if got.status is Status.INFEASIBLE and got.optimal and expected.optimal:
        # The fewest tasks to leave out, each proven fewest: as many. (Not always the same ones: several sets may
        # be fewest, and the witness hints the search, whose time limit also decides whether it proves "fewest".)
        assert len(got.uncovered) == len(expected.uncovered)


def test_a_valid_candidate_decides_the_day_without_a_search(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = load_scenario(tight_doc(random.Random(7)))
    found = plan(sc)
    assert found.status is Status.FEASIBLE
    monkeypatch.setattr(PLAN_MODULE, "plan_instance", _searched)
    got = plan(sc, witness={}, candidates=[{"no such task": ("nobody",)}, found.assignment])
    assert got.status is Status.FEASIBLE


@PROPERTY
@given(seed=st.integers(0, 10**9))
def test_a_booked_start_is_proved_by_the_plan_its_slot_query_kept(seed: int) -> None:
    sc = load_scenario(tight_doc(random.Random(seed)))
    answer = find_slots(sc, QUERY, SLOW)
    learned = answer.guides
    if learned is None or not learned.new:
        event("no start took windows")
        return
    start = sorted(learned.new)[seed % len(learned.new)]
    booked = sc.with_tasks((*sc.tasks, Task("booked", start, start + timedelta(minutes=QUERY.duration_minutes),
                                            QUERY.skill, crew=QUERY.seats)))
    candidate = {**learned.base, **learned.plans[start], "booked": learned.new[start]}  # as `api.guard` builds it
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PLAN_MODULE, "plan_instance", _searched)
        got = plan(booked, SLOW, witness=learned.base, candidates=[candidate])
    assert got.status is Status.FEASIBLE
    event("decided by the candidate")


def _at(k: int) -> str:
    return (ORIGIN + k * GRID).isoformat()


def test_a_kept_plan_made_stale_by_a_later_take_is_mended_without_a_search(monkeypatch: pytest.MonkeyPatch) -> None:
    # The slot query offered 09:00 with t1 moved from a to b (the new task then on a). Before the booking, b took
    # x at the same hour: the kept plan now clashes on b. Mended: the booking stays on a, t1 goes to c.
    workers = [{"id": w, "skills": [], "shifts": [{"start": _at(0), "end": _at(16)}]} for w in "abc"]
    tasks = [{"id": "t1", "start": _at(2), "end": _at(4)},
             {"id": "x", "start": _at(2), "end": _at(4), "worker_ids": ["b"]},
             {"id": "booked", "start": _at(2), "end": _at(4)}]
    sc = load_scenario({"timezone": "UTC", "day_start": "03:00", "workers": workers, "tasks": tasks})
    stored = {"t1": ("a",)}  # the day's plan before the booking
    kept = {**stored, "t1": ("b",), "booked": ("a",)}  # the slot query's plan for 09:00, as `api.guard` builds it
    monkeypatch.setattr(PLAN_MODULE, "plan_instance", _searched)
    got = plan(sc, witness=stored, candidates=[kept])
    assert got.status is Status.FEASIBLE  # and the independent checker inside `plan` passed it
    assert got.assignment["booked"] == ("a",)
    assert got.assignment["t1"] == ("c",)
