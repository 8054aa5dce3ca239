"""The feasibility guard: a change is accepted only if the data *after* it can still be covered.
(A release needs no proof, see `Guard.released`; it still locks its day and updates the stored plan.)

Every mutating operation runs in one transaction that
1. takes `pg_advisory_xact_lock` on each operational day its rows touch (sorted, so two changes
   lock in the same order),
2. writes the change,
3. reads the data a feasibility check needs and proves it feasible with `solver.plan` (seeded with the
   stored witness), or raises, which rolls the whole transaction back.

Which data a check needs: feasibility couples two tasks only when they overlap in time (no-overlap per
worker) or when a worker with a daily limit could sit in both and they start in one operational day
(the limit). Tasks coupled to nothing of the changed window cannot be affected. So the check reads every
task overlapping the changed windows, widens the windows to those tasks and to the whole operational
day of every task a limited worker holds or could sit in, and repeats until nothing new appears (the
closure, `api.repository.read_closure`); that handles night shifts, tasks crossing the day boundary
and limits. Every piece the closure grows by has its days locked before its rows are read (a row
overlapping the piece shares a day with it, and its writer locks every day of the row), so a concurrent
change touching the same tasks is serialised with this one.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

import psycopg

from api import repository as repo
from api import timing
from api.errors import StrandError, Unproven
from api.limits import offloaded
from solver.calendar import OperationalCalendar, Window
from solver.domain import InvalidInput, PlanResult, Status
from solver.options import SolverOptions
from solver.plan import plan
from solver.validate import validate_scenario


class Guard:
    """Locks days and proves changes safe inside one transaction (see the module docstring)."""

    def __init__(self, conn: psycopg.Connection, cal: OperationalCalendar, time_limit: float) -> None:
        self.conn = conn
        self.cal = cal
        self.time_limit = time_limit
        self.locked: set[date] = set()
        self.lock_seconds = 0.0  # waited for day locks so far (Server-Timing `lock`, see `api.timing`)

    def lock(self, windows: Iterable[Window]) -> bool:
        """Lock every operational day the windows overlap; True if a day was not locked before."""
        days = sorted({d for w in windows for d in self.cal.days(w)} - self.locked)
        began = time.perf_counter()
        for day in days:
            repo.lock_day(self.conn, day)
            self.locked.add(day)
        if days:
            waited = time.perf_counter() - began
            self.lock_seconds += waited
            timing.note("lock", waited)
        return bool(days)

    def check(self, windows: Iterable[Window], *, hint: dict[str, list[str]] | None = None,
              moves: dict[str, list[str]] | None = None) -> PlanResult | None:
        """Prove the data around `windows` (as written so far in this transaction) feasible, or raise.

        `hint` adds known plans to the stored witness (e.g. a released task -> its former holders). `moves`
        (task id -> its workers) put on the stored witness make a candidate plan, tried as a certificate
        first (`solver.plan.plan`'s `candidates`): a booked start's plan from the slot query that offered it.
        """
        wins = repo.merge(windows)
        if not wins:
            return None
        began = time.perf_counter()
        locked = self.lock_seconds
        # Each piece the closure grows by has its days locked before its rows are read: no row can change
        # under the check, and no second read is needed when the closure reaches another day (it read the
        # whole closure twice on the load test's day, whose tasks span three operational days).
        snap = repo.read_closure(self.conn, self.cal, wins, lock=self.lock)
        scenario = repo.build_scenario(self.cal, snap)
        try:
            validate_scenario(scenario)
        except InvalidInput as exc:
            # E.g. a taken task left outside every shift of its taker: the change would strand it.
            raise StrandError(f"the change would strand tasks: {exc.message}", uncovered=list(exc.ids)) from exc

        task_day = repo.task_days(self.cal, scenario.tasks)
        stored = repo.read_witness(self.conn, task_day.values())
        witness: dict[str, list[str]] = {k: v for day_map in stored.values() for k, v in day_map.items()}
        witness.update(hint or {})
        candidates = [] if not moves else [{**witness, **moves}]
        timing.note("read", time.perf_counter() - began - (self.lock_seconds - locked))
        # In a solver process during a request (api.limits.offloaded): the plan's Python would otherwise hold
        # the GIL its worker's other request threads need; past its time limit (+ grace) it is UNKNOWN.
        # Every day gets the Hall sweep when the construction leaves seats out (not only big ones): a change
        # that strands tasks is then refused in milliseconds, naming the construction's few leftovers (a
        # true uncovered set, not always the fewest), instead of holding the day's lock while CP-SAT
        # searches for the fewest (measured on the load test's L-90 day: a refused booking took the whole
        # 10 s and named some 300 tasks; the sweep proves it in 1-33 ms, naming 5-6).
        options = SolverOptions(base_time_limit=self.time_limit, big_day_items=0)
        began = time.perf_counter()
        result = offloaded(plan, scenario, options, witness=witness, candidates=candidates,
                           seconds=self.time_limit,
                           timed_out=lambda: PlanResult(Status.UNKNOWN, {}, [], False))
        timing.note("check", time.perf_counter() - began)
        if result.status is Status.INFEASIBLE:
            names = ", ".join(result.uncovered)
            raise StrandError(f"the change would leave tasks nobody can take: {names}",
                              uncovered=result.uncovered)
        if result.status is Status.UNKNOWN:
            raise Unproven("the solver could not prove within its time limit that every task stays coverable;"
                           " the change was not made", tasks=result.uncovered)
        # The witness, per day: each task with open seats -> every worker of its seats (holders first).
        began = time.perf_counter()
        self._store_witness(task_day, stored, {t.id: list(result.assignment[t.id])
                                               for t in scenario.tasks if t.open_seats})
        timing.note("store", time.perf_counter() - began)
        return result

    def _store_witness(self, task_day: dict[str, date], stored: dict[date, dict[str, list[str]]],
                       assignment: dict[str, list[str]]) -> None:
        fresh: dict[date, dict[str, list[str]]] = defaultdict(dict)
        for task_id, worker_id in assignment.items():
            fresh[task_day[task_id]][task_id] = worker_id
        for day in sorted(set(task_day.values())):
            # Entries of tasks outside this check (same day, other times) stay; ours are replaced.
            kept = {k: v for k, v in stored.get(day, {}).items() if k not in task_day}
            kept.update(fresh.get(day, {}))
            repo.store_witness(self.conn, day, kept)

    def released(self, task_id: str, start: datetime, holders: list[str]) -> None:
        """Record in the day's stored witness that the former `holders` cover the seats a release opened
        (beside the workers it lists for the task's other open seats). No check: a release cannot strand
        anything. The data before it was coverable (every change passes this guard), and the holders were
        in every plan of it; after the release each such plan is still a plan (their shifts, skills and
        limits are as they were; the seats are merely open now). Skipping the check spares every release
        two closure reads and a plan, and holds the day's lock only for the write itself."""
        day = self.cal.day_of(start)
        listed = repo.witness_task(self.conn, day, task_id)
        repo.set_witness_task(self.conn, day, task_id, [*holders, *(w for w in listed if w not in holders)])

    def forget(self, task_id: str, start: datetime) -> None:
        """Drop a deleted task from its day's stored witness."""
        repo.forget_witness_task(self.conn, self.cal.day_of(start), task_id)
