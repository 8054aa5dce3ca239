"""Exact feasibility of a whole scenario, as the v2 queries use it: one call into the engine's `plan`.

A *plan* here is task id -> the workers on its seats (holders first, then the workers the engine
assigned), for every task of the scenario. Every FEASIBLE answer comes with such a plan, checked by
the engine's independent checker inside `plan`; INFEASIBLE is the engine's proof; UNKNOWN means the
time limit ran out and nothing may be concluded from it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from solver.domain import Scenario, Status
from solver.fit import holders
from solver.plan import plan as plan_scenario

Plan = dict[str, tuple[str, ...]]


@dataclass
class Verdict:
    status: Status
    plan: Plan = field(default_factory=dict)  # every task's workers, when FEASIBLE
    uncovered: list[str] = field(default_factory=list)  # tasks that cannot all be covered, when INFEASIBLE


@dataclass
class Budget:
    """A wall-clock deadline shared by the many small checks of one query."""

    seconds: float
    began: float = field(default_factory=time.perf_counter)

    def left(self) -> float:
        return self.seconds - (time.perf_counter() - self.began)


def decide(scenario: Scenario, *, witness: Plan | None = None, time_limit: float = 10.0) -> Verdict:
    """Is `scenario` feasible? `witness` (a plan of a similar scenario) seeds the search."""
    if time_limit <= 0:
        return Verdict(Status.UNKNOWN)
    result = plan_scenario(scenario, witness=engine_witness(scenario, witness), time_limit=time_limit)
    if result.status is Status.FEASIBLE:
        return Verdict(Status.FEASIBLE, full_plan(scenario, result.assignment))
    if result.status is Status.INFEASIBLE:
        return Verdict(Status.INFEASIBLE, uncovered=list(result.uncovered))
    return Verdict(Status.UNKNOWN)


def full_plan(scenario: Scenario, assignment: dict[str, str]) -> Plan:
    """The engine's assignment of the open seats, with every task's holders added: one entry per task."""
    out: Plan = {}
    for task in scenario.tasks:
        assigned = assignment.get(task.id)
        extra = () if assigned is None else (assigned,)
        out[task.id] = tuple(dict.fromkeys((*holders(task), *extra)))
    return out


def engine_witness(scenario: Scenario, witness: Plan | None) -> dict[str, str] | None:
    """Our plan shape as the engine's witness (open seats only: a holder's seat is not the engine's to give)."""
    if not witness:
        return None
    out: dict[str, str] = {}
    for task in scenario.tasks:
        if task.id in witness and not holders(task) and witness[task.id]:
            out[task.id] = witness[task.id][0]
    return out
