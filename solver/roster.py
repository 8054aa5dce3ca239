"""Roster patterns: a wall-clock start, a length and an RFC 5545 RRULE, expanded into shifts.

Pure: dataclasses in, shift windows out. The recurrence is python-dateutil's `rrule` (no hand-written
expander); it decides only *which dates* carry a shift. The times of a shift come from the calendar
(`solver.calendar.day_start_instant`, the one DST-aware "wall-clock time on a date" rule):

- the shift starts at `start_time` wall-clock on its date, in the pattern's zone (a start that a DST jump
  skips begins at the jump; an ambiguous one at its first occurrence), and
- it ends at the wall-clock time `length_minutes` after that on the clock face (an end earlier than the
  start means the next day: "20:00 for 480 minutes" ends 04:00 the next morning), so a night shift over a
  DST change lasts 7 or 9 hours and every shift of a pattern shows the same hours on the clock.

Rules are restricted to what a roster means: FREQ is DAILY, WEEKLY, MONTHLY or YEARLY (one shift per date),
with INTERVAL, COUNT or UNTIL, BYDAY, BYMONTHDAY, BYMONTH and WKST only (the time is `start_time`), and to
rules that occur at all (see `_check_parts`). COUNT counts from
`valid_from`. UNTIL given as a date includes that whole date; given with a trailing `Z` it is a UTC
instant; otherwise it is wall-clock time in the pattern's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

from solver.calendar import MAX_YEAR, MIN_YEAR, Window, day_start_instant
from solver.domain import InvalidInput

MAX_LENGTH_MINUTES = 24 * 60
ALLOWED_FREQ = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
ALLOWED_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST")
MAX_INTERVAL = 1000
MAX_COUNT = 10_000
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # the most each month ever has
_BYDAY_ITEM = re.compile(r"([+-]?)(\d{0,2})(MO|TU|WE|TH|FR|SA|SU)")

# Presets for the common cases (documented in the API; a client sends the rule itself).
PRESETS = {
    "daily": "FREQ=DAILY",
    "weekdays": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "every other weekend": "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU",
    "last friday of the month": "FREQ=MONTHLY;BYDAY=-1FR",
    "first of the month": "FREQ=MONTHLY;BYMONTHDAY=1",
}

_DATE_UNTIL = re.compile(r"UNTIL=(\d{8})(?=;|$)")


@dataclass(frozen=True)
class Pattern:
    """Working hours that repeat: `start_time` for `length_minutes` on the dates `rule` yields."""

    start_time: time
    length_minutes: int
    rule: str
    valid_from: date
    valid_until: date | None
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Hours:
    """The hours of one date: a pattern's own, or an override's (None in an override: a day off)."""

    start_time: time
    length_minutes: int


@dataclass(frozen=True)
class Occurrence:
    """One shift a pattern produces: its date (the origin) and its instants."""

    day: date
    start: datetime
    end: datetime


def _fail(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", field=field)


def check_length(length_minutes: int, field: str = "length_minutes") -> None:
    if not 0 < length_minutes <= MAX_LENGTH_MINUTES:
        raise _fail(field, f"must be 1 to {MAX_LENGTH_MINUTES} minutes (at most 24 hours), got {length_minutes}")


def check_timezone(name: str, field: str = "timezone") -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _fail(field, f"unknown time zone {name!r}") from exc


def normalise_rule(text: str) -> str:
    """The RRULE value in upper case, without an `RRULE:` prefix or surrounding blanks."""
    rule = text.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[len("RRULE:"):]
    return rule.strip().upper()


def parse_rule(pattern: Pattern) -> rrule:
    """The pattern's recurrence, or InvalidInput naming `rrule`."""
    return _parse(pattern)[0]


