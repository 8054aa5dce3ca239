"""`GET /slots` and checked changes say where their time went in a `Server-Timing` header (`api.timing`): a slot
query its wait for its slot turn, the day's read and the solve, or for a query that joined an identical one,
its wait for that answer; a change the guard checks its wait for the day's locks, its read, its check and the
keeping of the day's plan."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask, g

from api import timing
from api.limits import SLOT_TURN_KEY
from tests.api.service_kit import DAY, add_worker, at

QUERY = f"/api/v1/slots?date={DAY}&duration_minutes=60&step_minutes=60"


def test_a_slot_answer_times_its_turn_its_read_and_its_solve(client: Any) -> None:
    add_worker(client, "anna", [], (at("09:00"), at("17:00")))
    r = client.get(QUERY)
    assert r.status_code == 200 and r.get_json()["slots"]
    stages = timing.parse(r.headers[timing.HEADER])
    assert list(stages) == ["turn", "read", "solve"]
    assert all(0 <= seconds < 30 for seconds in stages.values())
    assert stages["read"] > 0 and stages["solve"] > 0  # both ran, in the solver process


def test_the_turn_a_query_waited_for_shows_in_its_header(app: Any, client: Any) -> None:
    turns = app.extensions[SLOT_TURN_KEY]
    assert turns.acquire()  # as if another slot query of this process were solving
    began = time.monotonic()
    threading.Timer(0.4, turns.release).start()  # its turn comes free 0.4 s later
    r = client.get(QUERY)
    waited = time.monotonic() - began
    assert r.status_code == 200
    turn = timing.parse(r.headers[timing.HEADER])["turn"]
    assert 0.35 <= turn <= waited


def test_other_answers_carry_no_server_timing(client: Any) -> None:
    assert timing.HEADER not in client.get("/healthz").headers


def test_the_header_reads_back_as_written_and_entries_without_a_duration_are_left_out() -> None:
    written = timing.header([("turn", 0.0123), ("solve", 1.5)])
    assert written == "turn;dur=12.3, solve;dur=1500.0"
    assert timing.parse(written) == {"turn": 0.0123, "solve": 1.5}
    assert timing.parse('cache;desc="hit", db;dur=bad, x;dur=2') == {"x": 0.002}
    assert timing.parse(None) == {}


def test_a_checked_change_times_its_lock_wait_its_read_its_check_and_its_store(client: Any) -> None:
    add_worker(client, "anna", [], (at("09:00"), at("17:00")))
    r = client.post("/api/v1/tasks", json={"id": "t1", "start": at("10:00"), "end": at("11:00")})
    assert r.status_code == 201
    stages = timing.parse(r.headers[timing.HEADER])
    assert list(stages) == ["lock", "read", "check", "store"]
    assert all(0 <= seconds < 30 for seconds in stages.values())
    assert stages["check"] > 0  # in the solver process
    r = client.post("/api/v1/tasks/t1/take", json={"worker_id": "anna"})
    assert r.status_code == 200 and list(timing.parse(r.headers[timing.HEADER])) == ["lock", "read", "check", "store"]
    r = client.post("/api/v1/tasks/t1/release")  # no check (a release strands nothing): only its lock wait
    assert r.status_code == 200 and list(timing.parse(r.headers[timing.HEADER])) == ["lock"]


def test_stages_noted_twice_add_up() -> None:
    with Flask(__name__).test_request_context():
        timing.note("lock", 0.25)
        timing.note("read", 0.5)
        timing.note("lock", 0.5)
        assert timing.header(g.server_timing) == "lock;dur=750.0, read;dur=500.0"
