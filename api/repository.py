"""Every read and write of the service's tables, as functions of an open connection (the caller's unit of
work, `api.db`). The SQL itself lives in `api.queries`; rows come back as its dataclasses.

Also here: the overlap closure a feasibility check or a slot query reads, and its translation into the
solver's `Scenario` (where the employment rule is applied).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import psycopg
from psycopg.rows import args_row, class_row
from psycopg.types.json import Jsonb

from api import queries as q
from solver.calendar import OperationalCalendar, Window
from solver.domain import CrewEntry, Scenario, Shift, Task, Worker
from solver.spans import merged

R = TypeVar("R")
Crew = tuple[CrewEntry, ...]
EPOCH = date(1970, 1, 1)


def _one(conn: psycopg.Connection, row: type[R], sql: str, params: dict[str, Any]) -> R | None:
    with conn.cursor(row_factory=class_row(row)) as cur:
        return cur.execute(sql, params).fetchone()


def _all(conn: psycopg.Connection, row: type[R], sql: str, params: dict[str, Any] | None = None) -> list[R]:
    with conn.cursor(row_factory=class_row(row)) as cur:
        return cur.execute(sql, params or {}).fetchall()


def _positional(conn: psycopg.Connection, row: type[R], sql: str, params: dict[str, Any]) -> list[R]:
    """`_all` for the big reads (a day's closure): each row built from its columns in order, not by name,
    which is about twice as fast on 1,300 rows (the query's columns are the dataclass's fields, in order)."""
    with conn.cursor(row_factory=args_row(row)) as cur:
        return cur.execute(sql, params).fetchall()


def _ids(conn: psycopg.Connection, sql: str, params: dict[str, Any]) -> list[str]:
    return [r[0] for r in conn.execute(sql, params).fetchall()]


# --- locks and transaction modes ------------------------------------------------------------------------


def lock_day(conn: psycopg.Connection, day: date) -> None:
    """Hold the operational day's advisory lock until the transaction ends."""
    conn.execute(q.LOCK_DAY, {"namespace": q.LOCK_NAMESPACE, "day": (day - EPOCH).days})


def read_only_snapshot(conn: psycopg.Connection) -> None:
    conn.execute(q.READ_ONLY_SNAPSHOT)


def ping(conn: psycopg.Connection) -> None:
    conn.execute(q.PING).fetchone()


# --- workers -------------------------------------------------------------------------------------------


def list_workers(conn: psycopg.Connection) -> list[q.WorkerRow]:
    return _all(conn, q.WorkerRow, q.LIST_WORKERS)


def get_worker(conn: psycopg.Connection, worker_id: str, *, for_update: bool = False) -> q.WorkerRow | None:
    return _one(conn, q.WorkerRow, q.GET_WORKER_FOR_UPDATE if for_update else q.GET_WORKER, {"id": worker_id})


def insert_worker(conn: psycopg.Connection, worker_id: str | None, name: str, skills: list[str],
                  hire_date: date | None, fire_date: date | None,
                  limits: tuple[int | None, int | None] = (None, None)) -> q.WorkerRow:
    """`limits`: (max_tasks, max_minutes), None for no limit."""
    row = _one(conn, q.WorkerRow, q.INSERT_WORKER, {"id": worker_id, "name": name, "skills": skills,
                                                    "hire_date": hire_date, "fire_date": fire_date,
                                                    "max_tasks": limits[0], "max_minutes": limits[1]})
    assert row is not None  # INSERT ... RETURNING
    return row


def update_worker(conn: psycopg.Connection, worker: q.WorkerRow) -> q.WorkerRow:
    row = _one(conn, q.WorkerRow, q.UPDATE_WORKER, {
        "id": worker.id, "name": worker.name, "skills": worker.skills, "hire_date": worker.hire_date,
        "fire_date": worker.fire_date, "max_tasks": worker.max_tasks, "max_minutes": worker.max_minutes})
    assert row is not None  # the caller holds the row locked
    return row


def delete_worker(conn: psycopg.Connection, worker_id: str) -> None:
    conn.execute(q.DELETE_WORKER, {"id": worker_id})


def tasks_taken_by(conn: psycopg.Connection, worker_id: str) -> list[str]:
    return _ids(conn, q.TASKS_TAKEN_BY, {"worker_id": worker_id})


# --- shifts --------------------------------------------------------------------------------------------


def shifts_of_worker(conn: psycopg.Connection, worker_id: str) -> list[q.ShiftRow]:
    return _all(conn, q.ShiftRow, q.LIST_SHIFTS, {"worker_id": worker_id})


def shifts_of_worker_between(conn: psycopg.Connection, worker_id: str, lo: datetime,
                             hi: datetime) -> list[q.ShiftRow]:
    """The worker's shifts overlapping [lo, hi)."""
    return _all(conn, q.ShiftRow, q.LIST_SHIFTS_BETWEEN, {"worker_id": worker_id, "lo": lo, "hi": hi})


def get_shift(conn: psycopg.Connection, worker_id: str, shift_id: int) -> q.ShiftRow | None:
    return _one(conn, q.ShiftRow, q.GET_SHIFT, {"id": shift_id, "worker_id": worker_id})


def insert_shift(conn: psycopg.Connection, worker_id: str, start: datetime, end: datetime) -> q.ShiftRow:
    row = _one(conn, q.ShiftRow, q.INSERT_SHIFT, {"worker_id": worker_id, "start": start, "end": end})
    assert row is not None  # INSERT ... RETURNING
    return row


def delete_shift(conn: psycopg.Connection, shift_id: int) -> None:
    conn.execute(q.DELETE_SHIFT, {"id": shift_id})


# --- tasks ---------------------------------------------------------------------------------------------


def get_task(conn: psycopg.Connection, task_id: str, *, for_update: bool = False) -> q.TaskRow | None:
    return _one(conn, q.TaskRow, q.GET_TASK_FOR_UPDATE if for_update else q.GET_TASK, {"id": task_id})


def tasks_starting_between(conn: psycopg.Connection, lo: datetime, hi: datetime) -> list[q.TaskRow]:
    return _all(conn, q.TaskRow, q.LIST_TASKS_STARTING, {"lo": lo, "hi": hi})


def insert_task(conn: psycopg.Connection, task_id: str | None, start: datetime, end: datetime,
                skill: str | None, crew: Crew | None = None) -> str:
    """Insert an untaken task with its crew (None: one seat of `skill`); returns its id (generated as t-<n>
    when `task_id` is None)."""
    row = conn.execute(q.INSERT_TASK, {"id": task_id, "start": start, "end": end, "skill": skill}).fetchone()
    assert row is not None  # INSERT ... RETURNING
    new_id = str(row[0])
    _insert_crew(conn, new_id, skill, crew)
    return new_id


def _insert_crew(conn: psycopg.Connection, task_id: str, skill: str | None, crew: Crew | None) -> None:
    entries = crew or (CrewEntry(skill, 1),)
    conn.execute(q.INSERT_CREW, {"id": task_id, "skills": [e.skill for e in entries],
                                 "counts": [e.count for e in entries]})


def move_task(conn: psycopg.Connection, task_id: str, start: datetime, end: datetime, skill: str | None,
              crew: Crew | None = None) -> None:
    """New times and needs: one seat of `skill`, or `crew` (then the task's skill is None)."""
    conn.execute(q.MOVE_TASK, {"id": task_id, "start": start, "end": end, "skill": None if crew else skill})
    conn.execute(q.DELETE_CREW, {"id": task_id})
    _insert_crew(conn, task_id, skill, crew)


def add_seat(conn: psycopg.Connection, task_id: str, worker_id: str, skill: str | None) -> None:
    """The worker takes a seat of the task (as `skill`, the crew entry they sit in)."""
    conn.execute(q.INSERT_SEAT, {"id": task_id, "worker_id": worker_id, "skill": skill})
    conn.execute(q.TOUCH_TASK, {"id": task_id})


def remove_seats(conn: psycopg.Connection, task_id: str, worker_ids: list[str]) -> None:
    conn.execute(q.DELETE_SEATS, {"id": task_id, "workers": worker_ids})
    conn.execute(q.TOUCH_TASK, {"id": task_id})


def seat_load(conn: psycopg.Connection, worker_id: str, lo: datetime, hi: datetime, *, besides: str) -> q.SeatLoad:
    """The seats the worker holds that start in [lo, hi), task `besides` not counted."""
    row = _one(conn, q.SeatLoad, q.SEAT_LOAD, {"worker_id": worker_id, "lo": lo, "hi": hi, "id": besides})
    assert row is not None  # an aggregate always answers
    return row


def delete_task(conn: psycopg.Connection, task_id: str) -> None:
    conn.execute(q.DELETE_TASK, {"id": task_id})


def taken_overlapping(conn: psycopg.Connection, worker_id: str, task_id: str, start: datetime,
                      end: datetime) -> list[str]:
    """Ids of the worker's other taken tasks overlapping [start, end)."""
    return _ids(conn, q.TAKEN_OVERLAPPING, {"worker_id": worker_id, "id": task_id, "start": start, "end": end})


def delete_rows_of(conn: psycopg.Connection, worker_ids: list[str], task_ids: list[str]) -> None:
    """Delete these workers (with their shifts), these tasks and every task the workers hold."""
    conn.execute(q.DELETE_TASKS_OF, {"ids": task_ids, "workers": worker_ids})
    conn.execute(q.DELETE_WORKERS, {"ids": worker_ids})


# --- witness --------------------------------------------------------------------------------------------


def read_witness(conn: psycopg.Connection, days: Iterable[date]) -> dict[date, dict[str, list[str]]]:
    """The stored plan (task with open seats -> its workers) of each of these days that has one."""
    rows = conn.execute(q.GET_WITNESS, {"days": sorted(set(days))}).fetchall()
    return {day: dict(assignment) for day, assignment in rows}


def store_witness(conn: psycopg.Connection, day: date, assignment: dict[str, list[str]]) -> None:
    conn.execute(q.UPSERT_WITNESS, {"day": day, "assignment": Jsonb(dict(sorted(assignment.items())))})


def read_guides(conn: psycopg.Connection, day: date, duration: int, seats: str) -> Any:
    """The stored guides (JSON, see `api.guides`) of slot queries of this day, length and crew, or None."""
    row = conn.execute(q.GET_GUIDES, {"day": day, "duration": duration, "seats": seats}).fetchone()
    return row[0] if row else None


def store_guides(conn: psycopg.Connection, day: date, duration: int, seats: str, doc: Any, *,
                 keep_seconds: float) -> None:
    """Replace those guides, and drop every query's guides not rewritten for `keep_seconds`."""
    conn.execute(q.UPSERT_GUIDES, {"day": day, "duration": duration, "seats": seats, "guides": Jsonb(doc)})
    conn.execute(q.PRUNE_GUIDES, {"seconds": keep_seconds})


def forget_witness_task(conn: psycopg.Connection, day: date, task_id: str) -> None:
    conn.execute(q.FORGET_WITNESS_TASK, {"task_id": task_id, "day": day})


def witness_task(conn: psycopg.Connection, day: date, task_id: str) -> list[str]:
    """One task's workers in the day's stored plan ([] when it has none)."""
    row = conn.execute(q.GET_WITNESS_TASK, {"task_id": task_id, "day": day}).fetchone()
    named = row[0] if row else None
    return [named] if isinstance(named, str) else list(named or [])


def set_witness_task(conn: psycopg.Connection, day: date, task_id: str, workers: list[str]) -> None:
    """One task's entry of the day's stored plan (nothing when the day has none)."""
    conn.execute(q.SET_WITNESS_TASK, {"task_id": task_id, "workers": Jsonb(workers), "day": day})


# --- API tokens and the audit trail -----------------------------------------------------------------------


def insert_token(conn: psycopg.Connection, token_hash: bytes, role: str, worker_id: str | None, label: str) -> int:
    row = conn.execute(q.INSERT_TOKEN, {"hash": token_hash, "role": role, "worker_id": worker_id,
                                        "label": label}).fetchone()
    assert row is not None  # INSERT ... RETURNING always returns the row
    return int(row[0])


def revoke_token(conn: psycopg.Connection, token_id: int) -> bool:
    return conn.execute(q.REVOKE_TOKEN, {"id": token_id}).fetchone() is not None


def active_token_by_hash(conn: psycopg.Connection, token_hash: bytes) -> q.TokenRow | None:
    return _one(conn, q.TokenRow, q.ACTIVE_TOKEN_BY_HASH, {"hash": token_hash})


def active_token_by_id(conn: psycopg.Connection, token_id: int) -> q.TokenRow | None:
    return _one(conn, q.TokenRow, q.ACTIVE_TOKEN_BY_ID, {"id": token_id})


def list_tokens(conn: psycopg.Connection) -> list[q.TokenRow]:
    return _all(conn, q.TokenRow, q.LIST_TOKENS)


def insert_event(conn: psycopg.Connection, event: dict[str, Any]) -> None:
    """`event`: token_id, actor, role, action, entity, entity_id, before, after (JSON or None)."""
    conn.execute(q.INSERT_EVENT, {**event, "before": _jsonb(event["before"]), "after": _jsonb(event["after"])})


def _jsonb(value: dict[str, Any] | None) -> Jsonb | None:
    return None if value is None else Jsonb(value, dumps=lambda v: json.dumps(v, default=str))


def events_of(conn: psycopg.Connection, entity: str, entity_id: str) -> list[q.EventRow]:
    return _all(conn, q.EventRow, q.EVENTS_OF, {"entity": entity, "id": entity_id})


def events_since(conn: psycopg.Connection, since: datetime, limit: int) -> list[q.EventRow]:
    return _all(conn, q.EventRow, q.EVENTS_SINCE, {"since": since, "limit": limit})


def task_known(conn: psycopg.Connection, task_id: str) -> bool:
    return conn.execute(q.TASK_KNOWN, {"id": task_id}).fetchone() is not None


# --- the data a feasibility check needs ------------------------------------------------------------------


def merge(windows: Iterable[Window]) -> list[Window]:
    """Overlapping or touching windows joined, sorted."""
    return merged(windows)


@dataclass
class Snapshot:
    """The rows a feasibility check reads: the overlap closure of some windows."""

    windows: list[Window]
    tasks: list[q.ClosureTaskRow]
    shifts: list[q.ClosureShiftRow]
    workers: dict[str, q.WorkerRow]


def _bounds_params(windows: list[Window]) -> dict[str, Any]:
    return {"lo": [w[0] for w in windows], "hi": [w[1] for w in windows]}


def read_closure(conn: psycopg.Connection, cal: OperationalCalendar, windows: Iterable[Window],
                 lock: Callable[[list[Window]], object] | None = None) -> Snapshot:
    """The data a check of `windows` needs (see `api.guard`): grown until nothing new appears by
    - every task overlapping the windows (no-overlap couples only overlapping tasks), and
    - the whole operational day of every task that a worker with a daily limit holds or has a shift
      around (a limit couples the tasks starting in one day, overlapping or not);
    then the shifts overlapping the windows and the workers of both.

    Each round reads only the rows of what the windows grew by (the windows only grow, and a row overlapping
    a union of half-open windows overlaps one of its pieces), so the closure costs about one read of it.
    `lock` (the guard's day locks) is called with those pieces before their rows are read, so every row is
    read under the lock of a day it shares with the windows (see `api.guard`)."""
    wins = merge(windows)
    tasks: dict[str, q.ClosureTaskRow] = {}
    shifts: dict[int, q.ClosureShiftRow] = {}
    workers: dict[str, q.WorkerRow] = {}
    read: list[Window] = []
    while True:
        fresh = _uncovered(wins, read)
        new_tasks: list[q.ClosureTaskRow] = []
        if fresh:
            if lock is not None:
                lock(fresh)
            for t in _positional(conn, q.ClosureTaskRow, q.TASKS_IN_WINDOWS, _bounds_params(fresh)):
                if t.id not in tasks:
                    tasks[t.id] = t
                    new_tasks.append(t)
            for s in _positional(conn, q.ClosureShiftRow, q.SHIFTS_IN_WINDOWS, _bounds_params(fresh)):
                shifts.setdefault(s.id, s)
            ids = sorted(({s.worker_id for s in shifts.values()}
                          | {w for t in new_tasks for w in t.worker_ids}) - workers.keys())
            if ids:
                workers.update((w.id, w) for w in _all(conn, q.WorkerRow, q.GET_WORKERS, {"ids": ids}))
        read = wins
        # Only the new tasks can grow the windows by overlap (the others' windows are inside them already);
        # merging every task's window each round was a fifth of a 1,300-task day's read.
        grown = merge([*wins, *(t.window for t in new_tasks),
                       *_limited_days(cal, list(tasks.values()), list(shifts.values()), workers)])
        if grown == wins:
            return Snapshot(wins, sorted(tasks.values(), key=lambda t: (t.start, t.id)),
                            sorted(shifts.values(), key=lambda s: (s.worker_id, s.start)), workers)
        wins = grown


def _uncovered(windows: list[Window], covered: list[Window]) -> list[Window]:
    """The pieces of merged `windows` outside merged `covered`."""
    out: list[Window] = []
    for w_lo, hi in windows:
        lo = w_lo
        for c_lo, c_hi in covered:
            if c_hi <= lo or hi <= c_lo:
                continue
            if lo < c_lo:
                out.append((lo, c_lo))
            lo = max(lo, c_hi)
        if lo < hi:
            out.append((lo, hi))
    return out


def _limited_days(cal: OperationalCalendar, tasks: list[q.ClosureTaskRow], shifts: list[q.ClosureShiftRow],
                  workers: dict[str, q.WorkerRow]) -> list[Window]:
    """The operational days of the tasks a limited worker holds or could sit in (shift around it)."""
    limited = {w.id for w in workers.values() if w.limited}
    if not limited:
        return []
    around = [s for s in shifts if s.worker_id in limited]
    return [cal.bounds(cal.day_of(t.start)) for t in tasks
            if limited.intersection(t.worker_ids) or any(s.start <= t.start and t.end <= s.end for s in around)]


def clip(start: datetime, end: datetime, window: Window | None) -> Window | None:
    """[start, end) cut to `window` (None: unbounded); None when nothing is left."""
    if window is None:
        return start, end
    lo, hi = max(start, window[0]), min(end, window[1])
    return (lo, hi) if lo < hi else None


def build_scenario(cal: OperationalCalendar, snap: Snapshot) -> Scenario:
    """The contract's Scenario for a snapshot, each shift clipped to its worker's employment window.

    Clipping makes the *task's* operational day decide employment: a night shift from the fire date into
    the next morning ends, for the solver, where the fire date's operational day ends.
    """
    shifts: dict[str, list[Shift]] = defaultdict(list)
    for s in snap.shifts:
        worker = snap.workers[s.worker_id]
        clipped = clip(s.start, s.end, cal.employment_window(worker.hire_date, worker.fire_date))
        if clipped is not None:
            shifts[s.worker_id].append(Shift(*clipped))
    owners = {w for t in snap.tasks for w in t.worker_ids}
    workers = tuple(
        Worker(w.id, w.name or None, frozenset(w.skills), tuple(sorted(shifts[w.id], key=lambda s: s.start)),
               w.max_tasks, w.max_minutes)
        for w in sorted(snap.workers.values(), key=lambda w: w.id)
        if shifts[w.id] or w.id in owners
    )
    return Scenario(cal.timezone, cal.day_start, workers, tuple(task_of(t) for t in snap.tasks))


def crew_of(row: q.TaskRow | q.ClosureTaskRow) -> Crew:
    if row.crew is None:  # a closure row of a one-seat task
        return (CrewEntry(row.skill, 1),)
    return tuple(CrewEntry(c["skill"], int(c["count"])) for c in row.crew)


def task_of(row: q.TaskRow | q.ClosureTaskRow) -> Task:
    """The contract's Task of a row: a one-seat task of its skill as v1 wrote it, else its crew and holders."""
    if row.crew is None:  # a closure row without crew rows: one seat of its skill (most rows of a big day)
        return Task(row.id, row.start, row.end, row.skill, row.worker_ids[0] if row.worker_ids else None)
    crew = crew_of(row)
    if crew == (CrewEntry(row.skill, 1),):
        return Task(row.id, row.start, row.end, row.skill, row.worker_ids[0] if row.worker_ids else None)
    return Task(row.id, row.start, row.end, None, None, crew, tuple(row.worker_ids))


def task_days(cal: OperationalCalendar, tasks: Iterable[Task]) -> dict[str, date]:
    """Each task's operational day (of its start), worked out once per distinct start: a big day's 1,300
    tasks start at a few dozen instants, and `day_of` was a tenth of reading the day."""
    day_at: dict[datetime, date] = {}
    out: dict[str, date] = {}
    for t in tasks:
        day = day_at.get(t.start)
        if day is None:
            day = day_at[t.start] = cal.day_of(t.start)
        out[t.id] = day
    return out


def read_windows(conn: psycopg.Connection, cal: OperationalCalendar,
                 windows: Iterable[Window]) -> tuple[Scenario, dict[str, list[str]]]:
    """The scenario a question about `windows` needs (their closure) and its stored witness (callers start
    the transaction with `read_only_snapshot`, so all of it is one snapshot)."""
    scenario = build_scenario(cal, read_closure(conn, cal, windows))
    stored = read_witness(conn, set(task_days(cal, scenario.tasks).values()))
    return scenario, {k: v for day_map in stored.values() for k, v in day_map.items()}


def read_day(conn: psycopg.Connection, cal: OperationalCalendar, day: date) -> tuple[Scenario, dict[str, list[str]]]:
    """The scenario a slot query for `day` needs (the closure of the day) and its stored witness, read in one
    read-only snapshot."""
    read_only_snapshot(conn)
    return read_windows(conn, cal, [cal.bounds(day)])
