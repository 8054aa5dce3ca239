"""The generator makes valid, feasible days whose stored witness is a plan the checker accepts."""

from datetime import timedelta

import pytest

from benchmarks.generate import DAY, generate_day
from solver.checker import assignment_problems
from solver.domain import Status
from solver.plan import plan


@pytest.fixture(scope="module")
def day():
    return generate_day(12, 0.8, seed=7, name="t")


def test_base_day_is_valid_and_witness_passes_the_checker(day):
    scenario = day.scenario()  # the contract's schema and validation: raises on invalid input
    assert assignment_problems(scenario, day.witness) == []
    untaken = {t.id for t in scenario.tasks if not t.taken}
    assert set(day.witness) == untaken


@pytest.mark.parametrize("util", [0.65, 0.9])
def test_base_day_is_feasible_for_the_planner(util):
    inst = generate_day(10, util, seed=3)
    result = plan(inst.scenario(), witness=inst.witness)
    assert result.status is Status.FEASIBLE


def test_same_seed_same_day_other_seed_other_day():
    a, b = generate_day(10, 0.8, seed=1), generate_day(10, 0.8, seed=1)
    assert a.scenario_doc == b.scenario_doc and a.witness == b.witness
    assert generate_day(10, 0.8, seed=2).scenario_doc != a.scenario_doc


def test_shape_of_the_day():
    inst = generate_day(50, 0.8, seed=1)
    scenario = inst.scenario()
    assert 250 <= len(scenario.tasks) <= 350  # M: about 300 tasks at 80 %
    assert inst.meta["utilisation"] == pytest.approx(0.8, abs=0.03)
    assert 0.15 <= inst.meta["taken"] / len(scenario.tasks) <= 0.25
    for t in scenario.tasks:
        minutes = (t.end - t.start) / timedelta(minutes=1)
        assert 30 <= minutes <= 240 and minutes % 15 == 0
    shifts = [s for w in scenario.workers for s in w.shifts]
    assert all(4 <= (s.end - s.start) / timedelta(hours=1) <= 12 for s in shifts)
    day_begin, day_end = scenario.day_bounds(DAY)
    assert any(len(w.shifts) == 2 for w in scenario.workers)  # split shifts
    assert any(s.start.date() != s.end.date() for s in shifts)  # crossing midnight
    assert any(s.start < day_end < s.end or s.start < day_begin < s.end for s in shifts)  # crossing 03:00
    gas = [w for w in scenario.workers if "gas" in w.skills]
    assert 1 <= len(gas) <= 10  # the rare skill sits on few workers
    assert any(t.skill == "gas" for t in scenario.tasks)


def test_crew_day_is_valid_feasible_and_has_crews_and_limits():
    from benchmarks.crews import to_crews

    inst = to_crews(generate_day(30, 0.8, seed=5), "crew-t")
    scenario = inst.scenario()
    assert assignment_problems(scenario, inst.witness) == []
    assert sum(t.seats > 1 for t in scenario.tasks) >= 3
    assert sum(w.limited for w in scenario.workers) >= 5
    cold = plan(scenario)
    assert cold.status is Status.FEASIBLE
    assert assignment_problems(scenario, cold.assignment) == []
