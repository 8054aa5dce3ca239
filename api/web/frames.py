"""What the pages draw before any data arrives: the operational day's frame and an installer's week.

Everything here is calendar arithmetic from `solver.calendar.OperationalCalendar` (the one home of the
day's bounds); nothing here knows about workers, tasks or availability. Positions are fractions of the
day's real length (absolute time), so a 23 h or 25 h DST day is drawn as it is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app

from solver.calendar import OperationalCalendar

HOUR = timedelta(hours=1)
START_CHOICE_STEP = timedelta(minutes=15)  # granularity of the "book at another time" picker


def service_calendar() -> OperationalCalendar:
    """The deployment's calendar, from the same configuration the API reads."""
    return OperationalCalendar(current_app.config["TIMEZONE"], time.fromisoformat(current_app.config["DAY_START"]))


def today(cal: OperationalCalendar) -> date:
    """The operational day that contains this instant (before the day start it is still yesterday)."""
    return cal.day_of(datetime.now(UTC))


@dataclass(frozen=True)
class Tick:
    label: str  # wall-clock time in the service's zone ("03:00"; with the offset when DST repeats an hour)
    at: float  # position in the day, 0..1
    midnight: bool


@dataclass(frozen=True)
class StartChoice:
    value: str  # ISO instant with offset, posted as is: the API reads it without guessing a date or zone
    label: str


@dataclass(frozen=True)
class DayFrame:
    day: date
    start: datetime
    end: datetime
    ticks: tuple[Tick, ...]
    start_choices: tuple[StartChoice, ...]

    @property
    def hours(self) -> float:
        """The day's real length (23, 24 or 25 on DST change days)."""
        return (self.end.astimezone(UTC) - self.start.astimezone(UTC)) / HOUR

    @property
    def previous(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def following(self) -> date:
        return self.day + timedelta(days=1)


def _instants(cal: OperationalCalendar, lo: datetime, hi: datetime, step: timedelta) -> list[datetime]:
    """Instants from lo (inclusive) to hi (exclusive) every `step` of absolute time, in the service's zone."""
    at, end, out = lo.astimezone(UTC), hi.astimezone(UTC), []
    while at < end:
        out.append(at.astimezone(cal.zone))
        at += step
    return out


def _label(local: datetime, repeated: set[str]) -> str:
    hhmm = local.strftime("%H:%M")
    return f"{hhmm} ({local.strftime('%z')[:3]})" if hhmm in repeated else hhmm


def day_frame(cal: OperationalCalendar, day: date) -> DayFrame:
    start, end = cal.bounds(day)
    length = (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds()
    hours = _instants(cal, start, end, HOUR)
    quarter = _instants(cal, start, end, START_CHOICE_STEP)
    # A wall time that occurs twice (autumn DST) is labelled with its offset so both can be told apart.
    seen = Counter(local.strftime("%H:%M") for local in quarter)
    repeated = {hhmm for hhmm, n in seen.items() if n > 1}

    def position(local: datetime) -> float:
        return (local.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / length

    ticks = tuple(Tick(_label(h, repeated), position(h), h.date() != start.date()
                       and h.hour == 0 and h.minute == 0) for h in hours)
    choices = tuple(StartChoice(q.isoformat(), _label(q, repeated)) for q in quarter)
    return DayFrame(day, start, end, ticks, choices)


@dataclass(frozen=True)
class WeekDay:
    day: date
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Week:
    monday: date
    days: tuple[WeekDay, ...]

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def following(self) -> date:
        return self.monday + timedelta(days=7)


def week_of(cal: OperationalCalendar, day: date) -> Week:
    """The seven operational days, Monday to Sunday, of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    days = []
    for i in range(7):
        d = monday + timedelta(days=i)
        lo, hi = cal.bounds(d)
        days.append(WeekDay(d, lo, hi))
    return Week(monday, tuple(days))
