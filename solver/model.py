"""The CP-SAT feasibility model: the one place that talks to OR-Tools.

Decision: x[t, w] = untaken task t goes to worker w, for every worker t is eligible for (fits a shift,
has the skill, does not clash with the worker's taken tasks — see `solver.instance`).
Two formulations of "no two overlapping tasks on one worker" are offered:
- "intervals": one optional interval per (task, worker), `add_no_overlap` per worker (the textbook model);
- "cliques": tasks have fixed times, so overlap is a fixed graph — an interval graph per worker — and
  "at most one task per maximal clique" says exactly the same thing with plain Booleans, which
  CP-SAT propagates faster (measured in benchmarks/).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver.domain import Status
from solver.instance import Instance, maximal_cliques

FORMULATIONS = ("cliques", "intervals")


@dataclass
class SolveResult:
    status: Status
    assignment: dict[int, int]  # task index -> worker index (every task, when feasible)
    uncovered: list[int]  # task indices left out (only when maximising coverage)
    optimal: bool
    seconds: float


def _build(
    inst: Instance, tasks: list[int], formulation: str, cover_all: bool
) -> tuple[cp_model.CpModel, dict[tuple[int, int], cp_model.IntVar], dict[int, cp_model.IntVar]]:
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    per_worker: dict[int, list[int]] = {}

    # Variables: one Boolean per (task, eligible worker).
    for t in tasks:
        for w in inst.eligible[t]:
            x[t, w] = model.new_bool_var(f"x_{t}_{w}")
            per_worker.setdefault(w, []).append(t)

    # Each task goes to exactly one worker (or, when maximising coverage, at most one).
    covered: dict[int, cp_model.IntVar] = {}
    for t in tasks:
        lits = [x[t, w] for w in inst.eligible[t]]
        if cover_all:
            model.add_exactly_one(lits)
        else:
            covered[t] = model.new_bool_var(f"cov_{t}")
            model.add(sum(lits) == covered[t])

    # No worker does two overlapping tasks.
    for w, ts in per_worker.items():
        if formulation == "cliques":
            for clique in maximal_cliques(ts, inst.starts, inst.ends):
                model.add_at_most_one(x[t, w] for t in clique)
        elif formulation == "intervals":
            intervals = [
                model.new_optional_fixed_size_interval_var(
                    inst.starts[t], inst.ends[t] - inst.starts[t], x[t, w], f"i_{t}_{w}"
                )
                for t in ts
            ]
            model.add_no_overlap(intervals)
        else:
            raise ValueError(f"unknown formulation {formulation!r}; use one of {FORMULATIONS}")

    if not cover_all:
        # The smallest set of tasks that cannot be covered together: cover as many as possible.
        model.maximize(sum(covered.values()))
    return model, x, covered


def solve(
    inst: Instance,
    tasks: Iterable[int] | None = None,
    *,
    time_limit: float = 10.0,
    hint: dict[int, int] | None = None,
    formulation: str = "cliques",
    cover_all: bool = True,
    workers: int = 1,
    presolve: bool = True,
) -> SolveResult:
    """Decide whether `tasks` (default: all untaken tasks) can all be covered.

    With `cover_all=False` it maximises the number of covered tasks instead and reports the rest in
    `uncovered` (status FEASIBLE then means "a best-known cover was found").
    """
    began = time.perf_counter()
    task_list = list(range(inst.n_tasks)) if tasks is None else list(tasks)
    if cover_all and any(not inst.eligible[t] for t in task_list):
        # A task nobody can take: infeasible without asking the solver.
        return SolveResult(Status.INFEASIBLE, {}, [], True, time.perf_counter() - began)
    if not task_list:
        return SolveResult(Status.FEASIBLE, {}, [], True, time.perf_counter() - began)

    model, x, covered = _build(inst, task_list, formulation, cover_all)
    if hint:
        for (t, w), var in x.items():
            model.add_hint(var, hint.get(t) == w)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = workers
    if not presolve:
        solver.parameters.cp_model_presolve = False
    # Not `repair_hint`: with OR-Tools 9.15 it aborts the whole process on some models ("Check failed:
    # heuristics.fixed_search != nullptr", google/or-tools#5025), seen here in the test suite. The
    # window models of `solver.slots` do the repairing instead.
    code = solver.solve(model)
    seconds = time.perf_counter() - began

    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        assignment = {t: w for (t, w), var in x.items() if solver.boolean_value(var)}
        uncovered = sorted(t for t in task_list if t not in assignment)
        return SolveResult(Status.FEASIBLE, assignment, uncovered, code == cp_model.OPTIMAL, seconds)
    if code == cp_model.INFEASIBLE:
        return SolveResult(Status.INFEASIBLE, {}, [], True, seconds)
    return SolveResult(Status.UNKNOWN, {}, [], False, seconds)
