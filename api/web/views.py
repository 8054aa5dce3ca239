"""Routes of the web page. Each renders a frame from the calendar; the data comes from the JSON API."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, render_template, request, url_for

from api.web.frames import day_frame, service_calendar, today, week_of

pages = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/static/pages")

API_PREFIX = "/api/v1"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # only the extended form; date.fromisoformat also reads 20261123


def _page_data(**extra: object) -> dict[str, object]:
    """What the script needs to know about the page (the API's address, the service's zone)."""
    cal = service_calendar()
    return {"api": API_PREFIX, "timezone": cal.timezone, **extra}


def _not_found(message: str) -> tuple[str, int]:
    return render_template("not_found.html", message=message), 404


def _parse_day(raw: str) -> date | None:
    if not ISO_DATE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@pages.get("/")
def board_today() -> str:
    return _board(today(service_calendar()))


@pages.get("/days/<raw_day>")
def board(raw_day: str) -> str | tuple[str, int]:
    day = _parse_day(raw_day)
    if day is None:
        return _not_found(f"{raw_day!r} is not a date (expected YYYY-MM-DD)")
    return _board(day)


def _board(day: date) -> str:
    cal = service_calendar()
    frame = day_frame(cal, day)
    data = _page_data(page="board", date=day.isoformat(), start=frame.start.isoformat(), end=frame.end.isoformat(),
                      previous=frame.previous.isoformat())
    return render_template("board.html", frame=frame, page_data=data, is_today=day == today(cal),
                           today_url=url_for("pages.board_today"))


@pages.get("/workers/<worker_id>")
def installer(worker_id: str) -> str | tuple[str, int]:
    cal = service_calendar()
    raw = request.args.get("week")
    anchor = _parse_day(raw) if raw else today(cal)
    if anchor is None:
        return _not_found(f"week={raw!r} is not a date (expected YYYY-MM-DD)")
    week = week_of(cal, anchor)
    days = [{"date": d.day.isoformat(), "start": d.start.isoformat(), "end": d.end.isoformat()} for d in week.days]
    data = _page_data(page="installer", worker=worker_id, days=days, today=today(cal).isoformat())
    return render_template("installer.html", worker_id=worker_id, week=week, page_data=data,
                           board_day=anchor if raw else today(cal))
