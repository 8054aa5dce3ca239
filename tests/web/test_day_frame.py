"""The board's frame on DST days: drawn from the operational calendar at its real length (23 h / 25 h),
hours labelled in the service's zone, a repeated hour told apart by its offset. No database is needed:
the frame is calendar arithmetic; the data arrives from the API in the browser."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from api import create_app


@pytest.fixture
def berlin() -> object:
    return create_app({"TESTING": True, "TIMEZONE": "Europe/Berlin", "DAY_START": "03:00"}).test_client()


def _ticks(html: str) -> list[str]:
    return re.findall(r'<span class="tick[^"]*"\s+style="left: [0-9.]+%">([^<]+)</span>', html)


@pytest.mark.parametrize(("day", "hours", "last"), [("2026-03-28", "23", "01:00"), ("2026-10-24", "25", "02:00 (+01)"),
                                                    ("2026-11-23", "24", "02:00")])
def test_the_board_has_the_days_real_length(berlin: object, day: str, hours: str, last: str) -> None:
    html = berlin.get(f"/days/{day}").get_data(as_text=True)
    assert f'<span id="day-length">{hours} h</span>' in html
    ticks = _ticks(html)
    assert len(ticks) == int(hours)
    assert ticks[0] == "03:00" and ticks[-1] == last


def test_spring_forward_skips_two_oclock(berlin: object) -> None:
    ticks = _ticks(berlin.get("/days/2026-03-28").get_data(as_text=True))
    assert "02:00" not in ticks and ticks[-2:] == ["00:00", "01:00"]


def test_fall_back_shows_two_oclock_twice_with_offsets(berlin: object) -> None:
    html = berlin.get("/days/2026-10-24").get_data(as_text=True)
    assert _ticks(html)[-2:] == ["02:00 (+02)", "02:00 (+01)"]
    # The booking picker offers both 02:30s, each as an instant with its own offset.
    assert '<option value="2026-10-25T02:30:00+02:00">02:30 (+02)</option>' in html
    assert '<option value="2026-10-25T02:30:00+01:00">02:30 (+01)</option>' in html


def test_a_bad_date_is_a_404_page(berlin: object) -> None:
    assert berlin.get("/days/20261123").status_code == 404  # only YYYY-MM-DD
    resp = berlin.get("/days/2026-13-01")
    assert resp.status_code == 404 and "not a date" in resp.get_data(as_text=True)
    assert berlin.get("/workers/anna?week=tomorrow").status_code == 404


def test_the_front_page_is_the_current_operational_day() -> None:
    client = create_app({"TESTING": True, "TIMEZONE": "Europe/Moscow", "DAY_START": "03:00"}).test_client()
    # Moscow keeps +03:00 all year: the operational day is the date three hours ago, Moscow time.
    day = (datetime.now(ZoneInfo("Europe/Moscow")) - timedelta(hours=3)).date()
    html = client.get("/").get_data(as_text=True)
    assert f"<h1>{day.strftime('%A %d %B %Y')}</h1>" in html
