"""Who may call what: one table from (method, OpenAPI path) to the roles allowed, enforced for every
request in one `before_request` hook. A route without a rule is refused (403), and a test generated from
the OpenAPI document fails for any documented operation missing here, so a new endpoint needs a rule.

Roles: managers book, move and delete tasks and manage workers and shifts; installers read the day's
tasks and their own worker record and shifts, and take / release only for themselves; planners run
what-if and read; admins may do everything. "Own" rules are checked here when the request names the
worker (path or body); a release is checked against the task's taker inside its transaction
(`require_own_task`), where the taker cannot change underneath.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask, g, request

from api.auth import (
    CALENDAR,
    WORKER_ROLES,
    Forbidden,
    Principal,
    Unauthorized,
    authenticate,
    current_principal,
    principal_for_token,
)

MANAGER, INSTALLER, PLANNER, ADMIN = "manager", "installer", "planner", "admin"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str] = frozenset()
    public: bool = False
    # Installers pass only for themselves: the path parameter or JSON body field naming their worker.
    own_path: str | None = None
    own_body: str | None = None
    # A calendar token may come as `?token=` (phones subscribe by URL); no other route takes one there.
    url_token: bool = False


PUBLIC = Rule(public=True)


def allow(*roles: str, own_path: str | None = None, own_body: str | None = None, url_token: bool = False) -> Rule:
    return Rule(frozenset({ADMIN, *roles}), own_path=own_path, own_body=own_body, url_token=url_token)


READ = (MANAGER, PLANNER)
A = "/api/v1"

RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/assets/{filename}"): PUBLIC,
    ("POST", f"{A}/session"): PUBLIC,  # the token in the body is the credential
    ("DELETE", f"{A}/session"): PUBLIC,
    ("GET", f"{A}/session"): PUBLIC,  # answers only for a valid session cookie (401 otherwise)
    ("GET", f"{A}/workers"): allow(*READ),
    ("POST", f"{A}/workers"): allow(MANAGER),
    ("GET", f"{A}/workers/{{worker_id}}"): allow(*READ, INSTALLER, own_path="worker_id"),
    ("PATCH", f"{A}/workers/{{worker_id}}"): allow(MANAGER),
    ("DELETE", f"{A}/workers/{{worker_id}}"): allow(MANAGER),
    ("GET", f"{A}/workers/{{worker_id}}/shifts"): allow(*READ, INSTALLER, own_path="worker_id"),
    ("POST", f"{A}/workers/{{worker_id}}/shifts"): allow(MANAGER),
    ("DELETE", f"{A}/workers/{{worker_id}}/shifts/{{shift_id}}"): allow(MANAGER),
    ("GET", f"{A}/tasks"): allow(*READ, INSTALLER),  # the day's tasks: what an installer can take
    ("POST", f"{A}/tasks"): allow(MANAGER),
    ("GET", f"{A}/tasks/{{task_id}}"): allow(*READ, INSTALLER),
    ("PATCH", f"{A}/tasks/{{task_id}}"): allow(MANAGER),
    ("DELETE", f"{A}/tasks/{{task_id}}"): allow(MANAGER),
    ("POST", f"{A}/tasks/{{task_id}}/take"): allow(INSTALLER, own_body="worker_id"),
    # Managers may release any task (to reassign it, or before deleting a worker); installers only their own.
    ("POST", f"{A}/tasks/{{task_id}}/release"): allow(MANAGER, INSTALLER, own_body="worker_id"),
    ("GET", f"{A}/tasks/{{task_id}}/history"): allow(MANAGER),
    ("GET", f"{A}/events"): allow(MANAGER),
    ("GET", f"{A}/slots"): allow(*READ),
    ("POST", f"{A}/what-if/slots"): allow(*READ),
    ("POST", f"{A}/what-if/plan"): allow(*READ),
    # Crews' questions (branch "service"): an installer asks what they themselves can take.
    ("GET", f"{A}/workers/{{worker_id}}/takeable"): allow(*READ, INSTALLER, own_path="worker_id"),
    ("GET", f"{A}/slots/explain"): allow(*READ),
    ("GET", f"{A}/slots/next"): allow(*READ),
    ("POST", f"{A}/what-if/takeable"): allow(*READ),
    ("POST", f"{A}/what-if/explain"): allow(*READ),
    ("POST", f"{A}/what-if/next"): allow(*READ),
    # Rosters, absences and the day document (branch "rosters").
    ("GET", f"{A}/workers/{{worker_id}}/absences"): allow(*READ, INSTALLER, own_path="worker_id"),
    ("POST", f"{A}/workers/{{worker_id}}/absences"): allow(MANAGER),
    ("DELETE", f"{A}/workers/{{worker_id}}/absences/{{absence_id}}"): allow(MANAGER),
    ("GET", f"{A}/workers/{{worker_id}}/patterns"): allow(*READ, INSTALLER, own_path="worker_id"),
    ("POST", f"{A}/workers/{{worker_id}}/patterns"): allow(MANAGER),
    ("GET", f"{A}/workers/{{worker_id}}/patterns/{{pattern_id}}"): allow(*READ, INSTALLER, own_path="worker_id"),
    ("PATCH", f"{A}/workers/{{worker_id}}/patterns/{{pattern_id}}"): allow(MANAGER),
    ("DELETE", f"{A}/workers/{{worker_id}}/patterns/{{pattern_id}}"): allow(MANAGER),
    ("PUT", f"{A}/workers/{{worker_id}}/patterns/{{pattern_id}}/overrides/{{day}}"): allow(MANAGER),
    ("DELETE", f"{A}/workers/{{worker_id}}/patterns/{{pattern_id}}/overrides/{{day}}"): allow(MANAGER),
    ("GET", f"{A}/workers/{{worker_id}}/calendar.ics"): allow(*READ, INSTALLER, CALENDAR, own_path="worker_id",
                                                            url_token=True),
    ("POST", f"{A}/workers/{{worker_id}}/calendar-token"): allow(MANAGER, INSTALLER, own_path="worker_id"),
    ("GET", f"{A}/days/{{day}}"): allow(*READ),
    ("GET", f"{A}/days/{{day}}/scenario"): allow(*READ),
    ("GET", f"{A}/free-time"): allow(*READ),
    ("GET", f"{A}/availability"): allow(*READ),
    # The web pages: a page without a session is sent to /sign-in (api.web.views); its data comes from the
    # API above with the session cookie, and changes carry the session's CSRF token.
    ("GET", "/"): allow(*READ, INSTALLER),  # an installer is sent on to their own week
    ("GET", "/sign-in"): PUBLIC,
    ("GET", "/days/{raw_day}"): allow(*READ),
    ("GET", "/workers/{worker_id}"): allow(*READ, INSTALLER, own_path="worker_id"),
    ("GET", "/static/pages/{filename}"): PUBLIC,
}

_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def openapi_path(rule: str) -> str:
    """A Flask rule as its OpenAPI path: /tasks/<task_id> and /x/<int:id> -> /tasks/{task_id}, /x/{id}."""
    return _CONVERTER.sub(r"{\1}", rule)


def rule_for(method: str, path: str) -> Rule | None:
    return RULES.get(("GET" if method == "HEAD" else method, path))


def require_own_task(taker: str | None) -> None:
    """Inside a release's transaction: an installer may give back only a task they hold."""
    principal = current_principal()
    if principal is not None and principal.role == INSTALLER and taker is not None and taker != principal.worker_id:
        raise Forbidden(f"an installer releases only their own tasks; this one is held by {taker}")


