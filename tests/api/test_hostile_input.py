"""Inputs an attacker or a careless client sends: each answers 4xx problem+json, never 500, and
changes nothing."""

from __future__ import annotations

from string import Template
from typing import Any

import pytest
from service_kit import DAY, add_worker, assert_problem, at, dump

SURROGATE = '"\\ud800"'  # JSON text: a lone UTF-16 surrogate escape


def j(template: str) -> str:
    """JSON text from a template: $s is a lone surrogate, $at9 / $at12 / $at17 times of the day, $day the day."""
    return Template(template).substitute(s=SURROGATE, at9=at("09:00"), at12=at("12:00"), at17=at("17:00"), day=DAY)


SCENARIO = j('{"timezone": "Europe/Moscow", "workers": [{"id": "w", "skills": [], "shifts": [{"start": "$at9",'
             ' "end": "$at17"}]}], "tasks": []}')


@pytest.fixture
def day(client: Any) -> Any:
    add_worker(client, "anna", ["install"], (at("09:00"), at("18:00")))
    assert client.post("/api/v1/tasks", json={"id": "t1", "start": at("10:00"), "end": at("11:00")}).status_code == 201
    return client


def _raw(c: Any, method: str, url: str, text: str | bytes) -> Any:
    data = text if isinstance(text, bytes) else text.encode()
    return c.open(url, method=method, data=data, content_type="application/json")


@pytest.mark.parametrize(("method", "url", "text"), [
    ("POST", "/api/v1/workers", j('{"id": "x1", "name": $s}')),
    ("POST", "/api/v1/workers", j('{"id": "x1", "skills": [$s]}')),
    ("PATCH", "/api/v1/workers/anna", j('{"name": $s}')),
    ("POST", "/api/v1/tasks", j('{"start": "$at12", "duration_minutes": 60, "skill": $s}')),
    ("POST", "/api/v1/tasks/t1/take", j('{"worker_id": $s}')),
    ("POST", "/api/v1/workers", j('{$s: 1}')),
    ("POST", "/api/v1/what-if/slots",
     '{"scenario": ' + SCENARIO + j(', "date": "$day", "duration_minutes": 60, "skill": $s}')),
    ("POST", "/api/v1/workers", "[" * 1000 + "]" * 1000),
    ("POST", "/api/v1/tasks", '{"start": ' + "[" * 5000 + "]" * 5000 + "}"),
    ("POST", "/api/v1/workers", '{"id": "x1", "name": ' + '{"a": ' * 999 + "1" + "}" * 1000),
    ("POST", "/api/v1/tasks", j('{"start": "$at12", "duration_minutes": ') + "9" * 5000 + "}"),
    ("POST", "/api/v1/what-if/plan", '{"scenario": {"timezone": "' + "A" * 256 + '", "workers": [], "tasks": []}}'),
    ("POST", "/api/v1/what-if/plan",
     '{"scenario": {"timezone": "Europe/' + "../" * 80 + '", "workers": [], "tasks": []}}'),
    ("POST", "/api/v1/what-if/plan", '{"scenario": {"timezone": "Europe/Moscow\\u0000", "workers": [], "tasks": []}}'),
    ("POST", "/api/v1/workers", b'{"name": "\xff"}'),  # not UTF-8
])
def test_hostile_json_is_a_4xx_problem_and_changes_nothing(day: Any, database_url: str, method: str, url: str,
                                                           text: str | bytes) -> None:
    before = dump(database_url)
    r = _raw(day, method, url, text)
    assert 400 <= r.status_code < 500, r.get_data(as_text=True)
    assert_problem(r, r.status_code)
    assert dump(database_url) == before


def test_a_405_keeps_its_allow_header(day: Any) -> None:
    r = day.put("/api/v1/tasks/t1", json={})
    assert_problem(r, 405)
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "PATCH", "DELETE"}


@pytest.mark.parametrize(("method", "url", "param"), [
    ("GET", "/api/v1/workers?limit=5", "limit"),
    ("GET", f"/api/v1/tasks?date={DAY}&worker=anna", "worker"),
    ("GET", f"/api/v1/slots?date={DAY}&duration_minutes=60&engine=naive", "engine"),
    ("POST", "/api/v1/tasks?dry_run=1", "dry_run"),
    ("DELETE", "/api/v1/tasks/t1?force=true", "force"),
])
def test_unknown_query_parameters_are_422(day: Any, database_url: str, method: str, url: str, param: str) -> None:
    before = dump(database_url)
    kwargs = {"json": {"start": at("12:00"), "duration_minutes": 60}} if method == "POST" else {}
    assert_problem(day.open(url, method=method, **kwargs), 422, param)
    assert dump(database_url) == before


@pytest.mark.parametrize(("kwargs"), [
    {"data": '{"id": "x1"}', "content_type": "text/plain"},
    {"data": {"id": "x1"}},  # a form post (application/x-www-form-urlencoded)
    {"data": '{"id": "x1"}', "content_type": "multipart/form-data; boundary=x"},
    {"data": "", "content_type": "application/x-www-form-urlencoded"},
])
def test_state_changes_accept_only_json(day: Any, database_url: str, kwargs: dict[str, Any]) -> None:
    before = dump(database_url)
    assert_problem(day.post("/api/v1/workers", **kwargs), 415, "Content-Type")
    assert_problem(day.post("/api/v1/tasks/t1/release", **kwargs), 415)
    assert dump(database_url) == before


@pytest.mark.parametrize(("method", "url"), [
    ("POST", "/api/v1/workers"), ("PATCH", "/api/v1/workers/anna"), ("POST", "/api/v1/tasks"),
    ("POST", "/api/v1/what-if/plan"), ("POST", "/api/v1/tasks/t1/take"),
])
def test_a_missing_body_is_422_and_creates_nothing(day: Any, database_url: str, method: str, url: str) -> None:
    before = dump(database_url)
    assert_problem(day.open(url, method=method), 422, "body")
    assert dump(database_url) == before


def test_a_body_over_the_size_limit_is_413(app: Any, day: Any, database_url: str) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    before = dump(database_url)
    r = day.post("/api/v1/workers", json={"id": "x1", "name": "n" * 2000})
    assert_problem(r, 413)
    assert dump(database_url) == before


def test_the_default_size_limit_is_2_mb(app: Any) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
