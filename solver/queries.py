"""The v2 queries' input shapes (takeable, explain, next), loaded once here.

Each `load_*` takes the contract's JSON fields (the CLI and the HTTP API both build that dict) and
returns a frozen query, or raises `InvalidInput` naming the field. The crew's text form
`install:2,electric:1` is `solver.schema.parse_crew`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from solver.calendar import (
    DEFAULT_STEP_MINUTES,
    MAX_DURATION_MINUTES,
    MAX_STEP_MINUTES,
    MIN_DURATION_MINUTES,
    MIN_STEP_MINUTES,
    SkippedWallTime,
)
from solver.domain import CrewEntry, InvalidInput, Scenario, check_crew
from solver.schema import CrewEntrySchema, IsoDateTime, StrictDate, StrictInteger, flatten_errors

MIN_DAYS, MAX_DAYS = 1, 62
MIN_LIMIT, MAX_LIMIT = 1, 1000
DEFAULT_LIMIT = 10

Crew = tuple[CrewEntry, ...]


class _NewTaskSchema(Schema):
    """What the new task needs: `skill` or `crew` (the contract's crew rules: `solver.domain.check_crew`)."""

    class Meta:
        unknown = EXCLUDE

    skill = fields.String(load_default=None, allow_none=True)
    crew = fields.List(fields.Nested(CrewEntrySchema), load_default=None, allow_none=True)


class TakeableQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    worker = fields.String(required=True, validate=validate.Length(min=1))
    date = StrictDate(load_default=None, allow_none=True)


class ExplainQuerySchema(_NewTaskSchema):
    start = IsoDateTime(required=True)
    duration_minutes = StrictInteger(required=True, strict=True,
                                     validate=validate.Range(MIN_DURATION_MINUTES, MAX_DURATION_MINUTES))


class NextQuerySchema(_NewTaskSchema):
    from_ = StrictDate(required=True, data_key="from")
    days = StrictInteger(required=True, strict=True, validate=validate.Range(MIN_DAYS, MAX_DAYS))
    duration_minutes = StrictInteger(required=True, strict=True,
                                     validate=validate.Range(MIN_DURATION_MINUTES, MAX_DURATION_MINUTES))
    step_minutes = StrictInteger(load_default=DEFAULT_STEP_MINUTES, strict=True,
                                 validate=validate.Range(MIN_STEP_MINUTES, MAX_STEP_MINUTES))
    limit = StrictInteger(load_default=DEFAULT_LIMIT, strict=True, validate=validate.Range(MIN_LIMIT, MAX_LIMIT))


@dataclass(frozen=True)
class TakeableQuery:
    worker: str
    date: date | None = None


@dataclass(frozen=True)
class ExplainQuery:
    start: datetime  # timezone-aware
    duration_minutes: int
    skill: str | None = None
    crew: Crew | None = None

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class NextQuery:
    start_date: date  # the contract's `from`
    days: int
    duration_minutes: int
    step_minutes: int = DEFAULT_STEP_MINUTES
    skill: str | None = None
    crew: Crew | None = None
    limit: int = DEFAULT_LIMIT

    def dates(self) -> list[date]:
        return [self.start_date + timedelta(days=k) for k in range(self.days)]


def _load(schema: Schema, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInput("query must be a JSON object", field="body")
    try:
        loaded: dict[str, Any] = schema.load(data)
        return loaded
    except ValidationError as err:
        pairs = flatten_errors(err.messages)
        text = "; ".join(f"{path}: {msg.rstrip('.')}" for path, msg in pairs)
        raise InvalidInput(text, field=pairs[0][0] if pairs else None) from err


def _crew(data: dict[str, Any]) -> Crew | None:
    """The new task's crew, checked by the contract's rules; None without one. Both skill and crew: invalid."""
    if data["crew"] is None:
        return None
    if data["skill"] is not None:
        raise InvalidInput("crew: give either skill or crew, not both", field="crew")
    crew = tuple(data["crew"])
    check_crew(crew, "crew")
    return crew


def load_takeable_query(data: Any, scenario: Scenario) -> TakeableQuery:
    """`{worker, date?}`; an unknown worker is invalid input."""
    d = _load(TakeableQuerySchema(), data)
    if d["worker"] not in {w.id for w in scenario.workers}:
        raise InvalidInput(f"worker: unknown worker {d['worker']!r}", field="worker", ids=(d["worker"],))
    return TakeableQuery(d["worker"], d["date"])


def load_explain_query(data: Any, scenario: Scenario) -> ExplainQuery:
    """`{start, duration_minutes, skill? | crew?}`; the new task must end by the end of its start's day."""
    d = _load(ExplainQuerySchema(), data)
    cal = scenario.calendar
    try:
        start = cal.aware(d["start"])
    except SkippedWallTime as exc:
        raise InvalidInput(f"start: {exc}", field="start") from None
    query = ExplainQuery(start, d["duration_minutes"], d["skill"], _crew(d))
    day_end = cal.bounds(cal.day_of(start))[1]
    if query.end > day_end:
        raise InvalidInput(
            f"start: a {query.duration_minutes}-minute task starting {start.isoformat()} would end after its"
            f" operational day ends ({day_end.astimezone(cal.zone).isoformat()})", field="start")
    return query


def load_next_query(data: Any) -> NextQuery:
    """`{from, days, duration_minutes, step_minutes?, skill? | crew?, limit?}`."""
    d = _load(NextQuerySchema(), data)
    return NextQuery(d["from_"], d["days"], d["duration_minutes"], d["step_minutes"], d["skill"],
                     _crew(d), d["limit"])
