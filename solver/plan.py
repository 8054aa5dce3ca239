"""Is a whole scenario feasible? With a certificate (every task's workers for all its seats) or the
fewest tasks that cannot be covered together."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from solver import backtrack, construct
from solver.assign import Assignment, is_valid, pull_back, rebuilt
from solver.bounds import hall_violation
from solver.checker import assert_feasible
from solver.domain import PlanResult, Scenario, Status
from solver.instance import Instance, compile_scenario, conflict_components
from solver.model import solve
from solver.neighbourhood import place_leftovers
from solver.options import DEFAULT_OPTIONS, SolverOptions

Witness = Mapping[str, str | Sequence[str]]  # task id -> its worker (v1) or its workers (holders may be included)
NEARLY_ALL = 0.9  # share of a component the heuristic placed, above which its CP-SAT solve skips presolve
MIN_NAMING_SECONDS = 0.5  # naming the fewest uncovered tasks of a proven-infeasible day gets at least this


@dataclass
class InstancePlan:
    """`plan_instance`'s verdict: with FEASIBLE, `assignment` covers every item; with INFEASIBLE (a proof),
    `uncovered` names items of the fewest tasks to leave out (fewest for sure when `optimal`)."""

    status: Status
    assignment: dict[int, int] = field(default_factory=dict)
    uncovered: list[int] = field(default_factory=list)
    optimal: bool = True


def witness_hint(inst: Instance, witness: Witness | None) -> dict[int, int] | None:
    """A named witness as item -> worker: each task's listed workers (holders skipped) on its open seats,
    each on the first free seat it is eligible for. Only a hint: callers check it before trusting it."""
    if not witness:
        return None
    widx = {w: i for i, w in enumerate(inst.worker_ids)}
    hint: dict[int, int] = {}
    for tid, named in witness.items():
        t = inst.index.get(tid)
        if t is None:
            continue
        info = inst.tasks[t]
        free = list(info.seats)
        for name in (named,) if isinstance(named, str) else named:
            w = widx.get(name)
            if w is None or w in info.holders:
                continue
            seat = next((i for i in free if w in inst.eligible[i]), None)
            if seat is not None:
                free.remove(seat)
                hint[seat] = w
    return hint


def named_assignment(scenario: Scenario, inst: Instance, assignment: Mapping[int, int]) -> dict[str, tuple[str, ...]]:
    """Every task of the scenario -> its holders, then the workers of its open seats in seat order."""
    seat_workers: dict[str, list[str]] = {}
    for i in sorted(assignment):
        seat_workers.setdefault(inst.task_ids[i], []).append(inst.worker_ids[assignment[i]])
    return {t.id: (*t.holders, *seat_workers.get(t.id, ())) for t in scenario.tasks}


FEW_LEFTOVERS = 8  # items a witness-seeded construction left out, up to which they get the repair effort


def _seed_or_plan(inst: Instance, hint: dict[int, int] | None, options: SolverOptions) -> tuple[dict[int, int], bool]:
    """The hint's valid part as the construction's seed, and whether it is a plan already: the hint itself, or
    on a small day (`SolverOptions.tiny_day`) the plan of a depth-first search of the whole day (exact, see
    `solver.backtrack`): ~0.5 ms where the construction and a window cost 2-3 ms. Its "no plan" and "gave
    up" go the usual way, which names the fewest uncovered tasks."""
    if hint and is_valid(inst, hint):
        return dict(hint), True
    seed = {t: w for t, w in (hint or {}).items() if t < inst.n_tasks and w in inst.eligible[t]}
    if not is_valid(inst, seed, list(seed)):
        seed = {}
    max_pairs, max_nodes = options.tiny_day
    if max_nodes > 0 and inst.pairs(list(range(inst.n_tasks))) <= max_pairs:
        found = backtrack.search(inst, list(range(len(inst.tasks))), hint=seed, max_nodes=max_nodes)
        if found:
            return found, True
    return seed, False


