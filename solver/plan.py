"""Is a whole scenario feasible? With a certificate (an assignment of every untaken task) or the
fewest tasks that cannot be covered together."""

from __future__ import annotations

import time

from solver import construct
from solver.assign import Assignment, is_valid
from solver.bounds import hall_violation
from solver.checker import assert_feasible
from solver.domain import PlanResult, Scenario, Status
from solver.instance import Instance, compile_scenario, conflict_components
from solver.model import solve
from solver.neighbourhood import place_leftovers

DEFAULT_TIME_LIMIT = 10.0


def plan_instance(
    inst: Instance,
    *,
    hint: dict[int, int] | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    want_uncovered: bool = True,
    workers: int = 2,
) -> tuple[Status, dict[int, int], list[int], bool]:
    """(status, assignment, uncovered, optimal) for the integer instance.

    Cheapest proof first: the given hint, then the start-order construction mended by ejection chains; CP-SAT
    only for the conflict components (independent sub-problems, see `conflict_components`) that neither covers.
    """
    deadline = time.perf_counter() + time_limit
    if hint and is_valid(inst, hint):
        return Status.FEASIBLE, dict(hint), [], True
    seed = {t: w for t, w in (hint or {}).items() if t < inst.n_tasks and w in inst.eligible[t]}
    if not is_valid(inst, seed, list(seed)):
        seed = {}
    guess = construct.cover(inst, seed=seed)  # start-order tightest fit + ejection chains (solver.construct)
    if len(guess) == inst.n_tasks:
        return Status.FEASIBLE, guess, [], True
    # Small CP-SAT models around each task the heuristic left out (see solver.neighbourhood).
    mended = Assignment(inst, guess)
    verdict = None
    leftovers = [t for t in range(inst.n_tasks) if t not in guess and inst.eligible[t]]
    if len(leftovers) == inst.n_tasks - len(guess):
        verdict = place_leftovers(inst, mended, leftovers, time_limit=max(0.05, deadline - time.perf_counter()) / 2,
                                  workers=workers)
        if verdict is True:
            return Status.FEASIBLE, dict(mended.of), [], True
        guess = dict(mended.of) if verdict is None else guess

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
        left = max(0.05, deadline - time.perf_counter())
        res = solve(inst, comp, time_limit=left, hint={t: guess[t] for t in comp if t in guess}, workers=workers)
        if res.status is Status.FEASIBLE:
            assignment.update(res.assignment)
        else:
            proven = proven or res.status is Status.INFEASIBLE
            bad.append(comp)
    if not bad:
        return Status.FEASIBLE, assignment, [], True
    # One infeasible component makes the whole scenario infeasible; undecided ones only make it unknown.
    status = Status.INFEASIBLE if proven else Status.UNKNOWN
    if not want_uncovered:
        return status, {}, [], False
    uncovered: list[int] = []
    optimal = True
    for comp in bad:
        left = max(0.5, deadline - time.perf_counter())
        res = solve(inst, comp, time_limit=left, cover_all=False, workers=workers,
                    hint={t: guess[t] for t in comp if t in guess})
        if res.status is Status.FEASIBLE:
            uncovered.extend(res.uncovered)
            optimal = optimal and res.optimal
        else:
            # Not even a partial cover in time: fall back to the heuristic's leftovers (honest, not minimal).
            uncovered.extend(t for t in comp if t not in guess)
            optimal = False
    return status, {}, sorted(uncovered), optimal


def plan(
    scenario: Scenario,
    *,
    witness: dict[str, str] | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> PlanResult:
    """Feasibility of a validated scenario, with an assignment of every untaken task or the uncovered ones.

    `witness` (task id -> worker id) is a previously found assignment; when still valid it is the
    certificate, and otherwise it seeds the search.
    """
    began = time.perf_counter()
    inst = compile_scenario(scenario)
    return plan_compiled(scenario, inst, witness=witness, time_limit=time_limit, began=began)


def plan_compiled(
    scenario: Scenario,
    inst: Instance,
    *,
    witness: dict[str, str] | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    began: float | None = None,
) -> PlanResult:
    began = time.perf_counter() if began is None else began
    widx = {wid: i for i, wid in enumerate(inst.worker_ids)}
    hint = None
    if witness:
        hint = {inst.index[t]: widx[w] for t, w in witness.items() if t in inst.index and w in widx}
    status, assignment, uncovered, optimal = plan_instance(inst, hint=hint, time_limit=time_limit)
    named = {inst.task_ids[t]: inst.worker_ids[w] for t, w in assignment.items()}
    if status is Status.FEASIBLE:
        assert_feasible(scenario, named)  # the independent checker guards every certificate we hand out
    return PlanResult(status, named, [inst.task_ids[t] for t in uncovered], optimal,
                      time.perf_counter() - began)
