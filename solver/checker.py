"""A solver-independent judge: does an assignment really cover a scenario by the contract's rules?

It works on the domain objects (datetimes), not on the integer `Instance` the engines share, so a
bug in compilation cannot hide a bug in an engine. Every answer — CP-SAT's, a shortcut's, greedy's —
is judged by these same rules in tests and benchmarks: every seat of every task has a worker who fits
it (time and, through a matching of the task's workers to its seats, skill), one worker holds at most
one seat of a task, holders keep their seats, no worker has two overlapping tasks, and each worker's
tasks that start in one operational day keep its `max_tasks` / `max_minutes`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from solver.domain import Scenario, Task, Worker
from solver.validate import fits_time, match_seats

Assigned = Mapping[str, str | Sequence[str]]


def _workers_of(t: Task, given: str | Sequence[str] | None) -> tuple[list[str], list[str]]:
    """(the task's workers, problems): holders always; `given` may list them or leave them out (v1 form)."""
    if given is None:
        return list(t.holders), []
    named = [given] if isinstance(given, str) else list(given)
    problems = []
    if t.seats == 1 and t.holders and named != list(t.holders):
        return list(t.holders), [f"{t.id} is taken by {t.holders[0]} but assigned to {', '.join(named)}"]
    if len(set(named)) != len(named):
        problems.append(f"{t.id} lists a worker twice")
    return list(dict.fromkeys([*t.holders, *named])), problems


def _task_problems(t: Task, names: list[str], workers: dict[str, Worker]) -> list[str]:
    if len(names) != t.seats:
        return [f"{t.id} has {len(names)} workers for {t.seats} seats" if names else f"{t.id} is not assigned"]
    unknown = [w for w in names if w not in workers]
    if unknown:
        return [f"{t.id} is assigned to unknown worker {', '.join(unknown)}"]
    problems = [f"{t.id} does not fit worker {w}" for w in names if not fits_time(t, workers[w])]
    if problems:
        return problems
    if t.seats == 1 and not workers[names[0]].has(t.crew[0].skill):
        return [f"{t.id} does not fit worker {names[0]}"]
    if match_seats([workers[w].skills for w in names], t.crew) is None:
        problems.append(f"{t.id} does not fit worker {', '.join(names)} (no seat for every worker by skill)")
    return problems


def _limit_problems(scenario: Scenario, owned: dict[str, list[Task]], workers: dict[str, Worker]) -> list[str]:
    problems = []
    day_of = scenario.calendar.day_of
    for wid, tasks in owned.items():
        w = workers.get(wid)
        if w is None or not w.limited:
            continue
        per_day: dict[date, list[Task]] = defaultdict(list)
        for t in tasks:
            per_day[day_of(t.start)].append(t)
        for day, ts in per_day.items():
            minutes = sum((t.end - t.start for t in ts), timedelta()) / timedelta(minutes=1)
            if w.max_tasks is not None and len(ts) > w.max_tasks:
                problems.append(f"worker {wid} holds {len(ts)} tasks on {day} (max_tasks {w.max_tasks})")
            if w.max_minutes is not None and minutes > w.max_minutes:
                problems.append(f"worker {wid} holds {minutes:g} minutes on {day} (max_minutes {w.max_minutes})")
    return problems


def assignment_problems(scenario: Scenario, assignment: Assigned) -> list[str]:
    """Everything wrong with `assignment` (task id -> worker id, or -> all its workers); empty when valid.

    A task left out keeps just its holders (v1: taken tasks need not be listed)."""
    workers = {w.id: w for w in scenario.workers}
    known = {t.id for t in scenario.tasks}
    problems = [f"{tid} is not a task of the scenario" for tid in assignment if tid not in known]
    owned: dict[str, list[Task]] = defaultdict(list)
    for t in scenario.tasks:
        names, wrong = _workers_of(t, assignment.get(t.id))
        problems.extend(wrong)
        problems.extend(_task_problems(t, names, workers))
        for wid in names:
            owned[wid].append(t)
    for wid, tasks in owned.items():
        tasks.sort(key=lambda t: t.start)
        for a, b in zip(tasks, tasks[1:], strict=False):
            if b.start < a.end:
                problems.append(f"{a.id} and {b.id} overlap on worker {wid}")
    return problems + _limit_problems(scenario, owned, workers)


def assert_feasible(scenario: Scenario, assignment: Assigned) -> None:
    problems = assignment_problems(scenario, assignment)
    if problems:
        raise AssertionError("invalid assignment: " + "; ".join(problems))
