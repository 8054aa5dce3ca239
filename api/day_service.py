"""Read-only views over the live data: the day as one document (and as the contract's scenario), a
worker's calendar as iCalendar, common free time of several workers, and who could take a task now.
Each public function reads one consistent read-only snapshot (`api.db.unit_of_work`); none writes, and
the solver runs after the connection is back in the pool."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import psycopg
from flask import current_app

from api import queries as q
from api import repository as repo
from api import roster_queries as rq
from api.auth import CALENDAR, create_token
from api.config import calendar
from api.db import unit_of_work
from api.errors import Unprocessable
from api.limits import solve_bounded, solver_budget
from api.roster_service import _all, horizon_last, read_worker
from api.service import aware
from solver.availability import Availability, available_workers
from solver.calendar import MAX_DURATION_MINUTES, MIN_DURATION_MINUTES, Window, employed
from solver.domain import Scenario, Task
from solver.roster import subtract
from solver.schema import dump_scenario

MAX_FREE_TIME_RANGE = timedelta(days=62)
MAX_CALENDAR_RANGE = timedelta(days=400)
NEW_TASK = "new"


def _minutes(lo: datetime, hi: datetime) -> int:
    return int((hi - lo).total_seconds() // 60)


def _iso(dt: datetime) -> str:
    return dt.astimezone(calendar().zone).isoformat()


# --- the day ----------------------------------------------------------------------------------------------


def day_scenario(day: date) -> dict[str, Any]:
    """Exactly the contract's scenario document a slot query of `day` runs on (the overlap closure)."""
    with unit_of_work() as conn:
        scenario, _ = repo.read_day(conn, calendar(), day)
    return dump_scenario(scenario)


def day_document(day: date) -> dict[str, Any]:
    """Workers with shifts that day, tasks starting that day with holders, the stored witness, utilisation."""
    with unit_of_work() as conn:
        repo.read_only_snapshot(conn)
        return _day_document(conn, day)


