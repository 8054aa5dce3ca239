"""Blueprints of rosters (patterns and one-day overrides) and absences. Views are thin: parse (schemas),
call `api.roster_service` in one transaction, return."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import click
from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api import day_service
from api import roster_schemas as rs
from api import roster_service as service
from api.db import run_in_transaction, unit_of_work
from api.errors import Unprocessable
from api.resources import PREFIX, _problem

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

rosters = Blueprint("rosters", __name__, url_prefix=f"{PREFIX}/workers/<worker_id>/patterns",
                    description="Recurring working hours (RFC 5545 RRULE) materialised as shifts; one-day"
                                " overrides. Presets: " + rs._PRESETS_DOC)


def _day(text: str) -> date:
    try:
        if not DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise Unprocessable(f"date: {text!r} is not YYYY-MM-DD",
                            errors=[{"field": "date", "message": "expected YYYY-MM-DD"}]) from exc


@rosters.route("")
class Patterns(MethodView):
    @rosters.response(200, rs.PatternResourceSchema(many=True))
    @_problem(rosters, 404)
    def get(self, worker_id: str) -> Any:
        """List a worker's roster patterns"""
        return run_in_transaction(lambda conn: service.list_patterns(conn, worker_id))

    @rosters.arguments(rs.PatternCreateSchema)
    @rosters.response(201, rs.PatternResourceSchema)
    @_problem(rosters, 404, 422)
    def post(self, data: dict[str, Any], worker_id: str) -> Any:
        """Create a pattern; its shifts are written up to the rolling horizon"""
        return run_in_transaction(lambda conn: service.create_pattern(conn, worker_id, data))


@rosters.route("/<int:pattern_id>")
class PatternById(MethodView):
    @rosters.response(200, rs.PatternResourceSchema)
    @_problem(rosters, 404)
    def get(self, worker_id: str, pattern_id: int) -> Any:
        """Read a pattern"""
        return run_in_transaction(lambda conn: service.get_pattern(conn, worker_id, pattern_id))

    @rosters.arguments(rs.PatternUpdateSchema)
    @rosters.response(200, rs.PatternResourceSchema)
    @_problem(rosters, 404, 409, 422, 503)
    def patch(self, data: dict[str, Any], worker_id: str, pattern_id: int) -> Any:
        """Change a pattern (409 naming the tasks the lost hours would strand)"""
        return run_in_transaction(lambda conn: service.update_pattern(conn, worker_id, pattern_id, data))

    @rosters.response(204)
    @_problem(rosters, 404, 409, 503)
    def delete(self, worker_id: str, pattern_id: int) -> None:
        """Delete a pattern and its shifts (409 naming the tasks that would strand)"""
        run_in_transaction(lambda conn: service.delete_pattern(conn, worker_id, pattern_id))


@rosters.route("/<int:pattern_id>/overrides/<day>")
class Override(MethodView):
    @rosters.arguments(rs.OverrideSchema)
    @rosters.response(200, rs.PatternResourceSchema)
    @_problem(rosters, 404, 409, 422, 503)
    def put(self, data: dict[str, Any], worker_id: str, pattern_id: int, day: str) -> Any:
        """Other hours on one date (`{start_time, length_minutes}`) or a day off (`{off: true}`)"""
        d = _day(day)
        return run_in_transaction(lambda conn: service.put_override(conn, worker_id, pattern_id, d, data))

    @rosters.response(200, rs.PatternResourceSchema)
    @_problem(rosters, 404, 409, 422, 503)
    def delete(self, worker_id: str, pattern_id: int, day: str) -> Any:
        """Back to the pattern's own hours on that date"""
        d = _day(day)
        return run_in_transaction(lambda conn: service.delete_override(conn, worker_id, pattern_id, d))


@rosters.cli.command("materialise")
def materialise_command() -> None:
    """Extend every pattern's shifts to the rolling horizon (run daily, e.g. from cron)."""
    written = run_in_transaction(service.materialise_all)
    click.echo(f"{written} shift(s) written")


