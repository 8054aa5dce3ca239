"""Every SQL statement the service runs (the schema itself lives in sql/). Parameters are always bound
(`%(name)s`); rows come back as the dataclasses below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from psycopg.types.range import Range


class _Period:
    """A row with a `period` (a tstzrange; the schema never stores an unbounded one)."""

    period: Range[datetime]

    @property
    def start(self) -> datetime:
        assert self.period.lower is not None
        return self.period.lower

    @property
    def end(self) -> datetime:
        assert self.period.upper is not None
        return self.period.upper

    @property
    def window(self) -> tuple[datetime, datetime]:
        return self.start, self.end


@dataclass(frozen=True)
class WorkerRow:
    id: str
    name: str
    skills: list[str]
    hire_date: date | None
    fire_date: date | None
    max_tasks: int | None = None  # per operational day of the task's start; None: no limit
    max_minutes: int | None = None

    @property
    def limited(self) -> bool:
        return self.max_tasks is not None or self.max_minutes is not None


@dataclass(frozen=True)
class ShiftRow(_Period):
    id: int
    worker_id: str
    period: Range[datetime]


@dataclass(frozen=True, slots=True)
class ClosureTaskRow:
    """A task as a feasibility check reads it (`TASKS_IN_WINDOWS`): a fifth of `TaskRow`'s decoding cost,
    which mattered because every write's guard reads a whole day of them (1,300 rows on an L day)."""

    id: str
    start: datetime
    end: datetime
    skill: str | None
    crew: list[dict[str, Any]] | None  # as TaskRow.crew; None: one seat of `skill` (see TASKS_IN_WINDOWS)
    worker_ids: list[str]  # as TaskRow.worker_ids

    @property
    def window(self) -> tuple[datetime, datetime]:
        return self.start, self.end


@dataclass(frozen=True, slots=True)
class ClosureShiftRow:
    """A shift as a feasibility check reads it (`SHIFTS_IN_WINDOWS`): its bounds as two timestamps, which
    psycopg decodes in C, where a tstzrange is parsed in Python."""

    id: int
    worker_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class TaskRow(_Period):
    id: str
    period: Range[datetime]
    skill: str | None
    worker_id: str | None  # v1: the holder of a one-seat task (the tasks.worker_id mirror), else None
    worker_name: str | None
    created_at: datetime
    updated_at: datetime
    crew: list[dict[str, Any]]  # [{"skill", "count"}] in the order given
    worker_ids: list[str]  # the holders, in the order they took their seats

    @property
    def seats(self) -> int:
        return sum(int(c["count"]) for c in self.crew)


@dataclass(frozen=True)
class SeatLoad:
    """The seats a worker holds that start in one operational day: how many, and their total minutes."""

    tasks: int
    minutes: float


# --- serialisation (advisory locks) and transaction modes ------------------------------------------

# Two-key advisory lock: a constant namespace and the operational day as days since 1970-01-01, so the
# key is exact (no hash collisions between days).
LOCK_NAMESPACE = 0x5107
LOCK_DAY = "SELECT pg_advisory_xact_lock(%(namespace)s, %(day)s)"
READ_ONLY_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"

# --- workers -------------------------------------------------------------------------------------------

_WORKER_COLS = "id, name, skills, hire_date, fire_date, max_tasks, max_minutes"
LIST_WORKERS = f"SELECT {_WORKER_COLS} FROM workers ORDER BY id"
GET_WORKER = f"SELECT {_WORKER_COLS} FROM workers WHERE id = %(id)s"
GET_WORKER_FOR_UPDATE = f"SELECT {_WORKER_COLS} FROM workers WHERE id = %(id)s FOR UPDATE"
GET_WORKERS = f"SELECT {_WORKER_COLS} FROM workers WHERE id = ANY(%(ids)s)"
INSERT_WORKER = f"""
INSERT INTO workers (id, name, skills, hire_date, fire_date, max_tasks, max_minutes)
VALUES (COALESCE(%(id)s, 'w-' || nextval('worker_id_seq')), %(name)s, %(skills)s, %(hire_date)s, %(fire_date)s,
        %(max_tasks)s, %(max_minutes)s)
RETURNING {_WORKER_COLS}"""
UPDATE_WORKER = f"""
UPDATE workers SET name = %(name)s, skills = %(skills)s, hire_date = %(hire_date)s, fire_date = %(fire_date)s,
                   max_tasks = %(max_tasks)s, max_minutes = %(max_minutes)s, updated_at = now()
WHERE id = %(id)s
RETURNING {_WORKER_COLS}"""
DELETE_WORKER = "DELETE FROM workers WHERE id = %(id)s"
DELETE_WORKERS = "DELETE FROM workers WHERE id = ANY(%(ids)s)"
TASKS_TAKEN_BY = "SELECT task_id FROM task_seats WHERE worker_id = %(worker_id)s ORDER BY lower(period), task_id"

# --- shifts --------------------------------------------------------------------------------------------