def _try_heuristics(inst: Instance, hint: dict[int, int] | None, deadline: float, options: SolverOptions,
                    workers: int) -> tuple[InstancePlan | None, dict[int, int], bool | None]:
    """The hint, then the start-order construction (`solver.construct`) mended by ejection chains and window
    models: a plan, or the guess so far and the windows' verdict (False: a relaxed window proved the day
    infeasible)."""
    seed, done = _seed_or_plan(inst, hint, options)
    if done:
        return InstancePlan(Status.FEASIBLE, seed), seed, None
    # Start-order tightest fit with cheap mending; on a big day the Hall sweep before any costly step.
    guess = construct.cover(inst, seed=seed, effort=construct.QUICK_EFFORT, restarts=0)
    if seed and inst.n_tasks - len(guess) <= FEW_LEFTOVERS:
        # A known plan after a small change (a booking, a take): the leftovers get the slot probe's
        # ejection-chain effort before the Hall sweep and the window models. On bookings of offered
        # slots on the load test's L-90 day it placed 3 of 8 in 1-2 ms, each sparing a ~0.15 s window.
        guess = construct.mend(inst, guess, options.repair_effort)
    if len(guess) < inst.n_tasks and inst.n_tasks >= options.big_day_items:
        proof = construct.hall_proof(inst, guess)
        if proof is not None:
            return InstancePlan(Status.INFEASIBLE, {}, proof, optimal=False), guess, False
    # Then small CP-SAT models around each item left out (solver.neighbourhood), for half the time left: with
    # their LP they place a leftover or refute the day in milliseconds, cheaper than deep ejection chains
    # (a 500-worker crew day needed ~12 s of them). Only if they stay undecided: the full mending with
    # seeded restarts (half the time then left), and the windows again.
    for full in (False, True):
        if full:
            half = time.perf_counter() + (deadline - time.perf_counter()) / 2
            guess = construct.cover(inst, seed=seed, effort=options.heuristic_effort, deadline=half, start=guess)
        if len(guess) == inst.n_tasks:
            return InstancePlan(Status.FEASIBLE, guess), guess, None
        if any(not inst.eligible[t] for t in range(inst.n_tasks) if t not in guess):
            return None, guess, None
        # Seeded from a known plan (a change check, a stale witness), each leftover's chain window goes first, as
        # in a slot probe: the workers who could take it and what they hold in its way, rather than a time slice.
        # Replayed on captured change checks of the load test (alone): a take that ran out of the guard's 10 s
        # under load and was refused (503) 3.0 -> 0.55 s, the three slowest checks of that run 5.8 -> 2.3 s in
        # all, the 435 checks of another run 21.5 -> 21.1 s, their slowest 2.07 -> 0.90 s. Cold plans (no seed)
        # keep the time slices: their leftovers come from a construction, not a small change.
        verdict, guess = _windows_then(inst, guess, deadline, options, workers, share=2, chain=bool(seed))
        if verdict is not None:  # True: every leftover placed; False: a relaxed window proved the day infeasible
            return (InstancePlan(Status.FEASIBLE, guess) if verdict else None), guess, verdict
    return None, guess, None


def _windows_then(inst: Instance, guess: dict[int, int], deadline: float, options: SolverOptions, workers: int, *,
                  share: int, chain: bool = False) -> tuple[bool | None, dict[int, int]]:
    """`place_leftovers` (1/`share` of the time left) on a copy of `guess`: its verdict and the (partly) mended
    guess (the old one on False). `chain`: each leftover's chain window first (a plan seeded from a known one)."""
    leftovers = [t for t in range(inst.n_tasks) if t not in guess]
    mended = Assignment(inst, guess)
    verdict = place_leftovers(inst, mended, leftovers, options=options, workers=workers,
                              time_limit=(deadline - time.perf_counter()) / share, chain=chain)
    return verdict, (guess if verdict is False else dict(mended.of))


