"""The audit trail: every accepted change leaves one event (who, role, when, what, before -> after) written in
its own transaction; refused changes leave none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from service_kit import add_worker, assert_problem, at


def _events(database_url: str) -> list[tuple[str, str, str, str]]:
    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT action, entity, entity_id, role FROM events ORDER BY id").fetchall()


def test_a_tasks_history_tells_who_did_what(client_as: Any, database_url: str) -> None:
    manager = client_as("manager")
    add_worker(manager, "anna", ["install"], (at("09:00"), at("18:00")))
    anna = client_as("installer", "anna")
    assert manager.post("/api/v1/tasks", json={"id": "t1", "start": at("10:00"), "end": at("11:00")}).status_code == 201
    assert manager.patch("/api/v1/tasks/t1", json={"start": at("11:00"), "duration_minutes": 90}).status_code == 200
    assert anna.post("/api/v1/tasks/t1/take", json={"worker_id": "anna"}).status_code == 200
    assert anna.post("/api/v1/tasks/t1/release").status_code == 200
    assert manager.delete("/api/v1/tasks/t1").status_code == 204

    history = manager.get("/api/v1/tasks/t1/history").json
    assert [(e["action"], e["role"], e["actor"]) for e in history] == [
        ("task.book", "manager", "test manager"), ("task.move", "manager", "test manager"),
        ("task.take", "installer", "test installer"), ("task.release", "installer", "test installer"),
        ("task.delete", "manager", "test manager")]
    book, move, take, release, delete = history
    assert book["before"] is None and book["after"]["start"] == "2026-11-23T10:00:00+03:00"
    assert move["before"]["end"] == "2026-11-23T11:00:00+03:00" and move["after"]["end"] == "2026-11-23T12:30:00+03:00"
    assert take["before"]["worker_id"] is None and take["after"]["worker_id"] == "anna"
    assert release["before"]["worker_id"] == "anna" and release["after"]["worker_id"] is None
    assert delete["before"]["id"] == "t1" and delete["after"] is None
    assert all(datetime.fromisoformat(e["at"]).tzinfo is not None for e in history)
    assert_problem(manager.get("/api/v1/tasks/ghost/history"), 404)


def test_worker_and_shift_changes_are_recorded(client_as: Any, database_url: str) -> None:
    manager = client_as("manager")
    began = datetime.now(UTC) - timedelta(seconds=1)
    add_worker(manager, "boris", ["install"], (at("09:00"), at("12:00")))
    assert manager.patch("/api/v1/workers/boris", json={"skills": ["install", "repair"]}).status_code == 200
    assert manager.delete("/api/v1/workers/boris/shifts/1").status_code == 204
    assert manager.delete("/api/v1/workers/boris").status_code == 204
    assert _events(database_url) == [
        ("worker.create", "worker", "boris", "manager"), ("shift.add", "shift", "1", "manager"),
        ("worker.update", "worker", "boris", "manager"), ("shift.remove", "shift", "1", "manager"),
        ("worker.delete", "worker", "boris", "manager")]
    everything = manager.get("/api/v1/events", query_string={"since": began.isoformat()}).json
    assert [e["action"] for e in everything] == [a for a, *_ in _events(database_url)]
    update = next(e for e in everything if e["action"] == "worker.update")
    assert update["before"]["skills"] == ["install"] and update["after"]["skills"] == ["install", "repair"]
    assert len(manager.get("/api/v1/events", query_string={"since": "2000-01-01T00:00Z", "limit": 2}).json) == 2
    assert manager.get("/api/v1/events", query_string={"since": "2999-01-01T00:00Z"}).json == []


def test_refused_changes_leave_no_event(client_as: Any, database_url: str) -> None:
    manager, planner = client_as("manager"), client_as("planner")
    add_worker(manager, "anna", ["install"], (at("09:00"), at("11:00")))
    assert manager.post("/api/v1/tasks", json={"id": "t1", "start": at("09:00"), "end": at("11:00")}).status_code == 201
    before = _events(database_url)
    assert_problem(manager.post("/api/v1/tasks", json={"id": "t2", "start": at("09:00"), "end": at("10:00")}), 409)
    assert_problem(manager.delete("/api/v1/workers/anna/shifts/1"), 409)  # would strand t1
    assert_problem(manager.patch("/api/v1/workers/anna", json={"fire_date": "2026-11-01"}), 409)
    assert_problem(manager.post("/api/v1/tasks", json={"start": at("09:00"), "duration_minutes": 5}), 422)
    assert_problem(planner.delete("/api/v1/tasks/t1"), 403)
    assert_problem(client_as("installer", "anna").post("/api/v1/tasks/t1/take", json={"worker_id": "ghost"}), 403)
    assert _events(database_url) == before
