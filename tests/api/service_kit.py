"""Helpers for the service tests: building a day over HTTP, dumping tables, an independent feasibility check."""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from api.auth import create_token
from solver.calendar import OperationalCalendar
from solver.checker import assignment_problems
from solver.domain import CrewEntry, Scenario, Shift, Task, Worker

DAY = "2026-11-23"
MSK = ZoneInfo("Europe/Moscow")
PROBLEM = "application/problem+json"


def bearer(database_url: str, role: str = "admin", worker_id: str | None = None) -> dict[str, str]:
    """An Authorization header with a new token of `role`, for requests to a real server."""
    with psycopg.connect(database_url) as conn:
        return {"Authorization": f"Bearer {create_token(conn, role, worker_id, label=f'test {role}')[1]}"}


def at(hhmm: str, day: str = DAY) -> str:
    return f"{day}T{hhmm}"


def add_worker(client: Any, wid: str, skills: list[str], *shifts: tuple[str, str], **extra: Any) -> None:
    r = client.post("/api/v1/workers", json={"id": wid, "name": wid.title(), "skills": skills, **extra})
    assert r.status_code == 201, r.json
    for start, end in shifts:
        r = client.post(f"/api/v1/workers/{wid}/shifts", json={"start": start, "end": end})
        assert r.status_code == 201, r.json


def book(client: Any, tid: str, start: str, end: str, skill: str | None = None) -> Any:
    return client.post("/api/v1/tasks", json={"id": tid, "start": start, "end": end, "skill": skill})


def take(client: Any, tid: str, wid: str) -> Any:
    return client.post(f"/api/v1/tasks/{tid}/take", json={"worker_id": wid})