def _day_document(conn: psycopg.Connection[Any], day: date) -> dict[str, Any]:
    cal = calendar()
    lo, hi = cal.bounds(day)
    tasks = repo.tasks_starting_between(conn, lo, hi)
    witness = repo.read_witness(conn, [day]).get(day, {})
    rows = conn.execute(rq.DAY_SHIFTS, {"lo": lo, "hi": hi}).fetchall()
    ids = sorted({r[1] for r in rows})
    workers = {w.id: w for w in _all(conn, q.WorkerRow, q.GET_WORKERS, {"ids": ids})}
    planned: dict[str, int] = defaultdict(int)
    for t in tasks:
        # Each seat's worker: the stored plan of a task with open seats (holders first), else its holders.
        for holder in witness.get(t.id) or t.worker_ids:
            planned[holder] += _minutes(t.start, t.end)
    shifts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    working: dict[str, int] = defaultdict(int)
    for shift_id, wid, period, pattern_id, pattern_day in rows:
        w = workers[wid]
        counted = employed(w.hire_date, w.fire_date, cal.day_of(period.lower))
        shifts[wid].append({"id": shift_id, "start": _iso(period.lower), "end": _iso(period.upper),
                            "counted": counted, "pattern_id": pattern_id,
                            "pattern_day": pattern_day.isoformat() if pattern_day else None})
        if counted:
            working[wid] += _minutes(max(lo, period.lower), min(hi, period.upper))
    out_workers = []
    for wid in ids:
        w = workers[wid]
        out_workers.append({"id": w.id, "name": w.name, "skills": list(w.skills), "shifts": shifts[wid],
                            "shift_minutes": working[wid], "planned_minutes": planned[wid],
                            "utilisation": _ratio(planned[wid], working[wid])})
    shift_total, task_total = sum(working.values()), sum(_minutes(t.start, t.end) for t in tasks)
    return {
        "date": day.isoformat(), "timezone": cal.timezone, "day_start": cal.day_start.strftime("%H:%M"),
        "start": _iso(lo), "end": _iso(hi), "workers": out_workers, "tasks": tasks,
        "witness": dict(sorted(witness.items())),
        "utilisation": {"shift_minutes": shift_total, "task_minutes": task_total,
                        "ratio": _ratio(task_total, shift_total)},
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- calendar out ---------------------------------------------------------------------------------------


def _range(data: dict[str, Any], lo_field: str, hi_field: str, default: tuple[datetime, datetime],
           longest: timedelta) -> tuple[datetime, datetime]:
    cal = calendar()
    lo = aware(cal, data[lo_field], lo_field) if data.get(lo_field) else default[0]
    hi = aware(cal, data[hi_field], hi_field) if data.get(hi_field) else default[1]
    if not lo < hi:
        raise Unprocessable(f"{hi_field} must be after {lo_field}",
                            errors=[{"field": hi_field, "message": f"must be after {lo_field}"}])
    if hi - lo > longest:
        raise Unprocessable(f"at most {longest.days} days at once",
                            errors=[{"field": hi_field, "message": f"at most {longest.days} days after {lo_field}"}])
    return lo, hi


def shift_uid(shift_id: int, period: Any, pattern_id: int | None, pattern_day: date | None) -> str:
    """Stable across re-materialisation: a pattern shift is named by its origin and start, not its row id."""
    if pattern_id is None:
        return f"shift-{shift_id}@slot-planner"
    start = period.lower.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"roster-{pattern_id}-{pattern_day:%Y%m%d}-{start}@slot-planner"


def worker_calendar(worker_id: str, data: dict[str, Any]) -> bytes:
    """The worker's shifts and held tasks as RFC 5545, times in the service's zone (VTIMEZONE + TZID)."""
    with unit_of_work() as conn:
        repo.read_only_snapshot(conn)
        return _worker_calendar(conn, worker_id, data)


def calendar_token(worker_id: str) -> tuple[int, str]:
    """A new read-only calendar token for the worker's calendar.ics (id, token shown only now)."""
    with unit_of_work() as conn:
        read_worker(conn, worker_id)  # 404 for an unknown worker
        return create_token(conn, CALENDAR, worker_id, label=f"calendar:{worker_id}")


def _worker_calendar(conn: psycopg.Connection[Any], worker_id: str, data: dict[str, Any]) -> bytes:
    cal = calendar()
    worker = read_worker(conn, worker_id)
    today = datetime.now(cal.zone).date()
    lo, hi = _range(data, "from", "to", (cal.bounds(today - timedelta(days=7))[0], cal.bounds(horizon_last())[1]),
                    MAX_CALENDAR_RANGE)
    params = {"worker_id": worker_id, "lo": lo, "hi": hi}
    ics = icalendar.Calendar()
    ics.add("prodid", "-//slot-planner//rosters//EN")
    ics.add("version", "2.0")
    ics.add("x-wr-calname", f"{worker.name or worker.id}: shifts and tasks")
    stamp = datetime.now(UTC).replace(microsecond=0)
    zone = cal.zone
    for shift_id, period, pattern_id, pattern_day in conn.execute(rq.WORKER_SHIFTS_BETWEEN, params).fetchall():
        ev = icalendar.Event()
        ev.add("uid", shift_uid(shift_id, period, pattern_id, pattern_day))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", period.lower.astimezone(zone))
        ev.add("dtend", period.upper.astimezone(zone))
        ev.add("summary", "Shift")
        ev.add("transp", "TRANSPARENT")
        ics.add_component(ev)
    for task_id, period, skill in conn.execute(rq.WORKER_TASKS_BETWEEN, params).fetchall():
        ev = icalendar.Event()
        ev.add("uid", f"task-{task_id}@slot-planner")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", period.lower.astimezone(zone))
        ev.add("dtend", period.upper.astimezone(zone))
        ev.add("summary", f"Task {task_id}" + (f" ({skill})" if skill else ""))
        ics.add_component(ev)
    ics.add_missing_timezones()
    return bytes(ics.to_ical())


# --- free time ------------------------------------------------------------------------------------------


def free_time(data: dict[str, Any]) -> dict[str, Any]:
    """Common free time: each worker's counted shifts minus the tasks they hold, within [from, to);
    windows (at least `duration_minutes` long) where the same set of them is free, most free first."""
    with unit_of_work() as conn:
        repo.read_only_snapshot(conn)
        return _free_time(conn, data)


def _free_time(conn: psycopg.Connection[Any], data: dict[str, Any]) -> dict[str, Any]:
    cal = calendar()
    lo, hi = _range(data, "from", "to", (data["from"], data["to"]), MAX_FREE_TIME_RANGE)
    ids = list(dict.fromkeys(data["workers"]))
    free: dict[str, list[Window]] = {}
    for wid in ids:
        worker = read_worker(conn, wid)
        params = {"worker_id": wid, "lo": lo, "hi": hi}
        shifts = [(max(lo, p.lower), min(hi, p.upper))
                  for _, p, _, _ in conn.execute(rq.WORKER_SHIFTS_BETWEEN, params).fetchall()
                  if employed(worker.hire_date, worker.fire_date, cal.day_of(p.lower))]
        busy = [(p.lower, p.upper) for _, p, _ in conn.execute(rq.WORKER_TASKS_BETWEEN, params).fetchall()]
        free[wid] = [piece for s in shifts for piece in subtract(s, busy)]
    cuts = sorted({lo, hi, *(x for wins in free.values() for w in wins for x in w)})
    segments: list[tuple[datetime, datetime, tuple[str, ...]]] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        who = tuple(w for w in ids if any(f_lo <= a and b <= f_hi for f_lo, f_hi in free[w]))
        if not who:
            continue
        if segments and segments[-1][1] == a and segments[-1][2] == who:
            segments[-1] = (segments[-1][0], b, who)
        else:
            segments.append((a, b, who))
    need = timedelta(minutes=data["duration_minutes"])
    windows = [s for s in segments if s[1] - s[0] >= need]
    windows.sort(key=lambda s: (-len(s[2]), s[0]))
    return {"from": _iso(lo), "to": _iso(hi), "duration_minutes": data["duration_minutes"],
            "workers": ids,
            "windows": [{"start": _iso(a), "end": _iso(b), "free": len(who), "workers": list(who)}
                        for a, b, who in windows]}


# --- availability ---------------------------------------------------------------------------------------


def availability(data: dict[str, Any]) -> dict[str, Any]:
    """Who could take a task in [start, end) with `skill` now (see `answer_availability`)."""
    with unit_of_work() as conn:
        scenario, witness, new = _read_availability(conn, data)
    return answer_availability(scenario, witness, new)


def _read_availability(conn: psycopg.Connection[Any], data: dict[str, Any]
                       ) -> tuple[Scenario, dict[str, list[str]], Task]:
    """The snapshot an availability question needs: the day of the window's start and the new task."""
    cal = calendar()
    start, end = aware(cal, data["start"], "start"), aware(cal, data["end"], "end")
    minutes = (end - start).total_seconds() / 60
    if not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES or minutes != int(minutes):
        raise Unprocessable(f"a task lasts {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} whole minutes",
                            errors=[{"field": "end", "message": f"{MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES}"
                                                               " whole minutes after start"}])
    # The day's overlap closure widened by the window itself (it may run past the day's end at 03:00).
    repo.read_only_snapshot(conn)
    scenario = repo.build_scenario(cal, repo.read_closure(conn, cal, [cal.bounds(cal.day_of(start)), (start, end)]))
    stored = repo.read_witness(conn, set(repo.task_days(cal, scenario.tasks).values()))
    witness = {k: v for day_map in stored.values() for k, v in day_map.items()}
    return scenario, witness, Task(NEW_TASK, start, end, data.get("skill"), None)


def answer_availability(scenario: Scenario, witness: dict[str, list[str]], new: Task) -> dict[str, Any]:
    """Who could take `new` now (`solver.availability`), within the request's budget (api.limits): what is not
    decided by then is undecided, never available."""
    budget = solver_budget()

    def unknown() -> Availability:  # as when the day itself is undecided: nothing is claimed
        return Availability(None)

    found = solve_bounded(available_workers, scenario, new, time_limit=current_app.config["PLAN_TIME_LIMIT"],
                          budget=budget, witness=witness, timed_out=unknown)
    return {"start": _iso(new.start), "end": _iso(new.end), "skill": new.skill,
            "feasible_base": found.feasible_base, "available": found.available, "undecided": found.undecided}
