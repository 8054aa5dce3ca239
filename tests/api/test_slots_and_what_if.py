"""Slots from the database equal `python -m solver slots` on the same data; the what-if endpoints
answer like the CLI and touch nothing in the database."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from service_kit import add_worker, assert_problem, at, book, dump, take

from api import guides
from api.db import unit_of_work
from solver.domain import Guides, SlotQuery

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo-day.json"


def cli(args: list[str], doc: dict[str, Any] | None = None, path: Path | None = None) -> dict[str, Any]:
    source = str(path) if path else "-"
    out = subprocess.run([sys.executable, "-m", "solver", *args[:1], source, *args[1:]], cwd=REPO,
                         input=None if path else json.dumps(doc), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


# A day built over HTTP, and the same day written by hand as a contract scenario (not exported by the
# service): a split shift, a night shift across midnight and 03:00, a task of the previous day reaching
# into this one, skills, taken and untaken tasks.
WORKERS = [
    ("anna", ["install"], [("09:00", "13:00", "23")]),
    ("boris", ["install", "repair"], [("09:00", "17:00", "23")]),
    ("vera", ["repair"], [("07:00", "11:00", "23"), ("15:00", "19:00", "23")]),
    ("igor", ["install"], [("22:00", "06:00", "23"), ("20:00", "04:00", "24")]),
]
TASKS = [
    ("t1", "10:00", "12:00", "23", "install", None),
    ("t2", "12:00", "16:00", "23", "install", None),
    ("t3", "15:30", "16:30", "23", "repair", "vera"),
    ("t4", "07:00", "07:30", "23", None, None),
    ("n0", "02:30", "04:00", "23", None, "igor"),  # starts on the 22nd's operational day, ends in the 23rd
    ("n1", "23:00", "00:30", "24", "install", None),
]


def _iso(hhmm: str, day: str) -> str:
    return f"2026-11-{day}T{hhmm}"


@pytest.fixture
def built(client: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"timezone": "Europe/Moscow", "day_start": "03:00", "workers": [], "tasks": []}
    for wid, skills, shifts in WORKERS:
        spans = []
        for a, b, day in shifts:
            start_day = f"{int(day) - 1}" if b < a else day  # overnight: starts the day before it ends
            spans.append((_iso(a, start_day), _iso(b, day)))
        add_worker(client, wid, skills, *spans)
        doc["workers"].append({"id": wid, "name": wid.title(), "skills": skills,
                               "shifts": [{"start": s, "end": e} for s, e in spans]})
    for tid, a, b, day, skill, worker in TASKS:
        start_day = f"{int(day) - 1}" if b < a else day
        start, end = _iso(a, start_day), _iso(b, day)
        assert book(client, tid, start, end, skill).status_code == 201
        if worker:
            assert take(client, tid, worker).status_code == 200
        doc["tasks"].append({"id": tid, "start": start, "end": end, "skill": skill, "worker_id": worker})
    return doc


@pytest.mark.parametrize(("duration", "step", "skill"), [(90, 15, None), (60, 30, "install"), (30, 10, "repair"),
                                                        (240, 60, None)])
def test_slots_equal_the_offline_command(client: Any, built: dict[str, Any], duration: int, step: int,
                                         skill: str | None) -> None:
    params = {"date": "2026-11-23", "duration_minutes": duration, "step_minutes": step}
    args = ["slots", "--date", "2026-11-23", "--duration", str(duration), "--step", str(step)]
    if skill:
        params["skill"] = skill
        args += ["--skill", skill]
    r = client.get("/api/v1/slots", query_string=params)
    assert r.status_code == 200
    assert r.json == cli(args, built)
    assert r.json["slots"], "the fixture day should have slots"


def test_demo_data_slots_equal_the_offline_command_on_the_demo_file(app: Any, client: Any) -> None:
    result = app.test_cli_runner().invoke(args=["demo-data", "--date", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert "curl -H 'Authorization: Bearer sp_" in result.output
    assert "'http://127.0.0.1:8080/api/v1/slots?date=2026-11-23" in result.output
    for duration, step in [(90, 30), (30, 15)]:
        r = client.get("/api/v1/slots", query_string={"date": "2026-11-23", "duration_minutes": duration,
                                                      "step_minutes": step})
        expected = cli(["slots", "--date", "2026-11-23", "--duration", str(duration), "--step", str(step)], path=DEMO)
        assert r.json == expected
    # Loading again (another date too) replaces the demo's rows instead of failing.
    assert app.test_cli_runner().invoke(args=["demo-data", "--date", "2027-03-01"]).exit_code == 0
    moved = client.get("/api/v1/tasks", query_string={"date": "2027-03-01"}).json
    assert {t["id"] for t in moved} >= {"t1", "t2", "t3"}
    assert client.get("/api/v1/tasks", query_string={"date": "2026-11-23"}).json == []


def test_slots_of_an_infeasible_day_say_so(client: Any, database_url: str) -> None:
    add_worker(client, "anna", ["install"], (at("09:00"), at("13:00")))
    with psycopg.connect(database_url) as conn:  # bypass the guard to create a broken day
        conn.execute("INSERT INTO tasks (id, period) VALUES"
                     " ('a', tstzrange('2026-11-23 10:00+03', '2026-11-23 11:00+03')),"
                     " ('b', tstzrange('2026-11-23 10:30+03', '2026-11-23 11:30+03'))")
    r = client.get("/api/v1/slots?date=2026-11-23&duration_minutes=30")
    assert r.json["feasible_base"] is False and r.json["slots"] == [] and len(r.json["uncovered"]) == 1


def test_what_if_slots_equal_the_cli_and_touch_nothing(client: Any, built: dict[str, Any],
                                                       database_url: str) -> None:
    before = dump(database_url)
    trap = json.loads((REPO / "examples" / "greedy-trap.json").read_text())
    body = {"scenario": trap, "date": "2026-11-23", "duration_minutes": 60, "step_minutes": 30}
    r = client.post("/api/v1/what-if/slots", json=body)
    assert r.status_code == 200
    assert r.json == cli(["slots", "--date", "2026-11-23", "--duration", "60", "--step", "30"], trap)
    r = client.post("/api/v1/what-if/plan", json={"scenario": trap})
    assert r.status_code == 200
    assert r.json == cli(["plan"], trap)
    assert r.json["feasible"] is True and r.json["assignment"]["t1"] == ["anna"]
    assert dump(database_url) == before


def test_what_if_plan_names_the_uncovered(client: Any) -> None:
    doc = {"timezone": "UTC", "workers": [{"id": "w", "shifts": [{"start": "2026-11-23T09:00",
                                                                    "end": "2026-11-23T12:00"}]}],
           "tasks": [{"id": "a", "start": "2026-11-23T09:00", "end": "2026-11-23T11:00"},
                     {"id": "b", "start": "2026-11-23T10:00", "end": "2026-11-23T12:00"}]}
    r = client.post("/api/v1/what-if/plan", json={"scenario": doc})
    assert r.json["feasible"] is False and r.json["status"] == "infeasible" and len(r.json["uncovered"]) == 1
    assert r.json["uncovered_is_minimal"] is True


@pytest.mark.parametrize(("change", "field"), [
    ({"duration_minutes": 29}, "duration_minutes"),
    ({"duration_minutes": 241}, "duration_minutes"),
    ({"duration_minutes": "90"}, "duration_minutes"),
    ({"date": "2026-02-30"}, "date"),
    ({"step_minutes": 0}, "step_minutes"),
    ({"scenario": {"timezone": "Mars/Olympus"}}, "scenario.timezone"),
    ({"scenario": {"tasks": [{"id": "t", "start": "2026-11-23T10:00", "end": "soon"}]}}, "scenario.tasks[0].end"),
    ({"scenario": {"tasks": [{"id": "t", "start": "2026-11-23T10:00", "end": "2026-11-23T11:00",
                              "worker_id": "ghost"}]}}, "tasks"),
    ({"scenario": None}, "scenario"),
])
def test_what_if_slots_invalid_input_is_422_problem(client: Any, change: dict[str, Any], field: str) -> None:
    body = {"scenario": {"workers": [], "tasks": []}, "date": "2026-11-23", "duration_minutes": 60} | change
    assert_problem(client.post("/api/v1/what-if/slots", json=body), 422, field)


def test_made_up_guides_do_not_change_the_slots(app: Any, client: Any, built: dict[str, Any]) -> None:
    """What earlier queries learned (`api.guides`) is a hint: even plans that fit nothing leave the answer
    exactly the offline command's."""
    query = SlotQuery(date(2026, 11, 23), 90, 15)
    rnd = random.Random(7)
    names = [w for w, _, _ in WORKERS]

    def made_up() -> dict[str, tuple[str, ...]]:
        return {t[0]: (rnd.choice(names),) for t in TASKS}

    starts = [datetime.fromisoformat("2026-11-23T03:00+03:00") + timedelta(minutes=15 * k) for k in range(96)]
    stored = Guides(made_up(), {s: made_up() for s in starts})
    with app.app_context():
        with unit_of_work() as conn:
            guides.store(conn, query, stored)
        with unit_of_work() as conn:  # kept, so the query below starts from them
            assert guides.stored(conn, query) == stored
    r = client.get("/api/v1/slots", query_string={"date": "2026-11-23", "duration_minutes": 90, "step_minutes": 15})
    assert r.json == cli(["slots", "--date", "2026-11-23", "--duration", "90", "--step", "15"], built)