def _parse(pattern: Pattern) -> tuple[rrule, datetime]:
    """The recurrence and the DTSTART it counts from (naive, or in the pattern's zone for a UTC UNTIL)."""
    rule = normalise_rule(pattern.rule)
    if not rule or "\n" in rule or "\r" in rule or ":" in rule:
        raise _fail("rrule", "give one RRULE value such as FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
    parts: dict[str, str] = {}
    for part in filter(None, rule.split(";")):
        key, _, value = part.partition("=")
        parts[key] = value
    if parts.get("FREQ") not in ALLOWED_FREQ:
        raise _fail("rrule", f"FREQ must be one of {', '.join(ALLOWED_FREQ)}")
    bad = sorted(set(parts) - set(ALLOWED_PARTS))
    if bad:
        raise _fail("rrule", f"{', '.join(bad)} not supported (the time of day is start_time, one shift per date;"
                             f" parts: {', '.join(ALLOWED_PARTS)})")
    _check_parts(parts)
    # A date-only UNTIL includes that date (RFC 5545 pairs it with a date DTSTART; ours carries a time).
    rule = _DATE_UNTIL.sub(r"UNTIL=\1T235959", rule)
    utc_until = parts.get("UNTIL", "").endswith("Z")
    dtstart = datetime.combine(pattern.valid_from, pattern.start_time,
                               tzinfo=pattern.zone if utc_until else None)
    try:
        parsed = rrulestr(rule, dtstart=dtstart)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise _fail("rrule", f"not a valid RRULE: {exc}") from exc
    if not isinstance(parsed, rrule):
        raise _fail("rrule", "give one RRULE value")
    # dateutil keeps the parsed bound in `_until`; it has no public accessor.
    until: datetime | None = getattr(parsed, "_until", None)
    if until is not None and until < dtstart:
        raise _fail("rrule", f"UNTIL {until.isoformat()} is before the pattern's start {dtstart.isoformat()}")
    return parsed, dtstart


def _numbers(parts: dict[str, str], key: str, lo: int, hi: int, *, nonzero: bool = False) -> list[int]:
    try:
        values = [int(v) for v in parts[key].split(",")] if key in parts else []
    except ValueError as exc:
        raise _fail("rrule", f"{key} takes integers") from exc
    if any(not lo <= v <= hi or (nonzero and v == 0) for v in values):
        raise _fail("rrule", f"{key} values must be within {lo}..{hi}" + (", not 0" if nonzero else ""))
    return values


def _check_parts(parts: dict[str, str]) -> None:
    """Reject rules that are malformed or can never yield a date.

    Why: dateutil finds "no more dates" only by walking every period up to the year 9999 (seconds for a
    daily rule), so a rule that can never match must not reach it. The checks below leave only rules that
    match within a few decades: every BYMONTH x BYMONTHDAY pair some year has, weekday ordinals within what
    a month (1..5) or a year (1..53) holds and not intersected with BYMONTHDAY, no BYMONTHDAY with WEEKLY
    (RFC 5545 forbids it); a weekday on a month-day recurs within 28 years.
    """
    freq = parts["FREQ"]
    if "COUNT" in parts and "UNTIL" in parts:
        raise _fail("rrule", "give COUNT or UNTIL, not both")
    _numbers(parts, "INTERVAL", 1, MAX_INTERVAL)
    _numbers(parts, "COUNT", 1, MAX_COUNT)
    months = _numbers(parts, "BYMONTH", 1, 12)
    monthdays = _numbers(parts, "BYMONTHDAY", -31, 31, nonzero=True)
    if monthdays and freq == "WEEKLY":
        raise _fail("rrule", "BYMONTHDAY does not go with FREQ=WEEKLY")
    if monthdays and months and not any(abs(d) <= _MONTH_DAYS[m - 1] for m in months for d in monthdays):
        raise _fail("rrule", "no BYMONTH has any of the BYMONTHDAY days: the rule never occurs")
    ordinal_limit = 5 if freq == "MONTHLY" or months else 53
    for item in filter(None, parts.get("BYDAY", "").split(",")):
        match = _BYDAY_ITEM.fullmatch(item)
        if match is None:
            raise _fail("rrule", f"BYDAY item {item!r} is not like MO, 2TU or -1FR")
        sign, number, _ = match.groups()
        if not number:
            if sign:
                raise _fail("rrule", f"BYDAY item {item!r} has a sign but no number")
            continue
        if freq not in ("MONTHLY", "YEARLY"):
            raise _fail("rrule", "numbered weekdays (2TU, -1FR) go with FREQ=MONTHLY or YEARLY")
        if not 1 <= int(number) <= ordinal_limit:
            raise _fail("rrule", f"BYDAY item {item!r}: the number must be 1..{ordinal_limit}")
        if monthdays:
            raise _fail("rrule", "numbered weekdays (2TU, -1FR) do not go with BYMONTHDAY")


def check_pattern(pattern: Pattern) -> rrule:
    """Every rule a pattern must meet, each failure naming its field."""
    check_length(pattern.length_minutes)
    check_timezone(pattern.timezone)
    if pattern.valid_until is not None and pattern.valid_until < pattern.valid_from:
        raise _fail("valid_until", "must not be before valid_from")
    for field, value in (("valid_from", pattern.valid_from), ("valid_until", pattern.valid_until)):
        if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
            raise _fail(field, f"year must be between {MIN_YEAR} and {MAX_YEAR}")
    return parse_rule(pattern)


def occurrence_dates(pattern: Pattern, first: date, last: date) -> list[date]:
    """The dates in [first, last] (inclusive) on which the pattern has a shift, within its validity."""
    first = max(first, pattern.valid_from)
    if pattern.valid_until is not None:
        last = min(last, pattern.valid_until)
    if first > last:
        return []
    rule, dtstart = _parse(pattern)
    tz = dtstart.tzinfo
    lo = datetime.combine(first, time.min, tzinfo=tz)
    hi = datetime.combine(last, time.max, tzinfo=tz)
    try:
        return [d.date() for d in rule.between(lo, hi, inc=True)]
    except (ValueError, IndexError, OverflowError) as exc:  # dateutil's own errors while iterating
        raise _fail("rrule", f"the rule cannot be expanded: {exc}") from exc


def shift_window(day: date, hours: Hours, zone: ZoneInfo) -> Window | None:
    """The instants of a shift starting `hours.start_time` wall-clock on `day` (None if DST leaves nothing)."""
    start = day_start_instant(day, hours.start_time, zone)
    wall_end = datetime.combine(day, hours.start_time) + timedelta(minutes=hours.length_minutes)
    end = day_start_instant(wall_end.date(), wall_end.time(), zone)
    return (start, end) if start < end else None


def subtract(window: Window, holes: list[Window]) -> list[Window]:
    """What is left of `window` once every hole is cut out (half-open intervals)."""
    pieces = [window]
    for h_lo, h_hi in sorted(holes):
        out = []
        for lo, hi in pieces:
            if h_hi <= lo or hi <= h_lo:
                out.append((lo, hi))
                continue
            if lo < h_lo:
                out.append((lo, h_lo))
            if h_hi < hi:
                out.append((h_hi, hi))
        pieces = out
    return pieces


def expand(pattern: Pattern, first: date, last: date, overrides: dict[date, Hours | None] | None = None,
           absences: list[Window] | None = None) -> list[Occurrence]:
    """The shifts of the pattern on dates [first, last]: its own hours, or an override's on that date
    (None: a day off; an override on a date the rule does not yield adds that date), minus absences."""
    overrides = overrides or {}
    own = Hours(pattern.start_time, pattern.length_minutes)
    days = set(occurrence_dates(pattern, first, last))
    days |= {d for d, h in overrides.items() if h is not None and first <= d <= last
             and pattern.valid_from <= d and (pattern.valid_until is None or d <= pattern.valid_until)}
    out: list[Occurrence] = []
    for day in sorted(days):
        hours = overrides.get(day, own)
        if hours is None:
            continue
        window = shift_window(day, hours, pattern.zone)
        if window is None:
            continue
        out.extend(Occurrence(day, lo, hi) for lo, hi in subtract(window, absences or []))
    return out
