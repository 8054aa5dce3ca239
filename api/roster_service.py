"""Use cases of rosters (patterns, overrides) and absences: each public function is one unit of work
(`api.db.transactional`: one transaction, committed at the end, rolled back on any error).

Patterns are materialised into ordinary `shifts` rows by one idempotent diff (`sync`): the shifts a
pattern should have (its dates from valid_from to the rolling horizon's end, overrides applied, the
worker's absences cut out) are compared with the rows it has; rows no longer wanted are deleted, missing
ones inserted. Removing rows takes capacity away, so the guard proves every task around them still
coverable (409 naming them otherwise, and the whole transaction rolls back). Inserting never strands a
task; its days are locked like any shift insert so it is ordered with concurrent checks.

Per-worker serialisation: every write here locks the worker's row, so two writes to one worker's roster
or absences never interleave their diffs. An absence knows its days up front and locks them before the
worker, as taking a task does; a pattern write learns its days only from the rows it reads under the
worker's lock, so it locks them after. A deadlock between the two orders is broken by PostgreSQL and the
loser is run again from the start (`api.db.run_in_transaction`).

Audit: every accepted change records one event (`api.audit.record`) in its own transaction, after the
guard has passed, so a refused change leaves none. Patterns and overrides record the pattern as the API
shows it before -> after; absences the absence; tasks an absence releases a `task.release` each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import psycopg
from flask import current_app
from psycopg.rows import class_row
from psycopg.types.range import Range

from api import audit
from api import queries as q
from api import repository as repo
from api import roster_queries as rq
from api.config import calendar
from api.db import transactional
from api.errors import Conflict, NotFound, StrandError, Unprocessable
from api.guard import Guard
from api.schemas import ID_PATTERN, TaskResourceSchema
from api.service import aware, guard
from solver.calendar import Window
from solver.roster import Hours, Pattern, check_length, check_pattern, expand, normalise_rule, subtract

MAX_BIGINT = 2**63 - 1
R = TypeVar("R")
MAX_ABSENCE = timedelta(days=366)


def _one(conn: psycopg.Connection[Any], row: type[R], sql: str, params: dict[str, Any]) -> R | None:
    with conn.cursor(row_factory=class_row(row)) as cur:
        return cur.execute(sql, params).fetchone()


def _all(conn: psycopg.Connection[Any], row: type[R], sql: str, params: dict[str, Any]) -> list[R]:
    with conn.cursor(row_factory=class_row(row)) as cur:
        return cur.execute(sql, params).fetchall()


def _bounds(period: Range[datetime]) -> Window:
    assert period.lower is not None and period.upper is not None  # the schema's CHECKs: bounded ranges
    return period.lower, period.upper


def _inserted(conn: psycopg.Connection[Any], row: type[R], sql: str, params: dict[str, Any]) -> R:
    """The row an INSERT ... RETURNING wrote."""
    written = _one(conn, row, sql, params)
    assert written is not None
    return written


def _pattern_worker(conn: psycopg.Connection[Any], pattern_id: int) -> str:
    found = conn.execute(rq.PATTERN_WORKER, {"id": pattern_id}).fetchone()
    assert found is not None  # listed in this transaction; workers' rows are locked before patterns change
    return str(found[0])


def lock_worker(conn: psycopg.Connection[Any], worker_id: str) -> q.WorkerRow:
    row = _one(conn, q.WorkerRow, q.GET_WORKER_FOR_UPDATE, {"id": worker_id}) if ID_PATTERN.match(worker_id) else None
    if row is None:
        raise NotFound(f"no worker {worker_id!r}")
    return row


def read_worker(conn: psycopg.Connection[Any], worker_id: str) -> q.WorkerRow:
    row = _one(conn, q.WorkerRow, q.GET_WORKER, {"id": worker_id}) if ID_PATTERN.match(worker_id) else None
    if row is None:
        raise NotFound(f"no worker {worker_id!r}")
    return row


def _pattern_row(conn: psycopg.Connection[Any], worker_id: str, pattern_id: int, *, for_update: bool = False
                 ) -> rq.PatternRow:
    row = _one(conn, rq.PatternRow, rq.GET_PATTERN_FOR_UPDATE if for_update else rq.GET_PATTERN,
               {"id": pattern_id, "worker_id": worker_id}) if 0 < pattern_id <= MAX_BIGINT else None
    if row is None:
        raise NotFound(f"no roster pattern {pattern_id} of worker {worker_id!r}")
    return row


def horizon_last() -> date:
    """The last date the rolling horizon reaches: today (in the service's zone) plus the horizon."""
    return today() + timedelta(days=current_app.config["ROSTER_HORIZON_DAYS"] - 1)


def _domain(row: rq.PatternRow) -> Pattern:
    return Pattern(row.start_time, row.length_minutes, row.rrule, row.valid_from, row.valid_until, row.timezone)


def _overrides(conn: psycopg.Connection[Any], pattern_id: int) -> dict[date, Hours | None]:
    rows = _all(conn, rq.OverrideRow, rq.LIST_OVERRIDES, {"pattern_id": pattern_id})
    return {o.day: (Hours(o.start_time, o.length_minutes)
                    if o.start_time is not None and o.length_minutes is not None else None) for o in rows}


def _absence_windows(conn: psycopg.Connection[Any], worker_id: str) -> list[Window]:
    return [(lo, hi) for lo, hi in conn.execute(rq.ABSENCE_WINDOWS, {"worker_id": worker_id}).fetchall()]


@dataclass
class Synced:
    removed: list[Window]  # capacity taken away (the guard must prove these windows)
    skipped: list[date]  # dates whose shift overlaps another shift of the worker and was not written


def sync(conn: psycopg.Connection[Any], g: Guard, row: rq.PatternRow | None, *, existing_of: int | None = None,
         since: date | None = None, until: date | None = None) -> Synced:
    """Make the rows of a pattern in `shifts` equal to what it yields now (idempotent), for the pattern
    dates in [since, until] (None: unbounded; `until` None also means "up to the rolling horizon").

    `row` None: the pattern is gone; its rows (`existing_of`) in that range are all removed.
    """
    def in_range(day: date) -> bool:
        return (since is None or since <= day) and (until is None or day <= until)

    pattern_id = row.id if row is not None else existing_of
    existing = [s for s in _all(conn, rq.PatternShiftRow, rq.PATTERN_SHIFTS, {"pattern_id": pattern_id})
                if in_range(s.pattern_day)]
    have = {_key(s.pattern_day, *_bounds(s.period)): s.id for s in existing}
    want: dict[tuple[date, datetime, datetime], None] = {}
    if row is not None:
        pattern = _domain(row)
        first = max(pattern.valid_from, since) if since else pattern.valid_from
        last = min(horizon_last(), until) if until else horizon_last()
        for o in expand(pattern, first, last, _overrides(conn, row.id), _absence_windows(conn, row.worker_id)):
            want[_key(o.day, o.start, o.end)] = None
    gone = [k for k in have if k not in want]
    new = [k for k in want if k not in have]
    g.lock([(lo, hi) for _, lo, hi in gone + new])
    if gone:
        conn.execute(rq.DELETE_SHIFTS, {"ids": [have[k] for k in gone]})
    skipped = []
    for day, lo, hi in new:
        assert row is not None  # a pattern that is gone wants nothing
        written = conn.execute(rq.INSERT_PATTERN_SHIFT, {"worker_id": row.worker_id, "start": lo, "end": hi,
                                                         "pattern_id": row.id, "day": day}).fetchone()
        if written is None:
            skipped.append(day)
    if row is not None and until is None:
        conn.execute(rq.SET_MATERIALISED, {"id": row.id, "until": horizon_last()})
    return Synced([(lo, hi) for _, lo, hi in gone], sorted(set(skipped)))


def _key(day: date, lo: datetime, hi: datetime) -> tuple[date, datetime, datetime]:
    # In UTC: an ambiguous wall time (DST fall-back) never compares equal across zones (PEP 495).
    return day, lo.astimezone(UTC), hi.astimezone(UTC)


def today() -> date:
    """Today in the service's zone: days before it are history, which changes to a pattern leave alone."""
    return datetime.now(calendar().zone).date()


# --- representation -------------------------------------------------------------------------------------


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def pattern_out(row: rq.PatternRow, overrides: dict[date, Hours | None], skipped: list[date] | None = None
                ) -> dict[str, Any]:
    out = {
        "id": row.id, "worker_id": row.worker_id, "start_time": _hhmm(row.start_time),
        "length_minutes": row.length_minutes, "rrule": row.rrule, "valid_from": row.valid_from.isoformat(),
        "valid_until": row.valid_until.isoformat() if row.valid_until else None, "timezone": row.timezone,
        "materialised_until": row.materialised_until.isoformat() if row.materialised_until else None,
        "overrides": [override_out(day, hours) for day, hours in sorted(overrides.items())],
    }
    if skipped is not None:
        out["skipped"] = [d.isoformat() for d in skipped]
    return out


def override_out(day: date, hours: Hours | None) -> dict[str, Any]:
    if hours is None:
        return {"date": day.isoformat(), "off": True, "start_time": None, "length_minutes": None}
    return {"date": day.isoformat(), "off": False, "start_time": _hhmm(hours.start_time),
            "length_minutes": hours.length_minutes}


# --- patterns -------------------------------------------------------------------------------------------


def _checked(worker_id: str, data: dict[str, Any]) -> Pattern:
    pattern = Pattern(data["start_time"], data["length_minutes"], normalise_rule(data["rrule"]),
                      data["valid_from"], data.get("valid_until"),
                      data.get("timezone") or current_app.config["TIMEZONE"])
    check_pattern(pattern)
    return pattern


def _params(pattern: Pattern) -> dict[str, Any]:
    return {"start_time": pattern.start_time, "length_minutes": pattern.length_minutes, "rrule": pattern.rule,
            "valid_from": pattern.valid_from, "valid_until": pattern.valid_until, "timezone": pattern.timezone}


@transactional
def list_patterns(conn: psycopg.Connection[Any], worker_id: str) -> list[dict[str, Any]]:
    read_worker(conn, worker_id)
    return [pattern_out(r, _overrides(conn, r.id))
            for r in _all(conn, rq.PatternRow, rq.LIST_PATTERNS, {"worker_id": worker_id})]


@transactional
def get_pattern(conn: psycopg.Connection[Any], worker_id: str, pattern_id: int) -> dict[str, Any]:
    read_worker(conn, worker_id)
    row = _pattern_row(conn, worker_id, pattern_id)
    return pattern_out(row, _overrides(conn, row.id))


@transactional
def create_pattern(conn: psycopg.Connection[Any], worker_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """A new pattern and its shifts up to the horizon (more capacity: never strands a task)."""
    pattern = _checked(worker_id, data)
    lock_worker(conn, worker_id)
    row = _inserted(conn, rq.PatternRow, rq.INSERT_PATTERN, {"worker_id": worker_id, **_params(pattern)})
    synced = sync(conn, guard(conn), row)
    row = _pattern_row(conn, worker_id, row.id)
    audit.record(conn, "pattern.create", "pattern", row.id, None, pattern_out(row, {}))
    return pattern_out(row, {}, synced.skipped)


@transactional
def update_pattern(conn: psycopg.Connection[Any], worker_id: str, pattern_id: int, data: dict[str, Any]
                   ) -> dict[str, Any]:
    """Change a pattern (fields not given stay) for its dates from `effective_from` on (default: today;
    earlier days keep the shifts they have); refused with 409 if the hours it loses strand tasks."""
    data = dict(data)
    since = data.pop("effective_from", None) or today()
    lock_worker(conn, worker_id)
    before = _pattern_row(conn, worker_id, pattern_id, for_update=True)
    merged = {"start_time": before.start_time, "length_minutes": before.length_minutes, "rrule": before.rrule,
              "valid_from": before.valid_from, "valid_until": before.valid_until, "timezone": before.timezone,
              **data}
    pattern = _checked(worker_id, merged)
    row = _inserted(conn, rq.PatternRow, rq.UPDATE_PATTERN, {"id": pattern_id, **_params(pattern)})
    g = guard(conn)
    synced = sync(conn, g, row, since=since)
    g.check(synced.removed)
    row = _pattern_row(conn, worker_id, pattern_id)
    overrides = _overrides(conn, pattern_id)
    audit.record(conn, "pattern.update", "pattern", pattern_id, pattern_out(before, overrides),
                 pattern_out(row, overrides))
    return pattern_out(row, overrides, synced.skipped)


@transactional
def delete_pattern(conn: psycopg.Connection[Any], worker_id: str, pattern_id: int) -> None:
    """Delete a pattern and every shift it made; refused with 409 naming the tasks that would strand."""
    lock_worker(conn, worker_id)
    before = _pattern_row(conn, worker_id, pattern_id, for_update=True)
    was = pattern_out(before, _overrides(conn, pattern_id))
    g = guard(conn)
    synced = sync(conn, g, None, existing_of=pattern_id)
    conn.execute(rq.DELETE_PATTERN, {"id": pattern_id})
    g.check(synced.removed)
    audit.record(conn, "pattern.delete", "pattern", pattern_id, was, None)


@transactional
def materialise_all(conn: psycopg.Connection[Any]) -> int:
    """Extend every pattern to the current horizon (the rolling part; run daily). Returns shifts written."""
    count = 0
    g = guard(conn)
    for (pattern_id,) in conn.execute(rq.ALL_PATTERN_IDS).fetchall():
        worker_id = _pattern_worker(conn, pattern_id)
        lock_worker(conn, worker_id)
        row = _pattern_row(conn, worker_id, pattern_id, for_update=True)
        had = _all(conn, rq.PatternShiftRow, rq.PATTERN_SHIFTS, {"pattern_id": pattern_id})
        synced = sync(conn, g, row, since=today())
        g.check(synced.removed)  # empty unless the zone's rules changed under the pattern
        has = _all(conn, rq.PatternShiftRow, rq.PATTERN_SHIFTS, {"pattern_id": pattern_id})
        count += len(has) - len(had)
        after = _pattern_row(conn, worker_id, pattern_id)
        if has != had or after != row:  # a daily run that changed nothing leaves no event
            overrides = _overrides(conn, pattern_id)
            audit.record(conn, "pattern.materialise", "pattern", pattern_id, pattern_out(row, overrides),
                         pattern_out(after, overrides))
    return count


# --- overrides ------------------------------------------------------------------------------------------


@transactional
def put_override(conn: psycopg.Connection[Any], worker_id: str, pattern_id: int, day: date, data: dict[str, Any]
                 ) -> dict[str, Any]:
    """Other hours (or a day off) on one date of a pattern, through the guard."""
    off = data.get("off", False)
    has_hours = "start_time" in data or "length_minutes" in data
    if off and has_hours:
        raise Unprocessable("give off: true or hours, not both",
                            errors=[{"field": "off", "message": "a day off has no hours"}])
    if not off and not ("start_time" in data and "length_minutes" in data):
        raise Unprocessable("give start_time and length_minutes, or off: true",
                            errors=[{"field": "start_time", "message": "required unless off is true"}])
    if not off:
        check_length(data["length_minutes"])
    lock_worker(conn, worker_id)
    row = _pattern_row(conn, worker_id, pattern_id, for_update=True)
    if day < row.valid_from or (row.valid_until is not None and day > row.valid_until):
        raise Unprocessable(f"{day} is outside the pattern's validity",
                            errors=[{"field": "date", "message": "outside valid_from..valid_until"}])
    was = pattern_out(row, _overrides(conn, pattern_id))
    conn.execute(rq.UPSERT_OVERRIDE, {"pattern_id": pattern_id, "day": day,
                                      "start_time": None if off else data["start_time"],
                                      "length_minutes": None if off else data["length_minutes"]})
    return _overridden(conn, worker_id, row, day, "override.put", was)


def _overridden(conn: psycopg.Connection[Any], worker_id: str, row: rq.PatternRow, day: date, action: str,
                was: dict[str, Any]) -> dict[str, Any]:
    """After an override of `day` changed: the pattern's shifts of that day through the guard, the event."""
    g = guard(conn)
    synced = sync(conn, g, row, since=day, until=day)
    g.check(synced.removed)
    after = _pattern_row(conn, worker_id, row.id)
    overrides = _overrides(conn, row.id)
    audit.record(conn, action, "pattern", row.id, was, pattern_out(after, overrides))
    return pattern_out(after, overrides, synced.skipped)


@transactional
def delete_override(conn: psycopg.Connection[Any], worker_id: str, pattern_id: int, day: date) -> dict[str, Any]:
    lock_worker(conn, worker_id)
    row = _pattern_row(conn, worker_id, pattern_id, for_update=True)
    was = pattern_out(row, _overrides(conn, pattern_id))
    if conn.execute(rq.DELETE_OVERRIDE, {"pattern_id": pattern_id, "day": day}).rowcount == 0:
        raise NotFound(f"no override on {day} of pattern {pattern_id}")
    return _overridden(conn, worker_id, row, day, "override.delete", was)


# --- absences -------------------------------------------------------------------------------------------


def absence_out(a: rq.AbsenceRow, released: list[str] | None = None) -> dict[str, Any]:
    cal = calendar()
    lo, hi = _bounds(a.period)
    out = {"id": a.id, "worker_id": a.worker_id, "start": lo.astimezone(cal.zone).isoformat(),
           "end": hi.astimezone(cal.zone).isoformat(), "kind": a.kind, "note": a.note}
    if released is not None:
        out["released"] = released
    return out


@transactional
def list_absences(conn: psycopg.Connection[Any], worker_id: str) -> list[dict[str, Any]]:
    read_worker(conn, worker_id)
    return [absence_out(a) for a in _all(conn, rq.AbsenceRow, rq.LIST_ABSENCES, {"worker_id": worker_id})]


def _cut_shifts(conn: psycopg.Connection[Any], worker_id: str, window: Window) -> None:
    """Cut the absence out of every shift of the worker it overlaps (pieces keep their origin)."""
    rows = conn.execute(rq.SHIFT_ORIGINS, {"worker_id": worker_id, "lo": window[0], "hi": window[1]}).fetchall()
    if not rows:
        return
    conn.execute(rq.DELETE_SHIFTS, {"ids": [r[0] for r in rows]})
    for _, wid, period, pattern_id, pattern_day in rows:
        for lo, hi in subtract((period.lower, period.upper), [window]):
            conn.execute(rq.INSERT_SHIFT_PIECE, {"worker_id": wid, "start": lo, "end": hi,
                                                 "pattern_id": pattern_id, "day": pattern_day})


@transactional
def create_absence(conn: psycopg.Connection[Any], worker_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Take working time away. Tasks the worker holds in it: 409 naming them, or with `release_tasks`
    they become untaken, accepted only if every task around can still be covered (409 naming those
    nobody else could take otherwise; nothing changed)."""
    cal = calendar()
    start, end = aware(cal, data["start"], "start"), aware(cal, data["end"], "end")
    if not start < end:
        raise Unprocessable("an absence's start must be before its end",
                            errors=[{"field": "end", "message": "must be after start"}])
    if end - start > MAX_ABSENCE:
        raise Unprocessable("an absence lasts at most 366 days; enter longer ones in parts",
                            errors=[{"field": "end", "message": "at most 366 days after start"}])
    window = (start, end)
    g = guard(conn)
    g.lock([window])  # days first, then the worker: the order taking a task uses
    lock_worker(conn, worker_id)
    held = [r[0] for r in conn.execute(rq.HELD_IN, {"worker_id": worker_id, "lo": start, "hi": end}).fetchall()]
    if held and not data.get("release_tasks"):
        raise Conflict(f"worker {worker_id} holds tasks {', '.join(held)} in that time; release them or send"
                       " release_tasks: true", tasks=held)
    try:
        with conn.transaction():  # savepoint: an overlapping absence is a clean 409
            absence = _inserted(conn, rq.AbsenceRow, rq.INSERT_ABSENCE, {"worker_id": worker_id, "start": start,
                                                                    "end": end, "kind": data["kind"],
                                                                    "note": data.get("note") or ""})
    except psycopg.errors.ExclusionViolation as exc:
        raise Conflict(f"worker {worker_id} already has an absence overlapping that time") from exc
    released_windows = []
    tasks_before = [_task_row(conn, t) for t in held]
    if held:
        released_windows = [(r[0], r[1]) for r in conn.execute(rq.TASK_WINDOWS, {"ids": held}).fetchall()]
        conn.execute(rq.RELEASE_TASKS, {"ids": held, "worker_id": worker_id})
    _cut_shifts(conn, worker_id, window)
    try:
        g.check([window, *released_windows])
    except StrandError as exc:
        if held:
            raise StrandError(f"releasing {', '.join(held)} would leave tasks nobody else can take:"
                              f" {', '.join(exc.extra['uncovered'])}; nothing was changed",
                              uncovered=exc.extra["uncovered"], released=[]) from exc
        raise
    audit.record(conn, "absence.create", "absence", absence.id, None, absence_out(absence))
    for task in tasks_before:
        audit.record(conn, "task.release", "task", task.id, task, _task_row(conn, task.id), TaskResourceSchema)
    return absence_out(absence, held)


def _task_row(conn: psycopg.Connection[Any], task_id: str) -> q.TaskRow:
    row = repo.get_task(conn, task_id)
    assert row is not None  # named by a seat read in this transaction; tasks' days are locked
    return row


@transactional
def delete_absence(conn: psycopg.Connection[Any], worker_id: str, absence_id: int) -> None:
    """The absence ends early or was a mistake: pattern shifts come back (hand-made ones stay cut)."""
    lock_worker(conn, worker_id)
    absence = _one(conn, rq.AbsenceRow, rq.GET_ABSENCE, {"id": absence_id, "worker_id": worker_id}
                   ) if 0 < absence_id <= MAX_BIGINT else None
    if absence is None:
        raise NotFound(f"no absence {absence_id} of worker {worker_id!r}")
    conn.execute(rq.DELETE_ABSENCE, {"id": absence_id})
    g = guard(conn)
    for r in _all(conn, rq.PatternRow, rq.LIST_PATTERNS, {"worker_id": worker_id}):
        row = _pattern_row(conn, worker_id, r.id, for_update=True)
        # Only the pattern dates whose shifts the absence could have cut (a night shift starts the day before).
        lo, hi = _bounds(absence.period)
        first = lo.astimezone(ZoneInfo(row.timezone)).date() - timedelta(days=1)
        last = hi.astimezone(ZoneInfo(row.timezone)).date()
        g.check(sync(conn, g, row, since=first, until=min(last, horizon_last())).removed)
    audit.record(conn, "absence.delete", "absence", absence_id, absence_out(absence), None)

