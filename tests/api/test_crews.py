"""Crews, seats and daily limits through the HTTP API (contract v2): a crew task is booked, its seats are
taken one by one and given back, it moves with its holders; a take that would strand another task or
break a daily limit is refused with a 409 that says so, and a refused booking explains its start."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from service_kit import add_worker, assert_day_feasible, assert_problem, at, book, dump, take

INSTALL2 = [{"skill": "install", "count": 2}]


def book_crew(client: Any, tid: str, start: str, end: str, crew: list[dict[str, Any]]) -> Any:
    return client.post("/api/v1/tasks", json={"id": tid, "start": start, "end": end, "crew": crew})


def take_seat(client: Any, tid: str, wid: str, **extra: Any) -> Any:
    return client.post(f"/api/v1/tasks/{tid}/take", json={"worker_id": wid, **extra})


def test_a_crew_task_is_booked_and_its_seats_taken_one_by_one(client: Any, database_url: str) -> None:
    add_worker(client, "anna", ["install"], (at("09:00"), at("13:00")))
    add_worker(client, "boris", ["install", "electric"], (at("09:00"), at("17:00")))
    add_worker(client, "igor", ["install"], (at("09:00"), at("17:00")))
    crew = [{"skill": "install", "count": 1}, {"skill": "electric", "count": 1}]
    r = book_crew(client, "k", at("10:00"), at("11:00"), crew)
    assert r.status_code == 201, r.json
    assert (r.json["crew"], r.json["worker_ids"], r.json["worker_id"], r.json["skill"]) == (crew, [], None, None)

    r = take_seat(client, "k", "anna")
    assert r.status_code == 200 and r.json["worker_ids"] == ["anna"] and r.json["worker_id"] is None
    # igor has no electric skill and the install seat is anna's: no seat left for him.
    assert assert_problem(take_seat(client, "k", "igor"), 409)["reason"] == "skill"
    r = take_seat(client, "k", "boris")
    assert r.status_code == 200 and r.json["worker_ids"] == ["anna", "boris"]
    assert take_seat(client, "k", "boris").status_code == 200  # idempotent
    body = assert_problem(take_seat(client, "k", "igor"), 409)
    assert body["reason"] == "full" and body["tasks"] == ["k"]
    with psycopg.connect(database_url) as conn:
        seats = conn.execute("SELECT worker_id, skill FROM task_seats WHERE task_id = 'k' ORDER BY 1").fetchall()
    assert seats == [("anna", "install"), ("boris", "electric")]
    assert_day_feasible(database_url)


def test_take_of_a_named_seat(client: Any) -> None:
    add_worker(client, "boris", ["install", "electric"], (at("09:00"), at("17:00")))
    add_worker(client, "anna", ["install"], (at("09:00"), at("17:00")))
    crew = [{"skill": "install", "count": 1}, {"skill": "electric", "count": 1}]
    assert book_crew(client, "k", at("10:00"), at("11:00"), crew).status_code == 201
    assert_problem(take_seat(client, "k", "boris", skill="repair"), 422, "skill")
    assert take_seat(client, "k", "boris", skill="install").status_code == 200
    # The contract lets a holder sit in any seat whose skill they have: boris can move to electric, so
    # anna (install only) still gets a seat.
    r = take_seat(client, "k", "anna", skill="install")
    assert r.status_code == 200 and r.json["worker_ids"] == ["boris", "anna"]


def test_a_take_that_would_strand_another_crews_seat_is_refused_naming_it(client: Any, database_url: str) -> None:
    # igor works 10-11 only: he can sit in k but not in s. s needs anna or boris; k needs two of three.
    add_worker(client, "anna", ["install"], (at("09:00"), at("13:00")))
    add_worker(client, "boris", ["install"], (at("09:00"), at("17:00")))
    add_worker(client, "igor", ["install"], (at("10:00"), at("11:00")))
    assert book_crew(client, "k", at("10:00"), at("11:00"), INSTALL2).status_code == 201
    assert book(client, "s", at("10:30"), at("11:30"), "install").status_code == 201
    assert take_seat(client, "k", "anna").status_code == 200
    before = dump(database_url)
    body = assert_problem(take_seat(client, "k", "boris"), 409)
    assert body["uncovered"] == ["s"] and body["tasks"] == ["s"]
    assert dump(database_url) == before
    assert take_seat(client, "k", "igor").status_code == 200
    assert_day_feasible(database_url)


def test_a_worker_at_their_daily_limit_is_refused_with_reason_limit(client: Any, database_url: str) -> None:
    add_worker(client, "anna", ["install"], (at("09:00"), at("17:00")), max_tasks=1)
    add_worker(client, "boris", ["install"], (at("09:00"), at("17:00")), max_minutes=90)
    assert book(client, "a", at("10:00"), at("11:00"), "install").status_code == 201
    assert book(client, "b", at("14:00"), at("15:00"), "install").status_code == 201
    assert take(client, "a", "anna").status_code == 200
    before = dump(database_url)
    body = assert_problem(take(client, "b", "anna"), 409)
    assert body["reason"] == "limit" and body["tasks"] == ["b"]
    assert dump(database_url) == before
    # Boris may hold 90 minutes a day: b (60) fits, a third hour-long task on his day would not.
    assert take(client, "b", "boris").status_code == 200
    assert book(client, "c", at("16:00"), at("17:00"), "install").status_code == 409  # nobody left for c
    assert_day_feasible(database_url)


def test_limits_couple_tasks_that_do_not_overlap(client: Any, database_url: str) -> None:
    # Only anna, one task a day: two install tasks hours apart cannot both be hers.
    add_worker(client, "anna", ["install"], (at("09:00"), at("17:00")), max_tasks=1)
    assert book(client, "a", at("10:00"), at("11:00"), "install").status_code == 201
    body = assert_problem(book(client, "b", at("15:00"), at("16:00"), "install"), 409)
    assert set(body["uncovered"]) <= {"a", "b"} and body["uncovered"]
    # Raising her limit makes room; lowering it again would strand a task and is refused.
    assert client.patch("/api/v1/workers/anna", json={"max_tasks": 2}).status_code == 200
    assert book(client, "b", at("15:00"), at("16:00"), "install").status_code == 201
    assert_problem(client.patch("/api/v1/workers/anna", json={"max_tasks": 1}), 409)
    assert client.get("/api/v1/workers/anna").json["max_tasks"] == 2
    assert_day_feasible(database_url)


def test_releasing_one_seat_and_every_seat(client: Any, database_url: str) -> None:
    add_worker(client, "anna", ["install"], (at("09:00"), at("13:00")))
    add_worker(client, "boris", ["install"], (at("09:00"), at("17:00")))
    assert book_crew(client, "k", at("10:00"), at("11:00"), INSTALL2).status_code == 201
    assert take_seat(client, "k", "anna").status_code == 200
    assert take_seat(client, "k", "boris").status_code == 200
    r = client.post("/api/v1/tasks/k/release", json={"worker_id": "anna"})
    assert r.status_code == 200 and r.json["worker_ids"] == ["boris"]
    r = client.post("/api/v1/tasks/k/release", json={"worker_id": "anna"})  # not a holder: nothing changes
    assert r.status_code == 200 and r.json["worker_ids"] == ["boris"]
    r = client.post("/api/v1/tasks/k/release")
    assert r.status_code == 200 and r.json["worker_ids"] == []
    assert_day_feasible(database_url)


def test_moving_a_crew_task_keeps_its_holders_in_their_shifts(client: Any, database_url: str) -> None:
    add_worker(client, "anna", ["install"], (at("09:00"), at("13:00")))
    add_worker(client, "boris", ["install"], (at("09:00"), at("17:00")))
    assert book_crew(client, "k", at("10:00"), at("11:00"), INSTALL2).status_code == 201
    assert take_seat(client, "k", "anna").status_code == 200
    r = client.patch("/api/v1/tasks/k", json={"start": at("11:00"), "duration_minutes": 90})
    assert r.status_code == 200 and r.json["crew"] == INSTALL2 and r.json["worker_ids"] == ["anna"]
    with psycopg.connect(database_url) as conn:
        (period,) = conn.execute("SELECT period FROM task_seats WHERE task_id = 'k'").fetchone()
    assert period.upper.hour == 9  # 12:30 Moscow: the seat moved with its task (UTC)
    before = dump(database_url)
    body = assert_problem(client.patch("/api/v1/tasks/k", json={"start": at("12:30"), "duration_minutes": 60}), 409)
    assert "k" in body["uncovered"]  # anna goes home at 13:00
    assert dump(database_url) == before
    # A new crew in the same move: three installers are not there.
    body = assert_problem(client.patch("/api/v1/tasks/k", json={
        "start": at("11:00"), "duration_minutes": 60, "crew": [{"skill": "install", "count": 3}]}), 409)
    assert body["uncovered"] == ["k"]
    assert_day_feasible(database_url)


def test_a_refused_booking_carries_the_explanation_of_its_start(client: Any) -> None:
    # The contract's example: only boris covers t2 (12-16); at 13:00 anna has gone home.
    add_worker(client, "anna", ["install"], (at("09:00"), at("13:00")))
    add_worker(client, "boris", ["install"], (at("09:00"), at("17:00")))
    assert book(client, "t2", at("12:00"), at("16:00"), "install").status_code == 201
    body = assert_problem(book(client, "x", at("13:00"), at("14:00"), "install"), 409)
    assert body["explain"] == {"start": "2026-11-23T13:00:00+03:00", "end": "2026-11-23T14:00:00+03:00",
                               "slot": False, "reason": "conflict", "tasks": ["t2"], "workers": ["boris"]}
    body = assert_problem(book_crew(client, "y", at("10:00"), at("11:00"), [{"skill": "install", "count": 3}]), 409)
    assert body["explain"]["reason"] == "no_fit"


@pytest.mark.parametrize(("body", "field"), [
    ({"skill": "install", "crew": INSTALL2}, "crew"),
    ({"crew": []}, "crew"),
    ({"crew": [{"skill": "install", "count": 21}]}, "crew"),
    ({"crew": [{"skill": "install", "count": 1}, {"skill": "install", "count": 1}]}, "crew"),
])
def test_invalid_crews_are_422_naming_the_field(client: Any, body: dict[str, Any], field: str) -> None:
    r = client.post("/api/v1/tasks", json={"start": at("10:00"), "duration_minutes": 60, **body})
    assert field in assert_problem(r, 422)["errors"][0]["field"]


def test_the_database_refuses_one_worker_on_two_overlapping_seats(client: Any, database_url: str) -> None:
    add_worker(client, "anna", ["install"], (at("09:00"), at("13:00")))
    add_worker(client, "boris", ["install"], (at("09:00"), at("17:00")))
    assert book_crew(client, "k", at("10:00"), at("11:00"), INSTALL2).status_code == 201
    assert book(client, "s", at("10:30"), at("11:30")).status_code == 409  # nobody left for s
    assert book(client, "s", at("11:00"), at("12:00")).status_code == 201
    assert take_seat(client, "k", "anna").status_code == 200
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.ExclusionViolation):
        conn.execute("INSERT INTO task_seats (task_id, worker_id, period)"
                     " SELECT 's', 'anna', tstzrange(lower(period) - interval '30 minutes', upper(period))"
                     " FROM tasks WHERE id = 's'")
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE tasks SET worker_id = 'boris' WHERE id = 'k'")  # a crew's holders live in seats
