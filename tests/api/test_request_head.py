"""Over-long URLs and header fields answer 414 / 431 application/problem+json naming the part, through the
real server: gunicorn.conf.py keeps gunicorn's own (HTML) limits above the application's."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from gunicorn.config import Config as GunicornConfig
from server_kit import gunicorn
from service_kit import assert_problem

import api.config

DEFAULTS = api.config.from_environment()  # what the test server reads too
URL_LIMIT, HEADER_LIMIT = DEFAULTS["MAX_URL_BYTES"], DEFAULTS["MAX_HEADER_BYTES"]


def _path(length: int) -> str:
    """/healthz?pad=xxx... of exactly `length` bytes (a public path: no token needed to reach the check)."""
    head = "/healthz?pad="
    return head + "x" * (length - len(head))


@pytest.fixture(scope="module")
def server(_session_database: str) -> Any:
    with gunicorn(_session_database, threads=2) as base:
        yield base


def test_the_config_file_keeps_gunicorns_limits_above_the_applications(repo_root: Any) -> None:
    cfg = GunicornConfig()
    namespace: dict[str, Any] = {}
    exec((repo_root / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102 - our own config file
    for name in ("limit_request_line", "limit_request_field_size"):
        cfg.set(name, namespace[name])
    assert cfg.limit_request_line > URL_LIMIT + len("GET  HTTP/1.1")
    assert cfg.limit_request_field_size > HEADER_LIMIT
    assert cfg.config == "./gunicorn.conf.py"  # gunicorn's default: the file in its working directory


def test_an_over_long_url_is_414_problem_json(server: str) -> None:
    assert requests.get(server + _path(URL_LIMIT), timeout=10).status_code == 422  # at the limit: the app's answer
    r = requests.get(server + _path(URL_LIMIT + 1), timeout=10)
    assert r.status_code == 414 and r.headers["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["errors"] == [{"field": "url", "message": f"at most {URL_LIMIT} bytes"}]
    assert body["limit"] == URL_LIMIT and str(URL_LIMIT + 1) in body["detail"]
    # Up to gunicorn's own limit (8190 bytes of request line, from gunicorn.conf.py), still the application's.
    assert requests.get(server + _path(8000), timeout=10).headers["Content-Type"] == "application/problem+json"


def test_an_over_long_header_field_is_431_problem_json_naming_it(server: str) -> None:
    value = "x" * (HEADER_LIMIT - len("X-Padding: "))
    assert requests.get(server + "/healthz", headers={"X-Padding": value}, timeout=10).status_code == 200
    r = requests.get(server + "/healthz", headers={"X-Padding": value + "x"}, timeout=10)
    assert r.status_code == 431 and r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["errors"] == [{"field": "X-Padding", "message": f"at most {HEADER_LIMIT} bytes"}]
    r = requests.get(server + "/healthz", headers={"X-Padding": "x" * 30000}, timeout=10)
    assert r.status_code == 431 and r.headers["Content-Type"] == "application/problem+json"


def test_the_limits_are_configurable(app: Any, client: Any, anonymous: Any) -> None:
    app.config.update(MAX_URL_BYTES=100, MAX_HEADER_BYTES=50)
    assert_problem(anonymous.get(_path(101)), 414, "url")
    assert anonymous.get(_path(100)).status_code == 422  # the unknown parameter `pad`
    assert_problem(anonymous.get("/healthz", headers={"X-Padding": "x" * 40}), 431, "X-Padding")
    assert anonymous.get("/healthz", headers={"X-Padding": "x" * 30}).status_code == 200
