"""A phone subscribes to an installer's calendar by URL: calendar apps send neither a header nor a cookie, so
the URL carries a calendar token, which reads that one calendar and nothing else."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from service_kit import add_worker, assert_problem, at, book, take

A = "/api/v1"


@pytest.fixture
def vera(client: Any) -> Any:
    """Vera works 14-18 and holds t3 14:30-15:30; Boris works 09-17."""
    add_worker(client, "vera", ["install"], (at("14:00"), at("18:00")))
    add_worker(client, "boris", ["install"], (at("09:00"), at("17:00")))
    book(client, "t3", at("14:30"), at("15:30"), "install")
    take(client, "t3", "vera")
    return client


def _link(client: Any, worker: str) -> str:
    r = client.post(f"{A}/workers/{worker}/calendar-token")
    assert r.status_code == 201, r.get_data(as_text=True)
    return str(r.json["url"])


def _path_and_query(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_a_calendar_link_needs_no_header_and_shows_the_calendar(vera: Any, anonymous: Any) -> None:
    path, query = _path_and_query(_link(vera, "vera"))
    assert path == f"{A}/workers/vera/calendar.ics" and query["token"].startswith("sp_")
    # What a calendar app does: a plain GET of the URL (here with a range around the test's day, which lies
    # outside the default range of a week ago to the roster horizon).
    r = anonymous.get(path, query_string={**query, "from": "2026-11-23T00:00", "to": "2026-11-25T00:00"})
    assert r.status_code == 200 and r.content_type.startswith("text/calendar")
    summaries = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(r.data).walk("VEVENT")}
    assert "Task t3 (install)" in summaries


def test_a_calendar_token_reads_only_its_own_calendar(vera: Any, anonymous: Any) -> None:
    _, query = _path_and_query(_link(vera, "vera"))
    assert_problem(anonymous.get(f"{A}/workers/boris/calendar.ics", query_string=query), 403)
    token = query["token"]
    as_bearer = anonymous.get(f"{A}/tasks", query_string={"date": "2026-11-23"},
                              headers={"Authorization": f"Bearer {token}"})
    assert_problem(as_bearer, 403)
    # The token in the URL of any other route is no credential at all.
    assert_problem(anonymous.get(f"{A}/workers/vera/shifts", query_string={"token": token}), 401)


def test_only_a_calendar_token_may_travel_in_a_url(vera: Any, anonymous: Any, token_for: Any) -> None:
    installer = token_for("installer", "vera")
    assert_problem(anonymous.get(f"{A}/workers/vera/calendar.ics", query_string={"token": installer}), 401)
    assert_problem(anonymous.get(f"{A}/workers/vera/calendar.ics", query_string={"token": "sp_unknown"}), 401)


def test_an_installer_makes_a_link_for_themself_only(vera: Any, client_as: Any) -> None:
    own = client_as("installer", "vera")
    assert own.post(f"{A}/workers/vera/calendar-token").status_code == 201
    assert_problem(own.post(f"{A}/workers/boris/calendar-token"), 403)
    assert_problem(client_as("planner").post(f"{A}/workers/vera/calendar-token"), 403)
    assert_problem(vera.post(f"{A}/workers/nobody/calendar-token"), 404)


def test_a_revoked_calendar_token_stops_the_feed(vera: Any, anonymous: Any, app: Any) -> None:
    r = vera.post(f"{A}/workers/vera/calendar-token")
    path, query = _path_and_query(r.json["url"])
    out = app.test_cli_runner().invoke(args=["token", "revoke", str(r.json["token_id"])])
    assert out.exit_code == 0, out.output
    assert_problem(anonymous.get(path, query_string=query), 401)
