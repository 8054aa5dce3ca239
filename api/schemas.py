"""The HTTP-only marshmallow schemas: request bodies and query strings, the resources' answers (dumped
from `api.queries` rows, times in the service's zone), what-if bodies and problem details. The contract's
own schemas (scenario, slot query, slot answer) come from `solver.schema` and are reused as they are.

Dates and date-times use the contract's fields (`solver.schema`), so the year limits are the contract's
(`solver.calendar.MIN_YEAR` / `MAX_YEAR`). Shape only (types, required fields, lengths); meaning
(durations, fits, feasibility) is checked by the service and the solver.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from api.config import calendar
from solver.calendar import (
    DEFAULT_STEP_MINUTES,
    MAX_DURATION_MINUTES,
    MAX_STEP_MINUTES,
    MIN_DURATION_MINUTES,
    MIN_STEP_MINUTES,
)
from solver.domain import Scenario, SlotQuery
from solver.schema import IsoDateTime, ScenarioSchema, SlotQuerySchema, StrictDate, StrictInteger
from solver.validate import validate_scenario

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
GENERATED_ID = re.compile(r"^[wt]-[0-9]+$")  # the form of server-generated ids (see sql/0001_schema.sql)


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("Must not contain NUL characters.")


def _client_id(value: str) -> None:
    if not ID_PATTERN.match(value):
        raise ValidationError("1 to 64 characters: letters, digits, and _ . : - (not first).")
    if GENERATED_ID.match(value):
        raise ValidationError("Ids of the form w-<n> / t-<n> are reserved for generated ids.")


class DumpOnly(fields.String):
    """A computed text field of an answer (documented as a string)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(dump_only=True, **kwargs)


class LocalDateTime(DumpOnly):
    """Dump only: an instant as ISO 8601 with the offset of the service's zone."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.astimezone(calendar().zone).isoformat()


class OperationalDay(DumpOnly):
    """Dump only: the operational day (YYYY-MM-DD) an instant belongs to, in the service's calendar."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else calendar().day_of(value).isoformat()


class PeriodMinutes(fields.Integer):
    """Dump only: the length of a period (a PostgreSQL range) in whole minutes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(dump_only=True, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> int | None:
        return None if value is None else int((value.upper - value.lower).total_seconds() // 60)


class Timestamp(DumpOnly):
    """Dump only: a stored timestamp as ISO 8601, as PostgreSQL gave it."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.isoformat()


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
    hire_date = StrictDate(load_default=None, allow_none=True,
                           metadata={"description": "first day the worker's shifts count; null: unbounded"})
    fire_date = StrictDate(load_default=None, allow_none=True,
                           metadata={"description": "last day the worker's shifts count; null: unbounded"})


class WorkerUpdateSchema(StrictSchema):
    name = Text(validate=[validate.Length(max=200), _no_nul])
    skills = fields.List(Skill, validate=validate.Length(max=100))
    hire_date = StrictDate(allow_none=True)
    fire_date = StrictDate(allow_none=True)


class WorkerResourceSchema(Schema):
    """Dumps an `api.queries.WorkerRow`."""

    id = Text()
    name = Text()
    skills = fields.List(Text())
    hire_date = fields.Date(allow_none=True)
    fire_date = fields.Date(allow_none=True)


# --- shifts ----------------------------------------------------------------------------------------------


class ShiftCreateSchema(StrictSchema):
    start = IsoDateTime(required=True,
                        metadata={"description": "ISO 8601; without an offset: wall-clock in the service's zone"})
    end = IsoDateTime(required=True)


class ShiftResourceSchema(Schema):
    """Dumps an `api.service.WorkerShift` (a shift row and whether it counts)."""

    id = fields.Integer(attribute="row.id")
    worker_id = Text(attribute="row.worker_id")
    start = LocalDateTime(attribute="row.start")
    end = LocalDateTime(attribute="row.end")
    day = OperationalDay(attribute="row.start", metadata={"description": "operational day of the shift's start"})
    counted = fields.Boolean(metadata={"description": "false when the day is outside hire/fire dates"})


