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


@dataclass(frozen=True)
class Worker:
    id: str
    name: str | None = None
    skills: frozenset[str] = frozenset()
    shifts: tuple[Shift, ...] = ()


@dataclass(frozen=True)
class Task:
    id: str
    start: datetime
    end: datetime
    skill: str | None = None
    worker_id: str | None = None

    @property
    def taken(self) -> bool:
        return self.worker_id is not None


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

    def __post_init__(self) -> None:
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
    feasible_base: bool
    uncovered: list[str]
    slots: list[Slot]
    undecided: list[Slot]
    stats: ProbeStats = field(default_factory=ProbeStats)


@dataclass
class PlanResult:
    """Feasibility of a scenario with, when feasible, an assignment of every untaken task.

    When infeasible, `uncovered` lists the fewest untaken tasks the solver could leave out so that
    the rest fit (provably fewest when `optimal` is true).
    """

    status: Status
    assignment: dict[str, str]
    uncovered: list[str]
    optimal: bool = True
    seconds: float = 0.0
