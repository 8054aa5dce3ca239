"""Use cases of the service. Each public function is one unit of work (`api.db.transactional`: one
transaction, committed at the end, rolled back on any error); views call them and never see a
connection. Reads and writes go through `api.repository`, mutations through `api.guard.Guard`.

What a use case adds to the repository: the guard's locks and proof, the contract's rules on input
(DST-aware times, durations, employment order) and "unknown id" as `NotFound`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
from flask import current_app

from api import audit, flights, guides, timing
from api import queries as q
from api import repository as repo
from api.access import require_own_task
from api.config import calendar
from api.day_slots import DayAnswer, DaySlots
from api.day_slots import answer as answer_day_slots
from api.db import elsewhere, transactional, unit_of_work
from api.errors import Conflict, NotFound, StrandError, Unprocessable
from api.guard import Guard
from api.limits import offloaded, slot_turn, solve_bounded, solver_budget, turn_wait
from api.schemas import ID_PATTERN, ShiftResourceSchema, TaskResourceSchema, WorkerResourceSchema
from api.solver_processes import GRACE_SECONDS
from solver.answers import dump_explanation, dump_next, dump_takeable
from solver.calendar import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    OperationalCalendar,
    SkippedWallTime,
    Window,
    employed,
)
from solver.domain import (
    CrewEntry,
    InvalidInput,
    PlanResult,
    Scenario,
    Slot,
    SlotAnswer,
    SlotQuery,
    Status,
    Task,
    Worker,
    check_crew,
)
from solver.explain import Explanation, check_explainable, explain
from solver.fit import seat_matching
from solver.next_slots import DaySlot, NextAnswer, day_query, next_slots
from solver.options import SolverOptions
from solver.plan import Witness, plan
from solver.queries import ExplainQuery, NextQuery, TakeableQuery
from solver.schema import dump_answer, dump_plan
from solver.slots import find_slots
from solver.takeable import TakeableAnswer, takeable
from solver.takeable import candidates as takeable_candidates

MAX_SHIFT = timedelta(hours=24)
Crew = tuple[CrewEntry, ...]
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

    Answered whole in a solver process once the query has its turn (`api.day_slots`): the day and what
    the latest such query learned (`api.guides`: hints, never answers) are read there in one read-only
    snapshot, and its own guides are kept before it hands the turn on. Queries queued behind each other
    (a dispatcher's colleagues asking about the same day) then each start from the plans of the one just
    answered, not from those of the query before it. Replayed in order, the 54 slot queries captured on one
    gunicorn worker in a load-test run took 12.4 s of solver time with the guides as read before the turn,
    9.6 s with the latest (queries over 0.5 s: 5 -> 3).

    An identical query arriving while this one waits for its turn shares its answer (`api.flights`): the
    day is read once the turn comes, after every query that joined had arrived.

    Its stages go to the `Server-Timing` header (`api.timing`): the turn's wait, the read and the solve, or,
    for a query that joined another, its wait for that one's answer.
    """
    asked = time.perf_counter()
    led = False

    def lead(seal: Callable[[], bool]) -> dict[str, Any]:
        nonlocal led
        led = True
        with slot_turn():  # one solve at a time per process (api.limits): its stages are timed by the clock
            timing.note("turn", time.perf_counter() - asked)
            seal()  # those who joined are answered from a snapshot taken after this: after each asked
            return _day_slots(query)

    # A member waits at most as long as the leader may: its turn's wait, its budget and the child's grace.
    wait = turn_wait() + float(current_app.config["QUERY_BUDGET"]) + GRACE_SECONDS
    answer = flights.share(("slots", query), lead, wait=wait)
    if not led:
        timing.note("shared", time.perf_counter() - asked)
    return answer


def _day_slots(query: SlotQuery) -> dict[str, Any]:
    cal, budget, config = calendar(), solver_budget(), current_app.config
    job = DaySlots(config["DATABASE_URL"], float(config["POOL_TIMEOUT"]), cal, query,
                   SolverOptions(probe_time_limit=config["PROBE_TIME_LIMIT"], base_time_limit=budget, budget=budget),
                   guides.enabled())

    def undecided() -> DayAnswer:
        # The contract's answer when the day itself is undecided: feasible_base null, every candidate undecided.
        day = Scenario(cal.timezone, cal.day_start)  # the candidates depend on the calendar alone
        duration = timedelta(minutes=query.duration_minutes)
        return DayAnswer(dump_answer(SlotAnswer(query, None, [], [], [Slot(s, s + duration)
                                                                      for s in query.candidates(day)]), day),
                         0.0, time.perf_counter() - began)

    began = time.perf_counter()
    with elsewhere():
        got = solve_bounded(answer_day_slots, job, timed_out=undecided)
    timing.note("read", got.read)
    timing.note("solve", got.solve)
    return got.doc


