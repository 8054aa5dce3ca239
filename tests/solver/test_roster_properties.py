"""Roster expansion against an independent brute force: walk the calendar day by day and test each date
against the rule's definition (no dateutil), for random weekly / daily / monthly rules, intervals, counts
and start dates around both DST changes of 2026 in Berlin. Every shift starts at its wall-clock time and
ends `length` minutes later on the clock; a shift is left out only when DST skips every minute of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.roster import Pattern, expand

BERLIN = ZoneInfo("Europe/Berlin")
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WINDOW = 120  # days expanded per example


def monday_of(d: date) -> date:
    return d - timedelta(days=d.weekday())


def brute_force(freq: str, *, interval: int, weekdays: list[int], monthday: int | None, last_weekday: int | None,
                start: date, count: int | None) -> list[date]:
    out = []
    d = start
    while d < start + timedelta(days=WINDOW):
        if freq == "DAILY":
            ok = (d - start).days % interval == 0
        elif freq == "WEEKLY":  # weeks start on Monday (RFC 5545's default WKST)
            ok = d.weekday() in weekdays and ((monday_of(d) - monday_of(start)).days // 7) % interval == 0
        else:  # MONTHLY
            months = (d.year - start.year) * 12 + d.month - start.month
            if monthday is not None:
                hit = d.day == monthday
            else:
                hit = d.weekday() == last_weekday and (d + timedelta(days=7)).month != d.month
            ok = hit and months % interval == 0
        if ok:
            out.append(d)
        d += timedelta(days=1)
    return out[:count] if count is not None else out


def exists(wall: datetime) -> bool:
    aware = wall.replace(tzinfo=BERLIN)
    return aware.astimezone(UTC).astimezone(BERLIN).replace(tzinfo=None) == wall


@st.composite
def rules(draw: st.DrawFn) -> tuple[str, list[date]]:
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]))
    interval = draw(st.integers(1, 3))
    start = draw(st.sampled_from([date(2026, 3, 1), date(2026, 3, 23), date(2026, 3, 29), date(2026, 9, 28),
                                  date(2026, 10, 20), date(2026, 10, 25), date(2026, 1, 31)]))
    count = draw(st.none() | st.integers(1, 15))
    weekdays: list[int] = []
    monthday = last_weekday = None
    parts = [f"FREQ={freq}", f"INTERVAL={interval}"]
    if freq == "WEEKLY":
        weekdays = sorted(draw(st.sets(st.integers(0, 6), min_size=1)))
        parts.append("BYDAY=" + ",".join(DAYS[w] for w in weekdays))
    elif freq == "MONTHLY":
        if draw(st.booleans()):
            monthday = draw(st.integers(1, 28))
            parts.append(f"BYMONTHDAY={monthday}")
        else:
            last_weekday = draw(st.integers(0, 6))
            parts.append(f"BYDAY=-1{DAYS[last_weekday]}")
    if count is not None:
        parts.append(f"COUNT={count}")
    expected = brute_force(freq, interval=interval, weekdays=weekdays, monthday=monthday, last_weekday=last_weekday,
                           start=start, count=count)
    return ";".join(parts), [start, *expected]


@settings(max_examples=150, deadline=None)
@given(rule=rules(), start_time=st.sampled_from([time(0, 30), time(2, 30), time(8), time(20), time(23, 45)]),
       minutes=st.sampled_from([30, 180, 480, 1440]))
def test_expansion_equals_brute_force_and_keeps_wall_clock(rule: tuple[str, list[date]], start_time: time,
                                                          minutes: int) -> None:
    text, (valid_from, *expected) = rule
    pattern = Pattern(start_time, minutes, text, valid_from, None, "Europe/Berlin")
    got = expand(pattern, valid_from, valid_from + timedelta(days=WINDOW - 1))
    days = [o.day for o in got]
    assert set(days) <= set(expected) and days == sorted(days), text
    for d in set(expected) - set(days):  # omitted only when DST skips every minute of the shift
        wall = datetime.combine(d, start_time)
        assert all(not exists(wall + timedelta(minutes=m)) for m in range(minutes)), (text, d)
    for o in got:
        local_start = datetime.combine(o.day, start_time)
        wall_end = local_start + timedelta(minutes=minutes)
        # The start shows start_time on the clock unless DST skips it (then it is the first instant after).
        shown = o.start.astimezone(BERLIN).replace(tzinfo=None)
        assert shown == local_start or (shown > local_start and shown - local_start <= timedelta(hours=1))
        shown_end = o.end.astimezone(BERLIN).replace(tzinfo=None)
        assert shown_end == wall_end or (shown_end > wall_end and shown_end - wall_end <= timedelta(hours=1))
        elapsed = o.end.astimezone(UTC) - o.start.astimezone(UTC)
        assert abs(elapsed - timedelta(minutes=minutes)) <= timedelta(hours=1)
