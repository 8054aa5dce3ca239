"""Daylight-saving days in Europe/Berlin: the operational day is 23 or 25 hours long, candidates step
on real (absolute) time, and printed offsets follow the zone (+01:00 in winter, +02:00 in summer).

2026: clocks go 02:00 -> 03:00 on Sunday 29 March and 03:00 -> 02:00 on Sunday 25 October.
With the default day_start 03:00, the change falls *inside* the operational day of the Saturday
(28 March: 03:00+01:00 to 29 March 03:00+02:00 = 23 h; 24 October: 03:00+02:00 to 25 October
03:00+01:00 = 25 h); the Sunday's own 03:00 day is an ordinary 24 h. With day_start 00:00 the Sunday
itself is the short or long day.
"""

from __future__ import annotations

import pytest
from solver_case_kit import answer, scenario, starts, task, worker

from solver import InvalidInput, load_scenario

BERLIN = "Europe/Berlin"


def everyone_all_week(day_start: str = "03:00") -> dict:
    """One worker on duty from well before to well after both changes: every candidate is a slot."""
    return scenario([worker("max", [], ("2026-03-26T00:00", "2026-03-31T12:00"),
                            ("2026-10-23T00:00", "2026-10-27T12:00"))], timezone=BERLIN, day_start=day_start)


def hours(day: str, first: int, last: int, offset: str) -> list[str]:
    return [f"{day}T{h:02d}:00:00{offset}" for h in range(first, last + 1)]


# -- spring forward ----------------------------------------------------------------------------------------

def test_spring_saturday_03_00_day_is_23_hours(engine: str) -> None:
    ans = answer(everyone_all_week(), day="2026-03-28", duration=60, step=60, engine=engine)
    # 03:00+01:00 on the 28th to 03:00+02:00 on the 29th: the 02:00 hour never happens.
    assert starts(ans) == hours("2026-03-28", 3, 23, "+01:00") + hours("2026-03-29", 0, 1, "+01:00")
    assert len(ans["slots"]) == 23
    assert ans["slots"][-1] == {"start": "2026-03-29T01:00:00+01:00", "end": "2026-03-29T03:00:00+02:00"}


def test_spring_sunday_03_00_day_is_24_hours(engine: str) -> None:
    ans = answer(everyone_all_week(), day="2026-03-29", duration=60, step=60, engine=engine)
    assert starts(ans) == hours("2026-03-29", 3, 23, "+02:00") + hours("2026-03-30", 0, 2, "+02:00")
    assert len(ans["slots"]) == 24


def test_spring_sunday_midnight_day_is_23_hours(engine: str) -> None:
    ans = answer(everyone_all_week("00:00"), day="2026-03-29", duration=60, step=60, engine=engine)
    assert starts(ans) == hours("2026-03-29", 0, 1, "+01:00") + hours("2026-03-29", 3, 23, "+02:00")
    assert len(ans["slots"]) == 23


def test_spring_half_hour_steps_count_real_time(engine: str) -> None:
    ans = answer(everyone_all_week("00:00"), day="2026-03-29", duration=30, step=30, engine=engine)
    assert len(ans["slots"]) == 46  # 23 h of half hours
    assert ans["slots"][3] == {"start": "2026-03-29T01:30:00+01:00", "end": "2026-03-29T03:00:00+02:00"}


def test_night_shift_across_spring_forward(engine: str) -> None:
    # 22:00+01:00 to 06:00+02:00 is 7 real hours, split by the 03:00 day boundary.
    doc = scenario([worker("nora", [], ("2026-03-28T22:00", "2026-03-29T06:00"))], timezone=BERLIN)
    saturday = answer(doc, day="2026-03-28", duration=60, step=60, engine=engine)
    assert starts(saturday) == ["2026-03-28T22:00:00+01:00", "2026-03-28T23:00:00+01:00",
                                "2026-03-29T00:00:00+01:00", "2026-03-29T01:00:00+01:00"]
    sunday = answer(doc, day="2026-03-29", duration=60, step=60, engine=engine)
    assert starts(sunday) == hours("2026-03-29", 3, 5, "+02:00")


def test_wall_clock_time_the_clocks_skip_is_invalid() -> None:
    doc = scenario([worker("nora", [], ("2026-03-29T02:30", "2026-03-29T06:00"))], timezone=BERLIN)
    with pytest.raises(InvalidInput) as err:
        load_scenario(doc)
    assert err.value.field == "workers[0].shifts[0].start"


# -- fall back -----------------------------------------------------------------------------------------------

def test_autumn_saturday_03_00_day_is_25_hours(engine: str) -> None:
    ans = answer(everyone_all_week(), day="2026-10-24", duration=60, step=60, engine=engine)
    # The 02:00 hour happens twice: first in summer time (+02:00), then in winter time (+01:00).
    assert starts(ans) == (hours("2026-10-24", 3, 23, "+02:00") + hours("2026-10-25", 0, 2, "+02:00")
                           + ["2026-10-25T02:00:00+01:00"])
    assert len(ans["slots"]) == 25
    assert ans["slots"][-1] == {"start": "2026-10-25T02:00:00+01:00", "end": "2026-10-25T03:00:00+01:00"}
    assert ans["slots"][-2] == {"start": "2026-10-25T02:00:00+02:00", "end": "2026-10-25T02:00:00+01:00"}


def test_autumn_sunday_03_00_day_is_24_hours(engine: str) -> None:
    ans = answer(everyone_all_week(), day="2026-10-25", duration=60, step=60, engine=engine)
    assert starts(ans) == hours("2026-10-25", 3, 23, "+01:00") + hours("2026-10-26", 0, 2, "+01:00")


def test_autumn_sunday_midnight_day_is_25_hours(engine: str) -> None:
    ans = answer(everyone_all_week("00:00"), day="2026-10-25", duration=60, step=60, engine=engine)
    assert starts(ans) == (hours("2026-10-25", 0, 2, "+02:00") + hours("2026-10-25", 2, 23, "+01:00"))
    assert len(ans["slots"]) == 25


def test_night_shift_across_fall_back(engine: str) -> None:
    # 22:00+02:00 to 06:00+01:00 is 9 real hours; 6 of them before the day ends at 03:00+01:00.
    doc = scenario([worker("nora", [], ("2026-10-24T22:00", "2026-10-25T06:00"))], timezone=BERLIN)
    saturday = answer(doc, day="2026-10-24", duration=60, step=60, engine=engine)
    assert starts(saturday) == (hours("2026-10-24", 22, 23, "+02:00") + hours("2026-10-25", 0, 2, "+02:00")
                                + ["2026-10-25T02:00:00+01:00"])
    sunday = answer(doc, day="2026-10-25", duration=60, step=60, engine=engine)
    assert starts(sunday) == hours("2026-10-25", 3, 5, "+01:00")


def test_offset_picks_which_repeated_hour_a_task_holds(engine: str) -> None:
    # A taken task in the second 02:00 hour (given with +01:00) leaves the first one free.
    doc = scenario([worker("nora", [], ("2026-10-24T22:00", "2026-10-25T06:00"))],
                   [task("late", "2026-10-25T02:00+01:00", "2026-10-25T03:00+01:00", None, "nora")],
                   timezone=BERLIN)
    saturday = answer(doc, day="2026-10-24", duration=60, step=60, engine=engine)
    assert starts(saturday) == hours("2026-10-24", 22, 23, "+02:00") + hours("2026-10-25", 0, 2, "+02:00")
