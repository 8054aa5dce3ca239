"""Workers and their shifts; removing capacity (a shift, a skill, days of employment) is refused with
409 naming the tasks it would strand."""

from __future__ import annotations

from typing import Any

import pytest
from service_kit import DAY, add_worker, assert_problem, at, book, dump, take


def test_worker_crud(client: Any) -> None:
    r = client.post("/api/v1/workers", json={"name": "Anna", "skills": ["install", "install", "repair"]})
    assert r.status_code == 201
    wid = r.json["id"]
    assert r.json == {"id": wid, "name": "Anna", "skills": ["install", "repair"], "hire_date": None,
                      "fire_date": None}
    assert client.get(f"/api/v1/workers/{wid}").json == r.json
    r = client.patch(f"/api/v1/workers/{wid}", json={"name": "Anna K.", "hire_date": "2026-01-01"})
    assert r.status_code == 200 and r.json["name"] == "Anna K." and r.json["hire_date"] == "2026-01-01"
    assert [w["id"] for w in client.get("/api/v1/workers").json] == [wid]
    assert client.delete(f"/api/v1/workers/{wid}").status_code == 204
    assert_problem(client.get(f"/api/v1/workers/{wid}"), 404)


def test_duplicate_worker_id_and_reserved_ids(client: Any) -> None:
    add_worker(client, "anna", ["install"])
    assert_problem(client.post("/api/v1/workers", json={"id": "anna"}), 409)
    assert_problem(client.post("/api/v1/workers", json={"id": "w-7"}), 422, "id")


def test_hire_after_fire_is_invalid(client: Any) -> None:
    assert_problem(client.post("/api/v1/workers", json={"hire_date": "2026-02-01", "fire_date": "2026-01-01"}),
                   422, "fire_date")


@pytest.fixture
def day(client: Any) -> Any:
    add_worker(client, "anna", ["install"], (at("09:00"), at("13:00")), (at("14:00"), at("18:00")))
    add_worker(client, "boris", ["install"], (at("09:00"), at("17:00")))
    assert book(client, "t1", at("10:00"), at("12:00"), "install").status_code == 201
    assert book(client, "t2", at("11:00"), at("15:00"), "install").status_code == 201
    return client


def test_shifts_list_add_and_overlap(day: Any) -> None:
    shifts = day.get("/api/v1/workers/anna/shifts").json
    assert [(s["start"], s["end"], s["day"], s["counted"]) for s in shifts] == [
        ("2026-11-23T09:00:00+03:00", "2026-11-23T13:00:00+03:00", "2026-11-23", True),
        ("2026-11-23T14:00:00+03:00", "2026-11-23T18:00:00+03:00", "2026-11-23", True)]
    assert day.get("/api/v1/workers/anna/shifts?date=2026-11-24").json == []
    body = assert_problem(day.post("/api/v1/workers/anna/shifts", json={"start": at("12:00"), "end": at("15:00")}),
                          409)
    assert "overlaps another shift" in body["detail"]
    # A night shift crossing midnight and 03:00 belongs to the day it starts.
    r = day.post("/api/v1/workers/anna/shifts", json={"start": at("22:00"), "end": at("06:00", "2026-11-24")})
    assert r.status_code == 201 and r.json["day"] == "2026-11-23"
    assert_problem(day.post("/api/v1/workers/anna/shifts", json={"start": at("10:00", "2026-11-25"),
                                                                 "end": at("09:00", "2026-11-25")}), 422, "end")
    assert_problem(day.post("/api/v1/workers/nobody/shifts", json={"start": at("10:00"), "end": at("11:00")}), 404)


