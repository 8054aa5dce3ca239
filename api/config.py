"""Configuration from the environment (one place), overridable by `create_app(config)` in tests."""

from __future__ import annotations

import functools
import os
from datetime import time
from typing import Any

from flask import current_app

from solver.calendar import DEFAULT_DAY_START, OperationalCalendar

# The one home of the default database; Makefile, tests and benchmarks read it from here.
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/slot_planner"
# The service's own default zone (a scenario document defaults to UTC instead, see solver.calendar).
DEFAULT_SERVICE_TIMEZONE = "Europe/Moscow"


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def database_url() -> str:
    """`DATABASE_URL` from the environment, else the default."""
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def from_environment() -> dict[str, Any]:
    return {
        "DATABASE_URL": database_url(),
        # Per deployment: the zone that wall-clock input is read in and the operational day's start.
        "TIMEZONE": os.environ.get("SLOT_PLANNER_TIMEZONE") or DEFAULT_SERVICE_TIMEZONE,
        "DAY_START": os.environ.get("SLOT_PLANNER_DAY_START") or DEFAULT_DAY_START.strftime("%H:%M"),
        "POOL_MIN_SIZE": _int("SLOT_PLANNER_POOL_MIN_SIZE", 1),
        "POOL_MAX_SIZE": _int("SLOT_PLANNER_POOL_MAX_SIZE", 10),
        # Seconds a request waits for a connection before answering 503.
        "POOL_TIMEOUT": _float("SLOT_PLANNER_POOL_TIMEOUT", 5.0),
        # Seconds CP-SAT may spend proving a change safe; past it the change is refused, never accepted.
        "PLAN_TIME_LIMIT": _float("SLOT_PLANNER_PLAN_TIME_LIMIT", 10.0),
        # Same default as `python -m solver slots --time-limit`, so both give the same answers.
        "PROBE_TIME_LIMIT": _float("SLOT_PLANNER_PROBE_TIME_LIMIT", 10.0),
        # Seconds a failed database connection makes every request answer 503 at once (then one probes).
        "DB_BACKOFF": _float("SLOT_PLANNER_DB_BACKOFF", 2.0),
        # Trust (api.auth, api.access, api.inputs, api.limits): see the README's "Security and limits".
        "SECRET_KEY": os.environ.get("SLOT_PLANNER_SECRET_KEY") or None,
        "SESSION_COOKIE_SECURE": os.environ.get("SLOT_PLANNER_COOKIE_SECURE", "") in {"1", "true", "yes"},
        "AUTH_CACHE_SECONDS": _float("SLOT_PLANNER_AUTH_CACHE_SECONDS", 10.0),
        "MAX_BODY_BYTES": _int("SLOT_PLANNER_MAX_BODY_BYTES", 2 * 1024 * 1024),
        # The request target (path and query, 414 above) and one header field (431 above), answered as
        # problem+json by api.request_head; gunicorn.conf.py keeps gunicorn's own (HTML) limits above these.
        "MAX_URL_BYTES": _int("SLOT_PLANNER_MAX_URL_BYTES", 4096),
        "MAX_HEADER_BYTES": _int("SLOT_PLANNER_MAX_HEADER_BYTES", 8192),
        # Seconds of solver work in total for one what-if (SOLVER_BUDGET) and for one question about the
        # database (QUERY_BUDGET: GET slots, slots/explain, slots/next, takeable, availability); past it the
        # open part of the answer is undecided / unknown, never guessed (api.limits).
        "SOLVER_BUDGET": _float("SLOT_PLANNER_SOLVER_BUDGET", 10.0),
        "QUERY_BUDGET": _float("SLOT_PLANNER_QUERY_BUDGET", 10.0),
        # Seconds for the explanation a booking refused for stranding carries (past it: reason "unknown";
        # GET slots/explain has the whole QUERY_BUDGET). On the load test's L-90 day some refused starts
        # took the whole 10 s to end "unknown", two cores busy meanwhile, and held the manager as long.
        "REFUSAL_EXPLAIN_BUDGET": _float("SLOT_PLANNER_REFUSAL_EXPLAIN_BUDGET", 2.0),
        "WHAT_IF_CONCURRENCY": _int("SLOT_PLANNER_WHAT_IF_CONCURRENCY", 2),
        # Slot queries about the database solved at once per process; the others wait their turn (api.limits).
        "SLOT_SOLVES": _int("SLOT_PLANNER_SLOT_SOLVES", 1),
        "WHAT_IF_RATE_LIMIT": os.environ.get("SLOT_PLANNER_WHAT_IF_RATE_LIMIT") or "60 per minute",
        "WHAT_IF_MAX_WORKERS": _int("SLOT_PLANNER_WHAT_IF_MAX_WORKERS", 1000),
        "WHAT_IF_MAX_SHIFTS": _int("SLOT_PLANNER_WHAT_IF_MAX_SHIFTS", 5000),
        "WHAT_IF_MAX_TASKS": _int("SLOT_PLANNER_WHAT_IF_MAX_TASKS", 6000),
        "WHAT_IF_MAX_CANDIDATES": _int("SLOT_PLANNER_WHAT_IF_MAX_CANDIDATES", 1500),
        # Whether slot queries keep what they learned for the next query of the day, length and crew, in
        # the database (api.guides): 1 on, 0 off.
        "SLOT_GUIDES": _int("SLOT_PLANNER_SLOT_GUIDES", 1),
        # Days ahead (from today) that roster patterns are written out as shifts.
        "ROSTER_HORIZON_DAYS": _int("SLOT_PLANNER_ROSTER_HORIZON_DAYS", 62),
        "API_TITLE": "slot-planner",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",  # served from the swagger-ui-bundle package
    }


def calendar() -> OperationalCalendar:
    """The deployment's operational calendar (zone and day start) of the current app."""
    return _calendar(current_app.config["TIMEZONE"], current_app.config["DAY_START"])


@functools.lru_cache(maxsize=16)
def _calendar(timezone: str, day_start: str) -> OperationalCalendar:
    # One object per configuration: serialising a day's tasks asks for it per field of every task.
    hh, mm = (int(x) for x in day_start.split(":"))
    return OperationalCalendar(timezone, time(hh, mm))
