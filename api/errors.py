"""The one place that turns errors into RFC 9457 `application/problem+json` responses.

Body: {type, title, status, detail, errors: [{field, message}], ...}; a 409 also names the tasks
involved (`tasks`) and, when a change would strand tasks, those (`uncovered`).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import psycopg
from flask import Flask, Response, json
from psycopg_pool import PoolTimeout
from werkzeug.exceptions import HTTPException

from solver.calendar import MAX_DURATION_MINUTES, MIN_DURATION_MINUTES
from solver.domain import InvalidInput
from solver.schema import flatten_errors

PROBLEM = "application/problem+json"
SERVICE_UNAVAILABLE = 503
DEFAULT_RETRY_AFTER = 5  # seconds, when a 503 names none of its own
log = logging.getLogger(__name__)


class ApiError(Exception):
    status = 400
    title = "Bad request"
    type_suffix = "bad-request"

    def __init__(self, detail: str, *, errors: list[dict[str, str]] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class NotFound(ApiError):
    status = 404
    title = "Not found"
    type_suffix = "not-found"


class UriTooLong(ApiError):
    """The request line is over the service's limit (api.request_head)."""

    status = 414
    title = "URI too long"
    type_suffix = "uri-too-long"


class HeaderFieldsTooLarge(ApiError):
    """A header, or all of them, is over the service's limit (api.request_head)."""

    status = 431
    title = "Request header fields too large"
    type_suffix = "header-fields-too-large"


class Unprocessable(ApiError):
    status = 422
    title = "Invalid input"
    type_suffix = "invalid-input"


class Conflict(ApiError):
    """The change cannot be made in the current state (does not fit, overlaps, already taken...)."""

    status = 409
    title = "Conflict"
    type_suffix = "conflict"

    def __init__(self, detail: str, *, tasks: list[str] | tuple[str, ...] = (), **extra: Any) -> None:
        super().__init__(detail, tasks=list(tasks), **extra)


class StrandError(Conflict):
    """The change would leave tasks that nobody can take (`uncovered`)."""

    title = "Change would strand tasks"
    type_suffix = "would-strand-tasks"

    def __init__(self, detail: str, *, uncovered: list[str], **extra: Any) -> None:
        super().__init__(detail, tasks=uncovered, uncovered=list(uncovered), **extra)


class Unproven(Conflict):
    """The solver ran out of time: the change is refused because it could not be proven safe."""

    status = 503
    title = "Could not prove the change safe in time"
    type_suffix = "unproven"


class Busy(ApiError):
    status = 503
    title = "Busy"
    type_suffix = "busy"


def problem(status: int, title: str, detail: str, *, type_suffix: str | None = None,
            errors: list[dict[str, str]] | None = None, **extra: Any) -> Response:
    retry_after = extra.pop("retry_after", DEFAULT_RETRY_AFTER if status == SERVICE_UNAVAILABLE else None)
    body: dict[str, Any] = {
        "type": f"/problems/{type_suffix}" if type_suffix else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "errors": errors or [],
    }
    body.update(extra)
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    if retry_after is not None:
        resp.headers["Retry-After"] = str(retry_after)
    return resp


def problem_of(err: ApiError) -> Response:
    """The response of one of the service's typed errors."""
    return problem(err.status, err.title, err.detail, type_suffix=err.type_suffix, errors=err.errors, **err.extra)


def validation_errors(messages: Any) -> list[dict[str, str]]:
    """webargs' {location: {field: [msg]}} as a flat [{field, message}] list (location dropped)."""
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "path", "form", "headers", "view_args"}:
        pairs = [p for loc in messages.values() for p in flatten_errors(loc)]
    else:
        pairs = flatten_errors(messages)
    return [{"field": f, "message": m} for f, m in pairs]


def handle_http_exception(error: HTTPException) -> Response:
    """Werkzeug / flask-smorest errors: 404 routes, 405, invalid JSON (400), schema validation (422)."""
    data = getattr(error, "data", None) or {}
    errors = validation_errors(data["messages"]) if "messages" in data else []
    code = error.code or 500
    if code == HTTPStatus.UNPROCESSABLE_ENTITY:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid input."
        return problem(422, "Invalid input", detail, type_suffix="invalid-input", errors=errors)
    if code == HTTPStatus.BAD_REQUEST and errors:
        detail = "; ".join(e["message"] for e in errors)
        return problem(400, "Malformed request", detail, type_suffix="malformed-request", errors=errors)
    detail = data.get("message") or error.description or error.name
    resp = problem(code, error.name, str(detail), errors=errors)
    for name, value in error.get_headers():  # e.g. 405's Allow
        if name.lower() != "content-type":
            resp.headers[name] = value
    return resp


