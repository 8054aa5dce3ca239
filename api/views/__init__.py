"""Thin views, one blueprint per resource: parse (schemas in `api.schemas`), call one `api.service`
use case, return what the response schema dumps. No view touches a connection; errors leave through
`api.errors`."""

from __future__ import annotations

from api.views.absences import blp as absences
from api.views.days import calendars, crew, days
from api.views.health import blp as health
from api.views.rosters import blp as rosters
from api.views.shifts import blp as shifts
from api.views.slots import blp as slots
from api.views.tasks import blp as tasks
from api.views.what_if import blp as what_if
from api.views.workers import blp as workers

BLUEPRINTS = (workers, shifts, tasks, slots, what_if, health, rosters, absences, days, calendars, crew)
