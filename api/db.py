"""The one module that owns PostgreSQL connections: the pool, units of work, database creation, migrations.

Nothing else opens a connection. A unit of work is one transaction (`unit_of_work()`); it commits when
the block ends and rolls back on any exception, so a refused change leaves the database untouched.
"""

from __future__ import annotations

import functools
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar
from urllib.parse import quote

import click
import psycopg
from flask import Flask, current_app
from flask.cli import AppGroup
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from api.errors import ApiError

EXTENSION_KEY = "slot_planner_pool"
BREAKER_KEY = "slot_planner_breaker"
# The migrations folder: beside the package in a checkout; set SLOT_PLANNER_SQL_DIR where it lives elsewhere
# (the Docker image installs the package into site-packages).
SQL_DIR = Path(os.environ.get("SLOT_PLANNER_SQL_DIR") or Path(__file__).resolve().parent.parent / "sql")
DEADLOCK_RETRIES = 3

T = TypeVar("T")
P = ParamSpec("P")


def init_app(app: Flask) -> None:
    """Create (but do not open) the pool; it opens on first use, so forked gunicorn workers each get their own."""
    pool = ConnectionPool(
        app.config["DATABASE_URL"],
        min_size=app.config["POOL_MIN_SIZE"],
        max_size=app.config["POOL_MAX_SIZE"],
        timeout=app.config["POOL_TIMEOUT"],
        # A connection killed while idle (database restart, pg_terminate_backend) is replaced at checkout
        # instead of failing the request that drew it.
        check=ConnectionPool.check_connection,
        # A failed connection attempt is not retried with growing back-off in the background; the next
        # request tries afresh, so the service recovers as soon as the database is back.
        reconnect_timeout=0,
        open=False,
        name="slot-planner",
    )
    app.extensions[EXTENSION_KEY] = pool
    app.extensions[BREAKER_KEY] = Breaker(app.config["DATABASE_URL"], app.config["DB_BACKOFF"])
    app.cli.add_command(db_cli)


def get_pool() -> ConnectionPool:
    pool: ConnectionPool = current_app.extensions[EXTENSION_KEY]
    if pool.closed:
        pool.open(wait=False)
    return pool


def close_pool(app: Flask) -> None:
    pool: ConnectionPool | None = app.extensions.get(EXTENSION_KEY)
    if pool is not None and not pool.closed:
        pool.close()


class DatabaseDown(ApiError):
    status = 503
    title = "Service unavailable"
    type_suffix = "unavailable"


class Breaker:
    """Fail fast while the database is down: after a failed connection every request is answered 503 at
    once for `backoff` seconds instead of each one holding a thread for the pool timeout. Then a single
    request probes with a direct connection (others keep failing fast meanwhile); success closes it.
    """

    def __init__(self, url: str, backoff: float) -> None:
        self.url, self.backoff = url, backoff
        self.lock = threading.Lock()
        self.down_until: float | None = None  # None: closed (the database is believed up)
        self.probing = False

    def _refuse(self) -> DatabaseDown:
        left = 0.0 if self.down_until is None else self.down_until - time.monotonic()
        return DatabaseDown("The database is unavailable; try again shortly.", retry_after=max(1, math.ceil(left)))

    def before(self) -> None:
        with self.lock:
            if self.down_until is None:
                return
            if time.monotonic() < self.down_until or self.probing:
                raise self._refuse()
            self.probing = True
        try:
            psycopg.connect(self.url, connect_timeout=max(1, math.ceil(self.backoff))).close()
        except psycopg.Error as exc:
            self.trip()
            raise self._refuse() from exc
        finally:
            with self.lock:
                self.probing = False
        with self.lock:
            self.down_until = None

    def trip(self) -> None:
        with self.lock:
            self.down_until = time.monotonic() + self.backoff


def breaker() -> Breaker:
    found: Breaker = current_app.extensions[BREAKER_KEY]
    return found


@contextmanager
def unit_of_work() -> Iterator[psycopg.Connection]:
    """One transaction on a pooled connection: commit at the end of the block, roll back on error.

    A failure to connect, or a connection lost on the way, trips the breaker (see `Breaker`).
    """
    guard = breaker()
    guard.before()
    try:
        with get_pool().connection() as conn:
            try:
                yield conn
            except psycopg.Error:
                if conn.broken:
                    guard.trip()
                raise
    except (PoolTimeout, psycopg.OperationalError) as exc:
        if isinstance(exc, PoolTimeout) or getattr(exc, "sqlstate", None) is None:
            guard.trip()  # no SQLSTATE: the connection itself failed, not a statement
        raise


