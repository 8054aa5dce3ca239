"""The feasibility guard: a change is accepted only if the data *after* it can still be covered.

Every mutating operation runs in one transaction that
1. takes `pg_advisory_xact_lock` on each operational day its rows touch (sorted, so two changes
   lock in the same order),
2. writes the change,
3. reads the data a feasibility check needs and proves it feasible with `solver.plan` (seeded with the
   stored witness), or raises, which rolls the whole transaction back.

Which data a check needs: feasibility couples two tasks only when they overlap in time (no-overlap per
worker); tasks that overlap nothing of the changed window cannot be affected. So the check reads every
task overlapping the changed windows, widens the windows to those tasks, and repeats until nothing new
appears (the overlap closure); that handles night shifts and tasks crossing the 03:00 day boundary.
Every day the closure reaches is locked before the final read, so a concurrent change touching the
same tasks is serialised with this one; if the closure grows into an unlocked day, that day is locked
and the closure is read again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from api import queries as q
from api.errors import StrandError, Unproven
from solver.domain import InvalidInput, PlanResult, Scenario, Shift, Status, Task, Worker, day_start_instant
from solver.options import SolverOptions
from solver.plan import plan
from solver.validate import validate_scenario

Window = tuple[datetime, datetime]
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Calendar:
    """The deployment's time zone and operational day start."""

    timezone: str
    day_start: time

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def bounds(self, day: date) -> Window:
        return (day_start_instant(day, self.day_start, self.zone),
                day_start_instant(day + timedelta(days=1), self.day_start, self.zone))

    def op_day(self, instant: datetime) -> date:
        """The operational day containing `instant` (a task belongs to the day of its start)."""
        local = instant.astimezone(self.zone).date()
        for day in (local, local - timedelta(days=1)):
            lo, hi = self.bounds(day)
            if lo <= instant < hi:
                return day
        return local

    def days(self, window: Window) -> list[date]:
        """Operational days that overlap [lo, hi)."""
        lo, hi = window
        day, out = self.op_day(lo), []
        while self.bounds(day)[0] < hi:
            out.append(day)
            day += timedelta(days=1)
        return out or [self.op_day(lo)]


def merge(windows: Iterable[Window]) -> list[Window]:
    out: list[Window] = []
    for lo, hi in sorted(windows):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def employed(worker: q.WorkerRow, day: date) -> bool:
    return (worker.hire_date is None or worker.hire_date <= day) and (
        worker.fire_date is None or day <= worker.fire_date)


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
    wins = merge(windows)
    while True:
        with conn.cursor(row_factory=class_row(q.TaskRow)) as cur:
            tasks = cur.execute(q.TASKS_IN_WINDOWS, _bounds_params(wins)).fetchall()
        grown = merge([*wins, *((t.period.lower, t.period.upper) for t in tasks)])
        if grown == wins:
            break
        wins = grown
    with conn.cursor(row_factory=class_row(q.ShiftRow)) as cur:
        shifts = cur.execute(q.SHIFTS_IN_WINDOWS, _bounds_params(wins)).fetchall() if wins else []
    ids = sorted({s.worker_id for s in shifts} | {t.worker_id for t in tasks if t.worker_id})
    with conn.cursor(row_factory=class_row(q.WorkerRow)) as cur:
        workers = {w.id: w for w in cur.execute(q.GET_WORKERS, {"ids": ids}).fetchall()}
    return Snapshot(wins, tasks, shifts, workers)


def build_scenario(cal: Calendar, snap: Snapshot) -> Scenario:
    """The contract's Scenario for a snapshot: shifts count only on days the worker is employed."""
    shifts: dict[str, list[Shift]] = defaultdict(list)
    for s in snap.shifts:
        if employed(snap.workers[s.worker_id], cal.op_day(s.period.lower)):
            shifts[s.worker_id].append(Shift(s.period.lower, s.period.upper))
    owners = {t.worker_id for t in snap.tasks if t.worker_id}
    workers = tuple(
        Worker(w.id, w.name or None, frozenset(w.skills), tuple(sorted(shifts[w.id], key=lambda s: s.start)))
        for w in sorted(snap.workers.values(), key=lambda w: w.id)
        if shifts[w.id] or w.id in owners
    )
    tasks = tuple(Task(t.id, t.period.lower, t.period.upper, t.skill, t.worker_id) for t in snap.tasks)
    return Scenario(cal.timezone, cal.day_start, workers, tasks)


