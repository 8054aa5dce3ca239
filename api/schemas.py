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
from marshmallow.fields import Field

from api import queries as q
from api.config import calendar
from solver.calendar import (
    DEFAULT_STEP_MINUTES,
    MAX_DURATION_MINUTES,
    MAX_STEP_MINUTES,
    MIN_DURATION_MINUTES,
    MIN_STEP_MINUTES,
)
from solver.domain import CrewEntry, InvalidInput, Scenario, SlotQuery
from solver.queries import (
    MAX_DAYS,
    MAX_LIMIT,
    MIN_DAYS,
    MIN_LIMIT,
    ExplainQuery,
    ExplainQuerySchema,
    NextQuery,
    NextQuerySchema,
    TakeableQuery,
    TakeableQuerySchema,
    load_explain_query,
    load_next_query,
    load_takeable_query,
)
from solver.schema import (
    CrewEntrySchema,
    IsoDateTime,
    ScenarioSchema,
    SlotQuerySchema,
    StrictDate,
    StrictInteger,
    dump_crew,
    parse_crew,
)
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


MAX_CREW_TEXT = 2000  # characters of a crew in a query string (20 entries of long skill names fit)


class CrewText(fields.Field[tuple[CrewEntry, ...]]):
    """A crew in the command line's text form (`install:2,electric:1`; a bare skill is count 1, `*` the null
    skill), as query strings take it; loads the entries (`solver.schema.parse_crew`, the contract's rules)."""

    default_error_messages = {"invalid": "Not a valid crew (e.g. install:2,electric:1)."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple[CrewEntry, ...]:
        if not isinstance(value, str) or "\x00" in value or len(value) > MAX_CREW_TEXT:
            raise self.make_error("invalid")
        text = value
        try:
            return parse_crew(text)
        except InvalidInput as exc:
            raise ValidationError(exc.message.removeprefix("crew: ")) from exc


Text = fields.String
Skill = fields.String(validate=[validate.Length(min=1, max=64), _no_nul])
_LIMITS = {"max_tasks": "most tasks (seats) held that start in one operational day; null: no limit",
           "max_minutes": "most minutes of such tasks; null: no limit"}


def _limit(name: str, **kwargs: Any) -> Field[Any]:
    return fields.Integer(allow_none=True, strict=True, validate=validate.Range(0, 100_000),
                          metadata={"description": _LIMITS[name]}, **kwargs)


def _crew_list(**kwargs: Any) -> Field[Any]:
    return fields.List(fields.Nested(CrewEntrySchema), validate=validate.Length(min=1, max=20), **kwargs)


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
    max_tasks = _limit("max_tasks", load_default=None)
    max_minutes = _limit("max_minutes", load_default=None)


class WorkerUpdateSchema(StrictSchema):
    name = Text(validate=[validate.Length(max=200), _no_nul])
    skills = fields.List(Skill, validate=validate.Length(max=100))
    hire_date = StrictDate(allow_none=True)
    fire_date = StrictDate(allow_none=True)
    max_tasks = _limit("max_tasks")
    max_minutes = _limit("max_minutes")


class WorkerResourceSchema(Schema):
    """Dumps an `api.queries.WorkerRow`."""

    id = Text()
    name = Text()
    skills = fields.List(Text())
    hire_date = fields.Date(allow_none=True)
    fire_date = fields.Date(allow_none=True)
    max_tasks = fields.Integer(allow_none=True, metadata={"description": _LIMITS["max_tasks"]})
    max_minutes = fields.Integer(allow_none=True, metadata={"description": _LIMITS["max_minutes"]})


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
    skill = fields.String(allow_none=True, validate=[validate.Length(min=1, max=64), _no_nul],
                          metadata={"description": "one seat needing this skill (null: anyone)"})
    crew = _crew_list(allow_none=True, metadata={
        "description": "instead of skill: the seats, [{skill, count}] (count 1..20, each skill once)"})

    @validates_schema
    def _end_or_duration(self, data: dict[str, Any], **_: Any) -> None:
        if ("end" in data) == ("duration_minutes" in data):
            raise ValidationError("Give exactly one of end and duration_minutes.", "end")


class TaskCreateSchema(TaskTimeSchema):
    id = Text(validate=_client_id, metadata={"description": "optional; generated (t-<n>) when absent"})


class TaskMoveSchema(TaskTimeSchema):
    """Move a task: new start and end (or duration); skill / crew unchanged unless given."""


class TakeSchema(StrictSchema):
    worker_id = Text(required=True, validate=[validate.Length(min=1, max=64), _no_nul])
    skill = fields.String(allow_none=True, validate=[validate.Length(min=1, max=64), _no_nul], metadata={
        "description": "the crew entry to sit in (null: the any-skill entry); absent: any seat the worker fits"})


class ReleaseSchema(StrictSchema):
    worker_id = Text(validate=[validate.Length(min=1, max=64), _no_nul],
                     metadata={"description": "the holder giving back their seat; absent: every holder"})


class TaskResourceSchema(Schema):
    """Dumps an `api.queries.TaskRow`."""

    id = Text()
    start = LocalDateTime(attribute="start")
    end = LocalDateTime(attribute="end")
    duration_minutes = PeriodMinutes(attribute="period")
    day = OperationalDay(attribute="start", metadata={"description": "operational day of the task's start"})
    skill = Text(allow_none=True)
    worker_id = Text(allow_none=True, metadata={
        "description": "v1: the installer who took a one-seat task; null: untaken, or a crew task"})
    worker_name = Text(allow_none=True)
    created_at = Timestamp()
    updated_at = Timestamp()
    crew = fields.List(fields.Nested(CrewEntrySchema), metadata={"description": "the seats: [{skill, count}]"})
    worker_ids = fields.List(Text(), metadata={"description": "the holders of seats, in the order they took them"})

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """As through the fields above, field for field, but unrolled: a day's 1,300 tasks took ~40 ms through
        marshmallow's fields, most of a `GET /tasks`, holding the worker's GIL (tests/api/test_task_dump.py
        checks that both give the same JSON). With `only` / `exclude`, through the fields."""
        if self.only is not None or self.exclude:
            return super().dump(obj, many=many)
        cal = calendar()
        zone = cal.zone

        def text(value: Any) -> str | None:
            return None if value is None else str(value)

        def one(row: q.TaskRow) -> dict[str, Any]:
            start, end = row.start, row.end
            return {
                "id": text(row.id),
                "start": start.astimezone(zone).isoformat(),
                "end": end.astimezone(zone).isoformat(),
                "duration_minutes": int((end - start).total_seconds() // 60),
                "day": cal.day_of(start).isoformat(),
                "skill": text(row.skill),
                "worker_id": text(row.worker_id),
                "worker_name": text(row.worker_name),
                "created_at": row.created_at.isoformat(),
                "updated_at": row.updated_at.isoformat(),
                "crew": None if row.crew is None else [{"skill": text(c["skill"]), "count": int(c["count"])}
                                                       for c in row.crew],
                "worker_ids": None if row.worker_ids is None else [str(w) for w in row.worker_ids],
            }

        return [one(row) for row in obj] if (self.many if many is None else many) else one(obj)


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
    crew = CrewText(load_default=None, metadata={"description": "instead of skill, e.g. install:2,electric:1"})

    @post_load
    def _build(self, data: dict[str, Any], **_: Any) -> SlotQuery:
        return SlotQuery(**data)


class TakeableArgs(StrictSchema):
    """Query string of GET /api/v1/workers/{id}/takeable."""

    date = StrictDate(load_default=None, metadata={"description": "only tasks starting on this operational day"})


class ExplainArgs(StrictSchema):
    """Query string of GET /api/v1/slots/explain; loads an `ExplainQuery` (`solver.queries`' rules)."""

    start = IsoDateTime(required=True,
                        metadata={"description": "ISO 8601; without an offset: wall-clock in the service's zone"})
    duration_minutes = fields.Integer(required=True, validate=validate.Range(MIN_DURATION_MINUTES,
                                                                             MAX_DURATION_MINUTES))
    skill = fields.String(load_default=None, validate=[validate.Length(min=1, max=64), _no_nul])
    crew = CrewText(load_default=None, metadata={"description": "instead of skill, e.g. install:2,electric:1"})

    @post_load(pass_original=True)
    def _build(self, data: dict[str, Any], original: Any, **_: Any) -> ExplainQuery:
        cal = calendar()
        return load_explain_query({**_as_body(data), "start": original["start"]},
                                  Scenario(cal.timezone, cal.day_start))


class NextArgs(StrictSchema):
    """Query string of GET /api/v1/slots/next; loads a `NextQuery`."""

    from_ = StrictDate(required=True, data_key="from")
    days = fields.Integer(required=True, validate=validate.Range(MIN_DAYS, MAX_DAYS))
    duration_minutes = fields.Integer(required=True, validate=validate.Range(MIN_DURATION_MINUTES,
                                                                             MAX_DURATION_MINUTES))
    step_minutes = fields.Integer(load_default=DEFAULT_STEP_MINUTES,
                                  validate=validate.Range(MIN_STEP_MINUTES, MAX_STEP_MINUTES))
    skill = fields.String(load_default=None, validate=[validate.Length(min=1, max=64), _no_nul])
    crew = CrewText(load_default=None, metadata={"description": "instead of skill, e.g. install:2,electric:1"})
    limit = fields.Integer(load_default=10, validate=validate.Range(MIN_LIMIT, MAX_LIMIT))

    @post_load(pass_original=True)
    def _build(self, data: dict[str, Any], original: Any, **_: Any) -> NextQuery:
        body = _as_body(data)
        body["from"] = original["from"]
        body.pop("from_")
        return load_next_query(body)


def _as_body(data: dict[str, Any]) -> dict[str, Any]:
    """Loaded query-string fields as the contract's JSON body (the crew in its list form)."""
    return {**data, "crew": dump_crew(data["crew"])}


class WhatIfSlotsSchema(SlotQuerySchema):
    """Body of `POST /api/v1/what-if/slots`: a scenario plus the slot query's fields; loads a validated
    (`solver.validate`) scenario and a `SlotQuery`, so no endpoint can forget the check."""

    scenario = fields.Nested(ScenarioSchema, required=True)

    @post_load
    def _build(self, data: dict[str, Any], **_: Any) -> tuple[Scenario, SlotQuery]:
        scenario = data.pop("scenario")
        validate_scenario(scenario)  # after the shape is right; raises InvalidInput (422 naming field / ids)
        crew = data.pop("crew", None)
        return scenario, SlotQuery(**data, crew=None if crew is None else tuple(crew))


class _ScenarioAndQuery(Schema):
    """A v2 what-if body: `scenario` (loaded, then validated by `solver.validate`: InvalidInput is a 422
    naming the field or ids) and the fields of a query, loaded by the CLI's own loader (`solver.queries`)."""

    scenario = fields.Nested(ScenarioSchema, required=True)

    def query(self, body: dict[str, Any], scenario: Scenario) -> Any:
        raise NotImplementedError

    @post_load(pass_original=True)
    def _build(self, data: dict[str, Any], original: Any, **_: Any) -> tuple[Scenario, Any]:
        scenario = data["scenario"]
        validate_scenario(scenario)
        return scenario, self.query({k: v for k, v in original.items() if k != "scenario"}, scenario)


class WhatIfTakeableSchema(_ScenarioAndQuery, TakeableQuerySchema):
    """Body of `POST /api/v1/what-if/takeable`: `{scenario, worker, date?}`."""

    def query(self, body: dict[str, Any], scenario: Scenario) -> TakeableQuery:
        return load_takeable_query(body, scenario)


class WhatIfExplainSchema(_ScenarioAndQuery, ExplainQuerySchema):
    """Body of `POST /api/v1/what-if/explain`: `{scenario, start, duration_minutes, skill? | crew?}`."""

    def query(self, body: dict[str, Any], scenario: Scenario) -> ExplainQuery:
        return load_explain_query(body, scenario)


class WhatIfNextSchema(_ScenarioAndQuery, NextQuerySchema):
    """Body of `POST /api/v1/what-if/next`: `{scenario, from, days, duration_minutes, step_minutes?, skill? |
    crew?, limit?}`."""

    def query(self, body: dict[str, Any], scenario: Scenario) -> NextQuery:
        return load_next_query(body)


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
    assignment = fields.Dict(keys=Text(), values=fields.List(Text()),
                             metadata={"description": "task id -> its workers for all its seats, holders first"})
    uncovered = fields.List(Text(), metadata={"description": "fewest tasks that cannot all be covered"})
    uncovered_is_minimal = fields.Boolean(allow_none=True)


# --- the v2 answers (shapes dumped by `solver.answers`, as the CLI prints them; documented here) ----------


class TakeableAnswerSchema(Schema):
    """`python -m solver takeable`'s answer."""

    worker = Text()
    date = Text(allow_none=True)
    feasible_base = fields.Boolean(allow_none=True)
    takeable = fields.List(Text(), metadata={"description": "task ids, in order of start, then id"})
    undecided = fields.List(Text())


class ExplanationSchema(Schema):
    """`python -m solver explain`'s answer: a plan when the start is a slot, else the reason and tasks."""

    start = Text()
    end = Text()
    slot = fields.Boolean()
    plan = fields.Dict(keys=Text(), values=fields.List(Text()),
                       metadata={"description": "when a slot: every task's workers, the new one under \"new\""})
    reason = Text(metadata={"description": "no_fit, conflict or infeasible_base (unknown: out of time)"})
    tasks = fields.List(Text(), metadata={"description": "conflict: an irreducible certificate, in id order"})
    workers = fields.List(Text(), metadata={"description": "who fits a seat of the new or a listed task"})


class DaySlotSchema(Schema):
    date = Text()
    start = Text()
    end = Text()


class NextAnswerSchema(Schema):
    """`python -m solver next`'s answer."""

    from_ = Text(data_key="from", attribute="from")
    days = fields.Integer()
    duration_minutes = fields.Integer()
    step_minutes = fields.Integer()
    skill = Text(allow_none=True)
    crew = fields.List(fields.Nested(CrewEntrySchema), allow_none=True)
    feasible_base = fields.Boolean(allow_none=True)
    uncovered = fields.List(Text())
    slots = fields.List(fields.Nested(DaySlotSchema))
    undecided = fields.List(fields.Nested(DaySlotSchema))


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
    reason = Text(metadata={"description": "409 on take: skill, shift, overlap, limit or full"})
    explain = fields.Nested(ExplanationSchema, metadata={
        "description": "409 on booking: the explanation of that start on the data as it was"})
    limit = Text(metadata={"description": "422: the configured limit a what-if scenario exceeds"})
    ids = fields.List(Text(), metadata={"description": "422 on a scenario: the ids the invalid input names"})
