"""The board's frame on DST days: drawn from the operational calendar at its real length (23 h / 25 h),
hours labelled in the service's zone, a repeated hour told apart by its offset. The frame is calendar
arithmetic (the data arrives from the API in the browser); the database only holds the caller's token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from api import create_app
from api.auth import create_token
from api.db import close_pool, unit_of_work


def _signed_in_client(database_url: str, timezone: str) -> Iterator[Any]:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "TIMEZONE": timezone, "DAY_START": "03:00"})
    with app.app_context(), unit_of_work() as conn:
        token = create_token(conn, "manager")[1]
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    yield client
    close_pool(app)


@pytest.fixture
def berlin(database_url: str) -> Iterator[Any]:
    yield from _signed_in_client(database_url, "Europe/Berlin")


@pytest.fixture
def moscow(database_url: str) -> Iterator[Any]:
    yield from _signed_in_client(database_url, "Europe/Moscow")


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


def test_the_front_page_is_the_current_operational_day(moscow: Any) -> None:
    client = moscow
    # Moscow keeps +03:00 all year: the operational day is the date three hours ago, Moscow time.
    day = (datetime.now(ZoneInfo("Europe/Moscow")) - timedelta(hours=3)).date()
    html = client.get("/").get_data(as_text=True)
    assert f"<h1>{day.strftime('%A %d %B %Y')}</h1>" in html


def test_pages_without_a_session_send_to_sign_in(database_url: str) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "TIMEZONE": "Europe/Moscow"})
    client = app.test_client()
    for path in ("/", "/days/2026-11-23", "/workers/anna?week=2026-11-23"):
        resp = client.get(path)
        target = urlsplit(resp.headers["Location"])
        assert resp.status_code == 302 and target.path == "/sign-in" and parse_qs(target.query) == {"next": [path]}
    sign_in = client.get("/sign-in?next=/days/2026-11-23")
    assert sign_in.status_code == 200 and 'name="token"' in sign_in.get_data(as_text=True)
    close_pool(app)
