"""Scenarios restricted around some tasks, each sound in one direction (used by `next` and `takeable`).

Given a plan P of the whole scenario and a set F of *free* tasks:
- *pinned* = F plus `pins_around(F)`, each pinned task given P's workers (all its seats held): the tasks
  outside F that overlap a task of F, or start on an operational day of a task of F and are planned
  on a worker with a limit. A plan of pinned (plus anything added to F that overlaps only F), with P
  for every task left out, is a plan of the whole: the tasks left out neither overlap F nor share a
  limited worker's day with it, and P covers them. So "feasible" on pinned means feasible.
- *relaxed* = F alone (holders kept): the whole with tasks dropped, which only removes constraints.
  So "infeasible" on relaxed means infeasible.
"""

from __future__ import annotations

import bisect
from datetime import date, datetime, timedelta

from solver.domain import Scenario, Task
from solver.oracle import Plan
from solver.spans import merged


def pins_around(scenario: Scenario, plan: Plan, free: list[Task], days: dict[str, date]) -> list[Task]:
    """The tasks outside `free` that a plan of `free` must work around: those overlapping a free task,
    and those starting on a free task's operational day planned on a limited worker (module docstring)."""
    free_ids = {t.id for t in free}
    union = merged((t.start, t.end) for t in free)
    start_days = {days[t.id] for t in free}  # every day a free task starts in (limits count per day)
    limited = {w.id for w in scenario.workers if w.limited}
    pins = []
    for t in scenario.tasks:
        if t.id in free_ids:
            continue
        if _meets(union, t) or (days[t.id] in start_days and limited.intersection(plan.get(t.id, ()))):
            pins.append(t)
    return pins


def _meets(union: list[tuple[datetime, datetime]], task: Task) -> bool:
    return any(s < task.end and task.start < e for s, e in union)


def operational_days(scenario: Scenario) -> dict[str, date]:
    """Each task's operational day (the day of its start), by bisecting the days' bounds computed once."""
    if not scenario.tasks:
        return {}
    cal = scenario.calendar
    first = cal.day_of(min(t.start for t in scenario.tasks))
    last = cal.day_of(max(t.start for t in scenario.tasks))
    span = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    starts = [cal.bounds(d)[0] for d in span]
    return {t.id: span[bisect.bisect_right(starts, t.start) - 1] for t in scenario.tasks}