def register(app: Flask) -> None:
    """Map every error the service can raise to problem+json (the one place that does)."""
    _register_input_errors(app)
    _register_database_errors(app)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        if isinstance(err, HTTPException):
            return handle_http_exception(err)
        log.exception("unhandled error")
        return problem(500, "Internal server error", "An unexpected error occurred.")


def _register_input_errors(app: Flask) -> None:
    """The service's typed errors and the contract's invalid input."""

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Response:
        return problem_of(err)

    @app.errorhandler(InvalidInput)
    def _invalid(err: InvalidInput) -> Response:
        errors = [{"field": err.field or "body", "message": err.message}]
        return problem(422, "Invalid input", err.message, type_suffix="invalid-input", errors=errors,
                       ids=list(err.ids))

    @app.errorhandler(OverflowError)
    def _overflow(err: OverflowError) -> Response:
        # Dates at the edge of the calendar (year 1, year 9999) overflow when converted between zones.
        msg = f"a date or time is outside the supported range ({err})"
        return problem(422, "Invalid input", msg, type_suffix="invalid-input",
                       errors=[{"field": "body", "message": msg}])


def _register_database_errors(app: Flask) -> None:
    """What PostgreSQL refuses (constraints, values) and an unreachable database."""

    @app.errorhandler(psycopg.errors.ExclusionViolation)
    def _exclusion(err: psycopg.errors.ExclusionViolation) -> Response:
        # The database's own guard fired (23P01): an overlapping shift or a double booking.
        return problem(409, "Conflict", _constraint_detail(err), type_suffix="conflict", tasks=[])

    @app.errorhandler(psycopg.IntegrityError)
    def _integrity(err: psycopg.IntegrityError) -> Response:
        if isinstance(err, psycopg.errors.CheckViolation):
            return problem(422, "Invalid input", _constraint_detail(err), type_suffix="invalid-input",
                           errors=[{"field": "body", "message": _constraint_detail(err)}])
        return problem(409, "Conflict", _constraint_detail(err), type_suffix="conflict", tasks=[])

    @app.errorhandler(psycopg.DataError)
    def _data(err: psycopg.DataError) -> Response:
        # Values PostgreSQL cannot store (out-of-range numbers, NUL bytes...) are the client's input.
        msg = (err.diag.message_primary or str(err)).strip()
        return problem(422, "Invalid input", msg, type_suffix="invalid-input",
                       errors=[{"field": "body", "message": msg}])

    @app.errorhandler(psycopg.OperationalError)
    def _db_down(err: psycopg.OperationalError) -> Response:
        log.warning("database unavailable: %s", err)
        return problem(503, "Service unavailable", "The database is unavailable; try again shortly.",
                       type_suffix="unavailable")

    @app.errorhandler(PoolTimeout)
    def _pool_timeout(err: PoolTimeout) -> Response:
        log.warning("no database connection: %s", err)
        return problem(503, "Service unavailable", "The database is unavailable; try again shortly.",
                       type_suffix="unavailable")

    @app.errorhandler(psycopg.InterfaceError)
    def _interface(err: psycopg.InterfaceError) -> Response:
        log.warning("database connection broken: %s", err)
        return problem(503, "Service unavailable", "The database connection was lost; try again shortly.",
                       type_suffix="unavailable")


def _constraint_detail(err: psycopg.Error) -> str:
    names = {
        "shifts_no_overlap": "the shift overlaps another shift of the same worker",
        "tasks_no_double_booking": "the worker already has a task at that time",
        "task_seats_no_double_booking": "the worker already holds a seat of a task at that time",
        "task_crew_skill_once": "a crew lists a skill more than once (merge the entries)",
        "task_crew_count": "a crew entry's count must be between 1 and 20",
        "tasks_duration": f"a task must last {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes",
        "workers_employment_order": "hire_date must not be after fire_date",
        "workers_pkey": "a worker with that id already exists",
        "tasks_pkey": "a task with that id already exists",
    }
    name = err.diag.constraint_name or ""
    return names.get(name, (err.diag.message_primary or str(err)).strip())