def takeable_tasks(worker_id: str, day: date | None) -> dict[str, Any]:
    """The contract's takeable answer for a worker in the database: the tasks of `day` (None: of every
    shift of theirs) read with everything they are coupled to."""
    cal = calendar()
    with unit_of_work() as conn:
        repo.read_only_snapshot(conn)
        _worker(conn, worker_id)
        shifts = repo.shifts_of_worker(conn, worker_id) if day is None else []
        windows = [s.window for s in shifts] if day is None else [cal.bounds(day)]
        scenario, witness = repo.read_windows(conn, cal, windows)
    if worker_id not in {w.id for w in scenario.workers}:
        # A worker without shifts or seats there: nothing lies inside a shift of theirs.
        scenario = Scenario(scenario.timezone, scenario.day_start, (*scenario.workers, Worker(worker_id)),
                            scenario.tasks)
    return what_if_takeable(scenario, TakeableQuery(worker_id, day), witness)


def explain_start(query: ExplainQuery, *, budget: float | None = None, background: bool = False) -> dict[str, Any]:
    """The contract's explanation of a start on the database's day of that start (`budget`: seconds,
    default the request's solver budget; `background`: in a background solver process)."""
    cal = calendar()
    with unit_of_work() as conn:
        scenario, witness = repo.read_day(conn, cal, cal.day_of(query.start))
    return what_if_explain(scenario, query, witness, budget=budget, background=background)


def next_free(query: NextQuery) -> dict[str, Any]:
    """The contract's next answer over the database's days `from` .. `from + days - 1`, read at once."""
    cal = calendar()
    dates = query.dates()
    with unit_of_work() as conn:
        repo.read_only_snapshot(conn)
        scenario, witness = repo.read_windows(conn, cal, [(cal.bounds(dates[0])[0], cal.bounds(dates[-1])[1])])
    return what_if_next(scenario, query, witness)


def what_if_slots(scenario: Scenario, query: SlotQuery, witness: Witness | None = None) -> dict[str, Any]:
    """The contract's slot answer (`solver.schema.dump_answer`, as the CLI prints it) of a validated scenario,
    within the request's solver budget (api.limits): what is not decided by then is undecided, never a slot."""
    return dump_answer(_slot_answer(scenario, query, witness), scenario)


def _slot_answer(scenario: Scenario, query: SlotQuery, witness: Witness | None = None) -> SlotAnswer:
    budget = solver_budget()
    duration = timedelta(minutes=query.duration_minutes)

    def undecided() -> SlotAnswer:
        # The contract's answer when the day itself is undecided: feasible_base null, every candidate undecided.
        return SlotAnswer(query, None, [], [], [Slot(s, s + duration) for s in query.candidates(scenario)])

    options = SolverOptions(probe_time_limit=current_app.config["PROBE_TIME_LIMIT"], base_time_limit=budget,
                            budget=budget)
    return solve_bounded(find_slots, scenario, query, options, witness=witness, timed_out=undecided)


def what_if_takeable(scenario: Scenario, query: TakeableQuery, witness: Witness | None = None) -> dict[str, Any]:
    """As `python -m solver takeable` on a validated scenario, within the request's solver budget
    (api.limits): what is not decided by then is undecided, never takeable."""
    def undecided() -> TakeableAnswer:  # as when the day itself is undecided: every candidate open
        worker = next(w for w in scenario.workers if w.id == query.worker)
        return TakeableAnswer(query.worker, query.date, None,
                              undecided=[t.id for t in takeable_candidates(scenario, worker, query.date)])

    return dump_takeable(solve_bounded(takeable, scenario, query, time_limit=solver_budget(), witness=witness,
                                       timed_out=undecided))


def what_if_explain(scenario: Scenario, query: ExplainQuery, witness: Witness | None = None, *,
                    budget: float | None = None, background: bool | None = None) -> dict[str, Any]:
    """As `python -m solver explain` on a validated scenario, within `budget` seconds (default the request's
    solver budget, api.limits): reason `unknown` when it runs out, never a certificate that was not proved.
    `background`: in a background solver process (None: if the request is a what-if, see `api.limits.offloaded`)."""
    check_explainable(scenario)  # here, not in the child: its InvalidInput is a 422 like any other
    seconds = solver_budget() if budget is None else budget
    return dump_explanation(offloaded(explain, scenario, query, time_limit=seconds, witness=witness, seconds=seconds,
                                      background=background,
                                      timed_out=lambda: Explanation(query.start, query.end, False,
                                                                    reason="unknown")), scenario)


