"""A scenario compiled to integers: the form every engine (CP-SAT, shortcuts, greedy) works on.

Times become integer microseconds since the Unix epoch (exact: no input is ever rounded).
Taken tasks are folded into the workers: an untaken
task is *eligible* for a worker when it fits one of the worker's shifts, the worker has its skill,
and it does not overlap any task the worker has already taken. After that, taken tasks never need
to be looked at again: the question is only whether the untaken tasks can be spread over their
eligible workers without two overlapping tasks on one worker.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from solver import eligibility
from solver.domain import Scenario

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TICKS_PER_SECOND = 1_000_000


def epoch(dt: datetime) -> int:
    """Exact integer microseconds since the epoch (float timestamps would round sub-second input)."""
    return (dt - _EPOCH) // timedelta(microseconds=1)


@dataclass
class WorkerCalendar:
    """One worker's shifts and taken tasks as sorted integer intervals, for fast eligibility tests."""

    skills: frozenset[str]
    shift_starts: list[int]
    shift_ends: list[int]
    busy_starts: list[int]  # taken tasks, sorted by start; they never overlap each other (validated)
    busy_ends: list[int]

    def can_take(self, start: int, end: int, skill: str | None) -> bool:
        if skill is not None and skill not in self.skills:
            return False
        i = bisect.bisect_right(self.shift_starts, start) - 1
        if i < 0 or self.shift_ends[i] < end:
            return False
        # Taken tasks are disjoint and sorted, so their ends are sorted too.
        j = bisect.bisect_right(self.busy_ends, start)
        return not (j < len(self.busy_starts) and self.busy_starts[j] < end)


@dataclass
class Instance:
    """Untaken tasks (index = position) with their eligible workers (indices into `worker_ids`)."""

    worker_ids: list[str]
    calendars: list[WorkerCalendar]
    task_ids: list[str]
    starts: list[int]
    ends: list[int]
    skills: list[str | None]
    eligible: list[tuple[int, ...]]
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {tid: i for i, tid in enumerate(self.task_ids)}

    @property
    def n_tasks(self) -> int:
        return len(self.task_ids)

    def eligible_for(self, start: int, end: int, skill: str | None) -> tuple[int, ...]:
        # Every worker's `can_take` at once, vectorised (see solver.eligibility for why it is the same test).
        return eligibility.index_of(self.calendars).eligible(start, end, skill)

    def with_task(self, task_id: str, start: int, end: int, skill: str | None) -> Instance:
        """This instance plus one more untaken task (the candidate of a slot probe)."""
        return Instance(
            self.worker_ids, self.calendars,
            [*self.task_ids, task_id], [*self.starts, start], [*self.ends, end], [*self.skills, skill],
            [*self.eligible, self.eligible_for(start, end, skill)],
        )

    def fixing(self, task_index: int, worker: int) -> Instance:
        """The same instance with one untaken task allowed on `worker` only (a take, before it is written)."""
        eligible = list(self.eligible)
        eligible[task_index] = (worker,) if worker in self.eligible[task_index] else ()
        return Instance(self.worker_ids, self.calendars, self.task_ids, self.starts, self.ends, self.skills,
                        eligible)


def compile_scenario(scenario: Scenario) -> Instance:
    """Integer form of a *validated* scenario (see `solver.validate`)."""
    worker_ids = [w.id for w in scenario.workers]
    pos = {wid: i for i, wid in enumerate(worker_ids)}
    busy: list[list[tuple[int, int]]] = [[] for _ in worker_ids]
    for t in scenario.tasks:
        if t.worker_id is not None:
            busy[pos[t.worker_id]].append((epoch(t.start), epoch(t.end)))
    calendars = []
    for w, taken in zip(scenario.workers, busy, strict=True):
        shifts = sorted((epoch(s.start), epoch(s.end)) for s in w.shifts)
        taken.sort()
        calendars.append(WorkerCalendar(
            w.skills, [s for s, _ in shifts], [e for _, e in shifts],
            [s for s, _ in taken], [e for _, e in taken],
        ))
    untaken = [t for t in scenario.tasks if t.worker_id is None]
    inst = Instance(worker_ids, calendars, [t.id for t in untaken], [epoch(t.start) for t in untaken],
                    [epoch(t.end) for t in untaken], [t.skill for t in untaken], [])
    # Group identical (start, end, skill) so duplicates of a common task shape cost one scan.
    memo: dict[tuple[int, int, str | None], tuple[int, ...]] = {}
    for s, e, k in zip(inst.starts, inst.ends, inst.skills, strict=True):
        key = (s, e, k)
        if key not in memo:
            memo[key] = inst.eligible_for(s, e, k)
        inst.eligible.append(memo[key])
    return inst


