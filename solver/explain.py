"""Why a start is not a slot: an irreducible certificate of conflicting tasks, never a guess.

`explain(scenario, query)` answers the contract's `explain`:
- the start is a slot -> `slot: true` and a plan of every task, the new one under ``"new"``;
- the base scenario is infeasible -> `infeasible_base`, naming tasks that cannot all be covered;
- the new task's seats cannot get distinct workers who fit them by shift and skill -> `no_fit`;
- otherwise `conflict` with a certificate C: the new task N plus just the tasks of C (keeping their
  holders), given to all workers, cannot be covered, and dropping any one task of C makes it coverable.
- (our design, beyond the contract) `unknown`: the engine could not decide a needed check within the
  time limit; `tasks` and `workers` are then empty, because a set we could not prove irreducible is
  not a certificate.

How the certificate is found, and why it is exact:
1. A sound start set S (N + S is infeasible): the Hall violator at an instant inside N (`hall_start`;
   its existence already proves the start is no slot, so the whole day + N is not solved then), else
   (the engine having proved the whole day + N infeasible) the growing conflict neighbourhood of N
   (`neighbourhood_start`) until the engine proves N + S infeasible, else every task.
2. Deletion filtering (for the small Hall set) or QuickXplain (Junker 2004, for larger sets) over S with
   exact checks `infeasible(N + subset)`. Infeasibility is monotone in the task set (a plan of a set is
   a plan of each subset: dropping a task never breaks a seat, an overlap or a limit), which is all
   both need to return a subset C with N + C infeasible and N + (C - {t}) feasible for each t in C —
   irreducible, as every check was decided. A check is "feasible" only with a plan the independent
   checker accepts (`_Seating`, or the engine's), "infeasible" only with a proof (`_Seating`'s matching
   on tasks that all overlap, or the engine's); one the engine leaves UNKNOWN aborts the search, and the
   answer is then `unknown`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from solver.checker import assignment_problems
from solver.domain import InvalidInput, Scenario, Status, Task, Worker
from solver.fit import (
    Load,
    fits_seat,
    inside_shift,
    new_task,
    overlaps,
    seats,
    seats_fillable,
    within_limits,
)
from solver.options import DEFAULT_OPTIONS
from solver.oracle import Budget, Plan, Witness, decide
from solver.queries import ExplainQuery

NEW_TASK_ID = "new"
REASONS = ("no_fit", "conflict", "infeasible_base", "unknown")
DEFAULT_TIME_LIMIT = 10.0  # seconds for the whole explanation (each check gets what is left)
# Exact checks (small sets of tasks, and the day + N once): straight to the engine's Hall sweep and CP-SAT,
# without the window models it uses to mend a big day's plan (measured: they dominate an infeasible check).
CHECK_OPTIONS = DEFAULT_OPTIONS.but(window_margins=())


@dataclass
class Explanation:
    """The contract's explain answer (see `solver.answers.dump_explanation` for the JSON)."""

    start: datetime
    end: datetime
    slot: bool
    plan: Plan = field(default_factory=dict)  # when slot: every task's workers, the new one under "new"
    reason: str | None = None  # when not a slot: one of REASONS
    tasks: list[str] = field(default_factory=list)
    workers: list[str] = field(default_factory=list)
    checks: int = 0  # exact feasibility checks spent (not part of the contract)


class _Undecided(Exception):
    """A feasibility check ran out of time: no certificate can be claimed."""


def explain(scenario: Scenario, query: ExplainQuery, *, time_limit: float = DEFAULT_TIME_LIMIT,
            witness: Witness | None = None) -> Explanation:
    """The contract's answer for a validated scenario and query (see the module docstring)."""
    check_explainable(scenario)
    budget = Budget(time_limit)
    start, end = query.start, query.end
    base = decide(scenario, witness=witness, time_limit=budget.left(), name_uncovered=True)
    if base.status is not Status.FEASIBLE:
        if base.status is Status.UNKNOWN:
            return Explanation(start, end, False, reason="unknown")
        named = sorted(base.uncovered)
        return Explanation(start, end, False, reason="infeasible_base", tasks=named,
                           workers=_fitting(scenario, [t for t in scenario.tasks if t.id in set(named)]))
    new = new_task(NEW_TASK_ID, start, end, query.skill, query.crew)
    if not seats_fillable(new, scenario.workers):
        return Explanation(start, end, False, reason="no_fit")
    return _slot_or_conflict(scenario, new, base.plan, budget)


