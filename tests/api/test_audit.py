"""The audit trail: every accepted change (tasks, workers, shifts, roster patterns and overrides, absences)
leaves one event (who, role, when, what, before -> after) written in its own transaction; refused changes
leave none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from service_kit import MSK, add_worker, assert_problem, at


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


WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
PATTERNS = "/api/v1/workers/anna/patterns"


def _pattern(client: Any, **body: Any) -> Any:
    return client.post(PATTERNS, json={"start_time": "08:00", "length_minutes": 540, "rrule": WEEKDAYS,
                                       "valid_from": "2026-11-23", "valid_until": "2026-11-29", **body})


def _absence(client: Any, start: str, end: str, **extra: Any) -> Any:
    return client.post("/api/v1/workers/anna/absences", json={"start": start, "end": end, "kind": "sick", **extra})


def test_roster_override_and_absence_changes_are_recorded(client_as: Any, database_url: str) -> None:
    manager = client_as("manager")
    began = datetime.now(UTC) - timedelta(seconds=1)
    add_worker(manager, "anna", ["install"])
    pid = _pattern(manager).json["id"]
    assert manager.patch(f"{PATTERNS}/{pid}", json={"start_time": "09:00", "effective_from": "2026-11-23"}
                         ).status_code == 200
    assert manager.put(f"{PATTERNS}/{pid}/overrides/2026-11-24", json={"off": True}).status_code == 200
    assert manager.delete(f"{PATTERNS}/{pid}/overrides/2026-11-24").status_code == 200
    aid = _absence(manager, at("12:00", "2026-11-25"), at("14:00", "2026-11-25")).json["id"]
    assert manager.delete(f"/api/v1/workers/anna/absences/{aid}").status_code == 204
    assert manager.delete(f"{PATTERNS}/{pid}").status_code == 204

    events = manager.get("/api/v1/events", query_string={"since": began.isoformat()}).json
    assert [(e["action"], e["entity"], e["entity_id"], e["role"], e["actor"]) for e in events] == [
        ("worker.create", "worker", "anna", "manager", "test manager"),
        ("pattern.create", "pattern", str(pid), "manager", "test manager"),
        ("pattern.update", "pattern", str(pid), "manager", "test manager"),
        ("override.put", "pattern", str(pid), "manager", "test manager"),
        ("override.delete", "pattern", str(pid), "manager", "test manager"),
        ("absence.create", "absence", str(aid), "manager", "test manager"),
        ("absence.delete", "absence", str(aid), "manager", "test manager"),
        ("pattern.delete", "pattern", str(pid), "manager", "test manager")]
    _, create, update, put, remove, absent, present, delete = events
    assert create["before"] is None and create["after"]["rrule"] == WEEKDAYS
    assert (update["before"]["start_time"], update["after"]["start_time"]) == ("08:00", "09:00")
    assert put["before"]["overrides"] == [] and put["after"]["overrides"] == [
        {"date": "2026-11-24", "off": True, "start_time": None, "length_minutes": None}]
    assert remove["before"]["overrides"] == put["after"]["overrides"] and remove["after"]["overrides"] == []
    assert absent["before"] is None and absent["after"]["start"] == "2026-11-25T12:00:00+03:00"
    assert present["before"] == absent["after"] and present["after"] is None
    assert delete["before"]["start_time"] == "09:00" and delete["after"] is None
    assert [a for a, *_ in _events(database_url)] == [e["action"] for e in events]


def test_an_absence_that_releases_tasks_records_each_release(client_as: Any) -> None:
    manager = client_as("manager")
    add_worker(manager, "anna", ["install"], (at("08:00"), at("17:00")))
    add_worker(manager, "boris", ["install"], (at("08:00"), at("17:00")))
    assert manager.post("/api/v1/tasks", json={"id": "t1", "start": at("09:00"), "end": at("10:00")}).status_code == 201
    assert client_as("installer", "anna").post("/api/v1/tasks/t1/take", json={"worker_id": "anna"}).status_code == 200
    assert _absence(manager, at("08:00"), at("12:00"), release_tasks=True).json["released"] == ["t1"]
    history = manager.get("/api/v1/tasks/t1/history").json
    assert [(e["action"], e["role"]) for e in history] == [
        ("task.book", "manager"), ("task.take", "installer"), ("task.release", "manager")]
    assert history[-1]["before"]["worker_id"] == "anna" and history[-1]["after"]["worker_id"] is None


def test_refused_roster_changes_leave_no_event(client_as: Any, database_url: str) -> None:
    manager, planner = client_as("manager"), client_as("planner")
    add_worker(manager, "anna", ["install"])
    pid = _pattern(manager).json["id"]
    assert manager.post("/api/v1/tasks", json={"id": "t1", "start": at("09:00"), "end": at("10:00")}).status_code == 201
    before = _events(database_url)
    assert_problem(manager.delete(f"{PATTERNS}/{pid}"), 409)  # would strand t1
    assert_problem(manager.patch(f"{PATTERNS}/{pid}", json={"start_time": "11:00", "effective_from": "2026-11-23"}),
                   409)
    assert_problem(manager.put(f"{PATTERNS}/{pid}/overrides/2026-11-23", json={"off": True}), 409)
    assert_problem(_absence(manager, at("09:00"), at("10:00")), 409)
    assert_problem(_absence(manager, at("09:00"), at("10:00"), release_tasks=True), 409)
    assert_problem(manager.put(f"{PATTERNS}/{pid}/overrides/2027-01-04", json={"off": True}), 422, "date")
    assert_problem(_pattern(manager, rrule="FREQ=SECONDLY"), 422)
    assert_problem(manager.delete(f"{PATTERNS}/{pid}/overrides/2026-11-24"), 404)
    assert_problem(_pattern(planner), 403)
    assert_problem(client_as("installer", "anna").delete(f"{PATTERNS}/{pid}"), 403)
    assert _events(database_url) == before


def test_the_daily_materialisation_is_recorded_as_the_system_when_it_writes_shifts(
        app: Any, client_as: Any, database_url: str) -> None:
    manager = client_as("manager")
    add_worker(manager, "anna", [])
    today = datetime.now(MSK).date()
    pid = _pattern(manager, rrule="FREQ=DAILY", valid_from=today.isoformat(), valid_until=None).json["id"]
    app.config["ROSTER_HORIZON_DAYS"] += 3
    assert "3 shift(s) written" in app.test_cli_runner().invoke(args=["rosters", "materialise"]).output
    before = _events(database_url)
    assert before[-1] == ("pattern.materialise", "pattern", str(pid), "system")
    assert "0 shift(s) written" in app.test_cli_runner().invoke(args=["rosters", "materialise"]).output
    assert _events(database_url) == before
