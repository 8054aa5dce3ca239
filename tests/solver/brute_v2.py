"""An independent brute force for the v2 contract (crews, holders, limits), for small scenarios only.

It reads the contract's definitions literally and shares no code with the engine or with the queries
it judges (only the domain dataclasses and the operational-day calendar, the one home of that rule):
every seat gets a worker who fits it; one worker holds at most one seat of a task; every holder keeps a
seat of their task whose skill they have; no two tasks of one worker overlap; per worker and
operational day, tasks held that start in the day number at most `max_tasks` and last at most
`max_minutes`. It enumerates, task by task, every set of distinct workers for the open seats.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from itertools import combinations, permutations

from solver.domain import Scenario, Task, Worker


def _seat_skills(task: Task) -> list[str | None]:
    return [e.skill for e in task.crew for _ in range(e.count)]


def _inside(task: Task, worker: Worker) -> bool:
    return any(s.start <= task.start and task.end <= s.end for s in worker.shifts)


def can_seat(task: Task, crew_workers: Sequence[Worker]) -> bool:
    """Can these distinct workers take distinct seats of `task`, each a seat whose skill they have?"""
    skills = _seat_skills(task)
    if len(crew_workers) > len(skills):
        return False
    for chosen in permutations(range(len(skills)), len(crew_workers)):
        if all(skills[k] is None or skills[k] in w.skills for k, w in zip(chosen, crew_workers, strict=True)):
            return True
    return False


def seats_fit(task: Task, crew_workers: Sequence[Worker]) -> bool:
    """A full crew for the task: every seat filled, each worker fits its seat (shift and skill)."""
    return (len(crew_workers) == len(_seat_skills(task)) and all(_inside(task, w) for w in crew_workers)
            and can_seat(task, crew_workers))


def _crews(task: Task, workers: dict[str, Worker]) -> Iterator[tuple[str, ...]]:
    """Every full crew of the task that keeps its holders."""
    held = tuple(task.holders)
    others = sorted(w for w in workers if w not in held)
    need = len(_seat_skills(task)) - len(held)
    if need < 0:
        return
    for extra in combinations(others, need):
        crew = held + extra
        if seats_fit(task, [workers[w] for w in crew]):
            yield crew


def _limits_ok(scenario: Scenario, worker: Worker, tasks: list[Task]) -> bool:
    if worker.max_tasks is None and worker.max_minutes is None:
        return True
    cal = scenario.calendar
    per_day: dict[object, list[Task]] = {}
    for t in tasks:
        per_day.setdefault(cal.day_of(t.start), []).append(t)
    for day_tasks in per_day.values():
        if worker.max_tasks is not None and len(day_tasks) > worker.max_tasks:
            return False
        total = sum((t.end - t.start for t in day_tasks), timedelta(0))
        if worker.max_minutes is not None and total > timedelta(minutes=worker.max_minutes):
            return False
    return True


def plan_problems(scenario: Scenario, plan: dict[str, Sequence[str]]) -> list[str]:
    """Everything wrong with a plan (task id -> its workers) by the contract's rules; empty when valid."""
    workers = {w.id: w for w in scenario.workers}
    problems = []
    held_by: dict[str, list[Task]] = {}
    for t in scenario.tasks:
        crew = list(plan.get(t.id, ()))
        if len(set(crew)) != len(crew) or any(w not in workers for w in crew):
            problems.append(f"{t.id}: bad workers {crew}")
            continue
        if not set(t.holders) <= set(crew):
            problems.append(f"{t.id}: a holder lost their seat")
        if not seats_fit(t, [workers[w] for w in crew]):
            problems.append(f"{t.id}: crew {crew} does not fill the seats")
        for w in crew:
            held_by.setdefault(w, []).append(t)
    for wid, ts in held_by.items():
        ts.sort(key=lambda t: t.start)
        if any(b.start < a.end for a, b in zip(ts, ts[1:], strict=False)):
            problems.append(f"{wid}: overlapping tasks")
        if not _limits_ok(scenario, workers[wid], ts):
            problems.append(f"{wid}: over a limit")
    return problems


def feasible(scenario: Scenario) -> bool:
    """Is there a plan? Backtracking over tasks (longest-constrained first), every crew of each tried."""
    workers = {w.id: w for w in scenario.workers}
    tasks = list(scenario.tasks)
    options = [list(_crews(t, workers)) for t in tasks]
    if any(not o for o in options):
        return False
    order = sorted(range(len(tasks)), key=lambda i: len(options[i]))
    holding: dict[str, list[Task]] = {w: [] for w in workers}

    def place(k: int) -> bool:
        if k == len(order):
            return True
        t = tasks[order[k]]
        for crew in options[order[k]]:
            if any(any(o.start < t.end and t.start < o.end for o in holding[w]) for w in crew):
                continue
            if not all(_limits_ok(scenario, workers[w], [*holding[w], t]) for w in crew):
                continue
            for w in crew:
                holding[w].append(t)
            ok = place(k + 1)
            for w in crew:
                holding[w].pop()
            if ok:
                return True
        return False

    return place(0)


def with_tasks(scenario: Scenario, tasks: Sequence[Task]) -> Scenario:
    return scenario.with_tasks(tuple(tasks))


def new_seats_fillable(task: Task, scenario: Scenario) -> bool:
    """Can the new task's seats get distinct workers who fit them, whatever else is going on?"""
    ids = [w.id for w in scenario.workers if _inside(task, w)]
    workers = {w.id: w for w in scenario.workers}
    n = len(_seat_skills(task))
    return any(can_seat(task, [workers[w] for w in c]) for c in combinations(ids, n))


def fits_a_seat(task: Task, worker: Worker) -> bool:
    return _inside(task, worker) and any(e.skill is None or e.skill in worker.skills for e in task.crew)