def check_explainable(scenario: Scenario) -> None:
    """InvalidInput when a task of the scenario has the id the answer's plan gives the new task."""
    if any(t.id == NEW_TASK_ID for t in scenario.tasks):
        # The answer's plan names the new task "new"; a scenario task of that name would be ambiguous.
        raise InvalidInput(f'task id "{NEW_TASK_ID}" is reserved for the new task by explain', field="tasks",
                           ids=(NEW_TASK_ID,))


def _slot_or_conflict(scenario: Scenario, new: Task, base_plan: Plan, budget: Budget) -> Explanation:
    start, end = new.start, new.end
    checker = _Checker(scenario, new, budget)
    hall = hall_start(scenario, new)
    if hall is None:  # no quick proof that it is not a slot: the engine decides the whole day + N
        whole = decide(scenario.with_tasks((*scenario.tasks, new)), witness=base_plan, time_limit=budget.left(),
                       options=CHECK_OPTIONS)
        if whole.status is not Status.INFEASIBLE:
            if whole.status is Status.UNKNOWN:
                return Explanation(start, end, False, reason="unknown")
            return Explanation(start, end, True, plan=dict(sorted(whole.plan.items())))
    try:
        cert = certificate(scenario, new, checker.infeasible, hall)
    except _Undecided:
        return Explanation(start, end, False, reason="unknown", checks=checker.count)
    ordered = sorted(cert, key=lambda t: t.id)
    return Explanation(start, end, False, reason="conflict", tasks=[t.id for t in ordered],
                       workers=_fitting(scenario, [new, *ordered]), checks=checker.count)


def certificate(scenario: Scenario, new: Task, infeasible: Callable[[Sequence[Task]], bool],
                hall: list[Task] | None = None) -> list[Task]:
    """An irreducible set of tasks that, with `new`, cannot be covered (given N + all tasks cannot be).

    A Hall violator (`hall_start`, already a proof) is small and usually irreducible already, so it is
    filtered by deletion (one check per task, each typically a quick "feasible"); a larger start set
    goes through QuickXplain.
    """
    if hall is not None:
        return deletion_filter(hall, infeasible)
    for layer in neighbourhood_start(scenario, new):
        if infeasible(layer):
            return quickxplain(layer, infeasible)
    return quickxplain(list(scenario.tasks), infeasible)


def deletion_filter(candidates: Sequence[Task], infeasible: Callable[[Sequence[Task]], bool]) -> list[Task]:
    """A minimal subset of `candidates` with `infeasible` (precondition: `infeasible(candidates)`; monotone).

    Each task is dropped if the rest stays infeasible; a task kept was needed when checked, and stays
    needed as the set only shrinks (monotonicity), so the result is irreducible."""
    kept = list(candidates)
    for t in list(kept):
        rest = [x for x in kept if x is not t]
        if infeasible(rest):
            kept = rest
    return kept


class _Checker:
    """Exact `N + subset is infeasible` checks through the engine, memoised, sharing one budget."""

    def __init__(self, scenario: Scenario, new: Task, budget: Budget) -> None:
        self.scenario, self.new, self.budget = scenario, new, budget
        self.memo: dict[frozenset[str], bool] = {}
        self.count = 0
        self.seating = _Seating(scenario.workers)

    def infeasible(self, subset: Sequence[Task]) -> bool:
        key = frozenset(t.id for t in subset)
        if key not in self.memo:
            self.count += 1
            sub = self.scenario.with_tasks((*subset, self.new))
            quick = self.seating.clique_verdict(sub)
            if quick is None:
                verdict = decide(sub, time_limit=self.budget.left(), options=CHECK_OPTIONS)
                if verdict.status is Status.UNKNOWN:
                    raise _Undecided
                quick = verdict.status
            self.memo[key] = quick is Status.INFEASIBLE
        return self.memo[key]


