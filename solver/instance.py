"""A scenario compiled to integers: the form every engine (CP-SAT, shortcuts, greedy) works on.

Times become integer microseconds since the Unix epoch (exact: no input is ever rounded).

Items are *open seats*. A task of a crew needs `count` seats of each crew entry; seats its holders
keep are folded away, and every other seat becomes one item with the task's interval. Seats of one
task have identical intervals, so per-worker no-overlap already forbids one worker on two seats of a
task, and holders are busy on their task (they are in the worker's taken intervals). An item is
*eligible* for a worker when the task fits one of the worker's shifts, the worker has the seat's
skill, and it does not overlap a task the worker already holds.

Holders whose skills fit exactly one crew entry (after the entries their fellow holders fill up) are
fixed to that entry, so each open seat has a definite skill. A task where a holder could still sit in
two entries is *flexible*: its open seats get the union of the entries' eligible workers (a
relaxation, sound for every "no plan" argument), `entry` is -1 for them, and an exact check of the
holders' seat choice (`TaskInfo.crew_ok`) is part of every certificate test. The CP-SAT model states
it exactly (see `solver.model`).

Daily limits: `limits[w] = (max seats, max ticks)` per operational day of the task's start, `used`
what the holders already spend per (worker, day), `days[i]` the day (ordinal) of item i.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from solver import eligibility
from solver.domain import CrewEntry, Scenario, Task
from solver.options import TICKS_PER_SECOND
from solver.validate import match_seats

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TICKS_PER_MINUTE = 60 * TICKS_PER_SECOND
__all__ = ["TICKS_PER_SECOND", "Instance", "TaskInfo", "compile_scenario", "epoch"]


def epoch(dt: datetime) -> int:
    """Exact integer microseconds since the epoch (float timestamps would round sub-second input)."""
    return (dt - _EPOCH) // timedelta(microseconds=1)


@dataclass
class WorkerCalendar:
    """One worker's shifts and taken tasks as sorted integer intervals, for fast eligibility tests."""

    skills: frozenset[str]
    shift_starts: list[int]
    shift_ends: list[int]
    busy_starts: list[int]  # held tasks, sorted by start; they never overlap each other (validated)
    busy_ends: list[int]

    def fits_time(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.shift_starts, start) - 1
        return i >= 0 and self.shift_ends[i] >= end

    def is_free(self, start: int, end: int) -> bool:
        # Held tasks are disjoint and sorted, so their ends are sorted too.
        j = bisect.bisect_right(self.busy_ends, start)
        return not (j < len(self.busy_starts) and self.busy_starts[j] < end)

    def can_take(self, start: int, end: int, skill: str | None) -> bool:
        if skill is not None and skill not in self.skills:
            return False
        return self.fits_time(start, end) and self.is_free(start, end)


@dataclass(frozen=True)
class TaskInfo:
    """A task with open seats: what the CP-SAT model and the exact checks need beyond its items.

    `need[e]`: open seats of crew entry e once the fixed holders sit; `flex_holders`: per holder who could
    still sit in several entries, those entries (their seats are among `need`); `entry_eligible[e]`:
    workers who fit entry e; `seats`: the item indices.
    """

    id: str
    crew: tuple[CrewEntry, ...]
    holders: tuple[int, ...]  # worker indices of all holders
    need: tuple[int, ...]
    flex_holders: tuple[tuple[int, ...], ...]
    entry_eligible: tuple[tuple[int, ...], ...]
    seats: tuple[int, ...]

    @property
    def flexible(self) -> bool:
        return bool(self.flex_holders)

    def crew_ok(self, workers: list[int], skills: list[frozenset[str]]) -> bool:
        """Holders plus these seat workers can take distinct seats whose skills they have."""
        if not self.flexible:
            return True
        return match_seats([skills[w] for w in (*self.holders, *workers)], self.crew) is not None


