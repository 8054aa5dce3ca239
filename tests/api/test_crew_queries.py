"""The v2 questions over HTTP from the database answer exactly as the offline commands on the same day:
`GET /slots` with a crew, `GET /workers/{id}/takeable`, `GET /slots/explain`, `GET /slots/next`, and
their what-if twins on the same document. The day is built over HTTP and written again by hand as a
contract document (crews, holders, limits), never exported by the service itself."""

from __future__ import annotations

from typing import Any

import pytest
from service_kit import add_worker, at, dump, scenario_from_tables
from test_slots_and_what_if import cli

DAY = "2026-11-23"
WORKERS = [  # id, skills, shifts (23rd, and one on the 24th), limits
    ("anna", ["install"], [("09:00", "13:00")], {"max_tasks": 2}),
    ("boris", ["electric", "install"], [("09:00", "17:00")], {}),
    ("igor", ["install"], [("08:00", "16:00")], {"max_minutes": 180}),
    ("vera", ["electric"], [("12:00", "18:00")], {}),
]
TASKS = [  # id, start, end, skill or crew, holders
    ("c1", "10:00", "11:00", [{"skill": "install", "count": 2}], ["anna"]),
    ("c2", "12:00", "13:00", [{"skill": "install", "count": 1}, {"skill": "electric", "count": 1}], []),
    ("t3", "14:00", "15:00", "electric", ["vera"]),
    ("t4", "15:00", "16:00", "install", []),
    ("t5", "09:00", "10:30", None, []),
]


@pytest.fixture
def crew_day(client: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"timezone": "Europe/Moscow", "day_start": "03:00", "workers": [], "tasks": []}
    for wid, skills, shifts, limits in WORKERS:
        spans = [(at(a), at(b)) for a, b in shifts] + [(at("09:00", "2026-11-24"), at("17:00", "2026-11-24"))]
        add_worker(client, wid, skills, *spans, **limits)
        doc["workers"].append({"id": wid, "name": wid.title(), "skills": skills, **limits,
                               "shifts": [{"start": s, "end": e} for s, e in spans]})
    for tid, a, b, needs, holders in TASKS:
        body: dict[str, Any] = {"id": tid, "start": at(a), "end": at(b)}
        task: dict[str, Any] = dict(body)
        if isinstance(needs, list):
            body["crew"] = task["crew"] = needs
            task["worker_ids"] = holders
        else:
            body["skill"] = task["skill"] = needs
            task["worker_id"] = holders[0] if holders else None
        r = client.post("/api/v1/tasks", json=body)
        assert r.status_code == 201, r.json
        for wid in holders:
            assert client.post(f"/api/v1/tasks/{tid}/take", json={"worker_id": wid}).status_code == 200
        doc["tasks"].append(task)
    return doc


@pytest.mark.parametrize(("duration", "step", "crew"), [(60, 30, "install:2"), (90, 15, "install,electric:1"),
                                                        (30, 60, "*:3"), (120, 60, None)])
def test_slots_with_a_crew_equal_the_offline_command(client: Any, crew_day: dict[str, Any], duration: int,
                                                     step: int, crew: str | None) -> None:
    params: dict[str, Any] = {"date": DAY, "duration_minutes": duration, "step_minutes": step}
    args = ["slots", "--date", DAY, "--duration", str(duration), "--step", str(step)]
    if crew:
        params["crew"] = crew
        args += ["--crew", crew]
    r = client.get("/api/v1/slots", query_string=params)
    assert r.status_code == 200, r.json
    assert r.json == cli(args, crew_day)
    # The same day exported with plain SQL gives the same answer as well.
    assert r.json == cli(args, _exported(client))


def _exported(client: Any) -> dict[str, Any]:
    from service_kit import document  # noqa: PLC0415 - only here

    url = client.application.config["DATABASE_URL"]
    return document(scenario_from_tables(url))


@pytest.mark.parametrize(("worker", "date"), [("anna", DAY), ("boris", None), ("igor", DAY), ("vera", None)])
def test_takeable_equals_the_offline_command(client: Any, crew_day: dict[str, Any], worker: str,
                                             date: str | None) -> None:
    r = client.get(f"/api/v1/workers/{worker}/takeable", query_string={"date": date} if date else {})
    assert r.status_code == 200, r.json
    assert r.json == cli(["takeable", "--worker", worker, *(["--date", date] if date else [])], crew_day)


@pytest.mark.parametrize(("start", "duration", "needs"), [
    ("10:00", 60, ["--crew", "install:2"]), ("12:00", 60, ["--skill", "electric"]),
    ("09:00", 90, ["--crew", "install:3"]), ("16:00", 60, ["--crew", "electric:2"]), ("13:00", 30, []),
])
def test_explain_equals_the_offline_command(client: Any, crew_day: dict[str, Any], start: str, duration: int,
                                            needs: list[str]) -> None:
    params: dict[str, Any] = {"start": at(start), "duration_minutes": duration}
    if needs:
        params[needs[0].removeprefix("--")] = needs[1]
    r = client.get("/api/v1/slots/explain", query_string=params)
    assert r.status_code == 200, r.json
    got = r.get_json()
    expected = cli(["explain", "--start", at(start), "--duration", str(duration), *needs], crew_day)
    if expected["slot"]:
        # A slot's plan is one of many (the service seeds it with its stored witness): same tasks, and the
        # plan (with the new task) passes the independent checker.
        assert got["plan"].keys() == expected["plan"].keys()
        _assert_plan_valid(client, got, needs, duration)
        got.pop("plan"), expected.pop("plan")
    assert got == expected


