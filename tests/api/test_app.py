"""The application shell: migrations, health, the OpenAPI document."""

from __future__ import annotations

import os
import uuid
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from api import create_app
from api.db import SQL_DIR, close_pool


def test_db_upgrade_creates_the_database_and_is_idempotent(database_url: str) -> None:
    name = f"slot_planner_test_fresh_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = make_conninfo(database_url, dbname=name)
    app = create_app({"DATABASE_URL": url})
    runner = app.test_cli_runner()
    try:
        first = runner.invoke(args=["db", "upgrade"])
        assert first.exit_code == 0, first.output
        migrations = sorted(p.stem for p in SQL_DIR.glob("*.sql") if not p.stem.endswith(".rollback"))
        assert f"applied {len(migrations)} migration(s): {', '.join(migrations)}" in first.output
        second = runner.invoke(args=["db", "upgrade"])
        assert second.exit_code == 0 and "applied 0 migration(s)" in second.output
        with psycopg.connect(url) as conn:
            tables = {r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()}
        assert {"workers", "shifts", "tasks", "day_witness", "api_tokens", "events"} <= tables
    finally:
        close_pool(app)
        with psycopg.connect(make_conninfo(database_url, dbname="postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_healthz_checks_the_database(client: Any) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok", "database": "ok"}


EXPECTED = {
    "/api/v1/workers": {"get", "post"},
    "/api/v1/workers/{worker_id}": {"get", "patch", "delete"},
    "/api/v1/workers/{worker_id}/shifts": {"get", "post"},
    "/api/v1/workers/{worker_id}/shifts/{shift_id}": {"delete"},
    "/api/v1/tasks": {"get", "post"},
    "/api/v1/tasks/{task_id}": {"get", "patch", "delete"},
    "/api/v1/tasks/{task_id}/take": {"post"},
    "/api/v1/tasks/{task_id}/release": {"post"},
    "/api/v1/workers/{worker_id}/takeable": {"get"},
    "/api/v1/slots": {"get"},
    "/api/v1/slots/explain": {"get"},
    "/api/v1/slots/next": {"get"},
    "/api/v1/what-if/slots": {"post"},
    "/api/v1/what-if/plan": {"post"},
    "/api/v1/tasks/{task_id}/history": {"get"},
    "/api/v1/events": {"get"},
    "/api/v1/session": {"get", "post", "delete"},
    "/api/v1/what-if/takeable": {"post"},
    "/api/v1/what-if/explain": {"post"},
    "/api/v1/what-if/next": {"post"},
    "/healthz": {"get"},
}
# Rosters, absences and the day document (api/views/rosters.py, absences.py, days.py).
EXPECTED |= {
    "/api/v1/workers/{worker_id}/patterns": {"get", "post"},
    "/api/v1/workers/{worker_id}/patterns/{pattern_id}": {"get", "patch", "delete"},
    "/api/v1/workers/{worker_id}/patterns/{pattern_id}/overrides/{day}": {"put", "delete"},
    "/api/v1/workers/{worker_id}/absences": {"get", "post"},
    "/api/v1/workers/{worker_id}/absences/{absence_id}": {"delete"},
    "/api/v1/days/{day}": {"get"},
    "/api/v1/days/{day}/scenario": {"get"},
    "/api/v1/workers/{worker_id}/calendar.ics": {"get"},
    "/api/v1/workers/{worker_id}/calendar-token": {"post"},
    "/api/v1/free-time": {"get"},
    "/api/v1/availability": {"get"},
}


def test_openapi_describes_every_endpoint(client: Any) -> None:
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    paths = {p: {m for m in ops if m in {"get", "post", "patch", "delete", "put"}} for p, ops in spec["paths"].items()}
    assert paths == EXPECTED
    for ops in spec["paths"].values():
        for method, op in ops.items():
            if method == "parameters":
                continue
            assert op.get("summary"), op
            assert any(code.startswith("2") for code in op["responses"])
    schemas = spec["components"]["schemas"]
    assert {"Scenario", "SlotAnswer", "WhatIfSlots", "Problem", "TakeableAnswer", "Explanation", "NextAnswer",
            "WhatIfTakeable", "WhatIfExplain", "WhatIfNext", "CrewEntry"} <= set(schemas)
    assert {"crew", "worker_ids"} <= set(schemas["TaskResource"]["properties"])
    assert {"max_tasks", "max_minutes"} <= set(schemas["WorkerCreate"]["properties"])
    assert "explain" in schemas["Problem"]["properties"]
    what_if = spec["paths"]["/api/v1/what-if/slots"]["post"]
    assert what_if["responses"]["422"]["content"]["application/problem+json"]
    assert client.get("/docs").status_code == 200
