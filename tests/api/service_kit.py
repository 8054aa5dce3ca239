"""Helpers for the service tests: building a day over HTTP, dumping tables, an independent feasibility check."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import requests

from api.auth import create_token
from solver.checker import assignment_problems
from solver.domain import Scenario, Shift, Task, Worker

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
            "day_witness": conn.execute("SELECT day, assignment::text FROM day_witness ORDER BY day").fetchall(),
        }


def scenario_from_tables(database_url: str) -> Scenario:
    """The whole database as a contract Scenario, read with plain SQL (independent of api.guard).

    Hire / fire dates are not applied here: tests that use this helper leave them unset.
    """
    with psycopg.connect(database_url) as conn:
        workers = conn.execute("SELECT id, name, skills FROM workers ORDER BY id").fetchall()
        shifts = conn.execute("SELECT worker_id, lower(period), upper(period) FROM shifts ORDER BY 2").fetchall()
        tasks = conn.execute("SELECT id, lower(period), upper(period), skill, worker_id FROM tasks"
                             " ORDER BY 2, 1").fetchall()
    return Scenario(
        "Europe/Moscow", datetime.strptime("03:00", "%H:%M").time(),
        tuple(Worker(w, n, frozenset(sk), tuple(Shift(a, b) for wid, a, b in shifts if wid == w))
              for w, n, sk in workers),
        tuple(Task(i, a, b, sk, w) for i, a, b, sk, w in tasks),
    )


def brute_force_assignment(scenario: Scenario) -> dict[str, str] | None:
    """Some valid assignment of every untaken task, by exhaustive backtracking (small days only)."""
    workers = {w.id: w for w in scenario.workers}
    busy: dict[str, list[tuple[datetime, datetime]]] = {w: [] for w in workers}
    for t in scenario.tasks:
        if t.worker_id:
            busy[t.worker_id].append((t.start, t.end))
    untaken = sorted((t for t in scenario.tasks if not t.worker_id), key=lambda t: t.start)

    def fits(t: Task, wid: str) -> bool:
        w = workers[wid]
        if t.skill is not None and t.skill not in w.skills:
            return False
        if not any(s.start <= t.start and t.end <= s.end for s in w.shifts):
            return False
        return all(t.end <= a or b <= t.start for a, b in busy[wid])

    out: dict[str, str] = {}

    def go(i: int) -> bool:
        if i == len(untaken):
            return True
        t = untaken[i]
        for wid in workers:
            if fits(t, wid):
                busy[wid].append((t.start, t.end))
                out[t.id] = wid
                if go(i + 1):
                    return True
                busy[wid].pop()
                del out[t.id]
        return False

    return dict(out) if go(0) else None


def assert_day_feasible(database_url: str) -> None:
    """Independent check: a brute-force assignment exists and the solver-free checker accepts it."""
    scenario = scenario_from_tables(database_url)
    assignment = brute_force_assignment(scenario)
    assert assignment is not None, "the stored data cannot be covered"
    assert assignment_problems(scenario, assignment) == []


_ids = itertools.count()


def fresh_id(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


@contextmanager
def gunicorn(database_url: str, *, workers: int = 1, threads: int = 4, args: tuple[str, ...] = (),
             **env: str) -> Iterator[str]:
    """A real server (gunicorn) on a free 127.0.0.1 port, with extra SLOT_PLANNER_* settings; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    full_env = {**os.environ, "DATABASE_URL": database_url, "SLOT_PLANNER_TIMEZONE": "Europe/Moscow",
                "SLOT_PLANNER_DAY_START": "03:00", **env}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", *args, "api:create_app()"],
        cwd=Path(__file__).resolve().parents[2], env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
