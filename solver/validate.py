"""The contract's invalid-input rules: a scenario whose taken seats break the rules by themselves.

Each rule raises `InvalidInput` whose message names every offending id, so the user can fix the
input in one pass per rule. (Crew shape rules — empty crew, duplicate skills, counts, crew with a skill,
worker_id with worker_ids — are checked while the document is read, in `solver.schema`.)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from solver.domain import CrewEntry, InvalidInput, Scenario, Task, Worker


def _duplicates(ids: list[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def fits_time(task: Task, worker: Worker) -> bool:
    """The task lies entirely inside one shift of the worker."""
    return any(s.start <= task.start and task.end <= s.end for s in worker.shifts)


def task_fits(task: Task, worker: Worker) -> bool:
    """v1's "fits": inside one shift of the worker, and the worker has the task's skill."""
    return worker.has(task.skill) and fits_time(task, worker)


def match_seats(skills: Sequence[frozenset[str]], crew: Iterable[CrewEntry]) -> list[int] | None:
    """Distinct seats of `crew` for people with these skills: the crew entry index of each, or None.

    A plain augmenting-path matching on the seats (at most 20 per entry, a handful of people).
    """
    seats = [k for k, c in enumerate(crew) for _ in range(c.count)]
    entry_skill = {k: c.skill for k, c in enumerate(crew)}
    seat_of: dict[int, int] = {}  # seat -> person

    def place(p: int, seen: set[int]) -> bool:
        for s, k in enumerate(seats):
            if s in seen or (entry_skill[k] is not None and entry_skill[k] not in skills[p]):
                continue
            seen.add(s)
            if s not in seat_of or place(seat_of[s], seen):
                seat_of[s] = p
                return True
        return False

    if not all(place(p, set()) for p in range(len(skills))):
        return None
    out = [0] * len(skills)
    for s, p in seat_of.items():
        out[p] = seats[s]
    return out


def _raise(message: str, ids: Iterable[str], field: str = "tasks") -> None:
    ids = tuple(ids)
    if ids:
        raise InvalidInput(message, field=field, ids=ids)


def _check_ids_and_times(scenario: Scenario) -> None:
    dup = _duplicates([w.id for w in scenario.workers])
    _raise(f"duplicate worker ids: {', '.join(dup)}", dup, "workers")
    dup = _duplicates([t.id for t in scenario.tasks])
    _raise(f"duplicate task ids: {', '.join(dup)}", dup)
    bad = [w.id for w in scenario.workers if any(s.start >= s.end for s in w.shifts)]
    _raise(f"shift start must be before its end for workers: {', '.join(bad)}", bad, "workers")
    bad = [t.id for t in scenario.tasks if t.start >= t.end]
    _raise(f"task start must be before its end: {', '.join(bad)}", bad)
    overlapping = []
    for w in scenario.workers:
        shifts = sorted(w.shifts, key=lambda s: s.start)
        if any(a.end > b.start for a, b in zip(shifts, shifts[1:], strict=False)):
            overlapping.append(w.id)
    _raise(f"overlapping shifts of one worker: {', '.join(overlapping)}", overlapping, "workers")


def _check_holders(scenario: Scenario, workers: dict[str, Worker]) -> None:
    unknown = [t for t in scenario.tasks if any(h not in workers for h in t.holders)]
    names = ", ".join(f"{t.id} (worker_id {', '.join(h for h in t.holders if h not in workers)})" for t in unknown)
    _raise(f"tasks taken by an unknown worker: {names}", (t.id for t in unknown))

    crowded = [t for t in scenario.tasks if len(t.holders) > t.seats]
    names = ", ".join(f"{t.id} ({len(t.holders)} holders, {t.seats} seats)" for t in crowded)
    _raise(f"tasks with more holders than seats: {names}", (t.id for t in crowded))

    # v1's rule, kept word for word for one-seat tasks: the holder must fit the time and the skill.
    misfit = [(t, h) for t in scenario.tasks for h in t.holders
              if not fits_time(t, workers[h]) or (t.seats == 1 and not workers[h].has(t.crew[0].skill))]
    names = ", ".join(f"{t.id} (worker {h})" for t, h in misfit)
    _raise(f"taken tasks that do not fit their own worker (outside every shift, or missing skill): {names}",
           dict.fromkeys(t.id for t, _ in misfit))

    unseated = [t for t in scenario.tasks
                if t.holders and match_seats([workers[h].skills for h in t.holders], t.crew) is None]
    names = ", ".join(f"{t.id} (workers {', '.join(t.holders)})" for t in unseated)
    _raise(f"holders that cannot all get distinct seats whose skills they have: {names}",
           (t.id for t in unseated))


def _check_clashes(scenario: Scenario) -> None:
    by_worker: dict[str, list[Task]] = defaultdict(list)
    for t in scenario.tasks:
        for h in t.holders:
            by_worker[h].append(t)
    clashes: list[str] = []
    ids: set[str] = set()
    for wid, tasks in sorted(by_worker.items()):
        tasks.sort(key=lambda t: t.start)
        latest = tasks[0]
        for t in tasks[1:]:
            if t.start < latest.end:
                clashes.append(f"{latest.id} and {t.id} (worker {wid})")
                ids.update((latest.id, t.id))
            if t.end > latest.end:
                latest = t
    _raise(f"overlapping taken tasks of one worker: {'; '.join(clashes)}", sorted(ids))


def _check_limits(scenario: Scenario, workers: dict[str, Worker]) -> None:
    """Holders already over `max_tasks` / `max_minutes` in an operational day by their taken tasks alone."""
    day_of = scenario.calendar.day_of
    load: dict[tuple[str, date], list[Task]] = defaultdict(list)
    for t in scenario.tasks:
        for h in t.holders:
            if workers[h].limited:
                load[h, day_of(t.start)].append(t)
    over: list[str] = []
    ids: set[str] = set()
    for (wid, day), tasks in sorted(load.items()):
        w = workers[wid]
        minutes = sum((t.end - t.start for t in tasks), timedelta()) / timedelta(minutes=1)
        if (w.max_tasks is not None and len(tasks) > w.max_tasks) or (
                w.max_minutes is not None and minutes > w.max_minutes):
            over.append(f"{wid} on {day.isoformat()} ({', '.join(t.id for t in tasks)})")
            ids.add(wid)
            ids.update(t.id for t in tasks)
    _raise(f"workers over their daily limit by taken tasks alone: {'; '.join(over)}", sorted(ids))


def validate_scenario(scenario: Scenario) -> None:
    """Raise `InvalidInput` naming the ids if the scenario breaks a rule by itself (see the contract)."""
    _check_ids_and_times(scenario)
    workers = {w.id: w for w in scenario.workers}
    _check_holders(scenario, workers)
    _check_clashes(scenario)
    _check_limits(scenario, workers)
