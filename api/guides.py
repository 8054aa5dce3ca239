"""What slot queries about the database learn for the next query of the same day, length and crew: the
plans of the starts that took a repair, windows or a model to decide (`solver.domain.Guides`), kept in the database
(table slot_guides) so that every process of the service starts from the latest query's, whichever
process answered it.

Only hints, never answers: the solver checks every plan it builds from them against the day as read now,
so guides from before any change (a booking, a take, a roster edit) cost a little time, never a wrong
verdict. That is why nothing invalidates them, and why keeping them is best effort: a query whose guides
cannot be stored still answers. `SLOT_GUIDES` 0 turns them off. One entry is a day's plan and its slots'
plans' differences from it (40-50 plans, 55-95 KB of JSON on the load test's 200-worker day); entries not
rewritten for `KEEP_SECONDS` are dropped.

Shared rather than per process: replayed in order, the 67 slot queries of a load-test run took 15.2 s of
solver time with each query starting from the previous query's guides, 19.9 s with the guides each of
the two gunicorn workers had kept for itself, 32.2 s without guides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
from flask import current_app

from api import repository as repo
from solver.domain import CrewEntry, Guides, InvalidInput, NamedPlan, SlotQuery

KEEP_SECONDS = 2 * 24 * 3600.0


def seats_key(query: SlotQuery) -> str:
    """The new task's crew as the store's key: queries whose plans serve each other share it (any step)."""
    return ",".join(f"{entry.skill or '*'}:{entry.count}" for entry in query.seats)


def dump(guides: Guides) -> dict[str, Any]:
    """Guides as JSON: each plan a task id -> its workers, the new task's workers per start; the starts as
    ISO 8601 with their offset."""
    return {"base": {t: list(ws) for t, ws in guides.base.items()},
            "plans": {start.isoformat(): {t: list(ws) for t, ws in plan.items()}
                      for start, plan in guides.plans.items()},
            "new": {start.isoformat(): list(ws) for start, ws in guides.new.items()},
            "cheap": sorted(start.isoformat() for start in guides.cheap)}


def load(doc: Any) -> Guides | None:
    """`dump`'s inverse; None for anything else (a row written by another version costs only the hint; one
    without "new" or "cheap", as written before they existed, is read without them)."""
    try:
        def plan(named: dict[str, list[str]]) -> NamedPlan:
            return {str(t): tuple(str(w) for w in ws) for t, ws in named.items()}
        return Guides(plan(doc["base"]), {datetime.fromisoformat(s): plan(p) for s, p in doc["plans"].items()},
                      {datetime.fromisoformat(s): tuple(str(w) for w in ws) for s, ws in doc.get("new", {}).items()},
                      frozenset(datetime.fromisoformat(s) for s in doc.get("cheap", [])))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def enabled() -> bool:
    """Whether slot queries read and keep guides (SLOT_GUIDES)."""
    return int(current_app.config["SLOT_GUIDES"]) > 0


def stored(conn: psycopg.Connection, query: SlotQuery) -> Guides | None:
    """The latest guides of queries like `query`, read on `conn` (in the query's own snapshot). Whether guides
    are on is the caller's to ask (`enabled`): a solver process has no app (`api.day_slots`)."""
    return load(repo.read_guides(conn, query.date, query.duration_minutes, seats_key(query)))


def store(conn: psycopg.Connection, query: SlotQuery, guides: Guides) -> None:
    """Replace the guides of queries like `query` on `conn`, and drop those not rewritten for `KEEP_SECONDS`.
    The caller keeps it best effort and stores nothing for a query that learned nothing, so the older guides
    stay (`api.day_slots.answer`)."""
    repo.store_guides(conn, query.date, query.duration_minutes, seats_key(query), dump(guides),
                      keep_seconds=KEEP_SECONDS)


@dataclass(frozen=True)
class KeptPlan:
    """The plan a slot query kept for one start, as moves onto the day's stored plan: each task it put
    elsewhere with its workers, and the workers it gave the new task."""

    moves: dict[str, list[str]]
    new_workers: list[str]

    def with_task(self, task_id: str) -> dict[str, list[str]]:
        """The moves with the booked task `task_id` on the new task's workers."""
        return {**self.moves, task_id: self.new_workers}


def booking_plan(conn: psycopg.Connection, day: date, start: datetime, end: datetime, skill: str | None,
                 crew: tuple[CrewEntry, ...] | None) -> KeptPlan | None:
    """The plan the latest slot query like this booking (same day, length and crew) kept for its start; None
    when no query kept one (the start was free in the day's plan, or guides are off). The guard tries it as a
    certificate (`api.guard.Guard.check`'s `moves`): a manager books a start the query has just offered, and
    where that took windows or a model to find, the guard's own search from the stored plan would find it
    again the same costly way (1.7-2.1 s of CP-SAT on one captured booking of the load test's L-90 day). A
    stale or foreign guide fails the check and costs milliseconds. Only a hint, so it is read before the day's
    lock is taken: the lock's queue is what every write of the day waits in."""
    if not enabled():
        return None
    try:
        query = SlotQuery(day, int((end - start).total_seconds() // 60), skill=skill, crew=crew)
    except InvalidInput:
        return None
    found = stored(conn, query)
    if found is None or start not in found.new:
        return None
    return KeptPlan({t: list(ws) for t, ws in found.plans.get(start, {}).items()}, list(found.new[start]))
