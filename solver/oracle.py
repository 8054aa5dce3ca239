"""Exact feasibility of a whole scenario, as the v2 queries use it: one call into the engine's `plan`.

A *plan* here is task id -> the workers on its seats (holders first), for every task of the scenario,
as `solver.plan.plan` gives it. Every FEASIBLE answer comes with such a plan, checked by the engine's
independent checker inside `plan`; INFEASIBLE is the engine's proof; UNKNOWN means the time limit ran
out and nothing may be concluded from it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from solver.domain import Scenario, Status
from solver.options import DEFAULT_OPTIONS, SolverOptions
from solver.plan import plan as plan_scenario

Plan = dict[str, tuple[str, ...]]
MIN_CHECK_SECONDS = 0.01  # below this a check is not started: it would only come back UNKNOWN


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


def decide(scenario: Scenario, *, witness: Plan | None = None, time_limit: float = 10.0,
           options: SolverOptions = DEFAULT_OPTIONS) -> Verdict:
    """Is `scenario` feasible within `time_limit` seconds? `witness` (a plan of a similar scenario) seeds it."""
    if time_limit < MIN_CHECK_SECONDS:
        return Verdict(Status.UNKNOWN)
    result = plan_scenario(scenario, options.but(base_time_limit=time_limit), witness=witness)
    if result.status is Status.FEASIBLE:
        return Verdict(Status.FEASIBLE, dict(result.assignment))
    if result.status is Status.INFEASIBLE:
        return Verdict(Status.INFEASIBLE, uncovered=list(result.uncovered))
    return Verdict(Status.UNKNOWN)
