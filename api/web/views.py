"""Routes of the web page. Each renders a frame from the calendar; the data comes from the JSON API."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers.response import Response

from api.access import INSTALLER
from api.auth import CSRF_HEADER, Forbidden, Unauthorized, current_principal
from api.web.frames import day_frame, service_calendar, today, week_of

pages = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/static/pages")

API_PREFIX = "/api/v1"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # only the extended form; date.fromisoformat also reads 20261123


def _page_data(**extra: object) -> dict[str, object]:
    """What the script needs to know about the page: the API's address, the service's zone, who is signed in
    and the session's CSRF token (sent back on every change; the page is same-origin, as the cookie is)."""
    cal = service_calendar()
    principal = current_principal()
    me = None if principal is None else {"role": principal.role, "worker_id": principal.worker_id}
    return {"api": API_PREFIX, "timezone": cal.timezone, "me": me, "csrf": session.get("csrf"),
            "csrf_header": CSRF_HEADER, "sign_in": url_for("pages.sign_in"), **extra}


def has_api(path: str) -> bool:
    """Whether this build serves an API route (a page shows a feature only when its endpoint exists)."""
    return any(rule.rule == path for rule in current_app.url_map.iter_rules())


@pages.errorhandler(Unauthorized)
def _signed_out(_: Unauthorized) -> Response:
    # A page asked for without a session (or with a revoked one): to the sign-in page, then back here.
    return redirect(url_for("pages.sign_in", next=request.full_path.rstrip("?")))


@pages.errorhandler(Forbidden)
def _forbidden(exc: Forbidden) -> tuple[str, int]:
    principal = current_principal()
    return render_template("forbidden.html", detail=exc.detail, principal=principal,
                           page_data=_page_data(page="forbidden")), 403


@pages.get("/sign-in")
def sign_in() -> str:
    target = request.args.get("next", "")
    # Only a path on this site (never //other.host or a scheme): no open redirect.
    safe = target if target.startswith("/") and not target.startswith(("//", "/\\")) else ""
    return render_template("sign_in.html", page_data=_page_data(page="sign-in", next=safe))


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
def board_today() -> str | Response:
    principal = current_principal()
    if principal is not None and principal.role == INSTALLER and principal.worker_id:
        return redirect(url_for("pages.installer", worker_id=principal.worker_id))  # an installer's home
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
                      previous=frame.previous.isoformat(), next_days=has_api(f"{API_PREFIX}/slots/next"))
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
    calendar_path = f"{API_PREFIX}/workers/<worker_id>/calendar.ics"
    data = _page_data(page="installer", worker=worker_id, days=days, today=today(cal).isoformat())
    ics = f"{API_PREFIX}/workers/{quote(worker_id, safe='')}/calendar.ics" if has_api(calendar_path) else None
    return render_template("installer.html", worker_id=worker_id, week=week, page_data=data,
                           board_day=anchor if raw else today(cal), calendar_url=ics)