def maximal_cliques(tasks: list[int], starts: list[int], ends: list[int]) -> list[list[int]]:
    """Maximal sets of mutually overlapping intervals among `tasks` (half-open intervals).

    In an interval graph every maximal clique is the set of intervals alive just after some start,
    taken at a start that is immediately followed (in sweep order) by an end: a sweep finds them all.
    """
    events: list[tuple[int, int, int]] = []
    for t in tasks:
        events.append((starts[t], 1, t))  # at equal times ends (0) sort before starts (1): half-open
        events.append((ends[t], 0, t))
    events.sort()
    alive: set[int] = set()
    out: list[list[int]] = []
    grew = False
    for _, kind, t in events:
        if kind == 1:
            alive.add(t)
            grew = True
        else:
            if grew and len(alive) > 1:
                out.append(sorted(alive))
            grew = False
            alive.discard(t)
    return out


def conflict_components(inst: Instance, tasks: list[int] | None = None) -> list[list[int]]:
    """Split tasks into groups that can be decided independently.

    Two untaken tasks constrain each other only if they overlap in time and share an eligible worker
    (the no-overlap constraint of that worker); the exactly-one constraint is per task. So the
    connected components of that conflict graph are independent sub-problems: the scenario is
    feasible iff every component is.
    """
    todo = list(range(inst.n_tasks)) if tasks is None else list(tasks)
    parent = {t: t for t in todo}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # Per worker, sweep its eligible tasks in start order; consecutive overlapping tasks are unioned
    # with the running group (each alive interval overlaps the one that keeps the group open).
    per_worker: dict[int, list[int]] = {}
    for t in todo:
        for w in inst.eligible[t]:
            per_worker.setdefault(w, []).append(t)
    for lst in per_worker.values():
        lst.sort(key=lambda t: inst.starts[t])
        open_task, open_end = -1, -1
        for t in lst:
            if inst.starts[t] < open_end:
                ra, rb = find(open_task), find(t)
                if ra != rb:
                    parent[ra] = rb
            if inst.ends[t] > open_end:
                open_task, open_end = t, inst.ends[t]
    groups: dict[int, list[int]] = {}
    for t in todo:
        groups.setdefault(find(t), []).append(t)
    return list(groups.values())


class TimeIndex:
    """Tasks of an instance by start time, to list those overlapping a window quickly."""

    def __init__(self, inst: Instance, tasks: list[int] | None = None) -> None:
        todo = range(inst.n_tasks) if tasks is None else tasks
        self.order = sorted(todo, key=lambda t: inst.starts[t])
        self.starts = [inst.starts[t] for t in self.order]
        self.ends = inst.ends
        self.max_len = max((inst.ends[t] - inst.starts[t] for t in self.order), default=0)

    def overlapping(self, lo: int, hi: int) -> list[int]:
        """Tasks whose [start, end) meets [lo, hi); no task is longer than `max_len`, so only starts in
        (lo - max_len, hi) need a look."""
        i = bisect.bisect_left(self.starts, lo - self.max_len)
        j = bisect.bisect_left(self.starts, hi)
        ends = self.ends
        return [t for t in self.order[i:j] if ends[t] > lo]