@contextmanager
def elsewhere() -> Iterator[None]:
    """Around a call whose units of work run in a solver process (`own_unit_of_work`): the breaker's fail-fast
    check before it, and a failed connection there trips the breaker here, as in `unit_of_work`."""
    guard = breaker()
    guard.before()
    try:
        yield
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        if getattr(exc, "sqlstate", None) is None:  # the connection failed, not a statement
            guard.trip()
        raise


_own: dict[str, psycopg.Connection] = {}  # a solver process's own connection, by URL


@contextmanager
def own_unit_of_work(url: str, connect_timeout: float) -> Iterator[psycopg.Connection]:
    """One transaction on this process's own connection, for work done in a solver process
    (`api.solver_processes`: no Flask app, no pool, one call at a time; call it inside `elsewhere`).
    Commits at the end of the block, rolls back on error. The connection is kept for the process's next
    call; one found dead (a database restart) is replaced before use, one broken on the way is dropped."""
    conn = _own.get(url)
    if conn is not None:
        try:
            ConnectionPool.check_connection(conn)
        except psycopg.Error:
            _drop(url)
            conn = None
    if conn is None:
        conn = _own[url] = psycopg.connect(url, connect_timeout=max(1, math.ceil(connect_timeout)))
    try:
        yield conn
        conn.commit()
    except BaseException:
        if conn.broken or conn.closed:
            _drop(url)
        else:
            conn.rollback()
        raise


def _drop(url: str) -> None:
    conn = _own.pop(url, None)
    if conn is not None:
        conn.close()


def run_in_transaction(work: Callable[[psycopg.Connection], T]) -> T:
    """Run `work(conn)` in one transaction, again from the start if PostgreSQL broke a deadlock by aborting it.

    Deadlocks are possible only when a change's day set grows after its first locks (see api.guard).
    """
    for attempt in range(DEADLOCK_RETRIES):
        try:
            with unit_of_work() as conn:
                return work(conn)
        except psycopg.errors.DeadlockDetected:
            if attempt == DEADLOCK_RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def transactional(work: Callable[Concatenate[psycopg.Connection, P], T]) -> Callable[P, T]:
    """`work(conn, ...)` as a function of its other arguments, each call one `run_in_transaction`.

    The service's use cases are written this way, so no caller (a view, the CLI) handles a connection.
    """

    @functools.wraps(work)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return run_in_transaction(lambda conn: work(conn, *args, **kwargs))

    return run


# --- database creation and migrations -------------------------------------------------------------


def ensure_database(url: str) -> bool:
    """Create the database named in `url` if it is missing (via the `postgres` maintenance database).

    Returns True when it was created.
    """
    params = conninfo_to_dict(url)
    name = str(params.get("dbname") or params.get("user") or "postgres")
    maintenance = make_conninfo(url, dbname="postgres")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name}).fetchone()
        if exists:
            return False
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            return False  # another process created it between our check and our CREATE
    return True


def _yoyo_url(url: str) -> str:
    # yoyo picks its driver from the scheme; "postgresql+psycopg" is its psycopg 3 backend.
    params = conninfo_to_dict(url)
    user = str(params.get("user", "postgres"))
    password = str(params["password"]) if params.get("password") else None
    host = params.get("host", "127.0.0.1")
    port = params.get("port", "5432")
    auth = f"{quote(user, safe='')}:{quote(password, safe='')}@" if password else f"{quote(user, safe='')}@"
    return f"postgresql+psycopg://{auth}{host}:{port}/{params.get('dbname', user)}"


def upgrade(url: str, sql_dir: Path = SQL_DIR) -> list[str]:
    """Create the database if missing and apply every pending migration in `sql/`; returns the applied ids.

    Idempotent: yoyo records applied migrations in its own tables and holds a lock while it applies.
    """
    from yoyo import get_backend, read_migrations  # noqa: PLC0415 - only the migration command needs it

    ensure_database(url)
    backend = get_backend(_yoyo_url(url))
    try:
        migrations = read_migrations(str(sql_dir))
        with backend.lock():
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
        return [m.id for m in pending]
    finally:
        backend.connection.close()


db_cli = AppGroup("db", help="Create and migrate the PostgreSQL database.")


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Create the database if it is missing and apply pending migrations from sql/."""
    url = current_app.config["DATABASE_URL"]
    applied = upgrade(url)
    safe = make_conninfo(url, password="***") if conninfo_to_dict(url).get("password") else url
    click.echo(f"{safe}: applied {len(applied)} migration(s){': ' + ', '.join(applied) if applied else ''}")
