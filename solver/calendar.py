"""The operational-day calendar and the limits of the contract: one home for each rule.

Every layer (solver, CLI, service, benchmarks, web page) imports these; none keeps a copy.

- The operational day D runs from D at `day_start` (local) to D+1 at `day_start` (exclusive); on a DST
  change day it is 23 or 25 hours long.
- A task belongs to the operational day of its start.
- A worker is employed on day D when `hire_date <= D <= fire_date` (either bound may be absent). Whether a
  task may go to a worker is judged on the operational day of the *task*, not of the shift holding it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# --- the contract's limits (one place) ------------------------------------------------------------------
MIN_DURATION_MINUTES = 30
MAX_DURATION_MINUTES = 240
MIN_STEP_MINUTES = 1
MAX_STEP_MINUTES = 240
DEFAULT_STEP_MINUTES = 15
DEFAULT_DAY_START = time(3, 0)
DEFAULT_TIMEZONE = "UTC"  # the contract's default for a scenario document
# Years far from now would overflow `datetime` when shifted by a zone offset or a day; they are refused as
# input errors instead (no schedule lives there).
MIN_YEAR, MAX_YEAR = 1900, 9000

Window = tuple[datetime, datetime]


def day_start_instant(day: date, day_start: time, zone: ZoneInfo) -> datetime:
    """`day` at `day_start` wall-clock time in `zone`.

    If DST makes that wall time ambiguous we take the first occurrence (fold=0); if it does not exist
    (clocks jump over it) we take the instant the clocks jump at, so the day starts where the wall
    clock first shows a time at or after `day_start`.
    """
    local = datetime.combine(day, day_start, tzinfo=zone)
    if wall_time_exists(local):
        return local
    # In a gap, fold=1 reads the wall time with the offset after the jump and fold=0 with the one
    # before, which bracket the jump instant; bisect (whole seconds) for the first instant whose wall
    # time has reached `day_start`.
    lo = local.replace(fold=1).astimezone(UTC)
    hi = local.replace(fold=0).astimezone(UTC)
    lo, hi = min(lo, hi), max(lo, hi)
    target = local.replace(tzinfo=None)
    while (hi - lo) > timedelta(seconds=1):
        mid = lo + (hi - lo) // 2
        if mid.astimezone(zone).replace(tzinfo=None) >= target:
            hi = mid
        else:
            lo = mid
    return hi.astimezone(zone)


def wall_time_exists(local: datetime) -> bool:
    """False for a wall-clock time that a DST jump skips (e.g. 02:30 on a spring-forward night)."""
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


@functools.lru_cache(maxsize=4096)
def _day_bounds(timezone: str, day_start: time, day: date) -> Window:
    """`OperationalCalendar.bounds`, remembered: a pure function of its arguments (the zone's rules do not
    change while the process runs), and `day_of` asks it of every task a request reads, twice per task
    uncached (~20 us each: a fifth of the guard's own Python on an L day's take)."""
    zone = ZoneInfo(timezone)
    return (day_start_instant(day, day_start, zone), day_start_instant(day + timedelta(days=1), day_start, zone))


class SkippedWallTime(ValueError):
    """A wall-clock time without an offset that the zone's DST jump skips; the caller names the field."""


def employed(hire_date: date | None, fire_date: date | None, day: date) -> bool:
    """Whether a worker hired on `hire_date` and fired on `fire_date` (inclusive, None = open) works on `day`."""
    return (hire_date is None or hire_date <= day) and (fire_date is None or day <= fire_date)


@dataclass(frozen=True)
class OperationalCalendar:
    """A zone and the operational day's start: which day an instant belongs to, and each day's bounds."""

    timezone: str = DEFAULT_TIMEZONE
    day_start: time = DEFAULT_DAY_START

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def bounds(self, day: date) -> Window:
        """The operational day as [start, end) instants (23 or 25 h long on DST change days)."""
        return _day_bounds(self.timezone, self.day_start, day)

    def day_of(self, instant: datetime) -> date:
        """The operational day containing `instant` (a task belongs to the day of its start)."""
        local = instant.astimezone(self.zone).date()
        for day in (local, local - timedelta(days=1)):
            lo, hi = self.bounds(day)
            if lo <= instant < hi:
                return day
        return local

    def days(self, window: Window) -> list[date]:
        """Operational days that overlap [lo, hi) (at least the day of lo)."""
        lo, hi = window
        day, out = self.day_of(lo), []
        while self.bounds(day)[0] < hi:
            out.append(day)
            day += timedelta(days=1)
        return out or [self.day_of(lo)]

    def aware(self, value: datetime) -> datetime:
        """Input without an offset is wall-clock time in this zone; a wall time DST skips is refused."""
        if value.tzinfo is not None:
            return value
        local = value.replace(tzinfo=self.zone)
        if not wall_time_exists(local):
            raise SkippedWallTime(f"{value.isoformat()} does not exist in {self.timezone} (clocks skip it);"
                                  " give an offset")
        return local

    def employment_window(self, hire_date: date | None, fire_date: date | None) -> Window | None:
        """The instants whose operational day is within [hire_date, fire_date]; None bound = unbounded.

        A task may go to a worker only if its start lies in this window (the task's day decides, not the
        shift's): a night shift from the fire date into the next morning does not let a task after the
        fire date through. Returns None when unbounded on both sides.
        """
        if hire_date is None and fire_date is None:
            return None
        lo = self.bounds(hire_date)[0] if hire_date is not None else datetime.min.replace(tzinfo=UTC)
        hi = self.bounds(fire_date)[1] if fire_date is not None else datetime.max.replace(tzinfo=UTC)
        return lo, hi
