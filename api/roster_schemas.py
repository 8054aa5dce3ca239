"""marshmallow schemas of rosters, overrides and absences (shape only; meaning is checked by
`solver.roster` and `api.roster_service`)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from api.schemas import ShiftCreateSchema, StrictSchema, Text, _no_nul, _year_range
from solver.roster import MAX_LENGTH_MINUTES, PRESETS
from solver.schema import StrictDate, StrictInteger

_PRESETS_DOC = "; ".join(f"{name}: {rule}" for name, rule in PRESETS.items())


class WallTime(fields.Field):
    """A wall-clock time of day, `HH:MM`."""

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
        "description": "RFC 5545 RRULE value (FREQ DAILY/WEEKLY/MONTHLY/YEARLY, INTERVAL, BYDAY incl. -1FR,"
                       f" BYMONTHDAY, BYMONTH, COUNT or UNTIL). Presets — {_PRESETS_DOC}",
        "example": PRESETS["weekdays"]})
    valid_from = StrictDate(required=True, validate=_year_range,
                            metadata={"description": "first date; COUNT counts from here"})
    valid_until = StrictDate(load_default=None, allow_none=True, validate=_year_range,
                             metadata={"description": "last date (inclusive); null: open"})
    timezone = Text(load_default=None, allow_none=True, validate=validate.Length(max=64),
                    metadata={"description": "IANA zone of start_time; default: the service's zone"})


class PatternUpdateSchema(StrictSchema):
    start_time = WallTime()
    length_minutes = StrictInteger(strict=True)
    rrule = Text(validate=[validate.Length(min=1, max=500), _no_nul])
    valid_from = StrictDate(validate=_year_range)
    valid_until = StrictDate(allow_none=True, validate=_year_range)
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
