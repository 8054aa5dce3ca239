"""A database outage answers 503 problem+json (never 500, never a hang), and the service recovers by
itself when the database returns. The outage is real: the test database stops accepting connections
and every connection to it is terminated."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from service_kit import assert_problem, at


@pytest.fixture
def database_url(fresh_database_url: str) -> str:
    """This test takes its database down, so it gets one of its own."""
    return fresh_database_url


def _admin(database_url: str, sql_text: str) -> None:
    with psycopg.connect(make_conninfo(database_url, dbname="postgres"), autocommit=True) as conn:
        conn.execute(sql_text)


def _outage(database_url: str, down: bool) -> None:
    name = conninfo_to_dict(database_url)["dbname"]
    _admin(database_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"false" if down else "true"}')
    if down:
        _admin(database_url, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")


def test_outage_is_503_and_the_service_recovers(client: Any, database_url: str) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.post("/api/v1/workers", json={"id": "anna"}).status_code == 201
    _outage(database_url, down=True)
    try:
        began = time.monotonic()
        body = assert_problem(client.get("/healthz"), 503)
        assert body["type"] == "/problems/unavailable"
        assert time.monotonic() - began < 15
        assert_problem(client.get("/api/v1/workers/anna"), 503)
        assert_problem(client.post("/api/v1/tasks", json={"start": at("10:00"), "duration_minutes": 60}), 503)
        assert_problem(client.get("/api/v1/slots?date=2026-11-23&duration_minutes=60"), 503)
    finally:
        _outage(database_url, down=False)
    deadline = time.monotonic() + 30
    while client.get("/healthz").status_code != 200:
        assert time.monotonic() < deadline, "the service did not recover"
        time.sleep(0.2)
    assert client.get("/api/v1/workers/anna").status_code == 200


PLAN = {"scenario": {"timezone": "Europe/Moscow",
                     "workers": [{"id": "w", "skills": [], "shifts": [{"start": at("09:00"), "end": at("17:00")}]}],
                     "tasks": [{"id": "x", "start": at("10:00"), "end": at("11:00")}]}}


def test_outage_fails_fast_what_if_keeps_answering_and_recovery_takes_seconds(client: Any, database_url: str) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.post("/api/v1/what-if/plan", json=PLAN).status_code == 200
    _outage(database_url, down=True)
    try:
        assert_problem(client.get("/healthz"), 503)  # the first failed connection trips the breaker
        waits = []
        for url in ["/healthz", "/api/v1/workers", "/api/v1/tasks?date=2026-11-23", "/healthz"]:
            began = time.monotonic()
            r = client.get(url)
            waits.append(time.monotonic() - began)
            assert_problem(r, 503)
            assert 1 <= int(r.headers["Retry-After"]) <= 5
        # At once: well under the pool timeout (3 s here) that each request used to wait.
        assert max(waits) < 1.0, waits
        plan = client.post("/api/v1/what-if/plan", json=PLAN)
        assert plan.status_code == 200 and plan.json["feasible"] is True  # what-if needs no database
    finally:
        _outage(database_url, down=False)
    began = time.monotonic()
    while client.get("/healthz").status_code != 200:
        assert time.monotonic() - began < 30, "the service did not recover"
        time.sleep(0.1)
    recovery = time.monotonic() - began
    assert recovery < 5.0, f"recovery took {recovery:.1f} s"  # the back-off (2 s) plus one probe
    assert client.post("/api/v1/workers", json={"id": "back"}).status_code == 201