def quickxplain(candidates: Sequence[Task], infeasible: Callable[[Sequence[Task]], bool]) -> list[Task]:
    """A minimal subset C of `candidates` with `infeasible(C)` (Junker's QuickXplain).

    Precondition: `infeasible(candidates)`; `infeasible` is monotone (a superset of an infeasible set
    is infeasible). Checks: O(|C| log(|candidates| / |C|)).
    """
    if infeasible([]):
        return []

    def qx(background: list[Task], changed: bool, cands: list[Task]) -> list[Task]:
        if changed and infeasible(background):
            return []
        if len(cands) == 1:
            return list(cands)
        half = len(cands) // 2
        first, second = cands[:half], cands[half:]
        found_second = qx(background + first, True, second)
        found_first = qx(background + found_second, bool(found_second), first)
        return found_first + found_second

    return qx([], False, list(candidates))


class _Seating:
    """Exact verdicts for scenarios whose tasks all overlap one another, by one bipartite matching.

    Such tasks need distinct workers on all their seats and each worker holds at most one of them, so
    a worker's daily load is that one task alone: a limit only rules out the pair (worker, task). A
    holder of one of them is on it, so they are matched to its seats only. Then:
    - no matching fills every seat -> INFEASIBLE (each plan would be such a matching);
    - a matching fills every seat and keeps every holder on their task -> a plan, returned as FEASIBLE
      only once the engine's independent checker accepts it;
    - otherwise (or tasks that do not all overlap) None: the engine decides.
    """

    def __init__(self, workers: Sequence[Worker]) -> None:
        self.workers = workers
        self.fit: dict[tuple[str, str | None], list[int]] = {}  # (task id, seat skill) -> usable workers

    def _fitting(self, t: Task, skill: str | None) -> list[int]:
        key = (t.id, skill)
        if key not in self.fit:
            self.fit[key] = [k for k, w in enumerate(self.workers)
                             if w.has(skill) and inside_shift(t, w) and within_limits(w, Load().plus(t))]
        return self.fit[key]

    def clique_verdict(self, scenario: Scenario) -> Status | None:
        tasks = list(scenario.tasks)
        if not tasks or max(t.start for t in tasks) >= min(t.end for t in tasks):
            return None
        index = {w.id: k for k, w in enumerate(self.workers)}
        holding = {index[h]: t for t in tasks for h in t.holders}
        nodes = [(t, skill) for t in tasks for skill in seats(t)]
        adj = [[k for k in self._fitting(t, s) if k not in holding]
               + [index[h] for h in t.holders if self.workers[index[h]].has(s)] for t, s in nodes]
        owner: dict[int, int] = {}
        if not all(_augment(i, adj, owner, set()) for i in range(len(nodes))):
            return Status.INFEASIBLE
        if not all(k in owner for k in holding):
            return None
        crews: dict[str, list[str]] = {t.id: [] for t in tasks}
        for k, i in owner.items():
            crews[nodes[i][0].id].append(self.workers[k].id)
        plan = {tid: tuple(ws) for tid, ws in crews.items()}
        return Status.FEASIBLE if not assignment_problems(scenario, plan) else None


def hall_start(scenario: Scenario, new: Task) -> list[Task] | None:
    """Tasks that, with `new`, break the Hall condition at some instant inside `new`, or None.

    At an instant tau every task alive then needs its seats filled by distinct workers (alive tasks
    pairwise overlap), and a holder of an alive task is on that task, not free for another. If no
    matching gives N's seats workers after the other alive seats are matched, the alternating tree of
    the failed search is a set of seats with fewer neighbouring workers than seats: no plan exists.
    The returned tasks are that tree's tasks plus the alive tasks whose holders the tree's seats could
    not use, so the same argument holds in the scenario of `new` and the returned tasks alone.
    """
    instants = [new.start] + sorted({t.start for t in scenario.tasks if new.start < t.start < new.end})
    for tau in instants:
        alive = [t for t in scenario.tasks if t.start <= tau < t.end]
        found = _hall_violator([*alive, new], scenario.workers)
        if found is not None:
            return [t for t in found if t is not new]
    return None


