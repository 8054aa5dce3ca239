"""sql/0004_crews migrates v1 data: a database migrated to 0001 only, holding workers, shifts, tasks and
takers, keeps answering the same slots after 0004 (every task a one-seat crew of its skill, every taker
a holder); its rollback gives v1 back."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo
from service_kit import at
from test_slots_and_what_if import cli

from api import create_app
from api.auth import create_token
from api.db import SQL_DIR, _yoyo_url, close_pool, unit_of_work, upgrade

V1_WORKERS = [("anna", ["install"], [("09:00", "13:00")]), ("boris", ["install", "repair"], [("09:00", "17:00")]),
              ("vera", ["repair"], [("14:00", "18:00")])]
V1_TASKS = [("t1", "10:00", "12:00", "install", None), ("t2", "12:00", "16:00", "install", None),
            ("t3", "14:30", "15:30", "repair", "vera"), ("t4", "09:00", "10:00", None, "boris")]


@pytest.fixture
def v1_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A new database migrated with 0001 only, holding a v1 day written with plain SQL."""
    url = make_conninfo(database_url, dbname=f"slot_planner_test_v1_{os.getpid()}_{uuid.uuid4().hex[:8]}")
    only_v1 = tmp_path / "sql"
    only_v1.mkdir()
    for name in ("0001_schema.sql", "0001_schema.rollback.sql"):
        shutil.copy(SQL_DIR / name, only_v1 / name)
    upgrade(url, only_v1)
    with psycopg.connect(url) as conn:
        for wid, skills, shifts in V1_WORKERS:
            conn.execute("INSERT INTO workers (id, name, skills) VALUES (%s, %s, %s)", (wid, wid.title(), skills))
            for a, b in shifts:
                conn.execute("INSERT INTO shifts (worker_id, period) VALUES (%s, tstzrange(%s, %s, '[)'))",
                             (wid, f"{at(a)}+03", f"{at(b)}+03"))
        for tid, a, b, skill, taker in V1_TASKS:
            conn.execute("INSERT INTO tasks (id, period, skill, worker_id)"
                         " VALUES (%s, tstzrange(%s, %s, '[)'), %s, %s)",
                         (tid, f"{at(a)}+03", f"{at(b)}+03", skill, taker))
        conn.execute("INSERT INTO day_witness (day, assignment)"
                     """ VALUES ('2026-11-23', '{"t1": "anna", "t2": "boris"}')""")
    try:
        yield url
    finally:
        with psycopg.connect(make_conninfo(database_url, dbname="postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{psycopg.conninfo.conninfo_to_dict(url)["dbname"]}" WITH (FORCE)')


def _document() -> dict[str, Any]:
    return {"timezone": "Europe/Moscow", "day_start": "03:00",
            "workers": [{"id": w, "skills": sk, "shifts": [{"start": at(a), "end": at(b)} for a, b in sh]}
                        for w, sk, sh in V1_WORKERS],
            "tasks": [{"id": t, "start": at(a), "end": at(b), "skill": sk, "worker_id": wk}
                      for t, a, b, sk, wk in V1_TASKS]}


def test_v1_data_answers_the_same_slots_after_0004(v1_database: str) -> None:
    doc = _document()
    queries = [(60, 60, None), (90, 15, "install"), (30, 30, "repair")]
    expected = [cli(["slots", "--date", "2026-11-23", "--duration", str(d), "--step", str(s),
                     *(["--skill", k] if k else [])], doc) for d, s, k in queries]
    assert "0004_crews" in upgrade(v1_database)
    app = create_app({"DATABASE_URL": v1_database, "TIMEZONE": "Europe/Moscow", "DAY_START": "03:00"})
    try:
        with app.app_context(), unit_of_work() as conn:
            token = create_token(conn, "admin")[1]
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        for (d, s, k), want in zip(queries, expected, strict=True):
            params = {"date": "2026-11-23", "duration_minutes": d, "step_minutes": s, **({"skill": k} if k else {})}
            assert client.get("/api/v1/slots", query_string=params).json == want
        tasks = {t["id"]: t for t in client.get("/api/v1/tasks", query_string={"date": "2026-11-23"}).json}
        for tid, _, _, skill, taker in V1_TASKS:
            assert tasks[tid]["crew"] == [{"skill": skill, "count": 1}]
            assert (tasks[tid]["worker_id"], tasks[tid]["worker_ids"]) == (taker, [taker] if taker else [])
        # v1 operations keep working on migrated data: release and take a one-seat task.
        assert client.post("/api/v1/tasks/t4/release").json["worker_id"] is None
        assert client.post("/api/v1/tasks/t1/take", json={"worker_id": "anna"}).json["worker_ids"] == ["anna"]
    finally:
        close_pool(app)
    with psycopg.connect(v1_database) as conn:
        (witness,) = conn.execute("SELECT assignment FROM day_witness WHERE day = '2026-11-23'").fetchone()
    assert all(isinstance(ws, list) for ws in witness.values())  # the stored witness now lists workers


def test_0004_rolls_back_to_v1_and_applies_again(v1_database: str) -> None:
    from yoyo import get_backend, read_migrations  # noqa: PLC0415

    upgrade(v1_database)
    backend = get_backend(_yoyo_url(v1_database))
    try:
        migrations = read_migrations(str(SQL_DIR))
        with backend.lock():
            backend.rollback_migrations(backend.to_rollback(migrations.filter(lambda m: m.id == "0004_crews")))
    finally:
        backend.connection.close()
    with psycopg.connect(v1_database) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        takers = dict(conn.execute("SELECT id, worker_id FROM tasks").fetchall())
        (witness,) = conn.execute("SELECT assignment FROM day_witness").fetchone()
    assert "task_seats" not in tables and "task_crew" not in tables
    assert takers == {t: w for t, _, _, _, w in V1_TASKS}
    assert witness == {"t1": "anna", "t2": "boris"}
    assert upgrade(v1_database) == ["0004_crews"]