def _assert_plan_valid(client: Any, answer: dict[str, Any], needs: list[str], duration: int) -> None:
    from datetime import datetime, timedelta  # noqa: PLC0415

    from solver.checker import assignment_problems  # noqa: PLC0415
    from solver.domain import Task  # noqa: PLC0415
    from solver.schema import parse_crew  # noqa: PLC0415

    scenario = scenario_from_tables(client.application.config["DATABASE_URL"])
    start = datetime.fromisoformat(answer["start"])
    skill = needs[1] if needs[:1] == ["--skill"] else None
    crew = parse_crew(needs[1]) if needs[:1] == ["--crew"] else ()
    new = Task("new", start, start + timedelta(minutes=duration), skill, None, crew)
    with_new = scenario.with_tasks((*scenario.tasks, new))
    assert assignment_problems(with_new, answer["plan"]) == []


@pytest.mark.parametrize(("crew", "limit", "step"), [("install:2", 5, 30), ("electric:2", 10, 60), (None, 3, 15)])
def test_next_equals_the_offline_command(client: Any, crew_day: dict[str, Any], crew: str | None, limit: int,
                                         step: int) -> None:
    params: dict[str, Any] = {"from": DAY, "days": 3, "duration_minutes": 60, "step_minutes": step, "limit": limit}
    args = ["next", "--from", DAY, "--days", "3", "--duration", "60", "--step", str(step), "--limit", str(limit)]
    if crew:
        params["crew"] = crew
        args += ["--crew", crew]
    r = client.get("/api/v1/slots/next", query_string=params)
    assert r.status_code == 200, r.json
    assert r.json == cli(args, crew_day)
    assert r.json["slots"]


def test_what_if_twins_answer_as_the_offline_commands_and_touch_nothing(client: Any, crew_day: dict[str, Any],
                                                                        database_url: str) -> None:
    before = dump(database_url)
    r = client.post("/api/v1/what-if/slots", json={"scenario": crew_day, "date": DAY, "duration_minutes": 60,
                                                   "step_minutes": 30, "crew": [{"skill": "install", "count": 2}]})
    assert r.status_code == 200 and r.json == cli(
        ["slots", "--date", DAY, "--duration", "60", "--step", "30", "--crew", "install:2"], crew_day)
    r = client.post("/api/v1/what-if/takeable", json={"scenario": crew_day, "worker": "igor", "date": DAY})
    assert r.status_code == 200 and r.json == cli(["takeable", "--worker", "igor", "--date", DAY], crew_day)
    r = client.post("/api/v1/what-if/explain", json={"scenario": crew_day, "start": at("12:00"),
                                                     "duration_minutes": 60, "skill": "electric"})
    assert r.status_code == 200 and r.json == cli(
        ["explain", "--start", at("12:00"), "--duration", "60", "--skill", "electric"], crew_day)
    r = client.post("/api/v1/what-if/next", json={"scenario": crew_day, "from": DAY, "days": 2,
                                                  "duration_minutes": 60, "crew": [{"skill": "install", "count": 2}],
                                                  "limit": 4})
    assert r.status_code == 200 and r.json == cli(
        ["next", "--from", DAY, "--days", "2", "--duration", "60", "--crew", "install:2", "--limit", "4"], crew_day)
    assert dump(database_url) == before


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/api/v1/slots", {"date": DAY, "duration_minutes": 60, "crew": "install:0"}, "crew"),
    ("/api/v1/slots", {"date": DAY, "duration_minutes": 60, "crew": "install", "skill": "install"}, "crew"),
    ("/api/v1/slots/next", {"from": DAY, "days": 63, "duration_minutes": 60}, "days"),
    ("/api/v1/slots/next", {"from": DAY, "days": 2, "duration_minutes": 60, "limit": 0}, "limit"),
    ("/api/v1/slots/explain", {"start": at("02:30", "2026-11-24"), "duration_minutes": 60}, "start"),
    ("/api/v1/workers/anna/takeable", {"date": "23.11.2026"}, "date"),
])
def test_invalid_v2_queries_are_422_naming_the_field(client: Any, path: str, params: dict[str, Any],
                                                     field: str) -> None:
    add_worker(client, "anna", ["install"])
    r = client.get(path, query_string=params)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert field in [e["field"] for e in r.json["errors"]], r.json


def test_takeable_of_an_unknown_worker_is_404(client: Any) -> None:
    assert client.get("/api/v1/workers/nobody/takeable").status_code == 404
    r = client.post("/api/v1/what-if/takeable", json={"scenario": {"workers": []}, "worker": "nobody"})
    assert r.status_code == 422
