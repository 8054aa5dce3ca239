"""Every 4xx is RFC 9457 application/problem+json naming the field; no input ever produces a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_kit import PROBLEM, add_worker, assert_problem, at


@pytest.fixture
def day(client: Any) -> Any:
    add_worker(client, "anna", ["install"], (at("09:00"), at("18:00")))
    assert client.post("/api/v1/tasks", json={"id": "t1", "start": at("10:00"), "end": at("11:00")}).status_code == 201
    return client


def test_malformed_json_is_400(day: Any) -> None:
    for url in ["/api/v1/tasks", "/api/v1/workers", "/api/v1/what-if/slots", "/api/v1/tasks/t1/take"]:
        r = day.post(url, data='{"start": ', content_type="application/json")
        body = assert_problem(r, 400, "body")
        assert "Invalid JSON" in body["detail"]


@pytest.mark.parametrize(("body", "field"), [
    ({"start": at("10:00"), "end": at("10:29")}, "end"),                      # 29 minutes
    ({"start": at("10:00"), "end": at("14:01")}, "end"),                      # 241 minutes
    ({"start": at("10:00"), "duration_minutes": 29}, "duration_minutes"),
    ({"start": at("10:00"), "duration_minutes": 241}, "duration_minutes"),
    ({"start": at("10:00"), "duration_minutes": 10**40}, "duration_minutes"),  # huge int
    ({"start": at("10:00"), "duration_minutes": 90.5}, "duration_minutes"),
    ({"start": at("10:00"), "duration_minutes": True}, "duration_minutes"),
    ({"start": at("10:00"), "duration_minutes": "90"}, "duration_minutes"),
    ({"start": at("10:00"), "end": at("10:00")}, "end"),
    ({"start": at("11:00"), "end": at("10:00")}, "end"),
    ({"start": "2026-11-31T10:00", "duration_minutes": 60}, "start"),         # no such date
    ({"start": "tomorrow", "duration_minutes": 60}, "start"),
    ({"start": 17, "duration_minutes": 60}, "start"),
    ({"start": "0001-01-01T00:00", "duration_minutes": 60}, "start"),
    ({"start": "9999-12-31T23:00", "duration_minutes": 60}, "start"),
    ({"duration_minutes": 60}, "start"),
    ({"start": at("10:00")}, "end"),                                          # neither end nor duration
    ({"start": at("10:00"), "end": at("11:00"), "duration_minutes": 60}, "end"),
    ({"start": at("10:00"), "duration_minutes": 60, "skill": 5}, "skill"),
    ({"start": at("10:00"), "duration_minutes": 60, "skill": "a\x00b"}, "skill"),
    ({"start": at("10:00"), "duration_minutes": 60, "colour": "red"}, "colour"),
    ({"id": "bad id!", "start": at("10:00"), "duration_minutes": 60}, "id"),
    ({"id": "x" * 65, "start": at("10:00"), "duration_minutes": 60}, "id"),
])
def test_booking_invalid_input_names_the_field(day: Any, body: dict[str, Any], field: str) -> None:
    assert_problem(day.post("/api/v1/tasks", json=body), 422, field)


def test_a_time_skipped_by_dst_is_refused(client: Any, app: Any) -> None:
    app.config["TIMEZONE"] = "Europe/Berlin"
    body = assert_problem(client.post("/api/v1/tasks", json={"start": "2026-03-29T02:30", "duration_minutes": 60}),
                          422, "start")
    assert "does not exist" in body["detail"]


@pytest.mark.parametrize(("url", "field"), [
    ("/api/v1/slots?date=2026-11-23", "duration_minutes"),
    ("/api/v1/slots?date=23.11.2026&duration_minutes=60", "date"),
    ("/api/v1/slots?date=2026-11-23&duration_minutes=sixty", "duration_minutes"),
    ("/api/v1/slots?date=2026-11-23&duration_minutes=29", "duration_minutes"),
    ("/api/v1/slots?date=2026-11-23&duration_minutes=241", "duration_minutes"),
    ("/api/v1/slots?date=2026-11-23&duration_minutes=99999999999999999999999", "duration_minutes"),
    ("/api/v1/slots?date=2026-11-23&duration_minutes=60&step_minutes=0", "step_minutes"),
    ("/api/v1/slots?date=9999-12-31&duration_minutes=60", "date"),
    ("/api/v1/tasks", "date"),
    ("/api/v1/tasks?date=2026-02-29", "date"),
    ("/api/v1/workers/anna/shifts?date=yesterday", "date"),
])
def test_query_errors_name_the_parameter(day: Any, url: str, field: str) -> None:
    assert_problem(day.get(url), 422, field)


@pytest.mark.parametrize(("method", "url", "body"), [
    ("get", "/api/v1/workers/ghost", None),
    ("get", "/api/v1/workers/%00", None),
    ("patch", "/api/v1/workers/ghost", {"name": "x"}),
    ("delete", "/api/v1/workers/ghost", None),
    ("get", "/api/v1/workers/ghost/shifts", None),
    ("delete", "/api/v1/workers/anna/shifts/99999999999999999999999999", None),
    ("delete", "/api/v1/workers/anna/shifts/0", None),
    ("get", "/api/v1/tasks/ghost", None),
    ("patch", "/api/v1/tasks/ghost", {"start": at("10:00"), "duration_minutes": 60}),
    ("delete", "/api/v1/tasks/ghost", None),
    ("post", "/api/v1/tasks/ghost/take", {"worker_id": "anna"}),
    ("post", "/api/v1/tasks/ghost/release", None),
    ("get", "/api/v1/nothing-here", None),
])
def test_unknown_ids_are_404_problems(day: Any, method: str, url: str, body: Any) -> None:
    kwargs = {"json": body} if body is not None else {}
    assert_problem(getattr(day, method)(url, **kwargs), 404)


def test_wrong_method_is_a_405_problem(day: Any) -> None:
    assert_problem(day.put("/api/v1/tasks/t1", json={}), 405)


@pytest.mark.parametrize(("body", "field"), [
    ({"worker_id": 7}, "worker_id"),
    ({}, "worker_id"),
    ({"worker_id": "ghost"}, "worker_id"),
])
def test_take_body_errors(day: Any, body: dict[str, Any], field: str) -> None:
    assert_problem(day.post("/api/v1/tasks/t1/take", json=body), 422, field)


@pytest.mark.parametrize(("body", "field"), [
    ({"skills": "install"}, "skills"),
    ({"skills": [""]}, "skills[0]"),
    ({"hire_date": "2026-13-01"}, "hire_date"),
    ({"fire_date": 20261123}, "fire_date"),
    ({"name": None}, "name"),
])
def test_worker_body_errors(day: Any, body: dict[str, Any], field: str) -> None:
    assert_problem(day.post("/api/v1/workers", json=body), 422, field)
    assert_problem(day.patch("/api/v1/workers/anna", json=body), 422, field)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.floats(allow_nan=False)
    | st.text(max_size=30) | st.sampled_from(["2026-11-23T10:00", "2026-11-23", "anna", "t1", "10:00"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "start", "end", "duration_minutes", "skill", "worker_id", "skills", "name",
                         "hire_date", "fire_date", "scenario", "date", "step_minutes", "workers", "tasks",
                         "shifts", "timezone", "day_start"]) | st.text(max_size=5), inner, max_size=6),
    max_leaves=12,
)
_endpoints = st.sampled_from([
    ("post", "/api/v1/tasks"), ("patch", "/api/v1/tasks/t1"), ("post", "/api/v1/tasks/t1/take"),
    ("post", "/api/v1/workers"), ("patch", "/api/v1/workers/anna"), ("post", "/api/v1/workers/anna/shifts"),
    ("post", "/api/v1/what-if/slots"), ("post", "/api/v1/what-if/plan"),
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=_endpoints, body=_json)
def test_no_input_produces_a_500(day: Any, endpoint: tuple[str, str], body: Any) -> None:
    method, url = endpoint
    r = getattr(day, method)(url, data=json.dumps(body), content_type="application/json")
    assert r.status_code < 500, r.get_data(as_text=True)
    if r.status_code >= 400:
        assert r.content_type == PROBLEM


@pytest.mark.parametrize("url", ["/api/v1/what-if/slots", "/api/v1/what-if/plan"])
def test_what_if_dates_at_the_edge_of_the_calendar_are_422(client: Any, url: str) -> None:
    scenario = {"timezone": "Europe/Moscow",
                "tasks": [{"id": "t", "start": "0001-01-01T00:00", "end": "0001-01-01T01:00"}]}
    assert_problem(client.post(url, json={"scenario": scenario, "date": "9999-12-31", "duration_minutes": 60}), 422)