_SHIFT_COLS = "id, worker_id, period"
LIST_SHIFTS = f"SELECT {_SHIFT_COLS} FROM shifts WHERE worker_id = %(worker_id)s ORDER BY lower(period)"
LIST_SHIFTS_BETWEEN = f"""
SELECT {_SHIFT_COLS} FROM shifts
WHERE worker_id = %(worker_id)s AND period && tstzrange(%(lo)s, %(hi)s)
ORDER BY lower(period)"""
GET_SHIFT = f"SELECT {_SHIFT_COLS} FROM shifts WHERE id = %(id)s AND worker_id = %(worker_id)s"
INSERT_SHIFT = f"""
INSERT INTO shifts (worker_id, period) VALUES (%(worker_id)s, tstzrange(%(start)s, %(end)s, '[)'))
RETURNING {_SHIFT_COLS}"""
DELETE_SHIFT = "DELETE FROM shifts WHERE id = %(id)s"

# --- tasks ---------------------------------------------------------------------------------------------

# A task without crew rows (only plain SQL writes one) has one seat of its skill, as in the contract.
_TASK_CREW = """COALESCE((SELECT jsonb_agg(jsonb_build_object('skill', c.skill, 'count', c.count) ORDER BY c.position)
          FROM task_crew c WHERE c.task_id = t.id),
         jsonb_build_array(jsonb_build_object('skill', t.skill, 'count', 1)))"""
_TASK_HOLDERS = "ARRAY(SELECT s.worker_id FROM task_seats s WHERE s.task_id = t.id ORDER BY s.taken_at, s.worker_id)"
_TASK_COLS = f"""t.id, t.period, t.skill, t.worker_id, w.name AS worker_name, t.created_at, t.updated_at,
{_TASK_CREW} AS crew,
{_TASK_HOLDERS} AS worker_ids"""
_TASK_FROM = "tasks t LEFT JOIN workers w ON w.id = t.worker_id"
GET_TASK = f"SELECT {_TASK_COLS} FROM {_TASK_FROM} WHERE t.id = %(id)s"
GET_TASK_FOR_UPDATE = f"SELECT {_TASK_COLS} FROM {_TASK_FROM} WHERE t.id = %(id)s FOR UPDATE OF t"
LIST_TASKS_STARTING = f"""
SELECT {_TASK_COLS} FROM {_TASK_FROM}
WHERE lower(t.period) >= %(lo)s AND lower(t.period) < %(hi)s
ORDER BY lower(t.period), t.id"""
INSERT_TASK = """
INSERT INTO tasks (id, period, skill)
VALUES (COALESCE(%(id)s, 't-' || nextval('task_id_seq')), tstzrange(%(start)s, %(end)s, '[)'), %(skill)s)
RETURNING id"""
MOVE_TASK = """
UPDATE tasks SET period = tstzrange(%(start)s, %(end)s, '[)'), skill = %(skill)s, updated_at = now()
WHERE id = %(id)s"""
INSERT_CREW = """
INSERT INTO task_crew (task_id, position, skill, count)
SELECT %(id)s, e.position - 1, e.skill, e.count
FROM unnest(%(skills)s::text[], %(counts)s::smallint[]) WITH ORDINALITY AS e(skill, count, position)"""
DELETE_CREW = "DELETE FROM task_crew WHERE task_id = %(id)s"
TOUCH_TASK = "UPDATE tasks SET updated_at = now() WHERE id = %(id)s"
INSERT_SEAT = """
INSERT INTO task_seats (task_id, worker_id, skill, period)
SELECT id, %(worker_id)s, %(skill)s, period FROM tasks WHERE id = %(id)s"""
DELETE_SEATS = "DELETE FROM task_seats WHERE task_id = %(id)s AND worker_id = ANY(%(workers)s)"
SEAT_LOAD = """
SELECT count(*)::integer AS tasks,
       COALESCE(sum(extract(epoch FROM upper(period) - lower(period)) / 60), 0)::float AS minutes
FROM task_seats
WHERE worker_id = %(worker_id)s AND lower(period) >= %(lo)s AND lower(period) < %(hi)s AND task_id <> %(id)s"""
DELETE_TASK = "DELETE FROM tasks WHERE id = %(id)s"
DELETE_TASKS_OF = """
DELETE FROM tasks
WHERE id = ANY(%(ids)s) OR id IN (SELECT task_id FROM task_seats WHERE worker_id = ANY(%(workers)s))"""
TAKEN_OVERLAPPING = """
SELECT task_id FROM task_seats
WHERE worker_id = %(worker_id)s AND task_id <> %(id)s AND period && tstzrange(%(start)s, %(end)s, '[)')
ORDER BY lower(period), task_id"""

# --- the data a feasibility check needs ------------------------------------------------------------------

# Windows come as two parallel arrays of bounds: every row overlapping any window [lo, hi).
# As one multirange, so that `period && ...` can use the GiST index on period (an EXISTS over the
# unnested windows cannot: it scans every row of the table).
_WINDOWS = """(SELECT range_agg(tstzrange(win.lo, win.hi, '[)'))
                 FROM unnest(%(lo)s::timestamptz[], %(hi)s::timestamptz[]) AS win(lo, hi))"""
