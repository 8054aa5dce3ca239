"""Who may do what. The policy below is written from the issue, independently of `api.access.RULES`;
every operation of the OpenAPI document is tried by every role and without a token, so an endpoint
added without a rule (or without a line here) fails the suite. A refused request changes nothing."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from service_kit import DAY, add_worker, assert_problem, at, dump

from api import create_app
from api.auth import revoke_token
from api.db import unit_of_work

ROLES = ("manager", "installer", "planner", "admin")
M, INS, P = "manager", "installer", "planner"  # admin may do everything, so it is implied below
PUBLIC = "public"

# (METHOD, path) -> roles allowed besides admin (installers act as worker "anna", who holds t2).
POLICY: dict[tuple[str, str], Any] = {
    ("GET", "/healthz"): PUBLIC,
    ("POST", "/api/v1/session"): PUBLIC,
    ("DELETE", "/api/v1/session"): PUBLIC,
    ("GET", "/api/v1/session"): PUBLIC,
    ("GET", "/api/v1/workers"): {M, P},
    ("POST", "/api/v1/workers"): {M},
    ("GET", "/api/v1/workers/{worker_id}"): {M, P, INS},
    ("PATCH", "/api/v1/workers/{worker_id}"): {M},
    ("DELETE", "/api/v1/workers/{worker_id}"): {M},
    ("GET", "/api/v1/workers/{worker_id}/shifts"): {M, P, INS},
    ("POST", "/api/v1/workers/{worker_id}/shifts"): {M},
    ("DELETE", "/api/v1/workers/{worker_id}/shifts/{shift_id}"): {M},
    ("GET", "/api/v1/tasks"): {M, P, INS},
    ("POST", "/api/v1/tasks"): {M},
    ("GET", "/api/v1/tasks/{task_id}"): {M, P, INS},
    ("PATCH", "/api/v1/tasks/{task_id}"): {M},
    ("DELETE", "/api/v1/tasks/{task_id}"): {M},
    ("POST", "/api/v1/tasks/{task_id}/take"): {INS},
    ("POST", "/api/v1/tasks/{task_id}/release"): {M, INS},
    ("GET", "/api/v1/tasks/{task_id}/history"): {M},
    ("GET", "/api/v1/events"): {M},
    ("GET", "/api/v1/slots"): {M, P},
    ("POST", "/api/v1/what-if/slots"): {M, P},
    ("POST", "/api/v1/what-if/plan"): {M, P},
    # Crews' questions (branch "service").
    ("GET", "/api/v1/workers/{worker_id}/takeable"): {M, P, INS},
    ("GET", "/api/v1/slots/explain"): {M, P},
    ("GET", "/api/v1/slots/next"): {M, P},
    ("POST", "/api/v1/what-if/takeable"): {M, P},
    ("POST", "/api/v1/what-if/explain"): {M, P},
    ("POST", "/api/v1/what-if/next"): {M, P},
    # Rosters, absences and the day document (branch "rosters").
    ("GET", "/api/v1/workers/{worker_id}/absences"): {M, P, INS},
    ("POST", "/api/v1/workers/{worker_id}/absences"): {M},
    ("DELETE", "/api/v1/workers/{worker_id}/absences/{absence_id}"): {M},
    ("GET", "/api/v1/workers/{worker_id}/patterns"): {M, P, INS},
    ("POST", "/api/v1/workers/{worker_id}/patterns"): {M},
    ("GET", "/api/v1/workers/{worker_id}/patterns/{pattern_id}"): {M, P, INS},
    ("PATCH", "/api/v1/workers/{worker_id}/patterns/{pattern_id}"): {M},
    ("DELETE", "/api/v1/workers/{worker_id}/patterns/{pattern_id}"): {M},
    ("PUT", "/api/v1/workers/{worker_id}/patterns/{pattern_id}/overrides/{day}"): {M},
    ("DELETE", "/api/v1/workers/{worker_id}/patterns/{pattern_id}/overrides/{day}"): {M},
    ("GET", "/api/v1/workers/{worker_id}/calendar.ics"): {M, P, INS},
    ("POST", "/api/v1/workers/{worker_id}/calendar-token"): {M, INS},
    ("GET", "/api/v1/days/{day}"): {M, P},
    ("GET", "/api/v1/days/{day}/scenario"): {M, P},
    ("GET", "/api/v1/free-time"): {M, P},
    ("GET", "/api/v1/availability"): {M, P},
}

SCENARIO = {"timezone": "Europe/Moscow",
            "workers": [{"id": "w", "skills": [], "shifts": [{"start": at("09:00"), "end": at("17:00")}]}],
            "tasks": [{"id": "x", "start": at("10:00"), "end": at("11:00")}]}
PATH_VALUES = {"worker_id": "anna", "task_id": "t2", "shift_id": "1", "absence_id": "1", "pattern_id": "1",
               "day": DAY}
QUERY = {
    ("GET", "/api/v1/tasks"): {"date": DAY},
    ("GET", "/api/v1/slots"): {"date": DAY, "duration_minutes": "60"},
    ("GET", "/api/v1/events"): {"since": "2000-01-01T00:00:00Z"},
    ("GET", "/api/v1/workers/{worker_id}/takeable"): {"date": DAY},
    ("GET", "/api/v1/slots/explain"): {"start": at("13:00"), "duration_minutes": "60"},
    ("GET", "/api/v1/slots/next"): {"from": DAY, "days": "2", "duration_minutes": "60"},
}
BODY = {
    ("POST", "/api/v1/session"): {"token": "sp_unknown"},
    ("POST", "/api/v1/workers"): {"id": "carl"},
    ("PATCH", "/api/v1/workers/{worker_id}"): {"name": "Anna K."},
    ("POST", "/api/v1/workers/{worker_id}/shifts"): {"start": at("19:00"), "end": at("20:00")},
    ("POST", "/api/v1/tasks"): {"start": at("13:00"), "duration_minutes": 30},
    ("PATCH", "/api/v1/tasks/{task_id}"): {"start": at("11:00"), "duration_minutes": 60},
    ("POST", "/api/v1/tasks/{task_id}/take"): {"worker_id": "anna"},
    ("POST", "/api/v1/what-if/slots"): {"scenario": SCENARIO, "date": DAY, "duration_minutes": 60},
    ("POST", "/api/v1/what-if/plan"): {"scenario": SCENARIO},
    ("POST", "/api/v1/what-if/takeable"): {"scenario": SCENARIO, "worker": "w", "date": DAY},
    ("POST", "/api/v1/what-if/explain"): {"scenario": SCENARIO, "start": at("13:00"), "duration_minutes": 60},
    ("POST", "/api/v1/what-if/next"): {"scenario": SCENARIO, "from": DAY, "days": 1, "duration_minutes": 60},
}


def _document() -> dict[str, Any]:
    # The OpenAPI document is public and needs no database: read it at collection time.
    return create_app({"TESTING": True}).test_client().get("/openapi.json").get_json()


OPERATIONS = sorted((method.upper(), path) for path, item in _document()["paths"].items()
                    for method in item if method in {"get", "post", "put", "patch", "delete"})


def test_every_documented_operation_has_a_policy_line() -> None:
    assert set(OPERATIONS) - set(POLICY) == set()


def _build_day(client: Any) -> None:
    """anna (installer) holds t2; t1 is untaken; boris is another installer. anna's shift has id 1."""
    add_worker(client, "anna", ["install"], (at("09:00"), at("18:00")))
    add_worker(client, "boris", ["install"], (at("09:00"), at("18:00")))
    for tid, start, end in [("t1", "10:00", "11:00"), ("t2", "12:00", "13:00")]:
        assert client.post("/api/v1/tasks", json={"id": tid, "start": at(start), "end": at(end)}).status_code == 201
    assert client.post("/api/v1/tasks/t2/take", json={"worker_id": "anna"}).status_code == 200


