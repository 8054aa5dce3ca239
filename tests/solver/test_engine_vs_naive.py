"""The fast `exact` engine against the reference `naive` engine (a fresh CP-SAT model per candidate).

Every shortcut of `solver.slots` must give the naive answer on every candidate; `verify=True` also
makes the exact engine hand each slot's plan to the independent checker. Scenarios here are bigger
than the brute-force ones (tens of tasks), so repairs, the Hall condition, equivalence classes and
CP-SAT on a component all get exercised — the seeded sweep asserts that they do.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.checker import assert_feasible
from solver.domain import ProbeStats, Scenario, Shift, SlotQuery, Task, Worker
from solver.options import SolverOptions
from solver.plan import plan
from solver.slots import find_slots

VERIFY = SolverOptions(verify=True)

DAY = date(2026, 11, 23)
ORIGIN = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SKILLS = ("a", "b", "c")


def at(minutes: int) -> datetime:
    return ORIGIN + timedelta(minutes=minutes)


def random_day(rnd: random.Random, n_workers: int, fill: float) -> Scenario:
    """Workers with one or two shifts; tasks laid into a hidden assignment (so the base day is
    usually feasible and probes are worth making), some taken, some extra tasks on top."""
    workers: list[Worker] = []
    tasks: list[Task] = []
    for i in range(n_workers):
        skills = frozenset(s for s in SKILLS if rnd.random() < 0.6)
        start = rnd.randrange(0, 16 * 60, 30)
        length = rnd.randrange(4 * 60, 10 * 60 + 1, 30)
        spans = [(start, min(start + length, 24 * 60))]
        if rnd.random() < 0.3 and spans[0][1] + 90 < 22 * 60:
            s2 = spans[0][1] + rnd.choice((30, 60, 90))
            spans.append((s2, min(s2 + rnd.randrange(120, 241, 30), 24 * 60)))
        workers.append(Worker(f"w{i}", None, skills, tuple(Shift(at(a), at(b)) for a, b in spans)))
        for a, b in spans:
            t = a
            while t < b:
                d = rnd.choice((30, 60, 90, 120, 180, 240))
                if t + d > b:
                    break
                if rnd.random() < fill:
                    skill = rnd.choice(sorted(skills)) if skills and rnd.random() < 0.5 else None
                    taken = f"w{i}" if rnd.random() < 0.2 else None
                    tasks.append(Task(f"t{len(tasks)}", at(t), at(t + d), skill, taken))
                t += d
    return Scenario("UTC", time(3, 0), tuple(workers), tuple(tasks))


def same_answer(scenario: Scenario, query: SlotQuery, total: ProbeStats | None = None,
                options: SolverOptions = VERIFY) -> None:
    exact = find_slots(scenario, query, options)
    naive = find_slots(scenario, query, SolverOptions(engine="naive", probe_time_limit=30))
    assert naive.undecided == [] and exact.undecided == []
    assert exact.feasible_base == naive.feasible_base
    assert [s.start for s in exact.slots] == [s.start for s in naive.slots]
    if total is not None:
        for name in ("by_certificate", "by_repair", "by_necessary_condition", "by_equivalence", "by_neighbourhood",
                     "by_solver"):
            setattr(total, name, getattr(total, name) + getattr(exact.stats, name))


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    n_workers=st.integers(2, 8),
    fill=st.floats(0.5, 1.0),
    duration=st.sampled_from([30, 60, 90, 150, 240]),
    skill=st.sampled_from([None, "a", "c"]),
)
def test_exact_equals_naive_on_random_days(seed: int, n_workers: int, fill: float, duration: int,
                                           skill: str | None) -> None:
    scenario = random_day(random.Random(seed), n_workers, fill)
    same_answer(scenario, SlotQuery(DAY, duration, 30, skill))


def _sweep(seed: int, days: int, options: SolverOptions = VERIFY) -> ProbeStats:
    total = ProbeStats()
    rnd = random.Random(seed)
    for _ in range(days):
        scenario = random_day(rnd, rnd.randint(4, 10), rnd.uniform(0.85, 1.0))
        same_answer(scenario, SlotQuery(DAY, rnd.choice([60, 90, 120]), 30, rnd.choice([None, "a"])), total,
                    options)
    return total


def test_every_shortcut_is_exercised_and_agrees_with_naive() -> None:
    """A seeded sweep over tight days: if a shortcut were never reached, the comparison above would
    prove nothing about it, so the sweep insists that each decided some candidates."""
    total = _sweep(20261122, 25)
    assert total.by_certificate > 0
    assert total.by_repair > 0
    assert total.by_necessary_condition > 0
    assert total.by_equivalence > 0
    assert total.by_neighbourhood > 0


def test_window_models_alone_agree_with_naive_when_repair_is_switched_off() -> None:
    """With no repair effort, the candidates it would have decided fall through to the window models
    (restricted: a slot; relaxed: no slot), which must then give the naive answers on their own."""
    total = _sweep(7, 25, VERIFY.but(repair_effort=0))
    assert total.by_repair == 0
    assert total.by_neighbourhood > 0


def test_cp_sat_window_models_agree_with_naive_without_the_depth_first_search() -> None:
    """These days' windows are small enough for `solver.backtrack`, which then decides them (and plans the
    base day whole): switched off, the CP-SAT window models must give the naive answers on their own."""
    total = _sweep(7, 25, VERIFY.but(repair_effort=0, tiny_search=(0, 0), tiny_day=(0, 0)))
    assert total.by_neighbourhood > 0


def test_component_solve_alone_agrees_with_naive_without_repair_and_windows() -> None:
    """The last stage (CP-SAT on the candidate's conflict component) must stand on its own too."""
    total = _sweep(11, 25, VERIFY.but(repair_effort=0, window_margins=()))
    assert total.by_neighbourhood == 0
    assert total.by_solver > 0


def test_witness_is_checked_before_it_is_trusted() -> None:
    """A stale witness (tasks swapped onto workers who cannot do them) must not produce a false slot."""
    rnd = random.Random(7)
    scenario = random_day(rnd, 6, 0.95)
    query = SlotQuery(DAY, 90, 30)
    untaken = [t.id for t in scenario.tasks if t.worker_id is None]
    bogus = {tid: "w0" for tid in untaken}  # everything on one worker: overlaps, misfits
    with_bogus = find_slots(scenario, query, VERIFY, witness=bogus)
    assert [s.start for s in with_bogus.slots] == [s.start for s in find_slots(scenario, query).slots]


def test_slot_certificates_pass_the_independent_checker() -> None:
    scenario = random_day(random.Random(3), 8, 0.9)
    answer = find_slots(scenario, SlotQuery(DAY, 60, 30), VERIFY)  # verify raises on a bad plan
    assert answer.feasible_base
    # and the base plan itself
    result = plan(scenario)
    assert_feasible(scenario, result.assignment)