def _hall_violator(alive: list[Task], workers: Sequence[Worker]) -> list[Task] | None:
    """The tasks of a Hall violator among `alive` (the last one is the new task), or None."""
    holding = {h: t for t in alive for h in t.holders}
    nodes = [(t, skill) for t in alive for skill in seats(t)]  # left nodes: seats; right: worker indices

    def usable(t: Task, skill: str | None, w: Worker) -> bool:
        full = len(t.holders) == len(seats(t))  # a fully held task's seats are its holders'
        if full or w.id in holding:
            return holding.get(w.id) is t and w.has(skill)
        return inside_shift(t, w) and w.has(skill)

    adj = [[k for k, w in enumerate(workers) if usable(t, s, w)] for t, s in nodes]
    owner: dict[int, int] = {}
    for i in range(len(nodes)):
        seen: set[int] = set()
        if _augment(i, adj, owner, seen):
            continue
        if nodes[i][0] is not alive[-1]:
            continue  # the base's own seats at tau cannot all be filled by this relaxation; not N's doing
        tree = {i} | {owner[r] for r in seen}
        found = {id(nodes[j][0]): nodes[j][0] for j in tree}
        # Workers the tree's seats would fit but who hold another alive task: that task keeps them busy.
        for j in tree:
            t, s = nodes[j]
            for w in workers:
                held = holding.get(w.id)
                if held is not None and held is not t and inside_shift(t, w) and w.has(s):
                    found[id(held)] = held
        return list(found.values())
    return None


def _augment(i: int, adj: list[list[int]], owner: dict[int, int], seen: set[int]) -> bool:
    """Kuhn's augmenting path from left node i (recursion depth <= alive seats at one instant)."""
    for r in adj[i]:
        if r in seen:
            continue
        seen.add(r)
        if r not in owner or _augment(owner[r], adj, owner, seen):
            owner[r] = i
            return True
    return False


def neighbourhood_start(scenario: Scenario, new: Task) -> list[list[Task]]:
    """Growing sets of tasks around `new` in the conflict graph, the last one closed under conflicts.

    Two tasks conflict when some worker fits a seat of both and they overlap, or start in the same
    operational day and that worker has a limit. Tasks outside N's closed set are independent of it,
    so N + the closed set is infeasible whenever N + all tasks is and the base is feasible.
    """
    cal = scenario.calendar
    fit = {t.id: frozenset(w.id for w in scenario.workers if fits_seat(t, w)) for t in scenario.tasks}
    fit[new.id] = frozenset(w.id for w in scenario.workers if fits_seat(new, w))
    limited = frozenset(w.id for w in scenario.workers if w.limited)
    day = {t.id: cal.day_of(t.start) for t in [*scenario.tasks, new]}

    def conflict(a: Task, b: Task) -> bool:
        shared = fit[a.id] & fit[b.id]
        return bool(shared) and (overlaps(a, b) or (day[a.id] == day[b.id] and bool(shared & limited)))

    chosen: list[Task] = []
    frontier = [new]
    rest = list(scenario.tasks)
    layers: list[list[Task]] = []
    while frontier:
        nxt = [t for t in rest if any(conflict(t, f) for f in frontier)]
        taken_ids = {t.id for t in nxt}
        rest = [t for t in rest if t.id not in taken_ids]
        chosen.extend(nxt)
        frontier = nxt
        if nxt:
            layers.append(list(chosen))
    return layers


def _fitting(scenario: Scenario, tasks: Sequence[Task]) -> list[str]:
    """Workers (id order) who fit a seat of any of `tasks` by shift and skill."""
    return sorted(w.id for w in scenario.workers if any(fits_seat(t, w) for t in tasks))