@dataclass
class Instance:
    """Open seats (index = position) with their eligible workers (indices into `worker_ids`)."""

    worker_ids: list[str]
    calendars: list[WorkerCalendar]
    task_ids: list[str]  # the task each item is a seat of
    starts: list[int]
    ends: list[int]
    skills: list[str | None]
    eligible: list[tuple[int, ...]]
    owner: list[int] = field(default_factory=list)  # item -> index into `tasks`
    entry: list[int] = field(default_factory=list)  # item -> crew entry, -1 on a flexible task
    days: list[int] = field(default_factory=list)  # item -> operational day (ordinal); 0 without limits
    tasks: list[TaskInfo] = field(default_factory=list)
    limits: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)  # w -> (seats, ticks)
    used: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # holders' (seats, ticks)

    def __post_init__(self) -> None:
        if not self.tasks:  # a plain one-seat-per-task instance (tests, callers building one by hand)
            self.owner = list(range(len(self.task_ids)))
            self.entry = [0] * len(self.task_ids)
            self.days = [0] * len(self.task_ids)
            self.tasks = [TaskInfo(tid, (CrewEntry(k, 1),), (), (1,), (), (el,), (i,))
                          for i, (tid, k, el) in enumerate(zip(self.task_ids, self.skills, self.eligible, strict=True))]

    @functools.cached_property
    def index(self) -> dict[str, int]:
        """Task id -> index into `tasks`; built on first use (a slot probe's `with_task` and a window's
        `restrict` make an instance each, and most never ask)."""
        return {t.id: i for i, t in enumerate(self.tasks)}

    @functools.cached_property
    def time_breaks(self) -> list[int]:
        """Every item's start and end, sorted, each once: the edges of the time slots of `masks`."""
        return sorted({*self.starts, *self.ends})

    @functools.cached_property
    def masks(self) -> list[int]:
        """Each item's interval as a set of time slots (`span_mask`): two items overlap exactly when their
        masks share a bit, so a worker's whole occupancy is one integer (`solver.assign.Assignment.busy`)."""
        breaks = self.time_breaks
        return [span_mask(breaks, s, e) for s, e in zip(self.starts, self.ends, strict=True)]

    def _derived(self, child: Instance, extra: list[int] | None = None) -> Instance:
        """`child` (these items, plus `extra` masks for items appended) sharing this instance's time slots,
        so that an `Assignment` can move between them (`Assignment.extended`)."""
        masks = self.masks
        child.__dict__["time_breaks"] = self.time_breaks
        child.__dict__["masks"] = masks if extra is None else [*masks, *extra]
        return child

    @property
    def n_tasks(self) -> int:
        """Number of items (open seats)."""
        return len(self.task_ids)

    @property
    def flexible(self) -> bool:
        return any(t.flexible for t in self.tasks)

    def eligible_for(self, start: int, end: int, skill: str | None) -> tuple[int, ...]:
        # Every worker's `can_take` at once, vectorised (see solver.eligibility for why it is the same test).
        return eligibility.index_of(self.calendars).eligible(start, end, skill)

    def eligible_many(self, spans: list[tuple[int, int]], skill: str | None) -> list[tuple[int, ...]]:
        """`eligible_for` of each (start, end) span, in one vectorised pass."""
        return eligibility.index_of(self.calendars).eligible_many([s for s, _ in spans], [e for _, e in spans], skill)

    def allowed(self, t: int, e: int) -> tuple[int, ...]:
        """Workers who may take a seat of crew entry e of task t: its items' eligibility (a caller may have
        narrowed it, see `restrict`); on a flexible task, the entry's workers among its seats' union."""
        info = self.tasks[t]
        if info.flexible:
            mask = set(self.eligible[info.seats[0]])
            return tuple(w for w in info.entry_eligible[e] if w in mask)
        return next(self.eligible[i] for i in info.seats if self.entry[i] == e)

    def pairs(self, items: list[int]) -> int:
        """(item, worker) pairs, i.e. Booleans, of a CP-SAT model of these items (its size, before cliques)."""
        return sum(len(self.eligible[i]) for i in items)

    def seat_lists(self, items: list[int] | None = None) -> dict[int, list[int]]:
        """Task index -> its items among `items` (default all)."""
        out: dict[int, list[int]] = {}
        for i in range(self.n_tasks) if items is None else items:
            out.setdefault(self.owner[i], []).append(i)
        return out

    def with_task(self, task_id: str, start: int, end: int, skill: str | None, *,
                  crew: tuple[CrewEntry, ...] | None = None, day: int = 0,
                  eligible: list[tuple[int, ...]] | None = None) -> Instance:
        """This instance plus one more untaken task (the candidate of a slot probe); its seats come last.
        `eligible`: each crew entry's `eligible_for` (start, end), when the caller has it already."""
        crew = crew or (CrewEntry(skill, 1),)
        elig = tuple(eligible) if eligible is not None else tuple(self.eligible_for(start, end, c.skill) for c in crew)
        n, k = self.n_tasks, sum(c.count for c in crew)
        seats = tuple(range(n, n + k))
        info = TaskInfo(task_id, crew, (), tuple(c.count for c in crew), (), elig, seats)
        entries = [e for e, c in enumerate(crew) for _ in range(c.count)]
        child = Instance(
            self.worker_ids, self.calendars,
            [*self.task_ids, *([task_id] * k)], [*self.starts, *([start] * k)], [*self.ends, *([end] * k)],
            [*self.skills, *(crew[e].skill for e in entries)], [*self.eligible, *(elig[e] for e in entries)],
            [*self.owner, *([len(self.tasks)] * k)], [*self.entry, *entries], [*self.days, *([day] * k)],
            [*self.tasks, info], self.limits, self.used,
        )
        return self._derived(child, [span_mask(self.time_breaks, start, end)] * k)

    def restrict(self, eligible: list[tuple[int, ...]]) -> Instance:
        """The same items with narrower eligible workers (each a subset of the item's own)."""
        return self._derived(Instance(self.worker_ids, self.calendars, self.task_ids, self.starts, self.ends,
                                      self.skills, eligible, self.owner, self.entry, self.days, self.tasks,
                                      self.limits, self.used))

    def fixing(self, task_index: int, worker: int) -> Instance:
        """The same instance with one item allowed on `worker` only (a take, before it is written)."""
        eligible = list(self.eligible)
        eligible[task_index] = (worker,) if worker in self.eligible[task_index] else ()
        return self.restrict(eligible)

    # -- limits ------------------------------------------------------------------------------------
    def cap(self, w: int, day: int) -> tuple[int | None, int | None]:
        """What worker w may still hold on `day` besides its holders' seats (None: unlimited)."""
        limit = self.limits.get(w)
        if limit is None:
            return None, None
        seats, ticks = self.used.get((w, day), (0, 0))
        return (None if limit[0] is None else limit[0] - seats, None if limit[1] is None else limit[1] - ticks)


