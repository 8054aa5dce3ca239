"""Who is asking: bearer API tokens (stored hashed), the signed-cookie session of the web pages, and
the `flask --app api token create|revoke` commands.

A token is `sp_` + 32 random bytes (URL-safe base64), shown once; the database keeps only its SHA-256,
so a stolen table grants nothing. A looked-up token is cached per process for `AUTH_CACHE_SECONDS`
(revocation takes effect within that time); while the database is unreachable a cached principal is
still honoured, so the what-if endpoints (which need no database) keep answering during an outage.

Web pages sign in with `POST /api/v1/session {"token": ...}`: the answer sets a signed, HttpOnly,
SameSite=Strict session cookie and returns a CSRF token. A request authenticated by that cookie that
changes state (anything but GET / HEAD / OPTIONS) must echo the CSRF token in `X-CSRF-Token`; a request
with a bearer token needs none (browsers never attach one on their own).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import click
import psycopg
from flask import Flask, current_app, g, request, session
from flask.cli import AppGroup
from psycopg_pool import PoolTimeout

from api import db
from api import queries as q
from api import repository as repo
from api.errors import ApiError

PERSON_ROLES = ("manager", "installer", "planner", "admin")
# A calendar token reads one worker's calendar.ics and nothing else; it is the only kind a URL may carry
# (a phone's calendar app subscribes by URL and sends no header or cookie).
CALENDAR = "calendar"
ROLES = (*PERSON_ROLES, CALENDAR)
WORKER_ROLES = ("installer", CALENDAR)  # tokens that act for one worker
TOKEN_PREFIX = "sp_"
MAX_TOKEN_LENGTH = 256  # ours are 46 characters; anything far longer is not worth hashing
MAX_CACHED = 10_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CACHE_KEY = "slot_planner_token_cache"



class Unauthorized(ApiError):
    status = 401
    title = "Authentication required"
    type_suffix = "unauthorized"


class Forbidden(ApiError):
    status = 403
    title = "Forbidden"
    type_suffix = "forbidden"


@dataclass(frozen=True)
class Principal:
    """The caller: a token's id, role, the worker an installer acts for, and its label (for the audit)."""

    token_id: int
    role: str
    worker_id: str | None
    label: str

    @property
    def actor(self) -> str:
        return self.label or f"token {self.token_id}"


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


# --- storage --------------------------------------------------------------------------------------------


def create_token(conn: psycopg.Connection, role: str, worker_id: str | None = None, label: str = "") -> tuple[int, str]:
    """A new token for `role` (installers: for `worker_id`); returns (id, the token, shown only now)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if (role in WORKER_ROLES) != (worker_id is not None):
        raise ValueError("an installer or calendar token needs --worker; other roles take none")
    if worker_id is not None and repo.get_worker(conn, worker_id) is None:
        raise ValueError(f"no worker {worker_id!r}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    label = label or f"{role}{':' + worker_id if worker_id else ''}"
    return repo.insert_token(conn, hash_token(token), role, worker_id, label), token


def demo_tokens(conn: psycopg.Connection, installer: str | None) -> dict[str, str]:
    """One new token per role for the demo (the installer acts for `installer`)."""
    return {role: create_token(conn, role, installer if role == "installer" else None, label=f"demo {role}")[1]
            for role in PERSON_ROLES if role != "installer" or installer is not None}


def revoke_token(conn: psycopg.Connection, token_id: int) -> bool:
    return repo.revoke_token(conn, token_id)


class _Cache:
    """Per-process cache of looked-up tokens: key -> (principal, when fetched)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[Any, tuple[Principal, float]] = {}

    def get(self, key: Any) -> tuple[Principal, float] | None:
        with self.lock:
            return self.entries.get(key)

    def put(self, key: Any, principal: Principal | None) -> None:
        with self.lock:
            if principal is None:
                self.entries.pop(key, None)
            else:
                if len(self.entries) > MAX_CACHED:  # bounded: only valid tokens are cached, but stay safe
                    self.entries.clear()
                self.entries[key] = (principal, time.monotonic())


TokenRead = Callable[[psycopg.Connection], q.TokenRow | None]


def _lookup(key: Any, read: TokenRead, digest: bytes | None) -> Principal | None:
    cache: _Cache = current_app.extensions[CACHE_KEY]
    cached = cache.get(key)
    if cached and time.monotonic() - cached[1] < current_app.config["AUTH_CACHE_SECONDS"]:
        return cached[0]
    try:
        with db.unit_of_work() as conn:
            row = read(conn)
    except (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout, db.DatabaseDown):
        if cached:  # the database is away: the last known answer stands until it is back
            return cached[0]
        raise
    # The row was found by its hash; compare again in constant time so no code path compares bytes early.
    if row is None or (digest is not None and not hmac.compare_digest(bytes(row.token_hash), digest)):
        cache.put(key, None)
        return None
    principal = Principal(row.id, row.role, row.worker_id, row.label)
    cache.put(key, principal)
    return principal