@pytest.fixture
def day(client: Any) -> Any:
    _build_day(client)
    return client


def _rebuild_day(client: Any, database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:  # tokens stay; everything else goes
        conn.execute("TRUNCATE day_witness, tasks, shifts, workers, events CASCADE;"  # CASCADE: seats, crews, rosters
                     " ALTER SEQUENCE shifts_id_seq RESTART; ALTER SEQUENCE worker_id_seq RESTART;"
                     " ALTER SEQUENCE task_id_seq RESTART")
    _build_day(client)


def _call(c: Any, method: str, path: str, token_for: Any) -> Any:
    url = path
    for name, value in PATH_VALUES.items():
        url = url.replace("{" + name + "}", value)
    kwargs: dict[str, Any] = {"query_string": QUERY.get((method, path), {})}
    if (method, path) == ("POST", "/api/v1/session"):
        kwargs["json"] = {"token": token_for("planner")}
    elif (method, path) in BODY:
        kwargs["json"] = BODY[(method, path)]
    return c.open(url, method=method, **kwargs)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_role_on_every_endpoint(day: Any, client_as: Any, anonymous: Any, token_for: Any, database_url: str,
                                      method: str, path: str) -> None:
    """Refused callers first (they change nothing), then each allowed one on a freshly built day."""
    policy = POLICY.get((method, path))
    assert policy is not None, f"no policy line for {method} {path}"
    callers = {who: anonymous if who == "anonymous" else client_as(who, "anna" if who == "installer" else None)
               for who in ("anonymous", *ROLES)}
    allowed = {who for who in callers if policy == PUBLIC or who == "admin" or who in policy}
    before = dump(database_url)
    for who in sorted(set(callers) - allowed):
        r = _call(callers[who], method, path, token_for)
        assert_problem(r, 401 if who == "anonymous" else 403)
        if who == "anonymous":
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert dump(database_url) == before, f"a refused request by {who} changed the database"
    for who in sorted(allowed):
        r = _call(callers[who], method, path, token_for)
        # A public operation may still answer 401 about its own credential (GET /session without a cookie).
        refused = (403,) if policy == PUBLIC else (401, 403)
        assert r.status_code not in refused, (who, r.get_data(as_text=True))
        if method != "GET":
            _rebuild_day(day, database_url)


@pytest.mark.parametrize(("method", "url", "body"), [
    ("GET", "/api/v1/workers/anna", None),
    ("GET", "/api/v1/workers/anna/shifts", None),
    ("POST", "/api/v1/tasks/t1/take", {"worker_id": "anna"}),
    ("POST", "/api/v1/tasks/t2/release", None),
])
def test_an_installer_acts_only_for_themselves(day: Any, client_as: Any, database_url: str, method: str, url: str,
                                               body: Any) -> None:
    boris = client_as("installer", "boris")
    before = dump(database_url)
    assert_problem(boris.open(url, method=method, json=body), 403)
    assert dump(database_url) == before


def test_an_installer_takes_and_releases_for_themselves(day: Any, client_as: Any) -> None:
    boris = client_as("installer", "boris")
    assert boris.post("/api/v1/tasks/t1/take", json={"worker_id": "boris"}).json["worker_id"] == "boris"
    assert boris.post("/api/v1/tasks/t1/release").json["worker_id"] is None
    assert boris.get("/api/v1/workers/boris/shifts").status_code == 200


@pytest.mark.parametrize("header", ["Bearer sp_nope", "Bearer ", "Basic YWRtaW46YWRtaW4=", "sp_nope",
                                    "Bearer " + "x" * 300])
def test_a_bad_token_is_401(day: Any, anonymous: Any, header: str) -> None:
    assert_problem(anonymous.get("/api/v1/workers", headers={"Authorization": header}), 401)


def test_cli_creates_and_revokes_tokens(app: Any, day: Any, anonymous: Any) -> None:
    app.config["AUTH_CACHE_SECONDS"] = 0  # see revocation at once
    runner = app.test_cli_runner()
    assert runner.invoke(args=["token", "create", "--role", "installer"]).exit_code == 2
    assert runner.invoke(args=["token", "create", "--role", "installer", "--worker", "ghost"]).exit_code == 2
    assert runner.invoke(args=["token", "create", "--role", "boss"]).exit_code == 2
    made = runner.invoke(args=["token", "create", "--role", "manager", "--label", "Maria"])
    assert made.exit_code == 0, made.output
    token_id, token = made.output.split()[1], made.output.split()[-1]
    auth = {"Authorization": f"Bearer {token}"}
    assert anonymous.post("/api/v1/workers", json={"id": "carl"}, headers=auth).status_code == 201
    assert "Maria" in runner.invoke(args=["token", "list"]).output
    assert token not in runner.invoke(args=["token", "list"]).output
    assert runner.invoke(args=["token", "revoke", token_id]).exit_code == 0
    assert_problem(anonymous.get("/api/v1/workers", headers=auth), 401)
    assert runner.invoke(args=["token", "revoke", token_id]).exit_code == 2


def test_tokens_are_stored_hashed(day: Any, token_for: Any, database_url: str) -> None:
    token = token_for("planner")
    with psycopg.connect(database_url) as conn:
        stored = [bytes(r[0]) for r in conn.execute("SELECT token_hash FROM api_tokens").fetchall()]
    assert all(token.encode() not in h for h in stored)
    assert all(len(h) == 32 for h in stored)


# --- the web pages' session: a signed cookie, and a CSRF token on every change ---------------------------


def test_session_sign_in_needs_csrf_for_changes(app: Any, day: Any, token_for: Any, database_url: str) -> None:
    browser = app.test_client()
    assert_problem(browser.post("/api/v1/session", json={"token": "sp_wrong"}), 401)
    signed = browser.post("/api/v1/session", json={"token": token_for("manager")})
    assert signed.status_code == 200 and signed.json["role"] == "manager"
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    csrf = signed.json["csrf_token"]
    assert browser.get("/api/v1/workers").status_code == 200  # reads need no CSRF token
    before = dump(database_url)
    assert_problem(browser.post("/api/v1/workers", json={"id": "carl"}), 403)
    assert_problem(browser.post("/api/v1/workers", json={"id": "carl"}, headers={"X-CSRF-Token": "guess"}), 403)
    # A cross-site form post is refused for its type before anything else.
    assert_problem(browser.post("/api/v1/workers", data={"id": "carl"}, headers={"X-CSRF-Token": csrf}), 415)
    assert dump(database_url) == before
    assert browser.post("/api/v1/workers", json={"id": "carl"}, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert browser.delete("/api/v1/session").status_code == 204
    assert_problem(browser.get("/api/v1/workers"), 401)


def test_a_session_ends_when_its_token_is_revoked(app: Any, day: Any, token_for: Any) -> None:
    app.config["AUTH_CACHE_SECONDS"] = 0
    browser = app.test_client()
    assert browser.post("/api/v1/session", json={"token": token_for("planner")}).status_code == 200
    assert browser.get("/api/v1/workers").status_code == 200
    with app.app_context(), unit_of_work() as conn:
        token_id = conn.execute("SELECT max(id) FROM api_tokens").fetchone()[0]
        assert revoke_token(conn, token_id)
    assert_problem(browser.get("/api/v1/workers"), 401)


def test_demo_data_prints_a_token_per_role_and_a_curl_that_works(app: Any, anonymous: Any) -> None:
    out = app.test_cli_runner().invoke(args=["demo-data", "--date", "2026-11-23"]).output
    tokens = {line.split()[0]: line.split()[-1] for line in out.splitlines() if " token" in line.split(":")[0]}
    assert set(tokens) == set(ROLES)
    curl = next(line for line in out.splitlines() if line.startswith("curl"))
    assert f"Bearer {tokens['manager']}" in curl
    url = curl.split("'")[-2].replace("http://127.0.0.1:8080", "")
    assert anonymous.get(url, headers={"Authorization": f"Bearer {tokens['manager']}"}).status_code == 200
    assert_problem(anonymous.get(url, headers={"Authorization": f"Bearer {tokens['installer']}"}), 403)


def test_the_document_declares_the_bearer_scheme_roles_and_problem_errors() -> None:
    spec = _document()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": spec["components"]["securitySchemes"]["bearerAuth"][
            "description"]}
    for method, path in OPERATIONS:
        op = spec["paths"][path][method.lower()]
        if POLICY[(method, path)] == PUBLIC:
            assert op["security"] == []
        else:
            assert op["security"] == [{"bearerAuth": []}] and {"401", "403"} <= set(op["responses"])
            assert "Roles: " in op["description"]
        for code, resp in op["responses"].items():
            if code[0] in "45" and "content" in resp:
                assert list(resp["content"]) == ["application/problem+json"], (method, path, code)
    assert all("application/json" not in r["content"] for r in spec["components"]["responses"].values())
    workers = spec["components"]["schemas"]["WorkerCreate"]["properties"]
    assert workers["hire_date"]["format"] == "date"
    assert spec["components"]["schemas"]["TaskCreate"]["properties"]["start"]["format"] == "date-time"


def test_swagger_ui_is_served_from_the_package(anonymous: Any) -> None:
    page = anonymous.get("/docs").get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    for asset in ["swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"]:
        r = anonymous.get(f"/docs/assets/{asset}")
        assert r.status_code == 200 and len(r.get_data()) > 1000


def test_a_caller_who_may_not_call_learns_nothing_of_the_shape(day: Any, client_as: Any, anonymous: Any) -> None:
    assert_problem(client_as("planner").post("/api/v1/workers"), 403)  # no body: 403, not 422
    assert_problem(anonymous.get("/api/v1/workers?bogus=1"), 401)
    assert_problem(client_as("installer", "anna").get("/api/v1/slots?bogus=1"), 403)
    assert_problem(client_as("manager").post("/api/v1/workers"), 422, "body")