def _check(principal: Principal, rule: Rule, method: str, path: str) -> None:
    if principal.role not in rule.roles:
        raise Forbidden(f"role {principal.role} may not {method} {path}")
    if principal.role not in WORKER_ROLES:
        return
    if rule.own_path is not None and (request.view_args or {}).get(rule.own_path) != principal.worker_id:
        raise Forbidden(f"an installer may do this only for their own worker ({principal.worker_id})")
    if rule.own_body is not None:
        body: Any = request.get_json(silent=True)
        named = body.get(rule.own_body) if isinstance(body, dict) else None
        if named is not None and named != principal.worker_id:
            raise Forbidden(f"an installer acts only for themselves: {rule.own_body} must be {principal.worker_id}")


def _url_token(rule: Rule | None) -> Principal | None:
    """The principal of a `?token=` on a route that takes one: only a calendar token, never a person's (a URL
    ends up in logs and calendar apps; a leaked calendar token reads one calendar and can be revoked)."""
    token = request.args.get("token")
    if token is None or rule is None or not rule.url_token or "Authorization" in request.headers:
        return None
    principal = principal_for_token(token)
    if principal is None:
        raise Unauthorized("the token is unknown or revoked")
    if principal.role != CALENDAR:
        raise Unauthorized("only a calendar token may be sent in the URL; send others as 'Authorization: Bearer'")
    return principal


def init_app(app: Flask) -> None:
    @app.before_request
    def _enforce() -> None:
        if request.url_rule is None or request.method == "OPTIONS":
            return  # 404 / 405 (with Allow) come from routing; OPTIONS reveals only the allowed methods
        path = openapi_path(request.url_rule.rule)
        rule = rule_for(request.method, path)
        if rule is not None and rule.public:
            return
        principal = _url_token(rule) or authenticate()
        g.principal = principal
        if principal is None:
            raise Unauthorized("a bearer token is required (Authorization: Bearer <token>)")
        if rule is None:
            raise Forbidden(f"no access rule for {request.method} {path} (add one in api/access.py)")
        _check(principal, rule, request.method, path)