def what_if_next(scenario: Scenario, query: NextQuery, witness: Witness | None = None) -> dict[str, Any]:
    """As `python -m solver next` on a validated scenario, within the request's solver budget (api.limits):
    what is not decided by then (a day not searched included) is undecided, never a slot."""
    budget = solver_budget()
    duration = timedelta(minutes=query.duration_minutes)

    def undecided() -> NextAnswer:  # as when the scenario itself is undecided: every candidate open
        return NextAnswer(query, None, undecided=[DaySlot(d, s, s + duration) for d in query.dates()
                                                  for s in day_query(query, d).candidates(scenario)])

    options = SolverOptions(probe_time_limit=current_app.config["PROBE_TIME_LIMIT"], budget=budget)
    return dump_next(solve_bounded(next_slots, scenario, query, options, witness=witness, timed_out=undecided),
                     scenario)


def what_if_plan(scenario: Scenario) -> dict[str, Any]:
    """Feasibility of a validated scenario, shaped like `python -m solver plan` (`solver.schema.dump_plan`);
    `unknown` when the request's solver budget runs out (api.limits)."""
    limit = min(current_app.config["PLAN_TIME_LIMIT"], solver_budget())
    return dump_plan(solve_bounded(plan, scenario, SolverOptions(base_time_limit=limit),
                                   timed_out=lambda: PlanResult(Status.UNKNOWN, {}, [], optimal=False)))


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
            row = repo.insert_worker(conn, data.get("id"), data["name"], sorted(set(data["skills"])),
                                     data["hire_date"], data["fire_date"], (data["max_tasks"], data["max_minutes"]))
    except psycopg.errors.UniqueViolation as exc:
        raise Conflict(f"a worker with id {data.get('id')!r} already exists") from exc
    audit.record(conn, "worker.create", "worker", row.id, None, row, WorkerResourceSchema)
    return row


@transactional
def update_worker(conn: psycopg.Connection, worker_id: str, data: dict[str, Any]) -> q.WorkerRow:
    """Rename, change skills, hire / fire dates or daily limits; refused (409) if that would strand a task."""
    g = guard(conn)
    _worker(conn, worker_id)
    g.lock([s.window for s in repo.shifts_of_worker(conn, worker_id)])  # lock the days, then re-read
    before = _worker(conn, worker_id, for_update=True)
    changes: dict[str, Any] = {k: (sorted(set(v)) if k == "skills" else v) for k, v in data.items()}
    after = replace(before, **changes)
    _check_employment(after.hire_date, after.fire_date)
    row = repo.update_worker(conn, after)
    # Less skill, fewer employed days or other limits can take capacity away: prove the worker's days still fit.
    if not set(before.skills) <= set(after.skills) or (after.hire_date, after.fire_date, after.max_tasks,
                                                       after.max_minutes) != (
            before.hire_date, before.fire_date, before.max_tasks, before.max_minutes):
        g.check([s.window for s in repo.shifts_of_worker(conn, worker_id)])
    audit.record(conn, "worker.update", "worker", worker_id, before, row, WorkerResourceSchema)
    return row


@transactional
def delete_worker(conn: psycopg.Connection, worker_id: str) -> None:
    g = guard(conn)
    _worker(conn, worker_id)
    g.lock([s.window for s in repo.shifts_of_worker(conn, worker_id)])
    before = _worker(conn, worker_id, for_update=True)
    taken = repo.tasks_taken_by(conn, worker_id)
    if taken:
        raise Conflict(f"worker {worker_id} has taken tasks {', '.join(taken)}; release them first", tasks=taken)
    shifts = repo.shifts_of_worker(conn, worker_id)
    repo.delete_worker(conn, worker_id)
    g.check([s.window for s in shifts])
    audit.record(conn, "worker.delete", "worker", worker_id, before, None, WorkerResourceSchema)


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
    added = _worker_shift(cal, repo.insert_shift(conn, worker_id, start, end), worker)
    audit.record(conn, "shift.add", "shift", added.row.id, None, added, ShiftResourceSchema)
    return added


@transactional
def remove_shift(conn: psycopg.Connection, worker_id: str, shift_id: int) -> None:
    g = guard(conn)
    worker = _worker(conn, worker_id)
    shift = repo.get_shift(conn, worker_id, shift_id) if 0 < shift_id <= MAX_BIGINT else None
    if shift is None:
        raise NotFound(f"no shift {shift_id} of worker {worker_id!r}")
    g.lock([shift.window])
    repo.delete_shift(conn, shift_id)
    g.check([shift.window])
    audit.record(conn, "shift.remove", "shift", shift_id, _worker_shift(g.cal, shift, worker), None,
                 ShiftResourceSchema)


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


