"""Read-only views over the live data: /api/v1/days/<date> (the day as one document and as the contract's
scenario), /api/v1/workers/<id>/calendar.ics, /api/v1/free-time and /api/v1/availability."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from api import day_service as service
from api.roster_schemas import (
    AvailabilityArgs,
    AvailabilitySchema,
    CalendarArgs,
    CalendarLinkSchema,
    DayDocumentSchema,
    FreeTimeArgs,
    FreeTimeSchema,
)
from api.views.common import PREFIX, problems
from api.views.rosters import path_date

days = Blueprint("days", __name__, url_prefix=f"{PREFIX}/days",
                 description="The operational day from the database, as one document")


@days.route("/<day>")
class Day(MethodView):
    @days.response(200, DayDocumentSchema)
    @problems(days, 422)
    def get(self, day: str) -> Any:
        """Workers with shifts that day, tasks with holders, the stored witness plan, utilisation"""
        return service.day_document(path_date(day))


@days.route("/<day>/scenario")
class DayScenario(MethodView):
    @days.response(200)
    @problems(days, 422)
    def get(self, day: str) -> Any:
        """The contract's scenario document of the day (what `GET /slots` runs on), for `python -m solver`"""
        return service.day_scenario(path_date(day))


calendars = Blueprint("calendars", __name__, url_prefix=f"{PREFIX}/workers/<worker_id>",
                      description="A worker's shifts and held tasks as iCalendar (RFC 5545)")


@calendars.route("/calendar.ics")
class WorkerCalendar(MethodView):
    @calendars.arguments(CalendarArgs, location="query")
    @calendars.response(200, content_type="text/calendar")
    @problems(calendars, 404, 422)
    def get(self, args: dict[str, Any], worker_id: str) -> Any:
        """Subscribe from a phone: stable UIDs, the service's zone as VTIMEZONE / TZID"""
        return Response(service.worker_calendar(worker_id, args), mimetype="text/calendar")


@calendars.route("/calendar-token")
class WorkerCalendarToken(MethodView):
    @calendars.response(201, CalendarLinkSchema)
    @problems(calendars, 404)
    def post(self, worker_id: str) -> Any:
        """A read-only link to subscribe to the calendar from a phone (the token reads this calendar only)"""
        token_id, token = service.calendar_token(worker_id)
        url = url_for("calendars.WorkerCalendar", worker_id=worker_id, token=token, _external=True)
        return {"url": url, "token_id": token_id}


crew = Blueprint("crew", __name__, url_prefix=PREFIX, description="Free time and availability of workers")


@crew.route("/free-time")
class FreeTime(MethodView):
    @crew.arguments(FreeTimeArgs, location="query")
    @crew.response(200, FreeTimeSchema)
    @problems(crew, 404, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """Common free time of several workers (shifts minus held tasks), ranked by how many are free"""
        return service.free_time(args)


@crew.route("/availability")
class Availability(MethodView):
    @crew.arguments(AvailabilityArgs, location="query")
    @crew.response(200, AvailabilitySchema)
    @problems(crew, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """Who could take a task in that window now (free, fitting, and every task still coverable)"""
        return service.availability(args)
