"""The v2 queries' input shapes (takeable, explain, next) and the crew's text form, loaded once here.

Each `load_*` takes the contract's JSON fields (the CLI and the HTTP API both build that dict) and
returns a frozen query, or raises `InvalidInput` naming the field. The crew's text form
`install:2,electric:1` (a bare skill is count 1, `*` the null skill) is parsed by `parse_crew_text`,
for the CLI's `--crew` and for HTTP query strings alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from solver.calendar import (
    DEFAULT_STEP_MINUTES,
    MAX_DURATION_MINUTES,
    MAX_STEP_MINUTES,
    MIN_DURATION_MINUTES,
    MIN_STEP_MINUTES,
    SkippedWallTime,
)
from solver.domain import InvalidInput, Scenario
from solver.schema import IsoDateTime, StrictDate, StrictInteger, flatten_errors

MIN_CREW_COUNT, MAX_CREW_COUNT = 1, 20
MIN_DAYS, MAX_DAYS = 1, 62
MIN_LIMIT, MAX_LIMIT = 1, 1000
DEFAULT_LIMIT = 10
NULL_SKILL_TEXT = "*"

Crew = tuple[tuple[str | None, int], ...]  # (skill, count) per entry, in the order given


def parse_crew_text(text: str) -> list[dict[str, Any]]:
    """`install:2,electric:1` -> [{"skill": "install", "count": 2}, ...]; `*` is the null skill."""
    entries: list[dict[str, Any]] = []
    for part in text.split(","):
        name, sep, count_text = part.strip().partition(":")
        name = name.strip()
        if not name:
            raise InvalidInput(f"crew: empty entry in {text!r}; expected e.g. install:2,electric:1", field="crew")
        count: Any = 1
        if sep:
            try:
                count = int(count_text.strip())
            except ValueError:
                raise InvalidInput(f"crew: count of {name!r} must be an integer, got {count_text.strip()!r}",
                                   field="crew") from None
        entries.append({"skill": None if name == NULL_SKILL_TEXT else name, "count": count})
    return entries


class CrewEntrySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    skill = fields.String(required=True, allow_none=True, validate=validate.Length(min=1))
    count = StrictInteger(required=True, strict=True, validate=validate.Range(MIN_CREW_COUNT, MAX_CREW_COUNT))


def _crew_field() -> fields.List:
    return fields.List(fields.Nested(CrewEntrySchema), load_default=None, allow_none=True,
                       validate=validate.Length(min=1, error="Must not be empty."))


class _NewTaskSchema(Schema):
    """What the new task needs: `skill` or `crew`, never both."""

    class Meta:
        unknown = EXCLUDE

    skill = fields.String(load_default=None, allow_none=True)
    crew = _crew_field()

    @validates_schema
    def _skill_or_crew(self, data: dict[str, Any], **_: Any) -> None:
        crew = data.get("crew")
        if crew is not None and data.get("skill") is not None:
            raise ValidationError("Give either skill or crew, not both.", field_name="crew")
        if crew:
            skills = [e["skill"] for e in crew]
            dup = sorted({str(s) if s is not None else NULL_SKILL_TEXT for s in skills if skills.count(s) > 1})
            if dup:
                raise ValidationError(f"Duplicate skills {', '.join(dup)}; merge them into one entry.",
                                      field_name="crew")


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
        return schema.load(data)
    except ValidationError as err:
        pairs = flatten_errors(err.messages)
        text = "; ".join(f"{path}: {msg.rstrip('.')}" for path, msg in pairs)
        raise InvalidInput(text, field=pairs[0][0] if pairs else None) from err


def _crew(raw: list[dict[str, Any]] | None) -> Crew | None:
    return None if raw is None else tuple((e["skill"], e["count"]) for e in raw)


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
    query = ExplainQuery(start, d["duration_minutes"], d["skill"], _crew(d["crew"]))
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
                     _crew(d["crew"]), d["limit"])
