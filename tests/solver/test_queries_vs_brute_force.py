"""takeable, explain and next against an independent brute force, on random small v2 scenarios.

Each property is the contract's definition, read literally and checked by `brute_v2`:
- takeable lists exactly the tasks T (W not a holder) such that the scenario with W added to T's
  holders is feasible, in time order of start, then id; nothing when the base is infeasible;
- explain says `slot` exactly when the scenario plus the new task is feasible (with a valid plan of
  every task), `no_fit` exactly when the new task's seats cannot get distinct fitting workers, and
  otherwise gives a certificate: new task + listed tasks infeasible, every one-task-smaller set feasible,
  `workers` = the workers who fit a seat of the new task or of a listed task;
- next lists the first `limit` of the per-day slots, days in order, each a slot of the brute force.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

import brute_v2 as brute
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from queries_kit import CREWS, ORIGIN, dump_workers, inside_a_shift, scenarios

from solver.domain import CrewEntry, Scenario, SlotQuery, Task
from solver.explain import NEW_TASK_ID, certificate, explain
from solver.next_slots import next_slots
from solver.options import SolverOptions
from solver.queries import ExplainQuery, NextQuery, TakeableQuery
from solver.slots import find_slots
from solver.takeable import takeable

# QUERIES_EXAMPLES=300 for a deeper run by hand; 60 keeps the suite fast.
SETTINGS = settings(max_examples=int(os.environ.get("QUERIES_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
DAY = date(2026, 11, 23)


def _new_crew(spec: dict) -> tuple[str | None, tuple[CrewEntry, ...] | None]:
    if "crew" in spec:
        return None, tuple(CrewEntry(e["skill"], e["count"]) for e in spec["crew"])
    return spec["skill"], None


@SETTINGS
@given(sc=scenarios(), data=st.data())
def test_takeable_is_exactly_the_brute_force(sc: Scenario, data: st.DataObject) -> None:
    worker = data.draw(st.sampled_from([w.id for w in sc.workers]))
    by_date = data.draw(st.sampled_from([None, DAY]))
    answer = takeable(sc, TakeableQuery(worker, by_date))
    event(f"base={answer.feasible_base} takeable={len(answer.takeable)}")
    base = brute.feasible(sc)
    assert answer.feasible_base is base
    assert answer.undecided == []
    if not base:
        assert answer.takeable == []
        return
    cal = sc.calendar
    expected = []
    for t in sorted(sc.tasks, key=lambda t: (t.start, t.id)):
        if worker in t.holders or (by_date is not None and cal.day_of(t.start) != by_date):
            continue
        taken = replace(t, worker_id=None, holders=(*t.holders, worker))
        if brute.feasible(sc.with_tasks(tuple(taken if x.id == t.id else x for x in sc.tasks))):
            expected.append(t.id)
    assert answer.takeable == expected


@SETTINGS
@given(sc=st.one_of(scenarios(max_tasks=8), scenarios(max_workers=3, max_tasks=8, dense=True)), data=st.data())
def test_explain_agrees_with_the_brute_force(sc: Scenario, data: st.DataObject) -> None:
    lo, hi = data.draw(inside_a_shift(dump_workers(sc), longest=120))
    start = ORIGIN.replace(tzinfo=sc.zone) + timedelta(minutes=lo)
    duration = max(30, hi - lo)
    if sc.tasks and data.draw(st.booleans()):  # on top of a booked task: where conflicts are
        start = data.draw(st.sampled_from(sc.tasks)).start
    skill, crew = _new_crew(data.draw(st.sampled_from(CREWS)))
    out = explain(sc, ExplainQuery(start, duration, skill, crew))
    event(f"slot={out.slot} reason={out.reason} listed={len(out.tasks)}")
    new = Task(NEW_TASK_ID, start, start + timedelta(minutes=duration), skill, None, crew or ())
    with_new = sc.with_tasks((*sc.tasks, new))

    if not brute.feasible(sc):
        assert (out.slot, out.reason) == (False, "infeasible_base")
        # As `slots` names `uncovered`: the engine's fewest tasks that, left out, let the rest be covered.
        assert out.tasks and brute.feasible(sc.with_tasks(tuple(t for t in sc.tasks if t.id not in out.tasks)))
        return
    if brute.feasible(with_new):
        assert out.slot is True
        assert set(out.plan) == {t.id for t in with_new.tasks}
        assert brute.plan_problems(with_new, out.plan) == []
        return
    assert out.slot is False
    if not brute.new_seats_fillable(new, sc):
        assert (out.reason, out.tasks, out.workers) == ("no_fit", [], [])
        return
    assert out.reason == "conflict"
    listed = [t for t in sc.tasks if t.id in set(out.tasks)]
    assert len(listed) == len(out.tasks) == len(set(out.tasks)) and out.tasks == sorted(out.tasks)
    assert not brute.feasible(sc.with_tasks((*listed, new))), "the certificate must be infeasible"
    for drop in listed:
        rest = [t for t in listed if t is not drop]
        assert brute.feasible(sc.with_tasks((*rest, new))), f"dropping {drop.id} must make it feasible"
    assert out.workers == sorted(w.id for w in sc.workers if any(brute.fits_a_seat(t, w) for t in [new, *listed]))


@SETTINGS
@given(sc=st.one_of(scenarios(max_tasks=6, days=3),
                    scenarios(max_workers=3, max_tasks=9, days=3, night=True, min_tasks=5)), data=st.data())
def test_next_is_the_per_day_slots_in_order_cut_at_limit(sc: Scenario, data: st.DataObject) -> None:
    days = data.draw(st.integers(1, 3))
    limit = data.draw(st.integers(1, 12))
    skill, crew = _new_crew(data.draw(st.sampled_from(CREWS)))
    query = NextQuery(DAY, days, 30 * data.draw(st.integers(1, 4)), 120, skill, crew, limit)
    out = next_slots(sc, query, SolverOptions(verify=True))
    base = brute.feasible(sc)
    assert out.feasible_base is base
    assert out.undecided == []
    expected: list[tuple[date, datetime]] = []
    per_day: list[tuple[date, datetime]] = []
    for k in range(days):
        day = DAY + timedelta(days=k)
        q = SlotQuery(day, query.duration_minutes, query.step_minutes, skill, crew)
        per_day += [(day, s.start) for s in find_slots(sc, q).slots]
        for s in q.candidates(sc) if base else []:
            if brute.feasible(sc.with_tasks((*sc.tasks, q.new_task("__n", s)))):
                expected.append((day, s))
    got = [(s.date, s.start) for s in out.slots]
    event(f"slots={len(got)} cut={len(expected) > limit}")
    assert got == expected[:limit]
    assert got == per_day[:limit]


@SETTINGS
@given(sc=scenarios(max_workers=3, max_tasks=8, dense=True), data=st.data())
def test_quickxplain_from_the_neighbourhood_is_irreducible(sc: Scenario, data: st.DataObject) -> None:
    """The path explain takes when no Hall violator exists, driven by the brute force as the oracle."""
    lo = 30 * data.draw(st.integers(16, 26))
    start = ORIGIN.replace(tzinfo=sc.zone) + timedelta(minutes=lo)
    skill, crew = _new_crew(data.draw(st.sampled_from(CREWS)))
    new = Task(NEW_TASK_ID, start, start + timedelta(minutes=60), skill, None, crew or ())

    def infeasible(tasks: Sequence[Task]) -> bool:
        return not brute.feasible(sc.with_tasks((*tasks, new)))

    assume(not infeasible([]) and brute.feasible(sc) and infeasible(sc.tasks))
    cert = certificate(sc, new, infeasible)
    event(f"certificate of {len(cert)}")
    assert infeasible(cert)
    assert all(not infeasible([t for t in cert if t is not drop]) for drop in cert)
