"""Who could take a new task now (the service's availability question), exactly and within a budget.

A worker is available when the task fits them (shift, skill, nothing they hold overlaps, daily limits:
`solver.validate`) and, with the task fixed on them, every task can still be covered (`solver.plan`,
seeded with the base plan). A worker the engine cannot decide in the time left is `undecided`, never
available; so is every fitting worker not tried once the budget is spent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from solver.domain import InvalidInput, Scenario, Status, Task
from solver.options import SolverOptions
from solver.oracle import MIN_CHECK_SECONDS, Budget
from solver.plan import Witness, plan
from solver.validate import validate_scenario


@dataclass
class Availability:
    feasible_base: bool | None  # None: the scenario without the new task was not decided in time
    available: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)


def available_workers(scenario: Scenario, new: Task, *, time_limit: float, budget: float | None = None,
                 witness: Witness | None = None) -> Availability:
    """`time_limit`: seconds per plan; `budget` (None: none): seconds for the whole answer."""
    clock = None if budget is None else Budget(budget)

    def limit() -> float:
        return time_limit if clock is None else min(time_limit, clock.left())

    base = plan(scenario, SolverOptions(base_time_limit=limit()), witness=witness)
    out = Availability({Status.FEASIBLE: True, Status.INFEASIBLE: False}.get(base.status))
    if base.status is not Status.FEASIBLE:
        return out
    task_id = fresh_id(scenario, new.id)
    for worker in scenario.workers:
        trial = replace(scenario, tasks=(*scenario.tasks, replace(new, id=task_id, worker_id=worker.id)))
        try:
            validate_scenario(trial)  # does not fit this worker (shift, skill, overlap, limits): not available
        except InvalidInput:
            continue
        left = limit()
        if left < MIN_CHECK_SECONDS:
            out.undecided.append(worker.id)
            continue
        result = plan(trial, SolverOptions(base_time_limit=left), witness=base.assignment)
        if result.status is Status.FEASIBLE:
            out.available.append(worker.id)
        elif result.status is Status.UNKNOWN:
            out.undecided.append(worker.id)
    return out


def fresh_id(scenario: Scenario, name: str) -> str:
    """`name`, with underscores added until no task of the scenario has it."""
    taken = {t.id for t in scenario.tasks}
    while name in taken:
        name += "_"
    return name
