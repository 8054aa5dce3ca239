"""SQL of rosters, overrides, absences and the day document (the schema lives in sql/0002_rosters.sql).
Parameters are always bound; rows come back as the dataclasses below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from psycopg.types.range import Range


@dataclass(frozen=True)
class PatternRow:
    id: int
    worker_id: str
    start_time: time
    length_minutes: int
    rrule: str
    valid_from: date
    valid_until: date | None
    timezone: str
    materialised_until: date | None


@dataclass(frozen=True)
class OverrideRow:
    pattern_id: int
    day: date
    start_time: time | None
    length_minutes: int | None


@dataclass(frozen=True)
class PatternShiftRow:
    id: int
    pattern_day: date
    period: Range[datetime]


@dataclass(frozen=True)
class AbsenceRow:
    id: int
    worker_id: str
    period: Range[datetime]
    kind: str
    note: str
    created_at: datetime


# --- patterns ---------------------------------------------------------------------------------------------

_PATTERN_COLS = ("id, worker_id, start_time, length_minutes, rrule, valid_from, valid_until, timezone,"
                 " materialised_until")
LIST_PATTERNS = f"SELECT {_PATTERN_COLS} FROM roster_patterns WHERE worker_id = %(worker_id)s ORDER BY id"
ALL_PATTERN_IDS = "SELECT id FROM roster_patterns ORDER BY id"
PATTERN_WORKER = "SELECT worker_id FROM roster_patterns WHERE id = %(id)s"
GET_PATTERN = f"SELECT {_PATTERN_COLS} FROM roster_patterns WHERE id = %(id)s AND worker_id = %(worker_id)s"
# Every write to a pattern (change, override, materialisation, absence cutting its shifts) locks its row
# first, so two of them never interleave their diff of the pattern's shifts.
GET_PATTERN_FOR_UPDATE = f"{GET_PATTERN} FOR UPDATE"
INSERT_PATTERN = f"""
INSERT INTO roster_patterns (worker_id, start_time, length_minutes, rrule, valid_from, valid_until, timezone)
VALUES (%(worker_id)s, %(start_time)s, %(length_minutes)s, %(rrule)s, %(valid_from)s, %(valid_until)s,
        %(timezone)s)
RETURNING {_PATTERN_COLS}"""
UPDATE_PATTERN = f"""
UPDATE roster_patterns SET start_time = %(start_time)s, length_minutes = %(length_minutes)s, rrule = %(rrule)s,
       valid_from = %(valid_from)s, valid_until = %(valid_until)s, timezone = %(timezone)s, updated_at = now()
WHERE id = %(id)s
RETURNING {_PATTERN_COLS}"""
SET_MATERIALISED = "UPDATE roster_patterns SET materialised_until = %(until)s WHERE id = %(id)s"
DELETE_PATTERN = "DELETE FROM roster_patterns WHERE id = %(id)s"

# --- overrides ------------------------------------------------------------------------------------------

LIST_OVERRIDES = """
SELECT pattern_id, day, start_time, length_minutes FROM roster_overrides WHERE pattern_id = %(pattern_id)s
ORDER BY day"""
UPSERT_OVERRIDE = """
INSERT INTO roster_overrides (pattern_id, day, start_time, length_minutes)
VALUES (%(pattern_id)s, %(day)s, %(start_time)s, %(length_minutes)s)
ON CONFLICT (pattern_id, day) DO UPDATE SET start_time = EXCLUDED.start_time,
                                            length_minutes = EXCLUDED.length_minutes"""
DELETE_OVERRIDE = "DELETE FROM roster_overrides WHERE pattern_id = %(pattern_id)s AND day = %(day)s"

# --- pattern shifts -------------------------------------------------------------------------------------

PATTERN_SHIFTS = """
SELECT id, pattern_day, period FROM shifts WHERE pattern_id = %(pattern_id)s ORDER BY lower(period)"""
DELETE_SHIFTS = "DELETE FROM shifts WHERE id = ANY(%(ids)s)"
# A pattern shift that overlaps a shift already there (hand-made, or another pattern's) is not written:
# ON CONFLICT DO NOTHING also covers the exclusion constraint, and the service reports the date skipped.
INSERT_PATTERN_SHIFT = """
INSERT INTO shifts (worker_id, period, pattern_id, pattern_day)
VALUES (%(worker_id)s, tstzrange(%(start)s, %(end)s, '[)'), %(pattern_id)s, %(day)s)
ON CONFLICT DO NOTHING
RETURNING id"""
SHIFT_ORIGINS = """
SELECT id, worker_id, period, pattern_id, pattern_day FROM shifts
WHERE worker_id = %(worker_id)s AND period && tstzrange(%(lo)s, %(hi)s, '[)')
ORDER BY lower(period)"""
INSERT_SHIFT_PIECE = """
INSERT INTO shifts (worker_id, period, pattern_id, pattern_day)
VALUES (%(worker_id)s, tstzrange(%(start)s, %(end)s, '[)'), %(pattern_id)s, %(day)s)"""

# --- absences -------------------------------------------------------------------------------------------

_ABSENCE_COLS = "id, worker_id, period, kind, note, created_at"
LIST_ABSENCES = f"SELECT {_ABSENCE_COLS} FROM absences WHERE worker_id = %(worker_id)s ORDER BY lower(period)"
GET_ABSENCE = f"SELECT {_ABSENCE_COLS} FROM absences WHERE id = %(id)s AND worker_id = %(worker_id)s"
ABSENCE_WINDOWS = "SELECT lower(period), upper(period) FROM absences WHERE worker_id = %(worker_id)s"
INSERT_ABSENCE = f"""
INSERT INTO absences (worker_id, period, kind, note)
VALUES (%(worker_id)s, tstzrange(%(start)s, %(end)s, '[)'), %(kind)s, %(note)s)
RETURNING {_ABSENCE_COLS}"""
DELETE_ABSENCE = "DELETE FROM absences WHERE id = %(id)s"
HELD_IN = """
SELECT task_id FROM task_seats WHERE worker_id = %(worker_id)s AND period && tstzrange(%(lo)s, %(hi)s, '[)')
ORDER BY lower(period), task_id"""
TASK_WINDOWS = "SELECT lower(period), upper(period) FROM tasks WHERE id = ANY(%(ids)s)"
# The worker's seats of these tasks (crews keep their other holders); the seat triggers keep tasks.worker_id.
RELEASE_TASKS = """
WITH gone AS (DELETE FROM task_seats WHERE worker_id = %(worker_id)s AND task_id = ANY(%(ids)s) RETURNING task_id)
UPDATE tasks SET updated_at = now() WHERE id IN (SELECT task_id FROM gone)"""

# --- the day document ----------------------------------------------------------------------------------

DAY_SHIFTS = """
SELECT id, worker_id, period, pattern_id, pattern_day FROM shifts
WHERE period && tstzrange(%(lo)s, %(hi)s, '[)')
ORDER BY worker_id, lower(period)"""

# --- calendar out ----------------------------------------------------------------------------------------

WORKER_SHIFTS_BETWEEN = """
SELECT id, period, pattern_id, pattern_day FROM shifts
WHERE worker_id = %(worker_id)s AND period && tstzrange(%(lo)s, %(hi)s, '[)')
ORDER BY lower(period)"""
WORKER_TASKS_BETWEEN = """
SELECT id, period, skill FROM tasks
WHERE worker_id = %(worker_id)s AND period && tstzrange(%(lo)s, %(hi)s, '[)')
ORDER BY lower(period), id"""
