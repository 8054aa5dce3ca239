"""Every SQL statement the service runs (the schema itself lives in sql/). Parameters are always bound
(`%(name)s`); rows come back as the dataclasses below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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


@dataclass(frozen=True)
class ShiftRow(_Period):
    id: int
    worker_id: str
    period: Range[datetime]


@dataclass(frozen=True)
class TaskRow(_Period):
    id: str
    period: Range[datetime]
    skill: str | None
    worker_id: str | None
    worker_name: str | None
    created_at: datetime
    updated_at: datetime


# --- serialisation (advisory locks) and transaction modes ------------------------------------------

# Two-key advisory lock: a constant namespace and the operational day as days since 1970-01-01, so the
# key is exact (no hash collisions between days).
LOCK_NAMESPACE = 0x5107
LOCK_DAY = "SELECT pg_advisory_xact_lock(%(namespace)s, %(day)s)"
READ_ONLY_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"

# --- workers -------------------------------------------------------------------------------------------

_WORKER_COLS = "id, name, skills, hire_date, fire_date"
LIST_WORKERS = f"SELECT {_WORKER_COLS} FROM workers ORDER BY id"
GET_WORKER = f"SELECT {_WORKER_COLS} FROM workers WHERE id = %(id)s"
GET_WORKER_FOR_UPDATE = f"SELECT {_WORKER_COLS} FROM workers WHERE id = %(id)s FOR UPDATE"
GET_WORKERS = f"SELECT {_WORKER_COLS} FROM workers WHERE id = ANY(%(ids)s)"
INSERT_WORKER = f"""
INSERT INTO workers (id, name, skills, hire_date, fire_date)
VALUES (COALESCE(%(id)s, 'w-' || nextval('worker_id_seq')), %(name)s, %(skills)s, %(hire_date)s, %(fire_date)s)
RETURNING {_WORKER_COLS}"""
UPDATE_WORKER = f"""
UPDATE workers SET name = %(name)s, skills = %(skills)s, hire_date = %(hire_date)s, fire_date = %(fire_date)s,
                   updated_at = now()
WHERE id = %(id)s
RETURNING {_WORKER_COLS}"""
DELETE_WORKER = "DELETE FROM workers WHERE id = %(id)s"
DELETE_WORKERS = "DELETE FROM workers WHERE id = ANY(%(ids)s)"
TASKS_TAKEN_BY = "SELECT id FROM tasks WHERE worker_id = %(worker_id)s ORDER BY lower(period), id"

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

_TASK_COLS = "t.id, t.period, t.skill, t.worker_id, w.name AS worker_name, t.created_at, t.updated_at"
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
SET_TASK_WORKER = "UPDATE tasks SET worker_id = %(worker_id)s, updated_at = now() WHERE id = %(id)s"
DELETE_TASK = "DELETE FROM tasks WHERE id = %(id)s"
DELETE_TASKS_OF = "DELETE FROM tasks WHERE id = ANY(%(ids)s) OR worker_id = ANY(%(workers)s)"
TAKEN_OVERLAPPING = """
SELECT id FROM tasks
WHERE worker_id = %(worker_id)s AND id <> %(id)s AND period && tstzrange(%(start)s, %(end)s, '[)')
ORDER BY lower(period)"""

# --- the data a feasibility check needs ------------------------------------------------------------------

# Windows come as two parallel arrays of bounds: every row overlapping any window [lo, hi).
TASKS_IN_WINDOWS = f"""
SELECT {_TASK_COLS} FROM {_TASK_FROM}
WHERE EXISTS (SELECT 1 FROM unnest(%(lo)s::timestamptz[], %(hi)s::timestamptz[]) AS win(lo, hi)
              WHERE t.period && tstzrange(win.lo, win.hi, '[)'))
ORDER BY lower(t.period), t.id"""
SHIFTS_IN_WINDOWS = f"""
SELECT {_SHIFT_COLS} FROM shifts s
WHERE EXISTS (SELECT 1 FROM unnest(%(lo)s::timestamptz[], %(hi)s::timestamptz[]) AS win(lo, hi)
              WHERE s.period && tstzrange(win.lo, win.hi, '[)'))
ORDER BY s.worker_id, lower(s.period)"""

# --- witness --------------------------------------------------------------------------------------------

GET_WITNESS = "SELECT day, assignment FROM day_witness WHERE day = ANY(%(days)s)"
UPSERT_WITNESS = """
INSERT INTO day_witness (day, assignment, updated_at) VALUES (%(day)s, %(assignment)s, now())
ON CONFLICT (day) DO UPDATE SET assignment = EXCLUDED.assignment, updated_at = now()"""
FORGET_WITNESS_TASK = "UPDATE day_witness SET assignment = assignment - %(task_id)s WHERE day = %(day)s"

# --- health ---------------------------------------------------------------------------------------------

PING = "SELECT 1"
