"""marshmallow schemas of rosters, overrides and absences (shape only; meaning is checked by
`solver.roster` and `api.roster_service`)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from webargs.fields import DelimitedList

from api.schemas import ShiftCreateSchema, StrictSchema, TaskResourceSchema, Text, _no_nul
from solver.roster import MAX_LENGTH_MINUTES, PRESETS
from solver.schema import IsoDateTime, StrictDate, StrictInteger

PRESETS_DOC = "; ".join(f"{name}: {rule}" for name, rule in PRESETS.items())


class WallTime(fields.Field[time]):
    """A wall-clock time of day, `HH:MM` (typed as a patterned string in the OpenAPI document)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "example": "08:00",
                              **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> time:
        if not isinstance(value, str):
            raise ValidationError("Expected a string HH:MM.")
        try:
            return datetime.strptime(value, "%H:%M").time()
        except ValueError as exc:
            raise ValidationError("Expected HH:MM (00:00 to 23:59).") from exc

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.strftime("%H:%M")


_LENGTH_DOC = (f"minutes on the clock face from start_time, 1 to {MAX_LENGTH_MINUTES}; an end past midnight is"
               " the next day (20:00 + 480 = 04:00 next morning)")


class PatternCreateSchema(StrictSchema):
    start_time = WallTime(required=True, metadata={"description": "wall-clock start, HH:MM"})
    length_minutes = StrictInteger(required=True, strict=True, metadata={"description": _LENGTH_DOC})
    rrule = Text(required=True, validate=[validate.Length(min=1, max=500), _no_nul], metadata={
        "description": "RFC 5545 RRULE value (FREQ DAILY/WEEKLY/MONTHLY/YEARLY, INTERVAL 1..1000, BYDAY incl."
                       " -1FR, BYMONTHDAY, BYMONTH, WKST, COUNT 1..10000 or UNTIL; rules that never occur are"
                       f" refused). Presets — {PRESETS_DOC}",
        "example": PRESETS["weekdays"]})
    valid_from = StrictDate(required=True,
                            metadata={"description": "first date; COUNT counts from here"})
    valid_until = StrictDate(load_default=None, allow_none=True,
                             metadata={"description": "last date (inclusive); null: open"})
    timezone = Text(load_default=None, allow_none=True, validate=validate.Length(max=64),
                    metadata={"description": "IANA zone of start_time; default: the service's zone"})


class PatternUpdateSchema(StrictSchema):
    effective_from = StrictDate(metadata={
        "description": "the change applies to the pattern's dates from here on; earlier days keep their"
                       " shifts. Default: today (history is left alone)"})
    start_time = WallTime()
    length_minutes = StrictInteger(strict=True)
    rrule = Text(validate=[validate.Length(min=1, max=500), _no_nul])
    valid_from = StrictDate()
    valid_until = StrictDate(allow_none=True)
    timezone = Text(validate=validate.Length(max=64))


class OverrideResourceSchema(Schema):
    date = Text()
    off = fields.Boolean()
    start_time = Text(allow_none=True)
    length_minutes = fields.Integer(allow_none=True)


class PatternResourceSchema(Schema):
    id = fields.Integer()
    worker_id = Text()
    start_time = Text()
    length_minutes = fields.Integer()
    rrule = Text()
    valid_from = Text()
    valid_until = Text(allow_none=True)
    timezone = Text()
    materialised_until = Text(allow_none=True, metadata={"description": "shifts are written up to this date"})
    overrides = fields.List(fields.Nested(OverrideResourceSchema))
    skipped = fields.List(Text(), metadata={
        "description": "after a write: dates whose shift overlaps another shift of the worker (not written)"})


class OverrideSchema(StrictSchema):
    off = fields.Boolean(metadata={"description": "true: no shift that date"})
    start_time = WallTime()
    length_minutes = StrictInteger(strict=True)


