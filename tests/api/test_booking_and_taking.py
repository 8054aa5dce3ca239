"""Booking, moving, taking and releasing: accepted exactly when every task stays coverable; a refusal
is a 409 problem naming the tasks, and leaves the database as it was."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
import pytest
from service_kit import (
    MSK,
    add_worker,
    assert_day_feasible,
    assert_problem,
    at,
    book,
    brute_force_assignment,
    dump,
    scenario_from_tables,
    take,
)

from solver.domain import Task


@pytest.fixture
def trap(client: Any) -> Any:
    """Anna 09-13, Boris 09-17 (both install). t2 11-15 only Boris can do; t1 10-12 either."""
    add_worker(client, "anna", ["install"], (at("09:00"), at("13:00")))
    add_worker(client, "boris", ["install"], (at("09:00"), at("17:00")))
    add_worker(client, "vera", ["repair"], (at("14:00"), at("18:00")))
    assert book(client, "t2", at("11:00"), at("15:00"), "install").status_code == 201
    assert book(client, "t1", at("10:00"), at("12:00"), "install").status_code == 201
    return client


def test_booking_answers_the_task_with_its_day(trap: Any) -> None:
    r = trap.get("/api/v1/tasks/t1")
    assert r.status_code == 200
    assert r.json | {"created_at": None, "updated_at": None} == {
        "id": "t1", "start": "2026-11-23T10:00:00+03:00", "end": "2026-11-23T12:00:00+03:00",
        "duration_minutes": 120, "day": "2026-11-23", "skill": "install", "worker_id": None,
        "worker_name": None, "created_at": None, "updated_at": None,
        "crew": [{"skill": "install", "count": 1}], "worker_ids": []}


def test_booking_that_would_strand_a_task_is_refused_naming_it(trap: Any, database_url: str) -> None:
    before = dump(database_url)
    # Anna and Boris are both needed 11-12 already: a third install task then cannot be covered.
    body = assert_problem(book(trap, "t3", at("11:00"), at("12:00"), "install"), 409)
    assert body["uncovered"] and set(body["uncovered"]) <= {"t1", "t2", "t3"}
    assert body["tasks"] == body["uncovered"]
    assert dump(database_url) == before


def test_booking_with_duration_minutes_and_generated_id(trap: Any) -> None:
    r = trap.post("/api/v1/tasks", json={"start": at("16:00"), "duration_minutes": 30, "skill": "repair"})
    assert r.status_code == 201, r.json
    assert r.json["id"].startswith("t-") and r.json["end"] == "2026-11-23T16:30:00+03:00"


def test_booking_a_task_nobody_can_do_is_refused(trap: Any) -> None:
    body = assert_problem(book(trap, "x", at("20:00"), at("21:00")), 409)
    assert body["uncovered"] == ["x"]


def test_duplicate_task_id_is_a_conflict(trap: Any) -> None:
    assert_problem(book(trap, "t1", at("16:00"), at("17:00"), "repair"), 409)


def test_take_that_strands_another_task_is_refused_naming_it(trap: Any, database_url: str) -> None:
    before = dump(database_url)
    body = assert_problem(take(trap, "t1", "boris"), 409)
    assert body["uncovered"] == ["t2"]
    assert dump(database_url) == before
    r = take(trap, "t1", "anna")
    assert r.status_code == 200 and r.json["worker_id"] == "anna" and r.json["worker_name"] == "Anna"
    assert_day_feasible(database_url)


@pytest.mark.parametrize(("task", "worker", "reason"), [
    ("t1", "vera", "skill"),        # vera has no install skill
    ("t2", "anna", "shift"),        # 11-15 does not lie inside anna's 09-13
])
def test_take_that_does_not_fit_names_why(trap: Any, task: str, worker: str, reason: str) -> None:
    body = assert_problem(take(trap, task, worker), 409)
    assert body["reason"] == reason and task in body["tasks"]


def test_take_overlapping_own_task_names_it(trap: Any) -> None:
    assert take(trap, "t2", "boris").status_code == 200
    assert book(trap, "t4", at("09:00"), at("10:00"), "install").status_code == 201
    assert book(trap, "t5", at("14:30"), at("16:00")).status_code == 201
    body = assert_problem(take(trap, "t5", "boris"), 409)
    assert body["reason"] == "overlap" and body["tasks"] == ["t5", "t2"]


def test_take_already_taken_and_retake_by_same_worker(trap: Any) -> None:
    assert take(trap, "t2", "boris").status_code == 200
    assert take(trap, "t2", "boris").status_code == 200  # idempotent
    body = assert_problem(take(trap, "t2", "anna"), 409)
    assert "already taken by boris" in body["detail"]


def test_take_unknown_ids(trap: Any) -> None:
    assert_problem(take(trap, "nope", "anna"), 404)
    assert_problem(take(trap, "t1", "nobody"), 422, "worker_id")


def test_release_gives_the_task_back(trap: Any, database_url: str) -> None:
    assert take(trap, "t1", "anna").status_code == 200
    r = trap.post("/api/v1/tasks/t1/release")
    assert r.status_code == 200 and r.json["worker_id"] is None
    assert trap.post("/api/v1/tasks/t1/release").status_code == 200
    assert_day_feasible(database_url)


def test_a_release_leaves_its_former_holder_in_the_stored_plan(trap: Any, database_url: str) -> None:
    """A release is not checked (it cannot strand anything): the day's stored plan names the former
    holder for the reopened seat, so the next question starts from a plan that still holds."""
    assert take(trap, "t2", "boris").status_code == 200
    assert trap.post("/api/v1/tasks/t2/release").status_code == 200
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT assignment -> 't2' FROM day_witness").fetchone()
    assert row is not None and row[0] == ["boris"]
    assert_day_feasible(database_url)


def test_move_is_checked_like_a_booking(trap: Any, database_url: str) -> None:
    r = trap.patch("/api/v1/tasks/t1", json={"start": at("09:00"), "end": at("10:30")})
    assert r.status_code == 200 and r.json["start"] == "2026-11-23T09:00:00+03:00"
    assert r.json["skill"] == "install"  # unchanged unless given
    before = dump(database_url)
    body = assert_problem(trap.patch("/api/v1/tasks/t1", json={"start": at("13:00"), "duration_minutes": 60}), 409)
    assert body["uncovered"]
    assert dump(database_url) == before


def test_moving_a_taken_task_out_of_its_takers_shift_is_refused(trap: Any, database_url: str) -> None:
    assert take(trap, "t1", "anna").status_code == 200
    before = dump(database_url)
    body = assert_problem(trap.patch("/api/v1/tasks/t1", json={"start": at("12:30"), "end": at("13:30")}), 409)
    assert "t1" in body["uncovered"]
    assert dump(database_url) == before


def test_delete_task(trap: Any) -> None:
    assert trap.delete("/api/v1/tasks/t1").status_code == 204
    assert_problem(trap.get("/api/v1/tasks/t1"), 404)
    assert_problem(trap.delete("/api/v1/tasks/t1"), 404)


def test_list_tasks_of_a_day_with_takers(trap: Any) -> None:
    assert take(trap, "t2", "boris").status_code == 200
    assert book(trap, "late", at("02:00", "2026-11-24"), at("02:30", "2026-11-24")).status_code == 409
    r = trap.get("/api/v1/tasks?date=2026-11-23")
    assert r.status_code == 200
    assert [(t["id"], t["worker_id"], t["worker_name"]) for t in r.json] == [
        ("t1", None, None), ("t2", "boris", "Boris")]
    assert trap.get("/api/v1/tasks?date=2026-11-24").json == []


def test_the_database_refuses_a_double_booking_by_itself(trap: Any, database_url: str) -> None:
    assert take(trap, "t2", "boris").status_code == 200
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.ExclusionViolation):
        conn.execute("UPDATE tasks SET worker_id = 'boris' WHERE id = 't1'")


def test_an_over_full_hour_is_refused_naming_tasks_whose_removal_leaves_the_day_coverable(
        client: Any, database_url: str) -> None:
    # Three installers, a busy morning, and a fourth install task in an hour all three already fill: the
    # guard refutes it (a Hall violation at 10:30) without a search for the fewest, and the tasks it names
    # are a true answer: without them, the day with the new task can be covered.
    for w in ("anna", "boris", "vera"):
        add_worker(client, w, ["install"], (at("09:00"), at("17:00")))
    for k, (a, b) in enumerate([("09:00", "11:00"), ("10:00", "12:00"), ("10:30", "11:30"), ("12:00", "13:00"),
                                ("13:00", "15:00"), ("09:00", "10:00")]):
        assert book(client, f"m{k}", at(a), at(b), "install").status_code == 201
    before = dump(database_url)
    body = assert_problem(book(client, "extra", at("10:30"), at("11:30"), "install"), 409)
    assert dump(database_url) == before
    named = set(body["uncovered"])
    assert named and named <= {"extra", *(f"m{k}" for k in range(6))}
    day = scenario_from_tables(database_url)
    new = Task("extra", datetime.fromisoformat(at("10:30")).replace(tzinfo=MSK),
               datetime.fromisoformat(at("11:30")).replace(tzinfo=MSK), "install", None)
    with_new = day.with_tasks((*day.tasks, new))
    assert brute_force_assignment(with_new) is None
    assert brute_force_assignment(with_new.with_tasks(tuple(t for t in with_new.tasks if t.id not in named))) \
        is not None