class ShiftListArgs(StrictSchema):
    date = StrictDate(metadata={"description": "only shifts starting on this day"})


# --- tasks ----------------------------------------------------------------------------------------------

_DURATION = f"{MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes"


class TaskTimeSchema(StrictSchema):
    start = IsoDateTime(required=True,
                        metadata={"description": "ISO 8601; without an offset: wall-clock in the service's zone"})
    end = IsoDateTime(metadata={"description": f"give end or duration_minutes ({_DURATION})"})
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
    """Dumps an `api.queries.TaskRow`."""

    id = Text()
    start = LocalDateTime(attribute="start")
    end = LocalDateTime(attribute="end")
    duration_minutes = PeriodMinutes(attribute="period")
    day = OperationalDay(attribute="start", metadata={"description": "operational day of the task's start"})
    skill = Text(allow_none=True)
    worker_id = Text(allow_none=True, metadata={"description": "the installer who took it; null: untaken"})
    worker_name = Text(allow_none=True)
    created_at = Timestamp()
    updated_at = Timestamp()


class TaskListArgs(StrictSchema):
    date = StrictDate(required=True, metadata={"description": "operational day"})


# --- slots and what-if ------------------------------------------------------------------------------------


class SlotsArgs(StrictSchema):
    """Query string of GET /api/v1/slots (query strings are text, so integers are parsed, not strict);
    loads a `SlotQuery`."""

    date = StrictDate(required=True)
    duration_minutes = fields.Integer(required=True, validate=validate.Range(MIN_DURATION_MINUTES,
                                                                             MAX_DURATION_MINUTES))
    step_minutes = fields.Integer(load_default=DEFAULT_STEP_MINUTES,
                                  validate=validate.Range(MIN_STEP_MINUTES, MAX_STEP_MINUTES))
    skill = fields.String(load_default=None, validate=[validate.Length(min=1, max=64), _no_nul])

    @post_load
    def _build(self, data: dict[str, Any], **_: Any) -> SlotQuery:
        return SlotQuery(**data)


class WhatIfSlotsSchema(SlotQuerySchema):
    """Body of `POST /api/v1/what-if/slots`: a scenario plus the slot query's fields; loads a validated
    (`solver.validate`) scenario and a `SlotQuery`, so no endpoint can forget the check."""

    scenario = fields.Nested(ScenarioSchema, required=True)

    @post_load
    def _build(self, data: dict[str, Any], **_: Any) -> tuple[Scenario, SlotQuery]:
        scenario = data.pop("scenario")
        validate_scenario(scenario)  # after the shape is right; raises InvalidInput (422 naming field / ids)
        return scenario, SlotQuery(**data)


class WhatIfPlanSchema(Schema):
    """Body of `POST /api/v1/what-if/plan`; loads a validated scenario."""

    scenario = fields.Nested(ScenarioSchema, required=True)

    @post_load
    def _build(self, data: dict[str, Any], **_: Any) -> Scenario:
        scenario: Scenario = data["scenario"]
        validate_scenario(scenario)
        return scenario


class PlanAnswerSchema(Schema):
    """The answer of `POST /api/v1/what-if/plan` (`solver.schema.dump_plan`, as `python -m solver plan`)."""

    feasible = fields.Boolean(allow_none=True, metadata={"description": "null when the solver ran out of time"})
    status = Text(metadata={"description": "feasible, infeasible or unknown"})
    assignment = fields.Dict(keys=Text(), values=Text(), metadata={"description": "untaken task id -> worker id"})
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
    reason = Text(metadata={"description": "409 on a take: skill, shift or overlap"})
    ids = fields.List(Text(), metadata={"description": "422 from the solver's validation: the ids involved"})
    limit = Text(metadata={"description": "422: the size limit exceeded (e.g. WHAT_IF_MAX_TASKS)"})