# The closure's tasks (`ClosureTaskRow`): only what a feasibility check reads, the bounds as two timestamps,
# and no crew for a task of one seat of its own skill (NULL, not JSON to decode: most tasks of a big day).
TASKS_IN_WINDOWS = f"""
SELECT t.id, lower(t.period) AS start, upper(t.period) AS "end", t.skill,
(SELECT CASE WHEN count(*) = 1 AND max(c.count) = 1 AND bool_and(c.skill IS NOT DISTINCT FROM t.skill) THEN NULL
             ELSE jsonb_agg(jsonb_build_object('skill', c.skill, 'count', c.count) ORDER BY c.position) END
   FROM task_crew c WHERE c.task_id = t.id) AS crew,
{_TASK_HOLDERS} AS worker_ids
FROM tasks t
WHERE t.period && {_WINDOWS}
ORDER BY lower(t.period), t.id"""
SHIFTS_IN_WINDOWS = f"""
SELECT s.id, s.worker_id, lower(s.period) AS start, upper(s.period) AS "end" FROM shifts s
WHERE s.period && {_WINDOWS}
ORDER BY s.worker_id, lower(s.period)"""

# --- witness --------------------------------------------------------------------------------------------

GET_WITNESS = "SELECT day, assignment FROM day_witness WHERE day = ANY(%(days)s)"
UPSERT_WITNESS = """
INSERT INTO day_witness (day, assignment, updated_at) VALUES (%(day)s, %(assignment)s, now())
ON CONFLICT (day) DO UPDATE SET assignment = EXCLUDED.assignment, updated_at = now()"""
FORGET_WITNESS_TASK = "UPDATE day_witness SET assignment = assignment - %(task_id)s WHERE day = %(day)s"
GET_WITNESS_TASK = "SELECT assignment -> %(task_id)s FROM day_witness WHERE day = %(day)s"
SET_WITNESS_TASK = """
UPDATE day_witness SET assignment = jsonb_set(assignment, ARRAY[%(task_id)s], %(workers)s), updated_at = now()
WHERE day = %(day)s"""

# --- slot guides (sql/0006_slot_guides.sql) ---------------------------------------------------------------

GET_GUIDES = """
SELECT guides FROM slot_guides
WHERE day = %(day)s AND duration_minutes = %(duration)s AND seats = %(seats)s"""
UPSERT_GUIDES = """
INSERT INTO slot_guides (day, duration_minutes, seats, guides, updated_at)
VALUES (%(day)s, %(duration)s, %(seats)s, %(guides)s, now())
ON CONFLICT (day, duration_minutes, seats) DO UPDATE SET guides = EXCLUDED.guides, updated_at = now()"""
PRUNE_GUIDES = "DELETE FROM slot_guides WHERE updated_at < now() - make_interval(secs => %(seconds)s)"

# --- API tokens and the audit trail (sql/0003_trust.sql) -------------------------------------------------


@dataclass(frozen=True)
class TokenRow:
    id: int
    token_hash: bytes
    role: str
    worker_id: str | None
    label: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class EventRow:
    id: int
    at: datetime
    actor: str
    role: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, object] | None
    after: dict[str, object] | None


_TOKEN_COLS = "id, token_hash, role, worker_id, label, created_at, revoked_at"
INSERT_TOKEN = """
INSERT INTO api_tokens (token_hash, role, worker_id, label) VALUES (%(hash)s, %(role)s, %(worker_id)s, %(label)s)
RETURNING id"""
REVOKE_TOKEN = "UPDATE api_tokens SET revoked_at = now() WHERE id = %(id)s AND revoked_at IS NULL RETURNING id"
ACTIVE_TOKEN_BY_HASH = f"SELECT {_TOKEN_COLS} FROM api_tokens WHERE token_hash = %(hash)s AND revoked_at IS NULL"
ACTIVE_TOKEN_BY_ID = f"SELECT {_TOKEN_COLS} FROM api_tokens WHERE id = %(id)s AND revoked_at IS NULL"
LIST_TOKENS = f"SELECT {_TOKEN_COLS} FROM api_tokens ORDER BY id"

_EVENT_COLS = "id, at, actor, role, action, entity, entity_id, before, after"
INSERT_EVENT = """
INSERT INTO events (token_id, actor, role, action, entity, entity_id, before, after)
VALUES (%(token_id)s, %(actor)s, %(role)s, %(action)s, %(entity)s, %(entity_id)s, %(before)s, %(after)s)"""
EVENTS_OF = f"SELECT {_EVENT_COLS} FROM events WHERE entity = %(entity)s AND entity_id = %(id)s ORDER BY id"
EVENTS_SINCE = f"SELECT {_EVENT_COLS} FROM events WHERE at >= %(since)s ORDER BY id LIMIT %(limit)s"
# A task that is gone still has a history: it is known while a row or an event names it.
TASK_KNOWN = """
SELECT 1 FROM tasks WHERE id = %(id)s
UNION ALL SELECT 1 FROM events WHERE entity = 'task' AND entity_id = %(id)s LIMIT 1"""

# --- health ---------------------------------------------------------------------------------------------

PING = "SELECT 1"
