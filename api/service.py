"""Use cases of the service: each public function is one unit of work on one connection (the caller,
`api.db.run_in_transaction`, commits or rolls back). Mutations go through `api.guard.Guard`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

import psycopg
from flask import current_app
from psycopg.rows import class_row

from api import queries as q
from api.errors import Conflict, NotFound, Unprocessable
from api.guard import Calendar, Guard, employed, read_day
from api.schemas import ID_PATTERN
from solver.domain import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    Scenario,
    SlotQuery,
    wall_time_exists,
)
from solver.options import SolverOptions
from solver.plan import plan
from solver.schema import dump_answer, dump_plan
from solver.slots import find_slots

MAX_SHIFT = timedelta(hours=24)
MAX_BIGINT = 2**63 - 1


def calendar() -> Calendar:
    hh, mm = (int(x) for x in current_app.config["DAY_START"].split(":"))
    return Calendar(current_app.config["TIMEZONE"], time(hh, mm))


def guard(conn: psycopg.Connection) -> Guard:
    return Guard(conn, calendar(), current_app.config["PLAN_TIME_LIMIT"])


def aware(cal: Calendar, value: datetime, field: str) -> datetime:
    """Input without an offset is wall-clock time in the service's zone (as in the contract)."""
    if value.tzinfo is not None:
        return value
    local = value.replace(tzinfo=cal.zone)
    if not wall_time_exists(local):
        raise Unprocessable(f"{field}: {value.isoformat()} does not exist in {cal.timezone} (clocks skip it)",
                            errors=[{"field": field, "message": "wall-clock time skipped by DST; give an offset"}])
    return local


# --- representation ------------------------------------------------------------------------------------


def _iso(cal: Calendar, dt: datetime) -> str:
    return dt.astimezone(cal.zone).isoformat()


def worker_out(w: q.WorkerRow) -> dict[str, Any]:
    return {"id": w.id, "name": w.name, "skills": list(w.skills), "hire_date": w.hire_date,
            "fire_date": w.fire_date}


def shift_out(cal: Calendar, s: q.ShiftRow, worker: q.WorkerRow) -> dict[str, Any]:
    day = cal.op_day(s.period.lower)
    return {"id": s.id, "worker_id": s.worker_id, "start": _iso(cal, s.period.lower),
            "end": _iso(cal, s.period.upper), "day": day.isoformat(), "counted": employed(worker, day)}


