"""Who fits which seat, on the scenario's own terms (datetimes, ids), for the v2 queries.

`takeable`, `explain` and `next` reason about single tasks and small sets of them before (or instead
of) asking the engine; these helpers state the contract's definitions once:

- a task's *seats*: `count` seats of each crew entry; its *holders*: the workers already on a seat;
- W *fits a seat* of T with skill K: T lies inside one shift of W and, if K is not null, W has K;
- `seat_matching`: can the given workers (or any fitting ones) get distinct seats of one task?
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from solver.domain import CrewEntry, Scenario, Shift, Task, Worker

Seat = str | None  # the skill of one seat (None: any worker)


def seats(task: Task) -> list[Seat]:
    """Every seat of the task, as its skill: `count` seats per crew entry."""
    return [entry.skill for entry in task.crew for _ in range(entry.count)]


_SHIFT_INDEX: dict[int, tuple[tuple[Shift, ...], list[datetime], list[datetime]]] = {}
_SHIFT_INDEX_SIZE = 4096  # workers whose sorted shifts are kept (one query's roster fits many times over)


def _sorted_shifts(worker: Worker) -> tuple[list[datetime], list[datetime]]:
    """The worker's shifts as sorted starts and ends (shifts of one worker never overlap: validated).

    Cached by the identity of the shifts tuple, checked on every hit, so a recycled id cannot mislead."""
    hit = _SHIFT_INDEX.get(id(worker.shifts))
    if hit is not None and hit[0] is worker.shifts:
        return hit[1], hit[2]
    ordered = sorted(worker.shifts, key=lambda s: s.start)
    if len(_SHIFT_INDEX) >= _SHIFT_INDEX_SIZE:
        _SHIFT_INDEX.clear()
    entry = (worker.shifts, [s.start for s in ordered], [s.end for s in ordered])
    _SHIFT_INDEX[id(worker.shifts)] = entry
    return entry[1], entry[2]


def inside_shift(task: Task, worker: Worker) -> bool:
    """T lies entirely inside one shift of W (the shift starting last at or before T's start)."""
    starts, ends = _sorted_shifts(worker)
    i = bisect.bisect_right(starts, task.start) - 1
    return i >= 0 and task.end <= ends[i]


def fits_seat(task: Task, worker: Worker) -> bool:
    """W fits some seat of T (shift and skill; other tasks and limits aside)."""
    return inside_shift(task, worker) and any(worker.has(entry.skill) for entry in task.crew)


def overlaps(a: Task, b: Task) -> bool:
    return a.start < b.end and b.start < a.end


def _augment(left: int, edges: Callable[[int], Iterable[int]], owner: dict[int, int], seen: set[int]) -> bool:
    """Kuhn's augmenting path from `left`; `owner`: right node -> left node. Depth <= number of seats
    of one task (at most a few dozen), so recursion is safe here."""
    for right in edges(left):
        if right in seen:
            continue
        seen.add(right)
        if right not in owner or _augment(owner[right], edges, owner, seen):
            owner[right] = left
            return True
    return False


def max_matching(n_left: int, edges: Callable[[int], Iterable[int]]) -> tuple[int, dict[int, int]]:
    """Size of a maximum matching of left nodes 0..n_left-1, and the matching (right -> left)."""
    owner: dict[int, int] = {}
    size = sum(_augment(i, edges, owner, set()) for i in range(n_left))
    return size, owner


def seat_matching(task: Task, workers: Sequence[Worker]) -> bool:
    """Can every one of `workers` get a distinct seat of `task` whose skill they have? (holders + a taker)"""
    task_seats = seats(task)
    if len(workers) > len(task_seats):
        return False
    size, _ = max_matching(len(workers), lambda i: (k for k, s in enumerate(task_seats)
                                                     if workers[i].has(s)))
    return size == len(workers)


def seats_fillable(task: Task, workers: Sequence[Worker]) -> bool:
    """Can every seat of `task` get a distinct worker who fits it by shift and skill (nothing else counted)?"""
    task_seats = seats(task)
    pool = [w for w in workers if inside_shift(task, w)]
    size, _ = max_matching(len(task_seats), lambda i: (k for k, w in enumerate(pool)
                                                       if w.has(task_seats[i])))
    return size == len(task_seats)


@dataclass(frozen=True)
class Load:
    """What a worker holds on one operational day: tasks (seats) and their total length."""

    tasks: int = 0
    length: timedelta = timedelta(0)

    def plus(self, task: Task) -> Load:
        return Load(self.tasks + 1, self.length + (task.end - task.start))


def held_load(scenario: Scenario, worker_id: str, day: date) -> Load:
    """Tasks `worker_id` holds that start in operational day `day` (the contract's limits count these)."""
    cal = scenario.calendar
    held = [t for t in scenario.tasks if worker_id in t.holders and cal.day_of(t.start) == day]
    return Load(len(held), sum((t.end - t.start for t in held), timedelta(0)))


def within_limits(worker: Worker, load: Load) -> bool:
    """The contract's limits, compared exactly (no rounding of task lengths to minutes)."""
    return ((worker.max_tasks is None or load.tasks <= worker.max_tasks)
            and (worker.max_minutes is None or load.length <= timedelta(minutes=worker.max_minutes)))


def new_task(task_id: str, start: datetime, end: datetime, skill: str | None,
             crew: tuple[CrewEntry, ...] | None) -> Task:
    """The untaken task a query asks about: with `skill` (one seat) or a crew of seats."""
    return Task(task_id, start, end, skill, None, crew or ())


def with_holder(task: Task, worker_id: str) -> Task:
    """The task with one more holder (a take, before it is written)."""
    return replace(task, worker_id=None, holders=(*task.holders, worker_id))


def pinned(task: Task, workers: tuple[str, ...]) -> Task:
    """The task with every seat held by the given workers (a known plan's choice, fixed)."""
    return replace(task, worker_id=None, holders=tuple(workers))
