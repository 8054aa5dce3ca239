"""marshmallow schemas for the scenario / slot-query contract (shared by the CLI and the HTTP API).

The schemas check the *shape* of the input and build the domain dataclasses; `solver.validate`
checks its *meaning* (duplicate ids, overlapping shifts, taken tasks that do not fit...).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates

from solver.calendar import (
    DEFAULT_STEP_MINUTES,
    MAX_DURATION_MINUTES,
    MAX_STEP_MINUTES,
    MAX_YEAR,
    MIN_DURATION_MINUTES,
    MIN_STEP_MINUTES,
    MIN_YEAR,
    wall_time_exists,
)
from solver.domain import (
    CrewEntry,
    InvalidInput,
    PlanResult,
    Scenario,
    Shift,
    SlotAnswer,
    SlotQuery,
    Status,
    Task,
    Worker,
    check_crew,
)
from solver.validate import validate_scenario

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


_D = TypeVar("_D", date, datetime)


def _in_year_range(value: _D) -> _D:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        # A ValidationError, not a ValueError: the caller turns ValueError into "not a valid date".
        raise ValidationError(f"Year must be between {MIN_YEAR} and {MAX_YEAR}.")
    return value


MAX_ZONE_NAME = 64  # characters of a time-zone name; longer ones are refused before any lookup


class IsoDateTime(fields.Field[datetime]):
    """ISO 8601 date-time, with or without an offset (no offset: wall-clock in the scenario's zone)."""

    default_error_messages = {"invalid": "Not a valid ISO 8601 date-time (e.g. 2026-11-23T09:00)."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str) or "T" not in value and " " not in value:
            raise self.make_error("invalid")
        try:
            return _in_year_range(datetime.fromisoformat(value))
        except ValueError as exc:
            raise self.make_error("invalid") from exc

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.isoformat()


class StrictDate(fields.Field[date]):
    default_error_messages = {"invalid": "Not a valid date; expected YYYY-MM-DD."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise self.make_error("invalid")
        try:
            return _in_year_range(date.fromisoformat(value))
        except ValueError as exc:
            raise self.make_error("invalid") from exc

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.isoformat()


class StrictInteger(fields.Integer):
    """An integer that refuses floats like 90.5 and booleans (true is not 1 minute)."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise self.make_error("invalid")
        return super()._validated(value)


class ShiftSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    start = IsoDateTime(required=True)
    end = IsoDateTime(required=True)


class WorkerSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.String(required=True, validate=validate.Length(min=1))
    name = fields.String(load_default=None, allow_none=True)
    skills = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
    shifts = fields.List(fields.Nested(ShiftSchema), load_default=list)
    max_tasks = StrictInteger(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0))
    max_minutes = StrictInteger(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0))


class CrewEntrySchema(Schema):
    """One crew entry; its count's range and duplicate skills are checked with the task's id (validate)."""

    class Meta:
        unknown = EXCLUDE

    skill = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1))
    count = StrictInteger(required=True, strict=True)

    @post_load
    def _build(self, data: dict[str, Any], **_: Any) -> CrewEntry:
        return CrewEntry(data["skill"], data["count"])


class TaskSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.String(required=True, validate=validate.Length(min=1))
    start = IsoDateTime(required=True)
    end = IsoDateTime(required=True)
    skill = fields.String(load_default=None, allow_none=True)
    worker_id = fields.String(load_default=None, allow_none=True)
    crew = fields.List(fields.Nested(CrewEntrySchema), load_default=None, allow_none=True)
    worker_ids = fields.List(fields.String(validate=validate.Length(min=1)), load_default=None, allow_none=True)


class ScenarioSchema(Schema):
    """The scenario document of the contract; `load` returns a validated `Scenario`."""

    class Meta:
        unknown = EXCLUDE

    timezone = fields.String(load_default="UTC")
    day_start = fields.String(load_default="03:00")
    workers = fields.List(fields.Nested(WorkerSchema), load_default=list)
    tasks = fields.List(fields.Nested(TaskSchema), load_default=list)

    @validates("timezone")
    def _zone(self, value: str, **_: Any) -> None:
        if len(value) > MAX_ZONE_NAME:  # the longest IANA name is ~32 characters; longer ones reach the file system
            raise ValidationError(f"Unknown IANA time zone (longer than {MAX_ZONE_NAME} characters).")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: names the file system refuses
            raise ValidationError(f"Unknown IANA time zone {value!r}.") from exc

    @validates("day_start")
    def _day_start(self, value: str, **_: Any) -> None:
        if not _HHMM.match(value):
            raise ValidationError("Expected HH:MM (00:00 to 23:59).")

    @post_load
    def _build(self, data: dict[str, Any], **_: Any) -> Scenario:
        zone = ZoneInfo(data["timezone"])
        errors: dict[str, Any] = {}

        def aware(value: datetime, where: tuple[str, int, str] | tuple[str, int, str, int, str]) -> datetime:
            if value.tzinfo is not None:
                return value
            local = value.replace(tzinfo=zone)
            if not wall_time_exists(local):
                node: dict[Any, Any] = errors
                for key in where[:-1]:
                    node = node.setdefault(key, {})
                node[where[-1]] = [
                    f"{value.isoformat()} does not exist in {zone.key} (clocks skip it); give an offset."
                ]
            return local

        workers = []
        for i, w in enumerate(data["workers"]):
            shifts = tuple(
                Shift(aware(s["start"], ("workers", i, "shifts", j, "start")),
                      aware(s["end"], ("workers", i, "shifts", j, "end")))
                for j, s in enumerate(w["shifts"])
            )
            workers.append(Worker(w["id"], w["name"], frozenset(w["skills"]), shifts,
                                  w["max_tasks"], w["max_minutes"]))
        tasks = tuple(
            _task(t, aware(t["start"], ("tasks", i, "start")), aware(t["end"], ("tasks", i, "end")))
            for i, t in enumerate(data["tasks"])
        )
        if errors:
            raise ValidationError(errors)
        hh, mm = (int(x) for x in data["day_start"].split(":"))
        return Scenario(data["timezone"], time(hh, mm), tuple(workers), tasks)


def _task(t: dict[str, Any], start: datetime, end: datetime) -> Task:
    """A task of the document; the rules that need the task's id to name are raised here or in validate."""
    tid = t["id"]
    if t["worker_id"] is not None and t["worker_ids"] is not None:
        raise InvalidInput(f"task {tid} gives both worker_id and worker_ids (use worker_ids)",
                           field="tasks", ids=(tid,))
    crew = t["crew"]
    if crew is not None and t["skill"] is not None:
        raise InvalidInput(f"task {tid} gives both crew and a skill (put the skill into the crew)",
                           field="tasks", ids=(tid,))
    if crew is not None:
        try:
            check_crew(tuple(crew), f"tasks {tid}")
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field="tasks", ids=(tid,)) from exc
    holders = tuple(t["worker_ids"] or ())
    if len(set(holders)) != len(holders):
        raise InvalidInput(f"task {tid} lists a worker more than once in worker_ids", field="tasks", ids=(tid,))
    return Task(tid, start, end, t["skill"], t["worker_id"], tuple(crew or ()), holders)


class SlotQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    date = StrictDate(required=True)
    duration_minutes = StrictInteger(
        required=True, strict=True,
        validate=validate.Range(MIN_DURATION_MINUTES, MAX_DURATION_MINUTES),
    )
    step_minutes = StrictInteger(
        load_default=DEFAULT_STEP_MINUTES, strict=True,
        validate=validate.Range(MIN_STEP_MINUTES, MAX_STEP_MINUTES),
    )
    skill = fields.String(load_default=None, allow_none=True)
    crew = fields.List(fields.Nested(CrewEntrySchema), load_default=None, allow_none=True)

    @post_load
    def _build(self, data: dict[str, Any], **_: Any) -> SlotQuery:
        return _query(data)


def _query(data: dict[str, Any]) -> SlotQuery:
    crew = data.pop("crew", None)
    return SlotQuery(**data, crew=None if crew is None else tuple(crew))


class SlotSchema(Schema):
    start = fields.String()
    end = fields.String()


class SlotAnswerSchema(Schema):
    """The contract's answer object (also used to document the HTTP responses)."""

    date = fields.String()
    duration_minutes = fields.Integer()
    step_minutes = fields.Integer()
    skill = fields.String(allow_none=True)
    crew = fields.List(fields.Dict(), allow_none=True)
    feasible_base = fields.Boolean(allow_none=True)
    uncovered = fields.List(fields.String())
    slots = fields.List(fields.Nested(SlotSchema))
    undecided = fields.List(fields.Nested(SlotSchema))


def flatten_errors(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested error dict as (path, message) pairs, e.g. ('tasks[2].end', 'Not a ...')."""
    out: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten_errors(value, path))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        out.append((prefix or "body", " ".join(messages)))
    elif isinstance(messages, list):
        for i, m in enumerate(messages):
            out.extend(flatten_errors(m, f"{prefix}[{i}]"))
    else:
        out.append((prefix or "body", str(messages)))
    return out


def _to_invalid(err: ValidationError) -> InvalidInput:
    pairs = flatten_errors(err.messages)
    text = "; ".join(f"{path}: {msg.rstrip('.')}" for path, msg in pairs)
    return InvalidInput(text, field=pairs[0][0] if pairs else None)


def load_scenario(data: Any) -> Scenario:
    """Parse and validate a scenario document; raises `InvalidInput` naming the field or ids."""
    if not isinstance(data, dict):
        raise InvalidInput("scenario must be a JSON object", field="scenario")
    try:
        scenario: Scenario = ScenarioSchema().load(data)
    except ValidationError as err:
        raise _to_invalid(err) from err
    validate_scenario(scenario)
    return scenario


def load_slot_query(data: Any) -> SlotQuery:
    try:
        query: SlotQuery = SlotQuerySchema().load(data)
    except ValidationError as err:
        raise _to_invalid(err) from err
    return query


def dump_answer(answer: SlotAnswer, scenario: Scenario) -> dict[str, Any]:
    """The contract's JSON answer; times carry the offset of the scenario's zone."""
    zone = scenario.zone
    q = answer.query

    def slot(s: Any) -> dict[str, str]:
        return {"start": s.start.astimezone(zone).isoformat(), "end": s.end.astimezone(zone).isoformat()}

    return {"date": q.date.isoformat(), **dump_candidates(q, answer, slot)}


def dump_candidates(query: Any, answer: Any, slot: Callable[[Any], dict[str, str]]) -> dict[str, Any]:
    """What a slot answer and a `next` answer share, in the contract's order: the query's duration, step and
    needs, the day's verdict, then the slots and the undecided candidates, each as `slot` prints it."""
    return {
        "duration_minutes": query.duration_minutes,
        "step_minutes": query.step_minutes,
        "skill": query.skill,
        "crew": dump_crew(query.crew),
        "feasible_base": answer.feasible_base,
        "uncovered": list(answer.uncovered),
        "slots": [slot(s) for s in answer.slots],
        "undecided": [slot(s) for s in answer.undecided],
    }


def dump_crew(crew: tuple[CrewEntry, ...] | None) -> list[dict[str, Any]] | None:
    """A query's crew as the contract prints it (entries in the order given), or None without one."""
    return None if crew is None else [{"skill": c.skill, "count": c.count} for c in crew]


def parse_crew(text: str) -> tuple[CrewEntry, ...]:
    """The CLI / query-string form `install:2,electric:1` (a bare skill: count 1; `*`: the null skill)."""
    out = []
    for part in text.split(","):
        skill, _, count = part.strip().partition(":")
        if not skill:
            raise InvalidInput(f"crew: empty skill in {text!r} (e.g. install:2,electric:1)", field="crew")
        try:
            n = int(count) if count else 1
        except ValueError:
            raise InvalidInput(f"crew: count of {skill} must be an integer, got {count!r}", field="crew") from None
        out.append(CrewEntry(None if skill == "*" else skill, n))
    crew = tuple(out)
    check_crew(crew, "crew")
    return crew


def dump_plan(result: PlanResult) -> dict[str, Any]:
    """`python -m solver plan`'s JSON (also the body of `POST /api/v1/what-if/plan`): each task's workers."""
    return {
        "feasible": None if result.status is Status.UNKNOWN else result.status is Status.FEASIBLE,
        "status": result.status.value,
        "assignment": {tid: list(ws) for tid, ws in sorted(result.assignment.items())},
        "uncovered": list(result.uncovered),
        "uncovered_is_minimal": result.optimal if result.status is Status.INFEASIBLE else None,
    }


def dump_scenario(scenario: Scenario) -> dict[str, Any]:
    """A Scenario as the contract's JSON document (`load_scenario` reads it back); times carry the offset
    of the scenario's zone."""
    zone = scenario.zone

    def iso(dt: datetime) -> str:
        return dt.astimezone(zone).isoformat()

    return {
        "timezone": scenario.timezone,
        "day_start": scenario.day_start.strftime("%H:%M"),
        "workers": [
            {"id": w.id, "name": w.name, "skills": sorted(w.skills),
             "shifts": [{"start": iso(s.start), "end": iso(s.end)} for s in w.shifts]}
            for w in scenario.workers
        ],
        "tasks": [
            {"id": t.id, "start": iso(t.start), "end": iso(t.end), "skill": t.skill, "worker_id": t.worker_id}
            for t in scenario.tasks
        ],
    }
