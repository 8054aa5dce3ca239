"""The start-order construction (`solver.construct`) and the vectorised eligibility it leans on.

- on generated days (feasible by construction) the construction's partial plan, and the plan
  `solver.plan` builds from it, pass the independent checker; on crew days with daily limits the
  partial plans keep the limits and `plan` still finishes them;
- on tiny random days, against a brute force written here on the domain objects (datetimes, no
  compiled instance): whatever the construction places is valid, and `plan` decides as the brute force;
- slot answers do not depend on how the base day was planned: cold (the construction) and from the
  generator's stored witness give the same slots, and both equal the naive reference on small days;
- `solver.eligibility` answers exactly what `WorkerCalendar.can_take` answers, worker by worker.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.crews import to_crews
from benchmarks.generate import generate_day
from solver.assign import is_valid
from solver.checker import assignment_problems
from solver.construct import construct, cover
from solver.domain import Scenario, Shift, SlotQuery, Status, Task, Worker
from solver.instance import compile_scenario
from solver.options import SolverOptions
from solver.plan import plan
from solver.slots import find_slots

FAST = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DAY = date(2026, 11, 23)
ORIGIN = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def _named(inst, mapping: dict[int, int]) -> dict[str, str]:
    return {inst.task_ids[t]: inst.worker_ids[w] for t, w in mapping.items()}


def _placed_only(scenario: Scenario, named: dict[str, str]) -> Scenario:
    """The scenario without the untaken tasks a partial plan left out (so the checker judges the rest)."""
    return scenario.with_tasks(tuple(t for t in scenario.tasks if t.worker_id is not None or t.id in named))


@pytest.mark.parametrize(("workers", "util", "seed"), [(20, 0.9, 1), (50, 0.65, 2), (50, 0.9, 3), (120, 0.8, 4),
                                                       (200, 0.9, 5)])
def test_construction_and_plan_pass_the_checker_on_generated_days(workers: int, util: float, seed: int) -> None:
    scenario = generate_day(workers, util, seed).scenario()
    inst = compile_scenario(scenario)
    for partial in (construct(inst), cover(inst)):
        named = _named(inst, partial)
        assert assignment_problems(_placed_only(scenario, named), named) == []
    result = plan(scenario)
    assert result.status is Status.FEASIBLE  # the generator's days are feasible by construction
    assert assignment_problems(scenario, result.assignment) == []


def test_construction_keeps_a_valid_seed_and_plans_around_it() -> None:
    bench = generate_day(40, 0.9, seed=11)
    scenario = bench.scenario()
    inst = compile_scenario(scenario)
    witness = bench.witness or {}
    seed = {inst.index[t]: inst.worker_ids.index(w) for t, w in list(witness.items())[::3]}
    partial = construct(inst, seed=seed)
    assert all(partial[t] == w for t, w in seed.items())
    named = _named(inst, partial)
    assert assignment_problems(_placed_only(scenario, named), named) == []


@pytest.mark.parametrize(("workers", "util", "seed"), [(30, 0.9, 1), (60, 0.8, 2)])
def test_construction_keeps_limits_and_crews_on_crew_days(workers: int, util: float, seed: int) -> None:
    """Crew days with daily limits (benchmarks.crews): the partial plans keep every limit and never seat
    a worker twice on a task (`is_valid` on what they hold), and `plan` finishes them into a checked plan."""
    scenario = to_crews(generate_day(workers, util, seed), f"crew-{workers}", seed).scenario()
    inst = compile_scenario(scenario)
    assert inst.limits
    for partial in (construct(inst), cover(inst)):
        assert is_valid(inst, partial, list(partial))
    result = plan(scenario)
    assert result.status is Status.FEASIBLE
    assert assignment_problems(scenario, result.assignment) == []


# -- tiny days against a brute force ----------------------------------------------------------------------


def _at(units: int) -> datetime:
    return ORIGIN + timedelta(minutes=30 * units)


@st.composite
def tiny_days(draw: st.DrawFn) -> Scenario:
    """Up to 4 workers with one or two shifts, up to 7 untaken tasks and a few taken ones, 30-min grid."""
    workers = []
    taken: list[Task] = []
    for i in range(draw(st.integers(1, 4))):
        a = draw(st.integers(0, 8))
        b = a + draw(st.integers(2, 10))
        spans = [(a, b)]
        if draw(st.booleans()):
            c = b + draw(st.integers(0, 3))
            spans.append((c, c + draw(st.integers(1, 6))))
        skills = frozenset(draw(st.sets(st.sampled_from(["x", "y"]))))
        workers.append(Worker(f"w{i}", None, skills, tuple(Shift(_at(s), _at(e)) for s, e in spans)))
        if draw(st.booleans()):  # one taken task inside the first shift
            s = draw(st.integers(a, b - 1))
            taken.append(Task(f"k{i}", _at(s), _at(min(b, s + draw(st.integers(1, 3)))), None, f"w{i}"))
    untaken = []
    for j in range(draw(st.integers(1, 7))):
        s = draw(st.integers(0, 18))
        untaken.append(Task(f"t{j}", _at(s), _at(s + draw(st.integers(1, 5))),
                            draw(st.sampled_from([None, None, "x", "y"])), None))
    return Scenario("UTC", time(3, 0), tuple(workers), (*taken, *untaken))


def _fits(task: Task, worker: Worker) -> bool:
    return (task.skill is None or task.skill in worker.skills) and any(
        sh.start <= task.start and task.end <= sh.end for sh in worker.shifts)


def _valid(scenario: Scenario, named: dict[str, str]) -> bool:
    """Brute-force judge: every named task on a worker it fits, no two tasks of one worker overlapping."""
    workers = {w.id: w for w in scenario.workers}
    owner = {t.id: t.worker_id for t in scenario.tasks if t.worker_id is not None} | named
    tasks = {t.id: t for t in scenario.tasks}
    if any(not _fits(tasks[tid], workers[wid]) for tid, wid in named.items()):
        return False
    for a, b in itertools.combinations(owner, 2):
        ta, tb = tasks[a], tasks[b]
        if owner[a] == owner[b] and ta.start < tb.end and tb.start < ta.end:
            return False
    return True


def _brute_feasible(scenario: Scenario) -> bool:
    untaken = [t for t in scenario.tasks if t.worker_id is None]
    choices = [[w.id for w in scenario.workers if _fits(t, w)] for t in untaken]
    return any(_valid(scenario, {t.id: w for t, w in zip(untaken, pick, strict=True)})
               for pick in itertools.product(*choices))


@FAST
@given(tiny_days())
def test_tiny_days_construction_is_valid_and_plan_matches_brute_force(scenario: Scenario) -> None:
    inst = compile_scenario(scenario)
    partial = _named(inst, cover(inst))
    assert _valid(scenario, partial)
    expected = _brute_feasible(scenario)
    if len(partial) == inst.n_tasks:
        assert expected  # a full construction is a plan
    assert (plan(scenario).status is Status.FEASIBLE) == expected


# -- slot answers do not depend on how the base day was planned -----------------------------------------


@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(4, 9), st.sampled_from([0.65, 0.8, 0.9, 0.95]), st.integers(0, 10_000))
def test_slots_cold_equal_slots_from_witness_and_naive(workers: int, util: float, seed: int) -> None:
    bench = generate_day(workers, util, seed)
    scenario = bench.scenario()
    query = SlotQuery(DAY, 90, 30)
    checked = SolverOptions(verify=True)
    cold = find_slots(scenario, query, checked)
    warm = find_slots(scenario, query, checked, witness=bench.witness)
    naive = find_slots(scenario, query, SolverOptions(engine="naive"))
    assert cold.feasible_base is True and not cold.undecided and not naive.undecided
    assert cold.slots == warm.slots == naive.slots


# -- vectorised eligibility ---------------------------------------------------------------------------------


@FAST
@given(st.integers(-120, 26 * 60), st.sampled_from([15, 30, 45, 90, 240]),
       st.sampled_from([None, "install", "gas", "nobody-has-it"]))
def test_vectorised_eligibility_is_can_take(minute: int, duration: int, skill: str | None) -> None:
    inst = _ELIGIBILITY_DAY
    s = inst.starts[0] - inst.starts[0] % (60 * 10**6) + minute * 60 * 10**6
    e = s + duration * 60 * 10**6
    expected = tuple(w for w, cal in enumerate(inst.calendars) if cal.can_take(s, e, skill))
    assert inst.eligible_for(s, e, skill) == expected


_ELIGIBILITY_DAY = compile_scenario(generate_day(60, 0.8, seed=9).scenario())
