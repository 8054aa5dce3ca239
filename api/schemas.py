"""marshmallow schemas of the HTTP resources. The contract's own schemas (scenario, slot query, slot
answer) come from `solver.schema` and are reused as they are; these describe the database resources.

Shape only (types, required fields, lengths); meaning (durations, fits, feasibility) is checked by the
service and the solver.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from solver.domain import MAX_DURATION_MINUTES, MIN_DURATION_MINUTES
from solver.schema import IsoDateTime, ScenarioSchema, StrictDate, StrictInteger

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
GENERATED_ID = re.compile(r"^[wt]-[0-9]+$")  # the form of server-generated ids (see sql/0001_schema.sql)
MIN_YEAR, MAX_YEAR = 1900, 2200  # far enough for any schedule, and far from datetime's overflow edges


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("Must not contain NUL characters.")


def _client_id(value: str) -> None:
    if not ID_PATTERN.match(value):
        raise ValidationError("1 to 64 characters: letters, digits, and _ . : - (not first).")
    if GENERATED_ID.match(value):
        raise ValidationError("Ids of the form w-<n> / t-<n> are reserved for generated ids.")


def _year_range(value: Any) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(f"Year must be between {MIN_YEAR} and {MAX_YEAR}.")


Text = fields.String
Skill = fields.String(validate=[validate.Length(min=1, max=64), _no_nul])


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


# --- workers -------------------------------------------------------------------------------------------


class WorkerCreateSchema(StrictSchema):
    id = Text(validate=_client_id, metadata={"description": "optional; generated (w-<n>) when absent"})
    name = Text(load_default="", validate=[validate.Length(max=200), _no_nul])
    skills = fields.List(Skill, load_default=list, validate=validate.Length(max=100))
    hire_date = StrictDate(load_default=None, allow_none=True, validate=_year_range,
                           metadata={"description": "first day the worker's shifts count; null: unbounded"})
    fire_date = StrictDate(load_default=None, allow_none=True, validate=_year_range,
                           metadata={"description": "last day the worker's shifts count; null: unbounded"})


class WorkerUpdateSchema(StrictSchema):
    name = Text(validate=[validate.Length(max=200), _no_nul])
    skills = fields.List(Skill, validate=validate.Length(max=100))
    hire_date = StrictDate(allow_none=True, validate=_year_range)
    fire_date = StrictDate(allow_none=True, validate=_year_range)


class WorkerResourceSchema(Schema):
    id = Text()
    name = Text()
    skills = fields.List(Text())
    hire_date = fields.Date(allow_none=True)
    fire_date = fields.Date(allow_none=True)


# --- shifts ----------------------------------------------------------------------------------------------


class ShiftCreateSchema(StrictSchema):
    start = IsoDateTime(required=True, validate=_year_range,
                        metadata={"description": "ISO 8601; without an offset: wall-clock in the service's zone"})
    end = IsoDateTime(required=True, validate=_year_range)


class ShiftResourceSchema(Schema):
    id = fields.Integer()
    worker_id = Text()
    start = Text()
    end = Text()
    day = Text(metadata={"description": "operational day of the shift's start"})
    counted = fields.Boolean(metadata={"description": "false when the day is outside hire/fire dates"})


class ShiftListArgs(StrictSchema):
    date = StrictDate(validate=_year_range, metadata={"description": "only shifts starting on this day"})


# --- tasks ----------------------------------------------------------------------------------------------

_DURATION = f"{MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes"


class TaskTimeSchema(StrictSchema):
    start = IsoDateTime(required=True, validate=_year_range,
                        metadata={"description": "ISO 8601; without an offset: wall-clock in the service's zone"})
    end = IsoDateTime(validate=_year_range, metadata={"description": f"give end or duration_minutes ({_DURATION})"})
    duration_minutes = StrictInteger(strict=True, metadata={"description": _DURATION})
    skill = fields.String(allow_none=True, validate=[validate.Length(min=1, max=64), _no_nul])

    @validates_schema
    def _end_or_duration(self, data: dict[str, Any], **_: Any) -> None:
        if ("end" in data) == ("duration_minutes" in data):
            raise ValidationError("Give exactly one of end and duration_minutes.", "end")


class TaskCreateSchema(TaskTimeSchema):
    id = Text(validate=_client_id, metadata={"description": "optional; generated (t-<n>) when absent"})


class TaskMoveSchema(TaskTimeSchema):
    """Move a task: new start and end (or duration); skill unchanged unless given."""


class TakeSchema(StrictSchema):
    worker_id = Text(required=True, validate=[validate.Length(min=1, max=64), _no_nul])


class TaskResourceSchema(Schema):
    id = Text()
    start = Text()
    end = Text()
    duration_minutes = fields.Integer()
    day = Text(metadata={"description": "operational day of the task's start"})
    skill = Text(allow_none=True)
    worker_id = Text(allow_none=True, metadata={"description": "the installer who took it; null: untaken"})
    worker_name = Text(allow_none=True)
    created_at = Text()
    updated_at = Text()


class TaskListArgs(StrictSchema):
    date = StrictDate(required=True, validate=_year_range, metadata={"description": "operational day"})


# --- slots and what-if ------------------------------------------------------------------------------------


class SlotsArgs(StrictSchema):
    """Query string of GET /api/v1/slots (query strings are text, so integers are parsed, not strict)."""

    date = StrictDate(required=True, validate=_year_range)
    duration_minutes = fields.Integer(required=True, validate=validate.Range(MIN_DURATION_MINUTES,
                                                                             MAX_DURATION_MINUTES))
    step_minutes = fields.Integer(load_default=15, validate=validate.Range(1, 240))
    skill = fields.String(load_default=None, validate=[validate.Length(min=1, max=64), _no_nul])


class WhatIfPlanSchema(Schema):
    scenario = fields.Nested(ScenarioSchema, required=True)


class PlanAnswerSchema(Schema):
    feasible = fields.Boolean(allow_none=True, metadata={"description": "null when the solver ran out of time"})
    status = Text(metadata={"description": "feasible, infeasible or unknown"})
    assignment = fields.Dict(keys=Text(), values=fields.List(Text()),
                             metadata={"description": "task id -> its workers for all its seats, holders first"})
    uncovered = fields.List(Text(), metadata={"description": "fewest tasks that cannot all be covered"})
    uncovered_is_minimal = fields.Boolean(allow_none=True)


class HealthSchema(Schema):
    status = Text()
    database = Text()


class FieldErrorSchema(Schema):
    field = Text()
    message = Text()


class ProblemSchema(Schema):
    """RFC 9457 problem details (content type application/problem+json)."""

    type = Text()
    title = Text()
    status = fields.Integer()
    detail = Text()
    errors = fields.List(fields.Nested(FieldErrorSchema))
    tasks = fields.List(Text(), metadata={"description": "409: the tasks involved"})
    uncovered = fields.List(Text(), metadata={"description": "409: the tasks the change would strand"})