def _needs(data: dict[str, Any], old: q.TaskRow | None = None) -> tuple[str | None, Crew | None]:
    """The task's skill or crew from a body (give one; a crew is checked by the contract's rules); a move
    that gives neither keeps the task's own."""
    if "crew" in data and data["crew"] is not None:
        if data.get("skill") is not None:
            raise Unprocessable("give either skill or crew, not both",
                                errors=[{"field": "crew", "message": "give either skill or crew, not both"}])
        crew = tuple(data["crew"])
        check_crew(crew, "crew")
        return None, crew
    if "skill" in data or old is None:
        return data.get("skill"), None
    crew = repo.crew_of(old)
    return (old.skill, None) if crew == (CrewEntry(old.skill, 1),) else (None, crew)


def book_task(data: dict[str, Any]) -> q.TaskRow:
    """Create an untaken task (one seat of `skill`, or a `crew`); accepted only if every task stays coverable.

    A refusal for stranding carries `explain`: the contract's explanation of that start (`explain_start`,
    within REFUSAL_EXPLAIN_BUDGET, else reason "unknown"), when the task ends within its operational day.
    It is worked out after the refused transaction has ended, so the day's locks are not held meanwhile: it
    describes the data as they are a moment after the refusal (a change in between may already have changed
    the answer)."""
    cal = calendar()
    start, end = _task_times(cal, data)
    skill, crew = _needs(data)
    try:
        return _book(data, start, end, skill, crew)
    except StrandError as exc:
        explanation = _explain_refusal(cal, start, end, skill, crew)
        if explanation is not None:
            exc.extra["explain"] = explanation
        raise


@transactional
def _book(conn: psycopg.Connection, data: dict[str, Any], start: datetime, end: datetime, skill: str | None,
          crew: Crew | None) -> q.TaskRow:
    g = guard(conn)
    kept = guides.booking_plan(conn, g.cal.day_of(start), start, end, skill, crew)  # a hint: before the lock
    g.lock([(start, end)])
    try:
        task_id = repo.insert_task(conn, data.get("id"), start, end, skill, crew)
    except psycopg.errors.UniqueViolation as exc:
        raise Conflict(f"a task with id {data.get('id')!r} already exists", tasks=[data["id"]]) from exc
    g.check([(start, end)], moves=None if kept is None else kept.with_task(task_id))
    booked = _task(conn, task_id)
    audit.record(conn, "task.book", "task", task_id, None, booked, TaskResourceSchema)
    return booked