def principal_for_token(token: str) -> Principal | None:
    digest = hash_token(token)
    return _lookup(("hash", digest), lambda conn: repo.active_token_by_hash(conn, digest), digest)


def principal_for_id(token_id: int) -> Principal | None:
    return _lookup(("id", token_id), lambda conn: repo.active_token_by_id(conn, token_id), None)


# --- who is asking ------------------------------------------------------------------------------------


def authenticate() -> Principal | None:
    """The principal of the current request (bearer token first, then the session cookie), or None.

    Raises 401 for a bad or revoked token, 403 for a cookie-authenticated change without the CSRF token.
    """
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
            raise Unauthorized("the Authorization header must be 'Bearer <token>'")
        principal = principal_for_token(token)
        if principal is None:
            raise Unauthorized("the token is unknown or revoked")
        return principal
    token_id = session.get("token_id")
    if not isinstance(token_id, int):
        return None
    principal = principal_for_id(token_id)
    if principal is None:
        session.clear()
        raise Unauthorized("the session's token was revoked; sign in again")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode("utf-8", "replace"), str(session.get("csrf", "")).encode()):
            raise Forbidden(f"a change made with the session cookie needs the {CSRF_HEADER} header"
                            " (the csrf_token returned at sign-in)")
    return principal


def current_principal() -> Principal | None:
    principal: Principal | None = g.get("principal")
    return principal


def sign_in(token: str) -> dict[str, Any]:
    """Start a cookie session for the holder of `token` (used by the web pages)."""
    ours = token.startswith(TOKEN_PREFIX) and len(token) <= MAX_TOKEN_LENGTH
    principal = principal_for_token(token) if ours else None
    if principal is None:
        raise Unauthorized("the token is unknown or revoked")
    session.clear()
    session["token_id"] = principal.token_id
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True
    return {"role": principal.role, "worker_id": principal.worker_id, "csrf_token": session["csrf"]}


def session_info() -> dict[str, Any]:
    """The current cookie session (role, worker, CSRF token) for the web pages, or 401 when there is none."""
    token_id = session.get("token_id")
    principal = principal_for_id(token_id) if isinstance(token_id, int) else None
    if principal is None:
        session.clear()
        raise Unauthorized("not signed in: POST /api/v1/session with an API token")
    return {"role": principal.role, "worker_id": principal.worker_id, "csrf_token": session.get("csrf")}


def sign_out() -> None:
    session.clear()


def init_app(app: Flask) -> None:
    app.extensions[CACHE_KEY] = _Cache()
    if not app.config.get("SECRET_KEY"):
        # Sessions then last as long as this process; set SLOT_PLANNER_SECRET_KEY to share them between
        # gunicorn workers and restarts.
        app.config["SECRET_KEY"] = secrets.token_bytes(32)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = "Strict"

    @app.after_request
    def _challenge(resp: Any) -> Any:
        if resp.status_code == HTTPStatus.UNAUTHORIZED:
            resp.headers["WWW-Authenticate"] = 'Bearer realm="slot-planner"'
        return resp

    app.cli.add_command(token_cli)


# --- CLI --------------------------------------------------------------------------------------------------

token_cli = AppGroup("token", help="Create, list and revoke API tokens.")


@token_cli.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--worker", "worker_id", default=None, help="the worker an installer (or calendar) token acts for")
@click.option("--label", default="", help="who holds it (shown in the audit trail)")
def create_command(role: str, worker_id: str | None, label: str) -> None:
    """Create a token and print it (it is shown only once)."""
    try:
        with db.unit_of_work() as conn:
            token_id, token = create_token(conn, role, worker_id, label)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"token {token_id} ({role}{' for ' + worker_id if worker_id else ''}): {token}")


@token_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id: int) -> None:
    """Revoke a token by its id."""
    with db.unit_of_work() as conn:
        if not revoke_token(conn, token_id):
            raise click.UsageError(f"no active token {token_id}")
    click.echo(f"token {token_id} revoked")


@token_cli.command("list")
def list_command() -> None:
    """List tokens (never the tokens themselves)."""
    with db.unit_of_work() as conn:
        for t in repo.list_tokens(conn):
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            click.echo(f"{t.id}\t{t.role}\t{t.worker_id or '-'}\t{t.label}\t{t.created_at:%Y-%m-%d %H:%M}\t{state}")