def span_mask(breaks: list[int], start: int, end: int) -> int:
    """[start, end) as the bits of the time slots it meets, slot j being [breaks[j - 1], breaks[j]) (slot 0
    and the last slot reach to -inf and +inf). Exact for overlap: an interval whose ends are both in `breaks`
    covers whole slots, so it meets [start, end) exactly when it covers a slot [start, end) meets, i.e. when
    the masks share a bit; two intervals of the same (start, end) share a bit as they share time. An empty
    interval gets every bit: "busy" for every test, which only costs a move (nothing claims free wrongly)."""
    if end <= start:
        return -1
    lo, hi = bisect.bisect_right(breaks, start), bisect.bisect_left(breaks, end)
    return ((1 << (hi - lo + 1)) - 1) << lo


def _seat_entries(task: Task, holders: list[int], skills: list[frozenset[str]]) -> tuple[list[int], list[list[int]]]:
    """Open seats per entry once the holders forced into one entry sit, and the still-undecided holders'
    entries (see the module docstring; exact: only forced choices are made)."""
    need = [c.count for c in task.crew]
    undecided = [[e for e, c in enumerate(task.crew) if c.skill is None or c.skill in skills[h]] for h in holders]
    changed = True
    while changed:
        changed = False
        for h, usable in enumerate(undecided):
            usable[:] = [e for e in usable if need[e] > 0]
            if len(usable) == 1:
                need[usable[0]] -= 1
                undecided[h] = []
                changed = True
    return need, [u for u in undecided if u]


