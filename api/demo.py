"""`flask --app api demo-data --date YYYY-MM-DD`: load a realistic operational day.

The day is `examples/demo-day.json` (a contract scenario built like the seed notes' test data: workers
off that day, fully free, fully booked; taken and untaken tasks; 30-minute tasks; the 10-12 / 12-16
trap), moved to the requested date with wall-clock times kept (`SLOT_PLANNER_DEMO_FILE` names another
file). Loading replaces earlier rows with the same ids, so it can be re-run.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import psycopg
from flask import current_app
from flask.cli import with_appcontext

from api import repository as repo
from api.auth import demo_tokens
from api.config import calendar
from api.db import run_in_transaction
from api.service import guard
from solver.domain import Scenario
from solver.schema import load_scenario

DEMO_FILE = Path(__file__).resolve().parent.parent / "examples" / "demo-day.json"


def demo_document() -> dict[str, Any]:
    path = Path(os.environ.get("SLOT_PLANNER_DEMO_FILE") or DEMO_FILE)
    try:
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise click.ClickException(f"cannot read the demo day {path}: {exc.strerror}") from exc
    return doc


def shift_to(scenario: Scenario, target: date) -> Scenario:
    """Move every time of the scenario by whole days so its main day becomes `target` (wall clock kept)."""
    zone = scenario.zone
    days = Counter(scenario.calendar.day_of(t.start) for t in scenario.tasks)
    source = days.most_common(1)[0][0] if days else target
    delta = target - source

    def move(dt: datetime) -> datetime:
        return (dt.astimezone(zone).replace(tzinfo=None) + delta).replace(tzinfo=zone)

    workers = tuple(replace(w, shifts=tuple(replace(s, start=move(s.start), end=move(s.end)) for s in w.shifts))
                    for w in scenario.workers)
    tasks = tuple(replace(t, start=move(t.start), end=move(t.end)) for t in scenario.tasks)
    return Scenario(scenario.timezone, scenario.day_start, workers, tasks)


def load_demo(conn: psycopg.Connection, scenario: Scenario,
              witness: dict[str, list[str]] | None = None) -> None:
    """Replace rows with the demo's ids by the demo, then prove the result feasible (and store its witness).

    `witness` (task id -> workers, e.g. a generated day's hidden plan) seeds the proof."""
    g = guard(conn)
    windows = [(s.start, s.end) for w in scenario.workers for s in w.shifts] + [
        (t.start, t.end) for t in scenario.tasks]
    g.lock(windows)
    worker_ids = [w.id for w in scenario.workers]
    repo.delete_rows_of(conn, worker_ids, [t.id for t in scenario.tasks])
    for w in scenario.workers:
        repo.insert_worker(conn, w.id, w.name or "", sorted(w.skills), None, None, (w.max_tasks, w.max_minutes))
        for s in w.shifts:
            repo.insert_shift(conn, w.id, s.start, s.end)
    for t in scenario.tasks:
        repo.insert_task(conn, t.id, t.start, t.end, None if len(t.crew) > 1 else t.crew[0].skill,
                         t.crew if len(t.crew) > 1 or t.crew[0].count > 1 else None)
        for holder in t.holders:
            repo.add_seat(conn, t.id, holder, None)
    cal = g.cal
    for day in sorted({cal.day_of(t.start) for t in scenario.tasks}):
        repo.store_witness(conn, day, {t.id: list((witness or {}).get(t.id, ())) for t in scenario.tasks
                                       if cal.day_of(t.start) == day and t.id in (witness or {})})
    g.check(windows)


@click.command("demo-data")
@click.option("--date", "day", default=None, help="operational day to load (YYYY-MM-DD); default: today")
@with_appcontext
def demo_data_command(day: str | None) -> None:
    """Load the demo day into the database (re-runnable: replaces the demo's own rows)."""
    cal = calendar()
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
