"""Exact feasibility of a whole scenario, as the v2 queries use it: one call into the engine's `plan`.

A *plan* here is task id -> the workers on its seats (holders first), for every task of the scenario,
as `solver.plan.plan` gives it. Every FEASIBLE answer comes with such a plan, checked by the engine's
independent checker inside `plan`; INFEASIBLE is the engine's proof; UNKNOWN means the time limit ran
out and nothing may be concluded from it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from solver.checker import assert_feasible, assignment_problems
from solver.domain import Scenario, Status
from solver.instance import compile_scenario
from solver.options import DEFAULT_OPTIONS, SolverOptions
from solver.plan import named_assignment, plan_instance, witness_hint
from solver.plan import plan as plan_scenario

Plan = dict[str, tuple[str, ...]]
Witness = Mapping[str, str | Sequence[str]]  # as `solver.plan.plan` takes it: task id -> worker or workers
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


def decide(scenario: Scenario, *, witness: Witness | None = None, time_limit: float = 10.0,
           options: SolverOptions = DEFAULT_OPTIONS, name_uncovered: bool = False) -> Verdict:
    """Is `scenario` feasible within `time_limit` seconds? `witness` (a plan of a similar scenario) seeds it.

    `name_uncovered=True` also names the fewest tasks that cannot be covered when it is infeasible (as
    `plan` does; that costs an optimisation, so the many yes/no checks of a query leave it off).
    """
    if witness is not None:
        known = with_holders(scenario, witness)
        if complete_plan(scenario, known):
            return Verdict(Status.FEASIBLE, known)
    if time_limit < MIN_CHECK_SECONDS:
        return Verdict(Status.UNKNOWN)
    if name_uncovered:
        result = plan_scenario(scenario, options.but(base_time_limit=time_limit), witness=witness)
        if result.status is Status.FEASIBLE:
            return Verdict(Status.FEASIBLE, dict(result.assignment))
        return Verdict(result.status, uncovered=list(result.uncovered))
    inst = compile_scenario(scenario)
    verdict = plan_instance(inst, hint=witness_hint(inst, witness), time_limit=time_limit, want_uncovered=False,
                            workers=max(2, options.solver_workers), options=options)
    if verdict.status is not Status.FEASIBLE:
        return Verdict(verdict.status)
    named = named_assignment(scenario, inst, verdict.assignment)
    assert_feasible(scenario, named)  # the independent checker guards every plan we hand out
    return Verdict(Status.FEASIBLE, named)


def complete_plan(scenario: Scenario, plan: Plan) -> bool:
    """Is `plan` a plan of `scenario` as it stands: every task listed with all its seats' workers, and the
    independent checker content? Then it is the proof of feasibility, and nothing needs compiling."""
    return (all(len(plan.get(t.id, ())) == t.seats for t in scenario.tasks)
            and not assignment_problems(scenario, plan))


def with_holders(scenario: Scenario, witness: Witness) -> Plan:
    """Every task's holders, then the witness' other workers for it (a v1 witness names one worker per
    untaken task; a stored plan may or may not list the holders)."""
    out: Plan = {}
    for t in scenario.tasks:
        named = witness.get(t.id, ())
        out[t.id] = tuple(dict.fromkeys((*t.holders, *((named,) if isinstance(named, str) else named))))
    return out
