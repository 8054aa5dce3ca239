"""Domain dataclasses: what a scenario, a slot query and their answers are.

Everything here is plain data. Datetimes are timezone-aware; the scenario's zone is only needed to
interpret wall-clock input, to find the operational day and to print answers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from solver.calendar import (  # noqa: F401  (re-exported: the domain's vocabulary)
    DEFAULT_DAY_START,
    DEFAULT_STEP_MINUTES,
    DEFAULT_TIMEZONE,
    MAX_DURATION_MINUTES,
    MAX_STEP_MINUTES,
    MIN_DURATION_MINUTES,
    MIN_STEP_MINUTES,
    OperationalCalendar,
    day_start_instant,
    wall_time_exists,
)


class InvalidInput(ValueError):
    """Input that breaks the contract's rules by itself (not an infeasible plan).

    `field` names where the problem is (a JSON path such as ``tasks[2].end`` or a query parameter),
    `ids` the offending worker / task ids, so HTTP and CLI can both report them.
    """

    def __init__(self, message: str, *, field: str | None = None, ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.ids = tuple(ids)


class Status(enum.Enum):
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"  # a time limit stopped the search before it decided


@dataclass(frozen=True)
class Shift:
    start: datetime
    end: datetime


MIN_CREW_COUNT, MAX_CREW_COUNT = 1, 20  # the contract's bounds on one crew entry's count


@dataclass(frozen=True)
class CrewEntry:
    """`count` seats that each need `skill` (None: anyone)."""

    skill: str | None
    count: int


def check_crew(crew: tuple[CrewEntry, ...], where: str) -> None:
    """The contract's rules for a crew (a task's or a slot query's); raises `InvalidInput` naming `where`."""
    if not crew:
        raise InvalidInput(f"{where}: crew must not be empty", field=where)
    skills = [c.skill for c in crew]
    dup = sorted({str(k) for k in skills if skills.count(k) > 1})
    if dup:
        raise InvalidInput(f"{where}: crew lists skill {', '.join(dup)} more than once (merge the entries)",
                           field=where)
    bad = [c.count for c in crew if not MIN_CREW_COUNT <= c.count <= MAX_CREW_COUNT]
    if bad:
        raise InvalidInput(f"{where}: crew counts must be between {MIN_CREW_COUNT} and {MAX_CREW_COUNT},"
                           f" got {bad[0]}", field=where)


@dataclass(frozen=True)
class Worker:
    id: str
    name: str | None = None
    skills: frozenset[str] = frozenset()
    shifts: tuple[Shift, ...] = ()
    max_tasks: int | None = None  # most seats held that start in one operational day (None: no limit)
    max_minutes: int | None = None  # most minutes of such seats

    @property
    def limited(self) -> bool:
        return self.max_tasks is not None or self.max_minutes is not None

    def has(self, skill: str | None) -> bool:
        return skill is None or skill in self.skills


@dataclass(frozen=True)
class Task:
    """A task of `crew` seats; `holders` already hold seats of it (v1: `worker_id`, one seat of `skill`).

    After construction `crew` is never empty (absent: one seat with `skill`) and `holders` is
    `(worker_id,)` when only `worker_id` was given.
    """

    id: str
    start: datetime
    end: datetime
    skill: str | None = None
    worker_id: str | None = None
    crew: tuple[CrewEntry, ...] = ()
    holders: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.crew:
            object.__setattr__(self, "crew", (CrewEntry(self.skill, 1),))
        if not self.holders and self.worker_id is not None:
            object.__setattr__(self, "holders", (self.worker_id,))

    @property
    def taken(self) -> bool:
        """Some seat is held (v1: the task is taken)."""
        return bool(self.holders)

    @property
    def seats(self) -> int:
        return sum(c.count for c in self.crew)

    @property
    def open_seats(self) -> int:
        return self.seats - len(self.holders)

    @property
    def minutes(self) -> float:
        return (self.end - self.start) / timedelta(minutes=1)