def _fewest_uncovered(inst: Instance, bad: list[list[int]], guess: dict[int, int], deadline: float,
                      workers: int, options: SolverOptions = DEFAULT_OPTIONS) -> tuple[list[int], bool]:
    uncovered: list[int] = []
    optimal = True
    for comp in bad:
        if inst.pairs(comp) > options.max_model_literals:  # too big to model: honest leftovers
            uncovered.extend(t for t in comp if t not in guess)
            optimal = False
            continue
        left = max(MIN_NAMING_SECONDS, deadline - time.perf_counter())
        res = solve(inst, comp, time_limit=left, cover_all=False, workers=workers,
                    hint={t: guess[t] for t in comp if t in guess})
        if res.status is Status.FEASIBLE:
            uncovered.extend(res.uncovered)
            optimal = optimal and res.optimal
        else:
            # Not even a partial cover in time: fall back to the heuristic's leftovers (honest, not minimal).
            uncovered.extend(t for t in comp if t not in guess)
            optimal = False
    return sorted(uncovered), optimal


def _near(inst: Instance, found: InstancePlan, hint: dict[int, int] | None) -> InstancePlan:
    """A plan found from a hint (the day's stored plan), pulled back towards it (`solver.assign.pull_back`): the
    service stores it after each change, and the slot queries' guides are moves from it."""
    if found.status is not Status.FEASIBLE or not hint:
        return found
    a = Assignment(inst, found.assignment)
    pull_back(a, hint)
    return InstancePlan(Status.FEASIBLE, a.of, found.uncovered, found.optimal)


def plan_instance(
    inst: Instance,
    *,
    hint: dict[int, int] | None = None,
    time_limit: float = DEFAULT_OPTIONS.base_time_limit,
    want_uncovered: bool = True,
    workers: int = 2,
    options: SolverOptions = DEFAULT_OPTIONS,
) -> InstancePlan:
    """The verdict on the integer instance.

    Cheapest proof first: the given hint, then the start-order construction mended by ejection chains and window
    models; CP-SAT only for the conflict components (independent sub-problems, see `conflict_components`)
    that none of these covers.
    """
    deadline = time.perf_counter() + time_limit
    found, guess, verdict = _try_heuristics(inst, hint, deadline, options, workers)
    if found is not None:
        return _near(inst, found, hint)
    assignment: dict[int, int] = {}
    bad: list[list[int]] = []
    proven = verdict is False  # a relaxed window already proved the day infeasible
    for comp in conflict_components(inst):
        if all(t in guess for t in comp):
            assignment.update((t, guess[t]) for t in comp)
            continue
        if hall_violation(inst, comp) is not None:  # proof of infeasibility without search
            proven = True
            bad.append(comp)
            continue
        left = deadline - time.perf_counter()  # none left: the component stays undecided (UNKNOWN)
        if inst.pairs(comp) > options.max_model_literals:
            left = 0  # too big to build in bounded time and memory: undecided (UNKNOWN), honestly
        hint = {t: guess[t] for t in comp if t in guess}
        # A nearly complete hint makes the search a repair, where presolve costs more than it saves
        # (measured: 2-4x less CPU on L days). Either way the answer is exact.
        res = solve(inst, comp, time_limit=left, hint=hint, workers=workers, formulation=options.formulation,
                    presolve=len(hint) < NEARLY_ALL * len(comp), search=options.tiny_search)
        if res.status is Status.FEASIBLE:
            assignment.update(res.assignment)
        else:
            proven = proven or res.status is Status.INFEASIBLE
            bad.append(comp)
    if not bad:
        return _near(inst, InstancePlan(Status.FEASIBLE, assignment), hint)
    # One infeasible component makes the whole scenario infeasible; undecided ones only make it unknown,
    # and an unknown verdict names no task (it has no proof).
    if not proven:
        return InstancePlan(Status.UNKNOWN, optimal=False)
    if not want_uncovered:
        return InstancePlan(Status.INFEASIBLE, optimal=False)
    uncovered, optimal = _fewest_uncovered(inst, bad, guess, deadline, workers, options)
    return InstancePlan(Status.INFEASIBLE, {}, uncovered, optimal)