def _explain_refusal(cal: OperationalCalendar, start: datetime, end: datetime, skill: str | None,
                     crew: Crew | None) -> dict[str, Any] | None:
    """`explain` of a refused booking's start, or None where the contract's explain does not apply (a task
    crossing the end of its operational day, or a task id "new" on that day)."""
    if end > cal.bounds(cal.day_of(start))[1]:
        return None
    try:
        # In the background: this client's explanation must not slow the others' live questions.
        return explain_start(ExplainQuery(start, int((end - start).total_seconds() // 60), skill, crew),
                             budget=min(solver_budget(), current_app.config["REFUSAL_EXPLAIN_BUDGET"]),
                             background=True)
    except InvalidInput:
        return None


@transactional
def move_task(conn: psycopg.Connection, task_id: str, data: dict[str, Any]) -> q.TaskRow:
    """Move a task to another time, optionally with new needs (holders keep their seats and must still fit)."""
    start, end = _task_times(calendar(), data)
    g = guard(conn)
    old = _task(conn, task_id)
    while True:  # lock the old and new days, then re-read: the task may have moved meanwhile
        g.lock([old.window, (start, end)])
        current = _task(conn, task_id, for_update=True)
        if current.period == old.period:
            break
        old = current
    skill, crew = _needs(data, old)
    repo.move_task(conn, task_id, start, end, skill, crew)
    g.check([old.window, (start, end)])
    moved = _task(conn, task_id)
    audit.record(conn, "task.move", "task", task_id, current, moved, TaskResourceSchema)
    return moved


@transactional
def delete_task(conn: psycopg.Connection, task_id: str) -> None:
    g = guard(conn)
    g.lock([_task(conn, task_id).window])
    task = _task(conn, task_id, for_update=True)
    repo.delete_task(conn, task_id)
    # One task fewer never strands another; only the witness entry goes.
    g.forget(task_id, task.start)
    audit.record(conn, "task.delete", "task", task_id, task, None, TaskResourceSchema)


ANY_SEAT = object()  # `take` without a skill: any seat whose skill the worker has


@transactional
def take_task(conn: psycopg.Connection, task_id: str, worker_id: str, skill: Any = ANY_SEAT) -> q.TaskRow:
    """An installer takes one seat of a task (of crew entry `skill`, or any seat they fit): it must fit them
    and their daily limits, and every task must stay coverable."""
    g = guard(conn)
    window = _task(conn, task_id).window
    g.lock([window])
    task = _task(conn, task_id, for_update=True)
    if task.window != window:
        raise Conflict(f"task {task_id} was moved meanwhile; try again", tasks=[task_id])
    if not ID_PATTERN.match(worker_id) or repo.get_worker(conn, worker_id) is None:
        raise Unprocessable(f"no worker {worker_id!r}", errors=[{"field": "worker_id", "message": "unknown worker"}])
    worker = _worker(conn, worker_id, for_update=True)
    if worker_id in task.worker_ids:
        return task  # taking what you already hold changes nothing
    crew = repo.crew_of(task)
    if skill is not ANY_SEAT and skill not in {c.skill for c in crew}:
        msg = f"task {task_id} has no seat of skill {skill!r}"
        raise Unprocessable(msg, errors=[{"field": "skill", "message": msg}])
    if len(task.worker_ids) >= task.seats:
        raise Conflict(f"task {task_id} is already taken by {', '.join(task.worker_ids)}", tasks=[task_id],
                       reason="full")
    seat = _seat_for(conn, task, crew, worker, skill)
    _check_fits(conn, g.cal, task, worker)
    repo.add_seat(conn, task_id, worker_id, seat)
    g.check([window])
    taken = _task(conn, task_id)
    audit.record(conn, "task.take", "task", task_id, task, taken, TaskResourceSchema)
    return taken


def _seat_for(conn: psycopg.Connection, task: q.TaskRow, crew: Crew, worker: q.WorkerRow, skill: Any) -> str | None:
    """The crew entry the worker takes: `skill` if given, else the first they fit; the holders and the worker
    must all get distinct seats whose skills they have (409 `skill` otherwise)."""
    holders = [_worker(conn, w) for w in task.worker_ids]
    entries = list(crew) if skill is ANY_SEAT else [c for c in crew if c.skill == skill]
    for entry in entries:
        if entry.skill is not None and entry.skill not in worker.skills:
            continue
        rest = [replace(c, count=c.count - (c is entry)) for c in crew]
        if seat_matching(Task(task.id, task.start, task.end, crew=tuple(c for c in rest if c.count)),
                         [Worker(h.id, skills=frozenset(h.skills)) for h in holders]):
            return entry.skill
    wanted = f"a seat of skill {skill!r}" if skill is not ANY_SEAT else "a seat"
    raise Conflict(f"task {task.id} has no {wanted} left that worker {worker.id} has the skill for",
                   tasks=[task.id], reason="skill")


def _check_fits(conn: psycopg.Connection, cal: OperationalCalendar, task: q.TaskRow, worker: q.WorkerRow) -> None:
    lo, hi = task.window
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
    if worker.limited:
        held = repo.seat_load(conn, worker.id, *cal.bounds(cal.day_of(lo)), besides=task.id)
        minutes = held.minutes + (hi - lo).total_seconds() / 60
        if (worker.max_tasks is not None and held.tasks + 1 > worker.max_tasks) or (
                worker.max_minutes is not None and minutes > worker.max_minutes):
            raise Conflict(f"worker {worker.id} would hold {held.tasks + 1} task(s), {minutes:g} minutes on"
                           f" {cal.day_of(lo)}: over their daily limit (max_tasks {worker.max_tasks},"
                           f" max_minutes {worker.max_minutes})", tasks=[task.id], reason="limit")


@transactional
def release_task(conn: psycopg.Connection, task_id: str, worker_id: str | None = None) -> q.TaskRow:
    """Give back one worker's seat (or, without `worker_id`, every seat); always safe, since the former
    holders still cover what they held (`Guard.released`). Releasing what is not held changes nothing."""
    g = guard(conn)
    g.lock([_task(conn, task_id).window])
    task = _task(conn, task_id, for_update=True)
    leaving = [w for w in task.worker_ids if worker_id is None or w == worker_id]
    for holder in leaving:
        require_own_task(holder)
    if not leaving:
        return task
    repo.remove_seats(conn, task_id, leaving)
    g.released(task_id, task.start, list(task.worker_ids))
    released = _task(conn, task_id)
    audit.record(conn, "task.release", "task", task_id, task, released, TaskResourceSchema)
    return released