absences = Blueprint("absences", __name__, url_prefix=f"{PREFIX}/workers/<worker_id>/absences",
                     description="Holidays, sickness, training: working time taken away")


@absences.route("")
class Absences(MethodView):
    @absences.response(200, rs.AbsenceResourceSchema(many=True))
    @_problem(absences, 404)
    def get(self, worker_id: str) -> Any:
        """List a worker's absences"""
        return run_in_transaction(lambda conn: service.list_absences(conn, worker_id))

    @absences.arguments(rs.AbsenceCreateSchema)
    @absences.response(201, rs.AbsenceResourceSchema)
    @_problem(absences, 404, 409, 422, 503)
    def post(self, data: dict[str, Any], worker_id: str) -> Any:
        """Record an absence (409 naming held tasks, unless release_tasks and all stay coverable)"""
        return run_in_transaction(lambda conn: service.create_absence(conn, worker_id, data))


@absences.route("/<int:absence_id>")
class AbsenceById(MethodView):
    @absences.response(204)
    @_problem(absences, 404, 409, 503)
    def delete(self, worker_id: str, absence_id: int) -> None:
        """Remove an absence (the worker's pattern shifts come back)"""
        run_in_transaction(lambda conn: service.delete_absence(conn, worker_id, absence_id))


days = Blueprint("days", __name__, url_prefix=f"{PREFIX}/days",
                 description="The operational day from the database, as one document")


@days.route("/<day>")
class Day(MethodView):
    @days.response(200, rs.DayDocumentSchema)
    @_problem(days, 422)
    def get(self, day: str) -> Any:
        """Workers with shifts that day, tasks with holders, the stored witness plan, utilisation"""
        d = _day(day)
        with unit_of_work() as conn:
            return day_service.day_document(conn, d)


@days.route("/<day>/scenario")
class DayScenario(MethodView):
    @days.response(200)
    @_problem(days, 422)
    def get(self, day: str) -> Any:
        """The contract's scenario document of the day (what `GET /slots` runs on), for `python -m solver`"""
        d = _day(day)
        with unit_of_work() as conn:
            return day_service.day_scenario(conn, d)


calendars = Blueprint("calendars", __name__, url_prefix=f"{PREFIX}/workers/<worker_id>",
                      description="A worker's shifts and held tasks as iCalendar (RFC 5545)")


@calendars.route("/calendar.ics")
class WorkerCalendar(MethodView):
    @calendars.arguments(rs.CalendarArgs, location="query")
    @calendars.response(200, content_type="text/calendar")
    @_problem(calendars, 404, 422)
    def get(self, args: dict[str, Any], worker_id: str) -> Any:
        """Subscribe from a phone: stable UIDs, the service's zone as VTIMEZONE / TZID"""
        args = {("from" if k == "from_" else k): v for k, v in args.items()}
        with unit_of_work() as conn:
            body = day_service.worker_calendar(conn, worker_id, args)
        return Response(body, mimetype="text/calendar")


crew = Blueprint("crew", __name__, url_prefix=PREFIX, description="Free time and availability of workers")


@crew.route("/free-time")
class FreeTime(MethodView):
    @crew.arguments(rs.FreeTimeArgs, location="query")
    @crew.response(200, rs.FreeTimeSchema)
    @_problem(crew, 404, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """Common free time of several workers (shifts minus held tasks), ranked by how many are free"""
        args = {("from" if k == "from_" else k): v for k, v in args.items()}
        with unit_of_work() as conn:
            return day_service.free_time(conn, args)


@crew.route("/availability")
class Availability(MethodView):
    @crew.arguments(rs.AvailabilityArgs, location="query")
    @crew.response(200, rs.AvailabilitySchema)
    @_problem(crew, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """Who could take a task in that window now (free, fitting, and every task still coverable)"""
        with unit_of_work() as conn:  # read the snapshot; the solver runs after the connection is back
            scenario, witness, new = day_service.read_availability(conn, args)
        return day_service.availability(scenario, witness, new, current_app.config["PLAN_TIME_LIMIT"])


BLUEPRINTS = (rosters, absences, days, calendars, crew)
