"""/api/v1/workers/<id>/patterns: recurring working hours (RFC 5545 RRULE) written out as shifts, and
one-day overrides; `flask --app api rosters materialise` rolls the horizon forward."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import click
from flask.views import MethodView
from flask_smorest import Blueprint

from api import roster_service as service
from api.errors import Unprocessable
from api.roster_schemas import (
    PRESETS_DOC,
    OverrideSchema,
    PatternCreateSchema,
    PatternResourceSchema,
    PatternUpdateSchema,
)
from api.views.common import PREFIX, problems
from solver.calendar import MAX_YEAR, MIN_YEAR

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

blp = Blueprint("rosters", __name__, url_prefix=f"{PREFIX}/workers/<worker_id>/patterns",
                description="Recurring working hours (RFC 5545 RRULE) written out as shifts; one-day overrides."
                            " Presets: " + PRESETS_DOC)


def path_date(text: str) -> date:
    """A YYYY-MM-DD path segment within the supported years, or 422 naming `date`."""
    try:
        if not DATE.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise ValueError(text)
        return day
    except ValueError as exc:
        raise Unprocessable(f"date: {text!r} is not YYYY-MM-DD",
                            errors=[{"field": "date", "message": "expected YYYY-MM-DD"}]) from exc


@blp.route("")
class Patterns(MethodView):
    @blp.response(200, PatternResourceSchema(many=True))
    @problems(blp, 404)
    def get(self, worker_id: str) -> Any:
        """List a worker's roster patterns"""
        return service.list_patterns(worker_id)

    @blp.arguments(PatternCreateSchema)
    @blp.response(201, PatternResourceSchema)
    @problems(blp, 404, 422)
    def post(self, data: dict[str, Any], worker_id: str) -> Any:
        """Create a pattern; its shifts are written up to the rolling horizon"""
        return service.create_pattern(worker_id, data)


@blp.route("/<int:pattern_id>")
class PatternById(MethodView):
    @blp.response(200, PatternResourceSchema)
    @problems(blp, 404)
    def get(self, worker_id: str, pattern_id: int) -> Any:
        """Read a pattern"""
        return service.get_pattern(worker_id, pattern_id)

    @blp.arguments(PatternUpdateSchema)
    @blp.response(200, PatternResourceSchema)
    @problems(blp, 404, 409, 422, 503)
    def patch(self, data: dict[str, Any], worker_id: str, pattern_id: int) -> Any:
        """Change a pattern from effective_from on (409 naming the tasks the lost hours would strand)"""
        return service.update_pattern(worker_id, pattern_id, data)

    @blp.response(204)
    @problems(blp, 404, 409, 503)
    def delete(self, worker_id: str, pattern_id: int) -> None:
        """Delete a pattern and its shifts (409 naming the tasks that would strand)"""
        service.delete_pattern(worker_id, pattern_id)


@blp.route("/<int:pattern_id>/overrides/<day>")
class Override(MethodView):
    @blp.arguments(OverrideSchema)
    @blp.response(200, PatternResourceSchema)
    @problems(blp, 404, 409, 422, 503)
    def put(self, data: dict[str, Any], worker_id: str, pattern_id: int, day: str) -> Any:
        """Other hours on one date (`{start_time, length_minutes}`) or a day off (`{off: true}`)"""
        return service.put_override(worker_id, pattern_id, path_date(day), data)

    @blp.response(200, PatternResourceSchema)
    @problems(blp, 404, 409, 422, 503)
    def delete(self, worker_id: str, pattern_id: int, day: str) -> Any:
        """Back to the pattern's own hours on that date"""
        return service.delete_override(worker_id, pattern_id, path_date(day))


@blp.cli.command("materialise")
def materialise_command() -> None:
    """Extend every pattern's shifts to the rolling horizon (run daily, e.g. from cron)."""
    click.echo(f"{service.materialise_all()} shift(s) written")