def read_witness(conn: psycopg.Connection, days: Iterable[date]) -> dict[date, dict[str, str]]:
    rows = conn.execute(q.GET_WITNESS, {"days": sorted(set(days))}).fetchall()
    return {day: dict(assignment) for day, assignment in rows}


class Guard:
    """Locks days and proves changes safe inside one transaction (see the module docstring)."""

    def __init__(self, conn: psycopg.Connection, cal: Calendar, time_limit: float) -> None:
        self.conn = conn
        self.cal = cal
        self.time_limit = time_limit
        self.locked: set[date] = set()

    def lock(self, windows: Iterable[Window]) -> bool:
        """Lock every operational day the windows overlap; True if a day was not locked before."""
        days = sorted({d for w in windows for d in self.cal.days(w)} - self.locked)
        for day in days:
            self.conn.execute(q.LOCK_DAY, {"namespace": q.LOCK_NAMESPACE, "day": (day - EPOCH).days})
            self.locked.add(day)
        return bool(days)

    def check(self, windows: Iterable[Window], *, hint: dict[str, str] | None = None) -> PlanResult | None:
        """Prove the data around `windows` (as written so far in this transaction) feasible, or raise.

        `hint` adds known assignments to the stored witness (e.g. a released task -> its former taker).
        """
        wins = merge(windows)
        if not wins:
            return None
        self.lock(wins)
        snap = read_closure(self.conn, wins)
        while self.lock(snap.windows):  # the closure reached an unlocked day: lock it and read again
            snap = read_closure(self.conn, snap.windows)
        scenario = build_scenario(self.cal, snap)
        try:
            validate_scenario(scenario)
        except InvalidInput as exc:
            # E.g. a taken task left outside every shift of its taker: the change would strand it.
            raise StrandError(f"the change would strand tasks: {exc.message}", uncovered=list(exc.ids)) from exc

        task_day = {t.id: self.cal.op_day(t.start) for t in scenario.tasks}
        stored = read_witness(self.conn, task_day.values())
        witness = {k: v for day_map in stored.values() for k, v in day_map.items()}
        witness.update(hint or {})
        result = plan(scenario, SolverOptions(base_time_limit=self.time_limit), witness=witness)
        if result.status is Status.INFEASIBLE:
            names = ", ".join(result.uncovered)
            raise StrandError(f"the change would leave tasks nobody can take: {names}",
                              uncovered=result.uncovered)
        if result.status is Status.UNKNOWN:
            raise Unproven("the solver could not prove within its time limit that every task stays coverable;"
                           " the change was not made", tasks=result.uncovered)
        # The witness keeps the workers of open seats only: one-seat tasks as v1 did (task id -> worker id).
        seated = {t.id: [w for w in result.assignment[t.id] if w not in t.holders]
                  for t in scenario.tasks if t.open_seats}
        self._store_witness(task_day, stored, {tid: ws[0] if len(ws) == 1 else ws for tid, ws in seated.items()})
        return result

    def _store_witness(self, task_day: dict[str, date], stored: dict[date, dict[str, str]],
                       assignment: dict[str, Any]) -> None:
        fresh: dict[date, dict[str, Any]] = defaultdict(dict)
        for task_id, worker_id in assignment.items():
            fresh[task_day[task_id]][task_id] = worker_id
        for day in sorted(set(task_day.values())):
            # Entries of tasks outside this check (same day, other times) stay; ours are replaced.
            kept = {k: v for k, v in stored.get(day, {}).items() if k not in task_day}
            kept.update(fresh.get(day, {}))
            self.conn.execute(q.UPSERT_WITNESS, {"day": day, "assignment": Jsonb(dict(sorted(kept.items())))})

    def forget(self, task_id: str, start: datetime) -> None:
        self.conn.execute(q.FORGET_WITNESS_TASK, {"task_id": task_id, "day": self.cal.op_day(start)})


def read_day(conn: psycopg.Connection, cal: Calendar, day: date) -> tuple[Scenario, dict[str, str]]:
    """The scenario a slot query for `day` needs (the overlap closure of the day) and its stored witness."""
    conn.execute(q.READ_ONLY_SNAPSHOT)
    snap = read_closure(conn, [cal.bounds(day)])
    scenario = build_scenario(cal, snap)
    stored = read_witness(conn, {cal.op_day(t.start) for t in scenario.tasks})
    return scenario, {k: v for day_map in stored.values() for k, v in day_map.items()}


def scenario_document(scenario: Scenario) -> dict[str, Any]:
    """A Scenario as the contract's JSON document (times with the offset of the scenario's zone)."""
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
