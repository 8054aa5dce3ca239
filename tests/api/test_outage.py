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