def assert_problem(resp: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.content_type == PROBLEM
    body = resp.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    if field is not None:
        fields = [e["field"] for e in body["errors"]]
        assert field in fields, body
    return body


def dump(database_url: str) -> dict[str, list[tuple]]:
    """Every row of every table, to compare before / after a refused change."""
    with psycopg.connect(database_url) as conn:
        return {
            "workers": conn.execute("SELECT id, name, skills, hire_date, fire_date, updated_at FROM workers"
                                    " ORDER BY id").fetchall(),
            "shifts": conn.execute("SELECT id, worker_id, period FROM shifts ORDER BY id").fetchall(),
            "tasks": conn.execute("SELECT id, period, skill, worker_id, updated_at FROM tasks ORDER BY id").fetchall(),
            "task_crew": conn.execute("SELECT * FROM task_crew ORDER BY 1, 2").fetchall(),
            "task_seats": conn.execute("SELECT task_id, worker_id, skill, period FROM task_seats ORDER BY 1, 2"
                                       ).fetchall(),
            "day_witness": conn.execute("SELECT day, assignment::text FROM day_witness ORDER BY day").fetchall(),
        }


def scenario_from_tables(database_url: str) -> Scenario:
    """The whole database as a contract Scenario, read with plain SQL (independent of api.guard): crews,
    holders (task_seats) and daily limits; a one-seat task of its skill is written as v1 wrote it.

    Hire / fire dates are not applied here: tests that use this helper leave them unset.
    """
    with psycopg.connect(database_url) as conn:
        workers = conn.execute("SELECT id, name, skills, max_tasks, max_minutes FROM workers ORDER BY id").fetchall()
        shifts = conn.execute("SELECT worker_id, lower(period), upper(period) FROM shifts ORDER BY 2").fetchall()
        tasks = conn.execute("SELECT id, lower(period), upper(period), skill FROM tasks ORDER BY 2, 1").fetchall()
        crews = conn.execute("SELECT task_id, skill, count FROM task_crew ORDER BY task_id, position").fetchall()
        seats = conn.execute("SELECT task_id, worker_id FROM task_seats ORDER BY taken_at, worker_id").fetchall()
    crew: dict[str, list[CrewEntry]] = defaultdict(list)
    for tid, skill, count in crews:
        crew[tid].append(CrewEntry(skill, count))
    holders: dict[str, list[str]] = defaultdict(list)
    for tid, wid in seats:
        holders[tid].append(wid)

    def task(i: str, a: datetime, b: datetime, sk: str | None) -> Task:
        if crew[i] == [CrewEntry(sk, 1)]:
            return Task(i, a, b, sk, holders[i][0] if holders[i] else None)
        return Task(i, a, b, None, None, tuple(crew[i]), tuple(holders[i]))

    return Scenario(
        "Europe/Moscow", datetime.strptime("03:00", "%H:%M").time(),
        tuple(Worker(w, n, frozenset(sk), tuple(Shift(a, b) for wid, a, b in shifts if wid == w), mt, mm)
              for w, n, sk, mt, mm in workers),
        tuple(task(*t) for t in tasks),
    )


def document(scenario: Scenario) -> dict[str, Any]:
    """A Scenario as the contract's JSON document (for the CLI)."""
    def task(t: Task) -> dict[str, Any]:
        out: dict[str, Any] = {"id": t.id, "start": t.start.isoformat(), "end": t.end.isoformat()}
        if t.crew == (CrewEntry(t.skill, 1),):
            return {**out, "skill": t.skill, "worker_id": t.holders[0] if t.holders else None}
        return {**out, "crew": [{"skill": c.skill, "count": c.count} for c in t.crew], "worker_ids": list(t.holders)}

    return {"timezone": scenario.timezone, "day_start": scenario.day_start.strftime("%H:%M"),
            "workers": [{"id": w.id, "name": w.name, "skills": sorted(w.skills), "max_tasks": w.max_tasks,
                         "max_minutes": w.max_minutes,
                         "shifts": [{"start": s.start.isoformat(), "end": s.end.isoformat()} for s in w.shifts]}
                        for w in scenario.workers],
            "tasks": [task(t) for t in scenario.tasks]}


def _seatable(task: Task, crew: list[Worker]) -> bool:
    """Can these distinct workers take distinct seats of the task whose skills they have? (all orders)"""
    skills = [c.skill for c in task.crew for _ in range(c.count)]
    return len(crew) <= len(skills) and any(
        all(skills[k] is None or skills[k] in w.skills for k, w in zip(order, crew, strict=False))
        for order in itertools.permutations(range(len(skills)), len(crew)))


def brute_force_assignment(scenario: Scenario) -> dict[str, tuple[str, ...]] | None:
    """Some plan giving every seat of every task a worker (holders kept), by exhaustive backtracking over
    the sets of workers per task, with no-overlap and the daily limits (small days only)."""
    workers = {w.id: w for w in scenario.workers}
    cal = OperationalCalendar(scenario.timezone, scenario.day_start)
    busy: dict[str, list[Task]] = {w: [] for w in workers}
    order = sorted(scenario.tasks, key=lambda t: (t.start, t.id))

    def free(t: Task, wid: str) -> bool:
        w = workers[wid]
        if not any(s.start <= t.start and t.end <= s.end for s in w.shifts):
            return False
        if any(t.start < b.end and b.start < t.end for b in busy[wid]):
            return False
        same_day = [b for b in busy[wid] if cal.day_of(b.start) == cal.day_of(t.start)]
        minutes = sum(((b.end - b.start) for b in same_day), t.end - t.start)
        return ((w.max_tasks is None or len(same_day) + 1 <= w.max_tasks)
                and (w.max_minutes is None or minutes <= timedelta(minutes=w.max_minutes)))

    out: dict[str, tuple[str, ...]] = {}

    def go(i: int) -> bool:
        if i == len(order):
            return True
        t = order[i]
        holders = list(t.holders)
        if not all(free(t, h) for h in holders):
            return False
        seats = sum(c.count for c in t.crew)
        others = [w for w in workers if w not in holders and free(t, w)]
        for extra in itertools.combinations(others, seats - len(holders)):
            crew = [*holders, *extra]
            if not _seatable(t, [workers[w] for w in crew]):
                continue
            for w in crew:
                busy[w].append(t)
            out[t.id] = tuple(crew)
            if go(i + 1):
                return True
            for w in crew:
                busy[w].pop()
            del out[t.id]
        return False

    return dict(out) if go(0) else None


def assert_day_feasible(database_url: str) -> None:
    """Independent check: a brute-force assignment exists and the solver-free checker accepts it."""
    scenario = scenario_from_tables(database_url)
    assignment = brute_force_assignment(scenario)
    assert assignment is not None, "the stored data cannot be covered"
    assert assignment_problems(scenario, {k: list(v) for k, v in assignment.items()}) == []


_ids = itertools.count()


def fresh_id(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"




class WatchedTurns:
    """The process's slot turns, telling when a query has started waiting for one."""

    def __init__(self, inner: threading.BoundedSemaphore) -> None:
        self.inner = inner
        self.waiting = threading.Event()

    def acquire(self, timeout: float | None = None) -> bool:
        self.waiting.set()
        return self.inner.acquire(timeout=timeout)

    def release(self) -> None:
        self.inner.release()