def test_removing_a_shift_that_strands_a_task_is_refused(day: Any, database_url: str) -> None:
    boris = day.get("/api/v1/workers/boris/shifts").json[0]["id"]
    anna_pm = day.get("/api/v1/workers/anna/shifts").json[1]["id"]
    before = dump(database_url)
    body = assert_problem(day.delete(f"/api/v1/workers/boris/shifts/{boris}"), 409)
    assert body["uncovered"] and set(body["tasks"]) <= {"t1", "t2"}
    assert dump(database_url) == before
    assert day.delete(f"/api/v1/workers/anna/shifts/{anna_pm}").status_code == 204  # nobody needs it
    assert_problem(day.delete(f"/api/v1/workers/anna/shifts/{anna_pm}"), 404)
    assert_problem(day.delete(f"/api/v1/workers/anna/shifts/{10**30}"), 404)


def test_removing_the_shift_of_a_taken_task_is_refused_naming_it(day: Any) -> None:
    assert take(day, "t1", "anna").status_code == 200
    anna_am = day.get("/api/v1/workers/anna/shifts").json[0]["id"]
    body = assert_problem(day.delete(f"/api/v1/workers/anna/shifts/{anna_am}"), 409)
    assert body["uncovered"] == ["t1"]


@pytest.mark.parametrize("change", [
    {"fire_date": "2026-11-22"},   # fired before the day: her shifts stop counting
    {"hire_date": "2026-11-24"},   # not yet hired that day
    {"skills": []},                # loses the skill the day needs
])
def test_worker_changes_that_strand_tasks_are_refused(day: Any, database_url: str, change: dict) -> None:
    before = dump(database_url)
    body = assert_problem(day.patch("/api/v1/workers/anna", json=change), 409)
    assert body["uncovered"]
    assert dump(database_url) == before


def test_fire_date_after_the_day_is_fine_and_shifts_show_counted(day: Any) -> None:
    r = day.patch("/api/v1/workers/anna", json={"fire_date": "2026-11-23"})
    assert r.status_code == 200
    assert day.post("/api/v1/workers/anna/shifts", json={"start": at("09:00", "2026-11-24"),
                                                         "end": at("10:00", "2026-11-24")}).json["counted"] is False


def test_firing_a_worker_who_holds_a_later_task_names_it(day: Any) -> None:
    assert take(day, "t1", "anna").status_code == 200
    body = assert_problem(day.patch("/api/v1/workers/anna", json={"fire_date": "2026-11-20"}), 409)
    assert "t1" in body["uncovered"]


def test_deleting_a_worker(day: Any) -> None:
    assert take(day, "t1", "anna").status_code == 200
    body = assert_problem(day.delete("/api/v1/workers/anna"), 409)
    assert body["tasks"] == ["t1"]
    body = assert_problem(day.delete("/api/v1/workers/boris"), 409)  # t2 needs boris
    assert body["uncovered"] == ["t2"]
    add_worker(day, "idle", [], (at("09:00"), at("10:00")))
    assert day.delete("/api/v1/workers/idle").status_code == 204


def test_a_night_shift_from_the_fire_date_takes_no_task_of_the_next_day(client: Any) -> None:
    """Employment is judged on the task's operational day, not the shift's: Anna is fired on the 23rd,
    her night shift runs 22:00 on the 23rd to 08:00 on the 24th, so a task at 04:00 on the 24th (day 24)
    is hers to take only if she were employed on the 24th. Nobody else works then: it is refused."""
    add_worker(client, "anna", ["install"], (at("22:00"), at("08:00", "2026-11-24")), fire_date=DAY)
    assert book(client, "early", at("23:00"), at("01:00", "2026-11-24")).status_code == 201  # her last day
    body = assert_problem(book(client, "late", at("04:00", "2026-11-24"), at("05:00", "2026-11-24")), 409)
    assert body["uncovered"] == ["late"]
    # Crossing the end of the fire date's day (03:00) is refused as well; slot candidates never cross it.
    body = assert_problem(book(client, "cross", at("02:30", "2026-11-24"), at("03:30", "2026-11-24")), 409)
    assert body["uncovered"] == ["cross"]
    r = client.get("/api/v1/slots?date=2026-11-24&duration_minutes=60&step_minutes=60")
    assert r.status_code == 200 and r.json["slots"] == []
