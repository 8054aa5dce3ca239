"""The next slots across days: the contract's `next`, exactly the first `limit` slots of the per-day answers.

The base scenario is planned once for all days (a stored witness that is a complete plan is the proof).
Day by day, in order, the day's candidates are probed by the engine's `find_slots`, seeded with the base
plan and told to stop once the slots still wanted are found (`max_slots`), on small scenarios built
around the day instead of the whole horizon:

- F, the day's *free* tasks: those starting in the day or overlapping it (the new task, lying inside
  the day, can only overlap these);
- *pinned* = F plus every other task that overlaps a task of F, or starts on an operational day of a
  task of F and is planned on a worker with a limit, each given the workers the base plan gives it
  (all of its seats held). A plan of F + N there, with the base plan for every task not in it, is a
  plan of the whole scenario + N: the tasks left out neither overlap F nor N, and share no limited
  worker's day with them, and the base plan covers them. So a slot of *pinned* is a slot.
- *relaxed* = F alone (holders kept). It is the whole scenario with tasks dropped, and dropping tasks
  only removes constraints: a candidate that is no slot of *relaxed* is no slot.

*pinned* is probed first. A candidate it refuses (or leaves open) before its last wanted slot is then
settled: a refusal of *relaxed* (one `find_slots` pass when there are many), a Hall violator on
*relaxed* + N, or the engine's proof on *relaxed* + N, makes it no slot; of the rest, those a third
scenario finds slots (pinned like the first but with the neighbouring days' tasks free too: sound for
the same reason; one `find_slots` pass) are slots; any still open is decided on the whole scenario + N,
seeded with the base plan. One that runs out of time there is `undecided`, never a slot. With nothing
pinned, *pinned* is *relaxed*: its refusals stand as they are.

`options.budget` (None: none) caps the seconds of the whole answer: every check gets at most what is left,
and once it is spent the candidates of the days not yet searched are `undecided` too (the answer never
suggests that a day it did not search has no slot).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from solver.domain import Scenario, SlotAnswer, SlotQuery, Status, Task
from solver.explain import hall_start
from solver.fit import pinned
from solver.options import DEFAULT_OPTIONS, SolverOptions
from solver.oracle import Budget, Plan, Witness, decide
from solver.pinning import operational_days, pins_around
from solver.queries import NextQuery
from solver.slots import find_slots

_NEW_ID = "__next_new__"
FEW_PENDING = 6  # refusals to confirm one by one; more, and one find_slots pass on the relaxed scenario goes first


@dataclass(frozen=True)
class DaySlot:
    date: date
    start: datetime
    end: datetime


@dataclass
class NextAnswer:
    query: NextQuery
    feasible_base: bool | None
    uncovered: list[str] = field(default_factory=list)
    slots: list[DaySlot] = field(default_factory=list)
    undecided: list[DaySlot] = field(default_factory=list)


def day_query(query: NextQuery, day: date) -> SlotQuery:
    """The `slots` query of one day of a `next` query."""
    return SlotQuery(day, query.duration_minutes, query.step_minutes, query.skill, query.crew)


def next_slots(scenario: Scenario, query: NextQuery, options: SolverOptions = DEFAULT_OPTIONS, *,
               witness: Witness | None = None) -> NextAnswer:
    """The contract's `next` answer for a validated scenario (see the module docstring).

    `options` as for `find_slots` (its `max_slots` is set per day, its `budget` is the whole answer's);
    `witness` seeds the base plan."""
    budget = _Clock(None if options.budget is None else Budget(options.budget), options)
    base = decide(scenario, witness=witness, time_limit=budget.limit(options.base_time_limit), name_uncovered=True)
    if base.status is Status.INFEASIBLE:
        return NextAnswer(query, False, sorted(base.uncovered))
    duration = timedelta(minutes=query.duration_minutes)
    if base.status is Status.UNKNOWN:
        every = [DaySlot(d, s, s + duration) for d in query.dates() for s in day_query(query, d).candidates(scenario)]
        return NextAnswer(query, None, undecided=every)
    answer = NextAnswer(query, True)
    days = operational_days(scenario)  # once, not per day
    for day in query.dates():
        wanted = query.limit - len(answer.slots)
        if wanted <= 0:
            break
        if budget.spent():  # a day not searched: each of its candidates is open, none is refused
            answer.undecided.extend(DaySlot(day, s, s + duration) for s in day_query(query, day).candidates(scenario))
            continue
        _Day(scenario, base.plan, day_query(query, day), budget, days).collect(answer, wanted)
    return answer


@dataclass(frozen=True)
class _Clock:
    """The answer's budget (None: unbounded) and the options each check is run with inside it."""

    budget: Budget | None
    options: SolverOptions

    def limit(self, seconds: float) -> float:
        return seconds if self.budget is None else min(seconds, self.budget.left())

    def spent(self) -> bool:
        return self.budget is not None and self.budget.left() <= 0

    def probe_limit(self) -> float:
        return self.limit(self.options.probe_time_limit)

    def slot_options(self, wanted: int) -> SolverOptions:
        """`find_slots`' options for a pass wanting `wanted` slots, within what the budget has left."""
        if self.budget is None:
            return self.options.but(max_slots=wanted)
        left = self.budget.left()
        return self.options.but(max_slots=wanted, budget=left, base_time_limit=min(self.options.base_time_limit, left))


class _Day:
    """One day's probing on the pinned and relaxed scenarios; where they disagree, a pinned scenario over
    the day and its neighbours, then (rarely) the whole scenario decide."""

    def __init__(self, scenario: Scenario, plan: Plan, query: SlotQuery, clock: _Clock,
                 days: dict[str, date]) -> None:
        self.scenario, self.plan, self.query, self.clock, self.days = scenario, plan, query, clock, days
        day = query.date
        free, pins = split_day(scenario, plan, {day}, days)
        self.free = scenario.with_tasks(tuple(free))
        self.pinned = scenario.with_tasks((*free, *(pinned(t, plan[t.id]) for t in pins)))
        self.exact = not pins  # nothing pinned: the pinned scenario is the relaxed one, exact both ways
        self.wide: Scenario | None = None

    def _probe(self, sub: Scenario, wanted: int) -> tuple[SlotAnswer, datetime | None]:
        """Slots of `sub` up to the `wanted`-th, and the last candidate decided (None: all of them)."""
        ans = find_slots(sub, self.query, self.clock.slot_options(wanted), witness=self.plan)
        last = ans.slots[wanted - 1].start if len(ans.slots) >= wanted else None
        return ans, last

    def _wide(self) -> Scenario:
        """Pinned again, but with the neighbouring days' tasks free too (sound for "slot" as `pinned` is)."""
        if self.wide is None:
            day, one = self.query.date, timedelta(days=1)
            free, pins = split_day(self.scenario, self.plan, {day - one, day, day + one}, self.days)
            self.wide = self.scenario.with_tasks((*free, *(pinned(t, self.plan[t.id]) for t in pins)))
        return self.wide

    def collect(self, answer: NextAnswer, wanted: int) -> None:
        pin, pin_last = self._probe(self.pinned, wanted)
        candidates = self.query.candidates(self.scenario)
        cut = candidates if pin_last is None else [c for c in candidates if c <= pin_last]
        verdicts = {s.start: Status.FEASIBLE for s in pin.slots}
        open_ = {s.start for s in pin.undecided}
        pending = [c for c in cut if c not in verdicts and (c in open_ or not self.exact)]
        verdicts.update((c, Status.INFEASIBLE) for c in cut if c not in verdicts and c not in pending)
        if len(pending) > FEW_PENDING:  # many: one pass of the engine over the relaxed scenario first
            rel, rel_last = self._probe(self.free, wanted)
            maybe = {s.start for s in rel.slots} | {s.start for s in rel.undecided}
            verdicts.update((c, Status.INFEASIBLE) for c in pending
                            if c not in maybe and (rel_last is None or c <= rel_last))
            pending = [c for c in pending if c not in verdicts]
        verdicts.update((c, Status.INFEASIBLE) for c in pending if self._refuted(c))
        pending = [c for c in pending if c not in verdicts]
        if pending and not self.clock.spent():  # one pass over the wider pinned scenario settles slots among them
            wide, _ = self._probe(self._wide(), wanted)
            verdicts.update((s.start, Status.FEASIBLE) for s in wide.slots if s.start in set(pending))
        duration = timedelta(minutes=self.query.duration_minutes)
        for c in cut:
            verdict = verdicts[c] if c in verdicts else self._whole(c)  # still open: the whole decides
            slot = DaySlot(self.query.date, c, c + duration)
            if verdict is Status.FEASIBLE:
                answer.slots.append(slot)
                if len(answer.slots) >= answer.query.limit:
                    return
            elif verdict is Status.UNKNOWN:
                answer.undecided.append(slot)

    def _refuted(self, start: datetime) -> bool:
        """Proven no slot on the relaxed scenario: a Hall violator, else the engine's proof."""
        if self.clock.spent():  # no time for the proof: the candidate stays open
            return False
        new = self.query.new_task(_NEW_ID, start)
        if hall_start(self.free, new) is not None:
            return True
        relaxed = decide(self.free.with_tasks((*self.free.tasks, new)), witness=self.plan,
                         time_limit=self.clock.probe_limit())
        return relaxed.status is Status.INFEASIBLE

    def _whole(self, start: datetime) -> Status:
        if self.clock.spent():
            return Status.UNKNOWN
        new = self.query.new_task(_NEW_ID, start)
        return decide(self.scenario.with_tasks((*self.scenario.tasks, new)), witness=self.plan,
                      time_limit=self.clock.probe_limit()).status


def split_day(scenario: Scenario, plan: Plan, free_days: set[date], days: dict[str, date]
              ) -> tuple[list[Task], list[Task]]:
    """(free, pinned) tasks of some consecutive days, as the module docstring defines them for one day;
    `days`: each task's operational day."""
    lo, hi = scenario.calendar.bounds(min(free_days))[0], scenario.calendar.bounds(max(free_days))[1]
    free = [t for t in scenario.tasks if days[t.id] in free_days or (t.start < hi and lo < t.end)]
    return free, pins_around(scenario, plan, free, days)
