"""`flask --app api demo-data --date YYYY-MM-DD`: load a realistic operational day.

The day is `examples/demo-day.json` (a contract scenario built like the seed notes' test data: workers
off that day, fully free, fully booked; taken and untaken tasks; 30-minute tasks; the 10-12 / 12-16
trap), moved to the requested date with wall-clock times kept. Without that file, the same cases are
built from `FALLBACK` below. Loading replaces earlier rows with the same ids, so it can be re-run.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import psycopg
from flask import current_app
from flask.cli import with_appcontext

from api import queries as q
from api import service
from api.auth import demo_tokens
from api.db import run_in_transaction
from solver.domain import Scenario
from solver.schema import load_scenario

DEMO_FILE = Path(__file__).resolve().parent.parent / "examples" / "demo-day.json"


def _fallback() -> dict[str, Any]:
    def sh(a: str, b: str, day: str = "2026-11-23") -> dict[str, str]:
        return {"start": f"{day}T{a}", "end": f"{day}T{b}"}

    def task(i: str, a: str, b: str, skill: str | None, worker: str | None) -> dict[str, Any]:
        return {"id": i, "start": f"2026-11-23T{a}", "end": f"2026-11-23T{b}", "skill": skill, "worker_id": worker}

    return {
        "timezone": "Europe/Moscow", "day_start": "03:00",
        "workers": [
            {"id": "anna", "name": "Anna", "skills": ["install"], "shifts": [sh("09:00", "13:00")]},
            {"id": "boris", "name": "Boris", "skills": ["install"], "shifts": [sh("09:00", "17:00")]},
            {"id": "vera", "name": "Vera", "skills": ["install", "repair"], "shifts": [sh("14:00", "18:00")]},
            {"id": "grigory", "name": "Grigory (off on the 23rd)", "skills": ["install", "repair"],
             "shifts": [sh("09:00", "18:00", "2026-11-22"), sh("09:00", "18:00", "2026-11-24")]},
            {"id": "dmitry", "name": "Dmitry (free all shift)", "skills": ["repair"], "shifts": [sh("12:00", "16:00")]},
            {"id": "elena", "name": "Elena (fully booked)", "skills": ["install"], "shifts": [sh("08:00", "12:00")]},
        ],
        "tasks": [
            task("t1", "10:00", "12:00", "install", None),  # the trap: t1 must go to Anna, or t2 is stranded
            task("t2", "12:00", "16:00", "install", None),
            task("t3", "14:30", "15:30", "repair", "vera"),
            task("e1", "08:00", "09:30", None, "elena"),
            task("e2", "09:30", "10:00", None, "elena"),  # a 30-minute task
            task("e3", "10:00", "12:00", "install", "elena"),
            task("r1", "16:00", "16:30", "repair", None),
        ],
    }


def demo_document() -> dict[str, Any]:
    path = Path(os.environ.get("SLOT_PLANNER_DEMO_FILE") or DEMO_FILE)
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return _fallback()


def shift_to(scenario: Scenario, target: date) -> Scenario:
    """Move every time of the scenario by whole days so its main day becomes `target` (wall clock kept)."""
    zone = scenario.zone
    days = Counter(
        scenario.day_bounds(t.start.astimezone(zone).date())[0] <= t.start and t.start.astimezone(zone).date()
        or t.start.astimezone(zone).date() - timedelta(days=1)
        for t in scenario.tasks
    )
    source = days.most_common(1)[0][0] if days else target
    delta = target - source

    def move(dt: datetime) -> datetime:
        return (dt.astimezone(zone).replace(tzinfo=None) + delta).replace(tzinfo=zone)

    from dataclasses import replace

    workers = tuple(replace(w, shifts=tuple(replace(s, start=move(s.start), end=move(s.end)) for s in w.shifts))
                    for w in scenario.workers)
    tasks = tuple(replace(t, start=move(t.start), end=move(t.end)) for t in scenario.tasks)
    return Scenario(scenario.timezone, scenario.day_start, workers, tasks)


def load_demo(conn: psycopg.Connection, scenario: Scenario) -> None:
    """Replace rows with the demo's ids by the demo, then prove the result feasible (and store its witness)."""
    g = service.guard(conn)
    windows = [(s.start, s.end) for w in scenario.workers for s in w.shifts] + [
        (t.start, t.end) for t in scenario.tasks]
    g.lock(windows)
    task_ids = [t.id for t in scenario.tasks]
    worker_ids = [w.id for w in scenario.workers]
    conn.execute("DELETE FROM tasks WHERE id = ANY(%(ids)s) OR worker_id = ANY(%(workers)s)",
                 {"ids": task_ids, "workers": worker_ids})
    conn.execute("DELETE FROM workers WHERE id = ANY(%(ids)s)", {"ids": worker_ids})
    for w in scenario.workers:
        conn.execute(q.INSERT_WORKER, {"id": w.id, "name": w.name or "", "skills": sorted(w.skills),
                                       "hire_date": None, "fire_date": None})
        for s in w.shifts:
            conn.execute(q.INSERT_SHIFT, {"worker_id": w.id, "start": s.start, "end": s.end})
    for t in scenario.tasks:
        conn.execute(q.INSERT_TASK, {"id": t.id, "start": t.start, "end": t.end, "skill": t.skill})
        if t.worker_id:
            conn.execute(q.SET_TASK_WORKER, {"id": t.id, "worker_id": t.worker_id})
    g.check(windows)


@click.command("demo-data")
@click.option("--date", "day", default=None, help="operational day to load (YYYY-MM-DD); default: today")
@with_appcontext
def demo_data_command(day: str | None) -> None:
    """Load the demo day into the database (re-runnable: replaces the demo's own rows)."""
    cal = service.calendar()
    try:
        target = date.fromisoformat(day) if day else datetime.now(cal.zone).date()
    except ValueError as exc:
        raise click.BadParameter("expected YYYY-MM-DD", param_hint="--date") from exc
    scenario = shift_to(load_scenario(demo_document()), target)
    try:
        run_in_transaction(lambda conn: load_demo(conn, scenario))
    except psycopg.errors.UndefinedTable as exc:
        raise click.ClickException("tables are missing: run `flask --app api db upgrade` first") from exc
    port = os.environ.get("PORT", "8080")
    click.echo(f"demo day {target.isoformat()} loaded: {len(scenario.workers)} workers, "
               f"{len(scenario.tasks)} tasks ({current_app.config['TIMEZONE']}, day starts "
               f"{current_app.config['DAY_START']})")
    installer = next((w.id for w in scenario.workers if w.shifts), None)
    tokens = run_in_transaction(lambda conn: demo_tokens(conn, installer))
    for role, token in tokens.items():
        click.echo(f"{role} token{f' (worker {installer})' if role == 'installer' else ''}: {token}")
    click.echo(f"curl -H 'Authorization: Bearer {tokens['manager']}'"
               f" 'http://127.0.0.1:{port}/api/v1/slots?date={target.isoformat()}&duration_minutes=90&step_minutes=30'")