def _day_ordinals(scenario: Scenario, tasks: list[Task]) -> dict[str, int]:
    day_of = scenario.calendar.day_of
    return {t.id: day_of(t.start).toordinal() for t in tasks}


ELIGIBILITY_CELLS = 1 << 20  # (task shape x shift) booleans up to which a day's eligibility is one pass per skill


def _eligibility(inst: Instance, shapes: list[tuple[int, int, str | None]]) -> dict[tuple[int, int, str | None],
                                                                                  tuple[int, ...]]:
    """The eligible workers of each distinct (start, end, skill): one vectorised pass per skill
    (`Instance.eligible_many`) where one call per shape was a third of a 10-worker day's compile time
    (and 15 % of an L day's); one call per shape above `ELIGIBILITY_CELLS`, where the passes' arrays
    would be big and were no faster (2,000 workers)."""
    distinct = list(dict.fromkeys(shapes))
    shifts = sum(len(c.shift_starts) + len(c.busy_starts) for c in inst.calendars)
    if len(distinct) * shifts > ELIGIBILITY_CELLS:
        return {shape: inst.eligible_for(*shape) for shape in distinct}
    by_skill: dict[str | None, list[tuple[int, int]]] = {}
    for s, e, skill in distinct:
        by_skill.setdefault(skill, []).append((s, e))
    return {(s, e, skill): ws for skill, spans in by_skill.items()
            for (s, e), ws in zip(spans, inst.eligible_many(spans, skill), strict=True)}


def compile_scenario(scenario: Scenario) -> Instance:
    """Integer form of a *validated* scenario (see `solver.validate`)."""
    worker_ids = [w.id for w in scenario.workers]
    pos = {wid: i for i, wid in enumerate(worker_ids)}
    limited = any(w.limited for w in scenario.workers)
    days = _day_ordinals(scenario, list(scenario.tasks)) if limited else {}
    busy: list[list[tuple[int, int]]] = [[] for _ in worker_ids]
    used: dict[tuple[int, int], tuple[int, int]] = {}
    spans = [(t, epoch(t.start), epoch(t.end)) for t in scenario.tasks]
    for t, s, e in spans:
        for h in t.holders:
            busy[pos[h]].append((s, e))
            if limited:
                key = (pos[h], days[t.id])
                seats, ticks = used.get(key, (0, 0))
                used[key] = (seats + 1, ticks + e - s)
    calendars = []
    for w, taken in zip(scenario.workers, busy, strict=True):
        shifts = sorted((epoch(s.start), epoch(s.end)) for s in w.shifts)
        taken.sort()
        calendars.append(WorkerCalendar(w.skills, [s for s, _ in shifts], [e for _, e in shifts],
                                        [s for s, _ in taken], [e for _, e in taken]))
    limits = {i: (w.max_tasks, None if w.max_minutes is None else w.max_minutes * TICKS_PER_MINUTE)
              for i, w in enumerate(scenario.workers) if w.limited}
    inst = Instance(worker_ids, calendars, [], [], [], [], [], [], [], [], [], limits, used)
    skills = [c.skills for c in calendars]
    open_tasks = [(t, s, e) for t, s, e in spans if t.open_seats]
    memo = _eligibility(inst, [(s, e, c.skill) for t, s, e in open_tasks for c in t.crew])
    for t, s, e in open_tasks:
        holders = [pos[h] for h in t.holders]
        need, flex = _seat_entries(t, holders, skills)
        elig = [memo[s, e, c.skill] for c in t.crew]
        entries = [ek for ek, n in enumerate(need) for _ in range(n)]
        if flex:  # open seats: the union of the entries that still have seats (the model is exact)
            union = tuple(sorted({w for ek, n in enumerate(need) if n for w in elig[ek]}))
            entries = [-1] * (sum(need) - len(flex))
        first = inst.n_tasks
        inst.tasks.append(TaskInfo(t.id, t.crew, tuple(holders), tuple(need), tuple(tuple(f) for f in flex),
                                   tuple(elig), tuple(range(first, first + len(entries)))))
        for ek in entries:
            inst.task_ids.append(t.id)
            inst.starts.append(s)
            inst.ends.append(e)
            inst.skills.append(t.crew[ek].skill if ek >= 0 else None)
            inst.eligible.append(elig[ek] if ek >= 0 else union)
            inst.owner.append(len(inst.tasks) - 1)
            inst.entry.append(ek)
            inst.days.append(days.get(t.id, 0))
    return inst


