"""Roster expansion: every recurrence kind, on DST change days (Europe/Berlin 2026-03-29 spring forward,
2026-10-25 fall back) and across the 03:00 day boundary; invalid rules name their field.

Expected dates are written out from a printed calendar of 2026; expected instants are computed with
zoneinfo directly (wall time + zone), not with solver.calendar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from solver.calendar import OperationalCalendar
from solver.domain import InvalidInput
from solver.roster import Hours, Pattern, check_pattern, expand, occurrence_dates, subtract

BERLIN = "Europe/Berlin"
ZB = ZoneInfo(BERLIN)


def pat(rule: str, start: str = "08:00", minutes: int = 540, valid_from: date = date(2026, 1, 1),
        valid_until: date | None = None) -> Pattern:
    return Pattern(time.fromisoformat(start), minutes, rule, valid_from, valid_until, BERLIN)


def d(text: str) -> date:
    return date.fromisoformat(text)


def hours_of(o) -> float:
    return (o.end.astimezone(UTC) - o.start.astimezone(UTC)).total_seconds() / 3600


@pytest.mark.parametrize(("rule", "first", "last", "expected"), [
    # daily, across the spring-forward date
    ("FREQ=DAILY", "2026-03-28", "2026-03-30", ["2026-03-28", "2026-03-29", "2026-03-30"]),
    # weekly on chosen weekdays (2026-03-29 is a Sunday)
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2026-03-26", "2026-04-01",
     ["2026-03-26", "2026-03-27", "2026-03-30", "2026-03-31", "2026-04-01"]),
    ("FREQ=WEEKLY;BYDAY=SU", "2026-03-22", "2026-04-05", ["2026-03-22", "2026-03-29", "2026-04-05"]),
    # every other weekend, counted from valid_from's week (2026-01-01 is a Thursday; weeks start Monday)
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU", "2026-03-16", "2026-04-12",
     ["2026-03-28", "2026-03-29", "2026-04-11", "2026-04-12"]),
    # monthly by month-day
    ("FREQ=MONTHLY;BYMONTHDAY=25", "2026-09-01", "2026-11-30", ["2026-09-25", "2026-10-25", "2026-11-25"]),
    # monthly by weekday: the last Sunday (both DST days of 2026), the last Friday
    ("FREQ=MONTHLY;BYDAY=-1SU", "2026-03-01", "2026-05-31", ["2026-03-29", "2026-04-26", "2026-05-31"]),
    ("FREQ=MONTHLY;BYDAY=-1FR", "2026-01-01", "2026-03-31", ["2026-01-30", "2026-02-27", "2026-03-27"]),
    # yearly
    ("FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=25", "2026-01-01", "2028-12-31", ["2026-10-25", "2027-10-25",
                                                                            "2028-10-25"]),
    # every N days
    ("FREQ=DAILY;INTERVAL=3", "2026-01-01", "2026-01-10", ["2026-01-01", "2026-01-04", "2026-01-07",
                                                          "2026-01-10"]),
    # COUNT counts from valid_from; UNTIL as a date includes that date
    ("FREQ=DAILY;COUNT=3", "2026-01-01", "2026-12-31", ["2026-01-01", "2026-01-02", "2026-01-03"]),
    ("FREQ=DAILY;UNTIL=20260103", "2026-01-01", "2026-12-31", ["2026-01-01", "2026-01-02", "2026-01-03"]),
    # UNTIL as a UTC instant: 2026-01-02T07:00Z is 08:00 Berlin, so the 2nd is still in
    ("FREQ=DAILY;UNTIL=20260102T070000Z", "2026-01-01", "2026-12-31", ["2026-01-01", "2026-01-02"]),
    ("FREQ=DAILY;UNTIL=20260102T065959Z", "2026-01-01", "2026-12-31", ["2026-01-01"]),
])
def test_recurrence_kinds(rule: str, first: str, last: str, expected: list[str]) -> None:
    check_pattern(pat(rule))
    assert [x.isoformat() for x in occurrence_dates(pat(rule), d(first), d(last))] == expected


def test_validity_range_bounds_the_dates() -> None:
    p = pat("FREQ=DAILY", valid_from=d("2026-03-28"), valid_until=d("2026-03-29"))
    assert occurrence_dates(p, d("2026-03-01"), d("2026-04-30")) == [d("2026-03-28"), d("2026-03-29")]


@pytest.mark.parametrize("day", ["2026-03-28", "2026-03-29", "2026-03-30", "2026-10-24", "2026-10-25"])
def test_day_shift_keeps_its_wall_clock_hours_on_dst_days(day: str) -> None:
    [o] = expand(pat("FREQ=DAILY"), d(day), d(day))
    assert o.start == datetime.combine(d(day), time(8), ZB)
    assert o.end == datetime.combine(d(day), time(17), ZB)
    assert hours_of(o) == 9


def test_night_shift_over_spring_forward_is_seven_hours_and_over_fall_back_nine() -> None:
    p = pat("FREQ=DAILY", start="20:00", minutes=480)
    spring = {o.day: o for o in expand(p, d("2026-03-27"), d("2026-03-29"))}
    assert [hours_of(spring[x]) for x in (d("2026-03-27"), d("2026-03-28"), d("2026-03-29"))] == [8, 7, 8]
    assert spring[d("2026-03-28")].end == datetime(2026, 3, 29, 4, 0, tzinfo=ZB)
    fall = {o.day: o for o in expand(p, d("2026-10-24"), d("2026-10-25"))}
    assert hours_of(fall[d("2026-10-24")]) == 9
    assert fall[d("2026-10-24")].end == datetime(2026, 10, 25, 4, 0, tzinfo=ZB)


def test_night_shift_crosses_the_operational_day_boundary() -> None:
    """20:00-04:00 starts in operational day D and ends in D+1 (03:00 boundary), on DST nights too."""
    cal = OperationalCalendar(BERLIN, time(3, 0))
    for o in expand(pat("FREQ=DAILY", start="20:00", minutes=480), d("2026-03-27"), d("2026-03-29")):
        assert cal.day_of(o.start) == o.day
        assert cal.day_of(o.end - timedelta(seconds=1)) == o.day + timedelta(days=1)
        assert cal.days((o.start, o.end)) == [o.day, o.day + timedelta(days=1)]


def test_start_in_the_skipped_hour_begins_at_the_jump_and_ambiguous_start_takes_the_first() -> None:
    p = pat("FREQ=DAILY", start="02:30", minutes=60)
    [o] = expand(p, d("2026-03-29"), d("2026-03-29"))
    assert o.start == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST, the jump
    assert o.end == datetime(2026, 3, 29, 3, 30, tzinfo=ZB)
    [o] = expand(p, d("2026-10-25"), d("2026-10-25"))
    # (an ambiguous wall time never compares equal across zones, PEP 495: compare in UTC)
    assert o.start.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, the first
    assert hours_of(o) == 2  # to 03:30 CET on the clock: the hour is repeated


def test_overrides_replace_hours_give_a_day_off_or_add_a_date() -> None:
    p = pat("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
    got = expand(p, d("2026-03-23"), d("2026-03-29"), {
        d("2026-03-24"): None, d("2026-03-25"): Hours(time(10), 120), d("2026-03-29"): Hours(time(9), 60)})
    assert [(o.day.isoformat(), o.start.astimezone(ZB).strftime("%H:%M"), o.end.astimezone(ZB).strftime("%H:%M"))
            for o in got] == [("2026-03-23", "08:00", "17:00"), ("2026-03-25", "10:00", "12:00"),
                              ("2026-03-26", "08:00", "17:00"), ("2026-03-27", "08:00", "17:00"),
                              ("2026-03-29", "09:00", "10:00")]


def test_absences_cut_shifts_into_pieces() -> None:
    p = pat("FREQ=DAILY")
    hole = (datetime(2026, 3, 30, 12, tzinfo=ZB), datetime(2026, 3, 31, 10, tzinfo=ZB))
    got = [(o.day, o.start, o.end) for o in expand(p, d("2026-03-30"), d("2026-04-01"), absences=[hole])]
    assert got == [
        (d("2026-03-30"), datetime(2026, 3, 30, 8, tzinfo=ZB), datetime(2026, 3, 30, 12, tzinfo=ZB)),
        (d("2026-03-31"), datetime(2026, 3, 31, 10, tzinfo=ZB), datetime(2026, 3, 31, 17, tzinfo=ZB)),
        (d("2026-04-01"), datetime(2026, 4, 1, 8, tzinfo=ZB), datetime(2026, 4, 1, 17, tzinfo=ZB)),
    ]
    assert subtract(hole, [hole]) == []


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"rule": "FREQ=FORTNIGHTLY"}, "rrule"),
    ({"rule": "BYDAY=MO"}, "rrule"),
    ({"rule": "FREQ=WEEKLY;BYDAY=XX"}, "rrule"),
    ({"rule": "FREQ=HOURLY"}, "rrule"),
    ({"rule": "FREQ=DAILY;BYHOUR=8"}, "rrule"),
    ({"rule": "FREQ=DAILY;COUNT=2;UNTIL=20261231"}, "rrule"),
    ({"rule": "FREQ=DAILY;UNTIL=20251231"}, "rrule"),  # UNTIL before the start
    ({"rule": "FREQ=DAILY\nRRULE:FREQ=WEEKLY"}, "rrule"),
    ({"rule": "FREQ=DAILY;INTERVAL=0"}, "rrule"),  # dateutil would loop forever
    ({"rule": "FREQ=DAILY;INTERVAL=-1"}, "rrule"),
    ({"rule": "FREQ=DAILY;COUNT=0"}, "rrule"),
    ({"rule": "FREQ=MONTHLY;BYMONTHDAY=0"}, "rrule"),
    ({"rule": "FREQ=MONTHLY;BYMONTHDAY=32"}, "rrule"),
    ({"rule": "FREQ=YEARLY;BYMONTH=13"}, "rrule"),
    ({"rule": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"}, "rrule"),  # never occurs: dateutil would scan to 9999
    ({"rule": "FREQ=MONTHLY;BYDAY=+6MO"}, "rrule"),
    ({"rule": "FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=15"}, "rrule"),  # the first Monday is never the 15th
    ({"rule": "FREQ=WEEKLY;BYDAY=2MO"}, "rrule"),
    ({"rule": "FREQ=WEEKLY;BYMONTHDAY=1"}, "rrule"),
    ({"rule": "FREQ=YEARLY;BYYEARDAY=100"}, "rrule"),
    ({"rule": "FREQ=DAILY;BYEASTER=0"}, "rrule"),
    ({"minutes": 0}, "length_minutes"),
    ({"minutes": 24 * 60 + 1}, "length_minutes"),
    ({"valid_until": date(2025, 12, 31)}, "valid_until"),
])
def test_invalid_patterns_name_the_field(kwargs: dict, field: str) -> None:
    args = {"rule": "FREQ=DAILY", **kwargs}
    with pytest.raises(InvalidInput) as exc:
        check_pattern(pat(**args))
    assert exc.value.field == field


# Every recurrence kind, each landing on a DST change day of 2026 in Berlin (spring 03-29, fall 10-25).
KINDS_ON_DST_DAYS = [
    ("daily", "FREQ=DAILY", "2026-03-27", "2026-03-29"),
    ("daily", "FREQ=DAILY", "2026-10-23", "2026-10-25"),
    ("weekly on weekdays", "FREQ=WEEKLY;BYDAY=SA,SU", "2026-03-16", "2026-03-29"),
    ("weekly on weekdays", "FREQ=WEEKLY;BYDAY=SU", "2026-10-01", "2026-10-25"),
    ("monthly by month-day", "FREQ=MONTHLY;BYMONTHDAY=29", "2026-01-01", "2026-03-29"),
    ("monthly by month-day", "FREQ=MONTHLY;BYMONTHDAY=25", "2026-09-01", "2026-10-25"),
    ("monthly by weekday, last", "FREQ=MONTHLY;BYDAY=-1SU", "2026-02-01", "2026-03-29"),
    ("monthly by weekday, last", "FREQ=MONTHLY;BYDAY=-1SU", "2026-09-01", "2026-10-25"),
    ("monthly by weekday, 5th", "FREQ=MONTHLY;BYDAY=5SU", "2026-01-01", "2026-03-29"),
    ("yearly", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=29", "2025-06-01", "2026-03-29"),
    ("yearly by weekday", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "2025-11-01", "2026-10-25"),
    ("every N", "FREQ=DAILY;INTERVAL=7", "2026-03-01", "2026-03-29"),
    ("every N weeks", "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", "2026-10-11", "2026-10-25"),
    ("COUNT", "FREQ=DAILY;COUNT=3", "2026-03-27", "2026-03-29"),
    ("UNTIL date", "FREQ=DAILY;UNTIL=20261025", "2026-10-20", "2026-10-25"),
    ("UNTIL UTC", "FREQ=DAILY;UNTIL=20261025T070000Z", "2026-10-20", "2026-10-25"),  # 08:00 CET
]


@pytest.mark.parametrize(("kind", "rule", "valid_from", "dst_day"), KINDS_ON_DST_DAYS,
                         ids=[f"{k}:{d}" for k, _, _, d in KINDS_ON_DST_DAYS])
def test_every_kind_on_dst_days_keeps_wall_clock_hours(kind: str, rule: str, valid_from: str, dst_day: str) -> None:
    day = d(dst_day)
    p = pat(rule, valid_from=d(valid_from))
    check_pattern(p)
    got = {o.day: o for o in expand(p, day - timedelta(days=40), day + timedelta(days=40))}
    assert day in got, kind
    if "COUNT" in rule or "UNTIL" in rule:
        assert max(got) == day  # the last occurrence is the DST day itself
    o = got[day]
    assert (o.start.astimezone(ZB).hour, o.end.astimezone(ZB).hour) == (8, 17)
    assert hours_of(o) == 9


@pytest.mark.parametrize(("kind", "rule", "valid_from", "dst_day"), KINDS_ON_DST_DAYS,
                         ids=[f"{k}:{d}" for k, _, _, d in KINDS_ON_DST_DAYS])
def test_every_kind_on_dst_days_early_shift_spans_the_jump_and_03_00(kind: str, rule: str, valid_from: str,
                                                                     dst_day: str) -> None:
    """01:00 for 180 minutes on the clock: 01:00-04:00 spans the DST jump (2 h in spring, 4 h in fall) and
    the 03:00 operational-day boundary (it starts in the previous operational day)."""
    day = d(dst_day)
    p = pat(rule, start="01:00", minutes=180, valid_from=d(valid_from))
    got = {o.day: o for o in expand(p, day - timedelta(days=40), day + timedelta(days=40))}
    assert day in got, kind
    if "COUNT" in rule or "UNTIL" in rule:
        assert max(got) == day
    o = got[day]
    assert o.start.astimezone(ZB).strftime("%H:%M") == "01:00" and o.end.astimezone(ZB).strftime("%H:%M") == "04:00"
    assert hours_of(o) == (2 if day.month == 3 else 4)
    cal = OperationalCalendar(BERLIN, time(3, 0))
    assert cal.days((o.start, o.end)) == [day - timedelta(days=1), day]
