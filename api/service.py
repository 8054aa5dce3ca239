"""Use cases of the service. Each public function is one unit of work (`api.db.transactional`: one
transaction, committed at the end, rolled back on any error); views call them and never see a
connection. Reads and writes go through `api.repository`, mutations through `api.guard.Guard`.

What a use case adds to the repository: the guard's locks and proof, the contract's rules on input
(DST-aware times, durations, employment order) and "unknown id" as `NotFound`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
from flask import current_app

from api import queries as q
from api import repository as repo
from api.config import calendar
from api.db import transactional, unit_of_work
from api.errors import Conflict, NotFound, Unprocessable
from api.guard import Guard
from api.schemas import ID_PATTERN
from solver.calendar import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    OperationalCalendar,
    SkippedWallTime,
    Window,
    employed,
)
from solver.domain import Scenario, SlotQuery
from solver.options import SolverOptions
from solver.plan import plan
from solver.schema import dump_answer, dump_plan
from solver.slots import find_slots

MAX_SHIFT = timedelta(hours=24)
MAX_BIGINT = 2**63 - 1


@dataclass(frozen=True)
class WorkerShift:
    """A shift as the API shows it: the row and whether it counts (its day within the worker's employment)."""

    row: q.ShiftRow
    counted: bool


def guard(conn: psycopg.Connection) -> Guard:
    """The guard of this app's calendar and proof time limit, on the caller's transaction."""
    return Guard(conn, calendar(), current_app.config["PLAN_TIME_LIMIT"])


def aware(cal: OperationalCalendar, value: datetime, field: str) -> datetime:
    """`cal.aware` with a skipped wall time reported against `field`."""
    try:
        return cal.aware(value)
    except SkippedWallTime as exc:
        raise Unprocessable(f"{field}: {exc}", errors=[
            {"field": field, "message": "wall-clock time skipped by DST; give an offset"}]) from exc


def _worker_shift(cal: OperationalCalendar, shift: q.ShiftRow, worker: q.WorkerRow) -> WorkerShift:
    return WorkerShift(shift, employed(worker.hire_date, worker.fire_date, cal.day_of(shift.start)))


def _worker(conn: psycopg.Connection, worker_id: str, *, for_update: bool = False) -> q.WorkerRow:
    # Ids that could never have been stored are simply unknown (and never reach PostgreSQL).
    row = repo.get_worker(conn, worker_id, for_update=for_update) if ID_PATTERN.match(worker_id) else None
    if row is None:
        raise NotFound(f"no worker {worker_id!r}")
    return row


def _task(conn: psycopg.Connection, task_id: str, *, for_update: bool = False) -> q.TaskRow:
    row = repo.get_task(conn, task_id, for_update=for_update) if ID_PATTERN.match(task_id) else None
    if row is None:
        raise NotFound(f"no task {task_id!r}")
    return row


# --- reads ----------------------------------------------------------------------------------------------


@transactional
def list_workers(conn: psycopg.Connection) -> list[q.WorkerRow]:
    return repo.list_workers(conn)


@transactional
def get_worker(conn: psycopg.Connection, worker_id: str) -> q.WorkerRow:
    return _worker(conn, worker_id)


@transactional
def list_shifts(conn: psycopg.Connection, worker_id: str, day: date | None) -> list[WorkerShift]:
    """The worker's shifts; with `day`, those starting on that operational day."""
    cal = calendar()
    worker = _worker(conn, worker_id)
    if day is None:
        rows = repo.shifts_of_worker(conn, worker_id)
    else:
        rows = [s for s in repo.shifts_of_worker_between(conn, worker_id, *cal.bounds(day))
                if cal.day_of(s.start) == day]
    return [_worker_shift(cal, s, worker) for s in rows]


@transactional
def list_tasks(conn: psycopg.Connection, day: date) -> list[q.TaskRow]:
    """The tasks starting on the operational day, taken and untaken."""
    return repo.tasks_starting_between(conn, *calendar().bounds(day))


@transactional
def get_task(conn: psycopg.Connection, task_id: str) -> q.TaskRow:
    return _task(conn, task_id)


def health() -> None:
    """Raises (mapped to 503) unless the database answers."""
    with unit_of_work() as conn:
        repo.ping(conn)


# --- slots and what-if ------------------------------------------------------------------------------------


def slots(query: SlotQuery) -> dict[str, Any]:
    """The contract's slot answer for a day in the database (same engine and defaults as the CLI).

    The day is read in one read-only snapshot; the solver runs after the connection is back in the pool.
    """
    with unit_of_work() as conn:
        scenario, witness = repo.read_day(conn, calendar(), query.date)
    return what_if_slots(scenario, query, witness)


def what_if_slots(scenario: Scenario, query: SlotQuery, witness: dict[str, str] | None = None) -> dict[str, Any]:
    """The contract's slot answer (`solver.schema.dump_answer`, as the CLI prints it) of a validated scenario."""
    options = SolverOptions(probe_time_limit=current_app.config["PROBE_TIME_LIMIT"])
    answer = find_slots(scenario, query, options, witness=witness)
    return dump_answer(answer, scenario)


def what_if_plan(scenario: Scenario) -> dict[str, Any]:
    """Feasibility of a validated scenario, shaped like `python -m solver plan` (`solver.schema.dump_plan`)."""
    return dump_plan(plan(scenario, SolverOptions(base_time_limit=current_app.config["PLAN_TIME_LIMIT"])))


# --- workers and shifts ----------------------------------------------------------------------------------


def _check_employment(hire: date | None, fire: date | None) -> None:
    if hire is not None and fire is not None and hire > fire:
        raise Unprocessable("fire_date is before hire_date",
                            errors=[{"field": "fire_date", "message": "must not be before hire_date"}])


@transactional
def create_worker(conn: psycopg.Connection, data: dict[str, Any]) -> q.WorkerRow:
    _check_employment(data.get("hire_date"), data.get("fire_date"))
    try:
        with conn.transaction():  # savepoint: a taken id is a clean 409, not an aborted transaction
            return repo.insert_worker(conn, data.get("id"), data["name"], sorted(set(data["skills"])),
                                      data["hire_date"], data["fire_date"])
    except psycopg.errors.UniqueViolation as exc:
        raise Conflict(f"a worker with id {data.get('id')!r} already exists") from exc


@transactional
def update_worker(conn: psycopg.Connection, worker_id: str, data: dict[str, Any]) -> q.WorkerRow:
    """Rename, change skills or hire / fire dates; refused (409) if that would strand a task."""
    g = guard(conn)
    _worker(conn, worker_id)
    g.lock([s.window for s in repo.shifts_of_worker(conn, worker_id)])  # lock the days, then re-read
    before = _worker(conn, worker_id, for_update=True)
    changes: dict[str, Any] = {k: (sorted(set(v)) if k == "skills" else v) for k, v in data.items()}
    after = replace(before, **changes)
    _check_employment(after.hire_date, after.fire_date)
    row = repo.update_worker(conn, after)
    # Less skill or fewer employed days can only take capacity away: prove the worker's days still fit.
    if not set(before.skills) <= set(after.skills) or (after.hire_date, after.fire_date) != (
            before.hire_date, before.fire_date):
        g.check([s.window for s in repo.shifts_of_worker(conn, worker_id)])
    return row


@transactional
def delete_worker(conn: psycopg.Connection, worker_id: str) -> None:
    g = guard(conn)
    _worker(conn, worker_id)
    g.lock([s.window for s in repo.shifts_of_worker(conn, worker_id)])
    _worker(conn, worker_id, for_update=True)
    taken = repo.tasks_taken_by(conn, worker_id)
    if taken:
        raise Conflict(f"worker {worker_id} has taken tasks {', '.join(taken)}; release them first", tasks=taken)
    shifts = repo.shifts_of_worker(conn, worker_id)
    repo.delete_worker(conn, worker_id)
    g.check([s.window for s in shifts])


@transactional
def add_shift(conn: psycopg.Connection, worker_id: str, data: dict[str, Any]) -> WorkerShift:
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
    return _worker_shift(cal, repo.insert_shift(conn, worker_id, start, end), worker)


@transactional
def remove_shift(conn: psycopg.Connection, worker_id: str, shift_id: int) -> None:
    g = guard(conn)
    _worker(conn, worker_id)
    shift = repo.get_shift(conn, worker_id, shift_id) if 0 < shift_id <= MAX_BIGINT else None
    if shift is None:
        raise NotFound(f"no shift {shift_id} of worker {worker_id!r}")
    g.lock([shift.window])
    repo.delete_shift(conn, shift_id)
    g.check([shift.window])


# --- tasks ----------------------------------------------------------------------------------------------


def _task_times(cal: OperationalCalendar, data: dict[str, Any]) -> Window:
    start = aware(cal, data["start"], "start")
    if "duration_minutes" in data:
        minutes = data["duration_minutes"]
        if not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
            raise _bad_duration("duration_minutes", minutes)
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


@transactional
def book_task(conn: psycopg.Connection, data: dict[str, Any]) -> q.TaskRow:
    """Create an untaken task; accepted only if every task of its day can still be covered."""
    start, end = _task_times(calendar(), data)
    g = guard(conn)
    g.lock([(start, end)])
    try:
        with conn.transaction():  # savepoint: a taken id is a clean 409, not an aborted transaction
            task_id = repo.insert_task(conn, data.get("id"), start, end, data.get("skill"))
    except psycopg.errors.UniqueViolation as exc:
        raise Conflict(f"a task with id {data.get('id')!r} already exists", tasks=[data["id"]]) from exc
    g.check([(start, end)])
    return _task(conn, task_id)


@transactional
def move_task(conn: psycopg.Connection, task_id: str, data: dict[str, Any]) -> q.TaskRow:
    """Move a task to another time (a taken task keeps its taker, who must still be able to do it)."""
    start, end = _task_times(calendar(), data)
    g = guard(conn)
    old = _task(conn, task_id)
    while True:  # lock the old and new days, then re-read: the task may have moved meanwhile
        g.lock([old.window, (start, end)])
        current = _task(conn, task_id, for_update=True)
        if current.period == old.period:
            break
        old = current
    repo.move_task(conn, task_id, start, end, data.get("skill", old.skill))
    g.check([old.window, (start, end)])
    return _task(conn, task_id)


@transactional
def delete_task(conn: psycopg.Connection, task_id: str) -> None:
    g = guard(conn)
    g.lock([_task(conn, task_id).window])
    task = _task(conn, task_id, for_update=True)
    repo.delete_task(conn, task_id)
    # One task fewer never strands another; only the witness entry goes.
    g.forget(task_id, task.start)


@transactional
def take_task(conn: psycopg.Connection, task_id: str, worker_id: str) -> q.TaskRow:
    """An installer takes a task: it must fit them, and every other untaken task must stay coverable."""
    g = guard(conn)
    window = _task(conn, task_id).window
    g.lock([window])
    task = _task(conn, task_id, for_update=True)
    if task.window != window:
        raise Conflict(f"task {task_id} was moved meanwhile; try again", tasks=[task_id])
    if not ID_PATTERN.match(worker_id) or repo.get_worker(conn, worker_id) is None:
        raise Unprocessable(f"no worker {worker_id!r}", errors=[{"field": "worker_id", "message": "unknown worker"}])
    worker = _worker(conn, worker_id, for_update=True)
    if task.worker_id == worker_id:
        return task  # taking what you already hold changes nothing
    if task.worker_id is not None:
        raise Conflict(f"task {task_id} is already taken by {task.worker_id}", tasks=[task_id])
    _check_fits(conn, g.cal, task, worker)
    repo.set_task_worker(conn, task_id, worker_id)
    g.check([window])
    return _task(conn, task_id)


def _check_fits(conn: psycopg.Connection, cal: OperationalCalendar, task: q.TaskRow, worker: q.WorkerRow) -> None:
    lo, hi = task.window
    if task.skill is not None and task.skill not in worker.skills:
        raise Conflict(f"task {task.id} needs skill {task.skill!r}, which worker {worker.id} does not have",
                       tasks=[task.id], reason="skill")
    # The task's operational day decides employment: each shift counts only inside the employment window.
    employment = cal.employment_window(worker.hire_date, worker.fire_date)
    shifts = [repo.clip(*s.window, employment) for s in repo.shifts_of_worker_between(conn, worker.id, lo, hi)]
    if not any(s is not None and s[0] <= lo and hi <= s[1] for s in shifts):
        raise Conflict(f"task {task.id} does not lie inside a shift of worker {worker.id}"
                       " on a day they are employed", tasks=[task.id], reason="shift")
    clash = repo.taken_overlapping(conn, worker.id, task.id, lo, hi)
    if clash:
        raise Conflict(f"task {task.id} overlaps task(s) {', '.join(clash)} already taken by {worker.id}",
                       tasks=[task.id, *clash], reason="overlap")


@transactional
def release_task(conn: psycopg.Connection, task_id: str) -> q.TaskRow:
    """Give a taken task back; it becomes untaken (its former taker still covers it, so it is always safe)."""
    g = guard(conn)
    g.lock([_task(conn, task_id).window])
    task = _task(conn, task_id, for_update=True)
    if task.worker_id is None:
        return task
    repo.set_task_worker(conn, task_id, None)
    g.check([task.window], hint={task_id: task.worker_id})
    return _task(conn, task_id)