def task_out(cal: Calendar, t: q.TaskRow) -> dict[str, Any]:
    return {
        "id": t.id, "start": _iso(cal, t.period.lower), "end": _iso(cal, t.period.upper),
        "duration_minutes": int((t.period.upper - t.period.lower).total_seconds() // 60),
        "day": cal.op_day(t.period.lower).isoformat(), "skill": t.skill, "worker_id": t.worker_id,
        "worker_name": t.worker_name, "created_at": t.created_at.isoformat(), "updated_at": t.updated_at.isoformat(),
    }


# --- reads ----------------------------------------------------------------------------------------------


def _one(conn: psycopg.Connection, row: type, sql: str, params: dict[str, Any]) -> Any:
    with conn.cursor(row_factory=class_row(row)) as cur:
        return cur.execute(sql, params).fetchone()


def _all(conn: psycopg.Connection, row: type, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    with conn.cursor(row_factory=class_row(row)) as cur:
        return cur.execute(sql, params or {}).fetchall()


def _worker(conn: psycopg.Connection, worker_id: str, *, for_update: bool = False) -> q.WorkerRow:
    # Ids that could never have been stored are simply unknown (and never reach PostgreSQL).
    row = ID_PATTERN.match(worker_id) and _one(
        conn, q.WorkerRow, q.GET_WORKER_FOR_UPDATE if for_update else q.GET_WORKER, {"id": worker_id})
    if not row:
        raise NotFound(f"no worker {worker_id!r}")
    return row


def _task(conn: psycopg.Connection, task_id: str, *, for_update: bool = False) -> q.TaskRow:
    row = ID_PATTERN.match(task_id) and _one(
        conn, q.TaskRow, q.GET_TASK_FOR_UPDATE if for_update else q.GET_TASK, {"id": task_id})
    if not row:
        raise NotFound(f"no task {task_id!r}")
    return row


def list_workers(conn: psycopg.Connection) -> list[dict[str, Any]]:
    return [worker_out(w) for w in _all(conn, q.WorkerRow, q.LIST_WORKERS)]


def get_worker(conn: psycopg.Connection, worker_id: str) -> dict[str, Any]:
    return worker_out(_worker(conn, worker_id))


def list_shifts(conn: psycopg.Connection, worker_id: str, day: date | None) -> list[dict[str, Any]]:
    cal = calendar()
    worker = _worker(conn, worker_id)
    if day is None:
        rows = _all(conn, q.ShiftRow, q.LIST_SHIFTS, {"worker_id": worker_id})
    else:
        lo, hi = cal.bounds(day)
        rows = [s for s in _all(conn, q.ShiftRow, q.LIST_SHIFTS_BETWEEN, {"worker_id": worker_id, "lo": lo, "hi": hi})
                if cal.op_day(s.period.lower) == day]
    return [shift_out(cal, s, worker) for s in rows]


def list_tasks(conn: psycopg.Connection, day: date) -> list[dict[str, Any]]:
    cal = calendar()
    lo, hi = cal.bounds(day)
    return [task_out(cal, t) for t in _all(conn, q.TaskRow, q.LIST_TASKS_STARTING, {"lo": lo, "hi": hi})]


def get_task(conn: psycopg.Connection, task_id: str) -> dict[str, Any]:
    return task_out(calendar(), _task(conn, task_id))


def read_slot_day(conn: psycopg.Connection, day: date) -> tuple[Scenario, dict[str, str]]:
    """What a slot query for `day` needs from the database: the day's scenario and its stored witness."""
    return read_day(conn, calendar(), day)


def answer_slots(scenario: Scenario, query: SlotQuery, witness: dict[str, str] | None) -> dict[str, Any]:
    """The contract's slot answer (same engine and defaults as `python -m solver slots`)."""
    options = SolverOptions(probe_time_limit=current_app.config["PROBE_TIME_LIMIT"])
    answer = find_slots(scenario, query, options, witness=witness)
    return dump_answer(answer, scenario)


def answer_plan(scenario: Scenario) -> dict[str, Any]:
    """Feasibility of a scenario, shaped like `python -m solver plan`."""
    return dump_plan(plan(scenario, SolverOptions(base_time_limit=current_app.config["PLAN_TIME_LIMIT"])))


# --- workers and shifts ----------------------------------------------------------------------------------


def create_worker(conn: psycopg.Connection, data: dict[str, Any]) -> dict[str, Any]:
    _check_employment(data.get("hire_date"), data.get("fire_date"))
    params = {"id": data.get("id"), "name": data["name"], "skills": sorted(set(data["skills"])),
              "hire_date": data["hire_date"], "fire_date": data["fire_date"]}
    try:
        with conn.transaction():  # savepoint: a taken id is a clean 409, not an aborted transaction
            return worker_out(_one(conn, q.WorkerRow, q.INSERT_WORKER, params))
    except psycopg.errors.UniqueViolation as exc:
        raise Conflict(f"a worker with id {data.get('id')!r} already exists") from exc


def _check_employment(hire: date | None, fire: date | None) -> None:
    if hire is not None and fire is not None and hire > fire:
        raise Unprocessable("fire_date is before hire_date",
                            errors=[{"field": "fire_date", "message": "must not be before hire_date"}])


def update_worker(conn: psycopg.Connection, worker_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Rename, change skills or hire / fire dates; refused (409) if that would strand a task."""
    g = guard(conn)
    before = _worker(conn, worker_id)
    shifts = _all(conn, q.ShiftRow, q.SHIFTS_OF_WORKER, {"worker_id": worker_id})
    windows = [(s.period.lower, s.period.upper) for s in shifts]
    g.lock(windows)  # lock the days first, then re-read under the lock
    before = _worker(conn, worker_id, for_update=True)
    after = replace(before, **{k: (sorted(set(v)) if k == "skills" else v) for k, v in data.items()})
    _check_employment(after.hire_date, after.fire_date)
    row = _one(conn, q.WorkerRow, q.UPDATE_WORKER, {
        "id": worker_id, "name": after.name, "skills": after.skills, "hire_date": after.hire_date,
        "fire_date": after.fire_date})
    # Less skill or fewer employed days can only take capacity away: prove the worker's days still fit.
    if not set(before.skills) <= set(after.skills) or (after.hire_date, after.fire_date) != (
            before.hire_date, before.fire_date):
        shifts = _all(conn, q.ShiftRow, q.SHIFTS_OF_WORKER, {"worker_id": worker_id})
        g.check([(s.period.lower, s.period.upper) for s in shifts])
    return worker_out(row)


def delete_worker(conn: psycopg.Connection, worker_id: str) -> None:
    g = guard(conn)
    _worker(conn, worker_id)
    shifts = _all(conn, q.ShiftRow, q.SHIFTS_OF_WORKER, {"worker_id": worker_id})
    g.lock([(s.period.lower, s.period.upper) for s in shifts])
    _worker(conn, worker_id, for_update=True)
    taken = [r[0] for r in conn.execute(q.TASKS_TAKEN_BY, {"worker_id": worker_id}).fetchall()]
    if taken:
        raise Conflict(f"worker {worker_id} has taken tasks {', '.join(taken)}; release them first", tasks=taken)
    shifts = _all(conn, q.ShiftRow, q.SHIFTS_OF_WORKER, {"worker_id": worker_id})
    conn.execute(q.DELETE_WORKER, {"id": worker_id})
    g.check([(s.period.lower, s.period.upper) for s in shifts])


def add_shift(conn: psycopg.Connection, worker_id: str, data: dict[str, Any]) -> dict[str, Any]:
    cal = calendar()
    start, end = aware(cal, data["start"], "start"), aware(cal, data["end"], "end")
    if not start < end:
        raise Unprocessable("shift start must be before its end",
                            errors=[{"field": "end", "message": "must be after start"}])
    if end - start > MAX_SHIFT:
        raise Unprocessable("a shift lasts at most 24 hours",
                            errors=[{"field": "end", "message": "at most 24 hours after start"}])
    # More capacity never strands a task; the day lock only orders this insert with concurrent checks.
    guard(conn).lock([(start, end)])
    worker = _worker(conn, worker_id, for_update=True)
    row = _one(conn, q.ShiftRow, q.INSERT_SHIFT, {"worker_id": worker_id, "start": start, "end": end})
    return shift_out(cal, row, worker)


def remove_shift(conn: psycopg.Connection, worker_id: str, shift_id: int) -> None:
    g = guard(conn)
    _worker(conn, worker_id)
    if not 0 < shift_id <= MAX_BIGINT:
        raise NotFound(f"no shift {shift_id} of worker {worker_id!r}")
    shift = _one(conn, q.ShiftRow, q.GET_SHIFT, {"id": shift_id, "worker_id": worker_id})
    if shift is None:
        raise NotFound(f"no shift {shift_id} of worker {worker_id!r}")
    window = (shift.period.lower, shift.period.upper)
    g.lock([window])
    conn.execute(q.DELETE_SHIFT, {"id": shift_id})
    g.check([window])


# --- tasks ----------------------------------------------------------------------------------------------


def _task_times(cal: Calendar, data: dict[str, Any]) -> tuple[datetime, datetime]:
    start = aware(cal, data["start"], "start")
    if "duration_minutes" in data:
        minutes, field = data["duration_minutes"], "duration_minutes"
        if not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
            raise _bad_duration(field, minutes)
        return start, start + timedelta(minutes=minutes)
    end = aware(cal, data["end"], "end")
    seconds = (end - start).total_seconds()
    if seconds % 60 or not MIN_DURATION_MINUTES * 60 <= seconds <= MAX_DURATION_MINUTES * 60:
        raise _bad_duration("end", seconds / 60)
    return start, end


def _bad_duration(field: str, minutes: float) -> Unprocessable:
    msg = (f"a task lasts {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} whole minutes,"
           f" got {minutes:g}")
    return Unprocessable(msg, errors=[{"field": field, "message": msg}])


def book_task(conn: psycopg.Connection, data: dict[str, Any]) -> dict[str, Any]:
    """Create an untaken task; accepted only if every task of its day can still be covered."""
    cal = calendar()
    start, end = _task_times(cal, data)
    g = guard(conn)
    g.lock([(start, end)])
    try:
        with conn.transaction():
            task_id = conn.execute(q.INSERT_TASK, {"id": data.get("id"), "start": start, "end": end,
                                                   "skill": data.get("skill")}).fetchone()[0]
    except psycopg.errors.UniqueViolation as exc:
        raise Conflict(f"a task with id {data.get('id')!r} already exists", tasks=[data["id"]]) from exc
    g.check([(start, end)])
    return task_out(cal, _task(conn, task_id))


def move_task(conn: psycopg.Connection, task_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Move a task to another time (a taken task keeps its taker, who must still be able to do it)."""
    cal = calendar()
    start, end = _task_times(cal, data)
    g = guard(conn)
    old = _task(conn, task_id)
    while True:  # lock the old and new days, then re-read: the task may have moved meanwhile
        g.lock([(old.period.lower, old.period.upper), (start, end)])
        current = _task(conn, task_id, for_update=True)
        if current.period == old.period:
            break
        old = current
    skill = data["skill"] if "skill" in data else old.skill
    conn.execute(q.MOVE_TASK, {"id": task_id, "start": start, "end": end, "skill": skill})
    g.check([(old.period.lower, old.period.upper), (start, end)])
    return task_out(cal, _task(conn, task_id))


def delete_task(conn: psycopg.Connection, task_id: str) -> None:
    g = guard(conn)
    task = _task(conn, task_id)
    g.lock([(task.period.lower, task.period.upper)])
    task = _task(conn, task_id, for_update=True)
    conn.execute(q.DELETE_TASK, {"id": task_id})
    # One task fewer never strands another; only the witness entry goes.
    g.forget(task_id, task.period.lower)


def take_task(conn: psycopg.Connection, task_id: str, worker_id: str) -> dict[str, Any]:
    """An installer takes a task: it must fit them, and every other untaken task must stay coverable."""
    cal = calendar()
    g = guard(conn)
    task = _task(conn, task_id)
    window = (task.period.lower, task.period.upper)
    g.lock([window])
    task = _task(conn, task_id, for_update=True)
    if (task.period.lower, task.period.upper) != window:
        raise Conflict(f"task {task_id} was moved meanwhile; try again", tasks=[task_id])
    if not ID_PATTERN.match(worker_id) or _one(conn, q.WorkerRow, q.GET_WORKER, {"id": worker_id}) is None:
        raise Unprocessable(f"no worker {worker_id!r}", errors=[{"field": "worker_id", "message": "unknown worker"}])
    worker = _worker(conn, worker_id, for_update=True)
    if task.worker_id == worker_id:
        return task_out(cal, task)  # taking what you already hold changes nothing
    if task.worker_id is not None:
        raise Conflict(f"task {task_id} is already taken by {task.worker_id}", tasks=[task_id])
    _check_fits(conn, cal, task, worker)
    conn.execute(q.SET_TASK_WORKER, {"id": task_id, "worker_id": worker_id})
    g.check([window])
    return task_out(cal, _task(conn, task_id))


def _check_fits(conn: psycopg.Connection, cal: Calendar, task: q.TaskRow, worker: q.WorkerRow) -> None:
    lo, hi = task.period.lower, task.period.upper
    if task.skill is not None and task.skill not in worker.skills:
        raise Conflict(f"task {task.id} needs skill {task.skill!r}, which worker {worker.id} does not have",
                       tasks=[task.id], reason="skill")
    shifts = _all(conn, q.ShiftRow, q.LIST_SHIFTS_BETWEEN, {"worker_id": worker.id, "lo": lo, "hi": hi})
    if not any(s.period.lower <= lo and hi <= s.period.upper and employed(worker, cal.op_day(s.period.lower))
               for s in shifts):
        raise Conflict(f"task {task.id} does not lie inside a shift of worker {worker.id}"
                       " on a day they are employed", tasks=[task.id], reason="shift")
    clash = [r[0] for r in conn.execute(q.TAKEN_OVERLAPPING, {"worker_id": worker.id, "id": task.id,
                                                              "start": lo, "end": hi}).fetchall()]
    if clash:
        raise Conflict(f"task {task.id} overlaps task(s) {', '.join(clash)} already taken by {worker.id}",
                       tasks=[task.id, *clash], reason="overlap")


def release_task(conn: psycopg.Connection, task_id: str) -> dict[str, Any]:
    """Give a taken task back; it becomes untaken (its former taker still covers it, so it is always safe)."""
    cal = calendar()
    g = guard(conn)
    task = _task(conn, task_id)
    g.lock([(task.period.lower, task.period.upper)])
    task = _task(conn, task_id, for_update=True)
    if task.worker_id is None:
        return task_out(cal, task)
    conn.execute(q.SET_TASK_WORKER, {"id": task_id, "worker_id": None})
    g.check([(task.period.lower, task.period.upper)], hint={task_id: task.worker_id})
    return task_out(cal, _task(conn, task_id))