@dataclass(frozen=True)
class Scenario:
    timezone: str = DEFAULT_TIMEZONE
    day_start: time = DEFAULT_DAY_START
    workers: tuple[Worker, ...] = ()
    tasks: tuple[Task, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def calendar(self) -> OperationalCalendar:
        return OperationalCalendar(self.timezone, self.day_start)

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The operational day as [start, end) instants (see `solver.calendar`)."""
        return self.calendar.bounds(day)

    def with_tasks(self, tasks: tuple[Task, ...]) -> Scenario:
        return Scenario(self.timezone, self.day_start, self.workers, tasks)


@dataclass(frozen=True)
class SlotQuery:
    date: date
    duration_minutes: int
    step_minutes: int = DEFAULT_STEP_MINUTES
    skill: str | None = None
    crew: tuple[CrewEntry, ...] | None = None  # replaces `skill` (v2)

    def __post_init__(self) -> None:
        if self.crew is not None:
            if self.skill is not None:
                raise InvalidInput("give either skill or crew, not both", field="crew")
            check_crew(self.crew, "crew")
        if not MIN_DURATION_MINUTES <= self.duration_minutes <= MAX_DURATION_MINUTES:
            raise InvalidInput(
                f"duration_minutes must be between {MIN_DURATION_MINUTES} and {MAX_DURATION_MINUTES},"
                f" got {self.duration_minutes}",
                field="duration_minutes",
            )
        if not MIN_STEP_MINUTES <= self.step_minutes <= MAX_STEP_MINUTES:
            raise InvalidInput(
                f"step_minutes must be between {MIN_STEP_MINUTES} and {MAX_STEP_MINUTES},"
                f" got {self.step_minutes}",
                field="step_minutes",
            )

    @property
    def seats(self) -> tuple[CrewEntry, ...]:
        """The new task's crew (a v1 query: one seat with `skill`)."""
        return self.crew if self.crew is not None else (CrewEntry(self.skill, 1),)

    def new_task(self, task_id: str, start: datetime) -> Task:
        """The query's new untaken task starting at `start`."""
        return Task(task_id, start, start + timedelta(minutes=self.duration_minutes), self.skill,
                    crew=self.seats)

    def candidates(self, scenario: Scenario) -> list[datetime]:
        """Candidate starts: day start + k * step while the task still ends inside the day."""
        day_begin, day_end = scenario.day_bounds(self.date)
        step = timedelta(minutes=self.step_minutes)
        duration = timedelta(minutes=self.duration_minutes)
        out: list[datetime] = []
        # Arithmetic on absolute (UTC) instants, so a 25 h day has more candidates than a 23 h one.
        s = day_begin.astimezone(ZoneInfo("UTC"))
        end_utc = day_end.astimezone(ZoneInfo("UTC"))
        while s + duration <= end_utc:
            out.append(s)
            s = s + step
        return out


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


@dataclass
class ProbeStats:
    """How a slot answer was reached; for benchmarks and logs, not part of the contract."""

    candidates: int = 0
    by_certificate: int = 0  # a known assignment plus one free worker proved it a slot
    by_repair: int = 0  # moving a few untaken tasks proved it a slot
    by_guide: int = 0  # the plan of an earlier query for this start, mended to today's data, proved it a slot
    by_necessary_condition: int = 0  # a Hall / matching argument proved it infeasible
    by_equivalence: int = 0  # same structure as an already decided candidate
    by_neighbourhood: int = 0  # CP-SAT on the tasks near the candidate, the rest pinned, found a plan
    by_solver: int = 0  # decided by CP-SAT
    solver_calls: int = 0
    undecided: int = 0
    seconds: float = 0.0


@dataclass
class SlotAnswer:
    query: SlotQuery
    feasible_base: bool | None  # None: the engine could not decide the day without the new task
    uncovered: list[str]
    slots: list[Slot]
    undecided: list[Slot]
    stats: ProbeStats = field(default_factory=ProbeStats)
    # Not part of the contract: the plans of the slots that took windows or a model to find, given back to
    # `find_slots` on a later query of the same day (see `Guides`).
    guides: Guides | None = None


NamedPlan = dict[str, tuple[str, ...]]  # task id -> the workers of its open seats


@dataclass(frozen=True)
class Guides:
    """What a slot query learned for the next one on the same day: `base`, the day's plan it started from,
    and `plans`, per start whose plan took windows or a model to find, how that plan (without the new task)
    differs from `base` (each task it puts elsewhere, with the workers of all its open seats), and `new`, per
    such start, the workers that plan gave the new task's seats. `cheap`: the starts of `plans` whose plan a
    repair found (ejection chains, no window or model): `solver.slots` replays their moves (step 2b) but does
    not rebuild the day for them (step 4b). Only hints: `solver.slots` checks whatever it builds from them, so
    stale or foreign guides cost a little time, never a verdict."""

    base: NamedPlan
    plans: dict[datetime, NamedPlan]
    new: dict[datetime, tuple[str, ...]] = field(default_factory=dict)
    cheap: frozenset[datetime] = frozenset()


@dataclass
class PlanResult:
    """Feasibility of a scenario with, when feasible, every task's workers for all its seats.

    `assignment` maps each task id to its workers (holders included). Only when INFEASIBLE (a proof),
    `uncovered` lists the fewest tasks with open seats the solver could leave out so that the rest fit
    (provably fewest when `optimal` is true). UNKNOWN never reads as infeasible.
    """

    status: Status
    assignment: dict[str, tuple[str, ...]]
    uncovered: list[str]
    optimal: bool = True
    seconds: float = 0.0