def maximal_cliques(keys: list[int], starts: Mapping[int, int], ends: Mapping[int, int]) -> list[list[int]]:
    """Maximal sets (of two or more) of mutually overlapping half-open intervals: key k is the interval
    [starts[k], ends[k]), and `keys` come in start order.

    In an interval graph every maximal clique is the set of intervals alive just after some start that is
    immediately followed (in sweep order) by an end: a sweep finds them all. The keys come sorted, so the
    sweep needs no event sort (the model runs it for every worker of every window model).
    """
    out: list[list[int]] = []
    alive: list[int] = []
    first_end = 0  # the earliest end among `alive` (when it is not empty)
    grew = False
    for k in keys:
        s = starts[k]
        if alive and first_end <= s:  # ends at s come before the start at s: half-open
            if grew and len(alive) > 1:
                out.append(alive)
            alive = [u for u in alive if ends[u] > s]
            first_end = min([ends[u] for u in alive], default=0)
            grew = False
        if not alive or ends[k] < first_end:
            first_end = ends[k]
        alive.append(k)
        grew = True
    if grew and len(alive) > 1:
        out.append(alive)
    return out


class _Forest:
    """Union-find over item indices."""

    def __init__(self, items: list[int]) -> None:
        self.parent = {t: t for t in items}

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def _sweep_overlaps(inst: Instance, items: list[int], forest: _Forest) -> None:
    """Sweep one worker's items in start order; consecutive overlapping items are unioned with the
    running group (each alive interval overlaps the one that keeps the group open)."""
    items.sort(key=lambda t: inst.starts[t])
    open_task, open_end = -1, -1
    for t in items:
        if inst.starts[t] < open_end:
            forest.union(open_task, t)
        if inst.ends[t] > open_end:
            open_task, open_end = t, inst.ends[t]


def conflict_components(inst: Instance, tasks: list[int] | None = None) -> list[list[int]]:
    """Split items into groups that can be decided independently.

    Two items constrain each other only if they overlap in time and share an eligible worker (the
    no-overlap constraint of that worker), are seats of one task (its seat counts and holders), or may
    both go to one limited worker on one operational day (that worker's limit row). So the connected
    components of that graph are independent sub-problems: the scenario is feasible iff every one is.
    """
    todo = list(range(inst.n_tasks)) if tasks is None else list(tasks)
    forest = _Forest(todo)
    per_worker: dict[int, list[int]] = {}
    first_seat: dict[int, int] = {}  # seats of one task decide together (a flexible task's holders)
    limited: dict[tuple[int, int], int] = {}  # a limited worker's day: its items share one linear row
    for t in todo:
        forest.union(t, first_seat.setdefault(inst.owner[t], t))
        for w in inst.eligible[t]:
            per_worker.setdefault(w, []).append(t)
            if w in inst.limits:
                forest.union(t, limited.setdefault((w, inst.days[t]), t))
    for items in per_worker.values():
        _sweep_overlaps(inst, items, forest)
    groups: dict[int, list[int]] = {}
    for t in todo:
        groups.setdefault(forest.find(t), []).append(t)
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
