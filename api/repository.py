"""Every read and write of the service's tables, as functions of an open connection (the caller's unit of
work, `api.db`). The SQL itself lives in `api.queries`; rows come back as its dataclasses.

Also here: the overlap closure a feasibility check or a slot query reads, and its translation into the
solver's `Scenario` (where the employment rule is applied).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from api import queries as q
from solver.calendar import OperationalCalendar, Window
from solver.domain import Scenario, Shift, Task, Worker

R = TypeVar("R")
EPOCH = date(1970, 1, 1)


def _one(conn: psycopg.Connection, row: type[R], sql: str, params: dict[str, Any]) -> R | None:
    with conn.cursor(row_factory=class_row(row)) as cur:
        return cur.execute(sql, params).fetchone()


def _all(conn: psycopg.Connection, row: type[R], sql: str, params: dict[str, Any] | None = None) -> list[R]:
    with conn.cursor(row_factory=class_row(row)) as cur:
        return cur.execute(sql, params or {}).fetchall()


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
                  hire_date: date | None, fire_date: date | None) -> q.WorkerRow:
    row = _one(conn, q.WorkerRow, q.INSERT_WORKER, {"id": worker_id, "name": name, "skills": skills,
                                                    "hire_date": hire_date, "fire_date": fire_date})
    assert row is not None  # INSERT ... RETURNING
    return row


def update_worker(conn: psycopg.Connection, worker: q.WorkerRow) -> q.WorkerRow:
    row = _one(conn, q.WorkerRow, q.UPDATE_WORKER, {
        "id": worker.id, "name": worker.name, "skills": worker.skills, "hire_date": worker.hire_date,
        "fire_date": worker.fire_date})
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
                skill: str | None) -> str:
    """Insert an untaken task; returns its id (generated as t-<n> when `task_id` is None)."""
    row = conn.execute(q.INSERT_TASK, {"id": task_id, "start": start, "end": end, "skill": skill}).fetchone()
    assert row is not None  # INSERT ... RETURNING
    return str(row[0])


def move_task(conn: psycopg.Connection, task_id: str, start: datetime, end: datetime, skill: str | None) -> None:
    conn.execute(q.MOVE_TASK, {"id": task_id, "start": start, "end": end, "skill": skill})


def set_task_worker(conn: psycopg.Connection, task_id: str, worker_id: str | None) -> None:
    conn.execute(q.SET_TASK_WORKER, {"id": task_id, "worker_id": worker_id})


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


def read_witness(conn: psycopg.Connection, days: Iterable[date]) -> dict[date, dict[str, str]]:
    """The stored assignment (untaken task id -> worker id) of each of these days that has one."""
    rows = conn.execute(q.GET_WITNESS, {"days": sorted(set(days))}).fetchall()
    return {day: dict(assignment) for day, assignment in rows}


def store_witness(conn: psycopg.Connection, day: date, assignment: dict[str, str]) -> None:
    conn.execute(q.UPSERT_WITNESS, {"day": day, "assignment": Jsonb(dict(sorted(assignment.items())))})


def forget_witness_task(conn: psycopg.Connection, day: date, task_id: str) -> None:
    conn.execute(q.FORGET_WITNESS_TASK, {"task_id": task_id, "day": day})


# --- the data a feasibility check needs ------------------------------------------------------------------


def merge(windows: Iterable[Window]) -> list[Window]:
    """Overlapping or touching windows joined, sorted."""
    out: list[Window] = []
    for lo, hi in sorted(windows):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


@dataclass
class Snapshot:
    """The rows a feasibility check reads: the overlap closure of some windows."""

    windows: list[Window]
    tasks: list[q.TaskRow]
    shifts: list[q.ShiftRow]
    workers: dict[str, q.WorkerRow]


def _bounds_params(windows: list[Window]) -> dict[str, Any]:
    return {"lo": [w[0] for w in windows], "hi": [w[1] for w in windows]}


def read_closure(conn: psycopg.Connection, windows: Iterable[Window]) -> Snapshot:
    """Every task overlapping the windows, the windows widened to those tasks, until nothing new appears;
    then the shifts overlapping the widened windows and the workers of both (see `api.guard`)."""
    wins = merge(windows)
    while True:
        tasks = _all(conn, q.TaskRow, q.TASKS_IN_WINDOWS, _bounds_params(wins))
        grown = merge([*wins, *(t.window for t in tasks)])
        if grown == wins:
            break
        wins = grown
    shifts = _all(conn, q.ShiftRow, q.SHIFTS_IN_WINDOWS, _bounds_params(wins)) if wins else []
    ids = sorted({s.worker_id for s in shifts} | {t.worker_id for t in tasks if t.worker_id})
    workers = {w.id: w for w in _all(conn, q.WorkerRow, q.GET_WORKERS, {"ids": ids})}
    return Snapshot(wins, tasks, shifts, workers)


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
    owners = {t.worker_id for t in snap.tasks if t.worker_id}
    workers = tuple(
        Worker(w.id, w.name or None, frozenset(w.skills), tuple(sorted(shifts[w.id], key=lambda s: s.start)))
        for w in sorted(snap.workers.values(), key=lambda w: w.id)
        if shifts[w.id] or w.id in owners
    )
    tasks = tuple(Task(t.id, t.start, t.end, t.skill, t.worker_id) for t in snap.tasks)
    return Scenario(cal.timezone, cal.day_start, workers, tasks)


def read_day(conn: psycopg.Connection, cal: OperationalCalendar, day: date) -> tuple[Scenario, dict[str, str]]:
    """The scenario a slot query for `day` needs (the overlap closure of the day) and its stored witness,
    read in one read-only snapshot."""
    read_only_snapshot(conn)
    scenario = build_scenario(cal, read_closure(conn, [cal.bounds(day)]))
    stored = read_witness(conn, {cal.day_of(t.start) for t in scenario.tasks})
    return scenario, {k: v for day_map in stored.values() for k, v in day_map.items()}
