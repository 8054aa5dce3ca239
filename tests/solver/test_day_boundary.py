"""Where an operational day starts when DST skips or repeats `day_start`, and dates out of range."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from solver.domain import InvalidInput, day_start_instant
from solver.schema import load_scenario, load_slot_query

BERLIN = ZoneInfo("Europe/Berlin")


def test_skipped_day_start_begins_when_the_clocks_jump() -> None:
    # 2026-03-29 02:00 CET jumps to 03:00 CEST: 02:30 never shows on the wall clock.
    assert day_start_instant(date(2026, 3, 29), time(2, 30), BERLIN).isoformat() == "2026-03-29T03:00:00+02:00"


def test_repeated_day_start_takes_the_first_occurrence() -> None:
    # 2026-10-25 03:00 CEST falls back to 02:00 CET: 02:30 happens twice; the day starts at the first.
    assert day_start_instant(date(2026, 10, 25), time(2, 30), BERLIN).isoformat() == "2026-10-25T02:30:00+02:00"


def test_ordinary_day_start_is_the_wall_time() -> None:
    assert day_start_instant(date(2026, 3, 28), time(3, 0), BERLIN).isoformat() == "2026-03-28T03:00:00+01:00"


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:00"])
def test_datetimes_far_out_of_range_are_invalid_input_not_a_crash(when: str) -> None:
    doc = {"timezone": "Europe/Moscow", "workers": [{"id": "w", "shifts": [{"start": when, "end": when}]}]}
    with pytest.raises(InvalidInput) as err:
        load_scenario(doc)
    assert "workers[0].shifts[0].start" in err.value.message


def test_query_date_out_of_range_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as err:
        load_slot_query({"date": "9999-12-31", "duration_minutes": 60})
    assert err.value.field == "date"