def _candidate_plan(inst: Instance, candidates: Sequence[Witness], hint: dict[int, int] | None,
                    options: SolverOptions = DEFAULT_OPTIONS) -> InstancePlan | None:
    """The first candidate that is a plan of `inst` as it stands (every item seated, see `is_valid`), pulled
    back towards `hint`; else the first that `rebuilt` mends into one (`_mended`); None if there is none."""
    plans = [items for items in (witness_hint(inst, c) for c in candidates) if items]
    for items in plans:
        if is_valid(inst, items):
            return _near(inst, InstancePlan(Status.FEASIBLE, items), hint)
    for items in plans:
        mended = _mended(inst, items, hint or {}, options)
        if mended is not None:
            return _near(inst, InstancePlan(Status.FEASIBLE, mended), hint)
    return None


def _mended(inst: Instance, candidate: dict[int, int], today: dict[int, int],
            options: SolverOptions) -> dict[int, int] | None:
    """A stale candidate mended into a plan of `inst` (`solver.assign.rebuilt`, as a slot probe rebuilds its
    guide, step 4b of `solver.slots`): each item on its candidate worker where that still fits, the rest on
    today's plan (`today`) or wherever `insert` makes room. `rebuilt` puts every item only on a free eligible
    worker with room, except seats of flexible tasks, which keep today's workers; today's plan is only the
    stored witness here, unchecked, so the result is checked whole (`is_valid`) before it is returned: a stale
    witness costs a plan, never a verdict.
    Why: a manager books a start a slot query has just offered, with the plan the query found for it as the
    candidate, and other changes of the day (bookings, takes) mostly commit in between and leave a few of its
    seats clashing; the guard then searched from today's plan alone, finding again, by windows, what the slot
    query had found. The 218 bookings with a kept plan of a load-test run (three rounds of L-90, 8 clients):
    85 candidates were plans as they stood, 119 of the other 133 were mended (7 ms on average), and the 218
    checks, replayed alone three times each way, alternating, took 11.7-12.9 s instead of 16.2-16.9 s (p50
    0.033-0.037 s instead of 0.044-0.046 s, p90 0.064-0.073 s instead of 0.107-0.108 s). (Today's plan with
    the candidate's moves where they fit, which a slot probe tries second, mended none of the 14 left.)"""
    b = rebuilt(inst, candidate, today, effort=options.repair_effort, chain_nodes=options.chain_nodes)
    return dict(b.of) if b is not None and is_valid(inst, b.of) else None


def uncovered_names(inst: Instance, items: list[int]) -> list[str]:
    """Task ids of these items, each once, in item order."""
    return list(dict.fromkeys(inst.task_ids[i] for i in items))


def plan(
    scenario: Scenario,
    options: SolverOptions = DEFAULT_OPTIONS,
    *,
    witness: Witness | None = None,
    candidates: Sequence[Witness] = (),
) -> PlanResult:
    """Feasibility of a validated scenario within `options.base_time_limit` seconds.

    FEASIBLE: `assignment` gives every task its workers for all its seats (holders first); INFEASIBLE (a
    proof): `uncovered` names tasks that cannot all be covered; UNKNOWN: neither was shown in time.
    `witness` (task id -> worker or workers) is a previously found plan; when still valid it is the
    certificate, and otherwise it seeds the search. `candidates`: other plans (same form) that may cover the
    whole scenario, e.g. the plan a slot query found for the start a manager then booked; the first that is
    valid as it stands is the certificate (pulled back towards the witness), else the first one `_mended`
    turns into a plan, else they are ignored. Only checked, never trusted, so a stale one costs a validity test
    and a mending (milliseconds), never a verdict.
    """
    began = time.perf_counter()
    inst = compile_scenario(scenario)
    hint = witness_hint(inst, witness)
    verdict = _candidate_plan(inst, candidates, hint, options)
    if verdict is None:
        verdict = plan_instance(inst, hint=hint, time_limit=options.base_time_limit,
                                workers=options.model_workers, options=options)
    named: dict[str, tuple[str, ...]] = {}
    if verdict.status is Status.FEASIBLE:
        named = named_assignment(scenario, inst, verdict.assignment)
        assert_feasible(scenario, named)  # the independent checker guards every certificate we hand out
    return PlanResult(verdict.status, named, uncovered_names(inst, verdict.uncovered), verdict.optimal,
                      time.perf_counter() - began)