class AbsenceCreateSchema(ShiftCreateSchema):
    kind = Text(required=True, validate=validate.OneOf(["holiday", "sick", "training", "other"]))
    note = Text(load_default="", validate=[validate.Length(max=500), _no_nul])
    release_tasks = fields.Boolean(load_default=False, metadata={
        "description": "make the worker's tasks in that time untaken (only if all can still be covered)"})


class AbsenceResourceSchema(Schema):
    id = fields.Integer()
    worker_id = Text()
    start = Text()
    end = Text()
    kind = Text()
    note = Text()
    released = fields.List(Text(), metadata={"description": "after creation: the tasks made untaken"})


# --- the day, calendars, free time, availability --------------------------------------------------------


class ShiftOfDaySchema(Schema):
    id = fields.Integer()
    start = Text()
    end = Text()
    counted = fields.Boolean(metadata={"description": "false when the day is outside hire/fire dates"})
    pattern_id = fields.Integer(allow_none=True, metadata={"description": "the roster pattern that made it"})
    pattern_day = Text(allow_none=True)


class WorkerOfDaySchema(Schema):
    id = Text()
    name = Text()
    skills = fields.List(Text())
    shifts = fields.List(fields.Nested(ShiftOfDaySchema))
    shift_minutes = fields.Integer(metadata={"description": "counted shift minutes inside the day"})
    planned_minutes = fields.Integer(metadata={"description": "minutes of the day's tasks held or in the witness"})
    utilisation = fields.Float(allow_none=True)


class UtilisationSchema(Schema):
    shift_minutes = fields.Integer()
    task_minutes = fields.Integer()
    ratio = fields.Float(allow_none=True)


class DayDocumentSchema(Schema):
    date = Text()
    timezone = Text()
    day_start = Text()
    start = Text()
    end = Text()
    workers = fields.List(fields.Nested(WorkerOfDaySchema))
    tasks = fields.List(fields.Nested(TaskResourceSchema))
    witness = fields.Dict(keys=Text(), values=fields.List(Text()),
                          metadata={"description": "stored proof: task with open seats -> its workers"})
    utilisation = fields.Nested(UtilisationSchema)


class CalendarArgs(StrictSchema):
    from_ = IsoDateTime(data_key="from", attribute="from", metadata={"description": "default: a week ago"})
    to = IsoDateTime(metadata={"description": "default: the end of the roster horizon"})
    token = Text(load_only=True, validate=validate.Length(max=128), metadata={
        "description": "a calendar token (POST .../calendar-token), for calendar apps that subscribe by URL"})


class CalendarLinkSchema(Schema):
    url = fields.String(metadata={"description": "subscribe to this in a calendar app; reads this calendar only"})
    token_id = fields.Integer(metadata={"description": "revoke with `flask --app api token revoke ID`"})


class FreeTimeArgs(StrictSchema):
    workers = DelimitedList(Text(validate=validate.Length(min=1, max=64)), required=True,
                                   validate=validate.Length(min=1, max=50))
    from_ = IsoDateTime(data_key="from", attribute="from", required=True)
    to = IsoDateTime(required=True)
    duration_minutes = fields.Integer(required=True, validate=validate.Range(1, MAX_LENGTH_MINUTES))


class FreeWindowSchema(Schema):
    start = Text()
    end = Text()
    free = fields.Integer(metadata={"description": "how many of the asked workers are free"})
    workers = fields.List(Text())


class FreeTimeSchema(Schema):
    from_ = Text(data_key="from", attribute="from")
    to = Text()
    duration_minutes = fields.Integer()
    workers = fields.List(Text())
    windows = fields.List(fields.Nested(FreeWindowSchema), metadata={"description": "most free first, then time"})


class AvailabilityArgs(StrictSchema):
    start = IsoDateTime(required=True)
    end = IsoDateTime(required=True)
    skill = Text(load_default=None, validate=[validate.Length(min=1, max=64), _no_nul])


class AvailabilitySchema(Schema):
    start = Text()
    end = Text()
    skill = Text(allow_none=True)
    feasible_base = fields.Boolean(allow_none=True)
    available = fields.List(Text(), metadata={"description": "could take it now, every task still coverable"})
    undecided = fields.List(Text())
