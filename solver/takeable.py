"""What an installer can take: the contract's `takeable`, decided exactly, cheapest proof first.

Task T (W not among its holders) is takeable by W when: T's holders together with W can get distinct
seats of T whose skills they have; T lies inside one shift of W; no task W holds overlaps T; W stays
within `max_tasks` / `max_minutes` on T's operational day with T; and the scenario with W added to
T's holders is feasible.

Order of work, each step sound:
1. The first four conditions are read off the scenario (`solver.fit`); a task failing one is not
   takeable, whatever the rest of the day looks like.
2. The base scenario is planned once. Infeasible: nothing is takeable (adding a holder only adds
   constraints). Undecided: every task that passed step 1 is `undecided`.
3. If the base plan already puts W on an open seat of T, that plan is a plan of the scenario with W
   added to T's holders (W is on a seat of T whose skill they have, the other holders keep theirs):
   takeable, no search.
4. A swap: W and a worker X on an open seat of T trade places (W onto T, X onto W's planned tasks that
   overlap T). If the independent checker accepts that plan for the scenario with W added to T's
   holders, it is the proof.
5. Otherwise the engine decides the scenario with W added to T's holders, seeded with the base plan
   (W moved onto T): first on the tasks within 4 h of T with the others pinned to the base plan (a plan
   there is a plan of all) and with the others dropped (no plan there, none at all), as `next` does;
   the whole scenario only if those disagree. A task it cannot decide in time goes to `undecided`,
   never to `takeable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from solver.domain import Scenario, Status, Task, Worker
from solver.fit import held_load, inside_shift, overlaps, pinned, seat_matching, with_holder, within_limits
from solver.oracle import Budget, Plan, Witness, complete_plan, decide
from solver.pinning import operational_days, pins_around
from solver.queries import TakeableQuery

DEFAULT_TIME_LIMIT = 30.0  # seconds for the whole answer
NEAR = timedelta(hours=4)  # tasks this close to T are free in the first, local check


@dataclass
class TakeableAnswer:
    worker: str
    date: date | None
    feasible_base: bool | None
    takeable: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)


def candidates(scenario: Scenario, worker: Worker, day: date | None) -> list[Task]:
    """Tasks that pass the conditions read off the scenario (step 1), in time order, then id."""
    cal = scenario.calendar
    held = [t for t in scenario.tasks if worker.id in t.holders]
    workers = {w.id: w for w in scenario.workers}
    out = []
    for t in scenario.tasks:
        if worker.id in t.holders or (day is not None and cal.day_of(t.start) != day):
            continue
        if not inside_shift(t, worker) or any(overlaps(t, h) for h in held):
            continue
        if not seat_matching(t, [*(workers[h] for h in t.holders), worker]):
            continue
        if not within_limits(worker, held_load(scenario, worker.id, cal.day_of(t.start)).plus(t)):
            continue
        out.append(t)
    return sorted(out, key=lambda t: (t.start, t.id))


def takeable(scenario: Scenario, query: TakeableQuery, *, time_limit: float = DEFAULT_TIME_LIMIT,
             witness: Witness | None = None) -> TakeableAnswer:
    """The contract's takeable answer for a validated scenario and a known worker."""
    budget = Budget(time_limit)
    worker = next(w for w in scenario.workers if w.id == query.worker)
    todo = candidates(scenario, worker, query.date)
    base = decide(scenario, witness=witness, time_limit=budget.left(), name_uncovered=True)
    if base.status is Status.INFEASIBLE:
        return TakeableAnswer(worker.id, query.date, False)
    if base.status is Status.UNKNOWN:
        return TakeableAnswer(worker.id, query.date, None, undecided=[t.id for t in todo])

    answer = TakeableAnswer(worker.id, query.date, True)
    near = _Near(base.plan, operational_days(scenario), budget)
    for t in todo:
        if worker.id in base.plan.get(t.id, ()):  # 3. the base plan is the proof
            answer.takeable.append(t.id)
            continue
        taken = _with_taker(scenario, t, worker.id)
        swaps = _swaps(scenario, base.plan, t, worker.id)
        verdict = near.decide(taken, t, swaps, _moved(scenario, base.plan, t, worker.id))
        if verdict is Status.FEASIBLE:
            answer.takeable.append(t.id)
        elif verdict is Status.UNKNOWN:
            answer.undecided.append(t.id)
    return answer


def _with_taker(scenario: Scenario, task: Task, worker_id: str) -> Scenario:
    return scenario.with_tasks(tuple(with_holder(t, worker_id) if t.id == task.id else t for t in scenario.tasks))


@dataclass
class _Near:
    """Feasibility of the scenario with a take, first on the tasks near T: with the rest pinned to the base
    plan (a plan there is a plan of all), then with the rest dropped (no plan there, none at all; see
    `solver.next_slots`); the whole scenario only if those two disagree."""

    plan: Plan
    days: dict[str, date]
    budget: Budget

    def decide(self, taken: Scenario, task: Task, swaps: list[Plan], seed: Plan) -> Status:
        near = [t for t in taken.tasks if t.start < task.end + NEAR and task.start - NEAR < t.end]
        pins = [pinned(t, self.plan[t.id]) for t in pins_around(taken, self.plan, near, self.days)]
        local = taken.with_tasks((*near, *pins))
        if any(complete_plan(local, swap) for swap in swaps):  # step 4, judged where it can change anything
            return Status.FEASIBLE
        if decide(local, witness=seed, time_limit=self.budget.left()).status is Status.FEASIBLE:
            return Status.FEASIBLE
        if decide(taken.with_tasks(tuple(near)), witness=seed,
                  time_limit=self.budget.left()).status is Status.INFEASIBLE:
            return Status.INFEASIBLE
        return decide(taken, witness=seed, time_limit=self.budget.left()).status


def _swaps(scenario: Scenario, plan: Plan, task: Task, worker_id: str) -> list[Plan]:
    """The base plan with W and one worker X of T's open seats trading places: W onto T, X onto the tasks
    W was planned on that overlap T. Only candidates: each is checked before it is believed."""
    mine = [t for t in scenario.tasks if worker_id in plan.get(t.id, ()) and worker_id not in t.holders
            and overlaps(t, task)]
    out = []
    for other in plan.get(task.id, ()):
        if other in task.holders:
            continue
        swap = dict(plan)
        swap[task.id] = tuple(worker_id if w == other else w for w in plan[task.id])
        for t in mine:
            swap[t.id] = tuple(other if w == worker_id else w for w in plan[t.id])
        out.append(swap)
    return out


def _moved(scenario: Scenario, plan: Plan, task: Task, worker_id: str) -> Plan:
    """The base plan with W on T (an open seat's worker dropped) and off the tasks overlapping T: a seed."""
    out: Plan = {}
    for t in scenario.tasks:
        ws = plan.get(t.id, ())
        if t.id == task.id:
            kept = [w for w in ws if w in task.holders]
            others = [w for w in ws if w not in task.holders]
            out[t.id] = (*kept, worker_id, *others[1:])
        elif overlaps(t, task):
            out[t.id] = tuple(w for w in ws if w != worker_id)
        else:
            out[t.id] = ws
    return out
