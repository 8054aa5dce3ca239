"""Configuration from the environment (one place), overridable by `create_app(config)` in tests."""

from __future__ import annotations

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
        # Days ahead (from today) that roster patterns are written out as shifts.
        "ROSTER_HORIZON_DAYS": _int("SLOT_PLANNER_ROSTER_HORIZON_DAYS", 62),
        "API_TITLE": "slot-planner",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
    }


def calendar() -> OperationalCalendar:
    """The deployment's operational calendar (zone and day start) of the current app."""
    hh, mm = (int(x) for x in current_app.config["DAY_START"].split(":"))
    return OperationalCalendar(current_app.config["TIMEZONE"], time(hh, mm))
