"""A day nobody here generated: the smallest published PTSP instance, made tight, with crews and daily
limits added (`benchmarks.crews.to_crews`). The exact engine must answer it as a whole-day CP-SAT model
per candidate does (no shortcut: no witness, certificate, equivalence, Hall bound, repair or window),
cold and from the stored witness, for a one-seat task and for a two-seat crew, and every plan it gives
must pass the independent checker. (The naive engine's interval model is no reference here: it left
75 of 91 candidates of this day undecided in a minute.)"""

from datetime import date, timedelta
from pathlib import Path

import pytest

from benchmarks.crews import to_crews
from benchmarks.ptsp import read_dat, tighten
from solver.checker import assignment_problems
from solver.domain import CrewEntry, SlotQuery, Status
from solver.instance import compile_scenario, epoch
from solver.model import solve
from solver.options import SolverOptions
from solver.plan import plan
from solver.slots import NEW_TASK_ID, find_slots

SMALL = Path(__file__).parent / "data" / "Data_137__data_2_24_40_33.dat"


@pytest.fixture(scope="module")
def day():
    inst = to_crews(tighten(read_dat(SMALL), seed=1), "ptsp-crew-small")
    scenario = inst.scenario()
    assert any(t.crew for t in scenario.tasks), "the day must hold crews"
    assert any(w.max_tasks is not None for w in scenario.workers), "and daily limits"
    return inst, scenario


def _verdicts(answer):
    return ({s.start for s in answer.slots}, {s.start for s in answer.undecided})


def _whole_day_verdicts(scenario, query):
    """Per candidate, CP-SAT on the whole day plus the new task: its slots and what it left undecided."""
    inst = compile_scenario(scenario)
    day = query.date.toordinal() if inst.limits else 0
    slots, undecided = set(), set()
    for s in query.candidates(scenario):
        e = s + timedelta(minutes=query.duration_minutes)
        with_new = inst.with_task(NEW_TASK_ID, epoch(s), epoch(e), None, crew=query.seats, day=day)
        status = solve(with_new, time_limit=30, linearization=2).status
        if status is Status.FEASIBLE:
            slots.add(s)
        elif status is Status.UNKNOWN:
            undecided.add(s)
    return slots, undecided


@pytest.mark.parametrize("crew", [None, (CrewEntry(None, 2),)], ids=["one seat", "two seats"])
def test_exact_answers_the_ptsp_crew_day_as_a_whole_day_model_does(day, crew):
    inst, scenario = day
    query = (SlotQuery(date.fromisoformat(inst.date), 90, 15, inst.skill) if crew is None
             else SlotQuery(date.fromisoformat(inst.date), 90, 15, crew=crew))
    reference, still_open = _whole_day_verdicts(scenario, query)
    assert not still_open
    for witness in (None, inst.witness):
        answer = find_slots(scenario, query, SolverOptions(verify=True), witness=witness)  # verify: checker per slot
        assert answer.feasible_base is True
        assert _verdicts(answer) == (reference, set())
    assert reference, "a day without any slot would not test the shortcuts"
    assert len(reference) < len(query.candidates(scenario)), "nor one where every start is a slot"


def test_a_cold_plan_of_the_ptsp_crew_day_passes_the_checker(day):
    _, scenario = day
    result = plan(scenario, SolverOptions())
    assert result.status is Status.FEASIBLE
    assert assignment_problems(scenario, dict(result.assignment)) == []
